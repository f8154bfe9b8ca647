// Outputs of the hot spot pipelines (geo hotspot_pipeline.hpp, behind `nexusmap hotspots | lisa |
// emerging` and the viewer): the multi-band GeoTIFF writer read back with the engine's reader, the
// time steps (spillover.hpp's PeriodUnit, the one time-step type), the fishnet cell outlines, and
// `nexusmap hotspots` end to end against the engine called directly on the same grid.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/hotspot_pipeline.hpp"
#include "nexusmap/hotspots.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/raster.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace hs = nexusmap::pipeline;

TEST_CASE("3-band GeoTIFF round trip: values, nodata, georeferencing, metadata") {
    const auto dir = testutil::tmpdir("hotspots_tif");
    GridSpec g;
    g.xmin = -50000, g.ymax = 120000, g.cell = 25000, g.width = 3, g.height = 2;
    const float nan = std::nanf("");
    std::vector<RasterBand> bands{{"z", {1.5f, -2.25f, nan, 0.f, 3.75f, -1e-3f}},
                                {"p", {0.1f, 0.02f, nan, 1.f, 0.001f, 0.5f}},
                                {"bin", {1.f, -2.f, nan, 0.f, 3.f, 0.f}}};
    const std::string path = (dir / "three.tif").string();
    write_geotiff_bands(g, Crs::laea(2, 12), bands, -9999.0f, {{"synthetic", "true"}, {"distance_band_m", "25000"}},
                            path);
    for (int b = 1; b <= 3; ++b) {
        Raster r = read_raster(path, b);
        CHECK(r.grid.width == 3);
        CHECK(r.grid.height == 2);
        CHECK(r.grid.xmin == doctest::Approx(-50000));
        CHECK(r.grid.ymax == doctest::Approx(120000));
        CHECK(r.grid.cell == doctest::Approx(25000));
        CHECK(r.has_nodata);
        CHECK(r.nodata == -9999.0f);
        CHECK(r.crs.same_as(Crs::laea(2, 12)));
        CHECK(r.metadata["synthetic"] == "true");
        CHECK(r.metadata["distance_band_m"] == "25000");
        const auto& want = bands[b - 1].data;
        for (size_t i = 0; i < want.size(); ++i) {
            if (std::isnan(want[i])) CHECK(r.is_nodata(r.data[i]));
            else CHECK(r.data[i] == want[i]); // float32 stored exactly
        }
    }
    CHECK_THROWS_AS(read_raster(path, 4), GeoError);
    // A band of the wrong size is refused and nothing is left behind.
    bands[1].data.pop_back();
    CHECK_THROWS_AS(write_geotiff_bands(g, Crs::laea(2, 12), bands, -9999.0f, {}, (dir / "bad.tif").string()),
                    GeoError);
    CHECK(!std::filesystem::exists(dir / "bad.tif"));
}

TEST_CASE("time steps: month, quarter and year numbers and labels") {
    using P = PeriodUnit;
    const int32_t d = days_from_civil(2019, 3, 15);
    CHECK(period_label(period_index(d, P::Month), P::Month) == "2019-03");
    CHECK(period_label(period_index(d, P::Quarter), P::Quarter) == "2019-Q1");
    CHECK(period_label(period_index(d, P::Year), P::Year) == "2019");
    // Consecutive across a year boundary.
    const int32_t dec = days_from_civil(2019, 12, 31), jan = days_from_civil(2020, 1, 1);
    CHECK(period_index(jan, P::Month) - period_index(dec, P::Month) == 1);
    CHECK(period_index(jan, P::Quarter) - period_index(dec, P::Quarter) == 1);
    CHECK(period_label(period_index(dec, P::Quarter), P::Quarter) == "2019-Q4");
    CHECK(period_index(days_from_civil(2019, 4, 1), P::Quarter) - period_index(d, P::Quarter) == 1);
    CHECK(period_index(days_from_civil(2019, 3, 31), P::Quarter) == period_index(d, P::Quarter));
}

