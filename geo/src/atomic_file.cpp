#include "nexusmap/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nexusmap/error.hpp"

namespace fs = std::filesystem;
namespace nexusmap {

AtomicFile::AtomicFile(std::string target, bool overwrite) : target_(std::move(target)) {
    static std::atomic<unsigned> counter{0};
    fs::path p(target_);
    fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw GeoError(target_, "", "output folder '" + dir.string() + "' does not exist");
    if (!overwrite && fs::exists(p, ec))
        throw GeoError(target_, "", "exists already (use --force to overwrite)");
    temp_ = (dir / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++)))
                .string();
}

AtomicFile::~AtomicFile() {
    if (!done_) {
        std::error_code ec;
        fs::remove(temp_, ec);
    }
}

void AtomicFile::commit() {
    // fsync so that a crash right after the rename cannot expose an empty file.
    int fd = ::open(temp_.c_str(), O_RDONLY);
    if (fd < 0) throw GeoError(target_, "", "temporary output '" + temp_ + "' was not written");
    ::fsync(fd);
    ::close(fd);
    if (std::rename(temp_.c_str(), target_.c_str()) != 0)
        throw GeoError(target_, "", std::string("cannot rename temporary file into place: ") + std::strerror(errno));
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

} // namespace nexusmap
