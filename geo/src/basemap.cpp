// Base layers of briefing maps and the study-area frame (basemap.hpp).
#include "nexusmap/basemap.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <fstream>

#include <nlohmann/json.hpp>

#include "nexusmap/error.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/text.hpp"
#include "nexusmap/version.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap {

namespace {
VectorLayer read_spec(const std::string& spec, const std::string& layer, const Crs& crs) {
    auto [f, l] = split_layer_spec(spec);
    ReadLayerOptions ro;
    ro.layer = layer.empty() ? l : layer;
    ro.target_crs = crs;
    return read_layer(f, ro);
}
} // namespace

Basemap load_basemap(const BasemapOptions& o, const Crs& crs) {
    Basemap b;
    b.basemap = o.basemap.empty() ? o.data_dir + "/basemap/west_africa.gpkg" : o.basemap;
    b.admin0 = read_spec(b.basemap, "admin0", crs);
    if (o.admin1) {
        const auto layers = list_layers(b.basemap);
        if (std::find(layers.begin(), layers.end(), "admin1") != layers.end()) b.admin1 = read_spec(b.basemap, "admin1", crs);
    }
    if (o.labels) {
        const std::string pf = o.places.empty() ? o.data_dir + "/basemap/places_west_africa.geojson" : o.places;
        if (!o.places.empty() || std::filesystem::exists(pf)) b.places = read_spec(pf, "", crs);
    }
    if (!o.routes.empty() || o.demo_routes) {
        b.routes = read_spec(o.routes.empty() ? o.data_dir + "/demo/routes_illustrative.geojson" : o.routes, "", crs);
        b.have_routes = true;
    }
    return b;
}

BBox study_extent(const VectorLayer& admin0, const std::vector<std::string>& iso3, double pad) {
    BBox e = BBox::inverted();
    const int fi = admin0.field_index("iso_a3");
    for (const auto& f : admin0.features) {
        if (fi >= 0 && size_t(fi) < f.attrs.size() &&
            std::find(iso3.begin(), iso3.end(), attr_to_string(f.attrs[size_t(fi)])) == iso3.end())
            continue;
        const BBox fb = f.geom.bbox();
        e.expand(fb.xmin, fb.ymin), e.expand(fb.xmax, fb.ymax);
    }
    if (e.empty()) e = admin0.bbox();
    const double px = e.width() * pad, py = e.height() * pad;
    return {e.xmin - px, e.ymin - py, e.xmax + px, e.ymax + py};
}

size_t events_outside(const EventTable& ev, const BBox& extent, const Crs& crs, const std::string& extent_source) {
    if (ev.x.size() != ev.size()) return 0;
    size_t n = 0;
    BBox eb = BBox::inverted();
    for (size_t i = 0; i < ev.size(); ++i) {
        n += !extent.contains(ev.x[i], ev.y[i]);
        eb.expand(ev.lon[i], ev.lat[i]);
    }
    if (ev.size() > 0 && n == ev.size()) {
        const BBox m = Transformer(Crs::wgs84(), crs).inverse_bbox(extent);
        char buf[400];
        std::snprintf(buf, sizeof buf,
                      "none of the %zu events lies inside the map extent (lon %.4g..%.4g, lat %.4g..%.4g, %s): the "
                      "events span lon %.4g..%.4g, lat %.4g..%.4g (latitude and longitude swapped? another region? use "
                      "--bbox or --study to map where they are)",
                      ev.size(), m.xmin, m.xmax, m.ymin, m.ymax, extent_source.c_str(), eb.xmin, eb.xmax, eb.ymin,
                      eb.ymax);
        throw GeoError(ev.source, "", buf);
    }
    return n;
}

