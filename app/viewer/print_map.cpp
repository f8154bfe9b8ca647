// Print map from the viewer: gathers the viewer's state on the main thread (copies, so the worker
// never touches the document), then on a worker computes geo's exact KDE on the heat grid when no
// current one is at hand and renders the map with geo's render_map_file, the code behind
// `nexusmap map`. The MapSpec itself is built by build_print_map() (print_map.hpp, pure logic).
#include "viewer/print_map.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "nexusmap/animation.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/text.hpp"
#include "viewer/app.hpp"
#include "viewer/kernel_shapes.hpp"

namespace nexusmap::viewer {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view s) { return ascii_lower(s); }

PrintLayer print_layer(const MapLayer& l) {
    PrintLayer p;
    p.visible = l.style.visible;
    p.opacity = l.style.opacity;
    p.fill = l.style.fill;
    p.fill_color = l.style.fill_color;
    p.outline = l.style.outline;
    p.line_color = l.style.line_color;
    p.line_width_px = l.style.line_width;
    if (l.style.category_field >= 0 && size_t(l.style.category_field) < l.data.fields.size())
        p.category_field = l.data.fields[size_t(l.style.category_field)];
    return p;
}

const char* units_of(WeightMode w) {
    switch (w) {
    case WeightMode::Fatalities:
        return "fatalities per km\u00b2";
    case WeightMode::WeightColumn:
        return "weight per km\u00b2";
    default:
        return "events per km\u00b2";
    }
}

struct PrintData {
    PrintMapInput in;
    VectorLayer admin0, admin1, routes, hot, places;
    std::vector<Vec2> events;
    std::optional<Raster> density;
    std::optional<ExactKdeInput> kde;
    PageSetup page;
    std::string path;
    // Time-lapse (geo animation.hpp): the events passing every filter but the time window, with
    // dates, in the analysis CRS; one frame per period of the window (or of all dates).
    std::optional<PeriodUnit> by;
    EventTable anim;
    AnimationSpec anim_spec;
};

// The time-lapse's inputs: the events passing every filter except the time window, weighted as the
// heat is, on the heat grid with its kernel; the window (when on) is the run of periods.
void gather_timelapse(PrintData& d, const EventSet& ev, const HeatParams& p, const HeatmapRenderer& heat) {
    if (!heat.valid()) throw std::runtime_error("the heatmap is not ready yet");
    const EventTable& t = ev.table;
    EventTable& a = d.anim;
    a.crs = t.crs, a.source = t.source, a.schema = t.schema, a.synthetic = t.synthetic;
    for (size_t i = 0; i < t.size(); ++i) {
        if (!ev.keep.empty() && i < ev.keep.size() && !ev.keep[i]) continue;
        const uint16_t ty = t.type.empty() ? 0 : t.type[i];
        if (ty < ev.type_on.size() && !ev.type_on[ty]) continue;
        if (!std::isfinite(t.x[i]) || !std::isfinite(t.y[i])) continue;
        a.x.push_back(t.x[i]), a.y.push_back(t.y[i]), a.lon.push_back(t.lon[i]), a.lat.push_back(t.lat[i]);
        a.day.push_back(t.day.empty() ? kNoDay : t.day[i]);
        a.weight.push_back(p.weight == WeightMode::Fatalities     ? (t.fatalities.empty() ? 0.f : t.fatalities[i])
                           : p.weight == WeightMode::WeightColumn ? (t.weight.empty() ? 1.f : t.weight[i])
                                                                  : 1.f);
    }
    AnimationSpec& s = d.anim_spec;
    s.events = &d.anim;
    s.grid = heat.grid();
    s.kde = exact_kde_input(EventSet{}, p, s.grid).params;
    s.kde.method = KdeMethod::Auto;
    s.by = *d.by;
    if (!ev.window.all)
        s.from_day = month_start_day(ev.window.start), s.to_day = month_start_day(ev.window.start + ev.window.length) - 1;
    s.scale = p.scale;
    if (p.range == HeatRangeMode::Typed) s.vmin = p.lo, s.vmax = p.hi; // otherwise fixed over all frames
}

