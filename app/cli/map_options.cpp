#include "cli/map_options.hpp"

#include <cstdio>
#include <filesystem>

#include "cli/common.hpp"
#include "nexusmap/error.hpp"

namespace fs = std::filesystem;

namespace nexusmap::cli {

void MapArgs::add_to(CLI::App* cmd) {
    auto* g = cmd->add_option_group("Map");
    g->add_option("-o,--out", out, "Output .png, .pdf or .svg")->required();
    g->add_option("--raster", raster, "Draw this density GeoTIFF instead of running the kernel density");
    g->add_option("--hotspots", hotspots,
                  "Draw Gi* hot spots: `nexusmap hotspots` GeoJSON/GPKG (polygons with a bin field) or its fishnet GeoTIFF (band 3)");
    g->add_option("--hot-field", hot_field, "Bin field of --hotspots polygons")->capture_default_str();
    g->add_flag("--events-points", events_points, "Draw the events as points too");
    g->add_option("--period", by, "year | quarter: one map per period on ONE colour scale (max over all periods), plus a sheet");
    add_old_name(g, "--by", "--period", by);
    g->add_option("--ramp", ramp, "viridis | magma | inferno | ylorrd | rdylbu")->capture_default_str();
    g->add_option("--scale", scale, "linear | sqrt | log")->capture_default_str();
    g->add_option("--vmin", vmin, "Bottom of the colour scale (default 0; log: max/1000)");
    g->add_option("--vmax", vmax, "Top of the colour scale (default: the maximum, over all periods with --by)");
    g->add_option("--opacity", opacity, "Density opacity")->capture_default_str();
    g->add_option("--fade-below", min_t, "Leave cells below this fraction of the colour scale transparent")->capture_default_str();
    g->add_option("--title", title, "Title (default: what is drawn)");
    g->add_option("--subtitle", subtitle, "Subtitle (default: the date window and the event count)");
    g->add_option("--width", width, "Page width in pixels (PNG; with --height)");
    g->add_option("--height", height, "Page height in pixels (PNG; with --width)");
    g->add_option("--dpi", dpi, "PNG resolution on the --page paper (default 150)");
    g->add_option("--page", page, "A4 | A3 | letter")->capture_default_str();
    g->add_flag("--landscape", landscape, "Landscape paper (the default)");
    g->add_flag("--portrait", portrait, "Portrait paper");
    g->add_option("--bbox", bbox, "Map extent LON0,LAT0,LON1,LAT1 (default: the Sahel and coastal countries)");
    g->add_option("--study", study, "ISO codes whose extent is the default map extent")->capture_default_str();
    g->add_option("--basemap", basemap, "GeoPackage with admin0 (and admin1) layers (default: bundled Natural Earth)");
    g->add_option("--routes", routes, "Route lines FILE[:LAYER], coloured by commodity (default: no routes)");
    g->add_flag("--demo-routes", demo_routes, "Draw the bundled ILLUSTRATIVE demo routes");
    g->add_flag("--no-routes", no_routes, "Do not draw routes (the default; kept for old scripts)");
    g->add_flag("--no-admin1", no_admin1, "Do not draw admin-1 boundaries");
    g->add_flag("--no-inset", no_inset, "No locator inset");
    g->add_flag("--no-labels", no_labels, "No names (countries, capitals, cities, admin-1) on the map");
    g->add_option("--places", places,
                  "Point layer FILE[:LAYER] of places to label (Natural Earth fields name, featurecla, scalerank; "
                  "default: the bundled West African populated places)");
    g->add_option("--columns", columns, "Small-multiples sheet: number of columns (default: best fit)");
    g->add_option("--write-raster", write_raster,
                  "Also write the density drawn as GeoTIFF (+ .qml QGIS style with the same ramp and range); with --period one per period");
    cmd->add_flag("--force", force, "Overwrite existing outputs");
}

void MapArgs::check_numbers(const CLI::App& cmd) const {
    // Numeric flags: a value given must make sense (0 or NaN used to fall back silently).
    auto given = [&](const char* flag) { return cmd.count(flag) > 0; };
    auto refuse = [](const char* flag, double v, const char* why) {
        throw GeoError("", std::string(flag) + " " + (std::isnan(v) ? std::string("nan") : short_num(v)), why);
    };
    if (given("--dpi") && !(dpi >= 1 && dpi <= 2400)) refuse("--dpi", dpi, "must be a resolution from 1 to 2400 dpi");
    if (given("--width") && !(width >= 1 && width <= 32767)) refuse("--width", width, "must be 1 to 32767 pixels");
    if (given("--height") && !(height >= 1 && height <= 32767)) refuse("--height", height, "must be 1 to 32767 pixels");
    if (!(opacity >= 0 && opacity <= 1)) refuse("--opacity", opacity, "must be a number from 0 to 1");
    if (!(min_t >= 0 && min_t <= 1)) refuse("--fade-below", min_t, "must be a number from 0 to 1");
    if (given("--vmin") && !std::isfinite(vmin)) refuse("--vmin", vmin, "must be a finite number");
    if (given("--vmax") && !std::isfinite(vmax)) refuse("--vmax", vmax, "must be a finite number");
    if (columns < 0) refuse("--columns", columns, "must be 1 or more (0 or absent: best fit)");
}

PageSetup page_for(const MapArgs& a, ImageFormat f) {
    if ((a.width > 0) != (a.height > 0)) throw GeoError("", "--width/--height", "give both");
    if (a.width > 0 && a.dpi > 0) throw GeoError("", "--width/--height and --dpi", "choose pixels or a paper size at a dpi");
    const bool landscape = !a.portrait; // maps default to landscape; --landscape is accepted for clarity
    if (a.width > 0) {
        PageSetup p = PageSetup::device(a.width, a.height);
        if (f != ImageFormat::Png) p.device_per_pt *= 0.75; // vector: the pixel size at 96 dpi, in points
        return p;
    }
    return PageSetup::paper(a.page, landscape, f == ImageFormat::Png ? (a.dpi > 0 ? a.dpi : 150) : 72);
}

// `base.ext` -> `base_<suffix>.ext`
std::string with_suffix(const std::string& path, const std::string& suffix, const std::string& ext) {
    fs::path p(path);
    const std::string e = ext.empty() ? p.extension().string() : ext;
    return (p.parent_path() / (p.stem().string() + "_" + suffix + e)).string();
}


MapArgs::Checked MapArgs::check(const CLI::App& cmd) const {
    check_numbers(cmd);
    const auto fmt = image_format_for(out);
    if (!fmt) throw GeoError(out, "", "unknown image format (use .png, .pdf or .svg)");
    const auto r = style::ramp_from_name(ramp);
    if (!r) throw GeoError("", "--ramp '" + ramp + "'", "unknown (viridis, magma, inferno, ylorrd, rdylbu)");
    const auto sc = style::scale_from_name(scale);
    if (!sc) throw GeoError("", "--scale '" + scale + "'", "unknown (linear, sqrt, log)");
    const bool have_events = !d.events.file.empty();
    if (!have_events && raster.empty() && hotspots.empty()) throw GeoError("", "map", "give an event file, --raster or --hotspots");
    if (!raster.empty() && !hotspots.empty()) throw GeoError("", "--raster/--hotspots", "choose one");
    std::optional<PeriodUnit> unit;
    if (!by.empty()) {
        unit = parse_period_unit(by);
        if (*unit == PeriodUnit::Month) throw GeoError("", "--period", "use year or quarter");
        if (!have_events || !raster.empty() || !hotspots.empty())
            throw GeoError("", "--period", "needs an event file and draws density (not with --raster or --hotspots)");
    }
    if (events_points && !have_events) throw GeoError("", "--events-points", "needs an event file");
    return {*fmt, *r, *sc, unit};
}

void print_map_result(const std::string& path, const MapRenderResult& r) {
    if (!path.empty()) std::printf("wrote %s", path.c_str());
    if (std::isfinite(r.legend_hi))
        std::printf("  legend %s %s..%s %s", r.legend_scale.c_str(), short_num(r.legend_lo).c_str(),
                    short_num(r.legend_hi).c_str(), r.legend_units.c_str());
    if (r.hotspot_bins[6] + r.hotspot_bins[0]) std::printf("  hot99 %zu cold99 %zu", r.hotspot_bins[6], r.hotspot_bins[0]);
    std::printf("  scalebar %s km\n", short_num(r.scalebar_km).c_str());
}

} // namespace nexusmap::cli
