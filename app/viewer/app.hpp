#pragma once
// The viewer application: document, background jobs, renderers, panels and the per-frame logic.
#include <array>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/spillover.hpp" // PeriodUnit
#include "viewer/analysis_layers.hpp"
#include "viewer/display_crs.hpp"
#include "viewer/document.hpp"
#include "viewer/export_panel.hpp"
#include "viewer/heatmap.hpp"
#include "viewer/input_queue.hpp"
#include "viewer/ui_logic.hpp"
#include "viewer/jobs.hpp"
#include "viewer/map_cache.hpp"
#include "viewer/map_renderer.hpp"
#include "viewer/options.hpp"
#include "viewer/attribute_table_panel.hpp"
#include "viewer/bookmarks_panel.hpp"
#include "viewer/display_panel.hpp"
#include "viewer/edits.hpp"
#include "viewer/graticule_panel.hpp"
#include "viewer/hotspot_panel.hpp"
#include "viewer/measure_panel.hpp"
#include "viewer/panels.hpp"
#include "viewer/sketch_panel.hpp"
#include "viewer/spillover_panel.hpp"
#include "viewer/project.hpp"
#include "viewer/view_transform.hpp"

struct GLFWwindow;

namespace nexusmap::viewer {

// The bundled data folder (NEXUSMAP_DATA_DIR, else the source tree's data/).
std::string data_dir();


class App {
  public:
    App(GLFWwindow* window, const ViewerOptions& opt);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Starts the loader jobs for the demo or the given files.
    void start_loading();
    // One frame: poll jobs, handle input, build the UI, draw the map and the UI (no swap).
    void frame();
    // Something changes on its own (loading, playing): the loop should not sleep.
    bool animating() const;
    // Loading finished and the heatmap (if any) is computed: a screenshot would be complete.
    bool ready() const;
    bool had_errors() const;
    std::vector<std::string> error_messages() const; // failed jobs' messages (file and reason)
    // Screenshot mode: pixel positions (framebuffer pixels, y down) of lon/lat probes and the legend.
    void print_probes(std::ostream& out, double fb_scale) const;

    // Files, exports and projects (export_panel.cpp, project.cpp).
    // Opens a .csv event table, a JSON project (by its "nexusmap_project" marker) or a vector source.
    void open_file(const std::string& path);
    // Renders the map (layers, heatmap, overlay) offscreen at `scale` x the window; returns its size.
    std::array<int, 2> export_png(const std::string& path, int scale);
    // geo's exact KDE with the current kernel/bandwidth/weights/filters on a worker, then GeoTIFF.
    // path "" with `contours`: the contours only. Contour settings: --contour-param.
    Job& start_export_tif(const std::string& path, double cell_km = 0, const std::string& contours = "");
    Job& start_export_zonal(const std::string& path);
    // Every layer and the filtered events as GeoJSON files in `dir`, on a worker.
    Job& start_export_geojson(const std::string& dir);
    // The Hot spots result through geo's product writer (STEM_gistar.tif, ...); throws before any work.
    Job& start_export_hotspots(const std::string& stem);
    // Print map (print_map.cpp): the current view, visible layers, heat (geo's exact KDE with the
    // viewer's kernel/bandwidth/grid/filters, drawn with its ramp/scale/range), hot spots and events
    // when shown, rendered by geo's render_map_file (PNG/PDF/SVG by extension) on a worker.
    // With `timelapse`: an animated GIF (or MP4/WebM with ffmpeg) of the heat by that period, on one
    // fixed scale (geo write_animation), with the same layers, labels, heat settings and filters;
    // the time window, when on, is the run of periods.
    Job& start_print_map(const std::string& path, const std::string& paper = "A4", int dpi = 150,
                         bool landscape = true, std::optional<PeriodUnit> timelapse = std::nullopt);
    // The last print's result (legend range, page size), set when its job finishes.
    const std::optional<MapRenderResult>& last_print() const { return last_print_; }
    void save_project(const std::string& path) const; // throws on I/O errors
    Project current_project() const;
    // Batch mode, once ready(): the --export-* and --save-project outputs. False when one failed.
    bool run_batch_exports(std::ostream& out);
    // --save-sketch: the last drawn area or route as GeoJSON (app_tools.cpp). False when it failed.
    bool save_sketch_batch(std::ostream& out);
    // For --bench-frames (frame_bench.cpp): the heat parameters the next frame uses, the splat, and
    // the number of events loaded.
    HeatParams& heat_params() { return doc_.heat; }
    const HeatmapRenderer& heatmap() const { return heat_; }
    size_t event_count() const { return doc_.events ? doc_.events->table.size() : 0; }

