#pragma once
// `nexusmap map`'s flags: declared once, checked, and turned into the page (flag mapping only; the
// map is assembled from geo's basemap/density/map_render modules in cmd_map.cpp).
#include <CLI/CLI.hpp>
#include <cmath>
#include <optional>
#include <string>

#include "cli/density_job.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/spillover.hpp" // PeriodUnit
#include "nexusmap/style.hpp"

namespace nexusmap::cli {

struct MapArgs {
    DensityArgs d;
    std::string out, raster, hotspots, hot_field = "bin", by;
    std::string ramp = "viridis", scale = "linear";
    double vmin = std::nan(""), vmax = std::nan(""), opacity = 0.85, min_t = 0.02;
    std::string title, subtitle;
    int width = 0, height = 0;
    double dpi = 0;
    std::string page = "A4";
    bool landscape = false, portrait = false;
    std::string bbox, basemap, routes, write_raster;
    std::string places;
    bool no_labels = false;
    bool events_points = false, no_admin1 = false, no_routes = false, demo_routes = false, no_inset = false, force = false;
    std::string study = "MLI,BFA,NER,CIV,GHA,TGO,BEN";
    int columns = 0;
    void add_to(CLI::App* cmd);
    // Numeric flags given must make sense (0 or NaN used to fall back silently).
    void check_numbers(const CLI::App& cmd) const;
    // Everything checkable before any work: numbers, the output format, ramp, scale and which
    // inputs go together. Returns the format, ramp and scale; `by` gets the --period unit.
    struct Checked {
        ImageFormat format;
        style::Ramp ramp;
        style::Scale scale;
        std::optional<PeriodUnit> by;
    };
    Checked check(const CLI::App& cmd) const;
};

// The page: --width/--height pixels, or --page paper at --dpi (PNG) / 72 (vector), landscape unless --portrait.
PageSetup page_for(const MapArgs& a, ImageFormat f);
// "wrote PATH  legend linear 0..1.2 events/km2  scalebar 200 km" (no "wrote" for an empty path).
void print_map_result(const std::string& path, const MapRenderResult& r);
// `base.ext` -> `base_<suffix>.ext`
std::string with_suffix(const std::string& path, const std::string& suffix, const std::string& ext = "");

} // namespace nexusmap::cli
