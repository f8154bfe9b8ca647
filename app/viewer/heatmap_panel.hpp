#pragma once
// Heatmap panel: kernel, bandwidth, ramp, scale, range, opacity, threshold; exact KDE (geo) for
// comparison. Also the exact-KDE input shared by the GeoTIFF export and the print map.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/density.hpp"
#include "viewer/panel.hpp"
#include "viewer/ui_logic.hpp"

namespace nexusmap::viewer {

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

class HeatmapPanel : public Panel {
  public:
    const char* name() const override { return "heatmap"; }
    void draw(PanelContext& ctx) override;
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

} // namespace nexusmap::viewer
