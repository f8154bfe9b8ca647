// Static maps rendered in memory and checked by their pixels: the density's ramp colours at the
// demo hot spot (0.5E 14.5N) and on the legend bar, nothing outside the page margin, the scale bar
// measured on the ground, Gi* bin colours, one fixed colour scale across a time series (legend
// ranges from the results), small multiples, and PDF/SVG/PNG files.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "nexusmap/charts.hpp"
#include "nexusmap/density.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/map_render.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace {
const std::string kBasemap = std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg";
const std::string kEvents = std::string(NEXUSMAP_SOURCE_DIR) + "/data/demo/events_synthetic.csv";

VectorLayer admin0(const Crs& crs) {
    ReadLayerOptions ro;
    ro.layer = "admin0";
    ro.target_crs = crs;
    return read_layer(kBasemap, ro);
}
// A Gaussian bump of height `peak` centred at (lon, lat), on a 10 km grid over West Africa.
Raster bump(const Crs& crs, double lon, double lat, double peak, double sigma_m = 150e3) {
    Transformer t(Crs::wgs84(), crs);
    BBox b = t.forward_bbox({-12, 4, 16, 24});
    Raster r(GridSpec::covering(b, 10e3), crs, 0.f);
    double cx = lon, cy = lat;
    t.forward(cx, cy);
    for (int row = 0; row < r.grid.height; ++row)
        for (int col = 0; col < r.grid.width; ++col) {
            const double dx = r.grid.col_center_x(col) - cx, dy = r.grid.row_center_y(row) - cy;
            r.at(col, row) = float(peak * std::exp(-(dx * dx + dy * dy) / (2 * sigma_m * sigma_m)));
        }
    r.units = "events per km^2";
    return r;
}
int diff(const std::array<int, 4>& p, style::Rgb c) {
    return std::max({std::abs(p[0] - style::channel8(c.r)), std::abs(p[1] - style::channel8(c.g)),
                     std::abs(p[2] - style::channel8(c.b))});
}
std::array<int, 4> px_at(const RgbaImage& im, double x, double y) { return im.at(int(x), int(y)); }
// Every pixel within `margin` of the page edge is white.
size_t non_white_in_margin(const RgbaImage& im, double margin) {
    size_t n = 0;
    const int m = int(std::floor(margin)) - 1;
    for (int y = 0; y < im.height; ++y)
        for (int x = 0; x < im.width; ++x) {
            if (x >= m && x < im.width - m && y >= m && y < im.height - m) continue;
            auto p = im.at(x, y);
            if (p[0] != 255 || p[1] != 255 || p[2] != 255) ++n;
        }
    return n;
}
} // namespace

