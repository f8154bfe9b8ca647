// Tests for nexusmap/hotspots.hpp. Each analysis is checked against an independent computation
// written here (brute force from the textbook formula, or values worked out by hand).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/hotspots.hpp"

using namespace nexusmap;

namespace {

// O(n^2) Gi* straight from Getis & Ord (1995) / the ArcGIS formula, raw (uncentred) sums:
// binary band d with self, Xbar = mean, S = sqrt(sum x^2 / n - Xbar^2).
std::vector<double> gi_brute(const std::vector<double>& cx, const std::vector<double>& cy,
                             const std::vector<double>& x, double d) {
    const size_t n = x.size();
    double sum = 0, sum2 = 0;
    for (double v : x) {
        sum += v;
        sum2 += v * v;
    }
    const double xbar = sum / n, S = std::sqrt(sum2 / n - xbar * xbar);
    std::vector<double> z(n);
    for (size_t i = 0; i < n; ++i) {
        double wx = 0, W = 0;
        for (size_t j = 0; j < n; ++j) {
            const double dx = cx[i] - cx[j], dy = cy[i] - cy[j];
            if (dx * dx + dy * dy <= d * d * (1 + 1e-9)) {
                wx += x[j];
                W += 1;
            }
        }
        z[i] = (wx - xbar * W) / (S * std::sqrt((n * W - W * W) / (n - 1)));
    }
    return z;
}

// Dense-matrix Moran's I with E and normality variance (Cliff & Ord), from a CSR weights object.
struct Dense {
    double I, E, V;
};
Dense moran_dense(const std::vector<double>& x, const SpatialWeights& sw) {
    const size_t n = x.size();
    std::vector<std::vector<double>> w(n, std::vector<double>(n, 0.0));
    for (size_t i = 0; i < n; ++i)
        for (int64_t e = sw.offsets[i]; e < sw.offsets[i + 1]; ++e) w[i][sw.index[e]] += sw.weight[e];
    const double m = std::accumulate(x.begin(), x.end(), 0.0) / n;
    double num = 0, den = 0, S0 = 0, S1 = 0, S2 = 0;
    for (size_t i = 0; i < n; ++i) {
        den += (x[i] - m) * (x[i] - m);
        double r = 0, c = 0;
        for (size_t j = 0; j < n; ++j) {
            num += w[i][j] * (x[i] - m) * (x[j] - m);
            S0 += w[i][j];
            S1 += 0.5 * (w[i][j] + w[j][i]) * (w[i][j] + w[j][i]);
            r += w[i][j];
            c += w[j][i];
        }
        S2 += (r + c) * (r + c);
    }
    const double nn = double(n), I = nn / S0 * num / den, E = -1 / (nn - 1);
    const double V = (nn * nn * S1 - nn * S2 + 3 * S0 * S0) / (S0 * S0 * (nn * nn - 1)) - E * E;
    return {I, E, V};
}

Geometry square(double x0, double y0, double s) {
    Geometry g;
    g.type = GeomType::Polygon;
    g.polygons.push_back(Polygon{{Ring{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}}}});
    return g;
}

std::set<int32_t> row_of(const SpatialWeights& w, size_t i) {
    return {w.index.begin() + w.offsets[i], w.index.begin() + w.offsets[i + 1]};
}

} // namespace

TEST_CASE("Gi*: 5 units on a line, worked by hand") {
    // Units at x = 0..4 m, values 1, 2, 3, 4, 10, band d = 1 m (self + immediate neighbours).
    // n = 5, Xbar = 4, sum x^2 = 130, S = sqrt(130/5 - 16) = sqrt(10).
    // Unit 0: W = 2, sum wx = 1+2 = 3,  num = 3 - 8 = -5,  den = sqrt(10) sqrt((10-4)/4) = sqrt(15)
    // Unit 1: W = 3, sum wx = 6,        num = 6 - 12 = -6, den = sqrt(10) sqrt((15-9)/4) = sqrt(15)
    // Unit 2: W = 3, sum wx = 9,        num = -3
    // Unit 3: W = 3, sum wx = 17,       num = 5
    // Unit 4: W = 2, sum wx = 14,       num = 6
    // => z = (-5, -6, -3, 5, 6) / sqrt(15). Tolerance 1e-12.
    UnitCentroids c{{0, 1, 2, 3, 4}, {0, 0, 0, 0, 0}};
    const std::vector<double> x = {1, 2, 3, 4, 10};
    GiStarParams p;
    p.distance_m = 1;
    const auto r = gi_star_points(c, x, p);
    const double expect[] = {-5, -6, -3, 5, 6};
    for (int i = 0; i < 5; ++i) {
        CHECK(r.z[i] == doctest::Approx(expect[i] / std::sqrt(15.0)).epsilon(1e-12));
        CHECK(r.p[i] == doctest::Approx(stats::p_two_sided(expect[i] / std::sqrt(15.0))).epsilon(1e-12));
    }
    CHECK(r.n_neighbors[0] == 2);
    CHECK(r.n_neighbors[2] == 3);
    CHECK(r.mean == doctest::Approx(4));
    CHECK(r.sd == doctest::Approx(std::sqrt(10.0)));
    CHECK(r.distance_rule == "user");
    // |z| = 1.549 (p = 0.121): nothing reaches 90%.
    for (int b : r.bin) CHECK(b == 0);
}

TEST_CASE("Gi* equals the O(n^2) brute force on random units (1e-9)") {
    std::mt19937_64 g(1);
    std::uniform_real_distribution<double> u(0, 100000);
    std::exponential_distribution<double> ex(0.3);
    for (int rep = 0; rep < 3; ++rep) {
        UnitCentroids c;
        std::vector<double> x;
        for (int i = 0; i < 500; ++i) {
            c.x.push_back(u(g));
            c.y.push_back(u(g) * 0.6);
            x.push_back(rep == 0 ? std::floor(ex(g)) : ex(g) * 1000); // counts, then large reals
        }
        const double d = 8000 + 4000 * rep;
        GiStarParams p;
        p.distance_m = d;
        const auto r = gi_star_points(c, x, p);
        const auto z = gi_brute(c.x, c.y, x, d);
        for (size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(r.z[i] - z[i]) <= 1e-9);
    }
}

