#pragma once
// MP4 / WebM through an external `ffmpeg` (Debian's package, when installed): raw RGB frames are
// piped to it and it writes a temp file that commit() moves into place, so a failed or cancelled
// encode leaves no partial video. Nothing is downloaded; without ffmpeg the constructor throws a
// GeoError that names what is missing (GIF needs no external program).
#include <cstdint>
#include <string>
#include <vector>

namespace nexusmap {

// Absolute path of an executable `name` on $PATH, or "" when there is none.
std::string find_on_path(const std::string& name);

// The encoder's command line (argv[0] = exe): raw rgb24 frames of w x h at `fps` on stdin ->
// H.264 (yuv420p) MP4 or VP9 WebM at `out` (the container named explicitly: `out` is a temp name).
std::vector<std::string> ffmpeg_args(const std::string& exe, int w, int h, double fps, bool webm, const std::string& out);

class VideoPipe {
  public:
    // `exe` empty: `ffmpeg` from $PATH. w and h must be even (yuv420p). Throws GeoError.
    VideoPipe(const std::string& path, int w, int h, double fps, bool webm, bool overwrite = true, std::string exe = "");
    ~VideoPipe(); // without commit(): stops the encoder and removes its temp file
    VideoPipe(const VideoPipe&) = delete;
    VideoPipe& operator=(const VideoPipe&) = delete;
    void add_frame(const std::vector<uint8_t>& rgb); // w * h * 3 bytes, top row first
    void commit();                                   // waits for the encoder; throws on failure
    size_t frames() const { return frames_; }

  private:
    struct Impl;
    Impl* impl_ = nullptr;
    size_t frames_ = 0;
};

} // namespace nexusmap
