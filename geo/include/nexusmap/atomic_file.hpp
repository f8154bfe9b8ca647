#pragma once
// Atomic output: write to a temporary file in the destination folder, then rename over the
// target. A process killed mid-write leaves the old file intact and at most a stray temp file
// named ".<name>.tmp-<pid>-<n>" (never a half-written target).
#include <string>

namespace nexusmap {

class AtomicFile {
  public:
    // Throws GeoError if the folder does not exist or `overwrite` is false and the target exists.
    explicit AtomicFile(std::string target, bool overwrite = true);
    ~AtomicFile(); // removes the temp file unless commit() succeeded
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    const std::string& temp_path() const { return temp_; }
    const std::string& target() const { return target_; }
    void commit(); // fsync + rename; throws GeoError on failure

  private:
    std::string target_, temp_;
    bool done_ = false;
};

// Convenience: atomically write a whole string to `path`.
void write_text_atomic(const std::string& path, const std::string& text, bool overwrite = true);

} // namespace nexusmap