TEST_CASE("fast fishnet Gi* equals brute force, with and without mask (1e-9)") {
    std::mt19937_64 g(2);
    std::poisson_distribution<int> pois(1.5);
    std::uniform_real_distribution<double> u(0, 1);
    GridSpec grid;
    grid.xmin = 100000;
    grid.ymax = 1500000;
    grid.cell = 5000;
    grid.width = 31;
    grid.height = 23;
    for (double d : {5000.0, 12000.0, 25000.0, 35355.33906}) { // incl. exact multiples and ~5*sqrt(50)
        for (int masked = 0; masked < 2; ++masked) {
            std::vector<double> x(grid.size());
            std::vector<uint8_t> mask;
            for (double& v : x) v = pois(g) + (d > 20000 ? u(g) : 0.0);
            if (masked) {
                mask.resize(grid.size());
                for (auto& m : mask) m = u(g) < 0.7;
                for (size_t k = 0; k < x.size(); ++k)
                    if (!mask[k]) x[k] = NAN; // masked cells may hold anything
            }
            GiStarParams p;
            p.distance_m = d;
            const auto fast = gi_star_fishnet(grid, x, mask, p);
            // Brute force over the unmasked cell centres.
            const UnitCentroids c = fishnet_centroids(grid, mask);
            std::vector<double> xv;
            for (size_t k = 0; k < x.size(); ++k)
                if (mask.empty() || mask[k]) xv.push_back(x[k]);
            const auto z = gi_brute(c.x, c.y, xv, d);
            CHECK(fast.n == xv.size());
            size_t j = 0;
            for (size_t k = 0; k < x.size(); ++k) {
                if (!mask.empty() && !mask[k]) {
                    CHECK(std::isnan(fast.z[k]));
                    CHECK(fast.bin[k] == 0);
                    continue;
                }
                CHECK(std::fabs(fast.z[k] - z[j]) <= 1e-9);
                ++j;
            }
            // And the generic CSR path agrees too.
            const auto gen = gi_star_points(c, xv, p);
            j = 0;
            for (size_t k = 0; k < x.size(); ++k)
                if (mask.empty() || mask[k]) {
                    CHECK(std::fabs(gen.z[j] - fast.z[k]) <= 1e-9);
                    CHECK(gen.n_neighbors[j] == fast.n_neighbors[k]);
                    ++j;
                }
        }
    }
}

TEST_CASE("Gi* permutations: seeded, reproducible, and agree with a clear hot spot") {
    // 12x12 fishnet, a 3x3 block of high counts in one corner.
    GridSpec grid;
    grid.cell = 1000;
    grid.width = grid.height = 12;
    grid.ymax = 12000;
    std::vector<double> x(grid.size(), 1.0);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) x[r * 12 + c] = 20;
    GiStarParams p;
    p.distance_m = 1500; // queen-like: 8 neighbours + self
    p.permutations = 499;
    p.seed = 99;
    const auto a = gi_star_fishnet(grid, x, {}, p);
    const auto b = gi_star_fishnet(grid, x, {}, p);
    CHECK(a.p_source == "permutation");
    for (size_t k = 0; k < x.size(); ++k) {
        CHECK(a.p_perm[k] == b.p_perm[k]);
        CHECK(a.p_perm[k] > 0);
        CHECK(a.p_perm[k] <= 1);
    }
    // Centre of the block: all 8 neighbours are 20 while 8/143 others are: pseudo p at its floor.
    CHECK(a.p_perm[1 * 12 + 1] == doctest::Approx(2.0 / 500));
    CHECK(a.bin[1 * 12 + 1] == 3);
    // Same thing through the generic path (CSR weights): same pseudo p for the block centre.
    const auto c = fishnet_centroids(grid);
    const auto gen = gi_star_points(c, x, p);
    CHECK(gen.p_perm[1 * 12 + 1] == doctest::Approx(2.0 / 500));
    // A different seed changes the draws but not the conclusion.
    p.seed = 100;
    const auto d = gi_star_fishnet(grid, x, {}, p);
    CHECK(d.bin[1 * 12 + 1] == 3);
}

TEST_CASE("confidence bins from raw and FDR-adjusted p") {
    const std::vector<double> z = {3, -2.2, 1.7, 0.5, -3.5, NAN};
    const std::vector<double> p = {0.005, 0.03, 0.09, 0.6, 0.0004, 0.01};
    const auto b = confidence_bins(z, p);
    CHECK(b == std::vector<int8_t>{3, -2, 1, 0, -3, 0});
    // FDR: adjusted p = BH of p (NaN z still gives bin 0 whatever its p).
    const auto q = stats::bh_adjust(p);
    const auto bf = confidence_bins(z, q);
    // BH by hand over 6 p-values: sorted .0004 .005 .01 .03 .09 .6 -> q = .0024 .015 .02 .045 .108 .6
    CHECK(q[4] == doctest::Approx(0.0024));
    CHECK(q[0] == doctest::Approx(0.015));
    CHECK(q[1] == doctest::Approx(0.045));
    CHECK(q[2] == doctest::Approx(0.108));
    CHECK(bf == std::vector<int8_t>{2, -2, 0, 0, -3, 0});
    // The fdr flag of Gi* switches the bins to the adjusted values.
    UnitCentroids c{{0, 1, 2, 3, 4, 5, 6, 7}, {0, 0, 0, 0, 0, 0, 0, 0}};
    const std::vector<double> x = {0, 0, 0, 1, 9, 9, 9, 9};
    GiStarParams gp;
    gp.distance_m = 1;
    const auto raw = gi_star_points(c, x, gp);
    gp.fdr = true;
    const auto adj = gi_star_points(c, x, gp);
    CHECK(adj.bin == confidence_bins(raw.z, stats::bh_adjust(raw.p)));
    CHECK(raw.bin == confidence_bins(raw.z, raw.p));
}

TEST_CASE("distance band and knn weights equal brute-force neighbour sets") {
    std::mt19937_64 g(3);
    std::uniform_real_distribution<double> u(0, 50000);
    UnitCentroids c;
    for (int i = 0; i < 300; ++i) {
        c.x.push_back(u(g));
        c.y.push_back(u(g));
    }
    c.x.push_back(c.x[5]); // a duplicate location
    c.y.push_back(c.y[5]);
    const size_t n = c.size();
    const double d = 4000;
    const auto band = distance_band_weights(c, d, true);
    const auto knn = knn_weights(c, 5, false);
    for (size_t i = 0; i < n; ++i) {
        std::set<int32_t> expect;
        std::vector<std::pair<double, int32_t>> all;
        for (size_t j = 0; j < n; ++j) {
            const double d2 = (c.x[i] - c.x[j]) * (c.x[i] - c.x[j]) + (c.y[i] - c.y[j]) * (c.y[i] - c.y[j]);
            if (d2 <= d * d) expect.insert(int32_t(j));
            if (j != i) all.emplace_back(d2, int32_t(j));
        }
        CHECK(row_of(band, i) == expect);
        std::sort(all.begin(), all.end());
        std::set<int32_t> k5;
        for (int t = 0; t < 5; ++t) k5.insert(all[t].second);
        CHECK(row_of(knn, i) == k5);
        CHECK(std::is_sorted(band.index.begin() + band.offsets[i], band.index.begin() + band.offsets[i + 1]));
    }
    // Row standardisation, self removal/addition.
    const auto rs = row_standardise(without_self(band));
    for (size_t i = 0; i < n; ++i) {
        double s = 0;
        for (int64_t e = rs.offsets[i]; e < rs.offsets[i + 1]; ++e) s += rs.weight[e];
        if (rs.count(i)) CHECK(s == doctest::Approx(1.0));
        CHECK(!row_of(rs, i).count(int32_t(i)));
    }
    const auto ws = with_self(knn);
    for (size_t i = 0; i < n; ++i) CHECK(row_of(ws, i).count(int32_t(i)));
    CHECK(ws.nnz() == knn.nnz() + n);
}

