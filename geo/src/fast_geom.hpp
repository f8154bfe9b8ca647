#pragma once
// Plain-data spatial helpers for the per-event loops of spillover and corridors (private to geo/).
// They replace per-point GEOS calls (GEOSPreparedDistance, PolygonIndex) with the same arithmetic
// on an index, so the answers are the same and queries are thread-safe:
//
//  * EdgeIndex: nearest edge among many polylines (a bounding-volume tree over the edges). The
//    point-to-segment distance is GEOS's own formula (geos::algorithm::Distance::pointToSegment),
//    evaluated the same way, so distances equal GEOSPreparedDistance's bit for bit except for a
//    point lying exactly on a line (GEOS answers 0 from its intersection test; the formula can give
//    a rounding residue ~1e-10 m). Ties between parts go to the lowest part id, as a loop over the
//    parts with a strict `<` does.
//  * StripPolygons: which polygon feature contains a point, with exactly PolygonIndex::locate's
//    answer (the lowest feature whose bbox holds the point and one of whose parts holds it by the
//    same even-odd / on-boundary test), but each part's edges are bucketed by horizontal strips so
//    a query tests a few edges instead of all of them.
//
// tests/test_spillover.cpp and tests/test_corridors.cpp check both against the brute force.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <thread>
#include <vector>

#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"

namespace nexusmap::detail {

// GEOS 3.11 Distance::pointToSegment, term for term (same operations in the same order).
inline double point_segment_distance(double px, double py, double ax, double ay, double bx, double by) {
    if (ax == bx && ay == by) {
        const double dx = px - ax, dy = py - ay;
        return std::sqrt(dx * dx + dy * dy);
    }
    const double len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
    const double r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2;
    if (r <= 0.0) {
        const double dx = px - ax, dy = py - ay;
        return std::sqrt(dx * dx + dy * dy);
    }
    if (r >= 1.0) {
        const double dx = px - bx, dy = py - by;
        return std::sqrt(dx * dx + dy * dy);
    }
    const double s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2;
    return std::fabs(s) * std::sqrt(len2);
}

class EdgeIndex {
  public:
    EdgeIndex() = default;
    // Adds the edges of `line` (consecutive vertices) under part id `part` (>= 0).
    void add_line(const LineString& line, int part) {
        for (size_t i = 0; i + 1 < line.size(); ++i)
            edges_.push_back({line[i].x, line[i].y, line[i + 1].x, line[i + 1].y, part, uint32_t(edges_.size())});
        built_ = false;
    }
    void add_lines(const Geometry& g, int part) {
        for (auto& l : g.lines) add_line(l, part);
        if (g.lines.empty())
            for (auto& p : g.points) add_line({p, p}, part); // a lone point: a zero-length edge
    }
    bool empty() const { return edges_.empty(); }

    void build() {
        nodes_.clear();
        order_.resize(edges_.size());
        for (size_t i = 0; i < order_.size(); ++i) order_[i] = uint32_t(i);
        if (!edges_.empty()) build_node(0, uint32_t(edges_.size()));
        // Store edges in tree order so leaves are contiguous.
        std::vector<Edge> e(edges_.size());
        for (size_t i = 0; i < order_.size(); ++i) e[i] = edges_[order_[i]];
        edges_.swap(e);
        built_ = true;
    }

    // Distance to the nearest edge and that edge's part (the lowest part among equally near ones).
    // Only distances <= `limit` are looked for: beyond it, returns +inf and part -1.
    double nearest(double px, double py, int& part, double limit = std::numeric_limits<double>::infinity()) const {
        double best = std::numeric_limits<double>::infinity();
        part = -1;
        if (nodes_.empty()) return best;
        uint32_t stack[128];
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            const Node& nd = nodes_[stack[--sp]];
            // Lower bound of every edge's distance in this box; pruning keeps boxes a hair beyond
            // the bound so that edges exactly as near as the best (ties) are still visited.
            const double bound = std::min(best, limit);
            const double lb = box_distance(nd, px, py);
            if (lb > bound * (1 + 1e-9) + 1e-9) continue;
            if (nd.left == kLeaf) {
                for (uint32_t i = nd.begin; i < nd.end; ++i) {
                    const Edge& e = edges_[i];
                    const double d = point_segment_distance(px, py, e.ax, e.ay, e.bx, e.by);
                    if (d > limit) continue;
                    if (d < best || (d == best && e.part < part)) best = d, part = e.part;
                }
                continue;
            }
            // Nearer child last (popped first).
            const Node &a = nodes_[nd.left], &b = nodes_[nd.right];
            const bool a_first = box_distance(a, px, py) <= box_distance(b, px, py);
            if (sp + 2 > 128) { // cannot happen for balanced trees of < 2^60 edges; stay safe
                continue;
            }
            stack[sp++] = a_first ? nd.right : nd.left;
            stack[sp++] = a_first ? nd.left : nd.right;
        }
        return best;
    }

