#include "nexusmap/video_pipe.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace nexusmap {

std::string find_on_path(const std::string& name) {
    const char* p = std::getenv("PATH");
    if (!p || name.empty()) return "";
    std::stringstream ss(p);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        if (dir.empty()) continue;
        const fs::path f = fs::path(dir) / name;
        std::error_code ec;
        if (fs::is_regular_file(f, ec) && ::access(f.c_str(), X_OK) == 0) return f.string();
    }
    return "";
}

std::vector<std::string> ffmpeg_args(const std::string& exe, int w, int h, double fps, bool webm, const std::string& out) {
    char size[32], rate[32];
    std::snprintf(size, sizeof size, "%dx%d", w, h);
    std::snprintf(rate, sizeof rate, "%.6g", fps);
    std::vector<std::string> a = {exe, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                                  "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", rate, "-i", "pipe:0"};
    if (webm)
        a.insert(a.end(), {"-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "32", "-pix_fmt", "yuv420p", "-f", "webm"});
    else // yuv420p and faststart: plays in browsers and PowerPoint
        a.insert(a.end(), {"-c:v", "libx264", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"});
    a.push_back(out);
    return a;
}

struct VideoPipe::Impl {
    std::unique_ptr<AtomicFile> file;
    std::string log, exe;
    pid_t pid = -1;
    int fd = -1; // our end of a socketpair: send(MSG_NOSIGNAL) turns a dead encoder into EPIPE, not SIGPIPE
    int w = 0, h = 0;

    int wait_child() {
        if (pid < 0) return -1;
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        pid = -1;
        return st;
    }
    std::string log_tail() const {
        std::ifstream in(log);
        std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
        if (s.size() > 400) s = "..." + s.substr(s.size() - 400);
        return s.empty() ? "" : ": " + s;
    }
    ~Impl() {
        if (fd >= 0) ::close(fd);
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            wait_child();
        }
        std::error_code ec;
        if (!log.empty()) fs::remove(log, ec);
    }
};

VideoPipe::VideoPipe(const std::string& path, int w, int h, double fps, bool webm, bool overwrite, std::string exe) {
    if (w <= 0 || h <= 0 || w % 2 || h % 2) throw GeoError(path, "", "video frames must have an even width and height");
    if (exe.empty()) exe = find_on_path("ffmpeg");
    if (exe.empty())
        throw GeoError(path, "", std::string("writing ") + (webm ? "WebM" : "MP4") +
                                     " needs the `ffmpeg` program on PATH, which was not found (Debian: apt-get install "
                                     "ffmpeg); animated GIF (.gif) needs no external program");
    auto im = std::make_unique<Impl>();
    im->file = std::make_unique<AtomicFile>(path, overwrite);
    im->log = im->file->temp_path() + ".log";
    im->exe = exe;
    im->w = w, im->h = h;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw GeoError(path, "", std::string("cannot open a pipe to ffmpeg: ") + std::strerror(errno));
    const auto args = ffmpeg_args(exe, w, h, fps, webm, im->file->temp_path());
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, im->log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = ::posix_spawn(&im->pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(sv[1]);
    if (rc != 0) {
        ::close(sv[0]);
        im->pid = -1;
        throw GeoError(path, "", "cannot start " + exe + ": " + std::strerror(rc));
    }
    im->fd = sv[0];
    impl_ = im.release();
}

VideoPipe::~VideoPipe() { delete impl_; }

void VideoPipe::add_frame(const std::vector<uint8_t>& rgb) {
    Impl& im = *impl_;
    if (rgb.size() != size_t(im.w) * size_t(im.h) * 3) throw GeoError(im.file->target(), "", "frame of the wrong size");
    size_t off = 0;
    while (off < rgb.size()) {
        const ssize_t n = ::send(im.fd, rgb.data() + off, rgb.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(im.fd), im.fd = -1;
            im.wait_child();
            throw GeoError(im.file->target(), "", im.exe + " stopped reading frames" + im.log_tail());
        }
        off += size_t(n);
    }
    ++frames_;
}

void VideoPipe::commit() {
    Impl& im = *impl_;
    ::close(im.fd), im.fd = -1; // end of input: the encoder finishes the file
    const int st = im.wait_child();
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
        throw GeoError(im.file->target(), "",
                       im.exe + " failed (" + (WIFEXITED(st) ? "exit " + std::to_string(WEXITSTATUS(st)) : std::string("killed")) +
                           ")" + im.log_tail());
    std::error_code ec;
    if (!fs::exists(im.file->temp_path(), ec)) throw GeoError(im.file->target(), "", im.exe + " wrote no file" + im.log_tail());
    im.file->commit();
}

} // namespace nexusmap