TEST_CASE("queen contiguity from polygon rings") {
    // 3x3 squares: centre touches all 8, corners touch 3, edges 5.
    std::vector<Geometry> sq;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) sq.push_back(square(c * 10.0, r * 10.0, 10));
    const auto w = queen_weights(sq);
    CHECK(w.count(4) == 8);
    CHECK(w.count(0) == 3);
    CHECK(w.count(1) == 5);
    CHECK(row_of(w, 0) == std::set<int32_t>{1, 3, 4});
    // T-junction: a wide rectangle below two squares whose shared corner (10, 10) is not a vertex of
    // the rectangle; a fourth square touching nothing (gap 0.5 >> tolerance).
    std::vector<Geometry> t;
    Geometry big;
    big.type = GeomType::Polygon;
    big.polygons.push_back(Polygon{{Ring{{0, 0}, {20, 0}, {20, 10}, {0, 10}, {0, 0}}}});
    t.push_back(big);
    t.push_back(square(0, 10, 10));
    t.push_back(square(10, 10, 10));
    t.push_back(square(20.5, 0, 5));
    const auto wt = queen_weights(t);
    CHECK(row_of(wt, 0) == std::set<int32_t>{1, 2});
    CHECK(row_of(wt, 1) == std::set<int32_t>{0, 2});
    CHECK(wt.count(3) == 0);
    // Within the tolerance: nudging a square by 1e-9 keeps the contact.
    std::vector<Geometry> nudged = {square(0, 0, 10), square(10 + 1e-9, 0, 10)};
    CHECK(queen_weights(nudged, 1e-6).count(0) == 1);
    CHECK(queen_weights(nudged, 1e-12).count(0) == 0);
    // Hexagons: queen neighbours = the 6 lattice neighbours (centres exactly `spacing` apart).
    HexGrid hg;
    hg.spacing = 1000;
    const auto hx = hex_cover(BBox{0, 0, 6000, 6000}, hg);
    std::vector<Geometry> hgeo;
    for (const auto& p : hx.polygons) {
        Geometry g;
        g.type = GeomType::Polygon;
        g.polygons.push_back(p);
        hgeo.push_back(g);
    }
    const auto wq = queen_weights(hgeo);
    const auto wd = distance_band_weights(hx.centroids, 1000, false);
    for (size_t i = 0; i < hx.size(); ++i) CHECK(row_of(wq, i) == row_of(wd, i));
}

TEST_CASE("hexagon assignment: nearest centre, both orientations") {
    std::mt19937_64 g(4);
    for (auto orient : {HexOrientation::PointyTop, HexOrientation::FlatTop}) {
        HexGrid hg;
        hg.spacing = 7000;
        hg.orientation = orient;
        hg.origin_x = 123;
        hg.origin_y = -456;
        const BBox b{-20000, 10000, 45000, 52000};
        const auto hx = hex_cover(b, hg);
        REQUIRE(hx.size() > 20);
        // Geometry: vertices at the circumradius, ring closed, adjacent centres `spacing` apart.
        const auto poly = hg.polygon(2, -1);
        const Vec2 cc = hg.center(2, -1);
        REQUIRE(poly.rings[0].size() == 7);
        CHECK(poly.rings[0].front().x == poly.rings[0].back().x);
        for (const auto& v : poly.rings[0]) CHECK(std::hypot(v.x - cc.x, v.y - cc.y) == doctest::Approx(7000 / std::sqrt(3.0)));
        const Vec2 nb = hg.center(3, -1);
        CHECK(std::hypot(nb.x - cc.x, nb.y - cc.y) == doctest::Approx(7000));
        std::uniform_real_distribution<double> ux(b.xmin, b.xmax), uy(b.ymin, b.ymax);
        std::vector<double> px, py;
        for (int i = 0; i < 3000; ++i) {
            px.push_back(ux(g));
            py.push_back(uy(g));
        }
        const auto agg = hex_aggregate(hx, px, py);
        CHECK(agg.inside == px.size()); // the cover covers its bbox
        CHECK(agg.outside == 0);
        std::vector<double> brute_counts(hx.size(), 0);
        for (size_t i = 0; i < px.size(); ++i) {
            const int k = hx.index_of(px[i], py[i]);
            REQUIRE(k >= 0);
            double best = INFINITY;
            size_t bi = 0;
            for (size_t j = 0; j < hx.size(); ++j) {
                const double dd = std::hypot(px[i] - hx.centroids.x[j], py[i] - hx.centroids.y[j]);
                if (dd < best) {
                    best = dd;
                    bi = j;
                }
            }
            // Assigned centre is a nearest one (ties on hexagon edges allowed: 1e-9 m).
            CHECK(std::hypot(px[i] - hx.centroids.x[k], py[i] - hx.centroids.y[k]) <= best + 1e-9);
            brute_counts[bi] += 1;
        }
        CHECK(agg.value == brute_counts);
        // Every cover hexagon intersects the bbox: its centre is within R of it.
        const double R = hg.circumradius();
        for (size_t j = 0; j < hx.size(); ++j) {
            const double dx = std::max({b.xmin - hx.centroids.x[j], 0.0, hx.centroids.x[j] - b.xmax});
            const double dy = std::max({b.ymin - hx.centroids.y[j], 0.0, hx.centroids.y[j] - b.ymax});
            CHECK(std::hypot(dx, dy) <= R + 1e-6);
        }
        // Far-away point: not in the cover.
        CHECK(hx.index_of(1e7, 1e7) == -1);
    }
}

