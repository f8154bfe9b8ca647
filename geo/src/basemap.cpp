// Base layers of briefing maps and the study-area frame (basemap.hpp).
#include "nexusmap/basemap.hpp"

#include <algorithm>
#include <filesystem>

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

} // namespace nexusmap