TEST_CASE("density map: ramp colours at the hot spot and on the legend, margins clean, ground scale bar") {
    const Crs crs = Crs::default_analysis();
    VectorLayer a0 = admin0(crs);
    Raster r = bump(crs, 0.5, 14.5, 0.05);
    MapSpec s;
    s.crs = crs;
    s.title = "Test density";
    s.subtitle = "2020-01-01 \u2013 2024-12-31";
    s.admin0 = &a0;
    s.density = &r;
    s.density_style.ramp = style::Ramp::Viridis;
    s.density_style.scale = shared_scale({&r}, style::Scale::Linear);
    s.density_style.opacity = 1.0;
    s.density_style.fade_t = 0;
    s.synthetic = true;
    s.attribution = {"Base map: Natural Earth"};
    s.footer = {"provenance line"};
    RgbaImage im;
    const PageSetup page = PageSetup::device(1400, 1000);
    MapRenderResult res = render_map_image(s, page, im);
    REQUIRE(im.width == 1400);
    REQUIRE(im.height == 1000);
    // Legend with its range stated.
    CHECK(!res.legend.empty());
    CHECK(!res.colorbar.empty());
    CHECK(res.legend_lo == 0);
    CHECK(res.legend_hi == doctest::Approx(r.minmax()[1]));
    CHECK(res.legend_units == "events per km\u00b2");
    // Colour bar: low, middle and high ends are the ramp's.
    const double by = (res.colorbar.y0 + res.colorbar.y1) / 2;
    const double bw = res.colorbar.x1 - res.colorbar.x0;
    CHECK(diff(px_at(im, res.colorbar.x0 + 2, by), style::ramp_color(style::Ramp::Viridis, 0)) <= 8);
    CHECK(diff(px_at(im, res.colorbar.x0 + bw / 2, by), style::ramp_color(style::Ramp::Viridis, 0.5)) <= 8);
    CHECK(diff(px_at(im, res.colorbar.x1 - 2, by), style::ramp_color(style::Ramp::Viridis, 1)) <= 8);
    // The peak at 0.5E 14.5N: top of the ramp (yellow); 1.5 sigma out: the ramp at exp(-1.125).
    double x = 0.5, y = 14.5;
    Transformer(Crs::wgs84(), crs).forward(x, y);
    auto d = res.to_device(x, y);
    REQUIRE(res.frame.contains(d[0], d[1]));
    CHECK(diff(px_at(im, d[0], d[1]), style::ramp_color(style::Ramp::Viridis, 1)) <= 12);
    auto d2 = res.to_device(x + 225e3, y);
    const double t2 = r.sample(x + 225e3, y) / res.legend_hi;
    CHECK(diff(px_at(im, d2[0], d2[1]), style::ramp_color(style::Ramp::Viridis, t2)) <= 12);
    // Nothing outside the margin.
    CHECK(res.margin > 5);
    CHECK(non_white_in_margin(im, res.margin) == 0);
    // Furniture inside the page and the frame.
    for (const PageRect* p : {&res.legend, &res.scalebar, &res.north, &res.inset}) {
        CHECK(!p->empty());
        CHECK(p->x0 >= res.frame.x0);
        CHECK(p->x1 <= res.frame.x1);
        CHECK(p->y0 >= res.frame.y0);
        CHECK(p->y1 <= res.frame.y1);
    }
    // LAEA at its centre is true to scale: ~1 m on the ground per map metre; the bar is a nice number.
    CHECK(res.ground_km_per_unit == doctest::Approx(0.001).epsilon(0.01));
    const double m = res.scalebar_km / std::pow(10.0, std::floor(std::log10(res.scalebar_km)));
    CHECK((m == doctest::Approx(1) || m == doctest::Approx(2) || m == doctest::Approx(5)));
    CHECK(std::abs(res.north_deg) < 5); // the centre is near the projection's central meridian
    // The synthetic mark: red pixels at the top-left of the frame.
    auto red = px_at(im, res.frame.x0 + 12, res.frame.y0 + 14);
    CHECK(red[0] > 150);
    CHECK(red[1] < 80);
}

TEST_CASE("demo hot spot near 0.5E 14.5N has the ramp colour of its density") {
    EventCsvOptions o;
    auto lr = load_events_csv(kEvents, o);
    EventTable ev = std::move(lr.events);
    const Crs crs = Crs::default_analysis();
    project_events(ev, crs);
    KdeParams p;
    p.cell_m = 10e3;
    p.bandwidth_m = 50e3;
    KdeInput in{&ev.x, &ev.y, nullptr};
    KdeResult k = kernel_density(in, grid_for_points(ev.x, ev.y, 50e3, 10e3), crs, p);
    VectorLayer a0 = admin0(crs);
    MapSpec s;
    s.crs = crs;
    s.admin0 = &a0;
    s.density = &k.raster;
    s.density_style.ramp = style::Ramp::Magma;
    s.density_style.scale = shared_scale({&k.raster}, style::Scale::Sqrt);
    s.density_style.opacity = 1.0;
    s.density_style.fade_t = 0;
    RgbaImage im;
    MapRenderResult res = render_map_image(s, PageSetup::device(1200, 900), im);
    double x = 0.5, y = 14.5;
    Transformer(Crs::wgs84(), crs).forward(x, y);
    const double v = k.raster.sample(x, y);
    const double t = s.density_style.scale.to_t(v);
    CHECK(t > 0.5); // it is a hot spot
    auto d = res.to_device(x, y);
    // Bilinear smoothing between 10 km cells: compare with the ramp at the cell's value.
    CHECK(diff(px_at(im, d[0], d[1]), style::ramp_color(style::Ramp::Magma, t)) <= 25);
    CHECK(res.legend_scale == "sqrt");
    CHECK(non_white_in_margin(im, res.margin) == 0);
}