TEST_CASE("fishnet aggregation") {
    GridSpec grid;
    grid.xmin = 0;
    grid.ymax = 30;
    grid.cell = 10;
    grid.width = 3;
    grid.height = 3;
    // Row 0 is the north row. (5,25): row 0 col 0; (15,15): centre; (30,0): SE corner -> last cell;
    // (10,20): the half-open box puts it in col 1 (x0 <= x) and row 1 (y <= y0) - not row 0.
    const std::vector<double> x = {5, 15, 30, 10, -1, NAN};
    const std::vector<double> y = {25, 15, 0, 20, 5, 5};
    const std::vector<float> w = {1, 2, 3, 4, 5, 6};
    const auto a = fishnet_aggregate(grid, x, y, w);
    CHECK(a.value == std::vector<double>{1, 0, 0, 0, 2 + 4, 0, 0, 0, 3});
    CHECK(a.inside == 4);
    CHECK(a.outside == 1);
    CHECK(a.skipped == 1);
    const auto c = fishnet_centroids(grid, std::vector<uint8_t>{1, 0, 0, 0, 1, 0, 0, 0, 0});
    CHECK(c.x == std::vector<double>{5, 15});
    CHECK(c.y == std::vector<double>{25, 15});
}

TEST_CASE("polygon centroids") {
    // 10x10 square with a 2x2 hole at [6,8]x[6,8]: area 96, centroid = (50*100 - 7*4)/96 each axis.
    Geometry g = square(0, 0, 10);
    g.polygons[0].rings.push_back(Ring{{6, 6}, {6, 8}, {8, 8}, {8, 6}, {6, 6}});
    // Two-part unit: the square above plus a 1x1 square at (20,0): area 97.
    Geometry two = g;
    two.polygons.push_back(square(20, 0, 1).polygons[0]);
    const auto c = polygon_centroids({g, two});
    CHECK(c.x[0] == doctest::Approx((500.0 - 28) / 96));
    CHECK(c.y[0] == doctest::Approx((500.0 - 28) / 96));
    CHECK(c.x[1] == doctest::Approx((500.0 - 28 + 20.5) / 97));
    CHECK(c.y[1] == doctest::Approx((500.0 - 28 + 0.5) / 97));
}

TEST_CASE("global Moran's I: checkerboard and brute-force moments") {
    // 10x10 checkerboard with rook weights (band = cell, binary, no self): every neighbour pair has
    // opposite colours, so I = -1 exactly.
    GridSpec grid;
    grid.cell = 1;
    grid.width = grid.height = 10;
    grid.ymax = 10;
    std::vector<double> x(100);
    for (int r = 0; r < 10; ++r)
        for (int c = 0; c < 10; ++c) x[r * 10 + c] = (r + c) % 2;
    const auto cent = fishnet_centroids(grid);
    const auto rook = distance_band_weights(cent, 1.0, false);
    const auto gm = global_moran(x, rook);
    CHECK(gm.i == doctest::Approx(-1).epsilon(1e-12));
    const auto dm = moran_dense(x, rook);
    CHECK(gm.expected == doctest::Approx(dm.E).epsilon(1e-12));
    CHECK(gm.variance == doctest::Approx(dm.V).epsilon(1e-12));
    CHECK(gm.z < -9); // strongly dispersed
    // Row-standardised asymmetric knn weights on random data: all moments vs dense brute force.
    std::mt19937_64 g(5);
    std::uniform_real_distribution<double> u(0, 1000);
    UnitCentroids c;
    std::vector<double> v;
    for (int i = 0; i < 80; ++i) {
        c.x.push_back(u(g));
        c.y.push_back(u(g));
        v.push_back(c.x.back() / 100 + u(g) / 300); // east-west trend: positive autocorrelation
    }
    const auto kw = row_standardise(knn_weights(c, 4, false));
    const auto gk = global_moran(v, kw);
    const auto dk = moran_dense(v, kw);
    CHECK(gk.i == doctest::Approx(dk.I).epsilon(1e-12));
    CHECK(gk.variance == doctest::Approx(dk.V).epsilon(1e-12));
    CHECK(gk.z == doctest::Approx((dk.I - dk.E) / std::sqrt(dk.V)).epsilon(1e-12));
    CHECK(gk.z > 3);
}

TEST_CASE("local Moran's I classes on a constructed pattern") {
    // 16x16 grid, queen weights (band = cell * sqrt 2). West half = 10, east half = 0, plus one low
    // cell deep in the west (LH) and one high cell deep in the east (HL). With half the cells high,
    // the chance that 8 random neighbours all match is ~0.5^8 = 0.004, so deep cells are significant.
    GridSpec grid;
    grid.cell = 1000;
    grid.width = grid.height = 16;
    grid.ymax = 16000;
    std::vector<double> x(256);
    for (int r = 0; r < 16; ++r)
        for (int c = 0; c < 16; ++c) x[r * 16 + c] = c < 8 ? 10 : 0;
    const int lh = 8 * 16 + 3, hl = 8 * 16 + 12, hh = 3 * 16 + 3, ll = 3 * 16 + 12;
    x[lh] = 0;
    x[hl] = 10;
    const auto cent = fishnet_centroids(grid);
    const auto w = distance_band_weights(cent, 1000 * std::sqrt(2.0), false);
    LocalMoranParams p;
    p.permutations = 999;
    p.seed = 7;
    const auto r = local_moran(x, w, p);
    CHECK(r.cls[hh] == LisaClass::HighHigh);
    CHECK(r.cls[ll] == LisaClass::LowLow);
    CHECK(r.cls[lh] == LisaClass::LowHigh);
    CHECK(r.cls[hl] == LisaClass::HighLow);
    CHECK(std::string(lisa_class_name(r.cls[lh])) == "LH");
    // I_i = z_i * lag_i / m2 with the row-standardised lag, checked by hand for the HH cell:
    // mean = 5, z = +5 everywhere in the west, m2 = 25 -> I = 5 * 5 / 25 = 1.
    CHECK(r.i[hh] == doctest::Approx(1.0));
    CHECK(r.p_sim[hh] <= 0.01);
    // The global I reported equals the generic one with the same row-standardised weights.
    const auto g = global_moran(x, row_standardise(w));
    CHECK(r.global.i == doctest::Approx(g.i));
    CHECK(r.global.i > 0.7);
}