MapRenderResult run_timelapse(PrintData& d, Progress& progress) {
    const std::string places = data_dir() + "/basemap/places_west_africa.geojson";
    if (d.in.labels && fs::exists(places)) {
        ReadLayerOptions ro;
        ro.target_crs = d.in.crs;
        d.places = read_layer(places, ro);
        d.in.places = &d.places;
    }
    d.in.density = nullptr;
    MapSpec base = build_print_map(d.in);
    // Static layers that belong to the whole window would mislead on a per-period frame.
    base.hotspots = nullptr, base.events = nullptr;
    style::RasterStyle& st = base.density_style;
    st.ramp = d.in.ramp;
    st.opacity = std::clamp(double(d.in.opacity), 0.0, 1.0);
    st.fade_t = 0;
    st.min_t = std::max(1e-6, double(d.in.threshold));
    st.units = d.in.units;
    base.density_title = "Kernel density (" + d.in.kernel + ", " + print_num(d.in.bandwidth_km) + " km)";
    AnimationSpec& s = d.anim_spec;
    s.base = base;
    s.title = d.in.title.empty() ? "Conflict event density" : d.in.title;
    s.source_line = "Source: " + d.in.events_source + " (" + d.in.events_schema + ")  \u00b7  synthetic=" +
                    (d.in.synthetic ? "true" : "false") + "  \u00b7  kernel " + d.in.kernel + ", bandwidth " +
                    print_num(d.in.bandwidth_km) + " km, cell " + print_num(s.grid.cell / 1000) + " km" +
                    (d.in.filters.empty() ? "" : "  \u00b7  " + d.in.filters);
    const AnimationResult r = write_animation(s, d.path, true, progress);
    MapRenderResult out = r.layout;
    out.label = std::to_string(r.periods.size()) + " frames, " + period_label(r.periods.front(), s.by) + " to " +
                period_label(r.periods.back(), s.by) + ", " + (r.fixed_scale ? "fixed" : "typed") + " scale 0.." +
                short_num(r.scale.hi);
    return out;
}

} // namespace

