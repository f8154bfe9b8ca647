// Tests for nexusmap/stats.hpp against hand-worked and brute-force values.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "nexusmap/stats.hpp"

using namespace nexusmap::stats;

TEST_CASE("normal distribution helpers") {
    // Reference values from standard tables (to the digits shown); tolerance 1e-12.
    CHECK(normal_cdf(0) == doctest::Approx(0.5).epsilon(1e-15));
    CHECK(normal_cdf(1.96) == doctest::Approx(0.9750021048517795).epsilon(1e-12));
    CHECK(normal_cdf(-1) == doctest::Approx(0.15865525393145707).epsilon(1e-12));
    CHECK(p_two_sided(1.959963984540054) == doctest::Approx(0.05).epsilon(1e-12));
    CHECK(p_two_sided(-2.5758293035489) == doctest::Approx(0.01).epsilon(1e-12));
    CHECK(normal_sf(10) == doctest::Approx(7.61985302416047e-24).epsilon(1e-10)); // far tail keeps precision
    CHECK(normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-13));
    CHECK(normal_quantile(0.95) == doctest::Approx(1.6448536269514722).epsilon(1e-13));
    CHECK(normal_quantile(0.5) == doctest::Approx(0.0));
    // Round trip over the range, including the tails: |Phi(Phi^-1(p)) - p| <= 1e-14 relative.
    for (double p : {1e-12, 1e-6, 0.001, 0.02, 0.3, 0.7, 0.98, 0.999999})
        CHECK(normal_cdf(normal_quantile(p)) == doctest::Approx(p).epsilon(1e-13));
    CHECK(std::isnan(normal_quantile(1.5)));
    CHECK(std::isnan(p_two_sided(NAN)));
}

TEST_CASE("median") {
    CHECK(median({3, 1, 2}) == 2);
    CHECK(median({4, 1, 3, 2}) == 2.5);
    CHECK(median({NAN, 5, 1}) == 3);
    CHECK(std::isnan(median({})));
}

// Independent O(n^2) S and tie-corrected variance, written out from the definitions.
static void mk_brute(const std::vector<double>& y, double& s, double& var) {
    const size_t n = y.size();
    s = 0;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) s += (y[j] > y[i]) - (y[j] < y[i]);
    var = double(n) * (n - 1) * (2.0 * n + 5);
    std::vector<bool> seen(n, false);
    for (size_t i = 0; i < n; ++i) {
        if (seen[i]) continue;
        double t = 0;
        for (size_t j = i; j < n; ++j)
            if (y[j] == y[i]) {
                seen[j] = true;
                ++t;
            }
        var -= t * (t - 1) * (2 * t + 5);
    }
    var /= 18;
}

TEST_CASE("Mann-Kendall: worked example with a tie") {
    // "A Mann-Kendall Example (By Hand)", D. Little, College of the Holy Cross (Montserrat course
    // notes, mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt):
    // 14 values with one tied pair (12.9). By hand: 72 increases, 18 decreases, 1 tie -> S = 54;
    // Var = 14*13*33/18 - 2*1*9/18 = 333.667 - 1 = 332.667; Z = (S-1)/sqrt(Var) = 2.9058;
    // one-sided p ~ 0.0018 (two-sided ~ 0.0037).
    const std::vector<double> y = {12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7};
    const auto r = mann_kendall(y);
    CHECK(r.n == 14);
    CHECK(r.s == 54);
    CHECK(r.ties == 1);
    CHECK(r.var_s == doctest::Approx(14.0 * 13 * 33 / 18 - 2.0 * 1 * 9 / 18).epsilon(1e-14));
    CHECK(r.z == doctest::Approx(2.9058).epsilon(1e-4)); // 4 digits as printed in the source
    CHECK(r.z == doctest::Approx(53 / std::sqrt(332.0 + 2.0 / 3)).epsilon(1e-14));
    CHECK(r.p / 2 == doctest::Approx(0.0018).epsilon(0.05)); // source's table value, 2 digits
    CHECK(r.tau == doctest::Approx(54.0 / 91).epsilon(1e-14));
}