TEST_CASE("hot spots: Gi* bin colours, counts in the result") {
    const Crs crs = Crs::default_analysis();
    VectorLayer a0 = admin0(crs);
    Raster bins(GridSpec::covering({-200e3, 200e3, 200e3, 600e3}, 100e3), crs, 0.f);
    bins.at(1, 1) = 3;
    bins.at(2, 2) = -3;
    bins.at(3, 3) = 1;
    VectorLayer hot = bin_raster_polygons(bins);
    REQUIRE(hot.features.size() == 3);
    MapSpec s;
    s.crs = crs;
    s.admin0 = &a0;
    s.hotspots = &hot;
    s.extent = {-1000e3, -300e3, 1000e3, 1200e3};
    RgbaImage im;
    MapRenderResult res = render_map_image(s, PageSetup::device(1000, 800), im);
    CHECK(res.hotspot_bins[6] == 1);
    CHECK(res.hotspot_bins[0] == 1);
    CHECK(res.hotspot_bins[4] == 1);
    auto centre = [&](int c, int r) {
        return res.to_device(bins.grid.col_center_x(c), bins.grid.row_center_y(r));
    };
    auto h = centre(1, 1), cold = centre(2, 2);
    auto ph = px_at(im, h[0], h[1]), pc = px_at(im, cold[0], cold[1]);
    // 85 % bin colour over the land fill.
    CHECK(std::abs(ph[0] - 0xd6) < 25);
    CHECK(ph[1] < 90);
    CHECK(pc[2] > 170);
    CHECK(pc[0] < 110);
    CHECK(!res.legend.empty());
}

TEST_CASE("time series: one fixed colour scale, stated in every legend; sheet and PDF pages") {
    const Crs crs = Crs::default_analysis();
    VectorLayer a0 = admin0(crs);
    std::vector<Raster> rs = {bump(crs, 0.5, 14.5, 0.01), bump(crs, 1.0, 12.0, 0.04), bump(crs, -1.0, 11.0, 0.02)};
    std::vector<const Raster*> rp;
    for (auto& r : rs) rp.push_back(&r);
    const style::ValueScale vs = shared_scale(rp, style::Scale::Linear);
    CHECK(vs.hi == doctest::Approx(rs[1].minmax()[1]));
    std::vector<MapSpec> specs;
    for (size_t i = 0; i < rs.size(); ++i) {
        MapSpec s;
        s.crs = crs;
        s.admin0 = &a0;
        s.density = &rs[i];
        s.density_style.scale = vs;
        s.title = "period " + std::to_string(i);
        s.legend_notes = {"fixed scale"};
        specs.push_back(s);
    }
    std::vector<double> his;
    for (auto& s : specs) {
        RgbaImage im;
        his.push_back(render_map_image(s, PageSetup::device(800, 600), im).legend_hi);
    }
    for (double h : his) CHECK(h == doctest::Approx(vs.hi));
    // Period 0's own peak is a quarter of the scale: its colour is ramp(0.25), not the top.
    {
        RgbaImage im;
        specs[0].density_style.opacity = 1;
        specs[0].density_style.fade_t = 0;
        auto res = render_map_image(specs[0], PageSetup::device(800, 600), im);
        double x = 0.5, y = 14.5;
        Transformer(Crs::wgs84(), crs).forward(x, y);
        auto d = res.to_device(x, y);
        CHECK(diff(px_at(im, d[0], d[1]), style::ramp_color(style::Ramp::Viridis, 0.25)) <= 12);
    }
    SheetSpec sh;
    sh.title = "by period";
    sh.maps = specs;
    RgbaImage im;
    auto cells = render_sheet_image(sh, PageSetup::device(1600, 1000), im);
    REQUIRE(cells.size() == 3);
    for (auto& c : cells) {
        CHECK(c.legend_hi == doctest::Approx(vs.hi));
        CHECK(!c.frame.empty());
        CHECK(c.frame.x1 <= cells.front().legend.x0); // the legend column is right of the grid
    }
    CHECK(non_white_in_margin(im, cells.front().margin) == 0);
    // Files: a 3-page PDF, an SVG and a PNG.
    auto dir = testutil::tmpdir("map_render");
    const std::string pdf = (dir / "series.pdf").string();
    auto pages = render_map_pdf_pages(specs, PageSetup::paper("A4", true), pdf);
    CHECK(pages.size() == 3);
    std::ifstream f(pdf, std::ios::binary);
    std::string head(5, '\0');
    f.read(head.data(), 5);
    CHECK(head == "%PDF-");
    render_map_file(specs[0], PageSetup::paper("letter", false), (dir / "one.svg").string());
    render_map_file(specs[0], PageSetup::paper("A4", true, 100), (dir / "one.png").string());
    render_sheet_file(sh, PageSetup::paper("A3", true), (dir / "sheet.pdf").string());
    CHECK(std::filesystem::file_size(dir / "one.svg") > 1000);
    CHECK(std::filesystem::file_size(dir / "one.png") > 1000);
    CHECK(std::filesystem::file_size(dir / "sheet.pdf") > 1000);
    CHECK_THROWS(render_map_file(specs[0], PageSetup::device(800, 600), (dir / "x.bmp").string()));
    CHECK_THROWS(PageSetup::paper("B5", true));
}

