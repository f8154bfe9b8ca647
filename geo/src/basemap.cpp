// Base layers of briefing maps and the study-area frame (basemap.hpp).
#include "nexusmap/basemap.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "nexusmap/error.hpp"
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
