// `nexusmap view`'s flags, declared with CLI11 like the command line's (one vocabulary, generated
// help, the same "needs a value" and "not expected" errors). Values that need more than a type
// check are validated here, so the viewer starts only with a command line it can honour.
#include "viewer/options.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <filesystem>
#include <cstdio>
#include <sstream>

#include "nexusmap/resources.hpp"
#include "viewer/edits.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::viewer {

namespace {

bool to_int(const std::string& s, int& out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A CLI11 validator from a predicate and the message naming what was expected.
template <class Pred> CLI::Validator expects(std::string what, Pred ok) {
    return CLI::Validator([what, ok](std::string& v) { return ok(v) ? std::string() : "expects " + what; }, "");
}

} // namespace

void add_view_options(CLI::App& v, ViewerOptions& o) {
    v.add_option("files", o.files,
                 "Event tables (.csv: ACLED, UCDP GED, generic), vector layers (GeoPackage, GeoJSON, ...) "
                 "or a saved PROJECT.json");
    v.add_flag("--real", o.real,
               "The bundled real data: UCDP GED 24.1 events (BEN BFA CIV MLI NER TGO, 1989-2023; window "
               "2012-2023) on the admin-0/1/2 basemap, no routes (the default when no file is given)");
    v.add_flag("--no-basemap", o.no_basemap,
               "Event tables opened alone get the bundled basemap (admin-0/1/2) under them; this leaves it out");
    v.add_flag("--demo,--synthetic", o.demo, "The SYNTHETIC demo: planted-drift events and ILLUSTRATIVE routes");
    v.add_option_function<std::string>(
         "--precision",
         [&o](const std::string& s) { o.precision_mode = s == "precise" ? 1 : s == "spread" ? 2 : 0; },
         "points (default): events at their recorded points; precise: where_prec / geo_precision <= 2 only; "
         "spread: imprecise events spread over their polygon")
        ->check(CLI::IsMember({"points", "precise", "spread"}));
    v.add_option_function<std::string>(
         "--size",
         [&o](const std::string& s) {
             const auto x = s.find('x');
             to_int(s.substr(0, x), o.width);
             to_int(s.substr(x + 1), o.height);
         },
         "Window size in pixels (default 1600x1000)")
        ->check(expects("WxH, e.g. 1600x1000", [](const std::string& s) {
            int w = 0, h = 0;
            const auto x = s.find('x');
            return x != std::string::npos && to_int(s.substr(0, x), w) && to_int(s.substr(x + 1), h) && w >= 64 &&
                   h >= 64;
        }));
    v.add_option("--kernel", o.kernel, "quartic|triangular|uniform|triweight|epanechnikov|gaussian")
        ->capture_default_str();
    v.add_option("--bandwidth-km", o.bandwidth_km, "Heatmap bandwidth, km")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    v.add_option("--ramp", o.ramp, "viridis|magma|inferno|YlOrRd|RdYlBu")->capture_default_str();
    v.add_option("--window", o.window, "Start with a time window of N months, YYYY-MM,N (default: all dates)")
        ->check(expects("YYYY-MM,MONTHS, e.g. 2019-01,12", [](const std::string& s) {
            int y = 0, m = 0, n = 0;
            return std::sscanf(s.c_str(), "%d-%d,%d", &y, &m, &n) == 3 && m >= 1 && m <= 12 && n >= 1;
        }));
    v.add_option("--display-crs", o.display_crs,
                 "equal-area (the analysis LAEA, default) | mercator (EPSG:3857) | lonlat (EPSG:4326)")
        ->check(CLI::IsMember({"equal-area", "mercator", "lonlat"}));
    v.add_option_function<std::string>(
         "--view",
         [&o](const std::string& s) {
             std::array<double, 3> cv{};
             std::sscanf(s.c_str(), "%lf,%lf,%lf", &cv[0], &cv[1], &cv[2]);
             o.view = cv;
         },
         "Start centred on LON,LAT at KMPX km per pixel, LON,LAT,KMPX (default: fit the data)")
        ->check(expects("LON,LAT,KM_PER_PIXEL, e.g. 0.5,14.5,0.5", [](const std::string& s) {
            double a = 0, b = 0, c = 0;
            return std::sscanf(s.c_str(), "%lf,%lf,%lf", &a, &b, &c) == 3 && c > 0;
        }));
    v.add_option("--max-memory", o.max_memory,
                 "Memory budget for analyses (e.g. 2G, 25%; default 50% of physical memory)")
        ->check(expects("a size, e.g. 2G, 512M or 25%",
                        [](const std::string& s) { return parse_byte_size(s).has_value(); }));
    v.add_option("--heat-backend", o.heat_backend,
                 "auto (cpu on a software OpenGL from 100k events) | gpu | cpu: where the heatmap is computed")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "gpu", "cpu"}));

    v.add_option("--ui-scale", o.ui_scale, "UI scale for fonts and widgets (default: the monitor's content scale)")
        ->check(expects("0.5..4", [](const std::string& s) {
            double x = 0;
            return std::sscanf(s.c_str(), "%lf", &x) == 1 && x >= 0.5 && x <= 4;
        }));
    v.add_option("--theme", o.theme, "dark | light (for projectors)")->capture_default_str()->check(CLI::IsMember({"dark", "light"}));
    auto* tools = v.add_option_group("Analyst tools, scripted (the panels do the same by hand)");
    auto lonlat_list = expects("LON,LAT;LON,LAT;... (degrees)", [](const std::string& s) {
        try {
            return !parse_lonlat_list(s).empty();
        } catch (const std::exception&) {
            return false;
        }
    });
    tools->add_option("--measure", o.measure, "Measure along LON,LAT;LON,LAT;... (3+ vertices: also the area)")
        ->check(lonlat_list);
    tools->add_flag("--graticule", o.graticule, "Show the graticule");
    tools->add_option("--draw-area", o.draw_area, "An area of interest through LON,LAT;LON,LAT;...")->check(lonlat_list);
    tools->add_option("--draw-route", o.draw_route, "A route through LON,LAT;LON,LAT;...")->check(lonlat_list);
    tools->add_option("--save-sketch", o.save_sketch,
                      "Batch: the last drawn area/route as GeoJSON (for --study-area / --mask / --routes)");
    tools->add_option("--attribute-table", o.attribute_table, "Open the attribute table of the layer with this name");
    tools->add_option_function<std::string>(
             "--select-at",
             [&o](const std::string& s) {
                 std::array<double, 2> p{};
                 std::sscanf(s.c_str(), "%lf,%lf", &p[0], &p[1]);
                 o.select_at = p;
             },
             "Select the feature of the --attribute-table layer at LON,LAT")
        ->check(expects("LON,LAT", [](const std::string& s) {
            double a = 0, b = 0;
            return std::sscanf(s.c_str(), "%lf,%lf", &a, &b) == 2;
        }));
    auto* shot = v.add_option_group("Screenshots and tests");
    shot->add_option("--screenshot", o.screenshot, "Wait for loading, render --frames N frames, save PNG, exit");
    shot->add_option("--frames", o.frames, "Frames before the screenshot")->capture_default_str()->check(CLI::PositiveNumber);
    shot->add_option_function<std::vector<std::string>>(
           "--probe",
           [&o](const std::vector<std::string>& all) {
               for (const auto& s : all) {
                   double lon = 0, lat = 0;
                   std::sscanf(s.c_str(), "%lf,%lf", &lon, &lat);
                   o.probes.emplace_back(lon, lat);
               }
           },
           "With --screenshot: print the pixel where LON,LAT is drawn (repeatable)")
        ->allow_extra_args(false)
        ->check(expects("LON,LAT", [](const std::string& s) {
            double a = 0, b = 0;
            char extra = 0;
            return std::sscanf(s.c_str(), "%lf,%lf%c", &a, &b, &extra) == 2;
        }));
    shot->add_flag("--compare-exact", o.compare_exact,
                   "With --screenshot: also run geo's exact KDE on the GPU grid, print the difference");
    shot->add_flag_callback("--show-exact", [&o] { o.compare_exact = o.show_exact = true; },
                            "Like --compare-exact, then draw the exact raster");
    shot->add_option("--bench-frames", o.bench_frames,
                     "Batch: once loaded, time N frames and 8 bandwidth changes, print the timings")
        ->check(CLI::PositiveNumber);
    // Hidden helper for tests: --probe-png FILE X Y [X Y ...] prints the RGB of those pixels.
    shot->add_option("--probe-png", o.probe_png_args, "")->expected(1, -1)->group("");

    auto* run = v.add_option_group("Analyses run once loaded");
    run->add_flag("--hotspots", o.run_hotspots, "Gi* hot spots (Hot spots panel, geo's defaults)");
    run->add_flag("--lisa", o.run_lisa, "LISA clusters (local Moran's I)");
    run->add_flag("--emerging", o.run_emerging, "Emerging hot spots");
    run->add_option("--hot-param", o.hot_settings,
                    "KEY=VALUE, a Hot spots setting named as the CLI's flag (cell-km=25, band-km=50, "
                    "study-area=all, permutations=99, period=year, fdr=1, ...); repeatable")
        ->allow_extra_args(false);
    run->add_flag("--spillover", o.run_spillover,
                  "The spillover analysis (default groups); with --screenshot it prints the front velocity");
    run->add_option("--spill-param", o.spill_settings,
                    "KEY=VALUE, a Spillover setting named as `nexusmap spillover`'s flag (period=quarter, "
                    "bands=-100,0,100, permutations=99, sahel=MLI,BFA, ...); repeatable")
        ->allow_extra_args(false);
    run->add_option("--corridor-param", o.corridor_settings,
                    "KEY=VALUE, a corridors setting named as `nexusmap corridors`'s flag (half-width-km=25, "
                    "bin-km=25, recent=3, ...; routes: the first line layer loaded); repeatable")
        ->allow_extra_args(false);
    run->add_flag("--scan", o.run_scan, "The space-time scan (Space-time scan panel)");
    run->add_option("--scan-param", o.scan_settings,
                    "KEY=VALUE, a scan setting named as `nexusmap scan`'s flag (e.g. period=year); repeatable")
        ->allow_extra_args(false);
    run->add_flag("--nexus", o.run_nexus, "The nexus route test (first line layer)");
    run->add_option("--nexus-param", o.nexus_settings,
                    "KEY=VALUE, a nexus setting named as `nexusmap nexus`'s flag (d-km=25, ...); repeatable")
        ->allow_extra_args(false);

    auto* out = v.add_option_group("Batch exports (after loading; the viewer exits when done)");
    out->add_option("--export-png", o.export_png, "The map rendered offscreen at --export-scale x the window, PNG");
    out->add_option("--export-scale", o.export_scale, "1..4")->capture_default_str()->check(CLI::Range(1, 4));
    out->add_option("--export-tif", o.export_tif,
                    "The density (geo's density pipeline, as `nexusmap density`) with the current settings, GeoTIFF");
    out->add_option("--export-tif-cell-km", o.export_tif_cell_km,
                    "With --export-tif: this cell size over the events' padded extent (as `density --cell-km`) "
                    "instead of the heat grid")
        ->check(CLI::PositiveNumber);
    out->add_option("--export-hotspots", o.export_hotspots,
                    "STEM: the hot spot result as `nexusmap hotspots|lisa|emerging --out STEM` writes it (same "
                    "files, same metadata)");
    out->add_option("--export-spillover", o.export_spillover,
                    "DIR: the spillover result (run with --spillover) as `nexusmap spillover -o DIR` writes it");
    out->add_option("--export-corridors", o.export_corridors,
                    "DIR: the corridors along the first line layer as `nexusmap corridors -o DIR` writes them");
    out->add_option("--export-contours", o.export_contours,
                    "FILE: contours of the density (with --export-tif: of that GeoTIFF) as `nexusmap contours` "
                    "writes them");
    out->add_option("--contour-param", o.contour_settings,
                    "KEY=VALUE for --export-contours, named as `nexusmap contours`'s flags (percent=50,90, "
                    "levels=..., ramp=, scale=, fill-opacity=); repeatable")
        ->allow_extra_args(false);
    out->add_option("--export-zonal", o.export_zonal,
                    "FILE: events per polygon of the filtered events as `nexusmap zonal -o FILE` writes it");
    out->add_option("--zonal-param", o.zonal_settings,
                    "KEY=VALUE for --export-zonal, named as `nexusmap zonal`'s flags (polygons=FILE:LAYER, "
                    "per-capita=, fields=A,B, ramp=, scale=, style-field=); repeatable")
        ->allow_extra_args(false);
    out->add_option("--export-geojson", o.export_geojson, "Every layer and the filtered events as GeoJSON in DIR");
    out->add_option("--save-project", o.save_project,
                    "The session as a JSON project (re-saving the project that was opened is allowed)");
    out->add_option("--export-map", o.export_map,
                    "Print map (.png, .pdf or .svg) of the current view with geo's map renderer (as `nexusmap map`)")
        ->check(expects("a .png, .pdf or .svg file", [](const std::string& s) {
            const std::string e = ascii_lower(s.size() >= 4 ? s.substr(s.size() - 4) : s);
            return e == ".png" || e == ".pdf" || e == ".svg";
        }));
    out->add_option_function<std::string>(
           "--export-map-page",
           [&o](const std::string& s) {
               const std::string p = ascii_lower(s);
               o.export_map_page = p == "a3" ? "A3" : p == "letter" ? "letter" : "A4";
           },
           "A4 | A3 | letter, landscape (default A4)")
        ->check(expects("A4, A3 or letter", [](const std::string& s) {
            const std::string p = ascii_lower(s);
            return p == "a4" || p == "a3" || p == "letter";
        }));
    out->add_option("--export-map-dpi", o.export_map_dpi, "PNG resolution")
        ->capture_default_str()
        ->check(CLI::Range(36, 600));
    out->add_option("--export-timelapse", o.export_timelapse,
                    "Time-lapse of the heat (.gif; .mp4/.webm with ffmpeg), one frame per --timelapse-period, one "
                    "colour scale")
        ->check(expects("a .gif, .mp4 or .webm file", [](const std::string& s) {
            const std::string e = ascii_lower(std::filesystem::path(s).extension().string());
            return e == ".gif" || e == ".mp4" || e == ".webm";
        }));
    out->add_option("--timelapse-period", o.timelapse_period, "month | quarter | year")
        ->capture_default_str()
        ->check(CLI::IsMember({"month", "quarter", "year"}));
    out->add_flag("--force", o.force, "Batch outputs may replace existing files (inputs are never written)");
}

