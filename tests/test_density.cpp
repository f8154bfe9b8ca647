// Kernel density: closed-form peaks, mass = weight total, exact path == brute force, FFT path
// within 1e-3 of the peak, QGIS comparison units, cell placement by the geotransform.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "nexusmap/density.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/precision.hpp"

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
        // force): below 1e-12 of the peak; beyond
        // 1.5x the support (the occupancy blocks' reach), exactly zero in both.
        size_t far = 0, far_nonzero = 0, far_one = 0, beyond = 0, beyond_big = 0;
        for (int r = 0; r < g.height; r += 3)
            for (int c = 0; c < g.width; c += 3) {
                double dmin = 1e300;
                for (size_t i = 0; i < pts.x.size(); ++i)
                    dmin = std::min(dmin, std::hypot(g.col_center_x(c) - pts.x[i], g.row_center_y(r) - pts.y[i]));
                if (dmin > p.bandwidth_m + 1.5 * p.cell_m) {
                    ++beyond;
                    beyond_big += std::max(tiled.raster.at(c, r), one.raster.at(c, r)) > 1e-12 * peak;
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
    // Quartic converts the Gaussian sigma to its support with the canonical factor 2.7779.
    CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Scott, Kernel::Quartic) == doctest::Approx(expected * 2.7779).epsilon(1e-9));
    // Silverman uses min(sd, IQR/1.349); for this lattice IQR (nearest-rank) = 5 km > sd*1.349? sd=2.872 km,
    // IQR/1.349 = 3.706 km, so sd wins and the two rules agree.
    CHECK(auto_bandwidth(x, y, nullptr, BandwidthRule::Silverman, Kernel::Gaussian) == doctest::Approx(expected).epsilon(1e-9));
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
    const std::string gpkg = std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg";
    VectorLayer l[3];
    for (int k = 0; k < 3; ++k) {
        ReadLayerOptions ro;
        ro.layer = "admin" + std::to_string(k);
        l[k] = read_layer(gpkg, ro);
    }
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
