#pragma once
// A small ImGui file browser: lists a folder (folders first), navigates up/into folders, picks a
// file (or, in save mode, types a name; in folder mode, picks the current folder). Filesystem
// errors (unreadable folders, vanished files) are shown in the dialog, never thrown.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexusmap::viewer {

class FileDialog {
  public:
    enum class Mode { Open, Save, Folder };
    // Opens the dialog. `start` is a folder or a file path (its folder is listed, its name
    // prefilled in save mode). `purpose` is returned with the pick so one dialog serves many buttons.
    void open(const std::string& title, Mode mode, const std::string& start, int purpose);
    bool is_open() const { return open_; }
    // Draws the dialog (when open). Returns the chosen path once, when the user confirms.
    std::optional<std::string> draw();
    // What open() was called for.
    int purpose() const { return purpose_; }

  private:
    struct Entry {
        std::string name;
        bool dir = false;
        uintmax_t size = 0;
    };
    void list(const std::string& dir);
    std::string title_;
    Mode mode_ = Mode::Open;
    bool open_ = false, just_opened_ = false;
    int purpose_ = 0;
    std::string dir_, error_;
    std::vector<Entry> entries_;
    char name_[512] = {};
    char path_edit_[1024] = {};
    int selected_ = -1;
};

} // namespace nexusmap::viewer