TEST_CASE("Mann-Kendall: brute force on random series with heavy ties, NaN skipped") {
    std::mt19937_64 g(7);
    std::uniform_int_distribution<int> v(0, 5);
    for (int rep = 0; rep < 20; ++rep) {
        std::vector<double> y(5 + rep * 3);
        for (double& a : y) a = v(g);
        double s, var;
        mk_brute(y, s, var);
        auto r = mann_kendall(y);
        CHECK(r.s == s);
        CHECK(r.var_s == doctest::Approx(var).epsilon(1e-14));
        const double z = s > 0 ? (s - 1) / std::sqrt(var) : s < 0 ? (s + 1) / std::sqrt(var) : 0;
        CHECK(r.z == doctest::Approx(z).epsilon(1e-14));
        CHECK(r.p == doctest::Approx(2 * (1 - normal_cdf(std::fabs(z)))).epsilon(1e-12));
        // NaNs are dropped, not counted.
        std::vector<double> y2 = y;
        y2.insert(y2.begin() + 2, NAN);
        auto r2 = mann_kendall(y2);
        CHECK(r2.s == r.s);
        CHECK(r2.n == y.size());
    }
    // Strictly decreasing: S = -n(n-1)/2, tau = -1.
    const std::vector<double> dec = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    auto d = mann_kendall(dec);
    CHECK(d.s == -45);
    CHECK(d.tau == -1);
    CHECK(d.z < -3.5);
    // Constant series: no variance, z = 0, p = 1.
    auto c = mann_kendall(std::vector<double>(6, 2.0));
    CHECK(c.z == 0);
    CHECK(c.p == 1);
}

TEST_CASE("Mann-Kendall: hand-worked series with two tie groups") {
    // y = 1 3 2 3 3 4 2 (n = 7). Signs of y_j - y_i for j > i, row by row:
    //   1: + + + + + +   (6 up)
    //   3: - 0 0 + -     (1 up, 2 down, 2 ties)
    //   2: + + + 0       (3 up, 1 tie)
    //   3: 0 + -         (1 up, 1 down, 1 tie)
    //   3: + -           (1 up, 1 down)
    //   4: -             (1 down)
    // S = 12 - 5 = 7 over 21 pairs (4 tied). Tie groups: three 3s (t = 3), two 2s (t = 2).
    // Var(S) = [7*6*19 - 3*2*11 - 2*1*9] / 18 = (798 - 66 - 18) / 18 = 714/18 = 39.6667
    // z = (S - 1)/sqrt(Var) = 6 / 6.29815 = 0.952660; tau = 7/21.
    const std::vector<double> y = {1, 3, 2, 3, 3, 4, 2};
    const auto r = mann_kendall(y);
    CHECK(r.s == 7);
    CHECK(r.ties == 2);
    CHECK(r.var_s == doctest::Approx(714.0 / 18).epsilon(1e-14));
    CHECK(r.z == doctest::Approx(6 / std::sqrt(714.0 / 18)).epsilon(1e-14));
    CHECK(r.z == doctest::Approx(0.952660).epsilon(1e-6));
    CHECK(r.tau == doctest::Approx(7.0 / 21).epsilon(1e-14));
}

TEST_CASE("Mann-Kendall: values equal in exact arithmetic but not in floating point are ties") {
    // The series above / 10, each tied value computed along a different path (issue #13: space-time
    // Gi* z-values equal in exact arithmetic differed by ~4e-16 and were counted as rises/falls).
    const double a3 = 0.3, b3 = 0.1 * 3, c3 = 0.1 + 0.2, a2 = 0.2, b2 = 0.7 - 0.5;
    REQUIRE(a3 != b3); // the test only means something if the inputs really differ
    REQUIRE(a2 != b2);
    REQUIRE(b3 - a3 < 1e-15);
    const std::vector<double> y = {0.1, a3, a2, b3, c3, 0.4, b2};
    const auto r = mann_kendall(y);
    CHECK(r.s == 7);
    CHECK(r.ties == 2);
    CHECK(r.var_s == doctest::Approx(714.0 / 18).epsilon(1e-14));

    // Against the exact-arithmetic brute force: integer series with heavy ties, every value scaled
    // by 1 + k*2^-52 (k in -3..3), i.e. a few ulps of noise on each copy of a tied value.
    std::mt19937_64 g(11);
    std::uniform_int_distribution<int> v(-4, 4), k(-3, 3);
    for (int rep = 0; rep < 30; ++rep) {
        std::vector<double> exact(6 + rep), noisy;
        for (double& e : exact) e = v(g) * 1.7;
        for (double e : exact) noisy.push_back(e * (1 + k(g) * 0x1.0p-52));
        double s, var;
        mk_brute(exact, s, var);
        const auto rn = mann_kendall(noisy);
        CHECK(rn.s == s);
        CHECK(rn.var_s == doctest::Approx(var).epsilon(1e-14));
    }
    // Real differences well above the tolerance still count.
    const auto d = mann_kendall(std::vector<double>{1.0, 1.0 + 1e-6, 1.0 + 2e-6});
    CHECK(d.s == 3);
    CHECK(d.ties == 0);
}

