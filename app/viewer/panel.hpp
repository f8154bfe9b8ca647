#pragma once
// The viewer's panel interface. A panel is one class in its own file (<name>_panel.{hpp,cpp}) that
// the App keeps in an ordered registry and calls every frame: draw() for its section of the sidebar
// (or its bar, see dock()), then draw_windows() for floating windows and map clicks, then
// draw_overlay() over the map. menu() adds its commands to the sidebar's menu bar. Its persistent
// state goes to the project file as JSON under "panels"/name() (save_state / load_state).
// Panels keep UI state in members (no function-local statics) and ask the App for anything beyond
// the document through PanelContext's request fields, which the App carries out after the UI.
#include <array>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "nexusmap/crs.hpp"
#include "viewer/display_crs.hpp"
#include "viewer/document.hpp"
#include "viewer/heatmap.hpp"
#include "viewer/jobs.hpp"
#include "viewer/ui_settings.hpp"
#include "viewer/view_transform.hpp"

namespace nexusmap::viewer {

// Hover read-out (the status bar shows it; the App fills it each frame).
struct Hover {
    bool valid = false;
    double x = 0, y = 0, lon = 0, lat = 0;
    double density = 0; // GPU grid, per km^2 (NaN outside)
    double exact = 0;   // geo's exact KDE when computed (NaN otherwise)
    std::string region; // admin name under the cursor, when known
};

// A view to go to: canvas centre (lon/lat), ground size of a pixel, display CRS ("" keeps it).
struct ViewRequest {
    double lon = 0, lat = 0, km_per_px = 1;
    std::string display_crs;
};

// What panels may read and change. Requests (fit, ...) are fields the App acts on after the UI.
struct PanelContext {
    Document& doc;
    Jobs& jobs;
    HeatmapRenderer& heat;
    ViewTransform& view;
    // lon/lat <-> display (forward: lon/lat -> the map as drawn; ViewTransform is in display units)
    // and display <-> analysis (to_analysis / from_analysis); may be null.
    const DisplayChain* lonlat;
    bool request_fit_all = false;
    std::optional<BBox> request_fit;         // zoom to this box (analysis CRS)
    int request_precision = -1;              // Heatmap panel: switch EventSet::precision_mode (App does it)
    std::optional<ViewRequest> request_view; // Bookmarks: go to this view
    const Hover* hover = nullptr;            // this frame's read-out (null outside the frame loop)
    int window_w = 0, window_h = 0;          // window size in screen coordinates
    std::array<float, 4> status_rect{};      // x, y, w, h of the status bar (Dock::Bottom panels)
    float ui_scale = 1;                      // UI scale in effect (fonts and widget sizes)
    bool map_click_taken = false;            // a tool used this frame's click on the map (no picking)
    bool map_drag_taken = false;             // a tool drags on the map: the App does not pan (next frame)
    std::optional<UiSettings> request_ui;    // Display panel: apply this UI scale / theme
};

class Panel {
  public:
    enum class Dock { Sidebar, Bottom, None };
    virtual ~Panel() = default;
    // Stable key: the project file's "panels" member and the menu's labels use it.
    virtual const char* name() const = 0;
    virtual Dock dock() const { return Dock::Sidebar; }
    // Its sidebar section (inside the sidebar window), or its own bar for Dock::Bottom.
    virtual void draw(PanelContext& ctx) = 0;
    // Clicks and drags on the map canvas (map tools), after the sidebar and before any panel's
    // draw_windows, so a tool's click sets map_click_taken before the event picking sees it.
    virtual void map_input(PanelContext&) {}
    // Floating windows and tooltips, after the sidebar (in registry order).
    virtual void draw_windows(PanelContext&) {}
    // Over the map canvas (ImGui's background draw list), after the map furniture.
    virtual void draw_overlay(PanelContext&) {}
    // Its commands as items of the sidebar's menu bar (inside BeginMenu("Tools"/"View")).
    virtual void menu(PanelContext&) {}
    // Persistent state for the project file; null: nothing to save.
    virtual nlohmann::json save_state() const { return nullptr; }
    // Restores what save_state wrote; returns an error message naming the member, or "" when fine.
    virtual std::string load_state(const nlohmann::json&) { return {}; }
};

} // namespace nexusmap::viewer
