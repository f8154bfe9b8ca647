#include "nexusmap/spillover.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "fast_geom.hpp"
#include "nexusmap/distance.hpp"
#include "geos_util.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap {

using detail::geos_ctx;
using detail::GeosPtr;
using detail::GeosPreparedPtr;

// ---- Periods -------------------------------------------------------------------------------

PeriodUnit parse_period_unit(const std::string& s) {
    const std::string l = ascii_lower(s);
    if (l == "year" || l == "y" || l == "annual") return PeriodUnit::Year;
    if (l == "quarter" || l == "q") return PeriodUnit::Quarter;
    if (l == "month" || l == "m") return PeriodUnit::Month;
    throw GeoError("", "period '" + s + "'", "use year, quarter or month");
}
std::string period_unit_name(PeriodUnit u) {
    return u == PeriodUnit::Year ? "year" : u == PeriodUnit::Quarter ? "quarter" : "month";
}
double periods_per_year(PeriodUnit u) { return u == PeriodUnit::Year ? 1 : u == PeriodUnit::Quarter ? 4 : 12; }

int64_t period_index(int32_t day, PeriodUnit u) {
    int y, m, d;
    civil_from_days(day, y, m, d);
    switch (u) {
    case PeriodUnit::Year: return y;
    case PeriodUnit::Quarter: return int64_t(y) * 4 + (m - 1) / 3;
    case PeriodUnit::Month: return int64_t(y) * 12 + (m - 1);
    }
    return y;
}

// Floor division so that periods before year 0 would still work.
static int64_t floordiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string period_label(int64_t idx, PeriodUnit u) {
    char buf[64];
    if (u == PeriodUnit::Year) return std::to_string(idx);
    const int64_t per = u == PeriodUnit::Quarter ? 4 : 12;
    const int64_t y = floordiv(idx, per), k = idx - y * per;
    if (u == PeriodUnit::Quarter) std::snprintf(buf, sizeof buf, "%lld-Q%d", (long long)y, int(k) + 1);
    else std::snprintf(buf, sizeof buf, "%lld-%02d", (long long)y, int(k) + 1);
    return buf;
}

double period_mid_year(int64_t idx, PeriodUnit u) {
    // Equal-length periods within a year: the half-month/quarter differences do not matter for a slope.
    const double per = periods_per_year(u);
    return (double(idx) + 0.5) / per;
}

// ---- GEOS helpers --------------------------------------------------------------------------

namespace {

GeosPtr checked(GEOSGeometry* g, const char* what) {
    if (!g) throw GeoError("", what, "GEOS failed: " + detail::geos_last_error());
    return GeosPtr(g);
}

// GEOMETRYCOLLECTION of the parts (ownership moves into the collection) then unary union.
GeosPtr union_all(std::vector<GeosPtr> parts) {
    auto ctx = geos_ctx();
    if (parts.empty()) return checked(GEOSGeom_createEmptyPolygon_r(ctx), "empty");
    std::vector<GEOSGeometry*> raw;
    for (auto& p : parts) raw.push_back(p.release());
    GeosPtr coll = checked(GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, raw.data(), unsigned(raw.size())),
                           "collection");
    return checked(GEOSUnaryUnion_r(ctx, coll.get()), "union");
}

GeosPtr valid_geos(const Geometry& g) {
    auto ctx = geos_ctx();
    GeosPtr p = detail::to_geos(g);
    if (g.type == GeomType::Polygon && GEOSisValid_r(ctx, p.get()) != 1) p = checked(GEOSMakeValid_r(ctx, p.get()), "make valid");
    return p;
}

double area_km2(const GEOSGeometry* g) {
    double a = 0;
    if (g && !GEOSisEmpty_r(geos_ctx(), g)) GEOSArea_r(geos_ctx(), g, &a);
    return a / 1e6;
}

Geometry only_lines(const GEOSGeometry* g) {
    Geometry out = detail::from_geos(g);
    if (out.type != GeomType::Line) return {};
    return out;
}

Geometry only_polygons(const GEOSGeometry* g) {
    Geometry out = detail::from_geos(g);
    if (out.type != GeomType::Polygon) return {};
    return out;
}

