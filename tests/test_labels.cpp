// Map labels (geo/labels): collision-free greedy placement, polygon label anchors, place ranks.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "nexusmap/labels.hpp"

using namespace nexusmap;

namespace {
Ring rect_ring(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}; }
// Distance from p to the nearest edge of the rings (brute force, independent of labels.cpp).
double edge_dist(const std::vector<Ring>& rings, Vec2 p) {
    double best = 1e300;
    for (const Ring& r : rings)
        for (size_t i = 0; i + 1 < r.size(); ++i) {
            const double ex = r[i + 1].x - r[i].x, ey = r[i + 1].y - r[i].y;
            double t = ((p.x - r[i].x) * ex + (p.y - r[i].y) * ey) / (ex * ex + ey * ey);
            t = std::fmax(0, std::fmin(1, t));
            best = std::fmin(best, std::hypot(r[i].x + t * ex - p.x, r[i].y + t * ey - p.y));
        }
    return best;
}
} // namespace

TEST_CASE("label placement: no overlaps, inside the frame, clear of obstacles, and greedy by priority") {
    std::mt19937_64 rng(7);
    const LabelBox frame{0, 0, 600, 400};
    const std::vector<LabelBox> obstacles{{0, 300, 180, 400}, {480, 0, 600, 120}}; // legend, inset
    size_t placed_total = 0, left_out = 0;
    for (int iter = 0; iter < 40; ++iter) {
        std::vector<LabelCandidate> c(120);
        for (auto& l : c) {
            l.ax = double(rng() % 620) - 10, l.ay = double(rng() % 420) - 10;
            l.w = 20 + double(rng() % 80), l.h = 9 + double(rng() % 4);
            l.point = rng() % 2, l.gap = l.point ? 3.5 : 0;
            l.kind = LabelKind(rng() % 5), l.rank = double(rng() % 10);
        }
        const auto out = place_labels(c, obstacles, frame);
        placed_total += out.size();
        std::vector<bool> is_placed(c.size(), false);
        for (size_t i = 0; i < out.size(); ++i) {
            const LabelBox& b = out[i].box;
            is_placed[out[i].index] = true;
            CHECK(b.inside(frame));
            for (const auto& o : obstacles) CHECK_FALSE(b.overlaps(o));
            for (size_t j = i + 1; j < out.size(); ++j) CHECK_FALSE(b.overlaps(out[j].box));
            CHECK(b.x1 - b.x0 == doctest::Approx(c[out[i].index].w));
            // Placed in priority order: kind, then rank.
            if (i > 0) {
                const auto &p = c[out[i - 1].index], &q = c[out[i].index];
                CHECK((int(p.kind) < int(q.kind) || (p.kind == q.kind && p.rank <= q.rank)));
            }
        }
        // A label left out has no free spot among the 8 beside its point (or its centred spot)
        // once the labels placed before it are there: check the centre and right-hand spots.
        for (size_t i = 0; i < c.size(); ++i) {
            if (is_placed[i] || !(c[i].w > 0)) continue;
            ++left_out;
            const LabelCandidate& l = c[i];
            const LabelBox b = l.point ? LabelBox{l.ax + l.gap, l.ay - l.h / 2, l.ax + l.gap + l.w, l.ay + l.h / 2}
                                       : LabelBox{l.ax - l.w / 2, l.ay - l.h / 2, l.ax + l.w / 2, l.ay + l.h / 2};
            bool blocked = !b.inside(frame);
            for (const auto& o : obstacles) blocked = blocked || b.overlaps(o);
            for (const auto& p : out) {
                const auto& q = c[p.index];
                const bool before = int(q.kind) < int(l.kind) || (q.kind == l.kind && q.rank <= l.rank);
                blocked = blocked || (before && b.overlaps(p.box));
            }
            CHECK(blocked);
        }
    }
    CHECK(placed_total > 1000);
    CHECK(left_out > 100);
}

TEST_CASE("label placement: a country name wins its spot over a city given first") {
    std::vector<LabelCandidate> c(2);
    c[0] = {100, 100, 60, 10, 3.5, true, LabelKind::City, 0};
    c[1] = {130, 100, 200, 12, 0, false, LabelKind::Country, 5};
    const auto out = place_labels(c, {}, {0, 0, 400, 300});
    REQUIRE(!out.empty());
    CHECK(out.front().index == 1);
    CHECK(out.front().box.x0 == doctest::Approx(30)); // centred on its anchor
}

