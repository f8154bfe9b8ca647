#include "nexusmap/corridors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "fast_geom.hpp"
#include "geos_util.hpp"
#include "nexusmap/error.hpp"

namespace nexusmap {

using detail::geos_ctx;
using detail::GeosPtr;

namespace {

GeosPtr checked(GEOSGeometry* g, const char* what) {
    if (!g) throw GeoError("", what, "GEOS failed: " + detail::geos_last_error());
    return GeosPtr(g);
}

// Rank 1 = largest value; ties broken by the order given (names), so ranks are reproducible.
std::vector<int> rank_desc(const std::vector<double>& v, const std::vector<std::string>& names) {
    std::vector<size_t> o(v.size());
    std::iota(o.begin(), o.end(), size_t(0));
    std::stable_sort(o.begin(), o.end(), [&](size_t a, size_t b) {
        if (v[a] != v[b]) return v[a] > v[b];
        return names[a] < names[b];
    });
    std::vector<int> r(v.size());
    for (size_t i = 0; i < o.size(); ++i) r[o[i]] = int(i) + 1;
    return r;
}

void recent_change(const std::vector<double>& n, int N, double& recent, double& previous) {
    recent = previous = 0;
    const long sz = long(n.size());
    for (long i = std::max(0L, sz - N); i < sz; ++i) recent += n[size_t(i)];
    for (long i = std::max(0L, sz - 2L * N); i < std::max(0L, sz - N); ++i) previous += n[size_t(i)];
}

std::string num(double v) { return fmt_num(v, 10); }

} // namespace

CorridorResult analyse_corridors(const EventTable& ev, const VectorLayer& routes, const Border* border,
                                 const CorridorParams& p, Progress progress) {
    if (routes.type != GeomType::Line)
        throw GeoError(routes.source, "layer '" + routes.name + "'", "is not a line layer (routes must be lines)");
    if (!(p.half_width_km > 0)) throw GeoError("", "half-width-km", "must be positive");
    if (!(p.bin_km > 0)) throw GeoError("", "bin-km", "must be positive");
    if (p.recent_periods < 1) throw GeoError("", "recent periods", "must be 1 or more");
    // The border fixes the CRS so that crossings are computed where the border lives.
    const Crs crs = border ? border->crs : p.analysis_crs;
    if (!crs.valid() || crs.is_geographic()) throw GeoError("", "analysis CRS", "must be projected (metric)");
    if (!routes.crs.valid()) throw GeoError(routes.source, "layer '" + routes.name + "'", "has no CRS");
    const VectorLayer rl = routes.crs.same_as(crs) ? routes : reproject(routes, crs);
    auto ctx = geos_ctx();
    CorridorResult res;
    res.params = p;
    res.crs = crs;
    const double hw = p.half_width_km * 1000.0;
    const double rad = (p.crossing_radius_km > 0 ? p.crossing_radius_km : p.half_width_km) * 1000.0;

    const size_t n = ev.size();
    std::vector<double> x, y;
    event_positions(ev, crs, x, y);
    // Periods: the contiguous range of all dated events, so that every route shares one time axis.
    int64_t pmin = std::numeric_limits<int64_t>::max(), pmax = std::numeric_limits<int64_t>::min();
    std::vector<int64_t> pi(n, -1);
    for (size_t i = 0; i < n; ++i) {
        if (ev.day[i] == kNoDay) {
            ++res.undated;
            continue;
        }
        pi[i] = period_index(ev.day[i], p.period);
        pmin = std::min(pmin, pi[i]), pmax = std::max(pmax, pi[i]);
    }
    if (pmin <= pmax)
        for (int64_t q = pmin; q <= pmax; ++q) res.periods.push_back(q), res.labels.push_back(period_label(q, p.period));
    const size_t np = res.periods.size();

    const int ci = rl.field_index(p.commodity_field), ni = rl.field_index(p.name_field);
    std::vector<GeosPtr> seg_lines;
    if (border)
        for (auto& s : border->segments) seg_lines.push_back(detail::to_geos(s.line));
    std::unique_ptr<Transformer> to_ll;
    if (border) to_ll = std::make_unique<Transformer>(crs, Crs::wgs84());

    // Events by grid cell: a route only looks at the cells near it, a crossing at those around it.
    const detail::PointGrid grid(x, y, std::max(hw, rad));
    auto sub_progress = [&](size_t fi) {
        const double a = 0.95 * double(fi) / double(std::max<size_t>(rl.features.size(), 1));
        const double b = 0.95 * double(fi + 1) / double(std::max<size_t>(rl.features.size(), 1));
        return Progress(ProgressFn([&progress, a, b](double f, std::string_view s) {
            progress(a + (b - a) * 0.5 * f, s);
            return true;
        }));
    };
    for (size_t fi = 0; fi < rl.features.size(); ++fi) {
        progress(0.95 * double(fi) / double(std::max<size_t>(rl.features.size(), 1)), "route corridors");
        const Feature& f = rl.features[fi];
        if (f.geom.lines.empty()) {
            ++res.skipped_routes;
            continue;
        }
        RouteResult rr;
        rr.name = ni >= 0 ? attr_to_string(f.attrs[ni]) : std::string();
        if (rr.name.empty()) rr.name = "route " + std::to_string(fi + 1);
        rr.commodity = ci >= 0 ? attr_to_string(f.attrs[ci]) : std::string();
        if (rr.commodity.empty()) rr.commodity = "unknown";
        GeosPtr raw = detail::to_geos(f.geom);
        // Merged so that GEOSProject measures along one continuous line where the parts join.
        GeosPtr line = checked(GEOSLineMerge_r(ctx, raw.get()), "line merge");
        double len = 0;
        GEOSLength_r(ctx, line.get(), &len);
        if (!(len > 0)) {
            ++res.skipped_routes;
            continue;
        }
        rr.line = detail::from_geos(line.get());
        rr.length_km = len / 1000.0;
        GeosPtr corr = checked(GEOSBuffer_r(ctx, line.get(), hw, 16), "buffer");
        rr.corridor = detail::from_geos(corr.get());
        double a = 0;
        GEOSArea_r(ctx, corr.get(), &a);
        rr.corridor_area_km2 = a / 1e6;
        const BBox bb = rr.corridor.bbox();
        // Which events lie within the half-width (and the corridor's bbox, as before): candidates
        // from the grid cells that can reach the route (a cell whose centre is farther than the
        // half-width plus its half-diagonal, plus 1 m, cannot), then an edge index of the route
        // (GEOS's point-to-segment arithmetic, so the same distances as GEOSPreparedDistance),
        // split over threads. The along-route position (GEOSProject) and the sums then run in
        // event order, as before, so every sum is the same.
        detail::EdgeIndex route_edges;
        route_edges.add_lines(rr.line, 0);
        route_edges.build();
        std::vector<uint32_t> cand;
        const double half_diag = grid.cell() * std::sqrt(2.0) / 2;
        grid.for_cells(bb, [&](const BBox& cb, const uint32_t* idx, size_t count) {
            int part = -1;
            const double dc = route_edges.nearest((cb.xmin + cb.xmax) / 2, (cb.ymin + cb.ymax) / 2, part, hw + half_diag + 1);
            if (!std::isfinite(dc)) return;
            cand.insert(cand.end(), idx, idx + count);
        });
        std::vector<uint8_t> is_near(cand.size(), 0);
        detail::parallel_blocks(cand.size(), p.threads, sub_progress(fi), "route corridors", [&](size_t k0, size_t k1) {
            for (size_t k = k0; k < k1; ++k) {
                const size_t i = cand[k];
                if (!bb.contains(x[i], y[i])) continue;
                int part = -1;
                is_near[k] = route_edges.nearest(x[i], y[i], part, hw) <= hw;
            }
        });
        std::vector<uint32_t> near;
        for (size_t k = 0; k < cand.size(); ++k)
            if (is_near[k]) near.push_back(cand[k]);
        std::sort(near.begin(), near.end());

        const double bin = p.bin_km;
        const size_t nbins = std::max<size_t>(1, size_t(std::ceil(rr.length_km / bin - 1e-9)));
        rr.profile.resize(nbins);
        for (size_t b = 0; b < nbins; ++b) {
            rr.profile[b].from_km = double(b) * bin;
            rr.profile[b].to_km = std::min(rr.length_km, double(b + 1) * bin);
        }
        rr.n.assign(np, 0), rr.w.assign(np, 0);
        for (const uint32_t i : near) {
            GeosPtr pt = detail::geos_point(x[i], y[i]);
            const double w = ev.weight.empty() ? 1.0 : ev.weight[i];
            const double along = GEOSProject_r(ctx, line.get(), pt.get()) / 1000.0;
            const size_t b = std::min(nbins - 1, size_t(std::max(0.0, std::floor(along / bin))));
            rr.profile[b].events += 1, rr.profile[b].weighted += w;
            if (pi[i] >= 0) {
                const size_t t = size_t(pi[i] - pmin);
                rr.n[t] += 1, rr.w[t] += w;
            }
        }
        for (auto& b : rr.profile)
            b.events_per_km = b.to_km > b.from_km ? b.events / (b.to_km - b.from_km) : 0;
        for (double v : rr.n) rr.total += v;
        recent_change(rr.n, p.recent_periods, rr.recent, rr.previous);
        rr.change = rr.recent - rr.previous;

        // Crossings: route ∩ each border segment.
        for (size_t s = 0; s < seg_lines.size(); ++s) {
            if (GEOSIntersects_r(ctx, line.get(), seg_lines[s].get()) != 1) continue;
            GeosPtr ix = checked(GEOSIntersection_r(ctx, line.get(), seg_lines[s].get()), "intersection");
            Geometry g = detail::from_geos(ix.get());
            std::vector<Vec2> pts = g.points;
            for (auto& l : g.lines) pts.push_back(l.front()); // a route running along the border: its first contact
            for (auto& q : pts) {
                Crossing c;
                c.route = res.routes.size();
                c.route_name = rr.name, c.commodity = rr.commodity, c.segment = border->segments[s].name;
                c.x = q.x, c.y = q.y;
                c.lon = q.x, c.lat = q.y;
                to_ll->forward(c.lon, c.lat);
                GeosPtr qp = detail::geos_point(q.x, q.y);
                c.along_km = GEOSProject_r(ctx, line.get(), qp.get()) / 1000.0;
                const size_t b = std::min(nbins - 1, size_t(std::max(0.0, std::floor(c.along_km / bin))));
                auto& cr = rr.profile[b].crossings;
                if (std::find(cr.begin(), cr.end(), c.segment) == cr.end()) cr.push_back(c.segment);
                c.n.assign(np, 0);
                // Events of the cells around the crossing (counts: the order does not matter).
                grid.for_cells(BBox{q.x - rad, q.y - rad, q.x + rad, q.y + rad}, [&](const BBox&, const uint32_t* idx, size_t count) {
                    for (size_t k = 0; k < count; ++k) {
                        const size_t i = idx[k];
                        if (pi[i] < 0) continue;
                        const double dx = x[i] - q.x, dy = y[i] - q.y;
                        if (dx * dx + dy * dy <= rad * rad) c.n[size_t(pi[i] - pmin)] += 1;
                    }
                });
                for (double v : c.n) c.total += v;
                recent_change(c.n, p.recent_periods, c.recent, c.previous);
                c.change = c.recent - c.previous;
                res.crossings.push_back(std::move(c));
            }
        }
        res.routes.push_back(std::move(rr));
    }
    std::sort(res.crossings.begin(), res.crossings.end(), [](const Crossing& a, const Crossing& b) {
        return a.route != b.route ? a.route < b.route : a.along_km < b.along_km;
    });
    {
        std::vector<double> rec, chg;
        std::vector<std::string> names;
        for (auto& r : res.routes) rec.push_back(r.recent), chg.push_back(r.change), names.push_back(r.name);
        auto r1 = rank_desc(rec, names), r2 = rank_desc(chg, names);
        for (size_t i = 0; i < res.routes.size(); ++i) res.routes[i].rank_recent = r1[i], res.routes[i].rank_change = r2[i];
    }
    {
        std::vector<double> rec, chg;
        std::vector<std::string> names;
        for (auto& c : res.crossings)
            rec.push_back(c.recent), chg.push_back(c.change), names.push_back(c.route_name + "|" + c.segment + "|" + fmt_num(c.along_km, 8));
        auto r1 = rank_desc(rec, names), r2 = rank_desc(chg, names);
        for (size_t i = 0; i < res.crossings.size(); ++i) res.crossings[i].rank_recent = r1[i], res.crossings[i].rank_change = r2[i];
    }

    Metadata& m = res.metadata;
    m = provenance(ev);
    m["analysis_crs"] = crs.definition().empty() ? crs.name() : crs.definition();
    m["routes"] = routes.source + (routes.name.empty() ? "" : ":" + routes.name);
    if (routes.synthetic()) m["routes_synthetic"] = "true";
    add_input_provenance(m, routes.prov);
    auto it = routes.metadata.find("illustrative");
    if (it != routes.metadata.end()) m["routes_illustrative"] = it->second;
    m["half_width_km"] = fmt_num(p.half_width_km);
    m["bin_km"] = fmt_num(p.bin_km);
    m["period"] = period_unit_name(p.period);
    m["recent_periods"] = std::to_string(p.recent_periods);
    if (np) {
        const size_t N = size_t(p.recent_periods);
        m["recent_window"] = res.labels[np - std::min(np, N)] + ".." + res.labels.back();
        if (np > N) m["previous_window"] = res.labels[np - std::min(np, 2 * N)] + ".." + res.labels[np - N - 1];
    }
    m["change_definition"] = "events in the last N periods minus events in the N periods before";
    m["corridor_method"] = "events within half_width_km (planar distance in the analysis CRS) of the route line; "
                           "an event near several routes counts for each";
    m["profile_method"] = "along-route position by GEOSProject on the merged route (multi-part routes: parts laid end to "
                          "end); events_per_km = events in the bin / bin length (the last bin may be shorter)";
    m["crossing_radius_km"] = fmt_num(rad / 1000.0);
    if (border) {
        std::string sg, cg;
        for (auto& c : border->countries) {
            std::string& g = c.side < 0 ? sg : cg;
            g += (g.empty() ? "" : ",") + c.iso;
        }
        m["sahel_group"] = sg;
        m["coastal_group"] = cg;
    }
    m["events_undated"] = std::to_string(res.undated);
    m["routes_skipped_empty"] = std::to_string(res.skipped_routes);
    progress(1.0, "corridors done");
    return res;
}

Table corridor_route_table(const CorridorResult& r) {
    Table t;
    t.columns = {"rank_recent", "route", "commodity", "length_km", "corridor_area_km2", "events_total", "events_per_100km",
                 "recent", "previous", "change", "rank_change", "crossings"};
    std::vector<size_t> o(r.routes.size());
    std::iota(o.begin(), o.end(), size_t(0));
    std::sort(o.begin(), o.end(), [&](size_t a, size_t b) { return r.routes[a].rank_recent < r.routes[b].rank_recent; });
    for (size_t i : o) {
        auto& R = r.routes[i];
        std::string cr;
        for (auto& c : r.crossings)
            if (c.route == i) cr += (cr.empty() ? "" : ";") + c.segment;
        t.rows.push_back({std::to_string(R.rank_recent), R.name, R.commodity, fmt_num(R.length_km, 8),
                          fmt_num(R.corridor_area_km2, 8), num(R.total), fmt_num(R.total / R.length_km * 100, 6),
                          num(R.recent), num(R.previous), num(R.change), std::to_string(R.rank_change), cr});
    }
    return t;
}

Table corridor_period_table(const CorridorResult& r) {
    Table t;
    t.columns = {"route", "commodity", "period", "events", "weighted", "events_per_100km"};
    for (auto& R : r.routes)
        for (size_t p = 0; p < r.periods.size(); ++p)
            t.rows.push_back({R.name, R.commodity, r.labels[p], num(R.n[p]), num(R.w[p]),
                              fmt_num(R.n[p] / R.length_km * 100, 6)});
    return t;
}

Table corridor_profile_table(const CorridorResult& r) {
    Table t;
    t.columns = {"route", "commodity", "bin_from_km", "bin_to_km", "events", "weighted", "events_per_km", "border_crossing"};
    for (auto& R : r.routes)
        for (auto& b : R.profile) {
            std::string cr;
            for (auto& c : b.crossings) cr += (cr.empty() ? "" : ";") + c;
            t.rows.push_back({R.name, R.commodity, fmt_num(b.from_km, 8), fmt_num(b.to_km, 8), num(b.events), num(b.weighted),
                              fmt_num(b.events_per_km, 6), cr});
        }
    return t;
}

Table corridor_crossing_table(const CorridorResult& r) {
    Table t;
    t.columns = {"rank_recent", "route", "commodity", "segment", "lon", "lat", "along_km", "events_total", "recent",
                 "previous", "change", "rank_change"};
    std::vector<size_t> o(r.crossings.size());
    std::iota(o.begin(), o.end(), size_t(0));
    std::sort(o.begin(), o.end(), [&](size_t a, size_t b) { return r.crossings[a].rank_recent < r.crossings[b].rank_recent; });
    for (size_t i : o) {
        auto& c = r.crossings[i];
        t.rows.push_back({std::to_string(c.rank_recent), c.route_name, c.commodity, c.segment, fmt_num(c.lon, 8),
                          fmt_num(c.lat, 8), fmt_num(c.along_km, 8), num(c.total), num(c.recent), num(c.previous),
                          num(c.change), std::to_string(c.rank_change)});
    }
    return t;
}

VectorLayer corridor_layer(const CorridorResult& r) {
    VectorLayer l;
    l.name = "corridors";
    l.crs = r.crs;
    l.type = GeomType::Polygon;
    l.fields = {"route", "commodity", "length_km", "half_width_km", "events_total", "recent", "previous", "change",
                "rank_recent", "rank_change"};
    for (auto& R : r.routes) {
        Feature f;
        f.geom = R.corridor;
        f.attrs = {R.name, R.commodity, R.length_km, r.params.half_width_km, int64_t(R.total), int64_t(R.recent),
                   int64_t(R.previous), int64_t(R.change), int64_t(R.rank_recent), int64_t(R.rank_change)};
        l.features.push_back(std::move(f));
    }
    return l;
}

VectorLayer crossing_layer(const CorridorResult& r) {
    VectorLayer l;
    l.name = "border_crossings";
    l.crs = r.crs;
    l.type = GeomType::Point;
    l.fields = {"route", "commodity", "segment", "along_km", "events_total", "recent", "previous", "change", "rank_recent",
                "rank_change"};
    for (auto& c : r.crossings) {
        Feature f;
        f.geom.type = GeomType::Point;
        f.geom.points.push_back({c.x, c.y});
        f.attrs = {c.route_name, c.commodity, c.segment, c.along_km, int64_t(c.total), int64_t(c.recent),
                   int64_t(c.previous), int64_t(c.change), int64_t(c.rank_recent), int64_t(c.rank_change)};
        l.features.push_back(std::move(f));
    }
    return l;
}

} // namespace nexusmap