std::string viewer_usage() {
    ViewerOptions o;
    CLI::App app{"Opens the map viewer (no FILES: the bundled real UCDP GED events and basemap).", "nexusmap view"};
    add_view_options(app, o);
    return app.help();
}

ViewerOptions parse_viewer_args(int argc, char** argv) {
    ViewerOptions o;
    std::vector<char*> args(argv, argv + argc);
    if (args.size() > 1 && std::string(args[1]) == "view") args.erase(args.begin() + 1);
    CLI::App app{"", "nexusmap view"};
    add_view_options(app, o);
    try {
        app.parse(int(args.size()), args.data());
        // --probe-png FILE X Y [X Y ...]
        if (const auto& vals = o.probe_png_args; !vals.empty()) {
            o.probe_png = vals[0];
            for (size_t i = 1; i + 1 < vals.size(); i += 2) {
                int x = 0, y = 0;
                if (!to_int(vals[i], x) || !to_int(vals[i + 1], y)) break;
                o.probe_px.emplace_back(x, y);
            }
            if (vals.size() % 2 == 0 || o.probe_px.size() * 2 + 1 != vals.size())
                o.error = "--probe-png expects FILE X Y [X Y ...]";
        }
    } catch (const CLI::CallForHelp&) {
        o.help = true;
    } catch (const CLI::ParseError& e) {
        o.error = e.what();
    }
    if (o.files.empty() && !o.demo) o.real = true;
    if (o.real && o.window.empty()) o.window = "2012-01,144"; // 2012-2023: the Sahel crisis years
    return o;
}

} // namespace nexusmap::viewer
