#pragma once
// Polygon triangulation by ear clipping with holes (a C++ port of the algorithm of mapbox/earcut,
// ISC licence: holes are bridged to the outer ring, ears are clipped with a z-order index, and
// self-touching or slightly invalid rings are handled by local cures and polygon splitting).
// Pure logic, no GL: the viewer triangulates each polygon once on a loader thread.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "nexusmap/layers.hpp"

namespace nexusmap::viewer {

namespace earcut_detail {

struct Node {
    uint32_t i; // vertex index in the flattened output array
    double x, y;
    Node* prev = nullptr;
    Node* next = nullptr;
    int32_t z = 0;
    Node* prevZ = nullptr;
    Node* nextZ = nullptr;
    bool steiner = false;
};

class Earcut {
  public:
    std::vector<uint32_t> indices;

    // `pts` flattened vertices; `ring_starts` index of each ring's first vertex (ring 0 outer).
    void run(const std::vector<Vec2>& pts, const std::vector<uint32_t>& ring_starts) {
        indices.clear();
        nodes_.clear();
        if (pts.size() < 3 || ring_starts.empty()) return;
        const uint32_t outer_end = ring_starts.size() > 1 ? ring_starts[1] : uint32_t(pts.size());
        Node* outer = linked_list(pts, 0, outer_end, true);
        if (!outer || outer->next == outer->prev) return;
        if (ring_starts.size() > 1) outer = eliminate_holes(pts, ring_starts, outer);
        // A z-order index pays off beyond ~80 vertices (same threshold as earcut).
        if (pts.size() > 80) {
            double minx = pts[0].x, miny = pts[0].y, maxx = minx, maxy = miny;
            for (uint32_t k = 1; k < outer_end; ++k) {
                minx = std::min(minx, pts[k].x);
                miny = std::min(miny, pts[k].y);
                maxx = std::max(maxx, pts[k].x);
                maxy = std::max(maxy, pts[k].y);
            }
            minx_ = minx;
            miny_ = miny;
            const double size = std::max(maxx - minx, maxy - miny);
            inv_size_ = size != 0 ? 32767.0 / size : 0;
        } else {
            inv_size_ = 0;
        }
        earcut_linked(outer, 0);
    }

  private:
    std::deque<Node> nodes_; // deque: stable addresses while growing
    double minx_ = 0, miny_ = 0, inv_size_ = 0;