    // Calls f(id, part, distance) for every edge within `limit` of (px, py), in no particular order.
    // id: the edge's position in insertion order (add_line/add_lines, counting from 0).
    template <class F> void within(double px, double py, double limit, F&& f) const {
        if (nodes_.empty()) return;
        uint32_t stack[128];
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            const Node& nd = nodes_[stack[--sp]];
            if (box_distance(nd, px, py) > limit) continue;
            if (nd.left == kLeaf) {
                for (uint32_t i = nd.begin; i < nd.end; ++i) {
                    const Edge& e = edges_[i];
                    const double d = point_segment_distance(px, py, e.ax, e.ay, e.bx, e.by);
                    if (d <= limit) f(e.id, e.part, d);
                }
                continue;
            }
            if (sp + 2 > 128) continue;
            stack[sp++] = nd.left;
            stack[sp++] = nd.right;
        }
    }

  private:
    struct Edge {
        double ax, ay, bx, by;
        int part;
        uint32_t id; // insertion order
    };
    static constexpr uint32_t kLeaf = UINT32_MAX;
    struct Node {
        double xmin, ymin, xmax, ymax;
        uint32_t left = kLeaf, right = kLeaf, begin = 0, end = 0;
    };
    static double box_distance(const Node& n, double px, double py) {
        const double dx = px < n.xmin ? n.xmin - px : (px > n.xmax ? px - n.xmax : 0.0);
        const double dy = py < n.ymin ? n.ymin - py : (py > n.ymax ? py - n.ymax : 0.0);
        return std::sqrt(dx * dx + dy * dy);
    }
    uint32_t build_node(uint32_t begin, uint32_t end) {
        const uint32_t id = uint32_t(nodes_.size());
        nodes_.push_back({});
        Node n;
        n.xmin = n.ymin = std::numeric_limits<double>::infinity();
        n.xmax = n.ymax = -std::numeric_limits<double>::infinity();
        for (uint32_t i = begin; i < end; ++i) {
            const Edge& e = edges_[order_[i]];
            n.xmin = std::min({n.xmin, e.ax, e.bx}), n.xmax = std::max({n.xmax, e.ax, e.bx});
            n.ymin = std::min({n.ymin, e.ay, e.by}), n.ymax = std::max({n.ymax, e.ay, e.by});
        }
        n.begin = begin, n.end = end;
        if (end - begin > 6) {
            const bool by_x = n.xmax - n.xmin >= n.ymax - n.ymin;
            const uint32_t mid = begin + (end - begin) / 2;
            auto key = [&](uint32_t k) {
                const Edge& e = edges_[k];
                return by_x ? e.ax + e.bx : e.ay + e.by;
            };
            std::nth_element(order_.begin() + begin, order_.begin() + mid, order_.begin() + end,
                             [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
            n.left = build_node(begin, mid);
            n.right = build_node(mid, end);
        }
        nodes_[id] = n;
        return id;
    }

    std::vector<Edge> edges_;
    std::vector<Node> nodes_;
    std::vector<uint32_t> order_;
    bool built_ = false;
};

class StripPolygons {
  public:
    // `features`: polygon geometries (non-polygons never contain anything), in feature order.
    explicit StripPolygons(const std::vector<const Geometry*>& features) {
        for (size_t k = 0; k < features.size(); ++k) {
            const Geometry& g = *features[k];
            Feature f;
            f.box = g.type == GeomType::Polygon ? g.bbox() : BBox::inverted();
            if (g.type == GeomType::Polygon)
                for (auto& p : g.polygons) f.parts.push_back(make_part(p));
            features_.push_back(std::move(f));
        }
    }
    // The lowest feature containing (x, y) (boundary included), or -1: PolygonIndex::locate's answer.
    int locate(double x, double y) const {
        for (size_t k = 0; k < features_.size(); ++k) {
            const Feature& f = features_[k];
            if (!f.box.contains(x, y)) continue;
            for (auto& p : f.parts)
                if (in_part(p, x, y)) return int(k);
        }
        return -1;
    }

  private:
    struct Edge {
        double ax, ay, bx, by; // a = ring[i], b = ring[i-1] (as PolygonIndex walks the ring)
    };
    struct Part {
        double y0 = 0, h = 1;
        int strips = 1;
        std::vector<uint32_t> start; // CSR: edges of strip s are idx[start[s] .. start[s+1])
        std::vector<Edge> edges;
    };
    struct Feature {
        BBox box;
        std::vector<Part> parts;
    };
    int strip_of(const Part& p, double y) const {
        const double t = (y - p.y0) / p.h;
        if (!(t >= 0)) return 0; // also NaN
        if (t >= double(p.strips)) return p.strips - 1;
        return std::min(int(t), p.strips - 1);
    }
    Part make_part(const Polygon& poly) const {
        Part p;
        std::vector<Edge> all;
        double ymin = std::numeric_limits<double>::infinity(), ymax = -ymin;
        for (auto& r : poly.rings) {
            const size_t n = r.size();
            for (size_t i = 0, j = n ? n - 1 : 0; i < n; j = i++) {
                all.push_back({r[i].x, r[i].y, r[j].x, r[j].y});
                ymin = std::min(ymin, r[i].y), ymax = std::max(ymax, r[i].y);
            }
        }
        if (all.empty()) {
            p.start.assign(2, 0);
            return p;
        }
        p.strips = int(std::clamp<size_t>(all.size() / 2, 1, 4096));
        p.y0 = ymin;
        p.h = std::max((ymax - ymin) / p.strips, 1e-300);
        std::vector<uint32_t> count(size_t(p.strips) + 1, 0);
        auto range = [&](const Edge& e, int& s0, int& s1) {
            s0 = strip_of(p, std::min(e.ay, e.by));
            s1 = strip_of(p, std::max(e.ay, e.by));
        };
        for (auto& e : all) {
            int s0, s1;
            range(e, s0, s1);
            for (int s = s0; s <= s1; ++s) ++count[size_t(s) + 1];
        }
        for (size_t s = 1; s < count.size(); ++s) count[s] += count[s - 1];
        p.start = count;
        p.edges.resize(count.back());
        std::vector<uint32_t> fill(count.begin(), count.end() - 1);
        for (auto& e : all) {
            int s0, s1;
            range(e, s0, s1);
            for (int s = s0; s <= s1; ++s) p.edges[fill[size_t(s)]++] = e;
        }
        return p;
    }
    // PolygonIndex's in_polygon() restricted to the edges whose y-range can hold y (an edge passes
    // its on-segment or crossing test only if min(a.y, b.y) <= y <= max(a.y, b.y), and the strip
    // function is monotonic, so such an edge is always in y's strip).
    bool in_part(const Part& p, double x, double y) const {
        if (p.edges.empty()) return false;
        const int s = strip_of(p, y);
        bool inside = false;
        for (uint32_t i = p.start[size_t(s)]; i < p.start[size_t(s) + 1]; ++i) {
            const Edge& e = p.edges[i];
            const double cross = (e.bx - e.ax) * (y - e.ay) - (e.by - e.ay) * (x - e.ax);
            if (std::fabs(cross) <= 1e-12 * (std::fabs(e.bx - e.ax) + std::fabs(e.by - e.ay) + 1) &&
                x >= std::min(e.ax, e.bx) && x <= std::max(e.ax, e.bx) && y >= std::min(e.ay, e.by) &&
                y <= std::max(e.ay, e.by))
                return true;
            if ((e.ay > y) != (e.by > y) && x < (e.bx - e.ax) * (y - e.ay) / (e.by - e.ay) + e.ax) inside = !inside;
        }
        return inside;
    }

    std::vector<Feature> features_;
};

// Points (events) bucketed by a uniform grid, each cell's indices ascending (CSR). Non-finite
// points are in no cell. for_cells(box, f) visits every cell that can hold a point inside `box`
// (the cell of a coordinate is a monotonic function of it, so no such point is missed).
class PointGrid {
  public:
    PointGrid(const std::vector<double>& x, const std::vector<double>& y, double cell) {
        BBox e = BBox::inverted();
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) e.expand(x[i], y[i]);
        if (e.xmin > e.xmax) return;
        x0_ = e.xmin, y0_ = e.ymin;
        cell_ = cell > 0 && std::isfinite(cell) ? cell : 1.0;
        // At most ~4M cells whatever the extent.
        while ((e.width() / cell_ + 1) * (e.height() / cell_ + 1) > 4e6) cell_ *= 2;
        nx_ = int(e.width() / cell_) + 1, ny_ = int(e.height() / cell_) + 1;
        start_.assign(size_t(nx_) * size_t(ny_) + 1, 0);
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) ++start_[cell_of(x[i], y[i]) + 1];
        for (size_t c = 1; c < start_.size(); ++c) start_[c] += start_[c - 1];
        idx_.resize(start_.back());
        std::vector<uint32_t> fill(start_.begin(), start_.end() - 1);
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) idx_[fill[cell_of(x[i], y[i])]++] = uint32_t(i);
    }
    double cell() const { return cell_; }
    // f(cell_box, indices, count) for each non-empty cell overlapping `box`.
    template <class F>
    void for_cells(const BBox& box, F&& f) const {
        if (nx_ == 0 || !(box.xmin <= box.xmax && box.ymin <= box.ymax)) return;
        const int c0 = col(box.xmin), c1 = col(box.xmax), r0 = row(box.ymin), r1 = row(box.ymax);
        for (int r = r0; r <= r1; ++r)
            for (int c = c0; c <= c1; ++c) {
                const size_t k = size_t(r) * size_t(nx_) + size_t(c);
                if (start_[k] == start_[k + 1]) continue;
                const BBox cb{x0_ + c * cell_, y0_ + r * cell_, x0_ + (c + 1) * cell_, y0_ + (r + 1) * cell_};
                f(cb, idx_.data() + start_[k], size_t(start_[k + 1] - start_[k]));
            }
    }

  private:
    int col(double x) const {
        const double t = (x - x0_) / cell_;
        return t >= 0 ? (t < double(nx_) ? std::min(int(t), nx_ - 1) : nx_ - 1) : 0;
    }
    int row(double y) const {
        const double t = (y - y0_) / cell_;
        return t >= 0 ? (t < double(ny_) ? std::min(int(t), ny_ - 1) : ny_ - 1) : 0;
    }
    size_t cell_of(double x, double y) const { return size_t(row(y)) * size_t(nx_) + size_t(col(x)); }
    double x0_ = 0, y0_ = 0, cell_ = 1;
    int nx_ = 0, ny_ = 0;
    std::vector<size_t> start_;
    std::vector<uint32_t> idx_;
};