std::string join(const std::vector<std::string>& v, const char* sep = ",") {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
}
std::string join_num(const std::vector<double>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + fmt_num(v[i], 8);
    return s;
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

double Border::length_km() const {
    double s = 0;
    for (auto& g : segments) s += g.length_km;
    return s;
}

// ---- The border ----------------------------------------------------------------------------

Border derive_border(const VectorLayer& admin0, const BorderParams& p) {
    if (admin0.type != GeomType::Polygon)
        throw GeoError(admin0.source, "layer '" + admin0.name + "'", "is not a polygon layer (need admin-0 countries)");
    if (!p.analysis_crs.valid() || p.analysis_crs.is_geographic())
        throw GeoError("", "analysis CRS", "must be projected (metric; equal-area advised), not geographic");
    if (p.sahel.empty() || p.coastal.empty()) throw GeoError("", "border", "both country groups need at least one ISO code");
    for (auto& s : p.sahel)
        for (auto& c : p.coastal)
            if (upper(s) == upper(c)) throw GeoError("", "border", "country " + s + " is in both groups");
    int fi = admin0.field_index(p.iso_field);
    for (const char* alt : {"iso_a3", "adm0_a3", "ISO3", "iso3", "GID_0"})
        if (fi < 0) fi = admin0.field_index(alt);
    if (fi < 0) throw GeoError(admin0.source, "layer '" + admin0.name + "'", "has no ISO code field '" + p.iso_field + "'");
    const int ni = admin0.field_index(p.name_field);
    if (!admin0.crs.valid()) throw GeoError(admin0.source, "layer '" + admin0.name + "'", "has no CRS");
    const VectorLayer proj = admin0.crs.same_as(p.analysis_crs) ? admin0 : reproject(admin0, p.analysis_crs);

    auto ctx = geos_ctx();
    Border b;
    b.crs = p.analysis_crs;
    b.params = p;
    std::vector<GeosPtr> geoms; // parallel to b.countries
    auto add_group = [&](const std::vector<std::string>& codes, int side) {
        for (auto& code : codes) {
            std::vector<GeosPtr> parts;
            std::string name;
            for (size_t i = 0; i < proj.features.size(); ++i) {
                if (upper(attr_to_string(proj.features[i].attrs[fi])) != upper(code)) continue;
                parts.push_back(valid_geos(proj.features[i].geom));
                if (ni >= 0 && name.empty()) name = attr_to_string(proj.features[i].attrs[ni]);
            }
            if (parts.empty()) {
                std::vector<std::string> have;
                for (auto& f : proj.features) have.push_back(attr_to_string(f.attrs[fi]));
                throw GeoError(admin0.source, "layer '" + admin0.name + "'",
                               "no country with " + admin0.fields[fi] + " = " + code + " (have: " + join(have) + ")");
            }
            GeosPtr g = parts.size() == 1 ? std::move(parts[0]) : union_all(std::move(parts));
            BorderCountry c;
            c.iso = upper(code);
            c.name = name.empty() ? c.iso : name;
            c.side = side;
            c.polygon = only_polygons(g.get());
            c.area_km2 = area_km2(g.get());
            b.countries.push_back(std::move(c));
            geoms.push_back(std::move(g));
        }
    };
    add_group(p.sahel, -1);
    add_group(p.coastal, +1);

    // Each pair: where the two outlines coincide (after snapping), merged into lines.
    for (size_t i = 0; i < b.countries.size(); ++i) {
        if (b.countries[i].side != -1) continue;
        GeosPtr bnd = checked(GEOSBoundary_r(ctx, geoms[i].get()), "boundary");
        for (size_t j = 0; j < b.countries.size(); ++j) {
            if (b.countries[j].side != 1) continue;
            // Quick reject, then snap the coastal outline onto the Sahel one (within snap_m) so that
            // shared edges coincide even where the two outlines were digitised slightly apart.
            double dist = 0;
            if (GEOSDistance_r(ctx, geoms[i].get(), geoms[j].get(), &dist) != 1 || dist > p.snap_m) continue;
            GeosPtr bj = checked(GEOSBoundary_r(ctx, geoms[j].get()), "boundary");
            GeosPtr snapped = p.snap_m > 0 ? checked(GEOSSnap_r(ctx, bj.get(), bnd.get(), p.snap_m), "snap") : std::move(bj);
            GeosPtr shared = checked(GEOSIntersection_r(ctx, bnd.get(), snapped.get()), "intersection");
            Geometry lines = only_lines(shared.get());
            if (lines.lines.empty()) continue;
            lines.type = GeomType::Line;
            GeosPtr ml = detail::to_geos(lines);
            GeosPtr merged = checked(GEOSLineMerge_r(ctx, ml.get()), "line merge");
            Geometry m = only_lines(merged.get());
            Geometry kept;
            kept.type = GeomType::Line;
            double len = 0;
            for (auto& l : m.lines) {
                Geometry one;
                one.type = GeomType::Line;
                one.lines.push_back(l);
                const double L = length(one) / 1000.0;
                if (L < p.min_segment_km) continue; // tripoint slivers from the tolerance
                kept.lines.push_back(l);
                len += L;
            }
            if (kept.lines.empty()) continue;
            BorderSegment s;
            s.sahel_iso = b.countries[i].iso;
            s.coastal_iso = b.countries[j].iso;
            s.name = s.sahel_iso + "\u2013" + s.coastal_iso;
            s.line = std::move(kept);
            s.length_km = len;
            b.segments.push_back(std::move(s));
        }
    }
    if (b.segments.empty())
        throw GeoError(admin0.source, "border", "the groups share no boundary (Sahel " + join(p.sahel) + ", coastal " +
                                                    join(p.coastal) + ")");
    std::vector<GeosPtr> sp, cp;
    for (size_t i = 0; i < b.countries.size(); ++i)
        (b.countries[i].side < 0 ? sp : cp).push_back(GeosPtr(GEOSGeom_clone_r(ctx, geoms[i].get())));
    b.sahel_territory = only_polygons(union_all(std::move(sp)).get());
    b.coastal_territory = only_polygons(union_all(std::move(cp)).get());
    return b;
}

// ---- Signed distance -----------------------------------------------------------------------

namespace {

GeosPtr all_border_lines(const Border& b) {
    Geometry g;
    g.type = GeomType::Line;
    for (auto& s : b.segments)
        for (auto& l : s.line.lines) g.lines.push_back(l);
    return detail::to_geos(g);
}
} // namespace

// Nearest border segment by one index over every segment's edges (detail::EdgeIndex: GEOS's
// point-to-segment arithmetic, so the same distances as GEOSPreparedDistance per segment, and ties
// to the lowest segment as that loop did), country by strip-bucketed ray casting (the same answer
// as PolygonIndex). Both are plain data, so the events are split over threads; the outside weight
// is summed afterwards in event order, so nothing depends on the thread count.
SignedDistances signed_distances(const EventTable& ev, const Border& border, Progress progress, int threads,
                                 DistanceMetric metric) {
    const size_t n = ev.size();
    std::vector<double> x, y;
    event_positions(ev, border.crs, x, y);

    std::vector<const Geometry*> polys;
    for (auto& c : border.countries) polys.push_back(&c.polygon);
    const detail::StripPolygons idx(polys);
    detail::EdgeIndex edges;
    for (size_t s = 0; s < border.segments.size(); ++s) edges.add_lines(border.segments[s].line, int(s));
    edges.build();

    const bool geodesic = metric == DistanceMetric::Geodesic;
    // Geodesic: lon/lat of every edge's ends, in EdgeIndex's insertion order (same walk as add_lines).
    struct LlEdge {
        double ax, ay, bx, by; // analysis CRS
        double lon_a, lat_a, lon_b, lat_b;
    };
    std::vector<LlEdge> ll;
    std::vector<double> ev_lon, ev_lat;
    if (geodesic) {
        for (auto& seg : border.segments) {
            auto add = [&](const Vec2& a, const Vec2& b) { ll.push_back({a.x, a.y, b.x, b.y, a.x, a.y, b.x, b.y}); };
            for (auto& l : seg.line.lines)
                for (size_t i = 0; i + 1 < l.size(); ++i) add(l[i], l[i + 1]);
            if (seg.line.lines.empty())
                for (auto& pt : seg.line.points) add(pt, pt);
        }
        const Transformer t(Crs::wgs84(), border.crs);
        for (auto& e : ll) t.inverse(e.lon_a, e.lat_a), t.inverse(e.lon_b, e.lat_b);
        if (ev.lon.size() == n && ev.lat.size() == n) {
            ev_lon = ev.lon, ev_lat = ev.lat;
        } else {
            ev_lon = x, ev_lat = y;
            t.inverse(ev_lon.data(), ev_lat.data(), n);
        }
    }

    SignedDistances d;
    d.metric = metric;
    d.km.assign(n, stats::kNaN);
    d.km_planar.assign(n, stats::kNaN);
    d.segment.assign(n, -1);
    d.country.assign(n, -1);
    detail::parallel_blocks(n, threads, progress, "signed distance to the border", [&](size_t i0, size_t i1) {
        struct Cand {
            double g;
            uint32_t id;
            int part;
        };
        std::vector<Cand> cands;
        for (size_t i = i0; i < i1; ++i) {
            const int c = std::isfinite(x[i]) && std::isfinite(y[i]) ? idx.locate(x[i], y[i]) : -1;
            if (c < 0) continue;
            int bs = -1;
            const double best = edges.nearest(x[i], y[i], bs);
            const double side = border.countries[size_t(c)].side;
            d.country[i] = c;
            d.segment[i] = bs;
            d.km_planar[i] = side * best / 1000.0;
            d.km[i] = d.km_planar[i];
            if (!geodesic || bs < 0 || !std::isfinite(ev_lon[i]) || !std::isfinite(ev_lat[i])) continue;
            // Candidates: every edge nearly as near in the plane. Screen each by the distance to
            // its planar foot point: first on the sphere (cheap; the ellipsoidal distance is within
            // [0.993, 1.005] x the spherical one anywhere), so only edges that can still win get an
            // ellipsoidal measure; then search along the two best (the nearest point may sit on a
            // vertex shared by two edges).
            cands.clear();
            double hmin = std::numeric_limits<double>::infinity();
            edges.within(x[i], y[i], best * 1.03 + 100.0, [&](uint32_t id, int part, double) {
                const LlEdge& e = ll[id];
                const double ex = e.bx - e.ax, ey = e.by - e.ay, len2 = ex * ex + ey * ey;
                const double t = len2 > 0 ? std::clamp(((x[i] - e.ax) * ex + (y[i] - e.ay) * ey) / len2, 0.0, 1.0) : 0.0;
                const double h = haversine_m(ev_lon[i], ev_lat[i], e.lon_a + t * (e.lon_b - e.lon_a), e.lat_a + t * (e.lat_b - e.lat_a));
                hmin = std::min(hmin, h);
                cands.push_back({h, id, part});
            });
            if (cands.empty()) continue; // cannot happen: the planar nearest edge is within the limit
            // Spherical screen: ellipsoidal/spherical distance is within [0.993, 1.005]; the 1e-3 is
            // a generous allowance for an edge's minimum lying off its planar foot point.
            const double hcut = (1.005 * hmin + 1e-3 * hmin + 10.0) / 0.993;
            std::erase_if(cands, [&](const Cand& cd) { return cd.g > hcut; });
            // An edge's own minimum can lie below its planar foot value by ~ D tan^2(w)/2, w being the
            // angle between the planar and geodesic perpendiculars (at most half the CRS's angular
            // distortion: 0.9 deg for the default LAEA 20 deg from its centre). `slack` allows w up
            // to 1.1 deg, i.e. anywhere the default CRS is sensible for (West Africa and around).
            auto slack = [](double dist) { return 2e-4 * dist + 5.0; };
            auto order = [](const Cand& a, const Cand& b) {
                return a.g < b.g || (a.g == b.g && (a.part < b.part || (a.part == b.part && a.id < b.id)));
            };
            // 1. Ellipsoidal distance at the foot points, in increasing spherical distance, until no
            //    later edge can come nearer than the best so far (ellipsoidal >= 0.993 x spherical).
            std::sort(cands.begin(), cands.end(), order);
            double gfoot = std::numeric_limits<double>::infinity();
            size_t m = 0;
            for (; m < cands.size(); ++m) {
                Cand& cd = cands[m];
                if (0.993 * (cd.g - slack(cd.g)) > gfoot) break;
                const LlEdge& e = ll[cd.id];
                const double ex = e.bx - e.ax, ey = e.by - e.ay, len2 = ex * ex + ey * ey;
                const double t = len2 > 0 ? std::clamp(((x[i] - e.ax) * ex + (y[i] - e.ay) * ey) / len2, 0.0, 1.0) : 0.0;
                cd.g = geodesic_distance_m(ev_lon[i], ev_lat[i], e.lon_a + t * (e.lon_b - e.lon_a), e.lat_a + t * (e.lat_b - e.lat_a));
                gfoot = std::min(gfoot, cd.g);
            }
            cands.resize(m);
            // 2. Search along the edges whose foot value is within `slack` of the best one (usually
            //    one or two: the nearest point may sit on a vertex shared by two edges).
            std::sort(cands.begin(), cands.end(), order);
            double gbest = std::numeric_limits<double>::infinity();
            int gpart = -1;
            for (const Cand& cd : cands) {
                if (cd.g - slack(cd.g) > std::min(gbest, gfoot)) break;
                const LlEdge& e = ll[cd.id];
                const double g = std::min(cd.g, geodesic_distance_to_segment_m(ev_lon[i], ev_lat[i], e.lon_a, e.lat_a, e.lon_b, e.lat_b));
                if (g < gbest || (g == gbest && cd.part < gpart)) gbest = g, gpart = cd.part;
            }
            d.km[i] = side * gbest / 1000.0;
            d.segment[i] = gpart;
        }
    });
    for (size_t i = 0; i < n; ++i) {
        if (d.country[i] < 0) {
            ++d.outside;
            d.outside_weight += ev.weight.empty() ? 1.0 : ev.weight[i];
            continue;
        }
        const double diff = std::fabs(d.km[i] - d.km_planar[i]);
        d.max_abs_diff_km = std::max(d.max_abs_diff_km, diff);
        if (std::fabs(d.km[i]) >= 1) d.max_rel_diff = std::max(d.max_rel_diff, diff / std::fabs(d.km[i]));
    }
    progress(1.0, "signed distance done");
    return d;
}

// ---- Bands ---------------------------------------------------------------------------------

int band_of(double s, const std::vector<DistanceBand>& bands) {
    if (!std::isfinite(s)) return -1;
    for (size_t i = 0; i < bands.size(); ++i)
        if (s >= bands[i].lo_km && s < bands[i].hi_km) return int(i);
    return -1;
}

std::vector<DistanceBand> make_bands(const Border& border, const std::vector<double>& edges, double cell_km,
                                     Progress progress) {
    if (edges.size() < 2) throw GeoError("", "bands", "need at least two band edges");
    for (size_t i = 1; i < edges.size(); ++i)
        if (!(edges[i] > edges[i - 1])) throw GeoError("", "bands '" + join_num(edges) + "'", "edges must increase");
    auto ctx = geos_ctx();
    GeosPtr line = all_border_lines(border);
    GeosPtr sahel = valid_geos(border.sahel_territory), coast = valid_geos(border.coastal_territory);
    std::map<double, GeosPtr> buf; // buffers of the border line by distance (m); 16 segments a quadrant
    auto buffer = [&](double km) -> const GEOSGeometry* {
        if (km <= 0) return nullptr;
        auto it = buf.find(km);
        if (it == buf.end()) it = buf.emplace(km, checked(GEOSBuffer_r(ctx, line.get(), km * 1000.0, 16), "buffer")).first;
        return it->second.get();
    };
    // Points of `side` with distance in (lo, hi] km.
    auto ring = [&](double lo, double hi, const GEOSGeometry* side) -> GeosPtr {
        const GEOSGeometry* outer = buffer(hi);
        GeosPtr diff = lo > 0 ? checked(GEOSDifference_r(ctx, outer, buffer(lo)), "difference")
                              : GeosPtr(GEOSGeom_clone_r(ctx, outer));
        return checked(GEOSIntersection_r(ctx, diff.get(), side), "intersection");
    };

    std::vector<GeosPtr> cgeos;
    for (auto& c : border.countries) cgeos.push_back(valid_geos(c.polygon));
    // Nearest segment of a grid point: the same index (and answers) as signed_distances().
    detail::EdgeIndex seg_edges;
    for (size_t s = 0; s < border.segments.size(); ++s) seg_edges.add_lines(border.segments[s].line, int(s));
    seg_edges.build();

    std::vector<DistanceBand> out;
    const size_t nb = edges.size() - 1;
    for (size_t k = 0; k < nb; ++k) {
        progress(double(k) / double(nb), "distance bands");
        DistanceBand band;
        band.lo_km = edges[k], band.hi_km = edges[k + 1];
        band.label = fmt_num(band.lo_km, 8) + ".." + fmt_num(band.hi_km, 8);
        std::vector<GeosPtr> parts;
        if (band.lo_km < 0) parts.push_back(ring(std::max(0.0, -band.hi_km), -band.lo_km, sahel.get()));
        if (band.hi_km > 0) parts.push_back(ring(std::max(0.0, band.lo_km), band.hi_km, coast.get()));
        GeosPtr g = parts.size() == 1 ? std::move(parts[0]) : union_all(std::move(parts));
        band.area_km2 = area_km2(g.get());
        band.geom = only_polygons(g.get());
        for (auto& cg : cgeos) {
            GeosPtr ci = checked(GEOSIntersection_r(ctx, g.get(), cg.get()), "intersection");
            band.area_country_km2.push_back(area_km2(ci.get()));
        }
        // Per-segment split: grid cells inside the band go to their nearest segment.
        band.area_segment_km2.assign(border.segments.size(), 0.0);
        if (band.area_km2 > 0 && !border.segments.empty()) {
            GeosPreparedPtr pb(GEOSPrepare_r(ctx, g.get()));
            const BBox bb = band.geom.bbox();
            double cell = cell_km * 1000.0;
            // Keep the grid to at most ~200k points whatever the cell asked for.
            while ((bb.width() / cell) * (bb.height() / cell) > 2e5) cell *= 1.5;
            std::vector<double> cnt(border.segments.size(), 0.0);
            double tot = 0;
            for (double yy = bb.ymin + cell / 2; yy < bb.ymax; yy += cell)
                for (double xx = bb.xmin + cell / 2; xx < bb.xmax; xx += cell) {
                    GeosPtr pt = detail::geos_point(xx, yy);
                    if (GEOSPreparedContains_r(ctx, pb.get(), pt.get()) != 1) continue;
                    int bs = -1;
                    seg_edges.nearest(xx, yy, bs);
                    if (bs >= 0) cnt[size_t(bs)] += 1, tot += 1;
                }
            if (tot > 0)
                for (size_t s = 0; s < cnt.size(); ++s) band.area_segment_km2[s] = band.area_km2 * cnt[s] / tot;
        }
        out.push_back(std::move(band));
    }
    progress(1.0, "bands done");
    return out;
}

// ---- Statistics helpers --------------------------------------------------------------------

double quantile_of(std::vector<double> v, double q) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double a) { return !std::isfinite(a); }), v.end());
    if (v.empty() || !(q >= 0 && q <= 1)) return stats::kNaN;
    std::sort(v.begin(), v.end());
    const double h = (double(v.size()) - 1) * q;
    const size_t lo = size_t(std::floor(h));
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - double(lo)) * (v[hi] - v[lo]);
}