    Node* insert_node(uint32_t i, const Vec2& p, Node* last) {
        nodes_.push_back(Node{i, p.x, p.y});
        Node* n = &nodes_.back();
        if (!last) {
            n->prev = n;
            n->next = n;
        } else {
            n->next = last->next;
            n->prev = last;
            last->next->prev = n;
            last->next = n;
        }
        return n;
    }
    static void remove_node(Node* p) {
        p->next->prev = p->prev;
        p->prev->next = p->next;
        if (p->prevZ) p->prevZ->nextZ = p->nextZ;
        if (p->nextZ) p->nextZ->prevZ = p->prevZ;
    }
    static double signed_area(const std::vector<Vec2>& pts, uint32_t start, uint32_t end) {
        double sum = 0;
        for (uint32_t i = start, j = end - 1; i < end; j = i++)
            sum += (pts[j].x - pts[i].x) * (pts[i].y + pts[j].y);
        return sum;
    }
    Node* linked_list(const std::vector<Vec2>& pts, uint32_t start, uint32_t end, bool clockwise) {
        Node* last = nullptr;
        if (end <= start) return nullptr;
        if (clockwise == (signed_area(pts, start, end) > 0)) {
            for (uint32_t i = start; i < end; ++i)
                last = insert_node(i, pts[i], last);
        } else {
            for (uint32_t i = end; i-- > start;)
                last = insert_node(i, pts[i], last);
        }
        if (last && equals(last, last->next)) {
            remove_node(last);
            last = last->next;
        }
        return last;
    }
    static bool equals(const Node* a, const Node* b) { return a->x == b->x && a->y == b->y; }
    static double area(const Node* p, const Node* q, const Node* r) {
        return (q->y - p->y) * (r->x - q->x) - (q->x - p->x) * (r->y - q->y);
    }
    static int sign(double v) { return (v > 0) - (v < 0); }
    static bool on_segment(const Node* p, const Node* q, const Node* r) {
        return q->x <= std::max(p->x, r->x) && q->x >= std::min(p->x, r->x) && q->y <= std::max(p->y, r->y) &&
               q->y >= std::min(p->y, r->y);
    }
    static bool intersects(const Node* p1, const Node* q1, const Node* p2, const Node* q2) {
        const int o1 = sign(area(p1, q1, p2)), o2 = sign(area(p1, q1, q2));
        const int o3 = sign(area(p2, q2, p1)), o4 = sign(area(p2, q2, q1));
        if (o1 != o2 && o3 != o4) return true;
        if (o1 == 0 && on_segment(p1, p2, q1)) return true;
        if (o2 == 0 && on_segment(p1, q2, q1)) return true;
        if (o3 == 0 && on_segment(p2, p1, q2)) return true;
        if (o4 == 0 && on_segment(p2, q1, q2)) return true;
        return false;
    }
    static bool point_in_triangle(double ax, double ay, double bx, double by, double cx, double cy, double px,
                                  double py) {
        return (cx - px) * (ay - py) >= (ax - px) * (cy - py) &&
               (ax - px) * (by - py) >= (bx - px) * (ay - py) &&
               (bx - px) * (cy - py) >= (cx - px) * (by - py);
    }
    static bool locally_inside(const Node* a, const Node* b) {
        return area(a->prev, a, a->next) < 0 ? area(a, b, a->next) >= 0 && area(a, a->prev, b) >= 0
                                             : area(a, b, a->prev) < 0 || area(a, a->next, b) < 0;
    }
    static bool middle_inside(const Node* a, const Node* b) {
        const Node* p = a;
        bool inside = false;
        const double px = (a->x + b->x) / 2, py = (a->y + b->y) / 2;
        do {
            if (((p->y > py) != (p->next->y > py)) && p->next->y != p->y &&
                (px < (p->next->x - p->x) * (py - p->y) / (p->next->y - p->y) + p->x))
                inside = !inside;
            p = p->next;
        } while (p != a);
        return inside;
    }
    static bool intersects_polygon(const Node* a, const Node* b) {
        const Node* p = a;
        do {
            if (p->i != a->i && p->next->i != a->i && p->i != b->i && p->next->i != b->i &&
                intersects(p, p->next, a, b))
                return true;
            p = p->next;
        } while (p != a);
        return false;
    }
    static bool is_valid_diagonal(const Node* a, const Node* b) {
        return a->next->i != b->i && a->prev->i != b->i && !intersects_polygon(a, b) &&
               ((locally_inside(a, b) && locally_inside(b, a) && middle_inside(a, b) &&
                 (area(a->prev, a, b->prev) != 0 || area(a, b->prev, b) != 0)) ||
                (equals(a, b) && area(a->prev, a, a->next) > 0 && area(b->prev, b, b->next) > 0));
    }
    Node* split_polygon(Node* a, Node* b) {
        nodes_.push_back(Node{a->i, a->x, a->y});
        Node* a2 = &nodes_.back();
        nodes_.push_back(Node{b->i, b->x, b->y});
        Node* b2 = &nodes_.back();
        Node* an = a->next;
        Node* bp = b->prev;
        a->next = b;
        b->prev = a;
        a2->next = an;
        an->prev = a2;
        b2->next = a2;
        a2->prev = b2;
        bp->next = b2;
        b2->prev = bp;
        return b2;
    }
    // Drops duplicate and collinear points.
    static Node* filter_points(Node* start, Node* end = nullptr) {
        if (!start) return start;
        if (!end) end = start;
        Node* p = start;
        bool again;
        do {
            again = false;
            if (!p->steiner && (equals(p, p->next) || area(p->prev, p, p->next) == 0)) {
                remove_node(p);
                p = end = p->prev;
                if (p == p->next) break;
                again = true;
            } else {
                p = p->next;
            }
        } while (again || p != end);
        return end;
    }