// Issue #13: lead-lag printed r = 7.73e-19 for series uncorrelated in exact arithmetic.
TEST_CASE("pearson: exactly 0 when the cross products cancel in exact arithmetic") {
    // Exact (rational) arithmetic on these doubles gives sum (x - mx)(y - my) = 0; the floating
    // point sum is -3.5e-18 (found by a search with Python fractions).
    const std::vector<double> x = {0.1, 0.7, 0.3, 0.7, 0.3, 0.3}, y = {0.3, 0.3, 0.2, 0.2, 0.2, 0.2};
    double mx = 0, my = 0, sxy = 0;
    for (size_t i = 0; i < 6; ++i) mx += x[i], my += y[i];
    mx /= 6, my /= 6;
    for (size_t i = 0; i < 6; ++i) sxy += (x[i] - mx) * (y[i] - my);
    REQUIRE(sxy != 0); // the naive sum really leaves round-off
    CHECK(pearson(x, y) == 0.0);
    // Ordinary data is untouched (Python statistics.correlation gives 0.6961696279091428).
    const std::vector<double> a = {1, 2, 3, 4, 5, 6}, b = {3, 1, 4, 1, 5, 9};
    CHECK(pearson(a, b) == doctest::Approx(0.6961696279091428).epsilon(1e-14));
}

TEST_CASE("Theil-Sen: known slope with outliers") {
    // y = 2x + 1 for x = 0..19, three gross outliers. 136 of the 190 pairwise slopes come from clean
    // pairs and equal 2 exactly, so the median must be exactly 2 (and the joint intercept 1).
    std::vector<double> x(20), y(20);
    for (int i = 0; i < 20; ++i) {
        x[i] = i;
        y[i] = 2 * i + 1;
    }
    y[3] = 500;
    y[11] = -300;
    y[17] = 1e4;
    auto r = theil_sen(x, y);
    CHECK(r.n_slopes == 190);
    CHECK(r.slope == 2);
    CHECK(r.intercept == 1);
    CHECK(r.slope_lo <= 2);
    CHECK(r.slope_hi >= 2);

    // Exact line: every slope equal, so is the interval.
    std::vector<double> line = {5, 4.5, 4, 3.5, 3, 2.5};
    auto l = theil_sen(line);
    CHECK(l.slope == -0.5);
    CHECK(l.intercept == 5);
    CHECK(l.slope_lo == -0.5);
    CHECK(l.slope_hi == -0.5);
}

TEST_CASE("Theil-Sen confidence interval follows Gilbert (1987)") {
    // Independent recomputation: sorted slopes, C = z_{0.975} sqrt(Var S), M1 = (N'-C)/2,
    // M2 = (N'+C)/2 rounded; bounds = M1-th and (M2+1)-th smallest (1-based).
    std::mt19937_64 g(11);
    std::normal_distribution<double> e(0, 3);
    std::vector<double> y(30);
    for (int i = 0; i < 30; ++i) y[i] = 0.7 * i + std::round(e(g)); // rounded: ties in y
    std::vector<double> sl;
    for (int i = 0; i < 30; ++i)
        for (int j = i + 1; j < 30; ++j) sl.push_back((y[j] - y[i]) / (j - i));
    std::sort(sl.begin(), sl.end());
    double s, var;
    mk_brute(y, s, var);
    const double C = 1.959963984540054 * std::sqrt(var);
    const long m1 = std::lround((sl.size() - C) / 2), m2 = std::lround((sl.size() + C) / 2);
    auto r = theil_sen(y, 0.05);
    CHECK(r.slope == doctest::Approx((sl[217] + sl[217]) / 2)); // 435 slopes: the 218th is the median
    CHECK(r.slope_lo == sl[m1 - 1]);
    CHECK(r.slope_hi == sl[m2]);
    CHECK(r.slope_lo < r.slope);
    CHECK(r.slope_hi > r.slope);
    CHECK(r.slope == doctest::Approx(0.7).epsilon(0.15));
}