TEST_CASE("fishnet cell outlines: closed, counter-clockwise, exactly the cell") {
    GridSpec g;
    g.xmin = 1000, g.ymax = 9000, g.cell = 500, g.width = 4, g.height = 3;
    const Polygon p = hs::cell_polygon(g, 2, 1);
    REQUIRE(p.rings.size() == 1);
    const Ring& r = p.rings[0];
    REQUIRE(r.size() == 5);
    CHECK(r.front().x == r.back().x);
    CHECK(r.front().y == r.back().y);
    double a2 = 0, xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
    for (size_t i = 0; i + 1 < r.size(); ++i) {
        a2 += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y;
        xmin = std::min(xmin, r[i].x), xmax = std::max(xmax, r[i].x);
        ymin = std::min(ymin, r[i].y), ymax = std::max(ymax, r[i].y);
    }
    CHECK(a2 / 2 == doctest::Approx(500.0 * 500.0)); // positive: counter-clockwise
    CHECK(xmin == 2000);
    CHECK(xmax == 2500);
    CHECK(ymax == 8500); // row 1 is the second row from the north
    CHECK(ymin == 8000);
    CHECK((xmin + xmax) / 2 == doctest::Approx(g.col_center_x(2)));
    CHECK((ymin + ymax) / 2 == doctest::Approx(g.row_center_y(1)));
}

namespace {
int run_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "nexusmap");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return cli::run(static_cast<int>(argv.size()), argv.data());
}
} // namespace

TEST_CASE("`nexusmap hotspots` fishnet GeoTIFF equals the engine's Gi* on the same grid") {
    const auto dir = testutil::tmpdir("hotspots_cli");
    // A tight cluster near (0.5E, 14.5N) and a thin scatter around it.
    std::vector<double> lon, lat;
    stats::Rng rng(7);
    for (int i = 0; i < 300; ++i) lon.push_back(0.5 + 0.2 * (rng.uniform() - 0.5)), lat.push_back(14.5 + 0.2 * (rng.uniform() - 0.5));
    for (int i = 0; i < 200; ++i) lon.push_back(-1 + 3 * rng.uniform()), lat.push_back(13 + 3 * rng.uniform());
    const std::string csv = (dir / "events.csv").string();
    {
        std::ofstream f(csv);
        f << "event_date,latitude,longitude\n";
        f.precision(10);
        for (size_t i = 0; i < lon.size(); ++i) f << "2020-01-" << (10 + i % 20) << "," << lat[i] << "," << lon[i] << "\n";
    }
    const std::string prefix = (dir / "out").string();
    // The whole box and normal p, to compare with the engine's unmasked Gi* (the defaults - study
    // area and permutations - are checked in tests/cli/test_hotspots_cli.sh).
    REQUIRE(run_cli({"hotspots", csv, "--units", "fishnet", "--cell-km", "10", "--band-km", "30", "--study-area", "all",
                     "--permutations", "0", "--out", prefix}) == 0);

    // The same analysis through the engine.
    std::vector<double> x = lon, y = lat;
    Transformer t(Crs::wgs84(), Crs::from_user("laea:2,12"));
    t.forward(x.data(), y.data(), x.size());
    BBox b = BBox::inverted();
    for (size_t i = 0; i < x.size(); ++i) b.expand(x[i], y[i]);
    const GridSpec g = GridSpec::covering(b, 10000);
    const UnitAggregate agg = fishnet_aggregate(g, x, y);
    GiStarParams gp;
    gp.distance_m = 30000;
    const GiStarResult want = gi_star_fishnet(g, agg.value, {}, gp);

    Raster z = read_raster(prefix + "_gistar.tif", 1), p = read_raster(prefix + "_gistar.tif", 2),
           bin = read_raster(prefix + "_gistar.tif", 3);
    REQUIRE(z.grid.width == g.width);
    REQUIRE(z.grid.height == g.height);
    CHECK(z.grid.xmin == doctest::Approx(g.xmin));
    CHECK(z.grid.ymax == doctest::Approx(g.ymax));
    CHECK(z.metadata["distance_band_m"] == "30000");
    CHECK(z.metadata["n_units"] == std::to_string(g.size()));
    CHECK(z.metadata["synthetic"] == "false");
    size_t hot = 0;
    for (size_t k = 0; k < g.size(); ++k) {
        CHECK(z.data[k] == doctest::Approx(want.z[k]).epsilon(1e-6));
        CHECK(p.data[k] == doctest::Approx(want.p[k]).epsilon(1e-5).scale(1e-30));
        CHECK(bin.data[k] == static_cast<float>(want.bin[k]));
        hot += want.bin[k] == 3;
    }
    CHECK(hot > 0);
    // The cell holding the cluster centre is a 99% hot spot.
    double cx = 0.5, cy = 14.5;
    t.forward(cx, cy);
    CHECK(bin.sample(cx, cy) == 3);
    // Second run refuses to overwrite; --force allows it.
    CHECK(run_cli({"hotspots", csv, "--cell-km", "10", "--band-km", "30", "--out", prefix}) != 0);
    CHECK(run_cli({"hotspots", csv, "--cell-km", "10", "--band-km", "30", "--out", prefix, "--force"}) == 0);
}

