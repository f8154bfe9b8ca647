#pragma once
// Analyses in the viewer: hot spots (Gi* on a fishnet, emerging hot spots), spillover across the
// Sahel / coastal border with route corridors, non-overlapping country/admin-1 labels, event
// picking and the hover read-outs that go with them. Heavy work runs on Jobs worker threads; the
// results come back as GL layers (drawn by MapRenderer) plus the numbers the panels chart.
//
// Implemented in analysis_layers.cpp (layers, hover, labels, picking), hotspot_panel.cpp and
// spillover_panel.cpp. AnalysisUi is itself the "labels" panel (panel.hpp: its sidebar section is
// the labels' settings; draw_windows() picks events and shows the hover tooltip; draw_overlay()
// draws labels, legends and markers); the Hot spots, Spillover, Space-time scan and Nexus panels
// (hotspot_panel.hpp, spillover_panel.hpp, scan_panel.hpp) draw its analyses' sections. The App
// calls draw_map() after the heatmap.
#include <array>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "nexusmap/corridors.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/hotspot_pipeline.hpp"
#include "nexusmap/hotspots.hpp"
#include "nexusmap/pipeline/spillover.hpp"
#include "viewer/document.hpp"
#include "viewer/jobs.hpp"
#include "viewer/map_renderer.hpp"
#include "viewer/panel.hpp"
#include "viewer/time_panel.hpp"
#include "viewer/picking.hpp"
#include "viewer/scan_panel.hpp"