Job& App::start_print_map(const std::string& path, const std::string& paper, int dpi, bool landscape,
                          std::optional<PeriodUnit> timelapse) {
    const auto fmt = timelapse ? std::optional<ImageFormat>(ImageFormat::Png) : image_format_for(path);
    if (!fmt) throw std::runtime_error(path + ": the print map must be .png, .pdf or .svg");
    if (timelapse && !animation_format_for(path)) throw std::runtime_error(path + ": a time-lapse must be .gif, .mp4 or .webm");
    if (timelapse && !doc_.events) throw std::runtime_error("a time-lapse needs events");
    if (doc_.layers.empty() && !doc_.events) throw std::runtime_error("nothing loaded to print");
    auto data = std::make_shared<PrintData>();
    data->path = path;
    data->by = timelapse;
    data->page = print_page(*fmt, paper, double(std::clamp(dpi, 36, 600)), landscape); // throws for unknown paper
    PrintMapInput& in = data->in;
    in.crs = doc_.analysis;

    // The canvas in the analysis CRS: its edges through the display chain (identity for the
    // equal-area display), so the printed extent is what the screen shows.
    {
        BBox b = BBox::inverted();
        const int n = 16;
        for (int i = 0; i <= n; ++i)
            for (int side = 0; side < 4; ++side) {
                const double f = double(i) / n;
                const double sx = side < 2 ? view_.vx + f * view_.vw : view_.vx + (side == 2 ? 0 : view_.vw);
                const double sy = side < 2 ? view_.vy + (side == 0 ? 0 : view_.vh) : view_.vy + f * view_.vh;
                ScreenPt p = view_.to_map(sx, sy);
                if (!lonlat_->identity()) lonlat_->to_analysis(p.x, p.y);
                if (std::isfinite(p.x) && std::isfinite(p.y)) b.expand(p.x, p.y);
            }
        if (!(b.xmax > b.xmin && b.ymax > b.ymin)) throw std::runtime_error("the current view has no extent");
        in.view = b;
    }

    // Base layers (by name, else by role as the loader styled them) and routes (first line layer).
    const MapLayer *a0 = nullptr, *a1 = nullptr, *rt = nullptr;
    for (const auto& l : doc_.layers) {
        const std::string n = lower(l->data.name);
        if (l->data.type == GeomType::Polygon && n == "admin0" && !a0) a0 = l.get();
        if (l->data.type == GeomType::Polygon && n == "admin1" && !a1) a1 = l.get();
    }
    for (const auto& l : doc_.layers) {
        if (l->data.type == GeomType::Polygon && !a0 && l.get() != a1 && l->style.fill) a0 = l.get();
        if (l->data.type == GeomType::Polygon && !a1 && l.get() != a0 && !l->style.fill) a1 = l.get();
        if (l->data.type == GeomType::Line && !rt) rt = l.get();
    }
    if (a0) {
        data->admin0 = a0->data; // also the inset, visible or not
        in.admin0 = print_layer(*a0);
    }
    if (a1 && a1->style.visible) {
        data->admin1 = a1->data;
        in.admin1 = print_layer(*a1);
    }
    if (rt && rt->style.visible) {
        data->routes = rt->data;
        in.routes = print_layer(*rt);
    }

    // Events, heat and filters.
    if (doc_.events) {
        const EventSet& ev = *doc_.events;
        const EventTable& t = ev.table;
        const HeatParams& p = doc_.heat;
        size_t n = 0;
        for (size_t i = 0; i < t.size(); ++i) {
            if (!ev.passes(i) || !std::isfinite(t.x[i]) || !std::isfinite(t.y[i])) continue;
            ++n;
            if (ev.style.visible) data->events.push_back({t.x[i], t.y[i]});
        }
        in.n_events = n;
        in.event_radius_px = ev.style.radius_px;
        in.event_opacity = ev.style.opacity;
        // Exactly what is drawn: the events and the shown basemap/route layers.
        in.inputs.push_back(doc_.events->table.prov.path.empty() ? detect_provenance(t) : t.prov);
        in.inputs.back().synthetic = in.inputs.back().synthetic || ev.synthetic;
        for (const MapLayer* l : {a0, a1 && a1->style.visible ? a1 : nullptr, rt && rt->style.visible ? rt : nullptr})
            if (l) in.inputs.push_back(l->data.prov);
        in.synthetic = false;
        for (auto& p : in.inputs) in.synthetic = in.synthetic || p.synthetic;
        in.events_source = fs::path(t.source).filename().string();
        in.events_schema = t.schema;
        if (ev.window.all) {
            const auto dr = t.day_range();
            in.window = dr[0] == kNoDay ? "all dates" : format_date(dr[0]) + " \u2013 " + format_date(dr[1]);
        } else {
            in.window = month_label(ev.window.start) + " \u2013 " + month_label(ev.window.start + ev.window.length - 1);
        }
        std::string filters;
        auto add = [&](const std::string& s) { filters += (filters.empty() ? "" : "; ") + s; };
        std::string hidden;
        for (size_t k = 0; k < ev.type_on.size() && k < t.type_names.size(); ++k)
            if (!ev.type_on[k]) hidden += (hidden.empty() ? "" : ", ") + t.type_names[k];
        if (!hidden.empty()) add("hidden types: " + hidden);
        std::string countries;
        for (size_t c = 0; c < ev.country_on.size() && c < t.country_names.size(); ++c)
            if (!ev.country_on[c]) countries += (countries.empty() ? "" : ", ") + t.country_names[c];
        if (!countries.empty()) add("hidden countries: " + countries);
        if (!ev.actors_on.empty()) add(std::to_string(ev.actors_on.size()) + " actor(s) selected");
        if (ev.min_fatalities > 0) add("fatalities \u2265 " + print_num(ev.min_fatalities));
        in.filters = filters;
        in.kernel = kKernelNames[kernel_code(p.kernel)];
        in.bandwidth_km = p.bandwidth_km;
        in.weights = p.weight == WeightMode::Fatalities ? "fatalities"
                     : p.weight == WeightMode::WeightColumn ? "weight"
                                                            : "count";
        in.units = units_of(p.weight);
        in.heat_visible = p.visible;
        in.ramp = p.ramp;
        in.opacity = p.opacity;
        in.threshold = p.threshold;
        if (p.visible && heat_.valid()) {
            // What the screen shows: the heat grid, the viewer's colour range; geo's exact raster
            // on that grid (the one already computed for the Heatmap panel when it is current).
            in.range = heat_.value_scale(p);
            in.range_note = heat_range_note(p.range, &ev.window, std::isfinite(heat_.fixed_max()));
            in.cell_km = heat_.grid().cell / 1000;
            if (const Raster* r = heatmap_panel_.current_exact(doc_, heat_.grid()))
                data->density = *r;
            else
                data->kde = exact_kde_input(ev, p, heat_.grid());
        }
    }
    if (analysis_.hotspots_shown()) {
        const HotspotOutput& h = *analysis_.hotspots();
        data->hot = hotspot_cells_layer(h);
        in.hotspot_note = "Gi* " + print_num(h.product->gi.distance_m / 1000) + " km band, " +
                          print_num(h.params.gi.units.cell_km) + " km cells" + (h.params.gi.fdr ? ", FDR" : "");
    }
    if (timelapse) gather_timelapse(*data, *doc_.events, doc_.heat, heat_);
    // Pointers into the shared data (its address is fixed from here on).
    in.admin0.data = a0 ? &data->admin0 : nullptr;
    in.admin1.data = a1 && a1->style.visible ? &data->admin1 : nullptr;
    in.routes.data = rt && rt->style.visible ? &data->routes : nullptr;
    in.hotspots = analysis_.hotspots_shown() ? &data->hot : nullptr;
    in.events = doc_.events && doc_.events->style.visible ? &data->events : nullptr;

    const Crs crs = doc_.analysis;
    return jobs_.start<MapRenderResult>(
        (timelapse ? "time-lapse " : "print map ") + fs::path(path).filename().string(),
        [data, crs](Progress& progress) {
            if (data->by) return run_timelapse(*data, progress);
            if (!data->density && data->kde) {
                Progress sub([&progress](double f, std::string_view stage) {
                    try {
                        progress(0.85 * f, stage);
                        return true;
                    } catch (const Cancelled&) {
                        return false;
                    }
                });
                data->density = data->kde->run(crs, sub).raster;
            }
            data->in.density = data->density ? &*data->density : nullptr;
            // Place names for the labels: the bundled Natural Earth places, read here in the job.
            const std::string places = data_dir() + "/basemap/places_west_africa.geojson";
            if (data->in.labels && fs::exists(places)) {
                ReadLayerOptions ro;
                ro.target_crs = crs;
                data->places = read_layer(places, ro);
                data->in.places = &data->places;
            }
            progress(0.88, "rendering");
            const MapSpec spec = build_print_map(data->in);
            MapRenderResult r = render_map_file(spec, data->page, data->path); // atomic (geo)
            progress(1.0, "written");
            return r;
        },
        [this, path, timelapse](MapRenderResult&& r) {
            if (timelapse) {
                export_panel_.set_status("saved " + path + ": " + r.label, false);
                doc_.messages.push_back("time-lapse " + path + ": " + r.label);
                return;
            }
            std::string msg = "saved " + path + " (" + std::to_string(r.device_width) + " x " +
                              std::to_string(r.device_height) + ")";
            if (std::isfinite(r.legend_hi))
                msg += "; legend " + short_num(r.legend_lo) + " .. " + short_num(r.legend_hi) + " " + r.legend_units;
            export_panel_.set_status(msg, false);
            doc_.messages.push_back("printed " + path);
            last_print_ = std::move(r);
        });
}

} // namespace nexusmap::viewer
