#pragma once
// The ImGui panels. Each class is implemented in its own file and keeps its UI state in members
// (no function-local statics), so two viewers in one process would not share state.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/density.hpp"
#include "viewer/display_crs.hpp"
#include "viewer/document.hpp"
#include "viewer/heatmap.hpp"
#include "viewer/jobs.hpp"
#include "viewer/ui_logic.hpp"
#include "viewer/view_transform.hpp"

namespace nexusmap::viewer {
struct EventFilterUi {
    char query[64] = "";
    const void* actors_for = nullptr;
    std::vector<std::pair<std::string, size_t>> actors; // distinct actors with counts
};
} // namespace nexusmap::viewer

struct ImVec2;
struct ImDrawList;

namespace nexusmap::viewer {

// What panels may read and change. Requests (fit, ...) are flags the app acts on after the UI.
struct PanelContext {
    Document& doc;
    Jobs& jobs;
    HeatmapRenderer& heat;
    ViewTransform& view;
    // lon/lat <-> display (forward: lon/lat -> the map as drawn; ViewTransform is in display units)
    // and display <-> analysis (to_analysis / from_analysis); may be null.
    const DisplayChain* lonlat;
    bool request_fit_all = false;
    std::optional<BBox> request_fit; // zoom to this box
    int request_precision = -1;      // Heatmap panel: switch EventSet::precision_mode (App does it)
};

// Layer list: visibility, opacity, colours, widths, categorical colours with legend.
class LayersPanel {
  public:
    void draw(PanelContext& ctx);

  private:
    int selected_ = 0;
};

// geo's exact KDE with the viewer's heat settings: the events passing the filters (copied, so a
// worker never touches the document), their weights and KdeParams on `grid`. Shared by the Heatmap
// panel's comparison, the GeoTIFF export and the print map (heatmap_panel.cpp).
struct ExactKdeInput {
    std::shared_ptr<std::vector<double>> xs, ys;
    std::shared_ptr<std::vector<float>> ws; // empty: every event counts 1
    KdeParams params;
    GridSpec grid;
    KdeResult run(const Crs& crs, Progress& progress) const;
};
ExactKdeInput exact_kde_input(const EventSet& ev, const HeatParams& p, const GridSpec& grid);
// What an exact raster depends on (kernel, bandwidth, weights, window, types, filters).
std::vector<double> exact_kde_key(const EventSet& ev, const HeatParams& p);

// Kernel, bandwidth, ramp, scale, range, opacity, threshold; exact KDE (geo) for comparison.
class HeatmapPanel {
  public:
    void draw(PanelContext& ctx);
    // Exact density from geo's kernel_density() on the same grid, for the hover read-out.
    std::optional<Raster> exact;
    std::string exact_summary;
    // The comparison: GPU values read back from the heat texture (glGetTexImage) vs geo's exact
    // raster, over `exact_cells` cells (0 when the grids did not match).
    size_t exact_cells = 0;
    double exact_max = 0, exact_gpu_max = 0, exact_max_diff = 0;
    // Starts geo's exact KDE on the GPU grid with the current parameters and filters.
    void start_exact(PanelContext& ctx);
    // `exact` when it was computed with the current parameters and filters on `grid`; else null.
    const Raster* current_exact(const Document& doc, const GridSpec& grid) const;

  private:
    NumericEdit bandwidth_edit_; // the typed bandwidth (ui_logic.hpp)
    Job* exact_job_ = nullptr;
    std::vector<double> exact_key_; // the parameters `exact` was computed with
};

// Time window slider, play button, event-type filter, events-per-month chart.
class TimePanel {
  public:
    void draw(PanelContext& ctx);
    bool playing() const { return playing_; }

  private:
    bool playing_ = false;
    float seconds_per_step_ = 0.6f;
    std::chrono::steady_clock::time_point last_step_{};
    std::vector<float> chart_;      // events per month under the current type filter
    std::vector<double> chart_key_; // what chart_ was computed for
    EventFilterUi filters_;         // countries, actors, min fatalities, weights (event_filters.cpp)
};

// Hover read-out and job progress along the bottom of the map.
struct Hover {
    bool valid = false;
    double x = 0, y = 0, lon = 0, lat = 0;
    double density = 0; // GPU grid, per km^2 (NaN outside)
    double exact = 0;   // geo's exact KDE when computed (NaN otherwise)
    std::string region; // admin name under the cursor, when known
};
class StatusBar {
  public:
    void draw(PanelContext& ctx, const Hover& hover, float x, float y, float w, float h);
};

// Scale bar, north arrow, attribution, SYNTHETIC mark and heatmap legend over the map canvas.
class MapOverlay {
  public:
    // Draws into ImGui's background list, or into `target` (the offscreen PNG export).
    void draw(PanelContext& ctx, ImDrawList* target = nullptr);
    // Colour bar of the legend, window pixels (x0, y0, x1, y1); empty when no legend is shown.
    std::optional<std::array<float, 4>> legend_bar;
};

} // namespace nexusmap::viewer