// Issue #13: p_sim counted ties on both sides (min(#>=, #<=)), so a high cell among zeros got
// p ~ 0.1-0.9 instead of the 1/(P+1) of the PySAL/GeoDa rule the docs claim.
TEST_CASE("LISA pseudo p: HL cells surrounded by zeros get 1/(P+1) (PySAL rule)") {
    // Zero-inflated 20x20 fishnet, queen neighbours: 9 isolated cells of 5 with 8 zero neighbours each.
    GridSpec grid;
    grid.cell = 1000;
    grid.width = grid.height = 20;
    grid.ymax = 20000;
    std::vector<double> x(400, 0.0);
    std::vector<int> hl;
    for (int r = 3; r <= 15; r += 6)
        for (int c = 3; c <= 15; c += 6) {
            x[r * 20 + c] = 5;
            hl.push_back(r * 20 + c);
        }
    REQUIRE(hl.size() == 9);
    const auto w = distance_band_weights(fishnet_centroids(grid), 1000 * std::sqrt(2.0), false);
    LocalMoranParams p;
    p.permutations = 4999;
    p.seed = 3;
    const auto r = local_moran(x, w, p);
    // Each HL cell's lag is the smallest any 8 neighbours can give (all zero), so every permuted
    // I_i = z_i * lag_perm / m2 (z_i > 0) is >= the observed one: count = P, folded to P - P = 0,
    // p = 1/(P+1) whatever the seed.
    for (int i : hl) {
        CHECK(r.p_sim[static_cast<size_t>(i)] == doctest::Approx(1.0 / 5000).epsilon(1e-12));
        CHECK(r.cls[static_cast<size_t>(i)] == LisaClass::HighLow);
    }
    // A zero cell whose 8 neighbours are all zero (z_i < 0, I_i > 0): permuted I_i >= observed only
    // when all 8 draws are zeros too, with probability q = C(Z,8)/C(399,8) (hypergeometric, Z = 390
    // zeros among the other 399 units), q ~ 0.83 > 1/2, so the count folds to P - count and
    // p ~ (P(1-q) + 1)/(P+1). Checked within 4 binomial standard deviations.
    const size_t ll = 12 * 20 + 12; // neighbours rows/cols 11..13: no HL cell (those sit at 3, 9, 15)
    double q = 1;
    for (int k = 0; k < 8; ++k) q *= (390.0 - k) / (399.0 - k);
    const double P = 4999, expect = (P * (1 - q) + 1) / (P + 1), sd = std::sqrt(P * q * (1 - q)) / (P + 1);
    CHECK(std::fabs(r.p_sim[ll] - expect) < 4 * sd);
    CHECK(r.p_sim[ll] > 0.1); // not significant: the old two-sided count gave the same here
}

TEST_CASE("emerging hot spot classifier: every category from hand-made series") {
    // T = 12 steps. "H" = hot bin (z = 3, p = 0.003), "C" = cold (z = -3), "." = not significant
    // (z = 0.3, p = 0.76). Trend series use z values that rise/fall steadily (Mann-Kendall S = +-66,
    // p ~ 1e-5) while staying significant.
    auto series = [](const std::string& s, std::vector<double>& z, std::vector<double>& p) {
        z.clear();
        p.clear();
        for (char ch : s) {
            z.push_back(ch == 'H' ? 3.0 : ch == 'C' ? -3.0 : 0.3);
            p.push_back(ch == '.' ? 0.76 : 0.003);
        }
    };
    std::vector<double> z, p;
    auto cls = [&](const std::string& s) {
        series(s, z, p);
        return classify_emerging(z, p, 0.05, 0.05);
    };
    using E = EmergingPattern;
    CHECK(cls("...........H") == E::NewHot);
    CHECK(cls("........HHHH") == E::ConsecutiveHot);
    CHECK(cls("..H...H....H") == E::SporadicHot);
    CHECK(cls("...H...H.HHH") == E::SporadicHot); // earlier hot bins before the final run
    CHECK(cls("..C.......HH") == E::OscillatingHot);
    CHECK(cls("HHHHHHHHHHHH") == E::PersistentHot); // constant z: S = 0, no trend
    CHECK(cls("HHHHHHHHHHH.") == E::HistoricalHot);  // 11/12 >= 90%, final not hot
    CHECK(cls("...........C") == E::NewCold);
    CHECK(cls("........CCCC") == E::ConsecutiveCold);
    CHECK(cls("..C...C....C") == E::SporadicCold);
    CHECK(cls("..H.......CC") == E::OscillatingCold);
    CHECK(cls("CCCCCCCCCCCC") == E::PersistentCold);
    CHECK(cls("CCCCCCCCCCC.") == E::HistoricalCold);
    CHECK(cls("............") == E::NoPattern);
    CHECK(cls("....HHH.....") == E::NoPattern); // hot once, not at the end, < 90%
    CHECK(cls("HHHHHHHHHH..") == E::NoPattern); // 10/12 = 83% < 90%: not historical
    // Trends: all 12 hot with z rising 2.0 .. 4.2 -> intensifying; falling -> diminishing.
    std::vector<double> up(12), down(12), sig(12, 0.01);
    for (int t = 0; t < 12; ++t) {
        up[t] = 2.0 + 0.2 * t;
        down[t] = 4.2 - 0.2 * t;
    }
    CHECK(classify_emerging(up, sig, 0.05, 0.05) == E::IntensifyingHot);
    CHECK(classify_emerging(down, sig, 0.05, 0.05) == E::DiminishingHot);
    for (int t = 0; t < 12; ++t) {
        up[t] = -up[t]; // becoming more negative: intensifying cold
        down[t] = -down[t];
    }
    CHECK(classify_emerging(up, sig, 0.05, 0.05) == E::IntensifyingCold);
    CHECK(classify_emerging(down, sig, 0.05, 0.05) == E::DiminishingCold);
    // A hot run with a significant rising trend but < 90% hot stays consecutive.
    std::vector<double> zr(12), pr(12);
    for (int t = 0; t < 12; ++t) {
        zr[t] = t < 8 ? 0.1 * t : 2.5 + t;
        pr[t] = t < 8 ? 0.5 : 0.001;
    }
    CHECK(classify_emerging(zr, pr, 0.05, 0.05) == E::ConsecutiveHot);
    CHECK(std::string(emerging_pattern_name(E::OscillatingCold)) == "Oscillating Cold Spot");
}

