#pragma once
// Command line of `nexusmap view`. Pure logic (tested without a display).
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nexusmap/resources.hpp"

namespace nexusmap::viewer {

struct ViewerOptions {
    bool demo = false; // --demo / --synthetic: the SYNTHETIC planted-drift demo (events + illustrative routes)
    int precision_mode = 0; // --precision points|precise|spread (Heatmap panel's location precision)
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
    // Batch exports (after loading, like --screenshot; any of them runs the viewer in batch mode).
    std::string export_png;     // the map (layers, heatmap, legend, furniture) rendered offscreen
    int export_scale = 1;       // 1..4 times the window size
    std::string export_tif;     // geo's exact KDE with the current parameters, GeoTIFF
    std::string export_geojson; // folder: every layer (and the filtered events) as GeoJSON
    std::string save_project;   // the session as a JSON project
    bool force = false;         // batch outputs may replace existing files (never an input)
    // Print map (geo's render_map_file, as `nexusmap map`): PNG, PDF or SVG by the extension.
    std::string export_map;
    std::string export_map_page = "A4"; // A4 | A3 | letter (landscape)
    int export_map_dpi = 150;           // PNG only
    // Where the heat is computed: "gpu" (splat every event's kernel), "cpu" (geo's KDE on a
    // worker, uploaded), or "auto": cpu on a software OpenGL (llvmpipe, ...) from 100k events.
    std::string heat_backend = "auto";
    // --bench-frames N: once loaded, time N frames and a series of bandwidth changes, print them.
    int bench_frames = 0;
    bool batch() const {
        return !screenshot.empty() || !export_png.empty() || !export_tif.empty() || !export_geojson.empty() ||
               !export_hotspots.empty() ||
               !save_project.empty() || !export_map.empty() || bench_frames > 0;
    }
};

inline const char* viewer_usage() {
    return "usage: nexusmap [view] [--real | --demo] [FILES...] [options]\n"
           "  FILES               .csv event tables (ACLED, UCDP GED, generic) and vector layers (GeoPackage,\n"
           "                      GeoJSON, ...)\n"
           "  --real              the bundled real data: UCDP GED 24.1 events (BEN BFA CIV MLI NER TGO,\n"
           "                      1989-2023; window 2012-2023) on the admin-0/1/2 basemap, no routes\n"
           "                      (the default when no file is given)\n"
           "  --demo, --synthetic the SYNTHETIC demo: planted-drift events and ILLUSTRATIVE routes\n"
           "  --precision MODE    points (default): events at their recorded points; precise: where_prec /\n"
           "                      geo_precision <= 2 only; spread: imprecise events spread over their polygon\n"
           "  --size WxH          window size in pixels (default 1600x1000)\n"
           "  --kernel NAME       quartic|triangular|uniform|triweight|epanechnikov|gaussian\n"
           "  --bandwidth-km KM   heatmap bandwidth (default 50)\n"
           "  --ramp NAME         viridis|magma|inferno|YlOrRd|RdYlBu\n"
           "  --window YYYY-MM,N  start with a time window of N months (default: all dates)\n"
           "  --display-crs NAME  equal-area (analysis LAEA, default)|mercator (EPSG:3857)|lonlat (EPSG:4326)\n"
           "  --view LON,LAT,KMPX start centred on LON,LAT at KMPX km per pixel (default: fit the data)\n"
           "  --max-memory SIZE   memory budget for analyses (e.g. 2G, 25%; default 50% of physical memory)\n"
           "  --screenshot FILE   wait for loading, render --frames N frames (default 5), save PNG, exit\n"
           "  --probe LON,LAT     with --screenshot: print the pixel where LON,LAT is drawn (repeatable)\n"
           "  --compare-exact     with --screenshot: also run geo's exact KDE on the GPU grid, print the "
           "difference\n"
           "  --hotspots          run Gi* hot spots (Hot spots panel, geo's defaults) once loaded\n"
           "  --lisa              run LISA clusters (local Moran's I) once loaded\n"
           "  --emerging          run emerging hot spots once loaded\n"
           "  --hot-param K=V     a Hot spots setting named as the CLI's flag (cell-km=25, band-km=50,\n"
           "                      study-area=all, permutations=99, period=year, fdr=1, ...); repeatable\n"
           "  --export-hotspots STEM  write the hot spot result as `nexusmap hotspots|lisa|emerging\n"
           "                      --out STEM` does (same files, same metadata), then exit\n"
           "  --spillover         run the spillover analysis (default groups) once loaded; with\n"
           "                      --screenshot it prints the front velocity\n"
           "  --scan              run the space-time scan (Space-time scan panel) once loaded\n"
           "  --scan-param K=V    a scan setting named as `nexusmap scan`'s flag (e.g. period=year,\n"
           "                      replications=99); repeatable\n"
           "  --nexus             run the nexus route test (first line layer) once loaded\n"
           "  --nexus-param K=V   a nexus setting named as `nexusmap nexus`'s flag (d-km=25, simulations=99,\n"
           "                      curve-km=5,10,25, clq=1, ...); repeatable\n"
           "  --probe-png FILE X Y [X Y...]  print the RGB of pixels of a PNG and exit (for tests)\n"
           "  PROJECT.json        a saved session (layers, styles, heatmap, time window, filters, view)\n"
           "  --export-png FILE   batch: render the map offscreen at --export-scale N (1-4) x the window, "
           "save PNG\n"
           "  --export-tif FILE   batch: geo's exact KDE with the current settings as GeoTIFF\n"
           "  --export-geojson DIR  batch: every layer and the filtered events as GeoJSON in DIR\n"
           "  --save-project FILE batch: save the session as a JSON project (re-saving the project that\n"
           "                      was opened is allowed; layers that did not load are kept in it)\n"
           "  --force             batch outputs may replace existing files (inputs are never written)\n"
           "  --heat-backend B    auto (default: cpu on a software OpenGL from 100k events)|gpu|cpu: where the\n"
           "                      heatmap is computed (GPU splat, or geo's KDE on a worker thread)\n"
           "  --bench-frames N    batch: once loaded, time N frames and 8 bandwidth changes (each until\n"
           "                      the re-splatted heat is on screen), print the timings\n"
           "  --export-map FILE   batch: print map (.png, .pdf or .svg) of the current view with geo's map\n"
           "                      renderer (as `nexusmap map`); prints the legend range it used\n"
           "  --export-map-page P A4|A3|letter, landscape (default A4)\n"
           "  --export-map-dpi N  PNG resolution (default 150)\n";
}

// argv[0] is the program; an optional leading "view" is skipped.
inline ViewerOptions parse_viewer_args(int argc, char** argv) {
    ViewerOptions o;
    int i = 1;
    if (i < argc && std::string(argv[i]) == "view") ++i;
    auto need = [&](const std::string& flag) -> std::optional<std::string> {
        if (i + 1 >= argc) {
            o.error = flag + " needs a value";
            return std::nullopt;
        }
        return std::string(argv[++i]);
    };
    auto to_int = [](const std::string& s, int& out) {
        char* end = nullptr;
        const long v = std::strtol(s.c_str(), &end, 10);
        if (end == s.c_str() || *end) return false;
        out = int(v);
        return true;
    };
    auto to_double = [](const std::string& s, double& out) {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str() || *end) return false;
        out = v;
        return true;
    };
    for (; i < argc && o.error.empty(); ++i) {
        const std::string a = argv[i];
        if (a == "--demo" || a == "--synthetic") {
            o.demo = true;
        } else if (a == "--real") {
            o.real = true;
        } else if (a == "--precision") {
            if (auto v = need(a)) {
                if (*v == "points") o.precision_mode = 0;
                else if (*v == "precise") o.precision_mode = 1;
                else if (*v == "spread") o.precision_mode = 2;
                else o.error = "--precision expects points, precise or spread";
            }
        } else if (a == "-h" || a == "--help") {
            o.help = true;
        } else if (a == "--size") {
            if (auto v = need(a)) {
                const auto x = v->find('x');
                if (x == std::string::npos || !to_int(v->substr(0, x), o.width) ||
                    !to_int(v->substr(x + 1), o.height) || o.width < 64 || o.height < 64)
                    o.error = "--size expects WxH, e.g. 1600x1000";
            }
        } else if (a == "--screenshot") {
            if (auto v = need(a)) o.screenshot = *v;
        } else if (a == "--max-memory") {
            if (auto v = need(a)) {
                o.max_memory = *v;
                if (!parse_byte_size(*v)) o.error = "--max-memory expects a size, e.g. 2G, 512M or 25%";
            }
        } else if (a == "--heat-backend") {
            if (auto v = need(a)) {
                o.heat_backend = *v;
                if (*v != "auto" && *v != "gpu" && *v != "cpu") o.error = "--heat-backend expects auto, gpu or cpu";
            }
        } else if (a == "--bench-frames") {
            if (auto v = need(a); v && (!to_int(*v, o.bench_frames) || o.bench_frames < 1))
                o.error = "--bench-frames expects a positive integer";
        } else if (a == "--frames") {
            if (auto v = need(a); v && (!to_int(*v, o.frames) || o.frames < 1))
                o.error = "--frames expects a positive integer";
        } else if (a == "--probe") {
            if (auto v = need(a)) {
                const auto c = v->find(',');
                double lon = 0, lat = 0;
                if (c == std::string::npos || !to_double(v->substr(0, c), lon) ||
                    !to_double(v->substr(c + 1), lat))
                    o.error = "--probe expects LON,LAT";
                else
                    o.probes.emplace_back(lon, lat);
            }
        } else if (a == "--compare-exact") {
            o.compare_exact = true;
        } else if (a == "--show-exact") {
            o.compare_exact = o.show_exact = true;
        } else if (a == "--window") {
            if (auto v = need(a)) {
                o.window = *v;
                int y = 0, m = 0, n = 0;
                if (std::sscanf(v->c_str(), "%d-%d,%d", &y, &m, &n) != 3 || m < 1 || m > 12 || n < 1)
                    o.error = "--window expects YYYY-MM,MONTHS, e.g. 2019-01,12";
            }
        } else if (a == "--view") {
            if (auto v = need(a)) {
                std::array<double, 3> cv{};
                if (std::sscanf(v->c_str(), "%lf,%lf,%lf", &cv[0], &cv[1], &cv[2]) != 3 || !(cv[2] > 0))
                    o.error = "--view expects LON,LAT,KM_PER_PIXEL, e.g. 0.5,14.5,0.5";
                else
                    o.view = cv;
            }
        } else if (a == "--display-crs") {
            if (auto v = need(a)) {
                o.display_crs = *v;
                if (*v != "equal-area" && *v != "mercator" && *v != "lonlat")
                    o.error = "--display-crs expects equal-area, mercator or lonlat";
            }
        } else if (a == "--kernel") {
            if (auto v = need(a)) o.kernel = *v;
        } else if (a == "--ramp") {
            if (auto v = need(a)) o.ramp = *v;
        } else if (a == "--bandwidth-km") {
            if (auto v = need(a); v && (!to_double(*v, o.bandwidth_km) || !(o.bandwidth_km > 0)))
                o.error = "--bandwidth-km expects a positive number";
        } else if (a == "--export-png") {
            if (auto v = need(a)) o.export_png = *v;
        } else if (a == "--export-scale") {
            if (auto v = need(a); v && (!to_int(*v, o.export_scale) || o.export_scale < 1 || o.export_scale > 4))
                o.error = "--export-scale expects 1, 2, 3 or 4";
        } else if (a == "--export-tif") {
            if (auto v = need(a)) o.export_tif = *v;
        } else if (a == "--export-geojson") {
            if (auto v = need(a)) o.export_geojson = *v;
        } else if (a == "--export-map") {
            if (auto v = need(a)) {
                o.export_map = *v;
                std::string ext = v->size() >= 4 ? v->substr(v->size() - 4) : "";
                for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
                if (ext != ".png" && ext != ".pdf" && ext != ".svg")
                    o.error = "--export-map expects a .png, .pdf or .svg file";
            }
        } else if (a == "--export-map-page") {
            if (auto v = need(a)) {
                std::string p = *v;
                for (auto& c : p) c = char(std::tolower(static_cast<unsigned char>(c)));
                if (p == "a4") o.export_map_page = "A4";
                else if (p == "a3") o.export_map_page = "A3";
                else if (p == "letter") o.export_map_page = "letter";
                else o.error = "--export-map-page expects A4, A3 or letter";
            }
        } else if (a == "--export-map-dpi") {
            if (auto v = need(a); v && (!to_int(*v, o.export_map_dpi) || o.export_map_dpi < 36 || o.export_map_dpi > 600))
                o.error = "--export-map-dpi expects 36..600";
        } else if (a == "--force") {
            o.force = true;
        } else if (a == "--save-project") {
            if (auto v = need(a)) o.save_project = *v;
        } else if (a == "--hotspots") {
            o.run_hotspots = true;
        } else if (a == "--emerging") {
            o.run_emerging = true;
        } else if (a == "--lisa") {
            o.run_lisa = true;
        } else if (a == "--hot-param") {
            if (auto v = need(a)) o.hot_settings.push_back(*v);
        } else if (a == "--export-hotspots") {
            if (auto v = need(a)) o.export_hotspots = *v;
        } else if (a == "--spillover") {
            o.run_spillover = true;
        } else if (a == "--scan") {
            o.run_scan = true;
        } else if (a == "--nexus") {
            o.run_nexus = true;
        } else if (a == "--scan-param") {
            if (auto v = need(a)) o.scan_settings.push_back(*v);
        } else if (a == "--nexus-param") {
            if (auto v = need(a)) o.nexus_settings.push_back(*v);
        } else if (a == "--probe-png") {
            if (auto v = need(a)) o.probe_png = *v;
            while (o.error.empty() && i + 2 < argc && argv[i + 1][0] != '-') {
                int x = 0, y = 0;
                if (!to_int(argv[i + 1], x) || !to_int(argv[i + 2], y)) {
                    o.error = "--probe-png expects FILE X Y [X Y ...]";
                    break;
                }
                o.probe_px.emplace_back(x, y);
                i += 2;
            }
        } else if (!a.empty() && a[0] == '-') {
            o.error = "unknown option " + a;
        } else {
            o.files.push_back(a);
        }
    }
    if (o.files.empty() && !o.demo) o.real = true;
    if (o.real && o.window.empty()) o.window = "2012-01,144"; // 2012-2023: the Sahel crisis years
    return o;
}

} // namespace nexusmap::viewer
