// The viewer's print map (app/viewer/print_map.hpp, no GL): the MapSpec built from the viewer's
// state carries the view, the visible layers with their colours, the heat's ramp, scale, range,
// opacity and threshold, hot spots and events when shown, and the CLI's attribution and footer; a
// render through geo's map renderer shows the screen's colours and states the viewer's range.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "nexusmap/map_render.hpp"
#include "nexusmap/style.hpp"
#include "viewer/options.hpp"
#include "viewer/print_map.hpp"

using namespace nexusmap;
using namespace nexusmap::viewer;

namespace {

VectorLayer square_layer(const std::string& name, double x0, double y0, double x1, double y1) {
    VectorLayer l;
    l.name = name;
    l.type = GeomType::Polygon;
    l.fields = {"name"};
    Feature f;
    f.geom.type = GeomType::Polygon;
    f.geom.polygons.push_back({{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}});
    f.attrs = {std::string(name)};
    l.features.push_back(f);
    return l;
}

VectorLayer routes_layer() {
    VectorLayer l;
    l.name = "routes";
    l.source = "/data/demo/routes_illustrative.geojson";
    l.type = GeomType::Line;
    l.fields = {"name", "commodity"};
    const char* com[] = {"gold", "arms", "gold", "fuel"};
    for (int i = 0; i < 4; ++i) {
        Feature f;
        f.geom.type = GeomType::Line;
        f.geom.lines.push_back({{-400e3, -300e3 + i * 150e3}, {400e3, -250e3 + i * 150e3}});
        f.attrs = {std::string("r") + std::to_string(i), std::string(com[i])};
        l.features.push_back(f);
    }
    return l;
}

// A smooth bump centred at (cx, cy) on a 10 km grid over +-500 km, peak 1.
Raster bump(double cx, double cy) {
    Raster r;
    r.grid = GridSpec{-500e3, 500e3, 10e3, 100, 100};
    r.data.assign(r.grid.size(), 0.f);
    for (int row = 0; row < 100; ++row)
        for (int col = 0; col < 100; ++col) {
            const double x = r.grid.col_center_x(col) - cx, y = r.grid.row_center_y(row) - cy;
            r.data[size_t(row) * 100 + col] = float(std::exp(-(x * x + y * y) / (2 * 80e3 * 80e3)));
        }
    r.crs = Crs::default_analysis();
    return r;
}

struct Fixture {
    VectorLayer admin0 = square_layer("admin0", -450e3, -450e3, 450e3, 450e3);
    VectorLayer admin1 = square_layer("admin1", -200e3, -200e3, 200e3, 200e3);
    VectorLayer routes = routes_layer();
    Raster density = bump(0, 0);
    std::vector<Vec2> events = {{10e3, 10e3}, {-300e3, 200e3}, {5e6, 5e6}};
    PrintMapInput in;
    Fixture() {
        in.crs = Crs::default_analysis();
        in.view = {-480e3, -360e3, 480e3, 360e3};
        in.admin0.data = &admin0;
        in.admin0.fill_color = {0.9f, 0.8f, 0.6f, 1.f};
        in.admin0.line_color = {0.1f, 0.1f, 0.1f, 1.f};
        in.admin0.line_width_px = 1.4f;
        in.admin1.data = &admin1;
        in.admin1.fill = false;
        in.admin1.line_width_px = 0.7f;
        in.routes.data = &routes;
        in.routes.fill = false;
        in.routes.line_width_px = 2.5f;
        in.routes.category_field = "commodity";
        in.density = &density;
        in.ramp = style::Ramp::Magma;
        in.range = {style::Scale::Linear, 0.0, 1.0};
        in.opacity = 1.f;
        in.threshold = 0.2f;
        in.events = &events;
        in.synthetic = true;
        InputProvenance ev_p, base_p;
        ev_p.synthetic = true;
        base_p.attribution = "Natural Earth";
        in.inputs = {ev_p, base_p};
        in.events_source = "events_synthetic.csv";
        in.events_schema = "ACLED";
        in.window = "2021-01 \u2013 2021-12";
        in.n_events = 1234;
        in.kernel = "quartic";
        in.bandwidth_km = 50;
        in.cell_km = 6.25;
    }
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("print map spec: view, layers and styles from the viewer's state") {
    Fixture fx;
    const MapSpec s = build_print_map(fx.in);
    CHECK(s.extent.xmin == -480e3);
    CHECK(s.extent.xmax == 480e3);
    CHECK(s.extent.ymin == -360e3);
    CHECK(s.extent.ymax == 360e3);
    CHECK(s.admin0 == &fx.admin0);
    CHECK(s.admin1 == &fx.admin1);
    CHECK(s.routes == &fx.routes);
    CHECK(s.locator == &fx.admin0);
    CHECK(s.inset);
    // Viewer colours and widths (px -> pt at 0.5).
    CHECK(s.admin0_style.fill_color.r == doctest::Approx(0.9));
    CHECK(s.admin0_style.fill_color.b == doctest::Approx(0.6));
    CHECK(s.admin0_style.width_pt == doctest::Approx(0.7));
    CHECK_FALSE(s.admin1_style.fill);
    CHECK(s.routes_style.width_pt == doctest::Approx(1.25));
    // Routes by commodity: Tableau 10 over the sorted values, as the viewer's categorize().
    REQUIRE(s.routes_style.categories == std::vector<std::string>{"arms", "fuel", "gold"});
    for (size_t i = 0; i < 3; ++i) {
        CHECK(s.routes_style.category_colors[i].r == style::category_color(int(i)).r);
        CHECK(s.routes_style.category_colors[i].g == style::category_color(int(i)).g);
    }
    CHECK(contains(s.routes_title, "ILLUSTRATIVE"));
    // Density: the viewer's ramp, range, opacity; no fade; threshold as a cut.
    REQUIRE(s.density == &fx.density);
    CHECK(s.density_style.ramp == style::Ramp::Magma);
    CHECK(s.density_style.scale.lo == 0);
    CHECK(s.density_style.scale.hi == 1);
    CHECK(s.density_style.opacity == doctest::Approx(1.0));
    CHECK(s.density_style.fade_t == 0);
    CHECK(s.density_style.alpha_at(0.199) == 0);
    CHECK(s.density_style.alpha_at(0.201) == 1);
    CHECK(s.events == &fx.events);
    CHECK(s.events_below_density);
    CHECK(s.synthetic);
    // Title, subtitle, attribution and footer as the CLI writes them.
    CHECK(s.title == "Conflict event density");
    CHECK(contains(s.subtitle, "2021-01 \u2013 2021-12"));
    CHECK(contains(s.subtitle, "1234 events"));
    // Each input's own attribution on the second line (provenance.hpp).
    REQUIRE(s.attribution.size() == 2);
    CHECK(contains(s.attribution[1], "Natural Earth"));
    CHECK(contains(s.attribution[0], "SYNTHETIC DEMO DATA"));
    CHECK(contains(s.attribution[0], "Routes: ILLUSTRATIVE"));
    CHECK(contains(s.footer[0], "illustrative routes"));
    REQUIRE(s.footer.size() == 2);
    CHECK(contains(s.footer[0], "Source: events_synthetic.csv (ACLED)"));
    CHECK(contains(s.footer[0], "synthetic=true"));
    CHECK(contains(s.footer[0], "kernel quartic, bandwidth 50 km, cell 6.25 km"));
    CHECK(contains(s.footer[0], "window 2021-01 \u2013 2021-12"));
    CHECK(contains(s.footer[1], "nexusmap "));
}

TEST_CASE("print map spec: hidden layers and heat stay off the page") {
    Fixture fx;
    fx.in.admin0.visible = false;
    fx.in.admin1.visible = false;
    fx.in.routes.visible = false;
    fx.in.heat_visible = false;
    fx.in.events = nullptr;
    VectorLayer hot = square_layer("hot", -50e3, -50e3, 50e3, 50e3);
    hot.fields = {"bin"};
    hot.features[0].attrs = {int64_t(3)};
    fx.in.hotspots = &hot;
    fx.in.hotspot_note = "Gi* 30 km band, 10 km cells, FDR";
    fx.in.synthetic = false;
    const MapSpec s = build_print_map(fx.in);
    CHECK(s.admin0 == nullptr);
    CHECK(s.admin1 == nullptr);
    CHECK(s.routes == nullptr);
    CHECK(s.density == nullptr);
    CHECK(s.events == nullptr);
    CHECK(s.hotspots == &hot);
    CHECK(s.locator == &fx.admin0); // the inset still shows where the map is
    CHECK_FALSE(s.synthetic);
    CHECK(contains(s.title, "hot spots"));
    CHECK(contains(s.footer[0], "Gi* 30 km band"));
    CHECK_FALSE(contains(s.footer[0], "kernel"));
    CHECK_FALSE(contains(s.attribution[0], "SYNTHETIC"));
    CHECK_FALSE(contains(s.footer[0], "illustrative")); // routes hidden: not stated
}

TEST_CASE("print map density style follows the shader for sqrt and log scales") {
    Fixture fx;
    fx.in.range = {style::Scale::Sqrt, 0.0, 4.0};
    fx.in.threshold = 0.25f; // cut at 1.0 -> t = sqrt(1/4) = 0.5
    style::RasterStyle st = print_density_style(fx.in);
    CHECK(st.alpha_at(0.4999) == 0);
    CHECK(st.alpha_at(0.5001) == 1);
    fx.in.range = {style::Scale::Log, 0.0, 1.0}; // lo -> hi / 1000
    fx.in.threshold = 0.01f;                      // cut at 0.01 -> t = log(10) / log(1000) = 1/3
    st = print_density_style(fx.in);
    CHECK(st.scale.effective_lo() == doctest::Approx(1e-3));
    CHECK(st.alpha_at(0.333) == 0);
    CHECK(st.alpha_at(0.334) == 1);
}

TEST_CASE("print map rendered: the screen's ramp at the bump, land fill below the threshold, the viewer's range") {
    Fixture fx;
    fx.in.routes.visible = false; // keep the probes clear of lines
    fx.in.admin1.visible = false;
    fx.in.labels = false; // the fixture country's name sits on the bump's centre, where the probe is
    // An event at the bump's centre, big: drawn under the heat (as on screen), it stays hidden.
    fx.events = {{0, 0}};
    fx.in.event_radius_px = 10;
    fx.in.range = {style::Scale::Linear, 0.0, 0.8}; // a fixed range: the peak (1.0) clamps to the top
    const MapSpec spec = build_print_map(fx.in);
    RgbaImage img;
    const MapRenderResult r = render_map_image(spec, PageSetup::device(900, 640), img);
    CHECK(r.legend_lo == doctest::Approx(0.0));
    CHECK(r.legend_hi == doctest::Approx(0.8));
    CHECK(r.legend_ramp == "magma");
    CHECK(r.legend_scale == "linear");
    // At the bump's centre the density is ~1 >= hi: the ramp's top colour (opacity 1).
    const auto c = r.to_device(0, 0);
    const auto top = style::ramp_color(style::Ramp::Magma, 1.0);
    const auto px = img.at(int(c[0]), int(c[1]));
    CHECK(std::abs(px[0] - style::channel8(top.r)) <= 3);
    CHECK(std::abs(px[1] - style::channel8(top.g)) <= 3);
    CHECK(std::abs(px[2] - style::channel8(top.b)) <= 3);
    // Halfway out (value 0.5 -> t 0.625): the ramp colour there.
    const double x = 80e3 * std::sqrt(2 * std::log(2.0)); // exp(-x^2 / 2s^2) = 0.5
    const auto h = r.to_device(x, 0);
    const auto mid = style::ramp_color(style::Ramp::Magma, 0.5 / 0.8);
    const auto pm = img.at(int(h[0]), int(h[1]));
    CHECK(std::abs(pm[0] - style::channel8(mid.r)) <= 8);
    CHECK(std::abs(pm[1] - style::channel8(mid.g)) <= 8);
    CHECK(std::abs(pm[2] - style::channel8(mid.b)) <= 8);
    // Far out (value ~0.001, below the 0.2 x 0.8 cut): the viewer's land fill colour.
    const auto f = r.to_device(-300e3, 150e3); // clear of the legend (bottom left) and the mark (top left)
    const auto pf = img.at(int(f[0]), int(f[1]));
    CHECK(std::abs(pf[0] - style::channel8(0.9f)) <= 2);
    CHECK(std::abs(pf[1] - style::channel8(0.8f)) <= 2);
    CHECK(std::abs(pf[2] - style::channel8(0.6f)) <= 2);
    // The page margin is blank.
    for (int y = 0; y < img.height; y += 7) {
        CHECK(img.at(1, y)[0] == 255);
        CHECK(img.at(img.width - 2, y)[2] == 255);
    }
}

TEST_CASE("print page and numbers") {
    const PageSetup a3 = print_page(ImageFormat::Png, "A3", 150);
    CHECK(a3.device_width() == doctest::Approx(std::lround(1190.55 * 150 / 72)).epsilon(0.002));
    CHECK(a3.width_pt > a3.height_pt); // landscape
    const PageSetup pdf = print_page(ImageFormat::Pdf, "A4", 300);
    CHECK(pdf.device_per_pt == doctest::Approx(1.0)); // vector: points, whatever the dpi
    CHECK_THROWS(print_page(ImageFormat::Pdf, "B5", 72));
    CHECK(print_num(50) == "50");
    CHECK(print_num(6.25) == "6.25");
    CHECK(print_num(1.6000001) == "1.6");
    CHECK(print_num(0.5) == "0.5");
}

TEST_CASE("viewer command line: --export-map and its page options") {
    auto parse = [](std::vector<std::string> args) {
        args.insert(args.begin(), "nexusmap");
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        return parse_viewer_args(int(argv.size()), argv.data());
    };
    ViewerOptions o = parse({"view", "--demo", "--export-map", "out.PDF", "--export-map-page", "a3", "--export-map-dpi", "200"});
    CHECK(o.error.empty());
    CHECK(o.export_map == "out.PDF");
    CHECK(o.export_map_page == "A3");
    CHECK(o.export_map_dpi == 200);
    CHECK(o.batch());
    o = parse({"--export-map", "map.png"});
    CHECK(o.export_map_page == "A4");
    CHECK(o.export_map_dpi == 150);
    CHECK_FALSE(parse({"--export-map", "map.jpg"}).error.empty());
    CHECK_FALSE(parse({"--export-map", "m.pdf", "--export-map-page", "B5"}).error.empty());
    CHECK_FALSE(parse({"--export-map", "m.png", "--export-map-dpi", "10"}).error.empty());
    CHECK_FALSE(parse({"--export-map"}).error.empty());
}
