// Tests for nexusmap/nexus.hpp: expected counts against the closed form for a uniform intensity and
// a straight route, the association in the synthetic demo (and its absence in a null-drawn copy),
// the co-location quotient against hand arithmetic.
#include <doctest/doctest.h>

#include <cmath>
#include <span>

#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/nexus.hpp"
#include "nexusmap/stats.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace {

constexpr double KM = 1000.0;

EventTable table(const std::vector<double>& x, const std::vector<double>& y) {
    EventTable ev;
    ev.crs = Crs::default_analysis();
    ev.x = x, ev.y = y;
    const size_t n = x.size();
    ev.lon.assign(n, 0), ev.lat.assign(n, 0), ev.day.assign(n, days_from_civil(2020, 1, 1));
    ev.weight.assign(n, 1), ev.fatalities.assign(n, 0), ev.type.assign(n, 0), ev.precision.assign(n, 0);
    ev.row.resize(n), ev.country.assign(n, 0), ev.admin1.resize(n), ev.actor.resize(n);
    return ev;
}

VectorLayer one_route(const LineString& l) {
    VectorLayer r;
    r.crs = Crs::default_analysis();
    r.type = GeomType::Line;
    r.fields = {"name", "commodity"};
    Feature f;
    f.geom.type = GeomType::Line;
    f.geom.lines.push_back(l);
    f.attrs = {std::string("straight"), std::string("fuel")};
    r.features.push_back(f);
    return r;
}

} // namespace

TEST_CASE("nexus: expected counts match the closed form for uniform intensity and a straight route") {
    // Uniform weights on a 200 x 100 km rectangle; a 100 km route along y = 50 km from x = 50 to 150.
    // Buffer of d inside the rectangle: 2 d L + pi d^2, so expected = N (2 d L + pi d^2) / 20000 km^2.
    GridSpec g;
    g.xmin = 0, g.ymax = 100 * KM, g.cell = 1 * KM, g.width = 200, g.height = 100;
    const Raster uniform(g, Crs::default_analysis(), 1.0f);
    std::vector<double> x(200, 100 * KM), y(200, 50 * KM); // observed positions do not matter here
    const EventTable ev = table(x, y);
    NexusParams p;
    p.null_model = NexusNull::Raster, p.d_km = 10, p.curve_km = {5, 10, 30}, p.simulations = 999;
    const NexusResult r = nexus_route_test(ev, one_route({{50 * KM, 50 * KM}, {150 * KM, 50 * KM}}), p, {nullptr, &uniform});
    REQUIRE(r.units.size() == 3); // the route, its commodity, all
    for (size_t k = 0; k < r.curve_km.size(); ++k) {
        const double d = r.curve_km[k], f = (2 * d * 100 + M_PI * d * d) / 20000.0;
        const double se = std::sqrt(200 * f * (1 - f) / 999.0); // Monte Carlo standard error of the mean
        CAPTURE(d);
        CHECK(std::fabs(r.units[0].curve_mean[k] - 200 * f) < 4 * se);
        CHECK(r.units[0].curve_obs[k] == 200); // every observed event sits on the route
    }
    CHECK(r.units[0].expected == doctest::Approx(200 * (2000 + M_PI * 100) / 20000).epsilon(4 * 0.15 / 23.1));
    CHECK(r.units[0].p == doctest::Approx(1.0 / 1000));
    CHECK(r.units[0].ratio > 8);
    // The same units for the commodity and for all routes (one route only).
    CHECK(r.units[1].curve_mean == r.units[0].curve_mean);
    CHECK(r.units[2].observed == r.units[0].observed);
}

TEST_CASE("nexus: the synthetic demo's events crowd the routes; a copy drawn from the null does not") {
    EventLoadResult lr = load_events(testutil::data("../../data/demo/events_synthetic.csv"));
    VectorLayer routes = read_layer(testutil::data("../../data/demo/routes_illustrative.geojson"));
    // Every 8th event keeps the test fast (2500 events, 99 simulations).
    std::vector<bool> keep(lr.events.size());
    for (size_t i = 0; i < keep.size(); ++i) keep[i] = i % 8 == 0;
    EventTable ev = lr.events.subset(keep);
    NexusParams p;
    p.simulations = 99, p.curve_km = {10, 25, 50};
    const NexusResult r = nexus_route_test(ev, routes, p);
    const NexusUnit& all = r.units.back();
    REQUIRE(all.kind == "all");
    INFO("observed " << all.observed << " expected " << all.expected);
    CHECK(all.ratio > 1.03); // 1.07 with this subset: a modest but clear pull toward the routes
    CHECK(all.p <= 0.01);
    CHECK(r.metadata.at("synthetic") == "true");
    // A copy whose positions are one draw from the null itself: nothing to find.
    std::vector<double> sx, sy;
    nexus_null_sample(ev, p, {}, 4242, sx, sy);
    EventTable shuffled = ev;
    shuffled.x = sx, shuffled.y = sy, shuffled.crs = p.analysis_crs;
    const NexusResult s = nexus_route_test(shuffled, routes, p);
    INFO("shuffled observed " << s.units.back().observed << " expected " << s.units.back().expected);
    CHECK(s.units.back().p > 0.05);
    CHECK(std::fabs(s.units.back().ratio - 1) < 0.1);
}