TEST_CASE("emerging hot spots: space-time Gi* equals brute force, emerging cluster found") {
    // 10x10 units (1 km apart), 12 steps of background counts; a 3x3 cluster flares in the last 3.
    std::mt19937_64 g(6);
    std::poisson_distribution<int> pois(2.0);
    UnitCentroids u;
    for (int r = 0; r < 10; ++r)
        for (int c = 0; c < 10; ++c) {
            u.x.push_back(c * 1000.0);
            u.y.push_back(r * 1000.0);
        }
    const size_t N = 100, T = 12;
    std::vector<double> counts(N * T);
    for (size_t t = 0; t < T; ++t)
        for (size_t i = 0; i < N; ++i) {
            const int r = int(i) / 10, c = int(i) % 10;
            const bool cluster = t >= 9 && r >= 4 && r <= 6 && c >= 4 && c <= 6;
            counts[t * N + i] = pois(g) + (cluster ? 25 : 0);
        }
    EmergingParams p;
    p.distance_m = 1500;
    p.time_window = 1;
    p.fdr = true;
    const auto res = emerging_hot_spots(u, counts, p);
    REQUIRE(res.n_steps == T);
    // Brute force: bins (j, s) with dist <= d and t-1 <= s <= t; n = N*T, mean and S over the cube.
    const double n = double(N * T);
    double sum = 0, sum2 = 0;
    for (double v : counts) {
        sum += v;
        sum2 += v * v;
    }
    const double xbar = sum / n, S = std::sqrt(sum2 / n - xbar * xbar);
    for (size_t t = 0; t < T; ++t)
        for (size_t i = 0; i < N; ++i) {
            double wx = 0, W = 0;
            for (size_t s = (t == 0 ? 0 : t - 1); s <= t; ++s)
                for (size_t j = 0; j < N; ++j)
                    if (std::hypot(u.x[i] - u.x[j], u.y[i] - u.y[j]) <= 1500) {
                        wx += counts[s * N + j];
                        W += 1;
                    }
            const double z = (wx - xbar * W) / (S * std::sqrt((n * W - W * W) / (n - 1)));
            CHECK(std::fabs(res.z[t * N + i] - z) <= 1e-9);
        }
    // The flare's centre unit (5,5) is hot in the last steps only: new/consecutive hot spot.
    const auto centre = res.pattern[5 * 10 + 5];
    CHECK((centre == EmergingPattern::ConsecutiveHot || centre == EmergingPattern::NewHot));
    CHECK(res.hot_steps[55] >= 2);
    // The classifier applied to the returned series reproduces the pattern.
    std::vector<double> zs(T), ps(T);
    for (size_t t = 0; t < T; ++t) {
        zs[t] = res.z[t * N + 55];
        ps[t] = res.p_fdr[t * N + 55];
    }
    CHECK(classify_emerging(zs, ps, p.alpha, p.trend_alpha) == centre);
    CHECK(res.trend_tau[55] > 0);
}

TEST_CASE("default distance band rules") {
    std::mt19937_64 g(8);
    std::uniform_real_distribution<double> u(0, 20000);
    UnitCentroids c;
    std::vector<double> v;
    for (int i = 0; i < 200; ++i) {
        c.x.push_back(u(g));
        c.y.push_back(u(g));
        v.push_back(std::sin(c.x.back() / 3000) + std::cos(c.y.back() / 4000));
    }
    // MinOneNeighbor = max over units of the brute-force nearest-neighbour distance.
    double dmax = 0, dsum = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        double best = INFINITY;
        for (size_t j = 0; j < c.size(); ++j)
            if (j != i) best = std::min(best, std::hypot(c.x[i] - c.x[j], c.y[i] - c.y[j]));
        dmax = std::max(dmax, best);
        dsum += best;
    }
    const auto b1 = choose_distance_band(c, v, BandRule::MinOneNeighbor);
    CHECK(b1.distance_m == doctest::Approx(dmax).epsilon(1e-12));
    const auto w1 = distance_band_weights(c, b1.distance_m, false);
    for (size_t i = 0; i < c.size(); ++i) CHECK(w1.count(i) >= 1);
    // Incremental Moran: distances d0 + k * mean NN, and each z equals the generic global Moran's I
    // z with row-standardised binary band weights (1e-9).
    const auto b2 = choose_distance_band(c, v, BandRule::IncrementalMoranPeak);
    REQUIRE(b2.tried_m.size() == 10);
    for (int k = 0; k < 10; ++k) {
        CHECK(b2.tried_m[k] == doctest::Approx(dmax + k * dsum / c.size()).epsilon(1e-12));
        const auto gm = global_moran(v, row_standardise(distance_band_weights(c, b2.tried_m[k], false)));
        CHECK(b2.z[k] == doctest::Approx(gm.z).epsilon(1e-9));
    }
    CHECK(std::find(b2.tried_m.begin(), b2.tried_m.end(), b2.distance_m) != b2.tried_m.end());
    // Gi* without a distance uses (and reports) the rule.
    const auto gi = gi_star_points(c, v);
    CHECK(gi.distance_m == doctest::Approx(dmax));
    CHECK(gi.distance_rule.find("min-one-neighbour") != std::string::npos);
}

TEST_CASE("progress is reported and cancellation throws") {
    UnitCentroids c;
    std::vector<double> v;
    for (int i = 0; i < 9000; ++i) {
        c.x.push_back(i % 100);
        c.y.push_back(i / 100);
        v.push_back(i % 7);
    }
    int calls = 0;
    Progress count([&](double f, std::string_view) {
        CHECK(f >= 0);
        CHECK(f <= 1);
        ++calls;
        return true;
    });
    GiStarParams p;
    p.distance_m = 2;
    gi_star_points(c, v, p, count);
    CHECK(calls > 2);
    Progress cancel([](double, std::string_view) { return false; });
    CHECK_THROWS_AS(gi_star_points(c, v, p, cancel), Cancelled);
    GridSpec grid;
    grid.width = 100;
    grid.height = 90;
    CHECK_THROWS_AS(gi_star_fishnet(grid, v, {}, p, cancel), Cancelled);
    CHECK_THROWS_AS(local_moran(v, distance_band_weights(c, 1, false), {}, cancel), Cancelled);
}

TEST_CASE("bad input is reported") {
    UnitCentroids c{{0, 1, 2}, {0, 0, 0}};
    GiStarParams p;
    p.distance_m = 1;
    CHECK_THROWS_AS(gi_star_points(c, std::vector<double>{1, NAN, 2}, p), GeoError);
    CHECK_THROWS_AS(gi_star_points(c, std::vector<double>{1, 2}, p), GeoError);
    CHECK_THROWS_AS(emerging_hot_spots(c, std::vector<double>{1, 2, 3, 4}), GeoError);
    const auto flat = gi_star_points(c, std::vector<double>{2, 2, 2}, p);
    CHECK(std::isnan(flat.z[0]));
    CHECK(!flat.warnings.empty());
}

// ------------------------------------------------------------------------------------------------
// Honest defaults (issue #13): permutation inference, FDR feasibility, study area, band outliers.

namespace {
// Exact conditional-permutation null of a binary-weight Gi* numerator by enumerating every m-subset
// of the other n-1 values: returns (#subsets with sum >= obs, #with sum <= obs, #subsets).
std::array<double, 3> enumerate_null(const std::vector<double>& x, size_t self, size_t m, double obs) {
    std::vector<double> others;
    for (size_t j = 0; j < x.size(); ++j)
        if (j != self) others.push_back(x[j]);
    std::vector<int> pick(others.size(), 0);
    std::fill(pick.end() - static_cast<long>(m), pick.end(), 1);
    double ge = 0, le = 0, total = 0;
    do {
        double s = 0;
        for (size_t j = 0; j < others.size(); ++j)
            if (pick[j]) s += others[j];
        ge += s >= obs - 1e-9;
        le += s <= obs + 1e-9;
        total += 1;
    } while (std::next_permutation(pick.begin(), pick.end()));
    return {ge, le, total};
}
} // namespace

