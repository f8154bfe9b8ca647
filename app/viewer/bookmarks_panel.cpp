#include "viewer/bookmarks_panel.hpp"

#include <imgui.h>

#include <cmath>

namespace nexusmap::viewer {

Bookmark BookmarksPanel::current_view(const PanelContext& ctx, const std::string& name) {
    Bookmark b;
    b.name = name;
    double lon = ctx.view.cx, lat = ctx.view.cy;
    const DisplayChain* c = ctx.lonlat;
    if (c) c->inverse(lon, lat);
    const double ground = !c || c->identity() ? 1.0 : c->ground_per_display(ctx.view.cx, ctx.view.cy);
    auto round9 = [](double v) { return std::round(v * 1e9) / 1e9; };
    b.lon = round9(lon);
    b.lat = round9(lat);
    b.km_per_px = round9(ctx.view.m_per_px * ground / 1000);
    b.display_crs = c ? display_name(c->kind()) : "equal-area";
    return b;
}

nlohmann::json BookmarksPanel::save_state() const {
    nlohmann::json j = edits_to_json(edits_.state);
    j.erase("sketches");
    return j;
}

std::string BookmarksPanel::load_state(const nlohmann::json& j) {
    EditState s = edits_.state;
    nlohmann::json only = j;
    if (only.is_object()) only.erase("sketches");
    if (std::string err = edits_from_json(only, s); !err.empty()) return err;
    edits_.state.bookmarks = s.bookmarks;
    return {};
}

void BookmarksPanel::draw(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Bookmarks")) return;
    ImGui::PushID(this);
    ImGui::SetNextItemWidth(170 * ctx.ui_scale);
    ImGui::InputTextWithHint("##name", "name", name_, sizeof name_);
    ImGui::SameLine();
    if (ImGui::Button("Add current view")) {
        const std::string n = name_[0] ? name_ : "view " + std::to_string(edits_.state.bookmarks.size() + 1);
        const Bookmark b = current_view(ctx, n);
        edits_.change([&](EditState& s) { s.bookmarks.push_back(b); });
        name_[0] = 0;
    }
    auto& bms = edits_.state.bookmarks;
    for (size_t i = 0; i < bms.size(); ++i) {
        ImGui::PushID(int(i));
        if (ImGui::SmallButton("go"))
            ctx.request_view = ViewRequest{bms[i].lon, bms[i].lat, bms[i].km_per_px, bms[i].display_crs};
        ImGui::SameLine();
        ImGui::Text("%s", bms[i].name.c_str());
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%.4f, %.4f, %.3g km/px, %s", bms[i].lon, bms[i].lat, bms[i].km_per_px,
                              bms[i].display_crs.c_str());
        ImGui::SameLine();
        bool erase = ImGui::SmallButton("x");
        ImGui::PopID();
        if (erase) {
            edits_.change([i](EditState& s) { s.bookmarks.erase(s.bookmarks.begin() + std::ptrdiff_t(i)); });
            break;
        }
    }
    if (bms.empty()) ImGui::TextDisabled("no bookmarks yet (saved with the project)");
    ImGui::PopID();
}

void BookmarksPanel::menu(PanelContext& ctx) {
    if (!ImGui::BeginMenu("Bookmarks")) return;
    if (ImGui::MenuItem("Add current view")) {
        const Bookmark b = current_view(ctx, "view " + std::to_string(edits_.state.bookmarks.size() + 1));
        edits_.change([&](EditState& s) { s.bookmarks.push_back(b); });
    }
    if (!edits_.state.bookmarks.empty()) ImGui::Separator();
    for (const auto& b : edits_.state.bookmarks)
        if (ImGui::MenuItem(b.name.c_str()))
            ctx.request_view = ViewRequest{b.lon, b.lat, b.km_per_px, b.display_crs};
    ImGui::EndMenu();
}

} // namespace nexusmap::viewer