namespace {
// r_k = pearson(a[0..n-k), b[k..n)) for k = 0..K.
std::vector<double> lag_corr(const std::vector<double>& a, const std::vector<double>& b, int K) {
    std::vector<double> r(size_t(K) + 1, stats::kNaN);
    const size_t n = std::min(a.size(), b.size());
    for (int k = 0; k <= K; ++k) {
        if (size_t(k) + 2 > n) continue;
        const size_t m = n - size_t(k);
        r[size_t(k)] = stats::pearson(std::span<const double>(a.data(), m), std::span<const double>(b.data() + k, m));
    }
    return r;
}
double nanmax(const std::vector<double>& v) {
    double m = -std::numeric_limits<double>::infinity();
    for (double x : v)
        if (std::isfinite(x) && x > m) m = x;
    return std::isfinite(m) ? m : stats::kNaN;
}
} // namespace

LeadLag lead_lag(const std::vector<double>& a0, const std::vector<double>& b0, int K, int permutations,
                 PermutationKind kind, bool difference, uint64_t seed) {
    LeadLag out;
    for (double v : a0) out.sahel_total += v;
    for (double v : b0) out.coastal_total += v;
    std::vector<double> a = a0, b = b0;
    if (difference) {
        auto diff = [](const std::vector<double>& v) {
            std::vector<double> d;
            for (size_t i = 1; i < v.size(); ++i) d.push_back(v[i] - v[i - 1]);
            return d;
        };
        a = diff(a0), b = diff(b0);
    }
    K = std::max(K, 0);
    out.r = lag_corr(a, b, K);
    const size_t n = std::min(a.size(), b.size());
    for (int k = 0; k <= K; ++k) out.n.push_back(n > size_t(k) ? n - size_t(k) : 0);
    out.p.assign(size_t(K) + 1, stats::kNaN);
    for (int k = 0; k <= K; ++k)
        if (std::isfinite(out.r[size_t(k)]) && (out.best_k < 0 || out.r[size_t(k)] > out.best_r))
            out.best_k = k, out.best_r = out.r[size_t(k)];
    if (out.best_k < 0 || permutations <= 0 || n < 3) return out;
    // Null: b's order carries no information about a (shuffle), or b's alignment with a is arbitrary
    // (circular shift by 1..n-1, which keeps b's autocorrelation). One-sided: spillover means r > 0.
    stats::Rng rng(seed);
    std::vector<size_t> ge(size_t(K) + 1, 0);
    size_t ge_max = 0;
    std::vector<double> bp(b.begin(), b.begin() + long(n));
    const std::vector<double> base = bp;
    for (int it = 0; it < permutations; ++it) {
        if (kind == PermutationKind::Shuffle) {
            bp = base;
            rng.shuffle(std::span<double>(bp));
        } else {
            const size_t sh = 1 + size_t(rng.below(n - 1));
            for (size_t i = 0; i < n; ++i) bp[i] = base[(i + sh) % n];
        }
        std::vector<double> rp = lag_corr(a, bp, K);
        for (int k = 0; k <= K; ++k)
            if (std::isfinite(rp[size_t(k)]) && std::isfinite(out.r[size_t(k)]) && rp[size_t(k)] >= out.r[size_t(k)] - 1e-12)
                ++ge[size_t(k)];
        const double m = nanmax(rp);
        if (std::isfinite(m) && m >= out.best_r - 1e-12) ++ge_max;
    }
    for (int k = 0; k <= K; ++k)
        if (std::isfinite(out.r[size_t(k)])) out.p[size_t(k)] = double(1 + ge[size_t(k)]) / double(permutations + 1);
    out.p_best = double(1 + ge_max) / double(permutations + 1);
    return out;
}