TEST_CASE("Gi* permutation p-values match an exact enumeration of the conditional null (tiny fixture)") {
    // 4 x 3 fishnet of zero-inflated integer counts (ties everywhere), band = 1 cell (rook, m <= 4).
    // Two-sided pseudo p estimates 2 min(P(S >= obs), P(S <= obs)) under the conditional null (all
    // C(n-1, m) neighbour sets equally likely): with 200,000 permutations the Monte Carlo SE is
    // < 0.0023, so 0.012 is over 5 SE.
    GridSpec g;
    g.xmin = 0;
    g.ymax = 3000;
    g.cell = 1000;
    g.width = 4;
    g.height = 3;
    const std::vector<double> x = {0, 0, 1, 5, 0, 2, 7, 9, 0, 0, 3, 0};
    GiStarParams p;
    p.distance_m = 1000;
    p.permutations = 199999;
    const GiStarResult r = gi_star_fishnet(g, x, {}, p);
    const UnitCentroids c = fishnet_centroids(g);
    const GiStarResult rg = gi_star_points(c, x, p); // general-weights path (equal weights -> grouped)
    REQUIRE(r.p_perm.size() == 12);
    for (size_t i = 0; i < 12; ++i) {
        std::vector<size_t> nb;
        for (size_t j = 0; j < 12; ++j)
            if (j != i && std::hypot(c.x[i] - c.x[j], c.y[i] - c.y[j]) <= 1000 + 1e-6) nb.push_back(j);
        double obs = 0;
        for (size_t j : nb) obs += x[j];
        const auto [ge, le, total] = enumerate_null(x, i, nb.size(), obs);
        const double exact = std::min(1.0, 2 * std::min(ge, le) / total);
        CAPTURE(i);
        CHECK(std::fabs(r.p_perm[i] - exact) <= 0.012);
        CHECK(std::fabs(rg.p_perm[i] - exact) <= 0.012);
    }
    // Seeded: the same seed gives the same p-values.
    const GiStarResult r2 = gi_star_fishnet(g, x, {}, p);
    CHECK(r2.p_perm == r.p_perm);
}

TEST_CASE("FDR feasibility of a permutation test equals its closed form and BH itself") {
    // The case: 999 permutations, FDR over 4,015 units, alpha 0.05. Smallest two-sided pseudo
    // p = 2/1000; BH rejects k tied units at p iff p <= k alpha / n, so k >= 0.002 * 4015 / 0.05 = 160.6.
    const PermutationPlan a = plan_permutations(4015, 0.05, true, 2, 999);
    CHECK(min_pseudo_p(999, 2) == doctest::Approx(0.002));
    CHECK(a.min_cluster == 161);
    CHECK(a.possible);
    CHECK(a.needed == 160599); // 2 / (P + 1) * 4015 <= 0.05  <=>  P + 1 >= 160600
    CHECK(a.warning.find("at least 161 units") != std::string::npos);
    // BH itself (stats::bh_adjust): 160 units at the minimum p are not enough, 161 are.
    for (size_t k : {size_t(160), size_t(161)}) {
        std::vector<double> pv(4015, 1.0);
        std::fill(pv.begin(), pv.begin() + static_cast<long>(k), 0.002);
        const auto q = stats::bh_adjust(pv);
        CHECK((q[0] <= 0.05) == (k >= a.min_cluster));
    }
    // Auto: raised to exactly the closed form, and it is the smallest P that works.
    const PermutationPlan b = plan_permutations(4015, 0.05, true, 2, 0);
    CHECK(b.raised);
    CHECK_FALSE(b.capped);
    CHECK(b.permutations == 160599);
    CHECK(min_pseudo_p(b.permutations, 2) * 4015 <= 0.05 + 1e-15);
    CHECK(min_pseudo_p(b.permutations - 1, 2) * 4015 > 0.05);
    CHECK(b.warning.empty());
    // LISA's folded one-sided p: 1 / (P + 1) * n <= alpha.
    CHECK(plan_permutations(4015, 0.05, true, 1, 0).permutations == 80299);
    // Without FDR the default stays at 999; above the cap the plan says so.
    CHECK(plan_permutations(4015, 0.05, false, 2, 0).permutations == 999);
    const PermutationPlan c = plan_permutations(20000, 0.05, true, 2, 0);
    CHECK(c.capped);
    CHECK(c.permutations == kMaxAutoPermutations);
    CHECK_FALSE(c.warning.empty());
    // Impossible: 19 permutations give p >= 0.1 > alpha, with or without FDR.
    const PermutationPlan d = plan_permutations(100, 0.05, true, 2, 19);
    CHECK_FALSE(d.possible);
    CHECK(d.warning.find("impossible") != std::string::npos);
    CHECK_FALSE(plan_permutations(100, 0.05, false, 2, 19).possible);
}

TEST_CASE("Gi* permutations on ~4,000 zero-inflated units stay fast (grouped null samples)") {
    // 64 x 64 cells, 85% zeros: the units share few (neighbour count, value) groups, so even the
    // FDR-feasible 163,839 permutations need only a few hundred null samples.
    GridSpec g;
    g.xmin = 0;
    g.ymax = 64000;
    g.cell = 1000;
    g.width = 64;
    g.height = 64;
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0, 1);
    std::geometric_distribution<int> geo(0.3);
    std::vector<double> x(g.size());
    for (auto& v : x) v = u(rng) < 0.85 ? 0 : 1 + geo(rng);
    GiStarParams p;
    p.distance_m = 1000;
    p.permutations = plan_permutations(x.size(), 0.05, true, 2, 0).permutations;
    p.fdr = true;
    const auto t0 = std::chrono::steady_clock::now();
    const GiStarResult r = gi_star_fishnet(g, x, {}, p);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE(p.permutations << " permutations on " << x.size() << " units: " << s << " s");
    CHECK(r.p_perm.size() == x.size());
    CHECK(s < 20); // generous for sanitizer builds; ~0.5 s in release
}

