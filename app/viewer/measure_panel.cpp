#include "viewer/measure_panel.hpp"

#include <imgui.h>

#include "viewer/map_tool_ui.hpp"

namespace nexusmap::viewer {

void MeasurePanel::draw(PanelContext&) {
    if (open) ImGui::SetNextItemOpen(true, ImGuiCond_Appearing);
    if (!ImGui::CollapsingHeader("Measure (geodesic)")) return;
    ImGui::PushID(this);
    bool on = edits_.tool == MapTool::Measure;
    if (ImGui::Checkbox("measure on the map", &on)) edits_.tool = on ? MapTool::Measure : MapTool::None;
    ImGui::TextDisabled("click: add a vertex; right click: stop");
    const auto& pts = edits_.state.measure;
    const Measurement m = measure(pts);
    ImGui::Text("length    %s  (%zu vertices)", format_length_km(m.length_km).c_str(), pts.size());
    if (pts.size() >= 3) {
        ImGui::Text("area      %s", format_area_km2(m.area_km2).c_str());
        ImGui::Text("perimeter %s", format_length_km(m.perimeter_km).c_str());
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("On the WGS 84 ellipsoid (Karney's geodesics, as PROJ's geod): each leg is the\n"
                          "shortest path between its vertices, whatever the display CRS.");
    if (!pts.empty()) {
        if (ImGui::Button("Remove last vertex")) edits_.change([](EditState& s) { s.measure.pop_back(); });
        ImGui::SameLine();
        if (ImGui::Button("Clear")) edits_.change([](EditState& s) { s.measure.clear(); });
    }
    ImGui::PopID();
}

void MeasurePanel::map_input(PanelContext& ctx) {
    if (edits_.tool != MapTool::Measure) return;
    if (const auto p = vertex_click(ctx, edits_.tool)) edits_.change([&](EditState& s) { s.measure.push_back(*p); });
}

void MeasurePanel::draw_overlay(PanelContext& ctx) {
    const auto& pts = edits_.state.measure;
    if (pts.empty()) return;
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    const ImU32 col = IM_COL32(200, 20, 120, 255);
    // Each leg drawn through intermediate points so it bends like the geodesic does on the display
    // (straight lon/lat interpolation: close enough for a drawing, the numbers are exact).
    std::vector<ImVec2> line;
    for (size_t i = 0; i < pts.size(); ++i) {
        if (i > 0)
            for (int k = 1; k < 16; ++k) {
                const double t = k / 16.0;
                const ImVec2 s = screen_of(ctx, {pts[i - 1].lon + t * (pts[i].lon - pts[i - 1].lon),
                                                 pts[i - 1].lat + t * (pts[i].lat - pts[i - 1].lat)});
                if (finite(s)) line.push_back(s);
            }
        const ImVec2 s = screen_of(ctx, pts[i]);
        if (finite(s)) line.push_back(s);
    }
    if (pts.size() >= 3) {
        const ImVec2 a = screen_of(ctx, pts.back()), b = screen_of(ctx, pts.front());
        if (finite(a) && finite(b)) dl->AddLine(a, b, IM_COL32(200, 20, 120, 140), 1.5f);
    }
    if (line.size() >= 2) dl->AddPolyline(line.data(), int(line.size()), col, 0, 2.5f * ctx.ui_scale);
    for (const auto& p : pts)
        if (const ImVec2 s = screen_of(ctx, p); finite(s)) {
            dl->AddCircleFilled(s, 4 * ctx.ui_scale, IM_COL32(255, 255, 255, 255));
            dl->AddCircle(s, 4 * ctx.ui_scale, col, 12, 2);
        }
    const Measurement m = measure(pts);
    std::string text = format_length_km(m.length_km);
    if (pts.size() >= 3) text += "\n" + format_area_km2(m.area_km2) + " (closed)";
    const ImVec2 last = screen_of(ctx, pts.back());
    if (finite(last)) halo_text(dl, ImVec2(last.x + 8, last.y + 6), IM_COL32(120, 0, 70, 255), text);
}

void MeasurePanel::menu(PanelContext&) {
    if (ImGui::MenuItem("Measure distance / area", nullptr, edits_.tool == MapTool::Measure))
        edits_.tool = edits_.tool == MapTool::Measure ? MapTool::None : MapTool::Measure;
}

} // namespace nexusmap::viewer
