#pragma once
// The viewer application: document, background jobs, renderers, panels and the per-frame logic.
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "nexusmap/crs.hpp"
#include "viewer/document.hpp"
#include "viewer/heatmap.hpp"
#include "viewer/jobs.hpp"
#include "viewer/map_renderer.hpp"
#include "viewer/options.hpp"
#include "viewer/panels.hpp"
#include "viewer/view_transform.hpp"

struct GLFWwindow;

namespace nexusmap::viewer {

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
    // Screenshot mode: pixel positions (framebuffer pixels, y down) of lon/lat probes and the legend.
    void print_probes(std::ostream& out, double fb_scale) const;

  private:
    void load_vector(const std::string& path);
    void load_events(const std::string& path);
    void add_layer(std::unique_ptr<MapLayer> layer);
    void handle_input();
    void update_hover();
    void draw_ui();
    void draw_map(int fb_w, int fb_h, double fb_scale);
    void fit_all();

    GLFWwindow* window_;
    ViewerOptions opt_;
    Document doc_;
    Jobs jobs_;
    MapRenderer map_;
    HeatmapRenderer heat_;
    ViewTransform view_;
    std::unique_ptr<Transformer> lonlat_; // wgs84 -> analysis, created on the main thread
    bool loads_started_ = false;
    bool user_moved_ = false; // stop auto-fitting once the user navigates
    bool dragging_ = false;
    bool exact_started_ = false; // --compare-exact
    Hover hover_;
    float sidebar_w_ = 370, status_h_ = 26;

    LayersPanel layers_panel_;
    HeatmapPanel heatmap_panel_;
    TimePanel time_panel_;
    StatusBar status_bar_;
    MapOverlay overlay_;
};

} // namespace nexusmap::viewer
