// Session <-> JSON project (the format and its parser are in project.hpp, pure logic).
// Opening a project starts the loaders for its files right away; once every load has finished
// (successfully or not), styles, order, heat parameters, time window and type filter are applied
// to whatever arrived. The view is set at once, so loads do not re-fit it.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/text.hpp"
#include "viewer/app.hpp"
#include "viewer/kernel_shapes.hpp"
#include "viewer/project.hpp"

namespace nexusmap::viewer {

namespace fs = std::filesystem;

namespace {
std::string norm(const std::string& p) {
    std::error_code ec;
    fs::path a = fs::weakly_canonical(fs::absolute(p, ec), ec);
    if (ec) a = fs::absolute(p, ec).lexically_normal();
    return a.string();
}
std::string lower(std::string_view s) { return ascii_lower(s); }
ProjectLayerStyle to_project(const LayerStyle& s, const VectorLayer& data) {
    ProjectLayerStyle o;
    o.visible = s.visible;
    o.opacity = s.opacity;
    o.fill = s.fill;
    o.fill_color = s.fill_color;
    o.outline = s.outline;
    o.line_color = s.line_color;
    o.line_width = s.line_width;
    o.point_size = s.point_size;
    if (s.category_field >= 0 && size_t(s.category_field) < data.fields.size())
        o.category_field = data.fields[size_t(s.category_field)];
    return o;
}
} // namespace

Project App::current_project() const {
    Project p;
    for (const auto& l : doc_.layers) {
        ProjectLayer pl;
        pl.path = norm(l->data.source);
        pl.layer = l->data.name;
        pl.title = l->title;
        pl.style = to_project(l->style, l->data);
        p.layers.push_back(std::move(pl));
    }
    for (const auto& [at, pl] : unloaded_layers_)
        p.layers.insert(p.layers.begin() + std::ptrdiff_t(std::min(at, p.layers.size())), pl);
    if (!doc_.events && unloaded_events_) p.events = unloaded_events_;
    if (doc_.events) {
        const EventSet& ev = *doc_.events;
        ProjectEvents e;
        e.path = norm(ev.table.source);
        e.visible = ev.style.visible;
        e.radius_px = ev.style.radius_px;
        e.opacity = ev.style.opacity;
        e.color_by_type = ev.style.color_by_type;
        e.color = ev.style.color;
        e.all_dates = ev.window.all;
        if (!ev.table.day.empty() && ev.window.last >= ev.window.first) e.window_start = month_label(ev.window.start);
        e.window_months = ev.window.length;
        for (size_t t = 0; t < ev.type_on.size() && t < ev.table.type_names.size(); ++t)
            if (!ev.type_on[t]) e.hidden_types.push_back(ev.table.type_names[t]);
        for (size_t c = 0; c < ev.country_on.size() && c < ev.table.country_names.size(); ++c)
            if (!ev.country_on[c]) e.hidden_countries.push_back(ev.table.country_names[c]);
        e.actors = ev.actors_on;
        e.min_fatalities = ev.min_fatalities;
        p.events = std::move(e);
    }
    const HeatParams& h = doc_.heat;
    p.heat.visible = h.visible;
    p.heat.kernel = kKernelNames[kernel_code(h.kernel)];
    p.heat.bandwidth_km = h.bandwidth_km;
    p.heat.weight = h.weight == WeightMode::Fatalities ? "fatalities"
                                                       : (h.weight == WeightMode::WeightColumn ? "weight" : "count");
    p.heat.ramp = kRampNames[size_t(h.ramp)];
    p.heat.scale = kScaleNames[size_t(h.scale)];
    p.heat.auto_range = h.range != HeatRangeMode::Typed;
    p.heat.range_mode = heat_range_id(h.range);
    p.heat.lo = h.lo;
    p.heat.hi = h.hi;
    p.heat.opacity = h.opacity;
    p.heat.threshold = h.threshold;
    double lon = view_.cx, lat = view_.cy;
    lonlat_->inverse(lon, lat);
    // Rounded (1e-9 degrees, ~0.1 mm; 1e-9 km per pixel) so that open + save gives the same file
    // despite the forward/inverse projection round trip.
    auto round9 = [](double v) { return std::round(v * 1e9) / 1e9; };
    // km_per_px is ground km per pixel at the centre for the Mercator and lon/lat displays (the
    // display units are not ground metres there); the equal-area display keeps its own metres.
    const double ground = lonlat_->identity() ? 1.0 : lonlat_->ground_per_display(view_.cx, view_.cy);
    if (std::isfinite(lon) && std::isfinite(lat)) {
        p.view = ProjectView{round9(lon), round9(lat), round9(view_.m_per_px * ground / 1000.0)};
        p.view->display_crs = display_name(lonlat_->kind());
    }
    // Each panel's own state (bookmarks, sketches, graticule, UI scale and theme, ...).
    for (const Panel* panel : panels_)
        if (const nlohmann::json st = panel->save_state(); !st.is_null())
            p.panels[panel->name()] = nlohmann::ordered_json::parse(st.dump());
    return p;
}

void App::save_project(const std::string& path) const {
    write_text_atomic(path, project_to_json(current_project())); // throws GeoError with the reason
}

void App::open_project(const std::string& path) {
    ProjectParse r = open_project_file(path); // paths resolved against the project's folder
    if (!r.project) {
        doc_.messages.push_back(r.error);
        std::cerr << "nexusmap: " << r.error << "\n";
        export_panel_.set_status(r.error, true);
        open_failed_ = true;
        return;
    }
    Project& p = *r.project;
    // Names that only the viewer knows are checked here, before anything loads.
    std::string bad;
    if (!kernel_from_name(p.heat.kernel)) bad = "heat.kernel: unknown kernel \"" + p.heat.kernel + "\"";
    bool ramp_ok = false;
    for (const char* name : kRampNames)
        ramp_ok |= !p.heat.ramp.empty() && lower(name).rfind(lower(p.heat.ramp), 0) == 0;
    if (bad.empty() && !ramp_ok) bad = "heat.ramp: unknown ramp \"" + p.heat.ramp + "\"";
    if (!bad.empty()) {
        const std::string msg = path + ": " + bad;
        doc_.messages.push_back(msg);
        std::cerr << "nexusmap: " << msg << "\n";
        export_panel_.set_status(msg, true);
        open_failed_ = true;
        return;
    }
    // Paths that leave the project's folder still open, with a warning naming them.
    for (const auto& w : r.warnings) {
        doc_.messages.push_back("warning: " + w);
        std::cerr << "nexusmap: warning: " << w << "\n";
    }
    if (p.view) {
        if (auto k = display_from_name(p.view->display_crs); k && *k != lonlat_->kind()) set_display(*k);
        double x = p.view->lon, y = p.view->lat;
        lonlat_->forward(x, y);
        if (std::isfinite(x) && std::isfinite(y)) {
            view_.cx = x;
            view_.cy = y;
            const double ground = lonlat_->identity() ? 1.0 : lonlat_->ground_per_display(x, y);
            view_.m_per_px =
                std::clamp(p.view->km_per_px * 1000 / ground, view_.min_m_per_px, view_.max_m_per_px);
            user_moved_ = true;
        }
    }
    loads_started_ = true;
    std::set<std::string> started;
    for (const auto& l : p.layers)
        if (started.insert(norm(l.path)).second) open_file(l.path);
    if (p.events && started.insert(norm(p.events->path)).second) open_file(p.events->path);
    pending_project_ = std::move(p);
    export_panel_.set_status("opening project " + path, false);
}

void App::apply_pending_project() {
    Project p = std::move(*pending_project_);
    pending_project_.reset();
    // Layers: match by (source, layer name), apply styles, then put them in the project's order
    // (layers the project does not list keep their place after the listed ones, except the other
    // layers of a multi-layer file the project names: it listed the ones it wanted).
    std::vector<std::unique_ptr<MapLayer>> ordered;
    unloaded_layers_.clear();
    unloaded_events_.reset();
    std::set<std::string> project_files;
    for (const auto& pl : p.layers)
        if (!pl.layer.empty()) project_files.insert(norm(pl.path));
    for (size_t pi = 0; pi < p.layers.size(); ++pi) {
        const ProjectLayer& pl = p.layers[pi];
        const std::string want = norm(pl.path);
        auto it = std::find_if(doc_.layers.begin(), doc_.layers.end(), [&](const std::unique_ptr<MapLayer>& l) {
            return l && norm(l->data.source) == want && (pl.layer.empty() || l->data.name == pl.layer);
        });
        if (it == doc_.layers.end()) {
            doc_.messages.push_back("project: layer " + (pl.layer.empty() ? pl.path : pl.path + " / " + pl.layer) +
                                    " did not load (kept in the project)");
            unloaded_layers_.emplace_back(pi, pl);
            continue;
        }
        MapLayer& l = **it;
        const auto& s = pl.style;
        if (!pl.title.empty()) l.title = pl.title;
        l.style.visible = s.visible;
        l.style.opacity = s.opacity;
        l.style.fill = s.fill;
        l.style.fill_color = s.fill_color;
        l.style.outline = s.outline;
        l.style.line_color = s.line_color;
        l.style.line_width = s.line_width;
        l.style.point_size = s.point_size;
        l.style.category_field = s.category_field.empty() ? -1 : l.data.field_index(s.category_field);
        if (!s.category_field.empty() && l.style.category_field < 0)
            doc_.messages.push_back("project: " + l.title + " has no field \"" + s.category_field + "\"");
        ordered.push_back(std::move(*it));
    }
    for (auto& l : doc_.layers)
        if (l && !project_files.count(norm(l->data.source))) ordered.push_back(std::move(l));
    doc_.layers = std::move(ordered);

    HeatParams& h = doc_.heat;
    if (auto k = kernel_from_name(p.heat.kernel)) h.kernel = *k;
    h.visible = p.heat.visible;
    h.bandwidth_km = p.heat.bandwidth_km;
    h.weight = p.heat.weight == "fatalities" ? WeightMode::Fatalities
                                             : (p.heat.weight == "weight" ? WeightMode::WeightColumn : WeightMode::Count);
    for (size_t r = 0; r < kRampNames.size(); ++r)
        if (lower(kRampNames[r]).rfind(lower(p.heat.ramp), 0) == 0) {
            h.ramp = Ramp(r);
            break;
        }
    for (size_t sc = 0; sc < kScaleNames.size(); ++sc)
        if (p.heat.scale == kScaleNames[sc]) h.scale = Scale(sc);
    // Older projects have only auto_range (false: typed); an unknown mode falls back to fixed.
    h.range = !p.heat.auto_range ? HeatRangeMode::Typed : heat_range_from_id(p.heat.range_mode).value_or(HeatRangeMode::FixedAllPeriods);
    h.lo = p.heat.lo;
    h.hi = p.heat.hi;
    h.opacity = p.heat.opacity;
    h.threshold = p.heat.threshold;

    if (p.events && doc_.events) {
        EventSet& ev = *doc_.events;
        const ProjectEvents& e = *p.events;
        if (norm(ev.table.source) != norm(e.path))
            doc_.messages.push_back("project: events " + e.path + " did not load (showing " + ev.title + ")");
        ev.style.visible = e.visible;
        ev.style.radius_px = e.radius_px;
        ev.style.opacity = e.opacity;
        ev.style.color_by_type = e.color_by_type;
        ev.style.color = e.color;
        ev.window.all = e.all_dates;
        if (const auto start = parse_month(e.window_start)) ev.window.start = *start; // empty: keep
        ev.window.length = e.window_months;
        ev.window.clamp();
        for (size_t t = 0; t < ev.type_on.size() && t < ev.table.type_names.size(); ++t)
            ev.type_on[t] = std::find(e.hidden_types.begin(), e.hidden_types.end(), ev.table.type_names[t]) ==
                            e.hidden_types.end();
        if (!e.hidden_countries.empty()) {
            ev.country_on.assign(ev.table.country_names.size(), true);
            for (size_t c = 0; c < ev.table.country_names.size(); ++c)
                ev.country_on[c] = std::find(e.hidden_countries.begin(), e.hidden_countries.end(),
                                             ev.table.country_names[c]) == e.hidden_countries.end();
        }
        ev.actors_on = e.actors;
        std::sort(ev.actors_on.begin(), ev.actors_on.end()); // rebuild_keep() binary-searches them
        ev.min_fatalities = e.min_fatalities;
        ev.rebuild_keep();
        heat_.invalidate();
    } else if (p.events) {
        doc_.messages.push_back("project: events " + p.events->path + " did not load (kept in the project)");
        unloaded_events_ = p.events;
    }
    if (p.panels.is_object())
        for (Panel* panel : panels_)
            if (p.panels.contains(panel->name()))
                if (const std::string err = panel->load_state(nlohmann::json::parse(p.panels[panel->name()].dump()));
                    !err.empty())
                    doc_.messages.push_back("project: panels." + std::string(panel->name()) + "." + err);
    export_panel_.set_status("project opened", false);
}

} // namespace nexusmap::viewer
