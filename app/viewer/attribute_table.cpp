#include "viewer/attribute_table.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "nexusmap/text.hpp"

namespace nexusmap::viewer {

std::vector<size_t> attribute_rows(const VectorLayer& layer, int sort_field, bool ascending,
                                   std::string_view filter) {
    std::vector<size_t> rows;
    const std::string needle = ascii_lower(filter);
    for (size_t f = 0; f < layer.features.size(); ++f) {
        bool keep = needle.empty();
        for (size_t a = 0; !keep && a < layer.features[f].attrs.size(); ++a)
            keep = ascii_lower(attr_to_string(layer.features[f].attrs[a])).find(needle) != std::string::npos;
        if (keep) rows.push_back(f);
    }
    if (sort_field < 0 || size_t(sort_field) >= layer.fields.size()) return rows;
    const size_t c = size_t(sort_field);
    // Keys computed once: (empty, number, folded text).
    struct Key {
        bool empty = true;
        std::optional<double> num;
        std::string text;
    };
    std::vector<Key> keys(layer.features.size());
    for (size_t f : rows) {
        const auto& attrs = layer.features[f].attrs;
        if (c >= attrs.size() || std::holds_alternative<std::monostate>(attrs[c])) continue;
        Key& k = keys[f];
        k.text = ascii_lower(attr_to_string(attrs[c]));
        k.empty = k.text.empty();
        if (!std::holds_alternative<std::string>(attrs[c])) k.num = attr_to_double(attrs[c]);
    }
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
        const Key &ka = keys[a], &kb = keys[b];
        if (ka.empty != kb.empty) return kb.empty; // empty last either way
        if (ka.empty) return false;
        if (ka.num && kb.num && *ka.num != *kb.num) return ascending ? *ka.num < *kb.num : *ka.num > *kb.num;
        if (ka.num.has_value() != kb.num.has_value())
            return ascending ? ka.num.has_value() : kb.num.has_value();
        if (ka.text != kb.text) return ascending ? ka.text < kb.text : ka.text > kb.text;
        return false;
    });
    return rows;
}

BBox selection_bbox(const VectorLayer& layer, const std::vector<size_t>& features) {
    BBox b = BBox::inverted();
    for (size_t f : features) {
        if (f >= layer.features.size() || layer.features[f].geom.empty()) continue;
        const BBox g = layer.features[f].geom.bbox();
        if (g.xmax < g.xmin) continue;
        b.expand(g.xmin, g.ymin);
        b.expand(g.xmax, g.ymax);
    }
    return b;
}

namespace {
double seg_dist2(double x, double y, const Vec2& a, const Vec2& b) {
    const double dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
    const double t = l2 > 0 ? std::clamp(((x - a.x) * dx + (y - a.y) * dy) / l2, 0.0, 1.0) : 0.0;
    const double ex = a.x + t * dx - x, ey = a.y + t * dy - y;
    return ex * ex + ey * ey;
}
bool in_ring(double x, double y, const Ring& r) {
    bool in = false;
    for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++)
        if ((r[i].y > y) != (r[j].y > y) && x < (r[j].x - r[i].x) * (y - r[i].y) / (r[j].y - r[i].y) + r[i].x)
            in = !in;
    return in;
}
} // namespace

long feature_at(const VectorLayer& layer, const PolygonIndex* index, double x, double y, double radius) {
    if (layer.type == GeomType::Polygon) {
        if (index) return index->locate(x, y);
        for (size_t f = 0; f < layer.features.size(); ++f)
            for (const auto& poly : layer.features[f].geom.polygons) {
                if (poly.rings.empty() || poly.rings[0].size() < 3 || !in_ring(x, y, poly.rings[0])) continue;
                bool in_hole = false;
                for (size_t h = 1; h < poly.rings.size() && !in_hole; ++h)
                    in_hole = poly.rings[h].size() >= 3 && in_ring(x, y, poly.rings[h]);
                if (!in_hole) return long(f);
            }
        return -1;
    }
    long best = -1;
    double best_d2 = radius * radius;
    for (size_t f = 0; f < layer.features.size(); ++f) {
        const Geometry& g = layer.features[f].geom;
        double d2 = INFINITY;
        for (const auto& p : g.points)
            d2 = std::min(d2, (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y));
        for (const auto& l : g.lines)
            for (size_t i = 1; i < l.size(); ++i)
                d2 = std::min(d2, seg_dist2(x, y, l[i - 1], l[i]));
        if (d2 <= best_d2) {
            best_d2 = d2;
            best = long(f);
        }
    }
    return best;
}

} // namespace nexusmap::viewer
