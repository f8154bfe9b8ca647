// ImGui file browser (see file_dialog.hpp).
#include "viewer/file_dialog.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace nexusmap::viewer {

namespace fs = std::filesystem;

namespace {
void copy_to(char* buf, size_t n, const std::string& s) {
    std::snprintf(buf, n, "%s", s.c_str());
}
std::string human_size(uintmax_t b) {
    char buf[32];
    if (b < 1024)
        std::snprintf(buf, sizeof buf, "%ju B", b);
    else if (b < 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f KB", double(b) / 1024);
    else
        std::snprintf(buf, sizeof buf, "%.1f MB", double(b) / (1024 * 1024));
    return buf;
}
} // namespace

void FileDialog::open(const std::string& title, Mode mode, const std::string& start, int purpose) {
    title_ = title;
    mode_ = mode;
    purpose_ = purpose;
    open_ = true;
    just_opened_ = true;
    name_[0] = 0;
    std::error_code ec;
    fs::path p = start.empty() ? fs::current_path(ec) : fs::path(start);
    if (!p.empty() && !fs::is_directory(p, ec)) {
        if (mode == Mode::Save) copy_to(name_, sizeof name_, p.filename().string());
        p = p.parent_path();
    }
    if (p.empty() || !fs::is_directory(p, ec)) p = fs::current_path(ec);
    list(fs::absolute(p, ec).lexically_normal().string());
}

void FileDialog::list(const std::string& dir) {
    std::error_code ec;
    std::vector<Entry> entries;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        error_ = "cannot list " + dir + ": " + ec.message();
        return; // stay where we were
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        Entry e;
        e.name = it->path().filename().string();
        if (e.name.empty() || e.name[0] == '.') continue; // hidden files
        std::error_code ec2;
        e.dir = it->is_directory(ec2);
        if (!e.dir) e.size = it->file_size(ec2);
        entries.push_back(std::move(e));
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        if (a.dir != b.dir) return a.dir;
        return a.name < b.name;
    });
    dir_ = dir;
    entries_ = std::move(entries);
    selected_ = -1;
    error_ = ec ? "listing stopped early: " + ec.message() : "";
    copy_to(path_edit_, sizeof path_edit_, dir_);
}

std::optional<std::string> FileDialog::draw() {
    if (!open_) return std::nullopt;
    std::optional<std::string> picked;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2), ImGuiCond_Appearing,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(640, 460), ImGuiCond_Appearing);
    if (just_opened_) ImGui::SetNextWindowFocus();
    just_opened_ = false;
    bool keep = true;
    if (!ImGui::Begin((title_ + "###nexusmap_file_dialog").c_str(), &keep,
                      ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::End();
        open_ = keep;
        return std::nullopt;
    }
    if (ImGui::Button("Up")) list(fs::path(dir_).parent_path().string());
    ImGui::SameLine();
    if (ImGui::Button("Home"))
        if (const char* h = std::getenv("HOME")) list(h);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##dir", path_edit_, sizeof path_edit_, ImGuiInputTextFlags_EnterReturnsTrue))
        list(path_edit_);
    if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());

    const float footer = ImGui::GetFrameHeightWithSpacing() * 2 + 6;
    std::string navigate;
    if (ImGui::BeginChild("##entries", ImVec2(0, -footer), true)) {
        for (int i = 0; i < int(entries_.size()); ++i) {
            const Entry& e = entries_[size_t(i)];
            const std::string label = (e.dir ? "[dir]  " : "       ") + e.name;
            if (ImGui::Selectable(label.c_str(), selected_ == i, ImGuiSelectableFlags_AllowDoubleClick)) {
                selected_ = i;
                if (!e.dir) copy_to(name_, sizeof name_, e.name);
                if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
                    if (e.dir)
                        navigate = (fs::path(dir_) / e.name).string();
                    else if (mode_ != Mode::Folder)
                        picked = (fs::path(dir_) / e.name).string();
                }
            }
            if (!e.dir) {
                ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - 80);
                ImGui::TextDisabled("%s", human_size(e.size).c_str());
            }
        }
    }
    ImGui::EndChild();
    if (!navigate.empty()) list(navigate);

    if (mode_ != Mode::Folder) {
        ImGui::SetNextItemWidth(-160);
        if (ImGui::InputText("file name", name_, sizeof name_, ImGuiInputTextFlags_EnterReturnsTrue) && name_[0])
            picked = (fs::path(dir_) / name_).string();
    } else {
        ImGui::TextDisabled("folder: %s", dir_.c_str());
    }
    const char* ok = mode_ == Mode::Open ? "Open" : (mode_ == Mode::Save ? "Save" : "Use this folder");
    const bool can = mode_ == Mode::Folder || name_[0] != 0;
    if (!can) ImGui::BeginDisabled();
    if (ImGui::Button(ok)) {
        if (mode_ == Mode::Folder) {
            picked = (selected_ >= 0 && entries_[size_t(selected_)].dir)
                         ? (fs::path(dir_) / entries_[size_t(selected_)].name).string()
                         : dir_;
        } else {
            const fs::path p = fs::path(dir_) / name_;
            std::error_code ec;
            if (fs::is_directory(p, ec))
                list(p.string());
            else
                picked = p.string();
        }
    }
    if (!can) ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) keep = false;
    ImGui::End();
    if (picked) {
        if (mode_ == Mode::Open) {
            std::error_code ec;
            if (!fs::is_regular_file(*picked, ec)) {
                error_ = "not a file: " + *picked;
                picked.reset();
            }
        }
        if (picked) keep = false;
    }
    open_ = keep;
    return picked;
}

} // namespace nexusmap::viewer
