// Pure logic behind the viewer's analysis features (no GL, no ImGui): label placement
// (app/viewer/labels.hpp) and picking (app/viewer/picking.hpp), checked against brute force.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "viewer/labels.hpp"
#include "viewer/picking.hpp"

using namespace nexusmap;
using namespace nexusmap::viewer;

namespace {
// Brute-force greedy placement: the reference for place_labels.
std::vector<size_t> brute_place(const std::vector<LabelCandidate>& c, const LabelBox& canvas, float pad) {
    std::vector<size_t> order(c.size());
    for (size_t i = 0; i < c.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return c[a].priority > c[b].priority; });
    std::vector<size_t> placed;
    for (size_t i : order) {
        const LabelBox b = c[i].box();
        if (b.x0 < canvas.x0 || b.y0 < canvas.y0 || b.x1 > canvas.x1 || b.y1 > canvas.y1) continue;
        bool ok = true;
        for (size_t k : placed)
            if (c[k].box().intersects(b.grown(pad))) ok = false;
        if (ok) placed.push_back(i);
    }
    return placed;
}
} // namespace

TEST_CASE("labels: no two placed boxes intersect, and placement matches the brute force") {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> ux(0, 1600), uy(0, 1000), uw(30, 160), uh(12, 18);
    std::uniform_real_distribution<double> ua(1e6, 1e11);
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<LabelCandidate> c;
        const int n = 50 + trial * 40;
        for (int i = 0; i < n; ++i)
            c.push_back({ux(rng), uy(rng), uw(rng), uh(rng), label_priority(i % 7 == 0 ? 0 : 1, ua(rng))});
        const LabelBox canvas{0, 0, 1600, 1000};
        const auto placed = place_labels(c, canvas, 2.f);
        for (size_t a = 0; a < placed.size(); ++a) {
            const LabelBox ba = c[placed[a]].box();
            CHECK(ba.x0 >= canvas.x0);
            CHECK(ba.x1 <= canvas.x1);
            for (size_t b = a + 1; b < placed.size(); ++b) {
                CHECK_FALSE(ba.intersects(c[placed[b]].box()));
                CHECK_FALSE(ba.grown(2.f).intersects(c[placed[b]].box()));
            }
        }
        CHECK(placed == brute_place(c, canvas, 2.f));
        // Greedy and maximal: every dropped candidate (inside the canvas) clashes with a placed one
        // of at least its priority.
        std::vector<bool> is_placed(c.size());
        for (size_t i : placed)
            is_placed[i] = true;
        for (size_t i = 0; i < c.size(); ++i) {
            if (is_placed[i]) continue;
            const LabelBox b = c[i].box();
            if (b.x0 < 0 || b.y0 < 0 || b.x1 > 1600 || b.y1 > 1000) continue;
            bool blocked = false;
            for (size_t k : placed)
                blocked |= c[k].box().intersects(b.grown(2.f)) && c[k].priority >= c[i].priority;
            CHECK(blocked);
        }
    }
}

TEST_CASE("labels: higher priority wins; countries beat admin-1 units of any area") {
    CHECK(label_priority(0, 1) > label_priority(1, 1e15));
    CHECK(label_priority(1, 2e10) > label_priority(1, 1e10));
    const LabelBox canvas{0, 0, 500, 500};
    // Three overlapping labels at one spot: a small admin-1, a big admin-1, a country.
    std::vector<LabelCandidate> c = {{100, 100, 80, 14, label_priority(1, 1e9)},
                                     {110, 104, 80, 14, label_priority(1, 5e10)},
                                     {105, 98, 90, 16, label_priority(0, 1e11)},
                                     {300, 300, 80, 14, label_priority(1, 1e8)}}; // alone: placed
    const auto placed = place_labels(c, canvas);
    REQUIRE(placed.size() == 2);
    CHECK(placed[0] == 2);
    CHECK(placed[1] == 3);
    // Without the country, the bigger admin-1 wins.
    c.erase(c.begin() + 2);
    const auto placed2 = place_labels(c, canvas);
    REQUIRE(placed2.size() == 2);
    CHECK(placed2[0] == 1);
    // Boxes crossing the canvas edge are dropped; degenerate ones too.
    CHECK(place_labels({{5, 5, 40, 14, 1}}, canvas).empty());
    CHECK(place_labels({{50, 50, 0, 14, 1}}, canvas).empty());
    CHECK(place_labels({{NAN, 50, 10, 14, 1}}, canvas).empty());
}