VectorLayer read_hotspot_output(const std::string& path, Crs& crs, const std::string& field) {
    VectorLayer hot;
    const std::string e = ascii_lower(std::filesystem::path(path).extension().string());
    if (e == ".tif" || e == ".tiff") {
        Raster bins = read_raster(path, 3);
        if (bins.crs.valid()) crs = bins.crs;
        hot = bin_raster_polygons(bins);
        hot.source = path;
        hot.metadata = bins.metadata;
    } else {
        ReadLayerOptions ro;
        ro.target_crs = crs;
        hot = read_layer(path, ro);
        if (e == ".geojson" || e == ".json") {
            std::ifstream in(path);
            auto j = nlohmann::json::parse(in, nullptr, false);
            if (!j.is_discarded() && j.is_object() && j.contains("metadata") && j["metadata"].is_object())
                for (auto& [k, v] : j["metadata"].items())
                    if (v.is_string()) hot.metadata[k] = v.get<std::string>();
        }
    }
    if (hot.field_index(field) < 0)
        throw GeoError(path, "", "has no '" + field + "' field (a Gi* bin -3..3; see --hot-field)");
    return hot;
}

namespace {
std::string get(const Metadata& m, const std::string& k, const std::string& def = "") {
    auto it = m.find(k);
    return it == m.end() || it->second.empty() ? def : it->second;
}
} // namespace

MapSources map_sources(const EventTable* ev, const Metadata* raster_md, const std::string& raster_path,
                       const Metadata* hot_md, const std::string& hot_path, const Basemap& base, bool routes_bundled) {
    MapSources s;
    if (ev) s.used.push_back(ev->prov);
    auto from_output = [&](const Metadata& md, const std::string& path) {
        InputProvenance p = detect_provenance(md, path, "analysis output");
        p.illustrative = p.illustrative || get(md, "illustrative_routes") == "true";
        s.used.push_back(p);
    };
    if (!ev && raster_md) from_output(*raster_md, raster_path);
    if (hot_md) from_output(*hot_md, hot_path);
    s.used.push_back(base.admin0.prov);
    if (!base.admin1.features.empty()) s.used.push_back(base.admin1.prov);
    if (!base.places.features.empty()) s.used.push_back(base.places.prov);
    if (base.have_routes) {
        InputProvenance rp = base.routes.prov;
        if (routes_bundled) rp.illustrative = true;
        s.used.push_back(rp);
    }
    for (auto& p : s.used)
        s.synthetic |= p.synthetic, s.illustrative |= p.illustrative;
    const Metadata none;
    const Metadata& rmd = raster_md ? *raster_md : none;
    const Metadata& hmd = hot_md ? *hot_md : none;
    if (ev) {
        s.source = std::filesystem::path(ev->source).filename().string();
        s.schema = ev->schema;
    } else {
        s.source = std::filesystem::path(get(rmd, "inputs", get(hmd, "inputs", raster_path.empty() ? hot_path : raster_path)))
                       .filename()
                       .string();
        s.schema = get(rmd, "event_schema", get(hmd, "event_schema", "?"));
    }
    return s;
}

std::vector<std::string> MapSources::attribution() const {
    return {"Events: " + source + " (" + schema + ")" + (synthetic ? " \u2014 SYNTHETIC DEMO DATA, not real events" : "") +
                (illustrative ? ". Routes: ILLUSTRATIVE, not an intelligence product." : "."),
            "Data: " + attribution_line(used)};
}

PeriodMaps period_maps(const MapSpec& base, const std::vector<Raster>& rasters, const std::vector<size_t>& counts,
                       const std::vector<int64_t>& periods, PeriodUnit by, const PeriodMapText& text,
                       const std::function<std::vector<std::string>(const std::string&, size_t)>& footer) {
    PeriodMaps out;
    const std::string unit_name = period_unit_name(by);
    const std::string n = std::to_string(periods.size());
    for (size_t i = 0; i < periods.size(); ++i) {
        MapSpec s = base;
        s.density = &rasters[i];
        const std::string lab = period_label(periods[i], by);
        s.title = text.title + ", " + lab;
        s.subtitle = text.subtitle.empty() ? std::to_string(counts[i]) + " events in " + lab +
                                                 "  \u00b7  one colour scale for all " + n + " maps (" + text.window + ")"
                                           : text.subtitle;
        s.legend_notes = {"fixed scale: max over all " + n + " " + unit_name + "s = " + short_num(base.density_style.scale.hi)};
        s.footer = footer(lab + " (of " + text.window + ")", counts[i]);
        out.maps.push_back(std::move(s));
    }
    out.sheet.title = text.title + " by " + unit_name;
    out.sheet.subtitle = text.window + "  \u00b7  " + std::to_string(text.n_events) +
                         " events  \u00b7  one colour scale (max over all " + n + " maps)";
    for (size_t i = 0; i < out.maps.size(); ++i) {
        MapSpec s = out.maps[i];
        s.title = period_label(periods[i], by) + " (" + std::to_string(counts[i]) + ")";
        s.footer = footer(text.window, text.n_events);
        // Small cells: thinner, lighter routes and boundaries so the density reads.
        s.routes_style.width_pt = 0.5, s.routes_style.opacity = 0.55;
        s.admin0_style.width_pt = 0.4, s.admin1_style.width_pt = 0.15;
        out.sheet.maps.push_back(std::move(s));
    }
    return out;
}

