// `nexusmap map`: a static briefing map (PNG, PDF or SVG by extension) of event density or Gi* hot
// spots over the base layers, with legend, scale bar, north arrow, locator inset, attribution and
// a provenance footer; `--period year|quarter` draws one map per period on one fixed colour scale plus
// a small-multiples sheet. Rendering lives in geo (map_render.hpp); this file gathers the layers.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "cli/map_options.hpp"
#include "cli/density_job.hpp"
#include "nexusmap/basemap.hpp"
#include "nexusmap/pipeline/density.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/labels.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/qml.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/spillover.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/version.hpp"

namespace fs = std::filesystem;

namespace nexusmap::cli {

namespace {

// The base layers (geo basemap.hpp, shared with `animate`) as the flags ask for them.
Basemap load_base(const MapArgs& a, const Crs& crs) {
    BasemapOptions o;
    o.data_dir = data_dir();
    o.basemap = a.basemap;
    o.places = a.places;
    o.admin1 = !a.no_admin1;
    o.labels = !a.no_labels;
    if (!a.no_routes) o.routes = a.routes, o.demo_routes = a.demo_routes;
    return load_basemap(o, crs);
}

// The study area (the Sahel and coastal groups) in the map CRS, padded, unless --bbox.
BBox map_extent(const MapArgs& a, const Basemap& b, const Crs& crs) {
    if (!a.bbox.empty()) return Transformer(Crs::wgs84(), crs).forward_bbox(parse_bbox(a.bbox));
    return study_extent(b.admin0, split_list(a.study));
}

} // namespace

void add_map(CLI::App& app) {
    auto* cmd = app.add_subcommand("map", "Static briefing map (PNG/PDF/SVG by extension) of event density or Gi* hot spots");
    auto a = std::make_shared<MapArgs>();
    a->d.add_to(cmd);
    cmd->get_option("EVENTS")->required(false)->description("Event file (needed unless --raster or --hotspots is given)");
    a->add_to(cmd);
    cmd->callback([a, cmd] {
        const MapArgs::Checked chk = a->check(*cmd);
        const ImageFormat* fmt = &chk.format;
        const style::Ramp* ramp = &chk.ramp;
        const style::Scale* scale = &chk.scale;
        const std::optional<PeriodUnit> by = chk.by;
        const bool have_events = !a->d.events.file.empty();
        const bool density_mode = a->hotspots.empty();
        const std::vector<std::string> inputs = {a->d.events.file, a->raster, a->hotspots, a->d.mask, a->d.extent, a->basemap, a->routes};
        // Outputs, checked before any work.
        std::vector<std::string> outs;
        if (!by) outs.push_back(a->out);
        if (!a->write_raster.empty() && !by) outs.push_back(a->write_raster), outs.push_back(qml_path_for(a->write_raster));
        for (auto& o : outs) check_output(o, a->force, inputs);
        const PageSetup page = page_for(*a, *fmt);

        // The map CRS: the events' analysis CRS, or the raster's own.
        Crs crs = Crs::from_user(a->d.events.crs);
        Raster raster;
        DensityJob job;
        EventTable ev;
        if (!a->raster.empty()) {
            raster = read_raster(a->raster);
            if (raster.crs.valid()) crs = raster.crs;
        }
        VectorLayer hot;
        if (!a->hotspots.empty()) hot = read_hotspot_output(a->hotspots, crs, a->hot_field);
        if (have_events) {
            if (density_mode && a->raster.empty()) {
                job = run_density(a->d);
                ev = job.ev;
                raster = job.kde.raster;
            } else {
                ev = a->d.events.load();
                if (!ev.crs.same_as(crs)) project_events(ev, crs);
            }
        }
        Basemap base = load_base(*a, crs);
        // Provenance: exactly the inputs drawn (events or the raster's / hot spots' own record of
        // them, the basemap layers, routes when drawn).
        const std::map<std::string, std::string>& rmd = raster.metadata;
        const MapSources sources = map_sources(have_events ? &ev : nullptr, a->raster.empty() ? nullptr : &rmd, a->raster,
                                               a->hotspots.empty() ? nullptr : &hot.metadata, a->hotspots, base,
                                               a->routes.empty());
        const bool synthetic = sources.synthetic, illustrative = sources.illustrative;
        const std::string &src = sources.source, &schema = sources.schema;
        MapSpec spec;
        spec.crs = crs;
        spec.extent = map_extent(*a, base, crs);
        spec.admin0 = &base.admin0;
        if (!base.admin1.features.empty()) spec.admin1 = &base.admin1;
        if (!a->no_labels)
            spec.labels = default_map_labels(&base.admin0, spec.admin1, base.places.features.empty() ? nullptr : &base.places,
                                             spec.extent, crs.is_geographic() ? 111.32 : 0.001);
        // Events outside the map extent are not drawn: refuse a map that would show none of them
        // (and say where they are), count the others in the subtitle.
        const size_t n_outside = have_events ? events_outside(ev, spec.extent, crs, a->bbox.empty() ? "the --study countries" : "--bbox") : 0;
        if (n_outside)
            std::cerr << "  warning: " << n_outside << " of " << ev.size() << " events lie outside the map extent and are not shown\n";
        const std::string outside_note = n_outside ? " (" + std::to_string(n_outside) + " outside the map)" : "";
        if (base.have_routes) style_routes(spec, base.routes, base.routes.illustrative() || a->routes.empty());
        std::vector<Vec2> points;
        if (a->events_points) {
            for (size_t i = 0; i < ev.size(); ++i) points.push_back({ev.x[i], ev.y[i]});
            spec.events = &points;
        }
        if (!a->no_inset) spec.locator = &base.admin0;
        spec.inset = !a->no_inset;
        spec.synthetic = synthetic;
        spec.attribution = sources.attribution();
        const std::string window =
            map_window(have_events ? &ev : nullptr, a->d.events.from, a->d.events.to, rmd, hot.metadata);
        auto footer = [&](const std::string& win, size_t n_events) {
            return map_footer(sources, density_mode ? &rmd : nullptr, density_mode ? nullptr : &hot.metadata, win,
                              n_events, crs, "map");
        };

        spec.density_style.ramp = *ramp;
        spec.density_style.opacity = a->opacity;
        spec.density_style.min_t = a->min_t;
        spec.density_style.units = density_units_label(raster.units, rmd);
        auto make_scale = [&](const std::vector<const Raster*>& rs) {
            style::ValueScale vs = shared_scale(rs, *scale);
            if (std::isfinite(a->vmin)) vs.lo = a->vmin;
            if (std::isfinite(a->vmax)) vs.hi = a->vmax;
            if (!(vs.hi > vs.effective_lo())) throw GeoError("", "--vmin/--vmax", "the top of the scale must exceed the bottom");
            return vs;
        };
        auto report = [](const std::string& path, const MapRenderResult& r) { print_map_result(path, r); };
        auto write_raster_qml = [&](const Raster& r, const std::string& path, const style::RasterStyle& st) {
            check_output(path, a->force, inputs);
            write_geotiff(r, path);
            write_qml(qml_path_for(path), qml_pseudocolor(st));
            std::printf("wrote %s (+ %s)\n", path.c_str(), qml_path_for(path).c_str());
        };

        if (!by) {
            const std::string what = density_mode ? "Conflict event density" : "Conflict event hot spots (Getis-Ord Gi*)";
            spec.title = a->title.empty() ? what : a->title;
            spec.subtitle = a->subtitle.empty() ? window + (have_events ? "  \u00b7  " + std::to_string(ev.size()) + " events" + outside_note : "")
                                                : a->subtitle;
            spec.footer = footer(window, have_events ? ev.size() : 0);
            if (density_mode) {
                spec.density = &raster;
                spec.density_style.scale = make_scale({&raster});
                spec.density_title = "Kernel density";
            } else {
                spec.hotspots = &hot;
                spec.hotspot_field = a->hot_field;
            }
            MapRenderResult r = render_map_file(spec, page, a->out);
            report(a->out, r);
            if (!a->write_raster.empty() && density_mode) write_raster_qml(raster, a->write_raster, spec.density_style);
            return;
        }

        // ---- one map per period, one colour scale ------------------------------------------------
        const std::vector<int64_t> periods = pipeline::dated_period_range(ev, *by);
        std::optional<VectorLayer> mask;
        if (!a->d.mask.empty()) {
            auto [f, l] = split_layer_spec(a->d.mask);
            ReadLayerOptions ro;
            ro.layer = l;
            ro.target_crs = ev.crs;
            mask = read_layer(f, ro);
        }
        // --max-cells bounds one grid; all the periods' rasters are held at once (one scale, one
        // sheet), so the budget counts them together (issue #19: --by quarter --cell-km 1 hit 2.2 GB).
        check_memory(double(periods.size() + 1) * raster_bytes(raster.grid.width, raster.grid.height) +
                         double(periods.size()) * double(ev.size()) / 8,
                     std::to_string(periods.size()) + " period maps of " + std::to_string(raster.grid.width) + " x " +
                         std::to_string(raster.grid.height) + " cells",
                     "use a larger --cell-km, a smaller --extent, a shorter --from/--to window or --period year",
                     a->d.events.file);
        ProgressBar bar("periods");
        pipeline::PeriodDensities pd = pipeline::density_by_period(
            ev, periods, *by, raster.grid, job.params, mask ? &*mask : nullptr, nullptr, &raster.metadata,
            ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        std::vector<Raster>& rasters = pd.rasters;
        const std::vector<size_t>& counts = pd.counts;
        std::vector<const Raster*> rp;
        for (auto& r : rasters) rp.push_back(&r);
        const style::ValueScale vs = make_scale(rp);
        spec.density_style.scale = vs;
        spec.density_title = "Kernel density";
        const std::string unit_name = *by == PeriodUnit::Year ? "year" : "quarter";
        PeriodMapText text{a->title.empty() ? "Conflict event density" : a->title, a->subtitle, window, ev.size()};
        const PeriodMaps pm = period_maps(spec, rasters, counts, periods, *by, text, footer);
        const std::vector<MapSpec>& specs = pm.maps;
        if (*fmt == ImageFormat::Pdf) {
            check_output(a->out, a->force, inputs);
            auto rs = render_map_pdf_pages(specs, page, a->out);
            std::printf("wrote %s (%zu pages, one per %s)\n", a->out.c_str(), rs.size(), unit_name.c_str());
            for (size_t i = 0; i < rs.size(); ++i) {
                std::printf("  page %zu %s (own max %s)", i + 1, period_label(periods[i], *by).c_str(),
                            short_num(rasters[i].minmax()[1]).c_str());
                report("", rs[i]);
            }
        } else {
            for (size_t i = 0; i < specs.size(); ++i) {
                const std::string path = with_suffix(a->out, period_label(periods[i], *by));
                check_output(path, a->force, inputs);
                report(path, render_map_file(specs[i], page, path));
            }
        }
        SheetSpec sheet = pm.sheet;
        sheet.columns = a->columns;
        PageSetup sheet_png = PageSetup::paper(a->page, !a->portrait, a->dpi > 0 ? a->dpi : 200);
        if (a->width > 0) sheet_png = page;
        for (const auto& [path, pg] : {std::pair{with_suffix(a->out, "sheet", ".png"), sheet_png},
                                       std::pair{with_suffix(a->out, "sheet", ".pdf"), PageSetup::paper(a->page, !a->portrait, 72)}}) {
            check_output(path, a->force, inputs);
            auto rs = render_sheet_file(sheet, pg, path);
            std::printf("wrote %s (small multiples, %zu maps, legend %s..%s)\n", path.c_str(), rs.size(),
                        short_num(rs.front().legend_lo).c_str(), short_num(rs.front().legend_hi).c_str());
        }
        if (!a->write_raster.empty())
            for (size_t i = 0; i < rasters.size(); ++i)
                write_raster_qml(rasters[i], with_suffix(a->write_raster, period_label(periods[i], *by)), spec.density_style);
    });
}

} // namespace nexusmap::cli