TEST_CASE("Benjamini-Hochberg: the 15 p-values of Benjamini & Hochberg (1995)") {
    // BH 1995 §4 example: at q = 0.05 the first four hypotheses are rejected.
    // Adjusted p by hand, q_(k) = min_{j>=k} 15 p_(j) / j:
    //  k=1 .0015  2 .003  3 .0095  4 .035625  5 .0603  6,7 min(.0695, .063857) = .063857
    //  8 .0645  9 .0765  10 .486  11 .581182  12 .714875  13 .753231  14 .813214  15 1
    const std::vector<double> sorted = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                                        0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
    const std::vector<double> expect = {0.0015, 0.003,    0.0095,   0.035625, 0.0603,   0.063857142857, 0.063857142857,
                                        0.0645, 0.0765,   0.486,    0.58118181818, 0.714875, 0.75323076923,
                                        0.81321428571, 1.0};
    // Shuffle the input so the order handling is exercised.
    std::vector<size_t> perm(15);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), std::mt19937(3));
    std::vector<double> p(15);
    for (size_t i = 0; i < 15; ++i) p[i] = sorted[perm[i]];
    const auto q = bh_adjust(p);
    const auto sig = bh_significant(p, 0.05);
    for (size_t i = 0; i < 15; ++i) {
        CHECK(q[i] == doctest::Approx(expect[perm[i]]).epsilon(1e-9));
        CHECK(bool(sig[i]) == (perm[i] < 4));
    }
    // NaN p-values are left out of m and stay NaN.
    auto qn = bh_adjust(std::vector<double>{0.01, NAN, 0.04});
    CHECK(qn[0] == doctest::Approx(0.02));
    CHECK(std::isnan(qn[1]));
    CHECK(qn[2] == doctest::Approx(0.04));
}

TEST_CASE("Pearson correlation") {
    // x = 1..5, y = 2,4,5,4,5: Sxy = 6, Sxx = 10, Syy = 6 -> r = 6/sqrt(60) = 0.7745966692.
    CHECK(pearson(std::vector<double>{1, 2, 3, 4, 5}, std::vector<double>{2, 4, 5, 4, 5}) ==
          doctest::Approx(6 / std::sqrt(60.0)).epsilon(1e-14));
    CHECK(pearson(std::vector<double>{1, 2, 3}, std::vector<double>{-2, -4, -6}) == doctest::Approx(-1));
    CHECK(pearson(std::vector<double>{1, 2, NAN, 3}, std::vector<double>{1, 2, 100, 3}) == doctest::Approx(1));
    CHECK(std::isnan(pearson(std::vector<double>{1, 1, 1}, std::vector<double>{1, 2, 3})));
}

TEST_CASE("seeded RNG is reproducible and unbiased enough") {
    Rng a(42), b(42), c(43);
    for (int i = 0; i < 10; ++i) {
        const auto x = a.next();
        CHECK(x == b.next());
        CHECK(x != c.next());
    }
    Rng r(1);
    std::vector<int> hist(7, 0);
    for (int i = 0; i < 70000; ++i) {
        const auto k = r.below(7);
        REQUIRE(k < 7);
        ++hist[k];
    }
    for (int h : hist) CHECK(std::abs(h - 10000) < 500); // ~5 sigma
    std::vector<int> v(50);
    std::iota(v.begin(), v.end(), 0);
    r.shuffle(std::span<int>(v));
    CHECK(std::set<int>(v.begin(), v.end()).size() == 50);
    const double u = r.uniform();
    CHECK(u >= 0);
    CHECK(u < 1);
}
