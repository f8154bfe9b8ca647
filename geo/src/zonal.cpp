#include "nexusmap/zonal.hpp"

#include <cmath>

#include "nexusmap/error.hpp"

namespace nexusmap {

ZonalResult zonal_counts(const EventTable& ev, const VectorLayer& polygons, const ZonalParams& p, Progress progress) {
    if (polygons.type != GeomType::Polygon) throw GeoError(polygons.source, "layer '" + polygons.name + "'", "is not a polygon layer");
    VectorLayer ll = polygons.crs.valid() && !polygons.crs.same_as(Crs::wgs84()) ? reproject(polygons, Crs::wgs84()) : polygons;
    VectorLayer eq = reproject(ll, p.area_crs);
    PolygonIndex idx(ll);
    std::vector<double> cnt(ll.features.size(), 0), wsum(ll.features.size(), 0);
    ZonalResult res;
    const bool shares = ev.share.size() == ev.size();
    int pop_field = -1;
    if (!p.population_field.empty()) {
        pop_field = ll.field_index(p.population_field);
        if (pop_field < 0)
            throw GeoError(polygons.source, "layer '" + polygons.name + "'", "has no population field '" + p.population_field + "'");
    }
    for (size_t i = 0; i < ev.size(); ++i) {
        if ((i & 16383) == 0) progress(0.9 * double(i) / double(std::max<size_t>(1, ev.size())), "counting events per polygon");
        int k = idx.locate(ev.lon[i], ev.lat[i]);
        if (k < 0) {
            ++res.outside;
            res.outside_events += shares ? double(ev.share[i]) : 1.0;
            res.outside_weight += ev.weight[i];
            continue;
        }
        cnt[k] += shares ? double(ev.share[i]) : 1.0;
        wsum[k] += ev.weight[i];
    }
    VectorLayer& out = res.layer;
    out.name = polygons.name + "_summary";
    out.source = polygons.source;
    out.crs = Crs::wgs84();
    out.type = GeomType::Polygon;
    out.metadata = polygons.metadata;
    std::vector<int> keep;
    for (size_t i = 0; i < ll.fields.size(); ++i) {
        bool k = p.keep_fields.empty();
        for (auto& f : p.keep_fields) k = k || ll.field_index(f) == static_cast<int>(i);
        if (k) keep.push_back(static_cast<int>(i)), out.fields.push_back(ll.fields[i]);
    }
    for (auto* f : {"events", "weighted", "area_km2", "events_per_10k_km2", "weighted_per_10k_km2"}) out.fields.push_back(f);
    if (pop_field >= 0)
        for (auto* f : {"population", "events_per_100k_pop", "weighted_per_100k_pop"}) out.fields.push_back(f);
    for (size_t i = 0; i < ll.features.size(); ++i) {
        Feature f;
        f.geom = ll.features[i].geom;
        for (int k : keep) f.attrs.push_back(ll.features[i].attrs[k]);
        const double a = area(eq.features[i].geom) / 1e6;
        // Whole counts stay integers; spread fractions make them real numbers.
        if (shares) f.attrs.push_back(cnt[i]);
        else f.attrs.push_back(static_cast<int64_t>(cnt[i]));
        f.attrs.push_back(wsum[i]);
        f.attrs.push_back(a);
        f.attrs.push_back(a > 0 ? cnt[i] / a * 1e4 : std::nan(""));
        f.attrs.push_back(a > 0 ? wsum[i] / a * 1e4 : std::nan(""));
        if (pop_field >= 0) {
            const auto pop = attr_to_double(ll.features[i].attrs[size_t(pop_field)]);
            const bool ok = pop && std::isfinite(*pop) && *pop > 0;
            f.attrs.push_back(ok ? *pop : std::nan(""));
            f.attrs.push_back(ok ? cnt[i] / *pop * 1e5 : std::nan(""));
            f.attrs.push_back(ok ? wsum[i] / *pop * 1e5 : std::nan(""));
        }
        out.features.push_back(std::move(f));
    }
    progress(1.0, "zonal done");
    return res;
}

} // namespace nexusmap