TEST_CASE("nexus: admin-1 null keeps events inside their own region") {
    // Two regions side by side; events in the left one, the route in the right one: the null cannot
    // move an event across, so the expected count near the route is 0.
    VectorLayer a1;
    a1.crs = Crs::default_analysis();
    a1.type = GeomType::Polygon;
    for (double x0 : {0.0, 100 * KM}) {
        Feature f;
        f.geom.type = GeomType::Polygon;
        f.geom.polygons.push_back({{Ring{{x0, 0}, {x0 + 100 * KM, 0}, {x0 + 100 * KM, 100 * KM}, {x0, 100 * KM}, {x0, 0}}}});
        a1.features.push_back(f);
    }
    const EventTable ev = table({20 * KM, 30 * KM, 40 * KM}, {50 * KM, 50 * KM, 50 * KM});
    NexusParams p;
    p.null_model = NexusNull::Admin1, p.d_km = 20, p.curve_km = {20}, p.simulations = 49;
    const NexusResult r = nexus_route_test(ev, one_route({{150 * KM, 10 * KM}, {150 * KM, 90 * KM}}), p, {&a1, nullptr});
    CHECK(r.units[0].expected == 0);
    CHECK(r.units[0].observed == 0);
    CHECK(r.fixed == 0);
    CHECK_THROWS_AS(nexus_route_test(ev, one_route({{0, 0}, {KM, 0}}), p, {}), GeoError); // admin-1 layer missing
}

