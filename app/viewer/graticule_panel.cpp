#include "viewer/graticule_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "viewer/graticule.hpp"
#include "viewer/map_tool_ui.hpp"

namespace nexusmap::viewer {

namespace {
constexpr const char* kStepLabels[] = {"by zoom", "0.5 deg", "1 deg", "2 deg", "5 deg", "10 deg"};
constexpr double kSteps[] = {0, 0.5, 1, 2, 5, 10};
} // namespace

std::string GraticulePanel::load_state(const nlohmann::json& j) {
    if (!j.is_object()) return std::string("expected an object, got ") + j.type_name();
    if (j.contains("on") && !j["on"].is_boolean()) return "on: expected true or false";
    if (j.contains("step") &&
        (!j["step"].is_number_integer() || j["step"].get<int>() < 0 || j["step"].get<int>() > 5))
        return "step: expected 0..5";
    on = j.value("on", on);
    step_ = j.value("step", step_);
    return {};
}

void GraticulePanel::draw(PanelContext&) {
    if (!ImGui::CollapsingHeader("Graticule")) return;
    ImGui::PushID(this);
    ImGui::Checkbox("show graticule", &on);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::Combo("step", &step_, kStepLabels, IM_ARRAYSIZE(kStepLabels));
    if (on && last_step > 0) ImGui::TextDisabled("lines every %g degrees", last_step);
    ImGui::PopID();
}

void GraticulePanel::draw_overlay(PanelContext& ctx) {
    if (!on || !ctx.lonlat) return;
    const ViewTransform& v = ctx.view;
    // The visible lon/lat box: the canvas sampled on a grid and taken back to lon/lat.
    double lon0 = 1e9, lat0 = 1e9, lon1 = -1e9, lat1 = -1e9;
    for (int i = 0; i <= 8; ++i)
        for (int j = 0; j <= 8; ++j)
            if (const auto p = lonlat_of(ctx, float(v.vx + v.vw * i / 8), float(v.vy + v.vh * j / 8))) {
                lon0 = std::min(lon0, p->lon), lon1 = std::max(lon1, p->lon);
                lat0 = std::min(lat0, p->lat), lat1 = std::max(lat1, p->lat);
            }
    if (!(lon1 > lon0) || !(lat1 > lat0)) return;
    const double step = kSteps[std::clamp(step_, 0, 5)] > 0
                            ? kSteps[std::clamp(step_, 0, 5)]
                            : graticule_step(std::max(lon1 - lon0, lat1 - lat0));
    last_step = step;
    // A margin so lines reach the canvas edges in curved displays.
    const double pad = step;
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    dl->PushClipRect(ImVec2(float(v.vx), float(v.vy)), ImVec2(float(v.vx + v.vw), float(v.vy + v.vh)), true);
    const ImU32 col = IM_COL32(40, 60, 90, 120), text = IM_COL32(30, 45, 70, 255);
    for (const auto& l : graticule_lines(lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad, step, 64)) {
        std::vector<ImVec2> s;
        for (const auto& p : l.pts)
            if (const ImVec2 q = screen_of(ctx, p); finite(q)) s.push_back(q);
        if (s.size() < 2) continue;
        dl->AddPolyline(s.data(), int(s.size()), col, 0, 1.f * ctx.ui_scale);
        // Label where the line meets the top (meridians) or left (parallels) edge of the canvas (the
        // bottom carries the attribution line).
        const ImVec2* at = nullptr;
        for (const auto& q : s) {
            if (!v.in_canvas(q.x, q.y)) continue;
            if (!at || (l.meridian ? q.y < at->y : q.x < at->x)) at = &q;
        }
        if (!at) continue;
        const ImVec2 ts = ImGui::CalcTextSize(l.label.c_str());
        const ImVec2 pos =
            l.meridian ? ImVec2(at->x + 3, float(v.vy) + 2) : ImVec2(float(v.vx) + 3, at->y - ts.y - 1);
        halo_text(dl, pos, text, l.label);
    }
    dl->PopClipRect();
}

void GraticulePanel::menu(PanelContext&) {
    ImGui::MenuItem("Graticule", nullptr, &on);
}

} // namespace nexusmap::viewer