  private:
    void load_vector(const std::string& path);
    void load_events(const std::string& path);
    // Heatmap panel's location-precision control: 0 all at points, 1 precise only, 2 spread.
    void set_event_precision(int mode);
    void add_layer(std::unique_ptr<MapLayer> layer);
    void handle_input();
    void update_hover();
    void draw_ui();
    void draw_map(int fb_w, int fb_h, double fb_scale);
    // draw_map in the cache's levels (map_cache.hpp): layers; event points; heat and analysis layers.
    void draw_map_layers(int fb_w, int fb_h, double fb_scale);
    void draw_map_over(int fb_w, int fb_h, double fb_scale); // events, heat and analysis
    void draw_map_events(int fb_w, int fb_h, double fb_scale);
    void draw_map_heat(int fb_w, int fb_h, double fb_scale);
    // The window's map through the cache: copied, transformed while the user moves the view, or
    // redrawn (only the level that changed). `interacted`: panels or jobs may have changed the map.
    void draw_map_cached(int fb_w, int fb_h, double fb_scale, bool interacted);
    uint64_t map_layers_key() const;
    uint64_t map_events_key() const;
    uint64_t map_heat_key() const;
    MapCache map_cache_;
    uint64_t map_gen_ = 0;      // bumped whenever something not in the keys may have changed the map
    double view_input_t_ = -1; // glfwGetTime() of the last pan/zoom by the user
    void fit_all();
    void fit_default(); // the events' extent when there are events (first view), else fit_all

    GLFWwindow* window_;
    ViewerOptions opt_;
    Document doc_;
    Jobs jobs_;
    MapRenderer map_;
    HeatmapRenderer heat_;
    ViewTransform view_;
    // lon/lat <-> display <-> analysis, created on the main thread (PROJ reads its database then).
    std::unique_ptr<DisplayChain> lonlat_;
    std::unique_ptr<DisplayChain> retired_chain_; // the previous one, alive until the next frame
    int display_gen_ = 0;                         // bumped by every display CRS change
    std::optional<DisplayKind> requested_display_; // from the combo, applied after the UI
    bool precision_started_ = false;               // --precision applied once the events loaded
    bool display_rebuild_pending_ = false;         // a load finished for an older display
  public:
    // Switches the display CRS keeping the canvas centre and the ground scale; re-projects and
    // re-triangulates every layer and the event points on a worker, then re-uploads.
    void set_display(DisplayKind k);
    DisplayKind display() const { return lonlat_->kind(); }

  private:
    void start_display_rebuild();
    BBox to_display(const BBox& analysis_box) const; // densified boundary through the chain
    bool loads_started_ = false;
    bool user_moved_ = false; // stop auto-fitting once the user navigates
    bool dragging_ = false;
    DragPan drag_; // input_queue.hpp
    std::vector<StableHeight> stable_; // sidebar sections, one per panel (ui_logic.hpp)
    bool exact_started_ = false; // --compare-exact
    Hover hover_;
    float sidebar_w_ = 370, status_h_ = 26;