TEST_CASE("label anchor: the point of a polygon farthest from its edges (within 2 %)") {
    // A 10 x 4 rectangle: the best distance is 2, on the line y = 2.
    Geometry g;
    g.type = GeomType::Polygon;
    g.polygons.push_back({{rect_ring(0, 0, 10, 4)}});
    Vec2 a = label_anchor(g);
    CHECK(a.y == doctest::Approx(2).epsilon(0.02));
    CHECK(edge_dist(g.polygons[0].rings, a) >= 2 * 0.98);
    // A C shape whose bounding-box centre is outside it: the anchor lies in the thick back.
    Geometry c;
    c.type = GeomType::Polygon;
    c.polygons.push_back({{{{0, 0}, {10, 0}, {10, 2}, {4, 2}, {4, 8}, {10, 8}, {10, 10}, {0, 10}, {0, 0}}}});
    a = label_anchor(c);
    CHECK(a.x < 4);
    CHECK(edge_dist(c.polygons[0].rings, a) >= 2 * 0.98); // the back is 4 wide: best distance 2
    // The largest part of a multipolygon carries the name; a hole counts as an edge.
    Geometry m;
    m.type = GeomType::Polygon;
    m.polygons.push_back({{rect_ring(100, 100, 101, 101)}});
    m.polygons.push_back({{rect_ring(0, 0, 12, 12), rect_ring(4, 4, 8, 8)}});
    a = label_anchor(m);
    CHECK(a.x < 12);
    const bool in_hole = a.x > 4 && a.x < 8 && a.y > 4 && a.y < 8;
    CHECK_FALSE(in_hole);
    CHECK(edge_dist(m.polygons[1].rings, a) >= 2 * 0.97); // ring between 0..4: best distance 2
}

TEST_CASE("populated places: capitals always, other places by scale rank, then population") {
    VectorLayer p;
    p.type = GeomType::Point;
    p.fields = {"name", "featurecla", "scalerank", "pop_max"};
    auto add = [&](const char* n, const char* cla, int64_t sr, int64_t pop, double x) {
        Feature f;
        f.geom.type = GeomType::Point;
        f.geom.points = {{x, 0}};
        f.attrs = {std::string(n), std::string(cla), sr, pop};
        p.features.push_back(f);
    };
    add("Niamey", "Admin-0 capital", 7, 1000000, 1);
    add("Gao", "Admin-1 capital", 3, 80000, 2);
    add("Ansongo", "Populated place", 9, 30000, 3);
    add("Kano", "Admin-1 capital", 3, 3000000, 4);
    const auto l = populated_place_labels(p, 4);
    REQUIRE(l.size() == 3); // Ansongo (rank 9) dropped, Niamey kept though its rank is 7
    CHECK(l[0].kind == LabelKind::Capital);
    CHECK(l[1].kind == LabelKind::City);
    CHECK(l[3 - 1].rank < l[1].rank); // Kano (larger) ranks before Gao at the same scale rank
    CHECK(l[0].point);
}

TEST_CASE("default map labels: a country whose middle is off a zoomed map is named where it shows") {
    VectorLayer a0;
    a0.type = GeomType::Polygon;
    a0.fields = {"name"};
    Feature big, small, far;
    big.geom.type = small.geom.type = far.geom.type = GeomType::Polygon;
    big.geom.polygons.push_back({{rect_ring(0, 0, 1000, 1000)}});
    small.geom.polygons.push_back({{rect_ring(10, 10, 30, 30)}});
    far.geom.polygons.push_back({{rect_ring(5000, 5000, 5100, 5100)}});
    big.attrs = {std::string("Big")}, small.attrs = {std::string("Small")}, far.attrs = {std::string("Far")};
    a0.features = {big, small, far};
    const BBox view{0, 0, 100, 100}; // the corner of Big, all of Small
    const auto l = default_map_labels(&a0, nullptr, nullptr, view, 1.0);
    REQUIRE(l.size() == 2);
    for (const auto& m : l) {
        CHECK(view.contains(m.x, m.y));
        CHECK(m.kind == LabelKind::Country);
    }
    CHECK(l[0].text == "Big"); // the larger visible part first
    CHECK(l[1].text == "Small"); // kept though it is under 0.5 % of the view: it is whole
}