// ---- Spillover analysis --------------------------------------------------------------------

namespace {
std::string trend_n_note(size_t used, size_t total, double min_events, double median) {
    return "n = " + std::to_string(used) + " of " + std::to_string(total) + " periods with >= " + fmt_num(min_events) +
           " events (median " + fmt_num(median, 4) + " events per period used)";
}
// Theil-Sen + Mann-Kendall on the periods whose measure rests on >= min_events events; withheld
// (NaN slope and p) when fewer than min_periods qualify.
Trend trend_of(const std::vector<double>& t, const std::vector<double>& v, const std::vector<double>& support,
               const SpilloverParams& p) {
    Trend tr;
    std::vector<double> tt, vv, ee;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v[i])) continue;
        ++tr.periods;
        if (support[i] < p.min_period_events) continue;
        tt.push_back(t[i]), vv.push_back(v[i]), ee.push_back(support[i]);
    }
    tr.periods_used = vv.size();
    if (!ee.empty()) {
        tr.events_min = *std::min_element(ee.begin(), ee.end());
        tr.events_median = quantile_of(ee, 0.5);
    }
    tr.ts.alpha = p.alpha;
    tr.mk.p = stats::kNaN;
    tr.mk.z = tr.mk.tau = tr.mk.s = stats::kNaN;
    if (tr.periods_used < std::max<size_t>(p.min_trend_periods, 2)) {
        tr.withheld = true;
        tr.note = "withheld: only " + std::to_string(tr.periods_used) + " of " + std::to_string(v.size()) +
                  " periods have >= " + fmt_num(p.min_period_events) + " events (at least " +
                  std::to_string(p.min_trend_periods) + " are needed for a trend)";
        return tr;
    }
    tr.ts = stats::theil_sen(tt, vv, p.alpha);
    tr.mk = stats::mann_kendall(vv);
    tr.note = trend_n_note(tr.periods_used, v.size(), p.min_period_events, tr.events_median);
    return tr;
}
} // namespace