namespace nexusmap::viewer {

// Standard hot spot colours, bin -3..+3 (index bin + 3); 0 is transparent.
inline constexpr unsigned char kHotspotRgb[7][3] = {{69, 117, 181}, {132, 158, 186}, {192, 204, 190}, {0, 0, 0},
                                                    {250, 185, 132}, {237, 117, 81},  {214, 47, 39}};
inline const char* const kHotspotLabels[7] = {"Cold spot, 99% confidence", "Cold spot, 95% confidence",
                                              "Cold spot, 90% confidence", "Not significant",
                                              "Hot spot, 90% confidence",  "Hot spot, 95% confidence",
                                              "Hot spot, 99% confidence"};

// Emerging hot spot pattern colours (index = EmergingPattern; 0 unused).
std::array<unsigned char, 3> emerging_color(int pattern);
// LISA class colours (0 ns, 1 HH, 2 LL, 3 LH, 4 HL), GeoDa's as in the files.
std::array<unsigned char, 3> lisa_color(int cls);
// Fill mesh of fishnet cells: one quad per horizontal run of equal class; cells with class < 0
// are left out. The class is the mesh's feature id (the index of its colour).
LayerMesh cells_mesh(const GridSpec& g, const std::vector<int>& cls);
// A GL layer (main thread) with one colour per feature id.
std::unique_ptr<MapLayer> make_gpu_layer(const LayerMesh& mesh, const std::vector<std::array<float, 4>>& colors);

inline constexpr double kPickRadiusPx = 6;

// ImGui's default glyph ranges lack the en dash of geo's segment names ("BFA–TGO").
inline std::string ascii_dash(std::string s) {
    for (size_t k; (k = s.find("\xe2\x80\x93")) != std::string::npos;)
        s.replace(k, 3, "-");
    return s;
}

// Attribute filters UI state (owned by the Time panel) and the functions behind them
// (event_filters.cpp): the filter widgets, and the upload of EventSet::keep to the GPU.
// EventFilterUi is in panels.hpp.
void draw_attribute_filters(EventSet& ev, HeatParams& heat, EventFilterUi& ui);
void sync_event_keep(EventSet& ev);

// What the Hot spots panel edits: geo's parameter structs (hotspot_pipeline.hpp), the same the
// command line fills from its flags; their defaults are geo's. The panel runs fishnet units.
struct HotspotPanelParams {
    pipeline::Analysis mode = pipeline::Analysis::GiStar;
    pipeline::HotspotParams gi;
    pipeline::LisaParams lisa;
    pipeline::EmergingParams em;
    pipeline::UnitParams& units() { return mode == pipeline::Analysis::GiStar ? gi.units : mode == pipeline::Analysis::Lisa ? lisa.units : em.units; }
    const pipeline::UnitParams& units() const { return const_cast<HotspotPanelParams*>(this)->units(); }
    // KEY=VALUE with the command line's flag names (units, cell-km, band-km, band-rule, knn, queen,
    // study-area, study-countries, permutations, seed, fdr, alpha, period, time-window): --hot-param.
    // Applies to every analysis that has the setting; false with `error` set for a bad one.
    bool apply(const std::string& kv, std::string& error);
};

// A finished run: geo's product plus what the map and the panel draw from it.
struct HotspotOutput {
    HotspotPanelParams params;
    std::shared_ptr<const pipeline::Product> product;
    std::vector<int32_t> unit_of_cell; // fishnet cell -> analysis unit, -1 outside the study area
    LayerMesh mesh;
    size_t n_events = 0;
    std::array<size_t, 7> bin_count{};   // Gi*: units per bin -3..3
    std::array<size_t, 5> class_count{}; // LISA: units per class (0 ns, 1 HH, 2 LL, 3 LH, 4 HL)
    std::vector<size_t> pattern_count;   // emerging: units per pattern
    std::vector<double> key;             // the filters it was computed with (hotspot_filter_key)
    double seconds = 0;
    pipeline::Analysis mode() const { return params.mode; }
};
// What a hot spot result depends on in the event set: time window, types, the attribute filters
// (filter_version: countries, actors, fatalities, precision), the table and the weights.
std::vector<double> hotspot_filter_key(const EventSet& ev, WeightMode w);
// The filtered events of the document as geo's EventInputs table (the heatmap's weights), for
// run_hotspots/lisa/emerging; `table` receives the copy the inputs point to.
pipeline::EventInputs hotspot_inputs(const EventSet& ev, WeightMode w, EventTable& table);
// Runs the panel's analysis on those events (worker thread).
pipeline::Product run_hotspot_panel(const HotspotPanelParams& p, const pipeline::EventInputs& in, Progress progress);

// The Spillover panel's parameters: geo's structs (the command line's defaults and validation),
// with the text fields being edited; parsed into the structs when a run starts.
struct SpilloverUiParams {
    pipeline::SpilloverRun spill;
    pipeline::CorridorRun corridors; // its period follows the spillover's
    char sahel[64] = {}, coastal[64] = {}, bands[96] = {};
    SpilloverUiParams() { to_text(); }
    void to_text();   // structs -> text fields
    void from_text(); // text fields -> structs; throws GeoError on a bad list
    // KEY=VALUE of `nexusmap view --spill-param` (spillover keys) or --corridor-param (corridor keys).
    void set_spill(const std::string& kv) { spill.set(kv), to_text(); }
    void set_corridor(const std::string& kv) { corridors.set(kv); }
};

struct SpilloverOutput {
    SpilloverResult sp;
    CorridorResult cor;
    bool have_corridors = false;
    // The products as `nexusmap spillover` / `nexusmap corridors` write them (pipeline/spillover.hpp).
    pipeline::FolderProduct spill_product, cor_product;
    LayerMesh border_mesh, bands_mesh;
    VectorLayer border_layer, bands_layer;
    double seconds = 0;
};

// Significant Gi* units (bin != 0) of a Gi* result as polygons with z, p, bin and value, in the
// analysis CRS; empty for other results. For the GeoJSON export and the print map.
VectorLayer hotspot_cells_layer(const HotspotOutput& h);

class AnalysisUi : public Panel {
  public:
    AnalysisUi();
    ~AnalysisUi() override;
    const char* name() const override { return "labels"; }
    // Sidebar section: the labels' settings (and a note when analysis layers are not drawn).
    void draw(PanelContext& ctx) override;
    // Floating windows (spillover charts, picked event) and the hover tooltip; after the sidebar.
    void draw_windows(PanelContext& ctx) override;
    // GL layers; call after the heatmap so hot spot cells and the border read on top.
    // Hot spot cells, border and bands are meshed in the analysis CRS and drawn only while the
    // display CRS is the analysis CRS (set_display tells which; see docs/viewer.md).
    void draw_map(MapRenderer& map, const ViewTransform& view);
    void set_display(const DisplayChain* chain, int gen) {
        display_identity_ = !chain || chain->identity();
        (void)gen;
    }
    bool display_identity_ = true;
    // Labels, hot spot legend, picked-event marker (background draw list, over the map).
    void draw_overlay(PanelContext& ctx) override;

