#pragma once
// Picking: the nearest event to the cursor within a radius (uniform bucket grid over the events'
// map coordinates, built once per table), and point-to-polyline distances (nearest route, the
// spillover border under the cursor). Pure logic (no GL), tested in tests/test_viewer_analysis.cpp
// against brute force.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "nexusmap/layers.hpp"

namespace nexusmap::viewer {

class PointGrid {
  public:
    PointGrid() = default;
    // `cell` in map units; <= 0 chooses one giving about 4 points per occupied cell.
    PointGrid(const std::vector<double>& x, const std::vector<double>& y, double cell = 0) : x_(&x), y_(&y) {
        double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
        size_t n = 0;
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) {
                x0 = std::min(x0, x[i]), x1 = std::max(x1, x[i]), y0 = std::min(y0, y[i]), y1 = std::max(y1, y[i]);
                ++n;
            }
        if (!n) return;
        if (!(cell > 0)) cell = std::max(std::sqrt(std::max((x1 - x0) * (y1 - y0), 1.0) / double(n) * 4), 1.0);
        cell_ = cell;
        x0_ = x0;
        y0_ = y0;
        nx_ = std::clamp(int((x1 - x0) / cell) + 1, 1, 4096);
        ny_ = std::clamp(int((y1 - y0) / cell) + 1, 1, 4096);
        cell_ = std::max((x1 - x0) / nx_, (y1 - y0) / ny_) * (1 + 1e-12);
        if (!(cell_ > 0)) cell_ = 1;
        start_.assign(size_t(nx_) * ny_ + 1, 0);
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) ++start_[bucket(x[i], y[i]) + 1];
        for (size_t k = 1; k < start_.size(); ++k)
            start_[k] += start_[k - 1];
        ids_.resize(n);
        std::vector<uint32_t> fill(start_.begin(), start_.end() - 1);
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) ids_[fill[bucket(x[i], y[i])]++] = uint32_t(i);
    }

    // Index of the nearest point within `radius` of (x, y) for which keep(i) is true, or -1.
    // Ties: the lower index.
    template <class Keep> long nearest(double x, double y, double radius, Keep keep) const {
        if (start_.empty() || !(radius >= 0)) return -1;
        const int c0 = std::max(0, int(std::floor((x - radius - x0_) / cell_))),
                  c1 = std::min(nx_ - 1, int(std::floor((x + radius - x0_) / cell_))),
                  r0 = std::max(0, int(std::floor((y - radius - y0_) / cell_))),
                  r1 = std::min(ny_ - 1, int(std::floor((y + radius - y0_) / cell_)));
        long best = -1;
        double best_d2 = radius * radius;
        for (int r = r0; r <= r1; ++r)
            for (int c = c0; c <= c1; ++c) {
                const size_t b = size_t(r) * nx_ + c;
                for (uint32_t k = start_[b]; k < start_[b + 1]; ++k) {
                    const uint32_t i = ids_[k];
                    const double dx = (*x_)[i] - x, dy = (*y_)[i] - y, d2 = dx * dx + dy * dy;
                    if ((d2 < best_d2 || (d2 == best_d2 && (best < 0 || long(i) < best))) && keep(size_t(i))) {
                        best = long(i);
                        best_d2 = d2;
                    }
                }
            }
        return best;
    }
    long nearest(double x, double y, double radius) const {
        return nearest(x, y, radius, [](size_t) { return true; });
    }

  private:
    size_t bucket(double x, double y) const {
        const int c = std::clamp(int((x - x0_) / cell_), 0, nx_ - 1), r = std::clamp(int((y - y0_) / cell_), 0, ny_ - 1);
        return size_t(r) * nx_ + c;
    }
    const std::vector<double>* x_ = nullptr;
    const std::vector<double>* y_ = nullptr;
    double x0_ = 0, y0_ = 0, cell_ = 1;
    int nx_ = 0, ny_ = 0;
    std::vector<uint32_t> start_, ids_;
};

// Distance from (x, y) to the segment a-b.
inline double point_segment_distance(double x, double y, Vec2 a, Vec2 b) {
    const double dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((x - a.x) * dx + (y - a.y) * dy) / l2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(x - (a.x + t * dx), y - (a.y + t * dy));
}

// Distance from (x, y) to the lines (and polygon rings) of a geometry; +inf when it has none.
inline double point_geometry_distance(double x, double y, const Geometry& g) {
    double d = std::numeric_limits<double>::infinity();
    auto line = [&](const std::vector<Vec2>& pts) {
        for (size_t k = 0; k + 1 < pts.size(); ++k)
            d = std::min(d, point_segment_distance(x, y, pts[k], pts[k + 1]));
        if (pts.size() == 1) d = std::min(d, std::hypot(x - pts[0].x, y - pts[0].y));
    };
    for (const auto& l : g.lines)
        line(l);
    for (const auto& p : g.polygons)
        for (const auto& r : p.rings)
            line(r);
    return d;
}

// Nearest of several geometries: {index, distance}; {-1, inf} when none has lines.
struct NearestGeometry {
    long index = -1;
    double distance = std::numeric_limits<double>::infinity();
};
inline NearestGeometry nearest_geometry(double x, double y, const std::vector<const Geometry*>& geoms) {
    NearestGeometry best;
    for (size_t i = 0; i < geoms.size(); ++i) {
        const double d = point_geometry_distance(x, y, *geoms[i]);
        if (d < best.distance) best = {long(i), d};
    }
    return best;
}

} // namespace nexusmap::viewer

namespace nexusmap::viewer {

// Even-odd point in polygon over every part of a polygon geometry (holes excluded; boundary
// points may go either way).
inline bool point_in_geometry(double x, double y, const Geometry& g) {
    for (const Polygon& p : g.polygons) {
        bool inside = false;
        for (const Ring& r : p.rings) {
            const size_t n = r.size();
            for (size_t i = 0, j = n ? n - 1 : 0; i < n; j = i++) {
                const Vec2 &a = r[i], &b = r[j];
                if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) inside = !inside;
            }
        }
        if (inside) return true;
    }
    return false;
}

} // namespace nexusmap::viewer