    int32_t z_order(double x, double y) const {
        auto spread = [](uint32_t v) {
            v = (v | (v << 8)) & 0x00FF00FFu;
            v = (v | (v << 4)) & 0x0F0F0F0Fu;
            v = (v | (v << 2)) & 0x33333333u;
            v = (v | (v << 1)) & 0x55555555u;
            return v;
        };
        const uint32_t ix = spread(uint32_t(int32_t((x - minx_) * inv_size_)));
        const uint32_t iy = spread(uint32_t(int32_t((y - miny_) * inv_size_)));
        return int32_t(ix | (iy << 1));
    }
    void index_curve(Node* start) {
        Node* p = start;
        do {
            if (p->z == 0) p->z = z_order(p->x, p->y);
            p->prevZ = p->prev;
            p->nextZ = p->next;
            p = p->next;
        } while (p != start);
        p->prevZ->nextZ = nullptr;
        p->prevZ = nullptr;
        sort_linked(p);
    }
    // Simon Tatham's linked-list merge sort on the z links.
    static Node* sort_linked(Node* list) {
        int in_size = 1, num_merges;
        do {
            Node* p = list;
            list = nullptr;
            Node* tail = nullptr;
            num_merges = 0;
            while (p) {
                ++num_merges;
                Node* q = p;
                int p_size = 0;
                for (int i = 0; i < in_size; ++i) {
                    ++p_size;
                    q = q->nextZ;
                    if (!q) break;
                }
                int q_size = in_size;
                while (p_size > 0 || (q_size > 0 && q)) {
                    Node* e;
                    if (p_size != 0 && (q_size == 0 || !q || p->z <= q->z)) {
                        e = p;
                        p = p->nextZ;
                        --p_size;
                    } else {
                        e = q;
                        q = q->nextZ;
                        --q_size;
                    }
                    if (tail)
                        tail->nextZ = e;
                    else
                        list = e;
                    e->prevZ = tail;
                    tail = e;
                }
                p = q;
            }
            tail->nextZ = nullptr;
            in_size *= 2;
        } while (num_merges > 1);
        return list;
    }

    static bool is_ear(const Node* ear) {
        const Node *a = ear->prev, *b = ear, *c = ear->next;
        if (area(a, b, c) >= 0) return false; // reflex
        const double x0 = std::min({a->x, b->x, c->x}), y0 = std::min({a->y, b->y, c->y});
        const double x1 = std::max({a->x, b->x, c->x}), y1 = std::max({a->y, b->y, c->y});
        for (const Node* p = c->next; p != a; p = p->next) {
            if (p->x >= x0 && p->x <= x1 && p->y >= y0 && p->y <= y1 &&
                point_in_triangle(a->x, a->y, b->x, b->y, c->x, c->y, p->x, p->y) &&
                area(p->prev, p, p->next) >= 0)
                return false;
        }
        return true;
    }
    bool is_ear_hashed(const Node* ear) const {
        const Node *a = ear->prev, *b = ear, *c = ear->next;
        if (area(a, b, c) >= 0) return false;
        const double x0 = std::min({a->x, b->x, c->x}), y0 = std::min({a->y, b->y, c->y});
        const double x1 = std::max({a->x, b->x, c->x}), y1 = std::max({a->y, b->y, c->y});
        const int32_t min_z = z_order(x0, y0), max_z = z_order(x1, y1);
        auto blocks = [&](const Node* p) {
            return p->x >= x0 && p->x <= x1 && p->y >= y0 && p->y <= y1 && p != a && p != c &&
                   point_in_triangle(a->x, a->y, b->x, b->y, c->x, c->y, p->x, p->y) &&
                   area(p->prev, p, p->next) >= 0;
        };
        const Node* p = ear->prevZ;
        const Node* n = ear->nextZ;
        while (p && p->z >= min_z && n && n->z <= max_z) {
            if (blocks(p)) return false;
            p = p->prevZ;
            if (blocks(n)) return false;
            n = n->nextZ;
        }
        for (; p && p->z >= min_z; p = p->prevZ)
            if (blocks(p)) return false;
        for (; n && n->z <= max_z; n = n->nextZ)
            if (blocks(n)) return false;
        return true;
    }

