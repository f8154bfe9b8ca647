#pragma once
// Atomic output: write to a temporary file in the destination folder, then move it onto the
// target. A process killed mid-write leaves the old file intact and at most a stray temp file
// named ".<name>.tmp-<pid>-<n>" (never a half-written target).
//
// Three further guarantees (docs/reliability.md):
// - no-replace: without `overwrite` the final move is renameat2(RENAME_NOREPLACE) (or link+unlink
//   where the file system lacks it), so two processes racing for one new name cannot both win;
// - inputs are never written: every file a geo loader opened is remembered (device + inode), and
//   a target that is one of them is refused, whatever path or link names it;
// - output sets: while an OutputSet is open on a thread, commits of that thread are staged and the
//   set moves them all into place at once, rolling back if any move fails.
#include <string>
#include <vector>

namespace nexusmap {

class AtomicFile {
  public:
    // Throws GeoError if the folder does not exist, the target is an input, a device, FIFO or
    // folder, or `overwrite` is false and the target exists.
    explicit AtomicFile(std::string target, bool overwrite = true);
    ~AtomicFile(); // removes the temp file unless commit() succeeded (or handed it to a set)
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    const std::string& temp_path() const { return temp_; }
    const std::string& target() const { return target_; }
    void commit(); // fsync + move into place (or stage in the open OutputSet); throws GeoError

  private:
    std::string target_, temp_;
    bool overwrite_ = true;
    bool done_ = false;
};

// Convenience: atomically write a whole string to `path`.
void write_text_atomic(const std::string& path, const std::string& text, bool overwrite = true);

// All-or-nothing: the files committed on this thread while the set is open appear together on
// commit(), or not at all (destructor without commit, or a failed commit: staged temps removed,
// targets already moved restored from their previous versions). Without `overwrite` no file of
// the set may replace an existing one (the whole set fails instead). A set opened while another
// is open on the thread joins it: its commit() is a no-op and the outer set decides (the demo runs
// other commands inside its own set).
class OutputSet {
  public:
    explicit OutputSet(bool overwrite = true);
    ~OutputSet();
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;
    void commit();
    size_t staged() const { return items_.size(); }

    struct Item {
        std::string temp, target;
        bool overwrite;
    };

  private:
    friend class AtomicFile;
    std::vector<Item> items_;
    bool overwrite_ = true;
    OutputSet* joined_ = nullptr; // the outer set this one joined
    bool done_ = false;
};

// Remember `path` as an input of this process: AtomicFile refuses to write over it. Geo's loaders
// call this for every file they open; front ends call it for inputs they read themselves.
void note_input(const std::string& path);
// The input `path` is (same device and inode), or "" when it is none.
std::string input_named_by(const std::string& path);
// Forget every noted input (tests).
void clear_inputs();

// Refuses early, before any work: `out` is an input (compared after FILE:LAYER specs are split and
// "layer:" prefixes removed), a device/FIFO/folder, exists without `overwrite`, or names a folder
// that does not exist. The message says
// which and how to fix it.
void check_output_path(const std::string& out, bool overwrite, const std::vector<std::string>& input_specs = {});

} // namespace nexusmap
