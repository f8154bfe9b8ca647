#include "nexusmap/labels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nexusmap {

std::vector<PlacedLabel> place_labels(const std::vector<LabelCandidate>& c, const std::vector<LabelBox>& obstacles,
                                      const LabelBox& frame) {
    std::vector<size_t> order(c.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (c[a].kind != c[b].kind) return int(c[a].kind) < int(c[b].kind);
        return c[a].rank < c[b].rank;
    });
    std::vector<PlacedLabel> out;
    auto free_at = [&](const LabelBox& b) {
        if (!b.inside(frame)) return false;
        for (const LabelBox& o : obstacles)
            if (b.overlaps(o)) return false;
        for (const PlacedLabel& p : out)
            if (b.overlaps(p.box)) return false;
        return true;
    };
    for (size_t i : order) {
        const LabelCandidate& l = c[i];
        if (!(l.w > 0 && l.h > 0) || !std::isfinite(l.ax) || !std::isfinite(l.ay)) continue;
        // Offsets of the box's top-left corner from the anchor, in preference order.
        std::vector<std::pair<double, double>> pos;
        const double w = l.w, h = l.h, g = l.gap;
        if (l.point) {
            pos = {{g, -h / 2}, {-g - w, -h / 2}, {-w / 2, -g - h}, {-w / 2, g},
                   {g * 0.7, -g * 0.7 - h}, {-g * 0.7 - w, -g * 0.7 - h}, {g * 0.7, g * 0.7}, {-g * 0.7 - w, g * 0.7}};
        } else {
            // Centred on the anchor, then shifted up/down by steps of 0.7 lines, then sideways.
            for (double sx : {0.0, -0.25, 0.25})
                for (double sy : {0.0, -0.7, 0.7, -1.4, 1.4, -2.1, 2.1})
                    pos.emplace_back(-w / 2 + sx * w, -h / 2 + sy * h);
        }
        for (const auto& [dx, dy] : pos) {
            const LabelBox b{l.ax + dx, l.ay + dy, l.ax + dx + w, l.ay + dy + h};
            if (free_at(b)) {
                out.push_back({i, b});
                break;
            }
        }
    }
    return out;
}

namespace {

double ring_area(const Ring& r) {
    double a = 0;
    for (size_t i = 0; i + 1 < r.size(); ++i) a += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y;
    return a / 2;
}

// Signed distance from p to the polygon's boundary: positive inside (even-odd over all rings).
double signed_dist(const Polygon& poly, double px, double py) {
    bool in = false;
    double best = std::numeric_limits<double>::infinity();
    for (const Ring& r : poly.rings) {
        for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
            const Vec2 &a = r[i], &b = r[j];
            if ((a.y > py) != (b.y > py) && px < (b.x - a.x) * (py - a.y) / (b.y - a.y) + a.x) in = !in;
            const double ex = b.x - a.x, ey = b.y - a.y, len2 = ex * ex + ey * ey;
            double t = len2 > 0 ? ((px - a.x) * ex + (py - a.y) * ey) / len2 : 0;
            t = std::clamp(t, 0.0, 1.0);
            const double dx = a.x + t * ex - px, dy = a.y + t * ey - py;
            best = std::min(best, dx * dx + dy * dy);
        }
    }
    return (in ? 1 : -1) * std::sqrt(best);
}

} // namespace

