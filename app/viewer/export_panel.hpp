#pragma once
// "Files, export and project" panel: open files (browser; drag and drop goes to the same place),
// export the map as PNG (offscreen, 1-4x the window), a print map (PNG/PDF/SVG by geo's map
// renderer, as `nexusmap map`, on a worker), the density as GeoTIFF (geo's exact KDE on a worker),
// the layers as GeoJSON, and save/open the session as a JSON project. Writing over an existing
// file asks first. The panel only collects requests; the App carries them out (export_panel.cpp,
// print_map.cpp, project.cpp).
#include <optional>
#include <string>
#include <utility>

#include "viewer/file_dialog.hpp"
#include "viewer/jobs.hpp"
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

struct ExportRequest {
    enum class Kind { None, Open, Png, Tif, GeoJson, SaveProject, PrintMap, Timelapse };
    Kind kind = Kind::None;
    std::string path;
    int scale = 1;
    double cell_km = 0; // GeoTIFF cell; 0 = the heat grid's cell
    // Print map: paper (A4, A3, letter), orientation, PNG resolution.
    std::string paper = "A4";
    bool landscape = true;
    int dpi = 150;
    int period = 0; // time-lapse: 0 month, 1 quarter, 2 year
};

class ExportPanel : public Panel {
  public:
    const char* name() const override { return "export"; }
    // Draws the panel (and its file dialog); what the user asked for waits in take_request().
    void draw(PanelContext& ctx) override { request_ = draw_request(ctx, ctx.window_w, ctx.window_h); }
    ExportRequest take_request() { return std::exchange(request_, ExportRequest{}); }
    // Last result line ("saved ...", or an error in red).
    void set_status(std::string text, bool error) {
        status_ = std::move(text);
        status_error_ = error;
    }
    Job* tif_job = nullptr;
    Job* geojson_job = nullptr;
    Job* print_job = nullptr;
    Job* timelapse_job = nullptr;

  private:
    ExportRequest draw_request(PanelContext& ctx, int window_w, int window_h);
    ExportRequest request_;
    FileDialog dialog_;
    char png_[512] = "nexusmap_map.png";
    char tif_[512] = "nexusmap_density.tif";
    char geojson_dir_[512] = "nexusmap_layers";
    char project_[512] = "nexusmap_project.json";
    char print_[512] = "nexusmap_print.pdf";
    char timelapse_[512] = "nexusmap_timelapse.gif";
    int timelapse_period_ = 0;
    int scale_ = 2;
    float cell_km_ = 0;
    int paper_ = 0; // A4, A3, letter
    bool landscape_ = true;
    int dpi_ = 150;
    // A request whose file exists, waiting for "Overwrite" (or "Cancel").
    std::optional<ExportRequest> confirm_;
    std::string status_;
    bool status_error_ = false;
};

} // namespace nexusmap::viewer