SpilloverResult analyse_spillover(const EventTable& ev, const Border& border, const SpilloverParams& p,
                                  Progress progress) {
    if (!(p.quantile >= 0 && p.quantile <= 1)) throw GeoError("", "quantile", "must be within [0, 1]");
    if (!(p.x_km > 0)) throw GeoError("", "x-km", "must be positive");
    if (!(p.window_km > 0)) throw GeoError("", "window-km", "must be positive");
    if (p.lags < 0) throw GeoError("", "lags", "must be 0 or more");
    if (p.lags > kMaxLags) throw GeoError("", "lags", "must be at most " + std::to_string(kMaxLags));
    if (p.permutations > kMaxPermutations)
        throw GeoError("", "permutations", "must be at most " + std::to_string(kMaxPermutations));
    SpilloverResult r;
    r.border = border;
    r.params = p;
    auto sub = [&](double a, double b) {
        return Progress(ProgressFn([&progress, a, b](double f, std::string_view s) {
            progress(a + (b - a) * f, s);
            return true;
        }));
    };
    r.dist = signed_distances(ev, border, sub(0, 0.4), p.threads, p.metric);
    r.bands = make_bands(border, p.bands_km, p.segment_cell_km, sub(0.4, 0.8));
    const auto& D = r.dist;
    const size_t n = ev.size(), nb = r.bands.size(), ns = border.segments.size(), nc = border.countries.size();

    int64_t pmin = std::numeric_limits<int64_t>::max(), pmax = std::numeric_limits<int64_t>::min();
    std::vector<int64_t> pi(n, 0);
    for (size_t i = 0; i < n; ++i) {
        if (D.country[i] < 0) continue;
        if (ev.day[i] == kNoDay) {
            ++r.undated;
            continue;
        }
        pi[i] = period_index(ev.day[i], p.period);
        pmin = std::min(pmin, pi[i]), pmax = std::max(pmax, pi[i]);
    }
    if (pmin > pmax) {
        // Say where the events are when none falls inside the groups (swapped lat/lon lands them
        // in another continent), rather than a misleading "no dated events".
        size_t inside = 0;
        BBox eb = BBox::inverted();
        for (size_t i = 0; i < n; ++i) {
            inside += D.country[i] >= 0;
            if (std::isfinite(ev.lon[i]) && std::isfinite(ev.lat[i])) eb.expand(ev.lon[i], ev.lat[i]);
        }
        if (inside == 0 && n > 0) {
            BBox gb = BBox::inverted();
            for (const auto& c : border.countries) {
                const BBox b = c.polygon.bbox();
                gb.expand(b.xmin, b.ymin), gb.expand(b.xmax, b.ymax);
            }
            char buf[400];
            std::string groups = "the two country groups";
            if (!gb.empty()) {
                const BBox ll = Transformer(Crs::wgs84(), border.crs).inverse_bbox(gb);
                std::snprintf(buf, sizeof buf, "the two country groups (lon %.4g..%.4g, lat %.4g..%.4g)", ll.xmin, ll.xmax,
                              ll.ymin, ll.ymax);
                groups = buf;
            }
            std::snprintf(buf, sizeof buf,
                          "none of the %zu events lies inside %s: the events span lon %.4g..%.4g, lat %.4g..%.4g "
                          "(latitude and longitude swapped? events from another region?)",
                          n, groups.c_str(), eb.xmin, eb.xmax, eb.ymin, eb.ymax);
            throw GeoError(ev.source, "spillover", buf);
        }
        throw GeoError(ev.source, "spillover", "no dated events in the two country groups (" + std::to_string(inside) +
                                                   " events inside them, none with a date)");
    }
    for (int64_t q = pmin; q <= pmax; ++q) {
        r.periods.push_back(q);
        r.labels.push_back(period_label(q, p.period));
        r.t_mid.push_back(period_mid_year(q, p.period));
    }
    const size_t np = r.periods.size();
    auto z2 = [](size_t a, size_t b) { return std::vector<std::vector<double>>(a, std::vector<double>(b, 0.0)); };
    auto z3 = [&](size_t a, size_t b, size_t c) { return std::vector<std::vector<std::vector<double>>>(a, z2(b, c)); };
    r.band_n = z2(np, nb), r.band_w = z2(np, nb);
    r.seg_n = z3(np, nb, ns), r.seg_w = z3(np, nb, ns);
    r.cty_n = z3(np, nb, nc), r.cty_w = z3(np, nb, nc);
    r.n_events.assign(np, 0);
    r.share_coastal.assign(np, 0), r.share_total.assign(np, 0), r.share.assign(np, stats::kNaN);
    r.front_km.assign(np, stats::kNaN), r.n_window.assign(np, 0), r.centroid_lat.assign(np, stats::kNaN);
    std::vector<std::vector<double>> win(np);
    std::vector<double> lat_w(np, 0), w_sum(np, 0);
    std::vector<std::vector<double>> ll_s(ns, std::vector<double>(np, 0)), ll_c = ll_s;

    for (size_t i = 0; i < n; ++i) {
        if (D.country[i] < 0 || ev.day[i] == kNoDay) continue;
        const size_t t = size_t(pi[i] - pmin);
        const double s = D.km[i], w = ev.weight.empty() ? 1.0 : ev.weight[i];
        const int sg = D.segment[i];
        r.n_events[t] += 1;
        lat_w[t] += w * ev.lat[i], w_sum[t] += w;
        const int b = band_of(s, r.bands);
        if (b < 0) ++r.beyond_bands;
        else {
            r.band_n[t][size_t(b)] += 1, r.band_w[t][size_t(b)] += w;
            if (sg >= 0) r.seg_n[t][size_t(b)][size_t(sg)] += 1, r.seg_w[t][size_t(b)][size_t(sg)] += w;
            r.cty_n[t][size_t(b)][size_t(D.country[i])] += 1, r.cty_w[t][size_t(b)][size_t(D.country[i])] += w;
        }
        if (std::fabs(s) <= p.x_km) {
            r.share_total[t] += 1;
            if (s > 0) r.share_coastal[t] += 1;
            if (sg >= 0) (s > 0 ? ll_c : ll_s)[size_t(sg)][t] += 1;
        }
        if (std::fabs(s) <= p.window_km) win[t].push_back(s);
    }
    for (size_t t = 0; t < np; ++t) {
        if (r.share_total[t] > 0) r.share[t] = r.share_coastal[t] / r.share_total[t];
        r.n_window[t] = double(win[t].size());
        if (win[t].size() >= std::max<size_t>(p.min_front_events, 1)) r.front_km[t] = quantile_of(win[t], p.quantile);
        if (w_sum[t] > 0) r.centroid_lat[t] = lat_w[t] / w_sum[t];
    }
    progress(0.85, "trends");
    r.front_trend = trend_of(r.t_mid, r.front_km, r.n_window, p);
    r.share_trend = trend_of(r.t_mid, r.share, r.share_total, p);
    r.centroid_trend = trend_of(r.t_mid, r.centroid_lat, r.n_events, p);
    for (size_t s = 0; s < ns; ++s) {
        progress(0.9 + 0.1 * double(s) / double(ns), "lead-lag"); // lets Ctrl-C stop between segments
        size_t used = 0;
        for (size_t t = 0; t < np; ++t) used += ll_s[s][t] + ll_c[s][t] >= p.min_period_events;
        LeadLag l;
        if (used >= std::max<size_t>(p.min_trend_periods, 2)) {
            l = lead_lag(ll_s[s], ll_c[s], p.lags, p.permutations, p.permutation, p.difference, p.seed + s);
            l.note = "n = " + std::to_string(used) + " of " + std::to_string(np) + " periods with >= " +
                     fmt_num(p.min_period_events) + " events within X km";
        } else {
            // Counts of 0-9 a period give correlations of noise: no r, no p.
            l = lead_lag(ll_s[s], ll_c[s], p.lags, 0, p.permutation, p.difference, p.seed + s);
            std::fill(l.r.begin(), l.r.end(), stats::kNaN);
            l.best_k = -1;
            l.best_r = stats::kNaN;
            l.withheld = true;
            l.note = "withheld: only " + std::to_string(used) + " of " + std::to_string(np) + " periods have >= " +
                     fmt_num(p.min_period_events) + " events within X km of this segment (at least " +
                     std::to_string(p.min_trend_periods) + " are needed)";
        }
        l.periods_used = used;
        l.segment = border.segments[s].name;
        r.leadlag.push_back(std::move(l));
    }

    // Every output carries its parameters.
    Metadata& m = r.metadata;
    m = provenance(ev);
    std::vector<std::string> sahel, coast;
    for (auto& c : border.countries) (c.side < 0 ? sahel : coast).push_back(c.iso);
    m["sahel_group"] = join(sahel);
    m["coastal_group"] = join(coast);
    m["analysis_crs"] = border.crs.definition().empty() ? border.crs.name() : border.crs.definition();
    if (r.dist.metric == DistanceMetric::Geodesic) {
        m["distance_method"] = "geodesic distance on the WGS 84 ellipsoid (Karney 2013, PROJ geod_inverse) to the nearest "
                               "point of the Sahel-coastal border line, its edges taken straight in lon/lat between the "
                               "vertices; km. Band membership uses this distance";
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "planar distance in the analysis CRS differs from it by at most %.3f km (%.2f%% of the distance, "
                      "events >= 1 km from the border)",
                      r.dist.max_abs_diff_km, 100 * r.dist.max_rel_diff);
        m["distance_planar_difference"] = buf;
        m["band_area_note"] = "band areas come from planar buffers in the analysis CRS, so a band's area and its events "
                              "disagree at its edges by up to the planar-geodesic difference above";
    } else {
        m["distance_method"] = "planar Euclidean distance in the analysis CRS (projected, equal-area advised; not geodesic) "
                               "to the nearest point of the Sahel-coastal border line; km";
    }
    m["sign_convention"] = "signed distance: negative on the Sahel side, positive on the coastal side";
    m["border_method"] = "intersection of the Sahel country's boundary with the coastal country's boundary snapped to it "
                         "within " + fmt_num(border.params.snap_m) + " m (GEOS Snap, Intersection, LineMerge); pieces < " +
                         fmt_num(border.params.min_segment_km) + " km dropped";
    m["bands_km"] = join_num(p.bands_km);
    m["band_method"] = "band [lo,hi): difference of buffers of the border line, clipped to the group union; areas from GEOS";
    m["segment_area_method"] = "band area split by nearest segment on a " + fmt_num(p.segment_cell_km) +
                               " km grid, rescaled to the exact band area (approximate)";
    m["rates"] = "per_10k_km2 = count / area_km2 * 10000";
    m["period"] = period_unit_name(p.period);
    m["x_km"] = fmt_num(p.x_km);
    m["share_definition"] = "events with 0 < s <= X / events with |s| <= X";
    m["quantile"] = fmt_num(p.quantile);
    m["window_km"] = fmt_num(p.window_km);
    m["front_definition"] = "quantile (type 7) of signed distance among events with |s| <= window_km; periods with fewer than " +
                            std::to_string(p.min_front_events) + " such events have none";
    m["trend_method"] = "Theil-Sen slope per year vs period midpoint with " + fmt_num(100 * (1 - p.alpha)) +
                        "% CI (Sen 1968) and Mann-Kendall two-sided test";
    m["trend_minimum"] = "a trend uses only periods with >= " + fmt_num(p.min_period_events) +
                         " events behind the measure (front: events within window_km; share: within X; centroid: all) "
                         "and is withheld below " + std::to_string(p.min_trend_periods) +
                         " such periods; lead-lag likewise per segment (events within X, both sides)";
    m["front_trend_n"] = r.front_trend.note;
    m["share_trend_n"] = r.share_trend.note;
    m["centroid_trend_n"] = r.centroid_trend.note;
    m["centroid_definition"] = "weight-weighted mean latitude of the groups' dated events";
    m["lags"] = std::to_string(p.lags);
    m["leadlag_method"] = std::string("Pearson r between Sahel-side (-X <= s < 0) and coastal-side (0 < s <= X) event counts "
                                      "per period nearest each segment, coastal shifted k periods later") +
                          (p.difference ? "; on first differences" : "") + "; permutation test of the coastal series (" +
                          (p.permutation == PermutationKind::Shuffle ? "random shuffles" : "random circular shifts") +
                          ", " + std::to_string(p.permutations) + " permutations, seed " + std::to_string(p.seed) +
                          "), one-sided r >= observed; p_best uses the max over k";
    m["events_outside_groups"] = std::to_string(D.outside);
    m["events_undated_in_groups"] = std::to_string(r.undated);
    m["events_beyond_bands"] = std::to_string(r.beyond_bands);
    progress(1.0, "spillover done");
    return r;
}