Vec2 label_anchor(const Geometry& g) {
    const Polygon* big = nullptr;
    double big_a = -1;
    for (const Polygon& p : g.polygons) {
        if (p.rings.empty() || p.rings[0].size() < 4) continue;
        const double a = std::fabs(ring_area(p.rings[0]));
        if (a > big_a) big_a = a, big = &p;
    }
    if (!big) {
        const BBox b = g.bbox();
        return {(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2};
    }
    double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
    for (const Vec2& v : big->rings[0]) x0 = std::min(x0, v.x), y0 = std::min(y0, v.y), x1 = std::max(x1, v.x), y1 = std::max(y1, v.y);
    // Coarse grid, then two refinements around the best cell.
    Vec2 best{(x0 + x1) / 2, (y0 + y1) / 2};
    double best_d = signed_dist(*big, best.x, best.y);
    double cx = best.x, cy = best.y, hw = (x1 - x0) / 2, hh = (y1 - y0) / 2;
    for (int level = 0; level < 3; ++level) {
        const int n = 24;
        for (int i = 0; i <= n; ++i)
            for (int j = 0; j <= n; ++j) {
                const double px = cx - hw + 2 * hw * i / n, py = cy - hh + 2 * hh * j / n;
                const double d = signed_dist(*big, px, py);
                if (d > best_d) best_d = d, best = {px, py};
            }
        cx = best.x, cy = best.y, hw *= 2.0 / n * 1.5, hh *= 2.0 / n * 1.5;
    }
    return best;
}

std::vector<MapLabel> area_labels(const VectorLayer& layer, LabelKind kind, const std::vector<std::string>& name_fields) {
    std::vector<MapLabel> out;
    int f = -1;
    for (const auto& n : name_fields)
        if ((f = layer.field_index(n)) >= 0) break;
    if (f < 0) return out;
    for (size_t i = 0; i < layer.features.size(); ++i) {
        const Feature& ft = layer.features[i];
        if (ft.geom.polygons.empty()) continue;
        std::string name = attr_to_string(ft.attrs[size_t(f)]);
        if (name.empty()) continue;
        const Vec2 a = label_anchor(ft.geom);
        double area = 0;
        for (const Polygon& p : ft.geom.polygons)
            if (!p.rings.empty()) area += std::fabs(ring_area(p.rings[0]));
        out.push_back({std::move(name), a.x, a.y, kind, -area, false}); // larger units first
    }
    return out;
}

std::vector<MapLabel> populated_place_labels(const VectorLayer& places, int max_scalerank) {
    std::vector<MapLabel> out;
    const int fn = places.field_index("name"), fc = places.field_index("featurecla"), fr = places.field_index("scalerank"),
              fp = places.field_index("pop_max");
    if (fn < 0) return out;
    for (const Feature& ft : places.features) {
        if (ft.geom.points.empty()) continue;
        std::string name = attr_to_string(ft.attrs[size_t(fn)]);
        if (name.empty()) continue;
        const std::string cla = fc >= 0 ? attr_to_string(ft.attrs[size_t(fc)]) : "";
        const double sr = fr >= 0 ? attr_to_double(ft.attrs[size_t(fr)]).value_or(10) : 10;
        const double pop = fp >= 0 ? attr_to_double(ft.attrs[size_t(fp)]).value_or(0) : 0;
        const bool capital = cla.rfind("Admin-0 capital", 0) == 0;
        if (!capital && sr > max_scalerank) continue;
        // Rank: scale rank first, then the larger population (a fraction below 1 keeps ranks apart).
        const double rank = sr - std::min(0.999, std::log10(1 + pop) / 10);
        out.push_back({std::move(name), ft.geom.points[0].x, ft.geom.points[0].y, capital ? LabelKind::Capital : LabelKind::City,
                       rank, true});
    }
    return out;
}

namespace {
// Sutherland–Hodgman: a ring clipped to a rectangle (the clipped ring may touch itself along the
// rectangle's edges, which is harmless for a label anchor).
Ring clip_ring(const Ring& r, const BBox& b) {
    Ring cur(r.begin(), r.end());
    if (!cur.empty() && cur.front().x == cur.back().x && cur.front().y == cur.back().y) cur.pop_back();
    for (int side = 0; side < 4 && !cur.empty(); ++side) {
        auto in = [&](const Vec2& p) {
            return side == 0 ? p.x >= b.xmin : side == 1 ? p.x <= b.xmax : side == 2 ? p.y >= b.ymin : p.y <= b.ymax;
        };
        auto cut = [&](const Vec2& p, const Vec2& q) {
            const double t = side == 0 ? (b.xmin - p.x) / (q.x - p.x)
                             : side == 1 ? (b.xmax - p.x) / (q.x - p.x)
                             : side == 2 ? (b.ymin - p.y) / (q.y - p.y)
                                         : (b.ymax - p.y) / (q.y - p.y);
            return Vec2{p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
        };
        Ring next;
        for (size_t i = 0; i < cur.size(); ++i) {
            const Vec2 &p = cur[i], &q = cur[(i + 1) % cur.size()];
            if (in(p)) {
                next.push_back(p);
                if (!in(q)) next.push_back(cut(p, q));
            } else if (in(q)) {
                next.push_back(cut(p, q));
            }
        }
        cur = std::move(next);
    }
    if (!cur.empty()) cur.push_back(cur.front());
    return cur;
}
} // namespace

std::vector<MapLabel> default_map_labels(const VectorLayer* admin0, const VectorLayer* admin1, const VectorLayer* places,
                                         const BBox& extent, double km_per_unit) {
    std::vector<MapLabel> out;
    const double across_km = std::max(extent.width(), extent.height()) * km_per_unit;
    auto keep_inside = [&](std::vector<MapLabel> v) {
        for (auto& l : v)
            if (extent.contains(l.x, l.y)) out.push_back(std::move(l));
    };
    // Countries: anchored in the part of each country that is on the map (a country whose middle
    // is off a zoomed map is still named where it shows).
    if (admin0) {
        VectorLayer clipped = *admin0;
        clipped.features.clear();
        for (const Feature& f : admin0->features) {
            const BBox fb = f.geom.bbox();
            if (fb.xmax < extent.xmin || fb.xmin > extent.xmax || fb.ymax < extent.ymin || fb.ymin > extent.ymax) continue;
            Feature c = f;
            double shown = 0;
            for (Polygon& p : c.geom.polygons) {
                for (Ring& r : p.rings) r = clip_ring(r, extent);
                if (!p.rings.empty() && p.rings[0].size() >= 4) shown += std::fabs(ring_area(p.rings[0]));
            }
            // A sliver along the map's edge is not worth a name (and has no room for one).
            const bool whole = fb.xmin >= extent.xmin && fb.xmax <= extent.xmax && fb.ymin >= extent.ymin && fb.ymax <= extent.ymax;
            if (whole || shown >= 0.005 * extent.width() * extent.height()) clipped.features.push_back(std::move(c));
        }
        keep_inside(area_labels(clipped, LabelKind::Country, {"name", "name_en", "admin", "adm0_name"}));
    }
    if (places) {
        const int max_rank = across_km > 2000 ? 4 : across_km > 1200 ? 6 : across_km > 600 ? 8 : 10;
        keep_inside(populated_place_labels(*places, max_rank));
    }
    if (admin1 && across_km < 1500) keep_inside(area_labels(*admin1, LabelKind::Admin1, {"name", "adm1_name", "name_en"}));
    return out;
}

} // namespace nexusmap
