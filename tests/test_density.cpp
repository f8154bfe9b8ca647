// Kernel density: closed-form peaks, mass = weight total, exact path == brute force, FFT path
// within 1e-3 of the peak, QGIS comparison units, cell placement by the geotransform.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "nexusmap/density.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/precision.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace {
constexpr double kPi = 3.14159265358979323846;
const Kernel kAll[] = {Kernel::Quartic, Kernel::Triangular, Kernel::Uniform, Kernel::Triweight, Kernel::Epanechnikov,
                       Kernel::Gaussian};

struct Pts {
    std::vector<double> x, y;
    std::vector<float> w;
};
Pts random_points(size_t n, double span, unsigned seed, bool weighted) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, span);
    std::uniform_real_distribution<float> uw(0.5f, 3.0f);
    Pts p;
    for (size_t i = 0; i < n; ++i) {
        p.x.push_back(u(rng));
        p.y.push_back(u(rng));
        p.w.push_back(weighted ? uw(rng) : 1.0f);
    }
    return p;
}
} // namespace

TEST_CASE("kernel_value integrates to 1 (numerical quadrature in polar coordinates, 1e-6)") {
    for (Kernel k : kAll) {
        const double h = 1000;
        const double R = kernel_support(k, h);
        const int n = 200000;
        double s = 0;
        for (int i = 0; i < n; ++i) {
            double r = (i + 0.5) * R / n;
            s += kernel_value(k, r, h) * 2 * kPi * r * (R / n);
        }
        CAPTURE(kernel_name(k));
        CHECK(s == doctest::Approx(1.0).epsilon(1e-6));
    }
}

TEST_CASE("a single point's peak equals each kernel's closed form (per km^2, 1e-6 relative)") {
    // Point at the centre of cell (10, 10) of a 1 km grid; bandwidth 5 km.
    const double h_km = 5;
    GridSpec g;
    g.xmin = 0, g.ymax = 21'000, g.cell = 1000, g.width = 21, g.height = 21;
    std::vector<double> x{10'500}, y{10'500};
    // Closed forms K(0) = c / h^2 with c: quartic 3/pi, triangular 3/pi, uniform 1/pi,
    // triweight 4/pi, epanechnikov 2/pi, gaussian 1/(2 pi (1 - e^-8)) (truncated at 4 sd).
    const std::pair<Kernel, double> cases[] = {
        {Kernel::Quartic, 3 / kPi},    {Kernel::Triangular, 3 / kPi},   {Kernel::Uniform, 1 / kPi},
        {Kernel::Triweight, 4 / kPi},  {Kernel::Epanechnikov, 2 / kPi}, {Kernel::Gaussian, 1 / (2 * kPi * (1 - std::exp(-8.0)))}};
    for (auto [k, c] : cases) {
        KdeParams p;
        p.kernel = k;
        p.bandwidth_m = h_km * 1000;
        p.cell_m = 1000;
        p.method = KdeMethod::Exact;
        auto r = kernel_density({&x, &y, nullptr}, g, Crs::default_analysis(), p);
        CAPTURE(kernel_name(k));
        CHECK(r.raster.at(10, 10) == doctest::Approx(c / (h_km * h_km)).epsilon(1e-6));
        // and it is the maximum of the surface
        CHECK(r.raster.minmax()[1] == doctest::Approx(r.raster.at(10, 10)));
    }
}

