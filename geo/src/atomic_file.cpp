#include "nexusmap/atomic_file.hpp"

#include <fcntl.h>
#include <stdio.h> // renameat2 (glibc >= 2.28, _GNU_SOURCE)
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <utility>

#include "nexusmap/error.hpp"

namespace fs = std::filesystem;
namespace nexusmap {

namespace {

thread_local OutputSet* t_open_set = nullptr;

std::mutex g_inputs_mu;
// (device, inode) -> the path it was opened as.
std::set<std::pair<std::pair<dev_t, ino_t>, std::string>> g_inputs;

bool stat_of(const std::string& path, struct stat& st) { return ::stat(path.c_str(), &st) == 0; }

// Moves temp onto target. Without `overwrite` the move fails if the target exists, even when
// another process creates it between our check and this call.
void move_into_place(const std::string& temp, const std::string& target, bool overwrite) {
    if (overwrite) {
        if (std::rename(temp.c_str(), target.c_str()) != 0)
            throw GeoError(target, "", std::string("cannot rename temporary file into place: ") + std::strerror(errno));
        return;
    }
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return;
    int err = errno;
    if (err == EINVAL || err == ENOSYS || err == ENOTSUP) {
        // File systems without RENAME_NOREPLACE: link() fails with EEXIST just the same.
        if (::link(temp.c_str(), target.c_str()) == 0) {
            ::unlink(temp.c_str());
            return;
        }
        err = errno;
    }
    if (err == EEXIST)
        throw GeoError(target, "", "exists already (another process wrote it meanwhile?); use --force to overwrite");
    throw GeoError(target, "", std::string("cannot move temporary file into place: ") + std::strerror(err));
}

void fsync_file(const std::string& temp, const std::string& target) {
    // fsync so that a crash right after the rename cannot expose an empty file.
    int fd = ::open(temp.c_str(), O_RDONLY);
    if (fd < 0) throw GeoError(target, "", "temporary output '" + temp + "' was not written");
    ::fsync(fd);
    ::close(fd);
}

std::string temp_name(const fs::path& dir, const fs::path& file, const char* what) {
    static std::atomic<unsigned> counter{0};
    return (dir / ("." + file.filename().string() + "." + what + "-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter++)))
        .string();
}

} // namespace

// ---- inputs -----------------------------------------------------------------------------------

void note_input(const std::string& path) {
    struct stat st{};
    if (!stat_of(path, st)) return;
    std::lock_guard<std::mutex> lock(g_inputs_mu);
    g_inputs.insert({{st.st_dev, st.st_ino}, path});
}

std::string input_named_by(const std::string& path) {
    struct stat st{};
    if (!stat_of(path, st)) return {};
    std::lock_guard<std::mutex> lock(g_inputs_mu);
    for (const auto& [id, p] : g_inputs)
        if (id.first == st.st_dev && id.second == st.st_ino) return p;
    return {};
}

void clear_inputs() {
    std::lock_guard<std::mutex> lock(g_inputs_mu);
    g_inputs.clear();
}

void check_output_path(const std::string& out, bool overwrite, const std::vector<std::string>& input_specs) {
    std::error_code ec;
    // /dev/stdout, /proc/self/fd/N and the like: an atomic rename would replace the link or node
    // itself (as root, a regular file renamed over /dev/stdout), never write through it.
    auto system_path = [](const fs::path& p) {
        const std::string a = fs::absolute(p).lexically_normal().string();
        return a.rfind("/dev/", 0) == 0 || a.rfind("/proc/", 0) == 0 || a.rfind("/sys/", 0) == 0;
    };
    if (system_path(out) || (fs::is_symlink(fs::symlink_status(out, ec)) && system_path(fs::read_symlink(out, ec))))
        throw GeoError(out, "", "is a device or system path; nexusmap writes only regular files (atomically), never "
                                "through /dev or /proc: give a file name");
    const fs::file_status st = fs::status(out, ec);
    if (!fs::exists(st)) {
        // A new file: its folder must exist, checked here so that the command fails before any work.
        const fs::path dir = fs::path(out).parent_path().empty() ? fs::path(".") : fs::path(out).parent_path();
        if (!fs::is_directory(dir, ec))
            throw GeoError(out, "", "output folder '" + dir.string() + "' does not exist" +
                                        (fs::exists(dir, ec) ? " (it is not a folder)" : ""));
        return;
    }
    // Input specs may be "FILE", "FILE:LAYER", "layer:FILE:LAYER": try the spec and each prefix
    // before a colon, so that the file itself is compared, not the spec string.
    for (std::string spec : input_specs) {
        if (spec.rfind("layer:", 0) == 0) spec = spec.substr(6);
        while (!spec.empty()) {
            if (fs::exists(spec, ec) && fs::equivalent(out, spec, ec))
                throw GeoError(out, "", "is one of the inputs (" + spec + "); nexusmap never overwrites its inputs");
            const auto colon = spec.rfind(':');
            if (colon == std::string::npos || colon == 0) break;
            spec.resize(colon);
        }
    }
    if (const std::string in = input_named_by(out); !in.empty())
        throw GeoError(out, "", "is one of the inputs (" + in + "); nexusmap never overwrites its inputs");
    if (fs::is_directory(st)) throw GeoError(out, "", "is a folder, not a file name");
    if (!fs::is_regular_file(st))
        throw GeoError(out, "", "is a device, FIFO or socket; nexusmap writes only regular files (atomically)");
    if (!overwrite) throw GeoError(out, "", "exists already (use --force to overwrite)");
}

// ---- AtomicFile -------------------------------------------------------------------------------

AtomicFile::AtomicFile(std::string target, bool overwrite) : target_(std::move(target)), overwrite_(overwrite) {
    fs::path p(target_);
    fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw GeoError(target_, "", "output folder '" + dir.string() + "' does not exist");
    if (t_open_set) overwrite_ = overwrite_ && t_open_set->overwrite_;
    check_output_path(target_, overwrite_);
    temp_ = temp_name(dir, p, "tmp");
}

AtomicFile::~AtomicFile() {
    if (!done_) {
        std::error_code ec;
        fs::remove(temp_, ec);
    }
}

void AtomicFile::commit() {
    fsync_file(temp_, target_);
    if (t_open_set) {
        // The set owns the temp file from now on (it removes it if the set is not committed). A
        // second write of one target in a set replaces the first.
        auto& items = t_open_set->items_;
        for (auto it = items.begin(); it != items.end(); ++it)
            if (it->target == target_) {
                std::error_code ec;
                fs::remove(it->temp, ec);
                items.erase(it);
                break;
            }
        items.push_back({temp_, target_, overwrite_});
        done_ = true;
        return;
    }
    // Checked again: an input may have been opened since the constructor ran.
    if (const std::string in = input_named_by(target_); !in.empty())
        throw GeoError(target_, "", "is one of the inputs (" + in + "); nexusmap never overwrites its inputs");
    move_into_place(temp_, target_, overwrite_);
    done_ = true;
}

void write_text_atomic(const std::string& path, const std::string& text, bool overwrite) {
    AtomicFile f(path, overwrite);
    {
        std::ofstream o(f.temp_path(), std::ios::binary);
        if (!o) throw GeoError(path, "", "cannot open for writing");
        o.write(text.data(), static_cast<std::streamsize>(text.size()));
        o.flush();
        if (!o) throw GeoError(path, "", "write failed (disk full?)");
    }
    f.commit();
}

// ---- OutputSet --------------------------------------------------------------------------------

OutputSet::OutputSet(bool overwrite) : overwrite_(overwrite) {
    if (t_open_set)
        joined_ = t_open_set;
    else
        t_open_set = this;
}

OutputSet::~OutputSet() {
    if (joined_) return; // the outer set owns what was staged
    if (t_open_set == this) t_open_set = nullptr;
    if (!done_) {
        std::error_code ec;
        for (const auto& it : items_)
            fs::remove(it.temp, ec);
    }
}

void OutputSet::commit() {
    if (joined_) return;
    if (t_open_set == this) t_open_set = nullptr;
    done_ = true; // from here on this function cleans up itself
    std::error_code ec;
    // 1. Every target is checked before anything moves.
    try {
        for (const auto& it : items_) {
            if (const std::string in = input_named_by(it.target); !in.empty())
                throw GeoError(it.target, "", "is one of the inputs (" + in + "); nexusmap never overwrites its inputs");
            if (!it.overwrite && fs::exists(it.target, ec))
                throw GeoError(it.target, "", "exists already (use --force to overwrite)");
        }
    } catch (...) {
        for (const auto& it : items_)
            fs::remove(it.temp, ec);
        throw;
    }
    // 2. Previous versions kept as hard links, so that a failed move can put them back.
    std::vector<std::string> backups(items_.size());
    for (size_t i = 0; i < items_.size(); ++i) {
        const fs::path t(items_[i].target);
        if (!fs::exists(t, ec)) continue;
        backups[i] = temp_name(t.parent_path().empty() ? fs::path(".") : t.parent_path(), t, "old");
        if (::link(items_[i].target.c_str(), backups[i].c_str()) != 0) backups[i].clear();
    }
    // 3. Move all; on the first failure undo the moves made and remove what is left.
    size_t moved = 0;
    try {
        for (; moved < items_.size(); ++moved)
            move_into_place(items_[moved].temp, items_[moved].target, items_[moved].overwrite);
    } catch (...) {
        for (size_t i = 0; i < moved; ++i) {
            if (!backups[i].empty())
                std::rename(backups[i].c_str(), items_[i].target.c_str());
            else
                fs::remove(items_[i].target, ec);
        }
        for (size_t i = moved; i < items_.size(); ++i) {
            fs::remove(items_[i].temp, ec);
            if (!backups[i].empty()) fs::remove(backups[i], ec);
        }
        throw;
    }
    for (const auto& b : backups)
        if (!b.empty()) fs::remove(b, ec);
}

} // namespace nexusmap
