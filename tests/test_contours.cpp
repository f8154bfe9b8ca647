// Percent-volume contours: valid polygons holding the stated share of the mass.
#include <doctest/doctest.h>

#include <cmath>

#include "nexusmap/contours.hpp"
#include "nexusmap/density.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/pipeline/contours_zonal.hpp"

using namespace nexusmap;

TEST_CASE("percent-volume polygons are valid and hold the stated share of the mass (1%)") {
    // Two Gaussian blobs of different weight on a 2 km grid.
    std::vector<double> x, y;
    for (int i = 0; i < 400; ++i) {
        double t = i * 2.399963; // golden-angle spiral: deterministic, well spread
        double r = 30'000 * std::sqrt((i % 200) / 200.0);
        double cx = i < 300 ? 0 : 150'000;
        x.push_back(cx + r * std::cos(t));
        y.push_back(r * std::sin(t));
    }
    KdeParams p;
    p.bandwidth_m = 25'000;
    p.cell_m = 2'000;
    GridSpec g = grid_for_points(x, y, 30'000, 2'000);
    auto kde = kernel_density({&x, &y, nullptr}, g, Crs::default_analysis(), p);
    ContourParams cp;
    cp.percent_volumes = {50, 75, 90};
    VectorLayer l = contour_polygons(kde.raster, cp);
    REQUIRE(l.features.size() == 3);
    double prev_area = 0;
    for (size_t i = 0; i < 3; ++i) {
        auto& f = l.features[i];
        CHECK(is_valid(f.geom));
        const double share = std::get<double>(f.attrs[3]);
        CHECK(share == doctest::Approx(cp.percent_volumes[i] / 100.0).epsilon(0.01));
        const double a = std::get<double>(f.attrs[2]);
        CHECK(a > prev_area); // nested: more mass needs more area
        prev_area = a;
    }
    // The level for 100% is the smallest positive cell; 50% level is above 90%'s.
    CHECK(percent_volume_level(kde.raster, 0.5) > percent_volume_level(kde.raster, 0.9));
    CHECK_THROWS_AS(percent_volume_level(kde.raster, 1.5), GeoError);
}

TEST_CASE("explicit level: polygon area matches the cells above the level (one cell ring tolerance)") {
    // A cone-shaped surface: v = max(0, 1 - r / 50 km). {v >= 0.5} is a disk of radius 25 km.
    GridSpec g;
    g.xmin = -60'000, g.ymax = 60'000, g.cell = 1'000, g.width = 120, g.height = 120;
    Raster r(g, Crs::default_analysis(), 0.0f);
    for (int row = 0; row < g.height; ++row)
        for (int col = 0; col < g.width; ++col) {
            double d = std::hypot(g.col_center_x(col), g.row_center_y(row));
            r.at(col, row) = static_cast<float>(std::max(0.0, 1 - d / 50'000));
        }
    ContourParams cp;
    cp.levels = {0.5};
    VectorLayer l = contour_polygons(r, cp);
    REQUIRE(l.features.size() == 1);
    const double expect_km2 = M_PI * 25 * 25; // 1963.5 km^2
    CHECK(std::get<double>(l.features[0].attrs[2]) == doctest::Approx(expect_km2).epsilon(0.01));
}

TEST_CASE("regression: contours refuse infinite cells, and percent volumes over negative cells") {
    // "level inf" and "0% of the mass" used to come out with exit 0.
    Raster r;
    r.grid = GridSpec{0, 10'000, 1'000, 10, 10};
    r.crs = Crs::default_analysis();
    r.data.assign(100, 0.0f);
    for (int i = 3; i < 7; ++i)
        for (int j = 3; j < 7; ++j) r.data[size_t(i * 10 + j)] = 1.0f;
    ContourParams pv;
    pv.percent_volumes = {50};
    CHECK(contour_polygons(r, pv).features.size() == 1); // the clean raster works
    Raster inf = r;
    inf.data[0] = INFINITY;
    CHECK_THROWS_WITH_AS(contour_polygons(inf, pv), doctest::Contains("1 cells hold infinite, NaN or float-overflow values"), GeoError);
    Raster neg = r;
    neg.data[0] = -2.0f, neg.data[1] = -1.0f;
    CHECK_THROWS_WITH_AS(contour_polygons(neg, pv), doctest::Contains("2 cells are negative"), GeoError);
    // Explicit levels still contour a signed surface, with a warning that mass_share means nothing.
    ContourParams lv;
    lv.levels = {0.5};
    VectorLayer l = contour_polygons(neg, lv);
    CHECK(l.features.size() == 1);
    REQUIRE(l.warnings.size() == 1);
    CHECK(l.warnings[0].find("mass_share") != std::string::npos);
    // Nodata cells are not values: a nodata-marked infinity is no error.
    Raster nd = r;
    nd.data[0] = nd.nodata;
    CHECK_NOTHROW(contour_polygons(nd, pv));
}

TEST_CASE("contours pipeline: settings as the CLI flags; default 50/75/90 % volumes; metadata names the density") {
    pipeline::ContourRun run;
    run.set("percent=50,90");
    run.set("ramp=magma");
    CHECK(run.percent == std::vector<double>{50, 90});
    CHECK_THROWS_WITH_AS(run.set("level=3"), doctest::Contains("unknown key 'level'"), GeoError);
    pipeline::ContourRun bad;
    bad.set("percent=0,50");
    CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("(0, 100]"), GeoError);
    bad = {};
    bad.set("fill-opacity=2");
    CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("--fill-opacity"), GeoError);

    std::vector<double> x, y;
    for (int i = 0; i < 200; ++i) {
        const double t = i * 2.399963, r = 20'000 * std::sqrt(i / 200.0);
        x.push_back(r * std::cos(t)), y.push_back(r * std::sin(t));
    }
    KdeParams kp;
    kp.bandwidth_m = 15'000;
    kp.cell_m = 2'000;
    auto kde = kernel_density({&x, &y, nullptr}, grid_for_points(x, y, 20'000, 2'000), Crs::default_analysis(), kp);
    const pipeline::LayerProduct p = pipeline::run_contours(kde.raster, run, "density.tif");
    REQUIRE(p.layer.features.size() == 2);
    CHECK(std::get<double>(p.layer.features[0].attrs[3]) == doctest::Approx(0.5).epsilon(0.01));
    CHECK(p.metadata.at("derived_from") == "density.tif");
    CHECK(p.metadata.at("style").find("magma") != std::string::npos);
    CHECK(p.summary.size() == 2);
    const pipeline::LayerProduct d = pipeline::run_contours(kde.raster, pipeline::ContourRun{}, "d");
    CHECK(d.layer.features.size() == 3); // 50, 75, 90 % by default
}