// ---- Outputs -------------------------------------------------------------------------------

namespace {
std::string rate(double n, double a) { return a > 0 ? fmt_num(n / a * 1e4, 8) : std::string(); }
std::string side_of(const DistanceBand& b) {
    return b.hi_km <= 0 ? "sahel" : b.lo_km >= 0 ? "coastal" : "both";
}
std::string num(double v) { return fmt_num(v, 10); }
} // namespace

Table spillover_band_table(const SpilloverResult& r) {
    Table t;
    t.columns = {"period", "band", "lo_km", "hi_km", "side", "area_km2", "events", "weighted", "events_per_10k_km2",
                 "weighted_per_10k_km2"};
    for (size_t p = 0; p < r.periods.size(); ++p)
        for (size_t b = 0; b < r.bands.size(); ++b) {
            auto& B = r.bands[b];
            t.rows.push_back({r.labels[p], B.label, num(B.lo_km), num(B.hi_km), side_of(B), fmt_num(B.area_km2, 8),
                              num(r.band_n[p][b]), num(r.band_w[p][b]), rate(r.band_n[p][b], B.area_km2),
                              rate(r.band_w[p][b], B.area_km2)});
        }
    return t;
}

Table spillover_segment_table(const SpilloverResult& r) {
    Table t;
    t.columns = {"period", "band", "segment", "area_km2_approx", "events", "weighted", "events_per_10k_km2",
                 "weighted_per_10k_km2"};
    for (size_t p = 0; p < r.periods.size(); ++p)
        for (size_t b = 0; b < r.bands.size(); ++b)
            for (size_t s = 0; s < r.border.segments.size(); ++s) {
                const double a = r.bands[b].area_segment_km2[s];
                t.rows.push_back({r.labels[p], r.bands[b].label, r.border.segments[s].name, fmt_num(a, 8),
                                  num(r.seg_n[p][b][s]), num(r.seg_w[p][b][s]), rate(r.seg_n[p][b][s], a),
                                  rate(r.seg_w[p][b][s], a)});
            }
    return t;
}