std::string map_window(const EventTable* ev, std::string from, std::string to, const Metadata& rmd,
                       const Metadata& hmd) {
    if (ev && (from.empty() || to.empty())) {
        auto dr = ev->day_range();
        if (dr[0] != kNoDay) {
            if (from.empty()) from = format_date(dr[0]);
            if (to.empty()) to = format_date(dr[1]);
        }
    }
    if (from.empty()) from = get(rmd, "date_from", get(hmd, "date_from"));
    if (to.empty()) to = get(rmd, "date_to", get(hmd, "date_to"));
    return from.empty() && to.empty() ? "all dates" : from + " \u2013 " + to;
}

std::vector<std::string> map_footer(const MapSources& s, const Metadata* dmd, const Metadata* hmd,
                                    const std::string& window, size_t n_events, const Crs& crs,
                                    const std::string& command) {
    auto km = [](const std::string& v) { return v.empty() ? std::string("?") : v + " km"; };
    std::string f = "Source: " + s.source + " (" + s.schema + ")  \u00b7  synthetic=" + (s.synthetic ? "true" : "false") +
                    (s.illustrative ? "  \u00b7  illustrative routes" : "");
    if (dmd)
        f += "  \u00b7  kernel " + get(*dmd, "kernel", "?") + ", bandwidth " + km(get(*dmd, "bandwidth_km")) + ", cell " +
             km(get(*dmd, "cell_km"));
    else if (hmd)
        f += "  \u00b7  Gi* " + get(*hmd, "distance_band_km", "?") + " km band" +
             (get(*hmd, "fdr").rfind("true", 0) == 0 ? ", FDR" : "");
    f += "  \u00b7  window " + window;
    if (n_events) f += "  \u00b7  " + std::to_string(n_events) + " events";
    const std::string def = crs.definition();
    return {f, "CRS " + (def.empty() || def.size() > 60 ? crs.name() : def) + "  \u00b7  nexusmap " + kVersion + " " + command};
}

std::string density_units_label(const std::string& raster_units, const Metadata& dmd) {
    std::string u = raster_units.empty() ? get(dmd, "units") : raster_units;
    for (auto p = u.find("km^2"); p != std::string::npos; p = u.find("km^2"))
        u.replace(p, 4, "km\u00b2");
    if (u.empty()) u = "per km\u00b2";
    // Without a weight column every event counts 1: say "events", not "weight".
    if (get(dmd, "weighted") == "false" && u.rfind("weight ", 0) == 0) u.replace(0, 6, "events");
    return u;
}

void style_routes(MapSpec& spec, const VectorLayer& routes, bool illustrative) {
    spec.routes = &routes;
    std::vector<std::string> cats;
    const int fi = routes.field_index("commodity");
    for (size_t i = 0; fi >= 0 && i < routes.features.size(); ++i)
        cats.push_back(routes.attr_string(i, "commodity"));
    if (fi >= 0) style::categorical(spec.routes_style, "commodity", cats);
    spec.routes_title = illustrative ? "Routes (ILLUSTRATIVE) by commodity" : "Routes by commodity";
}

} // namespace nexusmap
