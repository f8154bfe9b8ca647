#include "nexusmap/precision.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "nexusmap/error.hpp"

namespace nexusmap {

PrecisionScheme precision_scheme(const EventTable& ev) {
    if (ev.schema.find("UCDP") != std::string::npos) return PrecisionScheme::Ucdp;
    if (ev.schema.find("ACLED") != std::string::npos) return PrecisionScheme::Acled;
    return PrecisionScheme::Unknown;
}

std::string precision_meaning(PrecisionScheme s, int code) {
    if (s == PrecisionScheme::Ucdp) {
        static const char* m[] = {"unknown", "exact location", "within ~25 km", "admin-2 unit", "admin-1 unit",
                                  "linear feature / between places", "country", "international waters or airspace"};
        return code >= 0 && code <= 7 ? m[code] : "unknown";
    }
    if (s == PrecisionScheme::Acled) {
        static const char* m[] = {"unknown", "exact location", "near a town / part of a region", "larger region (admin-1)"};
        return code >= 0 && code <= 3 ? m[code] : "unknown";
    }
    return code == 0 ? "unknown" : "code " + std::to_string(code);
}

namespace {

// Admin level the code names (0 country, 1 admin-1, 2 admin-2), -1 for point locations, -2 for
// codes that name no polygon (UCDP 5 linear features, 7 international waters): excluded.
int level_for(PrecisionScheme s, int code) {
    if (s == PrecisionScheme::Ucdp) {
        switch (code) {
        case 3: return 2;
        case 4: return 1;
        case 6: return 0;
        case 5:
        case 7: return -2;
        default: return -1;
        }
    }
    if (s == PrecisionScheme::Acled && code == 3) return 1;
    return -1;
}
const char* level_name(int l) { return l == 2 ? "admin-2" : l == 1 ? "admin-1" : "country"; }

bool in_ring(const Ring& r, double x, double y) {
    bool in = false;
    for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
        const Vec2 &a = r[i], &b = r[j];
        if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) in = !in;
    }
    return in;
}
bool in_geometry(const Geometry& g, double x, double y) {
    for (auto& p : g.polygons) {
        if (p.rings.empty() || !in_ring(p.rings[0], x, y)) continue;
        bool hole = false;
        for (size_t h = 1; h < p.rings.size() && !hole; ++h) hole = in_ring(p.rings[h], x, y);
        if (!hole) return true;
    }
    return false;
}

} // namespace

std::vector<Vec2> polygon_subgrid(const VectorLayer& layer, size_t feature, int max_points) {
    if (feature >= layer.features.size()) return {};
    const Geometry& g = layer.features[feature].geom;
    const BBox b = g.bbox();
    if (!(b.xmax > b.xmin) || !(b.ymax > b.ymin)) return {};
    int cap = 1;
    while (cap * 2 <= std::max(1, max_points)) cap *= 2;
    std::vector<Vec2> in;
    // Refine the grid until it has several times the points wanted inside (or gets very fine).
    for (int side = 16; side <= 1024; side *= 2) {
        in.clear();
        const double dx = (b.xmax - b.xmin) / side, dy = (b.ymax - b.ymin) / side;
        for (int j = 0; j < side; ++j)
            for (int i = 0; i < side; ++i) {
                const double x = b.xmin + (i + 0.5) * dx, y = b.ymin + (j + 0.5) * dy;
                if (in_geometry(g, x, y)) in.push_back({x, y});
            }
        if (in.size() >= size_t(2 * cap)) break;
    }
    if (in.empty()) return {};
    size_t k = 1;
    while (k * 2 <= in.size() && k * 2 <= size_t(cap)) k *= 2;
    // k points spread evenly through the row-major list (so over the whole polygon).
    std::vector<Vec2> out;
    out.reserve(k);
    for (size_t j = 0; j < k; ++j) out.push_back(in[(j * in.size()) / k + (in.size() / k) / 2]);
    return out;
}

