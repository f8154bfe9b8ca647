#pragma once
// Command line of `nexusmap view`: declared once with CLI11 (options.cpp), like every command of the
// command line. GL-free (nexusmap_viewer_core; tested without a display).
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace nexusmap::viewer {

struct ViewerOptions {
    bool demo = false; // --demo / --synthetic: the SYNTHETIC planted-drift demo (events + illustrative routes)
    int precision_mode = 0; // --precision points|precise|spread (Heatmap panel's location precision)
    bool no_basemap = false; // --no-basemap: event tables alone get no bundled basemap under them
    bool real = false; // --real, or no file given: the bundled real UCDP GED events and the basemap, no routes
    std::vector<std::string> files;
    int width = 1600, height = 1000;
    // Screenshot mode: wait for loading, render `frames` frames, save PNG, exit.
    std::string screenshot;
    std::string max_memory; // --max-memory SIZE (issue #19), applied by viewer::run
    int frames = 5;
    std::vector<std::pair<double, double>> probes; // lon/lat whose pixel positions are printed
    bool compare_exact = false; // with --screenshot: also run geo's exact KDE and print the difference
    bool show_exact = false;    // --show-exact: like --compare-exact, then draw the exact raster
    std::string window;         // initial time window "YYYY-MM,MONTHS" (empty: all dates)
    std::optional<std::array<double, 3>> view; // initial centre lon, lat and km per pixel
    // Initial heatmap settings (also handy for reproducible screenshots).
    std::string kernel = "quartic", ramp = "YlOrRd";
    double bandwidth_km = 50;
    std::string display_crs; // "equal-area" (default when empty), "mercator" or "lonlat"
    // Hidden helper for tests: print the RGB of pixels of a PNG and exit.
    std::string probe_png;
    std::vector<std::pair<int, int>> probe_px;
    std::vector<std::string> probe_png_args; // as given: FILE X Y [X Y ...]
    bool help = false;
    std::string error; // non-empty: bad command line
    // Analyses to run once loading finishes (screenshot mode waits for them; see analysis_layers.hpp).
    bool run_hotspots = false, run_emerging = false, run_lisa = false, run_spillover = false;
    // --hot-param KEY=VALUE (repeatable): Hot spots panel settings named as the CLI's flags.
    std::vector<std::string> hot_settings;
    std::string export_hotspots; // stem: the hot spot result as `nexusmap hotspots|lisa|emerging --out STEM`
    // --scan / --nexus: run them once loaded; --scan-param / --nexus-param KEY=VALUE (repeatable,
    // the CLI's flag names without "--") set their parameters (scan_panel.hpp).
    bool run_scan = false, run_nexus = false;
    std::vector<std::string> scan_settings, nexus_settings;
    // --spill-param / --corridor-param KEY=VALUE (repeatable): the Spillover panel's settings, named
    // as `nexusmap spillover` / `corridors` flags (geo's SpilloverRun::set / CorridorRun::set).
    std::vector<std::string> spill_settings, corridor_settings;
    std::string export_spillover, export_corridors; // folders, as `nexusmap spillover|corridors -o DIR`
    // Contours of the density export (as `nexusmap contours DENSITY.tif -o FILE`) and events per
    // polygon (as `nexusmap zonal -o FILE`), with their settings as KEY=VALUE.
    std::string export_contours, export_zonal;
    std::vector<std::string> contour_settings, zonal_settings;
    // Batch exports (after loading, like --screenshot; any of them runs the viewer in batch mode).
    std::string export_png;     // the map (layers, heatmap, legend, furniture) rendered offscreen
    int export_scale = 1;       // 1..4 times the window size
    std::string export_tif;     // the density pipeline with the current parameters, GeoTIFF
    double export_tif_cell_km = 0; // > 0: that cell over the events' padded extent (else the heat grid)
    std::string export_geojson; // folder: every layer (and the filtered events) as GeoJSON
    std::string save_project;   // the session as a JSON project
    bool force = false;         // batch outputs may replace existing files (never an input)
    // Print map (geo's render_map_file, as `nexusmap map`): PNG, PDF or SVG by the extension.
    std::string export_map;
    std::string export_map_page = "A4"; // A4 | A3 | letter (landscape)
    int export_map_dpi = 150;           // PNG only
    std::string export_timelapse;       // .gif/.mp4/.webm (App::start_print_map with a period)
    std::string timelapse_period = "year";
    // Where the heat is computed: "gpu" (splat every event's kernel), "cpu" (geo's KDE on a
    // worker, uploaded), or "auto": cpu on a software OpenGL (llvmpipe, ...) from 100k events.
    std::string heat_backend = "auto";
    // --bench-frames N: once loaded, time N frames and a series of bandwidth changes, print them.
    int bench_frames = 0;
    // UI (display_panel.hpp): scale (0: the monitor's content scale) and theme.
    double ui_scale = 0;
    std::string theme = "dark";
    // Analyst tools, scripted (screenshots and tests): the measuring line's vertices, the
    // graticule, an area / route drawn, the attribute table of a layer and the feature selected at
    // a point, and the last drawn sketch saved as GeoJSON (batch).
    std::string measure, draw_area, draw_route; // "LON,LAT;LON,LAT;..."
    bool graticule = false;
    std::string attribute_table; // layer title or name
    std::optional<std::array<double, 2>> select_at;
    std::string save_sketch;
    bool batch() const {
        return !screenshot.empty() || !export_png.empty() || !export_tif.empty() || !export_geojson.empty() ||
               !export_hotspots.empty() || !export_spillover.empty() || !export_corridors.empty() ||
               !export_contours.empty() || !export_zonal.empty() ||
               !save_project.empty() || !export_map.empty() || !export_timelapse.empty() ||
               bench_frames > 0 || !save_sketch.empty();
    }
};

// Declares the viewer's flags on `view` (they fill `o`; o must outlive the parse).
void add_view_options(CLI::App& view, ViewerOptions& o);
// The generated --help of `nexusmap view`.
std::string viewer_usage();
// argv[0] is the program; an optional leading "view" is skipped. Errors go to ViewerOptions::error,
// --help to ::help; no file and no --demo means the bundled real data (window 2012-2023).
ViewerOptions parse_viewer_args(int argc, char** argv);

} // namespace nexusmap::viewer