// Runs body(begin, end) over [0, n) in blocks on `threads` threads (0: hardware concurrency; never
// more than one per 20k items). The calling thread works too and is the only one that reports
// progress, so a Cancelled thrown by `progress` stops every worker before it propagates. Bodies
// must write disjoint outputs; callers keep order-dependent sums (floating point) out of them.
template <class Body>
void parallel_blocks(size_t n, int threads, const Progress& progress, const char* stage, Body&& body) {
    constexpr size_t kBlock = 8192;
    const size_t blocks = (n + kBlock - 1) / kBlock;
    int nt = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    nt = int(std::min<size_t>(size_t(nt), std::max<size_t>(1, n / 20000)));
    std::atomic<size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr worker_err;
    std::atomic<bool> worker_failed{false};
    auto work = [&] {
        try {
            for (;;) {
                if (stop.load(std::memory_order_relaxed)) return;
                const size_t b = next.fetch_add(1);
                if (b >= blocks) return;
                body(b * kBlock, std::min(n, (b + 1) * kBlock));
                done.fetch_add(1);
            }
        } catch (...) {
            if (!worker_failed.exchange(true)) worker_err = std::current_exception();
            stop = true;
        }
    };
    std::vector<std::thread> pool;
    std::exception_ptr err;
    try {
        for (int t = 1; t < nt; ++t) pool.emplace_back(work);
        for (;;) {
            if (stop.load()) break;
            const size_t b = next.fetch_add(1);
            if (b >= blocks) break;
            body(b * kBlock, std::min(n, (b + 1) * kBlock));
            progress(double(done.fetch_add(1) + 1) / double(std::max<size_t>(blocks, 1)), stage);
        }
    } catch (...) {
        err = std::current_exception();
        stop = true;
    }
    for (auto& t : pool) t.join();
    if (err) std::rethrow_exception(err);
    if (worker_err) std::rethrow_exception(worker_err);
}

} // namespace nexusmap::detail