TEST_CASE("study-area rule on a small grid, checked by hand") {
    // 4 x 4 fishnet of 10 km cells; the "land" polygon covers x in [0, 20 km] (the two western
    // columns' centres at 5 and 15 km). Events in cells 3 (row 0, col 3: sea) and 5 (land).
    GridSpec g;
    g.xmin = 0;
    g.ymax = 40000;
    g.cell = 10000;
    g.width = 4;
    g.height = 4;
    VectorLayer land;
    land.type = GeomType::Polygon;
    land.fields = {"iso_a3"};
    Feature f;
    f.geom.type = GeomType::Polygon;
    f.geom.polygons.push_back(Polygon{{Ring{{0, 0}, {20000, 0}, {20000, 40000}, {0, 40000}, {0, 0}}}});
    f.attrs = {std::string("AAA")};
    land.features.push_back(f);
    const PolygonIndex idx(land);
    std::vector<double> counts(16, 0.0);
    counts[3] = 2;
    counts[5] = 1;
    const UnitCentroids c = fishnet_centroids(g);
    StudyArea sa;
    sa.mode = StudyAreaMode::Polygons;
    sa.polygons = &idx;
    sa.label = "AAA";
    const StudyAreaSelection s = select_study_area(c, counts, sa);
    // By hand: columns 0 and 1 of every row (8 cells) + cell 3.
    const std::vector<uint8_t> want = {1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0};
    CHECK(s.keep == want);
    CHECK(s.in_area == 8);
    CHECK(s.events_only == 1);
    CHECK(s.left_out == 7);
    CHECK(s.rule.find("AAA") != std::string::npos);
    sa.mode = StudyAreaMode::NonEmpty;
    CHECK(select_study_area(c, counts, sa).keep == std::vector<uint8_t>{0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    sa.mode = StudyAreaMode::All;
    CHECK(select_study_area(c, counts, sa).left_out == 0);
    // Selecting countries by code; a missing code is named.
    CHECK(select_features(land, "iso_a3", {"AAA"}).features.size() == 1);
    CHECK_THROWS_WITH_AS(select_features(land, "iso_a3", {"AAA", "ZZZ"}), doctest::Contains("ZZZ"), GeoError);
    // Masked Gi* mean/S come from the kept cells only.
    std::vector<double> vals(16, 0.0);
    vals[3] = 2, vals[5] = 1;
    GiStarParams p;
    p.distance_m = 10000;
    const GiStarResult r = gi_star_fishnet(g, vals, want, p);
    CHECK(r.n == 9);
    CHECK(r.mean == doctest::Approx(3.0 / 9));
}

TEST_CASE("an automatic band set by one outlier warns and names the isolated unit") {
    UnitCentroids c;
    for (int r = 0; r < 5; ++r)
        for (int k = 0; k < 5; ++k) c.x.push_back(k * 10000.0), c.y.push_back(r * 10000.0);
    std::vector<double> v(25, 1.0);
    v[0] = 3;
    const BandChoice regular = choose_distance_band(c, v, BandRule::MinOneNeighbor);
    CHECK(regular.median_nn_m == doctest::Approx(10000));
    CHECK(regular.warning.empty());
    CHECK(regular.far_units.empty());
    c.x.push_back(140000), c.y.push_back(20000); // 100 km east of the grid's edge
    v.push_back(1);
    const BandChoice b = choose_distance_band(c, v, BandRule::MinOneNeighbor);
    CHECK(b.distance_m == doctest::Approx(100000));
    CHECK(b.median_nn_m == doctest::Approx(10000));
    CHECK(b.far_units == std::vector<int32_t>{25});
    CHECK(b.warning.find("--knn") != std::string::npos);
    CHECK(b.warning.find("10.0 times") != std::string::npos);
    const GiStarResult r = gi_star_points(c, v, {});
    CHECK(std::any_of(r.warnings.begin(), r.warnings.end(), [](auto& w) { return w.find("isolated") != std::string::npos; }));
}

TEST_CASE("emerging hot spots refuse fewer than 10 time steps") {
    UnitCentroids u;
    for (int i = 0; i < 9; ++i) u.x.push_back((i % 3) * 1000.0), u.y.push_back((i / 3) * 1000.0);
    for (size_t T : {size_t(1), size_t(9)}) {
        std::vector<double> counts(9 * T, 0.0);
        counts[4] = 3;
        CHECK_THROWS_WITH_AS(emerging_hot_spots(u, counts), doctest::Contains("at least 10"), GeoError);
    }
    std::vector<double> counts(9 * 10, 0.0);
    counts[4] = 3, counts[50] = 2;
    CHECK(emerging_hot_spots(u, counts).n_steps == 10);
}

// The bundled real UCDP GED 24.1 events (data/real, always present): 2017-2023 precise events on a
// 50 km fishnet. Every event lands in exactly one cell, and the busiest cell, in the Liptako-Gourma
// (Mali-Burkina-Niger border area), is a 99% Gi* hot spot.
TEST_CASE("real data: fishnet Gi* on UCDP GED 2017-2023 puts the busiest cell in a hot spot") {
    auto lr = nexusmap::load_events_csv(std::string(NEXUSMAP_SOURCE_DIR) + "/data/real/ucdp_ged241_uemoa6.csv");
    EventTable ev = std::move(lr.events);
    std::vector<bool> keep(ev.size());
    for (size_t i = 0; i < ev.size(); ++i)
        keep[i] = ev.day[i] >= days_from_civil(2017, 1, 1) && ev.day[i] <= days_from_civil(2023, 12, 31) &&
                  ev.precision[i] >= 1 && ev.precision[i] <= 2;
    ev = ev.subset(keep);
    REQUIRE(ev.size() > 1000);
    project_events(ev, Crs::default_analysis());
    BBox b = BBox::inverted();
    for (size_t i = 0; i < ev.size(); ++i) b.expand(ev.x[i], ev.y[i]);
    const GridSpec g = GridSpec::covering(b, 50'000);
    const auto a = fishnet_aggregate(g, ev.x, ev.y);
    CHECK(a.inside == ev.size());
    CHECK(std::accumulate(a.value.begin(), a.value.end(), 0.0) == double(ev.size()));
    GiStarParams p;
    p.distance_m = 100'000;
    const auto gi = gi_star_fishnet(g, a.value, {}, p);
    const size_t top = size_t(std::max_element(a.value.begin(), a.value.end()) - a.value.begin());
    double cx = g.xmin + (double(top % size_t(g.width)) + 0.5) * g.cell, cy = g.ymax - (double(top / size_t(g.width)) + 0.5) * g.cell;
    Transformer(Crs::default_analysis(), Crs::wgs84()).forward(&cx, &cy, 1);
    MESSAGE("busiest cell " << a.value[top] << " events at " << cx << "E " << cy << "N, Gi* z " << gi.z[top]);
    CHECK(gi.bin[top] == 3);
    CHECK(cx > -6);
    CHECK(cx < 4);
    CHECK(cy > 11);
    CHECK(cy < 17);
}
