// The viewer's pure logic (no GL, no window): view transform, triangulation, kernel shapes the
// heat shader mirrors, colour scaling, time windows, command line.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "nexusmap/crs.hpp"
#include "nexusmap/density.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "viewer/colormap.hpp"
#include "viewer/display_crs.hpp"
#include "viewer/document.hpp"
#include "viewer/kernel_shapes.hpp"
#include "viewer/layer_mesh.hpp"
#include "viewer/options.hpp"
#include "viewer/provenance_view.hpp"
#include "viewer/time_model.hpp"
#include "viewer/triangulate.hpp"
#include "viewer/view_transform.hpp"

using namespace nexusmap;
using namespace nexusmap::viewer;

namespace {
Ring square(double x0, double y0, double s, bool ccw = true) {
    Ring r = {{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}};
    if (!ccw) std::reverse(r.begin(), r.end());
    return r;
}
Ring circle(double cx, double cy, double rad, int n, bool ccw = true) {
    Ring r;
    for (int i = 0; i <= n; ++i) {
        const double a = (ccw ? 1 : -1) * 2 * std::numbers::pi * (i % n) / n;
        r.push_back({cx + rad * std::cos(a), cy + rad * std::sin(a)});
    }
    return r;
}
double poly_area(const Polygon& p) {
    double a = p.rings.empty() ? 0 : ring_area(p.rings[0]);
    for (size_t i = 1; i < p.rings.size(); ++i)
        a -= ring_area(p.rings[i]);
    return a;
}
struct Tri {
    std::vector<Vec2> pts;
    std::vector<uint32_t> idx;
};
Tri tri(const Polygon& p) {
    Tri t;
    triangulate_polygon(p, t.pts, t.idx);
    return t;
}
void check_indices(const Tri& t) {
    REQUIRE(t.idx.size() % 3 == 0);
    for (uint32_t i : t.idx)
        REQUIRE(i < t.pts.size());
}
} // namespace