TEST_CASE("hot spot pipeline: validation before work, the files a product makes, one metadata record") {
    namespace pl = nexusmap::pipeline;
    // Parameters are checked in one place, naming the setting.
    pl::HotspotParams bad;
    bad.units.cell_km = -1;
    CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("--cell-km"), GeoError);
    pl::HotspotParams small_band;
    small_band.units.cell_km = 25, small_band.units.band_km = 10;
    CHECK_THROWS_WITH_AS(small_band.validate(), doctest::Contains("smaller than the cell"), GeoError);
    pl::EmergingParams em;
    CHECK(em.units.cell_km == 50); // emerging's coarser default
    em.units.units = "admin1";
    CHECK_THROWS_AS(em.validate(), GeoError);
    pl::LisaParams lp;
    lp.alpha = 1.5;
    CHECK_THROWS_WITH_AS(lp.validate(), doctest::Contains("--alpha"), GeoError);
    // Files: fishnet Gi* -> GeoTIFF + CSV + GPKG + class raster; emerging -> GeoJSON + CSV + GPKG.
    const auto fg = pl::product_files(pl::Analysis::GiStar, true, "x/s");
    REQUIRE(fg.size() == 4);
    CHECK(fg[0].path == "x/s_gistar.tif");
    CHECK(fg[3].path == "x/s_gistar_bin.tif");
    CHECK(fg[0].kind == ProductKind::Raster);
    const auto fe = pl::product_files(pl::Analysis::Emerging, true, "s");
    REQUIRE(fe.size() == 3);
    CHECK(fe[0].path == "s_emerging.geojson");
    CHECK(pl::product_files(pl::Analysis::Lisa, false, "s")[0].path == "s_lisa.geojson");

    // A run on a planted cluster: the product's table, bands and metadata agree with each other.
    const auto dir = testutil::tmpdir("hotspot_pipeline");
    const std::string csv = (dir / "ev.csv").string();
    {
        std::ofstream f(csv);
        f << "event_date,latitude,longitude\n";
        stats::Rng rng(3);
        for (int i = 0; i < 200; ++i) f << "2020-02-01," << 14.5 + 0.1 * rng.uniform() << "," << 0.5 + 0.1 * rng.uniform() << "\n";
        for (int i = 0; i < 150; ++i) f << "2020-02-02," << 13 + 3 * rng.uniform() << "," << -1 + 3 * rng.uniform() << "\n";
    }
    EventTable ev = load_events(csv).events;
    project_events(ev, Crs::from_user("laea:2,12"));
    pl::EventInputs in;
    in.events = &ev;
    pl::HotspotParams hp;
    hp.units.cell_km = 20, hp.units.band_km = 60, hp.units.study_area = "all";
    hp.permutations = 0;
    const pl::Product p = pl::run_hotspots(in, hp);
    REQUIRE(p.fishnet());
    CHECK(p.units.size() == p.units.grid.size()); // study area "all": every cell
    CHECK(p.table.rows.size() == p.units.size());
    CHECK(p.layer.features.size() == p.units.size());
    REQUIRE(p.bands.size() == 3);
    CHECK(p.metadata.at("n_units") == std::to_string(p.units.size()));
    CHECK(p.metadata.at("distance_band_m") == "60000");
    CHECK(p.metadata.at("value") == "event count per unit");
    double total = 0;
    for (double c : p.units.count) total += c;
    CHECK(total == doctest::Approx(350)); // every event in one cell
    // The cell with the cluster is a 99% hot spot, in the result, the layer and the bin band.
    size_t best = 0;
    for (size_t u = 1; u < p.units.size(); ++u)
        if (p.units.count[u] > p.units.count[best]) best = u;
    CHECK(p.gi.bin[best] == 3);
    CHECK(p.bands[2].data[p.units.raw_of[best]] == 3.f);
    // Written through the registry: the files product_files() names, the CSV sidecar's metadata the
    // product's record.
    const std::string stem = (dir / "out").string();
    const auto written = pl::write_product(p, stem);
    REQUIRE(written.size() == 4);
    for (auto& w : written) CHECK(std::filesystem::exists(w));
    const Metadata side = read_csv_sidecar(stem + "_gistar.csv");
    CHECK(side.at("n_units") == p.metadata.at("n_units"));
    CHECK(side.at("created") == p.metadata.at("created"));
}