namespace {
PrecisionResult apply_precision_impl(const EventTable& ev, EventTable* movable, const PrecisionParams& p) {
    PrecisionResult r;
    const PrecisionScheme s = precision_scheme(ev);
    const size_t n = ev.size();
    r.input_events = n;
    r.mode = p.spread ? "spread" : "keep";
    if (p.max_precision > 0) r.mode = (p.spread ? "spread, " : "") + std::string("max-precision ") + std::to_string(p.max_precision);

    // Layers in lon/lat, with an index to find the polygon an event was placed in.
    struct L {
        VectorLayer ll;
        std::unique_ptr<PolygonIndex> idx;
        std::unordered_map<int, std::vector<Vec2>> cache;
    };
    std::unique_ptr<L> layers[3];
    if (p.spread) {
        const VectorLayer* in[3] = {p.admin0, p.admin1, p.admin2};
        for (int l = 0; l < 3; ++l) {
            if (!in[l] || in[l]->features.empty()) continue;
            if (in[l]->type != GeomType::Polygon)
                throw GeoError(in[l]->source, "layer '" + in[l]->name + "'", "is not a polygon layer (needed to spread imprecise events)");
            layers[l] = std::make_unique<L>();
            layers[l]->ll = in[l]->crs.valid() && !in[l]->crs.same_as(Crs::wgs84()) ? reproject(*in[l], Crs::wgs84()) : *in[l];
            layers[l]->idx = std::make_unique<PolygonIndex>(layers[l]->ll);
        }
    }

    std::map<int, PrecisionLevel> lv;
    std::vector<bool> keep(n, false);
    struct Spread {
        size_t src;
        int level, feature;
        const std::vector<Vec2>* pts;
    };
    std::vector<Spread> spreads;
    for (size_t i = 0; i < n; ++i) {
        const int code = ev.precision.size() == n ? int(ev.precision[i]) : 0;
        PrecisionLevel& L0 = lv[code];
        L0.code = code;
        ++L0.events;
        const double w = ev.weight.size() == n ? double(ev.weight[i]) : 1.0;
        L0.weight += w;
        r.input_weight += w;
        if (p.max_precision > 0 && code > p.max_precision) {
            ++L0.dropped, ++r.dropped;
            continue;
        }
        const int level = p.spread && code > 0 ? level_for(s, code) : -1;
        if (level == -1) {
            keep[i] = true;
            ++L0.kept, ++r.kept;
            continue;
        }
        if (level == -2) {
            ++L0.unplaced, ++r.excluded;
            continue;
        }
        // The smallest available polygon at or above the named level that holds the event.
        bool placed = false;
        for (int l = level; l >= 0 && !placed; --l) {
            if (!layers[l]) continue;
            const int f = layers[l]->idx->locate(ev.lon[i], ev.lat[i]);
            if (f < 0) continue;
            auto it = layers[l]->cache.find(f);
            if (it == layers[l]->cache.end()) it = layers[l]->cache.emplace(f, polygon_subgrid(layers[l]->ll, size_t(f), p.max_points)).first;
            if (it->second.empty()) continue;
            spreads.push_back({i, l, f, &it->second});
            placed = true;
        }
        if (placed) ++L0.spread, ++r.spread;
        else ++L0.unplaced, ++r.excluded;
    }

    // Kept rows first (subset keeps every column), then the spread rows.
    r.weight.clear();
    for (size_t i = 0; i < n; ++i)
        if (keep[i]) r.weight.push_back(ev.weight.size() == n ? double(ev.weight[i]) : 1.0);
    const bool has_xy0 = ev.crs.valid();
    if (movable && spreads.empty() && r.kept == n) r.events = std::move(*movable); // `ev` is not read after this
    else r.events = ev.subset(keep);
    EventTable& o = r.events;
    r.share.assign(o.size(), 1.0);
    const bool has_xy = o.x.size() == o.size() && has_xy0;
    for (auto& sp : spreads) {
        const size_t i = sp.src, k = sp.pts->size();
        const double share = 1.0 / double(k); // k is a power of two: exact
        const double w = ev.weight.size() == n ? double(ev.weight[i]) : 1.0;
        for (const Vec2& q : *sp.pts) {
            o.lon.push_back(q.x);
            o.lat.push_back(q.y);
            o.day.push_back(ev.day[i]);
            o.weight.push_back(float(w * share));
            o.fatalities.push_back(float(double(ev.fatalities[i]) * share));
            o.type.push_back(ev.type[i]);
            o.precision.push_back(ev.precision[i]);
            o.row.push_back(ev.row[i]);
            o.country.push_back(ev.country[i]);
            if (ev.admin1.size() == n) o.admin1.push_back(ev.admin1[i]); // text columns a file lacks stay empty
            if (ev.actor.size() == n) o.actor.push_back(ev.actor[i]);
            r.share.push_back(share);
            r.weight.push_back(w * share);
            r.spread_level.push_back(sp.level);
            r.spread_feature.push_back(sp.feature);
            r.spread_source.push_back(i);
        }
    }
    if (!spreads.empty()) {
        o.share.assign(r.share.begin(), r.share.end());
        if (has_xy) project_events(o, ev.crs);
    } else {
        o.share.clear();
    }
    for (double w : r.weight) r.output_weight += w;

    for (auto& [code, L] : lv) {
        L.meaning = precision_meaning(s, code);
        std::string a;
        auto add = [&](size_t c, const std::string& what) {
            if (c) a += (a.empty() ? "" : "; ") + std::to_string(c) + " " + what;
        };
        add(L.kept, "kept as points");
        add(L.dropped, "dropped (above --max-precision " + std::to_string(p.max_precision) + ")");
        const int level = level_for(s, code);
        add(L.spread, std::string("spread over their ") + (level >= 0 ? level_name(level) : "") + " polygon");
        add(L.unplaced, level == -2 ? "excluded (no polygon for this precision)" : "excluded (in no polygon of the layers given)");
        L.action = a;
        r.levels.push_back(L);
    }
    o.metadata["precision_mode"] = r.mode;
    return r;
}
} // namespace