    void emit(const Node* a, const Node* b, const Node* c) {
        indices.push_back(a->i);
        indices.push_back(b->i);
        indices.push_back(c->i);
    }

    void earcut_linked(Node* ear, int pass) {
        if (!ear) return;
        if (!pass && inv_size_ != 0) index_curve(ear);
        Node* stop = ear;
        while (ear->prev != ear->next) {
            Node* prev = ear->prev;
            Node* next = ear->next;
            if (inv_size_ != 0 ? is_ear_hashed(ear) : is_ear(ear)) {
                emit(prev, ear, next);
                remove_node(ear);
                ear = next->next;
                stop = next->next;
                continue;
            }
            ear = next;
            if (ear == stop) {
                // No ear found in a full turn: clean up, then cure self-touches, then split.
                if (pass == 0) {
                    earcut_linked(filter_points(ear), 1);
                } else if (pass == 1) {
                    ear = cure_local_intersections(filter_points(ear));
                    earcut_linked(ear, 2);
                } else if (pass == 2) {
                    split_earcut(ear);
                }
                break;
            }
        }
    }
    Node* cure_local_intersections(Node* start) {
        Node* p = start;
        do {
            Node* a = p->prev;
            Node* b = p->next->next;
            if (!equals(a, b) && intersects(a, p, p->next, b) && locally_inside(a, b) &&
                locally_inside(b, a)) {
                emit(a, p, b);
                remove_node(p);
                remove_node(p->next);
                p = start = b;
            }
            p = p->next;
        } while (p != start);
        return filter_points(p);
    }
    void split_earcut(Node* start) {
        Node* a = start;
        do {
            Node* b = a->next->next;
            while (b != a->prev) {
                if (a->i != b->i && is_valid_diagonal(a, b)) {
                    Node* c = split_polygon(a, b);
                    a = filter_points(a, a->next);
                    c = filter_points(c, c->next);
                    earcut_linked(a, 0);
                    earcut_linked(c, 0);
                    return;
                }
                b = b->next;
            }
            a = a->next;
        } while (a != start);
    }