TEST_CASE("density integrates to the weight total when the extent is padded by the bandwidth (0.5%)") {
    auto pts = random_points(400, 200'000, 42, true);
    double wsum = 0;
    for (float w : pts.w) wsum += w;
    for (Kernel k : kAll) {
        KdeParams p;
        p.kernel = k;
        p.bandwidth_m = 20'000;
        p.cell_m = 2'000;
        p.method = KdeMethod::Exact;
        GridSpec g = grid_for_points(pts.x, pts.y, kernel_support(k, p.bandwidth_m), p.cell_m);
        auto r = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
        CAPTURE(kernel_name(k));
        CHECK(r.weight_total == doctest::Approx(wsum).epsilon(1e-6));
        // integral() is in weight per km^2 * m^2: divide by 1e6 m^2 per km^2
        CHECK(r.raster.integral() / 1e6 == doctest::Approx(wsum).epsilon(0.005));
    }
}

TEST_CASE("exact path equals a brute-force loop over every cell and point (1e-9 relative)") {
    auto pts = random_points(150, 60'000, 7, true);
    GridSpec g = grid_for_points(pts.x, pts.y, 12'000, 1'500);
    for (Kernel k : {Kernel::Quartic, Kernel::Gaussian, Kernel::Triangular}) {
        KdeParams p;
        p.kernel = k;
        p.bandwidth_m = 9'000;
        p.cell_m = 1'500;
        p.method = KdeMethod::Exact;
        p.threads = 2;
        auto r = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
        double maxdiff = 0, peak = 0;
        for (int row = 0; row < g.height; ++row)
            for (int col = 0; col < g.width; ++col) {
                const double cx = g.xmin + (col + 0.5) * g.cell, cy = g.ymax - (row + 0.5) * g.cell;
                double s = 0;
                for (size_t i = 0; i < pts.x.size(); ++i)
                    s += pts.w[i] * kernel_value(k, std::hypot(cx - pts.x[i], cy - pts.y[i]), p.bandwidth_m) * 1e6;
                maxdiff = std::max(maxdiff, std::fabs(s - r.raster.at(col, row)));
                peak = std::max(peak, s);
            }
        CAPTURE(kernel_name(k));
        CHECK(maxdiff <= 1e-6 * peak); // float32 storage limits this to ~6e-8 relative
    }
}

TEST_CASE("FFT path: max error <= 1e-3 of the peak vs exact; total mass matches the weights") {
    auto pts = random_points(3000, 300'000, 11, true);
    double wsum = 0;
    for (float w : pts.w) wsum += w;
    for (double ratio : {6.0, 12.5, 40.0}) { // bandwidth / cell
        for (Kernel k : {Kernel::Quartic, Kernel::Epanechnikov, Kernel::Triweight, Kernel::Gaussian}) {
            KdeParams p;
            p.kernel = k;
            p.cell_m = 2'000;
            p.bandwidth_m = ratio * p.cell_m;
            if (k == Kernel::Gaussian) p.bandwidth_m /= 2; // comparable footprint
            if (fft_refinement(k, p.bandwidth_m, p.cell_m, 0.5e-3) == 0) continue;
            GridSpec g = grid_for_points(pts.x, pts.y, kernel_support(k, p.bandwidth_m) + 4'000, p.cell_m);
            p.method = KdeMethod::Exact;
            auto ex = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
            p.method = KdeMethod::Fft;
            auto ff = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
            CHECK(ff.method_used == KdeMethod::Fft);
            double peak = ex.raster.minmax()[1], maxerr = 0;
            for (size_t i = 0; i < ex.raster.data.size(); ++i)
                maxerr = std::max(maxerr, double(std::fabs(ex.raster.data[i] - ff.raster.data[i])));
            std::string kname = kernel_name(k);
            CAPTURE(kname);
            CAPTURE(ratio);
            CAPTURE(maxerr / peak);
            CHECK(maxerr <= 1e-3 * peak);
            // Both paths sample a unit-mass kernel at cell centres: the totals agree with the
            // weights to the sampling error (0.1% here; 1e-6 below for the unrefined case).
            CHECK(ff.raster.integral() / 1e6 == doctest::Approx(wsum).epsilon(1e-3));
        }
    }
}

TEST_CASE("FFT path without refinement preserves mass: integral == sum of weights x discrete kernel mass (1e-6)") {
    auto pts = random_points(2000, 300'000, 13, true);
    KdeParams p;
    p.kernel = Kernel::Quartic;
    p.cell_m = 1'000;
    p.bandwidth_m = 40'000;
    REQUIRE(fft_refinement(p.kernel, p.bandwidth_m, p.cell_m, 0.5e-3) == 1);
    GridSpec g = grid_for_points(pts.x, pts.y, p.bandwidth_m + 3'000, p.cell_m);
    p.method = KdeMethod::Fft;
    auto ff = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
    // Linear binning keeps each point's weight; the convolution then spreads it with the kernel
    // sampled at whole-cell offsets, whose mass is computed here independently.
    double kdisc = 0, wsum = 0;
    const int R = static_cast<int>(std::ceil(p.bandwidth_m / p.cell_m)) + 1;
    for (int dy = -R; dy <= R; ++dy)
        for (int dx = -R; dx <= R; ++dx)
            kdisc += kernel_value(p.kernel, std::hypot(dx * p.cell_m, dy * p.cell_m), p.bandwidth_m) * p.cell_m * p.cell_m;
    for (float w : pts.w) wsum += w;
    CHECK(ff.raster.integral() / 1e6 == doctest::Approx(wsum * kdisc).epsilon(1e-6));
}

TEST_CASE("tiled FFT equals one-tile FFT (1e-6 of the peak, float storage), with points on tile edges and empty tiles exactly zero") {
    // Two clusters far apart on a wide grid: small tiles put many points near tile edges and leave
    // tiles between the clusters with no point in reach, which must come out exactly 0.
    auto a = random_points(400, 120'000, 21, true);
    auto b = random_points(400, 120'000, 22, true);
    Pts pts = a;
    for (size_t i = 0; i < b.x.size(); ++i) {
        pts.x.push_back(b.x[i] + 900'000), pts.y.push_back(b.y[i] + 300'000), pts.w.push_back(b.w[i]);
    }
    KdeParams p;
    p.cell_m = 2'000;
    p.bandwidth_m = 30'000;
    p.method = KdeMethod::Fft;
    GridSpec g = grid_for_points(pts.x, pts.y, 40'000, p.cell_m);
    REQUIRE(g.width > 500);
    p.fft_tile_cells = size_t(1) << 30; // one tile
    auto one = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
    for (int threads : {1, 2, 3}) {
        p.fft_tile_cells = 100 * 100; // tiles of ~100 x 100 transform cells: dozens of tiles
        p.threads = threads;
        auto tiled = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
        const double peak = one.raster.minmax()[1];
        double maxdiff = 0;
        size_t zeros = 0;
        for (size_t i = 0; i < one.raster.data.size(); ++i) {
            maxdiff = std::max(maxdiff, double(std::fabs(one.raster.data[i] - tiled.raster.data[i])));
            zeros += tiled.raster.data[i] == 0.0f;
        }
        CAPTURE(threads);
        CHECK(maxdiff <= 1e-6 * peak); // float32 storage; the transforms agree to ~1e-13
        // Cells beyond the support (+ the binning's reach of one cell diagonal) of every point (brute
        // force) are exactly zero in both, as documented (issue #13: they were ~1e-16 inside the
        // occupancy blocks' square reach); beyond 1.5x the support no block is occupied at all.
        size_t far = 0, far_nonzero = 0, far_one = 0, beyond = 0, beyond_big = 0;
        for (int r = 0; r < g.height; r += 3)
            for (int c = 0; c < g.width; c += 3) {
                double dmin = 1e300;
                for (size_t i = 0; i < pts.x.size(); ++i)
                    dmin = std::min(dmin, std::hypot(g.col_center_x(c) - pts.x[i], g.row_center_y(r) - pts.y[i]));
                if (dmin > p.bandwidth_m + 1.5 * p.cell_m) {
                    ++beyond;
                    beyond_big += tiled.raster.at(c, r) != 0.0f || one.raster.at(c, r) != 0.0f;
                }
                if (dmin > 1.5 * p.bandwidth_m + 2 * p.cell_m) {
                    ++far;
                    far_nonzero += tiled.raster.at(c, r) != 0.0f; far_one += one.raster.at(c, r) != 0.0f;
                }
            }
        CHECK(far > 1000);
        CHECK(far_nonzero == 0);
        CHECK(far_one == 0);
        CHECK(beyond > far);
        CHECK(beyond_big == 0);
        CHECK(zeros > 0);
        double wsum = 0;
        for (float w : pts.w) wsum += w;
        CHECK(tiled.raster.integral() / 1e6 == doctest::Approx(one.raster.integral() / 1e6).epsilon(1e-6));
        CHECK(tiled.raster.integral() / 1e6 == doctest::Approx(wsum).epsilon(1e-3));
    }
}

TEST_CASE("exact path gives the same result on 1, 2 and 5 threads (row blocks sum in point order)") {
    auto pts = random_points(1500, 200'000, 31, true);
    KdeParams p;
    p.cell_m = 2'000;
    p.bandwidth_m = 15'000;
    p.method = KdeMethod::Exact;
    GridSpec g = grid_for_points(pts.x, pts.y, 20'000, p.cell_m);
    p.threads = 1;
    auto r1 = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
    for (int t : {2, 5}) {
        p.threads = t;
        auto rt = kernel_density({&pts.x, &pts.y, &pts.w}, g, Crs::default_analysis(), p);
        CHECK(rt.raster.data == r1.raster.data);
    }
}

TEST_CASE("QGIS comparison units: raw peak is 1 per point; 'scaled' quartic integrates to 7.25") {
    auto pts = random_points(50, 100'000, 3, false);
    KdeParams p;
    p.bandwidth_m = 15'000;
    p.cell_m = 1'000;
    p.method = KdeMethod::Exact;
    GridSpec g = grid_for_points(pts.x, pts.y, p.bandwidth_m, p.cell_m);
    p.units = DensityUnits::QgisScaled;
    auto s = kernel_density({&pts.x, &pts.y, nullptr}, g, Crs::default_analysis(), p);
    // QGIS 3.22's quartic constant 116/(5 pi) * 15/16 times the integral of the shape (pi/3):
    // 116*15/(5*16*3) = 7.25 per point (values are per map unit^2, so integral() is unitless).
    CHECK(s.raster.integral() == doctest::Approx(7.25 * 50).epsilon(0.005));
    std::vector<double> x1{50'500}, y1{50'500};
    GridSpec g1;
    g1.xmin = 0, g1.ymax = 101'000, g1.cell = 1'000, g1.width = 101, g1.height = 101;
    p.units = DensityUnits::QgisRaw;
    auto raw = kernel_density({&x1, &y1, nullptr}, g1, Crs::default_analysis(), p);
    CHECK(raw.raster.at(50, 50) == doctest::Approx(1.0));
}

TEST_CASE("regression: each point's peak sits in the cell its geotransform says (no half-cell shift)") {
    // Points at known cell centres: the maximum must land exactly in that cell, north-south too.
    GridSpec g;
    g.xmin = -50'000, g.ymax = 40'000, g.cell = 5'000, g.width = 20, g.height = 16;
    for (auto [col, row] : {std::pair{3, 2}, std::pair{12, 13}, std::pair{7, 8}}) {
        std::vector<double> x{g.col_center_x(col)}, y{g.row_center_y(row) + 1'000}; // 1 km north of centre, same cell
        KdeParams p;
        p.bandwidth_m = 20'000;
        p.cell_m = 5'000;
        auto r = kernel_density({&x, &y, nullptr}, g, Crs::default_analysis(), p);
        int bc = -1, br = -1;
        float best = -1;
        for (int rr = 0; rr < g.height; ++rr)
            for (int cc = 0; cc < g.width; ++cc)
                if (r.raster.at(cc, rr) > best) best = r.raster.at(cc, rr), bc = cc, br = rr;
        CHECK(bc == col);
        CHECK(br == row);
        auto gt = g.geotransform();
        // the geotransform maps the cell's centre back onto the point's column
        CHECK(gt[0] + (bc + 0.5) * gt[1] == doctest::Approx(x[0]));
    }
}

TEST_CASE("automatic bandwidth: Scott's rule equals sigma * n^(-1/6) computed by hand") {
    // Points on a 10 x 10 lattice with 1 km spacing: var per axis = (10^2 - 1)/12 km^2.
    std::vector<double> x, y;
    for (int i = 0; i < 10; ++i)
        for (int j = 0; j < 10; ++j) x.push_back(i * 1000.0), y.push_back(j * 1000.0);
    const double sigma = std::sqrt(99.0 / 12.0) * 1000.0;
    const double expected = sigma * std::pow(100.0, -1.0 / 6.0);
    CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Scott, Kernel::Gaussian) == doctest::Approx(expected).epsilon(1e-9));
    // Quartic converts the Gaussian sigma to its support with the 2-D canonical factor (2304/5)^(1/6).
    CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Scott, Kernel::Quartic) ==
          doctest::Approx(expected * std::pow(2304.0 / 5, 1.0 / 6)).epsilon(1e-9));
    // Silverman uses min(sd, IQR/1.349); for this lattice IQR (nearest-rank) = 5 km > sd*1.349? sd=2.872 km,
    // IQR/1.349 = 3.706 km, so sd wins and the two rules agree.
    CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Silverman, Kernel::Gaussian) == doctest::Approx(expected).epsilon(1e-9));
}

// Composite 5-point Gauss-Legendre on [a, b] in m pieces (never evaluates the end points, where
// the uniform kernel jumps).
template <class F> static double gauss_legendre(F&& f, double a, double b, int m) {
    static const double xs[5] = {0.0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640, 0.9061798459386640};
    static const double ws[5] = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891};
    double sum = 0;
    const double hstep = (b - a) / m;
    for (int k = 0; k < m; ++k) {
        const double mid = a + (k + 0.5) * hstep;
        for (int q = 0; q < 5; ++q) sum += ws[q] * f(mid + 0.5 * hstep * xs[q]) * 0.5 * hstep;
    }
    return sum;
}

// Issue #13: quartic 2.7779 and triweight 3.1545 were 1-D canonical ratios times (4/3)^(1/5);
// uniform/triangular/epanechnikov were plain 1-D ratios.
TEST_CASE("automatic bandwidth: 2-D canonical factors equal delta0 ratios from numerical R(K), mu2(K)") {
    // delta0(K) = (R(K) / mu2(K)^2)^(1/6) in 2-D (Wand & Jones 1995), with, for a radial kernel,
    //   R(K) = int_0^inf K(r)^2 2 pi r dr,   mu2(K) = int x1^2 K = pi int_0^inf r^3 K(r) dr.
    // Compact kernels: the kernel the code uses (kernel_value, h = 1). Gaussian: the untruncated
    // density written out here (the code's is truncated at 4 sd).
    auto delta0 = [](auto&& K, double support) {
        const double R = gauss_legendre([&](double r) { return K(r) * K(r) * 2 * kPi * r; }, 0, support, 400);
        const double mu2 = gauss_legendre([&](double r) { return kPi * r * r * r * K(r); }, 0, support, 400);
        return std::pow(R / (mu2 * mu2), 1.0 / 6);
    };
    const double dg = delta0([](double r) { return std::exp(-0.5 * r * r) / (2 * kPi); }, 40.0);
    CHECK(dg == doctest::Approx(std::pow(1 / (4 * kPi), 1.0 / 6)).epsilon(1e-12));
    CHECK(canonical_radius_factor(Kernel::Gaussian) == 1.0);
    std::vector<double> x, y;
    for (int i = 0; i < 30; ++i) x.push_back(std::sin(i * 1.3) * 5000), y.push_back(std::cos(i * 0.7) * 3000 + i * 50);
    const double sg = auto_bandwidth(x, y, nullptr, BandwidthRule::Scott, Kernel::Gaussian);
    for (Kernel k : {Kernel::Uniform, Kernel::Triangular, Kernel::Epanechnikov, Kernel::Quartic, Kernel::Triweight}) {
        CAPTURE(kernel_name(k));
        const double ratio = delta0([k](double r) { return kernel_value(k, r, 1.0); }, 1.0) / dg;
        CHECK(canonical_radius_factor(k) == doctest::Approx(ratio).epsilon(1e-6));
        CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Scott, k) == doctest::Approx(sg * ratio).epsilon(1e-6));
        CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Silverman, k) / auto_bandwidth(x, y, nullptr, BandwidthRule::Silverman, Kernel::Gaussian) ==
              doctest::Approx(ratio).epsilon(1e-6));
    }
    // The values quoted in the header and docs.
    CHECK(canonical_radius_factor(Kernel::Uniform) == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(canonical_radius_factor(Kernel::Quartic) == doctest::Approx(2.7792).epsilon(2e-5));
    CHECK(canonical_radius_factor(Kernel::Triweight) == doctest::Approx(3.1154).epsilon(2e-5));
}

namespace {
// Clustered fixture: three tight clusters (sd 1, 2, 4 km), a sparse background over 200 km, a few
// exact duplicates (events geocoded to one place), weights 1..3.
Pts clustered_points() {
    std::mt19937_64 g(99);
    std::normal_distribution<double> nd(0, 1);
    std::uniform_real_distribution<double> u(0, 200'000);
    Pts p;
    const double cx[3] = {40'000, 120'000, 160'000}, cy[3] = {50'000, 150'000, 60'000}, sd[3] = {1000, 2000, 4000};
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < 40; ++i) p.x.push_back(cx[c] + sd[c] * nd(g)), p.y.push_back(cy[c] + sd[c] * nd(g));
    for (int i = 0; i < 20; ++i) p.x.push_back(u(g)), p.y.push_back(u(g));
    for (int i = 0; i < 6; ++i) p.x.push_back(p.x[size_t(i * 7)]), p.y.push_back(p.y[size_t(i * 7)]);
    for (size_t i = 0; i < p.x.size(); ++i) p.w.push_back(float(1 + i % 3));
    return p;
}
} // namespace

TEST_CASE("likelihood cross-validation bandwidth equals a brute-force search over the same grid") {
    const Pts p = clustered_points();
    const size_t n = p.x.size();
    for (const std::vector<float>* w : {static_cast<const std::vector<float>*>(nullptr), &p.w}) {
        CAPTURE(w != nullptr);
        const LcvBandwidth r = lcv_bandwidth(p.x, p.y, w, Kernel::Quartic);
        REQUIRE(r.sigma_grid.size() == 41);
        CHECK(r.n_eval == n);
        // Brute force: every pair, the definition written out in long double.
        double W = 0;
        for (size_t i = 0; i < n; ++i) W += w ? (*w)[i] : 1.0;
        size_t best = 0;
        std::vector<double> brute(r.sigma_grid.size());
        for (size_t t = 0; t < r.sigma_grid.size(); ++t) {
            const long double s = r.sigma_grid[t];
            long double total = 0;
            for (size_t i = 0; i < n; ++i) {
                const long double wi = w ? (*w)[i] : 1.0;
                // log sum_j w_j exp(e_j) = emax + log sum_j w_j exp(e_j - emax): isolated points'
                // terms underflow even a long double at the smallest sigmas.
                std::vector<long double> e;
                for (size_t j = 0; j < n; ++j) {
                    if (j == i) continue;
                    const long double dx = p.x[j] - p.x[i], dy = p.y[j] - p.y[i];
                    e.push_back(-(dx * dx + dy * dy) / (2 * s * s));
                }
                const long double emax = *std::max_element(e.begin(), e.end());
                long double f = 0;
                for (size_t j = 0, k = 0; j < n; ++j) {
                    if (j == i) continue;
                    f += (w ? (*w)[j] : 1.0) * std::exp(e[k++] - emax);
                }
                total += wi * (emax + std::log(f) - std::log(2 * 3.14159265358979323846264338327950288L * s * s) - std::log(W - wi));
            }
            brute[t] = double(total / W);
            CHECK(r.score[t] == doctest::Approx(brute[t]).epsilon(1e-9));
            if (brute[t] > brute[best]) best = t;
        }
        CHECK(r.best == best);
        CHECK(!r.at_edge);
        CHECK(r.sigma_m == r.sigma_grid[best]);
        CHECK(r.radius_m == doctest::Approx(r.sigma_m * canonical_radius_factor(Kernel::Quartic)).epsilon(1e-12));
        // Clustered data: well below the normal reference, which sees one wide blob. (Not down at the
        // clusters' 1-4 km: each isolated background point costs d_nn^2 / (2 sigma^2), which pulls
        // LCV up; we see ~7 km against ~22 km.)
        MESSAGE("LCV sigma " << r.sigma_m << " m, normal reference " << r.normal_reference_sigma_m << " m");
        CHECK(r.sigma_m < r.normal_reference_sigma_m / 2.5);
        CHECK(lcv_score(p.x, p.y, w, r.sigma_m) == doctest::Approx(brute[best]).epsilon(1e-9));
    }
    // The rule reaches kernel_density too.
    KdeParams kp;
    kp.rule = BandwidthRule::Lcv;
    kp.cell_m = 2000;
    kp.use_weights = false;
    const GridSpec g = grid_for_points(p.x, p.y, 20'000, kp.cell_m);
    const auto res = kernel_density({&p.x, &p.y, nullptr}, g, Crs::default_analysis(), kp);
    CHECK(res.bandwidth_m == doctest::Approx(lcv_bandwidth(p.x, p.y, nullptr, Kernel::Quartic).radius_m));
    CHECK(res.raster.metadata.at("bandwidth_rule") == "lcv");
}

TEST_CASE("likelihood cross-validation on one Gaussian blob lands near the normal reference") {
    // For normal data the normal-reference sigma is close to optimal; LCV should agree within ~1.5x.
    std::mt19937_64 g(5);
    std::normal_distribution<double> nd(0, 10'000);
    std::vector<double> x, y;
    for (int i = 0; i < 400; ++i) x.push_back(nd(g)), y.push_back(nd(g));
    const LcvBandwidth r = lcv_bandwidth(x, y, nullptr, Kernel::Gaussian);
    CHECK(!r.at_edge);
    CHECK(r.sigma_m > r.normal_reference_sigma_m / 1.5);
    CHECK(r.sigma_m < r.normal_reference_sigma_m * 1.5);
}

TEST_CASE("median nearest-neighbour distance over distinct locations equals brute force") {
    const Pts p = clustered_points();
    std::vector<std::pair<double, double>> loc;
    for (size_t i = 0; i < p.x.size(); ++i) loc.emplace_back(p.x[i], p.y[i]);
    std::sort(loc.begin(), loc.end());
    loc.erase(std::unique(loc.begin(), loc.end()), loc.end());
    REQUIRE(loc.size() == p.x.size() - 6); // the duplicates are collapsed
    std::vector<double> d;
    for (auto& a : loc) {
        double m = 1e300;
        for (auto& b : loc)
            if (a != b) m = std::min(m, std::hypot(a.first - b.first, a.second - b.second));
        d.push_back(m);
    }
    std::sort(d.begin(), d.end());
    const double med = d.size() % 2 ? d[d.size() / 2] : 0.5 * (d[d.size() / 2 - 1] + d[d.size() / 2]);
    CHECK(median_nn_distance(p.x, p.y) == doctest::Approx(med).epsilon(1e-12));
    CHECK(std::isnan(median_nn_distance({1.0, 1.0}, {2.0, 2.0}))); // one distinct location
}

TEST_CASE("cancellation and bad parameters") {
    auto pts = random_points(20000, 100'000, 5, false);
    GridSpec g = grid_for_points(pts.x, pts.y, 10'000, 500);
    KdeParams p;
    p.bandwidth_m = 10'000;
    p.cell_m = 500;
    p.method = KdeMethod::Exact;
    p.threads = 1;
    CHECK_THROWS_AS(kernel_density({&pts.x, &pts.y, nullptr}, g, Crs::default_analysis(), p,
                                   ProgressFn([](double f, std::string_view) { return f < 0.2; })),
                    Cancelled);
    p.bandwidth_m = -1;
    CHECK_THROWS_AS(kernel_density({&pts.x, &pts.y, nullptr}, g, Crs::default_analysis(), p), GeoError);
    std::vector<float> neg(pts.x.size(), -1.0f);
    p.bandwidth_m = 1000;
    CHECK_THROWS_WITH_AS(kernel_density({&pts.x, &pts.y, &neg}, g, Crs::default_analysis(), p),
                         doctest::Contains("non-negative"), GeoError);
}

TEST_CASE("mask: cells whose centres fall outside the polygons become nodata") {
    std::vector<double> x{5'000}, y{5'000};
    GridSpec g;
    g.xmin = 0, g.ymax = 10'000, g.cell = 1'000, g.width = 10, g.height = 10;
    KdeParams p;
    p.bandwidth_m = 4'000;
    p.cell_m = 1'000;
    auto r = kernel_density({&x, &y, nullptr}, g, Crs::default_analysis(), p);
    VectorLayer mask;
    mask.type = GeomType::Polygon;
    mask.crs = Crs::default_analysis();
    Feature f;
    f.geom.type = GeomType::Polygon;
    f.geom.polygons.push_back({{{{0, 0}, {5'000, 0}, {5'000, 10'000}, {0, 10'000}, {0, 0}}}}); // west half
    mask.features.push_back(f);
    apply_mask(r.raster, mask);
    CHECK_FALSE(r.raster.is_nodata(r.raster.at(4, 5)));
    CHECK(r.raster.is_nodata(r.raster.at(5, 5)));
    CHECK(r.raster.is_nodata(r.raster.at(9, 0)));
}

TEST_CASE("regression: an automatic bandwidth on identical points is refused, not ~0 km") {
    // 50 copies of one projected point: the spread is rounding noise (it gave 2e-13 km).
    std::vector<double> x(50, 123'456.789), y(50, -98'765.4321);
    for (auto rule : {BandwidthRule::Silverman, BandwidthRule::Scott})
        CHECK_THROWS_WITH_AS(auto_bandwidth(x, y, nullptr, rule, Kernel::Quartic), doctest::Contains("have no spread"), GeoError);
    // A real spread of a few metres is still accepted.
    x[0] += 10, y[1] -= 10;
    CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Scott, Kernel::Quartic) > 0);
}

// The bundled real UCDP GED 24.1 events (data/real, always present): the KDE of 2012-2023 events
// integrates to the event count; with --precision spread to the count of events kept or spread
// (where_prec 5 and 7 excluded).
TEST_CASE("real data: UCDP GED KDE mass equals the events kept, with and without precision spread") {
    auto lr = load_events_csv(std::string(NEXUSMAP_SOURCE_DIR) + "/data/real/ucdp_ged241_uemoa6.csv");
    EventTable ev = std::move(lr.events);
    std::vector<bool> keep(ev.size());
    for (size_t i = 0; i < ev.size(); ++i)
        keep[i] = ev.day[i] >= days_from_civil(2012, 1, 1) && ev.day[i] <= days_from_civil(2023, 12, 31);
    ev = ev.subset(keep);
    project_events(ev, Crs::default_analysis());
    const auto l = testutil::basemap_admin_layers();
    PrecisionParams pp;
    pp.spread = true;
    pp.admin0 = &l[0], pp.admin1 = &l[1], pp.admin2 = &l[2];
    const PrecisionResult pr = apply_precision(ev, pp);
    size_t n57 = 0;
    for (auto c : ev.precision) n57 += c == 5 || c == 7;
    CHECK(pr.excluded >= n57); // 5 and 7, plus any outside every polygon (counted)
    CHECK(pr.kept + pr.spread + pr.excluded == ev.size());
    KdeParams p;
    p.bandwidth_m = 50'000;
    p.cell_m = 10'000;
    p.use_weights = true;
    const double pad = kernel_support(p.kernel, p.bandwidth_m);
    const GridSpec g = grid_for_points(ev.x, ev.y, pad, p.cell_m);
    auto all = kernel_density({&ev.x, &ev.y, &ev.weight}, g, Crs::default_analysis(), p);
    CHECK(all.raster.integral() / 1e6 == doctest::Approx(double(ev.size())).epsilon(0.005));
    const EventTable& s = pr.events;
    auto spread = kernel_density({&s.x, &s.y, &s.weight}, g, Crs::default_analysis(), p);
    CHECK(spread.weight_total == doctest::Approx(double(pr.kept + pr.spread)).epsilon(1e-6));
    CHECK(spread.raster.integral() / 1e6 == doctest::Approx(double(pr.kept + pr.spread)).epsilon(0.005));
}