PrecisionResult apply_precision(const EventTable& ev, const PrecisionParams& p) { return apply_precision_impl(ev, nullptr, p); }
PrecisionResult apply_precision(EventTable&& ev, const PrecisionParams& p) { return apply_precision_impl(ev, &ev, p); }

std::string PrecisionResult::summary() const {
    std::ostringstream o;
    o << "location precision (" << mode << "): " << input_events << " events; " << kept << " kept as points";
    if (spread) o << ", " << spread << " spread";
    if (dropped) o << ", " << dropped << " dropped";
    if (excluded) o << ", " << excluded << " excluded";
    o << "\n";
    for (auto& l : levels) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", l.weight);
        o << "    precision " << l.code << " (" << l.meaning << "): " << l.events << " events, weight " << buf << ": "
          << l.action << "\n";
    }
    return o.str();
}

std::map<std::string, std::string> PrecisionResult::metadata() const {
    std::map<std::string, std::string> m;
    m["precision_mode"] = mode;
    std::string lv;
    for (auto& l : levels) lv += (lv.empty() ? "" : "; ") + std::to_string(l.code) + " " + l.meaning + ": " + l.action;
    m["precision_levels"] = lv;
    m["precision_counts"] = std::to_string(kept) + " kept, " + std::to_string(spread) + " spread, " + std::to_string(dropped) +
                            " dropped, " + std::to_string(excluded) + " excluded of " + std::to_string(input_events);
    if (spread)
        m["precision_note"] = "imprecise events spread evenly (equal fractions on a regular lon/lat sub-grid) over the "
                              "smallest polygon their precision names; totals kept";
    return m;
}

std::string precise_default_reason(const std::string& analysis) {
    return analysis + " uses precise events only by default (UCDP where_prec <= 2, ACLED geo_precision <= 2); give "
                      "--max-precision 7 to use all";
}

} // namespace nexusmap