TEST_CASE("view transform: screen and map round-trip, zoom keeps the cursor's point") {
    ViewTransform v;
    v.set_viewport(340, 0, 1260, 976);
    v.cx = 100'000;
    v.cy = -250'000;
    v.m_per_px = 3000;
    const ScreenPt s = v.to_screen(512'345, 77'000);
    const ScreenPt m = v.to_map(s.x, s.y);
    CHECK(m.x == doctest::Approx(512'345));
    CHECK(m.y == doctest::Approx(77'000));
    // North is up: a larger y is higher on screen (smaller screen y).
    CHECK(v.to_screen(0, 1000).y < v.to_screen(0, 0).y);
    // Canvas centre shows (cx, cy).
    const ScreenPt c = v.to_screen(v.cx, v.cy);
    CHECK(c.x == doctest::Approx(340 + 630));
    CHECK(c.y == doctest::Approx(488));

    const ScreenPt cursor{900, 300};
    const ScreenPt before = v.to_map(cursor.x, cursor.y);
    v.zoom_at(cursor.x, cursor.y, 1.7);
    CHECK(v.m_per_px == doctest::Approx(3000 / 1.7));
    const ScreenPt after = v.to_map(cursor.x, cursor.y);
    CHECK(after.x == doctest::Approx(before.x));
    CHECK(after.y == doctest::Approx(before.y));

    // Zoom is clamped and still keeps the anchor.
    v.zoom_at(cursor.x, cursor.y, 1e9);
    CHECK(v.m_per_px == doctest::Approx(v.min_m_per_px));
    CHECK(v.to_map(cursor.x, cursor.y).x == doctest::Approx(before.x));

    // Dragging right by 10 px moves the map right: the point under the cursor follows it.
    const ScreenPt p0 = v.to_map(500, 500);
    v.pan_pixels(10, -4);
    const ScreenPt p1 = v.to_map(510, 496);
    CHECK(p1.x == doctest::Approx(p0.x));
    CHECK(p1.y == doctest::Approx(p0.y));
}

TEST_CASE("view transform: fit shows the whole box, NDC scale matches pixels") {
    ViewTransform v;
    v.set_viewport(0, 0, 800, 600);
    const BBox b{-2'000'000, -1'000'000, 2'500'000, 2'000'000};
    v.fit(b, 20);
    const BBox vis = v.visible();
    CHECK(vis.xmin <= b.xmin);
    CHECK(vis.xmax >= b.xmax);
    CHECK(vis.ymin <= b.ymin);
    CHECK(vis.ymax >= b.ymax);
    // The limiting axis fills the canvas minus the margins.
    CHECK(v.m_per_px == doctest::Approx(4'500'000.0 / 760));
    // (map - centre) * ndc scale reaches 1 at the canvas edge.
    CHECK((vis.xmax - v.cx) * v.ndc_sx() == doctest::Approx(1.0));
    CHECK((vis.ymax - v.cy) * v.ndc_sy() == doctest::Approx(1.0));
}

TEST_CASE("view transform with geo's Transformer: lon/lat to screen and back") {
    const Crs analysis = Crs::default_analysis();
    Transformer tr(Crs::wgs84(), analysis);
    ViewTransform v;
    v.set_viewport(340, 0, 1260, 1000);
    BBox ll{-17.5, 1.6, 24.0, 24.0};
    v.fit(tr.forward_bbox(ll));
    double x = 0.5, y = 14.5;
    tr.forward(x, y);
    const ScreenPt s = v.to_screen(x, y);
    CHECK(v.in_canvas(s.x, s.y));
    ScreenPt m = v.to_map(s.x, s.y);
    tr.inverse(m.x, m.y);
    CHECK(m.x == doctest::Approx(0.5).epsilon(1e-9));
    CHECK(m.y == doctest::Approx(14.5).epsilon(1e-9));
    // The analysis CRS is centred at 2E 12N: that point is the map origin.
    double ox = 2, oy = 12;
    tr.forward(ox, oy);
    CHECK(std::abs(ox) < 1e-3);
    CHECK(std::abs(oy) < 1e-3);
}

TEST_CASE("display CRS chain: screen -> display -> lon/lat -> analysis round trips") {
    const Crs analysis = Crs::default_analysis();
    Transformer ll_an(Crs::wgs84(), analysis); // the reference lon/lat -> analysis
    constexpr double deg = std::numbers::pi / 180, R = 6378137.0;
    for (DisplayKind k : {DisplayKind::EqualArea, DisplayKind::Mercator, DisplayKind::LonLat}) {
        const std::string kname = display_name(k);
        CAPTURE(kname);
        DisplayChain ch(analysis, k);
        CHECK(ch.kind() == k);
        CHECK(display_from_name(display_name(k)) == k);
        ViewTransform v;
        v.set_viewport(370, 0, 1230, 974);
        v.fit(ch.forward_bbox(BBox{-18, 3, 24, 24}));
        for (auto [lon, lat] : std::vector<std::pair<double, double>>{
                 {0.5, 14.5}, {-20, 5}, {2, 12}, {-17.4, 14.7}, {23.9, 23.5}, {-8, 4.5}}) {
            CAPTURE(lon);
            CAPTURE(lat);
            // lon/lat -> display: Mercator and lon/lat against their closed forms.
            double dx = lon, dy = lat;
            ch.forward(dx, dy);
            if (k == DisplayKind::Mercator) {
                CHECK(dx == doctest::Approx(R * lon * deg).epsilon(1e-9));
                CHECK(dy == doctest::Approx(R * std::log(std::tan(std::numbers::pi / 4 + lat * deg / 2))).epsilon(1e-9));
            } else if (k == DisplayKind::LonLat) {
                CHECK(dx == doctest::Approx(lon * 111319.49079327357).epsilon(1e-9));
                CHECK(dy == doctest::Approx(lat * 111319.49079327357).epsilon(1e-9));
            }
            // display -> screen -> display.
            const ScreenPt s = v.to_screen(dx, dy);
            const ScreenPt d = v.to_map(s.x, s.y);
            CHECK(std::abs(d.x - dx) < 1e-6);
            CHECK(std::abs(d.y - dy) < 1e-6);
            // display -> lon/lat.
            double lo = d.x, la = d.y;
            ch.inverse(lo, la);
            CHECK(std::abs(lo - lon) < 1e-9);
            CHECK(std::abs(la - lat) < 1e-9);
            // display -> analysis equals lon/lat -> analysis (the hover's x/y and density point).
            double ax = d.x, ay = d.y;
            ch.to_analysis(ax, ay);
            double rx = lon, ry = lat;
            ll_an.forward(rx, ry);
            // PROJ's analysis <-> display pipelines agree with lon/lat -> analysis to ~1.5 mm;
            // 1 cm is still 500x below the deepest zoom's pixel (5 m).
            CHECK(std::abs(ax - rx) < 1e-2);
            CHECK(std::abs(ay - ry) < 1e-2);
            double lx = ax, ly = ay;
            ch.analysis_to_lonlat(lx, ly);
            CHECK(std::abs(lx - lon) < 1e-7); // ~1 cm
            CHECK(std::abs(ly - lat) < 1e-7);
            // analysis -> display (the heat mesh, labels, picked marker) -> back.
            double bx = rx, by = ry;
            ch.from_analysis(bx, by);
            CHECK(std::abs(bx - dx) < 1e-2);
            CHECK(std::abs(by - dy) < 1e-2);
            // Ground scale: Mercator stretches by 1/cos(lat) (sphere), lon/lat by 1/cos(lat) in x.
            const double g = ch.ground_per_display(dx, dy);
            if (k != DisplayKind::EqualArea)
                CHECK(g == doctest::Approx(std::cos(lat * deg) * 6371008.8 / R).epsilon(2e-3));
            // Analysis metres per display unit: 1 for equal-area.
            if (k == DisplayKind::EqualArea) CHECK(ch.analysis_per_display(dx, dy) == 1.0);
        }
        // The probe points keep their geography: Liptako-Gourma is north-east of the Atlantic point.
        double ax = 0.5, ay = 14.5, bx = -20, by = 5;
        ch.forward(ax, ay);
        ch.forward(bx, by);
        CHECK(ax > bx);
        CHECK(ay > by);
    }
    CHECK(!display_from_name("utm").has_value());
}

TEST_CASE("--display-crs") {
    auto parse = [](std::vector<std::string> args) {
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        return parse_viewer_args(int(argv.size()), argv.data());
    };
    CHECK(parse({"nexusmap", "view", "--demo"}).display_crs.empty());
    CHECK(parse({"nexusmap", "view", "--display-crs", "mercator"}).display_crs == "mercator");
    CHECK(parse({"nexusmap", "--display-crs", "lonlat"}).error.empty());
    CHECK(parse({"nexusmap", "--display-crs", "equal-area"}).error.empty());
    CHECK(!parse({"nexusmap", "--display-crs", "utm"}).error.empty());
    CHECK(!parse({"nexusmap", "--display-crs"}).error.empty());
}

TEST_CASE("scale bar lengths are 1, 2 or 5 times a power of ten") {
    CHECK(nice_scale_length_m(1000, 150) == 100'000); // 150 km available -> 100 km
    CHECK(nice_scale_length_m(1000, 250) == 200'000);
    CHECK(nice_scale_length_m(1000, 600) == 500'000);
    CHECK(nice_scale_length_m(10, 100) == 1000);
    CHECK(nice_scale_length_m(0, 100) == 0);
}

TEST_CASE("triangulation: triangle areas sum to the polygon area") {
    SUBCASE("square, either orientation, closed or open") {
        for (bool ccw : {true, false}) {
            Polygon p{{square(0, 0, 10, ccw)}};
            Tri t = tri(p);
            check_indices(t);
            CHECK(t.idx.size() == 6);
            CHECK(triangles_area(t.pts, t.idx) == doctest::Approx(100));
            p.rings[0].pop_back(); // open ring
            CHECK(triangles_area(tri(p).pts, tri(p).idx) == doctest::Approx(100));
        }
    }
    SUBCASE("square with a hole (either orientation)") {
        for (bool hole_ccw : {true, false}) {
            Polygon p{{square(0, 0, 10), square(3, 3, 4, hole_ccw)}};
            Tri t = tri(p);
            check_indices(t);
            CHECK(triangles_area(t.pts, t.idx) == doctest::Approx(84));
        }
    }
    SUBCASE("concave comb") {
        Ring r = {{0, 0},  {10, 0}, {10, 10}, {8, 10}, {8, 2},  {6, 2}, {6, 10},
                  {4, 10}, {4, 2},  {2, 2},   {2, 10}, {0, 10}, {0, 0}};
        Polygon p{{r}};
        Tri t = tri(p);
        check_indices(t);
        CHECK(t.idx.size() / 3 == r.size() - 1 - 2);
        CHECK(triangles_area(t.pts, t.idx) == doctest::Approx(poly_area(p)));
    }
    SUBCASE("star with 2 holes, projected-size coordinates") {
        Ring star;
        const double cx = 1.8e6, cy = -2.4e6;
        for (int i = 0; i <= 40; ++i) {
            const double a = 2 * std::numbers::pi * (i % 40) / 40, rad = (i % 2) ? 400e3 : 1000e3;
            star.push_back({cx + rad * std::cos(a), cy + rad * std::sin(a)});
        }
        Polygon p{{star, circle(cx - 150e3, cy, 100e3, 32, false), circle(cx + 150e3, cy + 50e3, 80e3, 24)}};
        Tri t = tri(p);
        check_indices(t);
        CHECK(triangles_area(t.pts, t.idx) == doctest::Approx(poly_area(p)).epsilon(1e-9));
    }
    SUBCASE("large ring (z-order path) with many holes") {
        Polygon p{{circle(0, 0, 1000, 2000)}};
        for (int i = 0; i < 10; ++i)
            p.rings.push_back(square(-500 + i * 100, -20, 40, i % 2));
        Tri t = tri(p);
        check_indices(t);
        CHECK(triangles_area(t.pts, t.idx) == doctest::Approx(poly_area(p)).epsilon(1e-9));
    }
    SUBCASE("random star-shaped polygons") {
        std::mt19937 rng(42);
        std::uniform_real_distribution<double> rr(0.2, 1.0);
        for (int k = 0; k < 50; ++k) {
            Ring r;
            const int n = 5 + k * 3;
            for (int i = 0; i < n; ++i) {
                const double a = 2 * std::numbers::pi * i / n, rad = rr(rng) * 1000;
                r.push_back({rad * std::cos(a), rad * std::sin(a)});
            }
            r.push_back(r.front());
            Polygon p{{r}};
            Tri t = tri(p);
            check_indices(t);
            CHECK(triangles_area(t.pts, t.idx) == doctest::Approx(poly_area(p)).epsilon(1e-9));
        }
    }
    SUBCASE("degenerate input: repeated and collinear points, NaN, tiny rings") {
        Ring r = {{0, 0}, {5, 0}, {5, 0}, {10, 0}, {10, 10}, {NAN, 3}, {0, 10}, {0, 0}};
        Polygon p{{r, Ring{{1, 1}, {2, 2}, {1, 1}}}};
        Tri t = tri(p);
        check_indices(t);
        CHECK(triangles_area(t.pts, t.idx) == doctest::Approx(100));
        CHECK(tri(Polygon{{Ring{{0, 0}, {1, 1}}}}).idx.empty());
        CHECK(tri(Polygon{}).idx.empty());
    }
}

TEST_CASE("layer meshes: fills cover the polygons, strips have 4 vertices per segment") {
    VectorLayer l;
    l.type = GeomType::Polygon;
    l.fields = {"commodity"};
    Feature f;
    f.geom.type = GeomType::Polygon;
    f.geom.polygons.push_back(Polygon{{square(1e6, 1e6, 1000), square(1e6 + 100, 1e6 + 100, 100)}});
    f.attrs = {std::string("gold")};
    l.features.push_back(f);
    f.attrs = {std::string("fuel")};
    l.features.push_back(f);
    f.attrs = {std::string("gold")};
    l.features.push_back(f);
    const LayerMesh m = build_layer_mesh(l);
    CHECK(m.fill_area == doctest::Approx(3 * (1e6 - 1e4)));
    CHECK(m.line_verts.size() == size_t(3 * 8 * 4 * kLineStride)); // 3 features x 8 segments
    CHECK(m.ox == doctest::Approx(1e6 + 500));
    const Categories c = categorize(l, "COMMODITY");
    REQUIRE(c.names == std::vector<std::string>{"fuel", "gold"});
    CHECK(c.of_feature == std::vector<int>{1, 0, 1});
    CHECK(categorize(l, "nope").of_feature == std::vector<int>{-1, -1, -1});
}

TEST_CASE("heat shader kernels reproduce geo's kernel_value") {
    for (Kernel k : {Kernel::Quartic, Kernel::Triangular, Kernel::Uniform, Kernel::Triweight,
                     Kernel::Epanechnikov, Kernel::Gaussian}) {
        CAPTURE(kernel_name(k));
        CHECK(std::string(kKernelNames[kernel_code(k)]) == kernel_name(k));
        for (double h : {5'000.0, 50'000.0}) {
            // The shader gets norm = kernel_value(k, 0, h): every shape is 1 at the centre.
            const double norm = kernel_value(k, 0, h);
            CHECK(norm == doctest::Approx(kernel_norm_ref(k, h)).epsilon(1e-9));
            for (double u : {0.0, 0.1, 0.33, 0.5, 0.77, 0.99, 1.5, 2.5, 3.9, 4.1}) {
                CAPTURE(u);
                const double r = u * h;
                if (r >= kernel_support(k, h)) continue; // edge handled by the support test
                CHECK(norm * kernel_shape(k, u) == doctest::Approx(kernel_value(k, r, h)).epsilon(1e-9));
            }
            CHECK(kernel_shape(k, kernel_support(k, h) / h * 1.0001) == 0.0);
            // Numerical integral over the plane of norm * shape is 1 (mass conservation).
            const double sup = kernel_support(k, h);
            const int n = 20000;
            double mass = 0;
            for (int i = 0; i < n; ++i) {
                const double r = (i + 0.5) * sup / n;
                mass += norm * kernel_shape(k, r / h) * 2 * std::numbers::pi * r * (sup / n);
            }
            CHECK(mass == doctest::Approx(1.0).epsilon(2e-3));
        }
    }
}

TEST_CASE("colour scales: value -> t -> value round-trips, ramps have their end colours") {
    for (Scale s : {Scale::Linear, Scale::Sqrt, Scale::Log}) {
        ValueScale vs{s, s == Scale::Log ? 0.01 : 0.0, 2.5};
        CHECK(vs.to_t(vs.effective_lo()) == doctest::Approx(0.0));
        CHECK(vs.to_t(2.5) == doctest::Approx(1.0));
        for (double t : {0.0, 0.25, 0.5, 0.9, 1.0})
            CHECK(vs.to_t(vs.from_t(t)) == doctest::Approx(t));
    }
    ValueScale log0{Scale::Log, 0.0, 5.0};
    CHECK(log0.effective_lo() == doctest::Approx(5e-3));
    const Rgb lo = ramp_color(Ramp::Viridis, 0), hi = ramp_color(Ramp::Viridis, 1);
    CHECK(lo.r == doctest::Approx(68 / 255.f));
    CHECK(hi.g == doctest::Approx(231 / 255.f));
    const auto lut = ramp_lut(Ramp::YlOrRd);
    CHECK(int(lut[255 * 4]) == 128); // dark red at the top
    CHECK(int(lut[0 * 4 + 2]) == 204);
    CHECK(ramp_color(Ramp::Magma, NAN).r == doctest::Approx(0.0));
}

TEST_CASE("time windows and the events-per-month chart") {
    const int32_t d = days_from_civil(2021, 3, 15);
    CHECK(month_index(d) == 2021 * 12 + 2);
    CHECK(month_start_day(2021 * 12 + 2) == days_from_civil(2021, 3, 1));
    CHECK(month_label(2021 * 12 + 11) == "2021-12");
    CHECK(month_start_day(2021 * 12 + 12) == days_from_civil(2022, 1, 1));

    TimeWindow w;
    w.all = false;
    w.set_range(2020 * 12, 2022 * 12 + 11); // 36 months
    w.length = 6;
    w.start = 2022 * 12 + 10;
    w.clamp();
    CHECK(w.start == 2022 * 12 + 6); // the window stays inside the data
    CHECK(w.day_hi() == days_from_civil(2023, 1, 1));
    CHECK(w.contains(days_from_civil(2022, 12, 31)));
    CHECK_FALSE(w.contains(days_from_civil(2022, 6, 30)));
    CHECK_FALSE(w.contains(kNoDay));
    w.step();
    CHECK(w.start == 2020 * 12); // wraps
    w.step();
    CHECK(w.start == 2020 * 12 + 1);

    const std::vector<int32_t> days = {days_from_civil(2020, 1, 5), days_from_civil(2020, 1, 31), kNoDay,
                                       days_from_civil(2020, 3, 1), days_from_civil(2019, 12, 31)};
    const std::vector<uint16_t> types = {0, 1, 0, 0, 0};
    auto pm = events_per_month(days, types, {}, 2020 * 12, 3);
    CHECK(pm == std::vector<float>{2, 0, 1});
    pm = events_per_month(days, types, {true, false}, 2020 * 12, 3);
    CHECK(pm == std::vector<float>{1, 0, 1});
}

TEST_CASE("viewer command line") {
    auto parse = [](std::vector<std::string> args) {
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        return parse_viewer_args(int(argv.size()), argv.data());
    };
    auto o = parse({"nexusmap"});
    CHECK(o.real); // no file: the bundled real UCDP events, 2012-2023
    CHECK_FALSE(o.demo);
    CHECK(o.window == "2012-01,144");
    CHECK(o.error.empty());
    CHECK(parse({"nexusmap", "--demo"}).demo);
    CHECK_FALSE(parse({"nexusmap", "--demo"}).real);
    CHECK(parse({"nexusmap", "--synthetic"}).demo);
    CHECK(parse({"nexusmap", "--precision", "spread"}).precision_mode == 2);
    CHECK_FALSE(parse({"nexusmap", "--precision", "fuzzy"}).error.empty());
    o = parse({"nexusmap", "view", "a.csv", "b.gpkg", "--screenshot", "x.png", "--frames", "3", "--probe",
               "0.5,14.5", "--size", "800x600", "--bandwidth-km", "25"});
    CHECK_FALSE(o.demo);
    CHECK(o.files == std::vector<std::string>{"a.csv", "b.gpkg"});
    CHECK(o.screenshot == "x.png");
    CHECK(o.frames == 3);
    REQUIRE(o.probes.size() == 1);
    CHECK(o.probes[0].second == doctest::Approx(14.5));
    CHECK(o.width == 800);
    CHECK(o.bandwidth_km == doctest::Approx(25));
    CHECK_FALSE(parse({"nexusmap", "a.csv"}).batch());
    o = parse({"nexusmap", "--demo", "--bench-frames", "12"});
    CHECK(o.bench_frames == 12);
    CHECK(o.batch()); // a benchmark run exits by itself
    CHECK_FALSE(parse({"nexusmap", "--bench-frames", "0"}).error.empty());
    CHECK_FALSE(parse({"nexusmap", "--bench-frames", "x"}).error.empty());
    CHECK(parse({"nexusmap"}).heat_backend == "auto");
    CHECK(parse({"nexusmap", "--heat-backend", "cpu"}).heat_backend == "cpu");
    CHECK(parse({"nexusmap", "--heat-backend", "gpu"}).error.empty());
    CHECK_FALSE(parse({"nexusmap", "--heat-backend", "fpga"}).error.empty());
    o = parse({"nexusmap", "view", "--probe-png", "s.png", "10", "20", "30", "40"});
    CHECK(o.probe_png == "s.png");
    CHECK(o.probe_px.size() == 2);
    o = parse({"nexusmap", "view", "--window", "2019-03,12", "--view", "0.5,14.5,0.8", "--compare-exact"});
    CHECK(o.error.empty());
    CHECK(o.window == "2019-03,12");
    REQUIRE(o.view);
    CHECK((*o.view)[2] == doctest::Approx(0.8));
    CHECK(o.compare_exact);
    CHECK_FALSE(parse({"nexusmap", "view", "--window", "2019-13,12"}).error.empty());
    CHECK_FALSE(parse({"nexusmap", "view", "--view", "1,2"}).error.empty());
    CHECK_FALSE(parse({"nexusmap", "view", "--frames", "0"}).error.empty());
    CHECK_FALSE(parse({"nexusmap", "view", "--bogus"}).error.empty());
    CHECK_FALSE(parse({"nexusmap", "view", "--probe", "1"}).error.empty());
    CHECK_FALSE(parse({"nexusmap", "view", "--screenshot"}).error.empty());
    // Repeatable flags take one value each: what follows is still a file (CLI11 vectors would
    // otherwise swallow it), and repeated probes all count.
    o = parse({"nexusmap", "view", "--scan-param", "period=year", "a.csv", "--probe", "-5.5,14", "--probe", "1,2",
               "--nexus-param", "d-km=25", "--nexus-param", "clq=1"});
    CHECK(o.error.empty());
    CHECK(o.files == std::vector<std::string>{"a.csv"});
    CHECK(o.scan_settings == std::vector<std::string>{"period=year"});
    CHECK(o.nexus_settings == std::vector<std::string>{"d-km=25", "clq=1"});
    REQUIRE(o.probes.size() == 2);
    CHECK(o.probes[0].first == doctest::Approx(-5.5));
    CHECK(o.probes[1].second == doctest::Approx(2));
    // The help is generated from the same declarations (every flag listed once).
    const std::string help = viewer_usage();
    for (const char* flag : {"--export-map-page", "--heat-backend", "--scan-param", "--display-crs", "--force"})
        CHECK(help.find(flag) != std::string::npos);
}

// The banner, status bar and attribution follow the inputs loaded now (Document::inputs() gives
// each loaded layer's own provenance): the default real view has no banner; adding the synthetic
// file brings it back; removing it clears it; illustrative routes are not synthetic.
TEST_CASE("viewer data banner follows the loaded inputs (real default, add/remove the synthetic file)") {
    const std::string src = NEXUSMAP_SOURCE_DIR;
    std::vector<InputProvenance> doc;
    for (const char* name : {"admin0", "admin1", "admin2"}) {
        ReadLayerOptions ro;
        ro.layer = name;
        doc.push_back(read_layer(src + "/data/basemap/west_africa.gpkg", ro).prov);
    }
    doc.push_back(load_events_csv(src + "/data/real/ucdp_ged241_uemoa6.csv").events.prov);
    DataBanner b = data_banner(doc);
    CHECK_FALSE(b.synthetic);
    CHECK(b.banner.empty());
    CHECK(b.ucdp);
    CHECK(b.attribution.find("UCDP GED") != std::string::npos);
    CHECK(b.attribution.find("OCHA") != std::string::npos);
    CHECK(b.status.rfind("real inputs", 0) == 0);
    // Adding the synthetic demo events (replacing the events, as the viewer does).
    auto real_events = doc.back();
    doc.back() = load_events_csv(src + "/data/demo/events_synthetic.csv").events.prov;
    b = data_banner(doc);
    CHECK(b.synthetic);
    CHECK(b.banner == "SYNTHETIC DEMO DATA - not real events");
    CHECK(b.status.find("SYNTHETIC") != std::string::npos);
    CHECK_FALSE(b.ucdp);
    // Removing it clears the banner.
    doc.pop_back();
    CHECK(data_banner(doc).banner.empty());
    // Real events back, plus the illustrative routes: no banner, routes said.
    doc.push_back(real_events);
    doc.push_back(read_layer(src + "/data/demo/routes_illustrative.geojson").prov);
    b = data_banner(doc);
    CHECK_FALSE(b.synthetic);
    CHECK(b.illustrative);
    CHECK(b.banner.empty());
    CHECK(b.status.find("illustrative routes") != std::string::npos);
    doc.pop_back();
    CHECK_FALSE(data_banner(doc).illustrative);
}

// Issue #15: the document is GL-free (its GPU objects are opaque shared_ptrs the renderer makes), so
// its filter logic is tested here without a display. The filters: countries, actors, minimum
// fatalities, precise-only, types and the time window, each checked against a hand count.
TEST_CASE("document filters: keep mask and passes() without GL") {
    using namespace nexusmap::viewer;
    Document doc;
    doc.events = std::make_unique<EventSet>();
    EventSet& e = *doc.events;
    EventTable& t = e.table;
    // 6 events: (country, actor, fatalities, precision, type, day)
    const int N = 6;
    const uint16_t country[N] = {0, 0, 1, 1, 0, 1};
    const char* actor[N] = {"A", "B", "A", "C", "B", "A"};
    const float fat[N] = {0, 5, 1, 10, 2, 0};
    const uint8_t prec[N] = {1, 2, 3, 1, 6, 2};
    const uint16_t type[N] = {0, 1, 0, 1, 0, 0};
    for (int i = 0; i < N; ++i) {
        t.lon.push_back(i), t.lat.push_back(i), t.x.push_back(i * 1000.), t.y.push_back(0);
        t.day.push_back(days_from_civil(2020, 1 + i, 15));
        t.weight.push_back(1), t.fatalities.push_back(fat[i]), t.type.push_back(type[i]);
        t.precision.push_back(prec[i]), t.row.push_back(uint32_t(i + 2)), t.country.push_back(country[i]);
        t.admin1.push_back(""), t.actor.push_back(actor[i]);
    }
    t.type_names = {"battles", "violence against civilians"};
    t.country_names = {"Mali", "Niger"};
    e.type_on = {true, true};
    auto passing = [&] {
        int n = 0;
        for (int i = 0; i < N; ++i)
            n += e.passes(size_t(i));
        return n;
    };
    CHECK(passing() == 6);
    CHECK(doc.extent().xmax == doctest::Approx(5000));
    const uint32_t v0 = e.filter_version;
    e.country_on = {true, false}; // Mali only: events 0, 1, 4
    e.rebuild_keep();
    CHECK(passing() == 3);
    CHECK(e.filter_version == v0 + 1); // every filter change is a new version (staleness)
    e.actors_on = {"B"}; // and actor B: 1, 4
    e.rebuild_keep();
    CHECK(passing() == 2);
    e.min_fatalities = 3; // and >= 3 killed: 1
    e.rebuild_keep();
    CHECK(passing() == 1);
    e.country_on.clear(), e.actors_on.clear(), e.min_fatalities = 0;
    e.precision_mode = 1; // precise only (code <= 2): 0, 1, 3, 5
    e.rebuild_keep();
    CHECK(passing() == 4);
    e.type_on = {true, false}; // and battles: 0, 5
    CHECK(passing() == 2);
    e.window.set_range(2020 * 12, 2020 * 12 + 11);
    e.window.all = false;
    e.window.start = 2020 * 12; // January..March 2020: event 0 only of those two
    e.window.length = 3;
    CHECK(passing() == 1);
    CHECK_FALSE(e.gpu); // nothing on a GPU
}