    Node* eliminate_holes(const std::vector<Vec2>& pts, const std::vector<uint32_t>& ring_starts,
                          Node* outer) {
        std::vector<Node*> queue;
        for (size_t r = 1; r < ring_starts.size(); ++r) {
            const uint32_t start = ring_starts[r];
            const uint32_t end = r + 1 < ring_starts.size() ? ring_starts[r + 1] : uint32_t(pts.size());
            Node* list = linked_list(pts, start, end, false);
            if (!list) continue;
            if (list == list->next) list->steiner = true;
            queue.push_back(leftmost(list));
        }
        std::sort(queue.begin(), queue.end(), [](const Node* a, const Node* b) { return a->x < b->x; });
        for (Node* h : queue)
            outer = eliminate_hole(h, outer);
        return outer;
    }
    static Node* leftmost(Node* start) {
        Node* p = start;
        Node* l = start;
        do {
            if (p->x < l->x || (p->x == l->x && p->y < l->y)) l = p;
            p = p->next;
        } while (p != start);
        return l;
    }
    Node* eliminate_hole(Node* hole, Node* outer) {
        Node* bridge = find_hole_bridge(hole, outer);
        if (!bridge) return outer;
        Node* bridge_reverse = split_polygon(bridge, hole);
        filter_points(bridge_reverse, bridge_reverse->next);
        return filter_points(bridge, bridge->next);
    }
    static bool sector_contains_sector(const Node* m, const Node* p) {
        return area(m->prev, m, p->prev) < 0 && area(p->next, m, m->next) < 0;
    }
    // David Eberly's bridge: the outer-ring vertex visible from the hole's leftmost point.
    static Node* find_hole_bridge(Node* hole, Node* outer) {
        Node* p = outer;
        const double hx = hole->x, hy = hole->y;
        double qx = -std::numeric_limits<double>::infinity();
        Node* m = nullptr;
        do {
            if (hy <= p->y && hy >= p->next->y && p->next->y != p->y) {
                const double x = p->x + (hy - p->y) * (p->next->x - p->x) / (p->next->y - p->y);
                if (x <= hx && x > qx) {
                    qx = x;
                    m = p->x < p->next->x ? p : p->next;
                    if (x == hx) return m; // the hole touches the outer segment
                }
            }
            p = p->next;
        } while (p != outer);
        if (!m) return nullptr;
        Node* stop = m;
        const double mx = m->x, my = m->y;
        double tan_min = std::numeric_limits<double>::infinity();
        p = m;
        do {
            if (hx >= p->x && p->x >= mx && hx != p->x &&
                point_in_triangle(hy < my ? hx : qx, hy, mx, my, hy < my ? qx : hx, hy, p->x, p->y)) {
                const double tan = std::abs(hy - p->y) / (hx - p->x);
                if (locally_inside(p, hole) &&
                    (tan < tan_min ||
                     (tan == tan_min && (p->x > m->x || (p->x == m->x && sector_contains_sector(m, p)))))) {
                    m = p;
                    tan_min = tan;
                }
            }
            p = p->next;
        } while (p != stop);
        return m;
    }
};

} // namespace earcut_detail

// Triangles of one polygon (rings[0] outer, the rest holes; rings may be closed or open).
// Appends vertices to `out_pts` and indices (into out_pts) to `out_idx`. Rings with fewer than
// three distinct vertices and non-finite coordinates are dropped. Coordinates are shifted to
// the polygon's own origin while clipping so large projected values keep their precision.
inline void triangulate_polygon(const Polygon& poly, std::vector<Vec2>& out_pts,
                                std::vector<uint32_t>& out_idx) {
    std::vector<Vec2> pts;
    std::vector<uint32_t> starts;
    double ox = 0, oy = 0;
    bool have_origin = false;
    for (size_t r = 0; r < poly.rings.size(); ++r) {
        const Ring& ring = poly.rings[r];
        const uint32_t start = uint32_t(pts.size());
        for (const Vec2& v : ring) {
            if (!std::isfinite(v.x) || !std::isfinite(v.y)) continue;
            if (!have_origin) {
                ox = v.x;
                oy = v.y;
                have_origin = true;
            }
            const Vec2 q{v.x - ox, v.y - oy};
            if (pts.size() > start && pts.back().x == q.x && pts.back().y == q.y) continue;
            pts.push_back(q);
        }
        // Closed ring: drop the repeated first vertex.
        if (pts.size() - start >= 2 && pts.back().x == pts[start].x && pts.back().y == pts[start].y)
            pts.pop_back();
        if (pts.size() - start < 3) {
            if (r == 0) return; // no usable outer ring: nothing to fill
            pts.resize(start);
            continue;
        }
        starts.push_back(start);
    }
    if (starts.empty()) return;
    earcut_detail::Earcut ec;
    ec.run(pts, starts);
    const uint32_t base = uint32_t(out_pts.size());
    for (const Vec2& p : pts)
        out_pts.push_back({p.x + ox, p.y + oy});
    for (uint32_t i : ec.indices)
        out_idx.push_back(base + i);
}

// Planar area of a ring (shoelace), absolute value; open or closed rings.
inline double ring_area(const Ring& ring) {
    double s = 0;
    const size_t n = ring.size();
    for (size_t i = 0; i < n; ++i) {
        const Vec2& a = ring[i];
        const Vec2& b = ring[(i + 1) % n];
        s += a.x * b.y - b.x * a.y;
    }
    return std::abs(s) * 0.5;
}

// Sum of triangle areas of an index list (for tests: equals the polygon area minus its holes).
inline double triangles_area(const std::vector<Vec2>& pts, const std::vector<uint32_t>& idx) {
    double s = 0;
    for (size_t t = 0; t + 2 < idx.size(); t += 3) {
        const Vec2 &a = pts[idx[t]], &b = pts[idx[t + 1]], &c = pts[idx[t + 2]];
        s += std::abs((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)) * 0.5;
    }
    return s;
}

} // namespace nexusmap::viewer
