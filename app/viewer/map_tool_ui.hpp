#pragma once
// Small helpers shared by the map tool panels (measure, draw, select, graticule): lon/lat <-> screen
// through the display chain, the click of this frame on the canvas, text with a halo.
#include <imgui.h>

#include <cmath>
#include <optional>
#include <string>

#include "viewer/edits.hpp"
#include "viewer/measure.hpp"
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

// Screen position of a lon/lat point (NaN when it does not project).
inline ImVec2 screen_of(const PanelContext& ctx, LonLat p) {
    double x = p.lon, y = p.lat;
    if (ctx.lonlat) ctx.lonlat->forward(x, y);
    if (!std::isfinite(x) || !std::isfinite(y)) return ImVec2(NAN, NAN);
    const ScreenPt s = ctx.view.to_screen(x, y);
    return ImVec2(float(s.x), float(s.y));
}
// Screen position of an analysis-CRS point.
inline ImVec2 screen_of_analysis(const PanelContext& ctx, double x, double y) {
    if (ctx.lonlat) ctx.lonlat->from_analysis(x, y);
    const ScreenPt s = ctx.view.to_screen(x, y);
    return ImVec2(float(s.x), float(s.y));
}
inline std::optional<LonLat> lonlat_of(const PanelContext& ctx, float sx, float sy) {
    ScreenPt d = ctx.view.to_map(sx, sy);
    if (ctx.lonlat) ctx.lonlat->inverse(d.x, d.y);
    if (!std::isfinite(d.x) || !std::isfinite(d.y)) return std::nullopt;
    return LonLat{d.x, d.y};
}
// The left click released on the canvas this frame (not a drag, not over a window, not used yet).
inline std::optional<ImVec2> map_click(const PanelContext& ctx,
                                       ImGuiMouseButton button = ImGuiMouseButton_Left) {
    const ImGuiIO& io = ImGui::GetIO();
    const ImVec2 m = io.MousePos;
    if (ctx.map_click_taken || !ImGui::IsMouseReleased(button) || io.WantCaptureMouse ||
        !ctx.view.in_canvas(m.x, m.y) || io.MouseDragMaxDistanceSqr[button] > 9)
        return std::nullopt;
    return m;
}
// A vertex tool's click (measure, draw): a right click leaves the tool; a left click gives the
// lon/lat to add. Either takes the click from the event picking.
inline std::optional<LonLat> vertex_click(PanelContext& ctx, MapTool& tool) {
    if (map_click(ctx, ImGuiMouseButton_Right)) {
        tool = MapTool::None;
        ctx.map_click_taken = true;
        return std::nullopt;
    }
    const auto c = map_click(ctx);
    if (!c) return std::nullopt;
    ctx.map_click_taken = true;
    return lonlat_of(ctx, c->x, c->y);
}
inline bool finite(ImVec2 p) {
    return std::isfinite(p.x) && std::isfinite(p.y);
}
// Text with a light halo, readable over any map colour.
inline void halo_text(ImDrawList* dl, ImVec2 p, ImU32 col, const std::string& text) {
    for (int dx = -1; dx <= 1; ++dx)
        for (int dy = -1; dy <= 1; ++dy)
            if (dx || dy)
                dl->AddText(ImVec2(p.x + float(dx), p.y + float(dy)), IM_COL32(255, 255, 255, 220),
                            text.c_str());
    dl->AddText(p, col, text.c_str());
}

} // namespace nexusmap::viewer