TEST_CASE("page setups and helpers") {
    auto a4 = PageSetup::paper("a4", true, 150);
    CHECK(a4.device_width() == 1754);
    CHECK(a4.device_height() == 1240);
    auto px = PageSetup::device(1600, 1000);
    CHECK(px.device_width() == 1600);
    CHECK(px.device_height() == 1000);
    CHECK(image_format_for("a/b.PDF") == ImageFormat::Pdf);
    CHECK(!image_format_for("a/b.tif"));
    CHECK(nice_ticks(0, 0.08, 4) == std::vector<double>{0, 0.02, 0.04, 0.06, 0.08});
    CHECK(short_num(0.0123456) == "0.0123");
    CHECK(short_num(1000) == "1000");
}

TEST_CASE("charts: bars and lines inside the plot, file formats") {
    ChartSpec c;
    c.title = "Events per month";
    c.series.push_back({"events", {1, 2, 3, 4}, {5, 7, 2, 9}, style::category_color(0), ChartSeries::Kind::Bars});
    c.series.push_back({"trend", {1, 4}, {4, 8}, style::rgb8(200, 20, 30), ChartSeries::Kind::Line, true});
    c.vlines = {{2.5, "border"}};
    c.synthetic = true;
    RgbaImage im;
    ChartResult r = render_chart_image(c, PageSetup::device(900, 500), im);
    CHECK(r.ymin == 0);
    CHECK(r.ymax >= 9);
    // The tallest bar (x = 4, y = 9) is filled with the series colour half-way up.
    const double X = r.plot.x0 + (4 - r.xmin) / (r.xmax - r.xmin) * (r.plot.x1 - r.plot.x0);
    const double Y = r.plot.y1 - (4.5 - r.ymin) / (r.ymax - r.ymin) * (r.plot.y1 - r.plot.y0);
    CHECK(diff(px_at(im, X, Y), style::category_color(0)) <= 3);
    auto dir = testutil::tmpdir("charts");
    render_chart_file(c, PageSetup::device(900, 500), (dir / "c.svg").string());
    render_chart_file(c, PageSetup::device(900, 500), (dir / "c.png").string());
    CHECK(std::filesystem::file_size(dir / "c.svg") > 500);
}