    void start_hotspots(PanelContext& ctx);
    void start_spillover(PanelContext& ctx);
    // Writes the spillover (corridors: the corridors) product into `dir` as the command line does;
    // throws before any work when there is no result or an output is refused.
    Job& start_folder_export(PanelContext& ctx, const std::string& dir, bool corridors, bool overwrite,
                             const std::string& option);
    bool busy() const { return hot_job_ || spill_job_ || scan_nexus.busy(); }
    bool has_hotspots() const { return bool(hot_); }
    // The Gi* cells are on the map (a Gi* result, its "show" box ticked): the print map draws them.
    bool hotspots_shown() const { return hot_ && show_hot_ && hot_->mode() == pipeline::Analysis::GiStar; }
    bool has_spillover() const { return bool(spill_); }
    // Results for the GeoJSON export (null when not computed).
    const HotspotOutput* hotspots() const { return hot_.get(); }
    const SpilloverOutput* spillover() const { return spill_.get(); }
    // A run was asked for (it may have failed or been refused): screenshot mode stops waiting.
    bool hotspots_attempted() const { return hot_attempted_; }
    bool spillover_attempted() const { return spill_attempted_; }
    // Screenshot mode: summary lines (hotspot counts, spillover front velocity, legend box).
    void print(std::ostream& out, double fb_scale) const;

    HotspotPanelParams hot_params;
    ScanNexusUi scan_nexus; // Space-time scan and Nexus test panels (scan_panel.hpp)
    SpilloverUiParams spill_params;
    bool show_labels = true, show_admin1_labels = true;
    bool show_hover = true; // tooltip under the cursor (off in screenshot mode: the pointer is arbitrary)
    bool hot_attempted_ = false, spill_attempted_ = false;
    bool open_hotspots_ = false, open_spillover_ = false; // panels start open (screenshot flags)

  private:
    friend class HotspotPanel;
    friend class SpilloverPanel;
    void draw_hotspot_panel(PanelContext& ctx);
    void draw_spillover_panel(PanelContext& ctx);
    void draw_spillover_window(PanelContext& ctx);
    void draw_event_window(PanelContext& ctx);
    void draw_labels(PanelContext& ctx);
    void draw_hotspot_legend(PanelContext& ctx);
    void draw_hover(PanelContext& ctx);
    void handle_click(PanelContext& ctx);
    void ensure_label_cache(PanelContext& ctx);
    void ensure_pick_grid(PanelContext& ctx);

    // Hot spots
    std::unique_ptr<HotspotOutput> hot_;
    std::unique_ptr<MapLayer> hot_layer_;
    bool show_hot_ = true, hide_heat_ = true;
    float hot_opacity_ = 0.85f;
    Job* hot_job_ = nullptr;
    std::string hot_error_;

    // Spillover
    std::unique_ptr<SpilloverOutput> spill_;
    std::unique_ptr<MapLayer> border_layer_, bands_layer_;
    bool show_border_ = true, show_bands_ = true, show_spill_window_ = true;
    Job* spill_job_ = nullptr;
    std::string spill_error_;
    char spill_dir_[256] = "spillover", cor_dir_[256] = "corridors"; // folder exports
    Job* folder_job_ = nullptr;
    std::string folder_status_;
    int leadlag_segment_ = 0, route_ = 0;

    // Labels: per layer (by pointer) anchor and area of each feature
    struct LabelCache {
        const void* layer = nullptr;
        int kind = 0; // 0 country, 1 admin-1
        std::vector<double> x, y, area;
        std::vector<std::string> text;
    };
    std::vector<LabelCache> labels_;
    size_t labels_for_layers_ = size_t(-1);
    size_t last_labels_placed_ = 0, last_labels_candidates_ = 0;

    // Picking
    const void* pick_table_ = nullptr;
    size_t pick_size_ = 0;
    PointGrid pick_grid_;
    long picked_ = -1;
    bool show_event_window_ = false;
    std::optional<std::array<float, 4>> hot_legend_, spill_window_;
};

} // namespace nexusmap::viewer