Table spillover_country_table(const SpilloverResult& r) {
    Table t;
    t.columns = {"period", "band", "iso_a3", "country", "group", "area_km2", "events", "weighted", "events_per_10k_km2",
                 "weighted_per_10k_km2"};
    for (size_t p = 0; p < r.periods.size(); ++p)
        for (size_t b = 0; b < r.bands.size(); ++b)
            for (size_t c = 0; c < r.border.countries.size(); ++c) {
                const double a = r.bands[b].area_country_km2[c];
                if (a <= 0) continue; // the band does not reach this country
                auto& C = r.border.countries[c];
                t.rows.push_back({r.labels[p], r.bands[b].label, C.iso, C.name, C.side < 0 ? "sahel" : "coastal",
                                  fmt_num(a, 8), num(r.cty_n[p][b][c]), num(r.cty_w[p][b][c]), rate(r.cty_n[p][b][c], a),
                                  rate(r.cty_w[p][b][c], a)});
            }
    return t;
}

Table spillover_period_table(const SpilloverResult& r) {
    Table t;
    t.columns = {"period", "t_mid_year", "events_in_groups", "within_x_total", "within_x_coastal", "spillover_share",
                 "events_in_window", "front_km", "centroid_lat"};
    for (size_t p = 0; p < r.periods.size(); ++p)
        t.rows.push_back({r.labels[p], fmt_num(r.t_mid[p], 8), num(r.n_events[p]), num(r.share_total[p]),
                          num(r.share_coastal[p]), fmt_num(r.share[p], 6), num(r.n_window[p]), fmt_num(r.front_km[p], 6),
                          fmt_num(r.centroid_lat[p], 7)});
    return t;
}