// Issue #19: a raster with tiny or far-away cells made draw_density convert doubles beyond int
// (UBSan: float-cast-overflow near map_render.cpp:128) and put cairo in an "invalid matrix" state
// in which cairo_set_source_surface leaked its pattern (LSan). Now each either draws or is
// refused with a GeoError; the sanitizer build (scripts/sanitize.sh) checks there is no UB or leak.
TEST_CASE("regression: density rasters with tiny or far-away cells: no float-to-int overflow, no cairo leak") {
    const Crs crs = Crs::default_analysis();
    struct G {
        double xmin, ymax, cell;
        bool must_refuse;
    };
    const G cases[] = {
        {0, 4e-300, 1e-300, false}, // tiny cells: an extent of 4e-300 is still drawable
        {1e300, 1e300, 1, true},    // far away: the extent rounds to nothing
        {1e20, 1e20, 1e-5, true},   // the "huge geotransform" of the issue
        {0, 4e300, 1e300, false},   // huge cells
        {-1e15, 1e15, 1e-3, true},  // far and fine
    };
    for (const G& c : cases) {
        CAPTURE(c.xmin);
        CAPTURE(c.cell);
        GridSpec g;
        g.xmin = c.xmin, g.ymax = c.ymax, g.cell = c.cell, g.width = 4, g.height = 4;
        Raster r(g, crs, 1.0f);
        r.data[5] = 3.0f;
        MapSpec s;
        s.crs = crs;
        s.density = &r;
        s.density_style.scale = shared_scale({&r}, style::Scale::Linear);
        RgbaImage im;
        bool refused = false;
        try {
            render_map_image(s, PageSetup::device(400, 300), im);
        } catch (const GeoError& e) {
            refused = true;
            CHECK(std::string(e.what()).find("density raster") != std::string::npos);
        }
        if (c.must_refuse) CHECK(refused);
        else CHECK_FALSE(refused);
    }
    // Tiny cells inside a view set by a wide layer: 1e-300 m cells are ~1e-304 pt on the page, a
    // scale cairo calls an invalid matrix (the leaking state): refused before any cairo call.
    GridSpec g;
    g.xmin = 0, g.ymax = 4e-300, g.cell = 1e-300, g.width = 4, g.height = 4;
    Raster r(g, crs, 1.0f);
    VectorLayer wide;
    wide.type = GeomType::Polygon;
    wide.fields = {"bin"};
    Feature f;
    f.geom.type = GeomType::Polygon;
    f.geom.polygons.push_back(Polygon{{Ring{{-1e6, -1e6}, {1e6, -1e6}, {1e6, 1e6}, {-1e6, 1e6}, {-1e6, -1e6}}}});
    f.attrs.push_back(AttrValue(int64_t(0)));
    wide.features.push_back(f);
    MapSpec s;
    s.crs = crs;
    s.density = &r;
    s.density_style.scale = shared_scale({&r}, style::Scale::Linear);
    s.hotspots = &wide;
    s.hotspot_field = "bin";
    RgbaImage im;
    CHECK_THROWS_WITH_AS(render_map_image(s, PageSetup::device(400, 300), im), doctest::Contains("cannot be placed on the page"),
                         GeoError);
}

TEST_CASE("regression: the legend moves off the data, the inset only adds context (issue #14)") {
    // The legend always sat bottom-left, over whatever was there; the inset repeated the main map.
    const Crs crs = Crs::default_analysis();
    VectorLayer a0 = admin0(crs);
    auto render = [&](const Raster& r, const BBox& extent) {
        MapSpec s;
        s.crs = crs;
        s.admin0 = &a0;
        s.density = &r;
        s.extent = extent;
        s.density_style.scale = shared_scale({&r}, style::Scale::Linear);
        RgbaImage im;
        return render_map_image(s, PageSetup::device(1400, 1000), im);
    };
    Transformer t(Crs::wgs84(), crs);
    const BBox sahel = t.forward_bbox({-12, 4, 16, 24});
    // Heat in the south-west corner (Liberia): the legend goes bottom-right, the scale bar left.
    MapRenderResult sw = render(bump(crs, -9.5, 6.0, 0.05, 120e3), sahel);
    CHECK(sw.legend.x0 > sw.frame.x0 + 0.5 * (sw.frame.x1 - sw.frame.x0));
    CHECK(sw.scalebar.x1 < sw.frame.x0 + 0.5 * (sw.frame.x1 - sw.frame.x0));
    // Heat in the middle only: the legend keeps its default bottom-left corner.
    MapRenderResult mid = render(bump(crs, 2, 14, 0.05, 120e3), sahel);
    CHECK(mid.legend.x0 < mid.frame.x0 + 0.5 * (mid.frame.x1 - mid.frame.x0));
    // The inset: kept for a zoomed map, dropped when the map shows most of the locator's area.
    MapRenderResult whole = render(bump(crs, 2, 14, 0.05, 120e3), a0.bbox()); // all the locator shows
    CHECK(whole.inset.empty());
    MapRenderResult zoom = render(bump(crs, 2, 14, 0.05, 120e3), t.forward_bbox({-4, 11, 3, 16}));
    CHECK(!zoom.inset.empty());
}