    LayersPanel layers_panel_;
    HeatmapPanel heatmap_panel_;
    TimePanel time_panel_;
    StatusBar status_bar_;
    MapOverlay overlay_;
    // Files, exports and projects (export_panel.cpp, project.cpp).
    void pre_frame(); // drag and drop, a project waiting for its loads, a requested PNG export
    void handle_export_request(); // the Files panel's request of this frame
    void open_project(const std::string& path);
    void apply_pending_project();
    ExportPanel export_panel_;
    std::optional<Project> pending_project_; // applied once its files have loaded
    // Entries of the opened project whose files did not load: kept (at their index) when the
    // project is saved again, so a re-save never loses what it could not show.
    std::vector<std::pair<size_t, ProjectLayer>> unloaded_layers_;
    std::optional<ProjectEvents> unloaded_events_;
    bool open_failed_ = false; // a project or file could not be opened (batch mode exits 1)
    std::optional<ExportRequest> pending_png_;
    std::optional<MapRenderResult> last_print_;
    std::vector<std::string> dropped_; // from GLFW's drop callback
    bool drop_installed_ = false;
    AnalysisUi analysis_;         // hot spots, spillover, labels, picking (analysis_layers.hpp)
    bool analyses_started_ = false; // --hotspots / --emerging / --spillover / --scan / --nexus
    void start_scan_nexus(PanelContext& ctx); // --scan / --nexus with their --*-param settings
    // CPU heat backend (HeatmapRenderer::set_cpu_backend): geo's KDE on a worker.
    bool use_cpu_heat() const;
    void start_cpu_heat();
    // The heat range (heat_range.cpp): the view for "fit to view", and the fixed maximum over all
    // time-window positions, recomputed on a worker when the filters, kernel or window change.
    void update_heat_range();
    std::vector<double> fixed_range_key_;
    Job* fixed_range_job_ = nullptr; // may be gone from jobs_ (check with jobs_.all())
    bool software_gl_ = false;       // GL_RENDERER is a software rasteriser
    static constexpr size_t kSoftwarePointLimit = 200'000; // points drawn by default on one
    uint64_t cpu_heat_gen_ = 0;      // the generation the running/last job computes
    Job* cpu_heat_job_ = nullptr;    // may be gone from jobs_ (check with jobs_.all())
  public:
    bool heat_on_cpu() const { return heat_.cpu_backend(); }

  private:
    // Panels (panel.hpp), drawn in this order; the analyses' panels edit analysis_'s state.
    HotspotPanel hotspot_panel_{analysis_};
    SpilloverPanel spillover_panel_{analysis_};
    ScanPanel scan_panel_{analysis_.scan_nexus};
    NexusPanel nexus_panel_{analysis_.scan_nexus};
    // Analyst tools (issue #14): their undoable edits are shared.
    Edits edits_;
    MeasurePanel measure_panel_{edits_};
    GraticulePanel graticule_panel_;
    AttributeTablePanel table_panel_{edits_};
    BookmarksPanel bookmarks_panel_{edits_};
    SketchPanel sketch_panel_{edits_};
    DisplayPanel display_panel_;
    std::vector<Panel*> panels_;
    PanelContext panel_context(); // for this frame (requests empty)
    void apply_requests(PanelContext& ctx); // what the panels asked for, after the UI
    void go_to_view(const ViewRequest& v);
    // UI scale and theme (display_panel.hpp); `initial`: before the first frame, so the font is
    // rebuilt at the new size rather than scaled.
    void apply_ui(const UiSettings& s, bool initial = false);
    float ui_scale_ = 1, font_scale_ = 1; // in effect; the font atlas's
    bool map_drag_held_ = false;          // a tool dragged on the map last frame: no panning
    void start_tools(); // --measure, --draw-*, --attribute-table, --select-at once loaded (app_tools.cpp)
    bool tools_started_ = false;
    void print_tools(std::ostream& out) const; // screenshot mode: measure, graticule, table, UI
};

} // namespace nexusmap::viewer