TEST_CASE("colocation quotient equals hand-computed values") {
    // Points on a line (x in m): P1 A 0, P2 B 1, P3 A 10, P4 A 11, P5 B 30, P6 B 32, P7 A 28.
    // Nearest neighbours: P1->P2, P2->P1, P3->P4, P4->P3, P5->{P6, P7} (tie at 2, half each),
    // P6->P5, P7->P5. N = 7, N_A = 4, N_B = 3.
    // C_AA = 2 (P3, P4); C_AB = 2 (P1, P7); C_BA = 1 (P2) + 0.5 (P5) = 1.5; C_BB = 0.5 (P5) + 1 (P6) = 1.5.
    // CLQ_AA = (2/4) / ((4-1)/6) = 1;  CLQ_AB = (2/4) / (3/6) = 1;
    // CLQ_BA = (1.5/3) / (4/6) = 0.75; CLQ_BB = (1.5/3) / ((3-1)/6) = 1.5.
    const std::vector<double> x = {0, 1, 10, 11, 30, 32, 28}, y(7, 0);
    const std::vector<std::string> lab = {"A", "B", "A", "A", "B", "B", "A"};
    const ClqResult r = colocation_quotient(x, y, lab, {"A", "B"}, 99, 1);
    REQUIRE(r.entries.size() == 4);
    CHECK(r.entries[0].a == "A");
    CHECK(r.entries[0].b == "A");
    CHECK(r.entries[0].clq == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(r.entries[1].clq == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(r.entries[2].clq == doctest::Approx(0.75).epsilon(1e-12));
    CHECK(r.entries[3].clq == doctest::Approx(1.5).epsilon(1e-12));

    // Segregated categories (A in one cluster, B in another far away): CLQ_AA > 1 and significant.
    std::vector<double> sx, sy;
    std::vector<std::string> sl;
    for (int i = 0; i < 30; ++i) {
        sx.push_back(i % 6 * 10.0), sy.push_back(i / 6 * 10.0 + 0.5 * (i % 3)), sl.push_back("A");
        sx.push_back(5000 + i % 6 * 10.0), sy.push_back(i / 6 * 10.0 + 0.3 * (i % 4)), sl.push_back("B");
    }
    const ClqResult s = colocation_quotient(sx, sy, sl, {}, 199, 2);
    CHECK(s.entries[0].clq > 1.5);
    CHECK(s.entries[0].p_high == doctest::Approx(1.0 / 200));
    CHECK(s.entries[1].p_low == doctest::Approx(1.0 / 200));
    CHECK_THROWS_AS(colocation_quotient(x, y, lab, {"C"}, 9, 1), GeoError);
}

TEST_CASE("cross-K: uniform points in a rectangle match the closed form; extreme rank envelope by hand") {
    // A and B independent and uniform in a 100 x 60 km rectangle: E K(r) = pi r^2 - 4 (a + b) r^3 /
    // (3ab) + r^4 / (2ab). The mean of 40 estimates must lie within 4 standard errors (estimated
    // from the 40 themselves) of it.
    const double a = 100, b = 60;
    const std::vector<double> rs = {5, 10, 20};
    std::vector<std::vector<double>> est(rs.size());
    stats::Rng rng(77);
    for (int rep = 0; rep < 40; ++rep) {
        std::vector<double> ax, ay, bx, by;
        for (int i = 0; i < 200; ++i) ax.push_back(rng.uniform() * a * KM), ay.push_back(rng.uniform() * b * KM);
        for (int i = 0; i < 200; ++i) bx.push_back(rng.uniform() * a * KM), by.push_back(rng.uniform() * b * KM);
        CrossKParams p;
        p.r_km = rs, p.simulations = 0, p.area_km2 = a * b;
        const CrossKResult r = cross_k(ax, ay, bx, by, p);
        for (size_t k = 0; k < rs.size(); ++k) {
            est[k].push_back(r.k_obs[k]);
            CHECK(r.l_obs[k] == doctest::Approx(std::sqrt(r.k_obs[k] / M_PI)).epsilon(1e-12));
        }
    }
    for (size_t k = 0; k < rs.size(); ++k) {
        const double r = rs[k];
        const double want = M_PI * r * r - 4 * (a + b) * r * r * r / (3 * a * b) + r * r * r * r / (2 * a * b);
        double m = 0, ss = 0;
        for (double v : est[k]) m += v;
        m /= double(est[k].size());
        for (double v : est[k]) ss += (v - m) * (v - m);
        const double se = std::sqrt(ss / double(est[k].size() - 1) / double(est[k].size()));
        CAPTURE(r);
        CAPTURE(want);
        CHECK(std::fabs(m - want) <= 4 * se);
        CHECK(se < 0.03 * want); // the check has power: a 10% error would be caught
    }
    // Extreme rank lengths by hand: pointwise min(rank from below, from above) sorted: observed
    // (5, 5) -> [1, 1]; (1, 2) -> [1, 2]; (2, 3) -> [2, 3]; (3, 1) -> [1, 3]; (4, 4) -> [2, 2]. Only
    // the observed curve is as extreme as itself: p = 1/5. Dropping floor(0.4 * 5) = 2 most extreme
    // ([1,1], [1,2]) leaves (2,3), (3,1), (4,4): envelope 2..4 and 1..4.
    std::vector<double> lo, hi;
    double p = 0;
    extreme_rank_envelope({{5, 5}, {1, 2}, {2, 3}, {3, 1}, {4, 4}}, 0.4, lo, hi, p);
    CHECK(p == doctest::Approx(0.2));
    CHECK(lo == std::vector<double>{2, 1});
    CHECK(hi == std::vector<double>{4, 4});
}

TEST_CASE("cross-K: a planted association leaves the global envelope, a random relabelling stays inside") {
    stats::Rng rng(91);
    std::vector<double> ax, ay, bx, by;
    for (int i = 0; i < 150; ++i) ax.push_back(rng.uniform() * 200 * KM), ay.push_back(rng.uniform() * 200 * KM);
    // Planted: every B within 3 km of a random A point.
    for (int i = 0; i < 100; ++i) {
        const size_t k = rng.below(ax.size());
        const double t = rng.uniform() * 2 * M_PI, r = 3 * KM * std::sqrt(rng.uniform());
        bx.push_back(ax[k] + r * std::cos(t)), by.push_back(ay[k] + r * std::sin(t));
    }
    CrossKParams p;
    p.r_km = {2, 5, 10, 20, 40}, p.simulations = 199, p.seed = 3;
    const CrossKResult r = cross_k(ax, ay, bx, by, p);
    CHECK(r.p_global <= 0.01);
    CHECK(r.l_obs[1] > r.hi_global[1]); // at 5 km, above the global envelope
    for (size_t k = 0; k < r.r_km.size(); ++k) CHECK(r.lo_global[k] <= r.hi_global[k]);
    // The same pooled points with the labels shuffled: exchangeable with the simulations.
    std::vector<double> x = ax, y = ay;
    x.insert(x.end(), bx.begin(), bx.end()), y.insert(y.end(), by.begin(), by.end());
    std::vector<size_t> idx(x.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    rng.shuffle(std::span<size_t>(idx));
    std::vector<double> sax, say, sbx, sby;
    for (size_t i = 0; i < idx.size(); ++i)
        (i < ax.size() ? sax : sbx).push_back(x[idx[i]]), (i < ax.size() ? say : sby).push_back(y[idx[i]]);
    const CrossKResult s = cross_k(sax, say, sbx, sby, p);
    CHECK(s.p_global > 0.05);
    size_t outside = 0;
    for (size_t k = 0; k < s.r_km.size(); ++k) outside += s.l_obs[k] < s.lo_global[k] || s.l_obs[k] > s.hi_global[k];
    CHECK(outside == 0);
    CHECK(cross_k_table(r).rows.size() == p.r_km.size());
    CHECK_THROWS_AS(cross_k({0}, {0}, bx, by, p), GeoError);
}