Table spillover_trend_table(const SpilloverResult& r) {
    Table t;
    t.columns = {"measure", "unit", "theil_sen_slope_per_year", "ci_lo", "ci_hi", "ci_level", "n", "mk_s", "mk_z", "mk_tau",
                 "mk_p", "periods", "min_events_per_period", "median_events_per_period", "status"};
    auto row = [&](const char* name, const char* unit, const Trend& tr) {
        t.rows.push_back({name, unit, fmt_num(tr.ts.slope, 8), fmt_num(tr.ts.slope_lo, 8), fmt_num(tr.ts.slope_hi, 8),
                          fmt_num(1 - tr.ts.alpha, 4), std::to_string(tr.periods_used), fmt_num(tr.mk.s, 8),
                          fmt_num(tr.mk.z, 6), fmt_num(tr.mk.tau, 6), fmt_num(tr.mk.p, 6), std::to_string(tr.periods),
                          fmt_num(tr.events_min, 8), fmt_num(tr.events_median, 8), tr.withheld ? tr.note : "ok"});
    };
    row("front_velocity", "km/year (positive = toward the coast)", r.front_trend);
    row("spillover_share", "share/year", r.share_trend);
    row("centroid_lat", "degrees/year", r.centroid_trend);
    return t;
}

Table spillover_leadlag_table(const SpilloverResult& r) {
    Table t;
    t.columns = {"segment", "lag_periods", "r", "p_perm", "n_pairs", "best", "p_best_maxstat", "sahel_within_x",
                 "coastal_within_x", "periods_with_min_events", "status"};
    for (auto& l : r.leadlag)
        for (size_t k = 0; k < l.r.size(); ++k)
            t.rows.push_back({l.segment, std::to_string(k), fmt_num(l.r[k], 6), fmt_num(l.p[k], 6), std::to_string(l.n[k]),
                              int(k) == l.best_k ? "1" : "0", fmt_num(l.p_best, 6), num(l.sahel_total), num(l.coastal_total),
                              std::to_string(l.periods_used), l.withheld ? l.note : "ok"});
    return t;
}

Table border_segment_table(const Border& b) {
    Table t;
    t.columns = {"segment", "sahel_iso", "coastal_iso", "length_km", "parts"};
    for (auto& s : b.segments)
        t.rows.push_back({s.name, s.sahel_iso, s.coastal_iso, fmt_num(s.length_km, 8), std::to_string(s.line.lines.size())});
    return t;
}

VectorLayer border_layer(const Border& b, const SpilloverResult* r) {
    VectorLayer l;
    l.name = "border_segments";
    l.crs = b.crs;
    l.type = GeomType::Line;
    l.fields = {"segment", "sahel_iso", "coastal_iso", "length_km"};
    if (r) {
        for (auto* f : {"sahel_within_x", "coastal_within_x", "best_lag", "best_r", "p_best"}) l.fields.push_back(f);
    }
    for (size_t i = 0; i < b.segments.size(); ++i) {
        auto& s = b.segments[i];
        Feature f;
        f.geom = s.line;
        f.attrs = {s.name, s.sahel_iso, s.coastal_iso, s.length_km};
        if (r && i < r->leadlag.size()) {
            auto& ll = r->leadlag[i];
            f.attrs.push_back(ll.sahel_total);
            f.attrs.push_back(ll.coastal_total);
            f.attrs.push_back(int64_t(ll.best_k));
            f.attrs.push_back(ll.best_r);
            f.attrs.push_back(ll.p_best);
        }
        l.features.push_back(std::move(f));
    }
    return l;
}

VectorLayer bands_layer(const SpilloverResult& r) {
    VectorLayer l;
    l.name = "distance_bands";
    l.crs = r.border.crs;
    l.type = GeomType::Polygon;
    l.fields = {"band", "lo_km", "hi_km", "side", "area_km2", "events", "weighted", "events_per_10k_km2",
                "events_per_10k_km2_per_year", "last_period", "events_last", "events_per_10k_km2_last"};
    const double years = double(r.periods.size()) / periods_per_year(r.params.period);
    for (size_t b = 0; b < r.bands.size(); ++b) {
        auto& B = r.bands[b];
        double n = 0, w = 0;
        for (size_t p = 0; p < r.periods.size(); ++p) n += r.band_n[p][b], w += r.band_w[p][b];
        const double last = r.periods.empty() ? 0 : r.band_n.back()[b];
        const double nan = stats::kNaN;
        Feature f;
        f.geom = B.geom;
        f.attrs = {B.label, B.lo_km, B.hi_km, side_of(B), B.area_km2, int64_t(n), w,
                   B.area_km2 > 0 ? n / B.area_km2 * 1e4 : nan,
                   B.area_km2 > 0 && years > 0 ? n / B.area_km2 * 1e4 / years : nan,
                   r.labels.empty() ? std::string() : r.labels.back(), int64_t(last),
                   B.area_km2 > 0 ? last / B.area_km2 * 1e4 : nan};
        l.features.push_back(std::move(f));
    }
    return l;
}

} // namespace nexusmap