TEST_CASE("picking: nearest event within a radius equals the brute force, with a filter") {
    std::mt19937 rng(11);
    std::normal_distribution<double> g(0, 200e3);
    std::vector<double> x, y;
    for (int i = 0; i < 20000; ++i) {
        x.push_back(i % 3 == 0 ? std::round(g(rng) / 1000) * 1000 : g(rng)); // some exact duplicates/ties
        y.push_back(i % 3 == 0 ? std::round(g(rng) / 1000) * 1000 : g(rng));
    }
    x.push_back(NAN);
    y.push_back(0);
    const PointGrid grid(x, y);
    std::uniform_real_distribution<double> uq(-500e3, 500e3), ur(0, 30e3);
    auto keep = [](size_t i) { return i % 5 != 0; };
    for (int q = 0; q < 3000; ++q) {
        const double qx = uq(rng), qy = uq(rng), r = q % 10 == 0 ? 0 : ur(rng);
        long best = -1;
        double bd = r * r;
        for (size_t i = 0; i < x.size(); ++i) {
            if (!std::isfinite(x[i]) || !keep(i)) continue;
            const double d2 = (x[i] - qx) * (x[i] - qx) + (y[i] - qy) * (y[i] - qy);
            if (d2 < bd || (d2 == bd && best >= 0 && long(i) < best) || (d2 == bd && best < 0)) {
                best = long(i);
                bd = d2;
            }
        }
        CHECK(grid.nearest(qx, qy, r, keep) == best);
    }
    // Querying at an event finds it (or an equal-distance lower index).
    for (size_t i = 1; i < 200; ++i)
        if (std::isfinite(x[i])) CHECK(grid.nearest(x[i], y[i], 1.0) <= long(i));
    CHECK(PointGrid().nearest(0, 0, 1e9) == -1);
}

TEST_CASE("picking: point-to-polyline distance against dense sampling") {
    Geometry g;
    g.type = GeomType::Line;
    g.lines.push_back({{0, 0}, {100, 0}, {100, 50}});
    g.lines.push_back({{200, 200}, {260, 280}});
    CHECK(point_geometry_distance(50, 10, g) == doctest::Approx(10));
    CHECK(point_geometry_distance(110, 25, g) == doctest::Approx(10));
    CHECK(point_geometry_distance(-3, -4, g) == doctest::Approx(5));
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-50, 300);
    for (int q = 0; q < 200; ++q) {
        const double px = u(rng), py = u(rng);
        double best = 1e300;
        for (const auto& l : g.lines)
            for (size_t k = 0; k + 1 < l.size(); ++k)
                for (int s = 0; s <= 2000; ++s) {
                    const double t = s / 2000.0;
                    best = std::min(best, std::hypot(px - (l[k].x + t * (l[k + 1].x - l[k].x)),
                                                     py - (l[k].y + t * (l[k + 1].y - l[k].y))));
                }
        CHECK(point_geometry_distance(px, py, g) == doctest::Approx(best).epsilon(1e-3));
        CHECK(point_geometry_distance(px, py, g) <= best + 1e-9);
    }
    Geometry sq;
    sq.type = GeomType::Polygon;
    Polygon poly;
    poly.rings.push_back(Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}});
    poly.rings.push_back(Ring{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}});
    sq.polygons.push_back(poly);
    CHECK(point_in_geometry(2, 2, sq));
    CHECK_FALSE(point_in_geometry(5, 5, sq)); // in the hole
    CHECK_FALSE(point_in_geometry(12, 5, sq));
    const std::vector<const Geometry*> both = {&g, &sq};
    CHECK(nearest_geometry(5, 12, both).index == 1);
    CHECK(nearest_geometry(5, 12, both).distance == doctest::Approx(2));
}
