// Zonal counts: events per polygon and rates per 10,000 km^2 against hand counts.
#include <doctest/doctest.h>

#include <cmath>

#include "nexusmap/error.hpp"
#include "nexusmap/pipeline/contours_zonal.hpp"
#include "nexusmap/zonal.hpp"

using namespace nexusmap;

namespace {
// Two 1 x 1 degree cells at 12-13 N: "west" (0-1 E) and "east" (1-2 E), in lon/lat.
VectorLayer two_cells() {
    VectorLayer l;
    l.crs = Crs::wgs84();
    l.type = GeomType::Polygon;
    l.fields = {"name"};
    for (int i = 0; i < 2; ++i) {
        Feature f;
        f.geom.type = GeomType::Polygon;
        f.geom.polygons.push_back({{{{double(i), 12}, {double(i + 1), 12}, {double(i + 1), 13}, {double(i), 13}, {double(i), 12}}}});
        f.attrs = {std::string(i ? "east" : "west")};
        l.features.push_back(f);
    }
    return l;
}
} // namespace

TEST_CASE("counts, weighted counts and rates per 10,000 km^2 of two 1-degree cells") {
    const VectorLayer l = two_cells();
    EventTable ev;
    auto add = [&](double lon, double lat, float w) {
        ev.lon.push_back(lon), ev.lat.push_back(lat), ev.weight.push_back(w);
    };
    add(0.5, 12.5, 2), add(0.2, 12.1, 1), add(1.5, 12.5, 4), add(5, 5, 1); // last one outside
    ZonalResult z = zonal_counts(ev, l);
    CHECK(z.outside == 1);
    CHECK(z.outside_weight == 1);
    auto& f0 = z.layer.features[0];
    const int ie = z.layer.field_index("events"), iw = z.layer.field_index("weighted"), ia = z.layer.field_index("area_km2"),
              ir = z.layer.field_index("events_per_10k_km2");
    CHECK(std::get<int64_t>(f0.attrs[ie]) == 2);
    CHECK(std::get<double>(f0.attrs[iw]) == 3);
    CHECK(std::get<int64_t>(z.layer.features[1].attrs[ie]) == 1);
    // Ellipsoidal area of a 1x1 degree cell at 12-13N is 12,024.7 km^2 (closed form, see test_crs).
    CHECK(std::get<double>(f0.attrs[ia]) == doctest::Approx(12'024.7).epsilon(2e-3));
    CHECK(std::get<double>(f0.attrs[ir]) == doctest::Approx(2 / 12'024.7 * 1e4).epsilon(2e-3));
}

TEST_CASE("per-capita rates: events per 100,000 people from a population field; spread shares count as fractions") {
    VectorLayer l;
    l.crs = Crs::wgs84();
    l.type = GeomType::Polygon;
    l.fields = {"name", "pop"};
    for (int i = 0; i < 3; ++i) {
        Feature f;
        f.geom.type = GeomType::Polygon;
        f.geom.polygons.push_back({{{{double(i), 12}, {double(i + 1), 12}, {double(i + 1), 13}, {double(i), 13}, {double(i), 12}}}});
        // 250,000 people; 40,000; and a unit with no population (rate left empty, not infinite).
        f.attrs = {std::string("u") + std::to_string(i), i == 0 ? AttrValue{int64_t(250'000)} : i == 1 ? AttrValue{40'000.0} : AttrValue{}};
        l.features.push_back(f);
    }
    EventTable ev;
    auto add = [&](double lon, double lat, float w, float share) {
        ev.lon.push_back(lon), ev.lat.push_back(lat), ev.weight.push_back(w), ev.share.push_back(share);
    };
    // Unit 0: 1 whole event + 2 quarters of a spread one; unit 1: the other 2 quarters + 1 whole.
    add(0.5, 12.5, 1, 1), add(0.2, 12.2, 0.25f, 0.25f), add(0.7, 12.7, 0.25f, 0.25f);
    add(1.2, 12.2, 0.25f, 0.25f), add(1.7, 12.7, 0.25f, 0.25f), add(1.5, 12.5, 1, 1), add(2.5, 12.5, 1, 1);
    ZonalParams p;
    p.population_field = "pop";
    ZonalResult z = zonal_counts(ev, l, p);
    const int ie = z.layer.field_index("events"), ip = z.layer.field_index("population"),
              ir = z.layer.field_index("events_per_100k_pop");
    REQUIRE(ir >= 0);
    CHECK(std::get<double>(z.layer.features[0].attrs[ie]) == 1.5);
    CHECK(std::get<double>(z.layer.features[1].attrs[ie]) == 1.5);
    CHECK(std::get<double>(z.layer.features[0].attrs[ip]) == 250'000);
    CHECK(std::get<double>(z.layer.features[0].attrs[ir]) == doctest::Approx(1.5 / 250'000 * 1e5).epsilon(1e-12));
    CHECK(std::get<double>(z.layer.features[1].attrs[ir]) == doctest::Approx(1.5 / 40'000 * 1e5).epsilon(1e-12));
    CHECK(std::isnan(std::get<double>(z.layer.features[2].attrs[ir])));
    p.population_field = "people";
    CHECK_THROWS_WITH_AS(zonal_counts(ev, l, p), doctest::Contains("no population field 'people'"), GeoError);
}

TEST_CASE("zonal pipeline: settings as the CLI flags; the product's counts, table, style and summary") {
    pipeline::ZonalRun run;
    run.set("scale=sqrt");
    run.set("fields=name");
    run.set("style-field=events");
    CHECK(run.scale == "sqrt");
    CHECK(run.fields == std::vector<std::string>{"name"});
    CHECK_THROWS_WITH_AS(run.set("colour=red"), doctest::Contains("unknown key 'colour'"), GeoError);
    pipeline::ZonalRun bad;
    bad.set("ramp=rainbow");
    CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("--ramp 'rainbow'"), GeoError);
    CHECK(pipeline::ZonalRun{}.polygon_spec("D") == "D/basemap/west_africa.gpkg:admin1");

    const VectorLayer l = two_cells();
    EventTable ev;
    ev.crs = Crs::default_analysis(); // areas in the analysis CRS, as the loaders set it
    for (auto [lon, lat] : {std::pair{0.5, 12.5}, {0.2, 12.1}, {1.5, 12.5}, {5.0, 5.0}})
        ev.lon.push_back(lon), ev.lat.push_back(lat), ev.weight.push_back(1);
    const pipeline::LayerProduct p = pipeline::run_zonal(ev, l, run, "cells.geojson", "2020-01-01", "2020-12-31");
    REQUIRE(p.layer.features.size() == 2);
    const int ie = p.layer.field_index("events");
    CHECK(std::get<int64_t>(p.layer.features[0].attrs[ie]) == 2);
    CHECK(std::get<int64_t>(p.layer.features[1].attrs[ie]) == 1);
    CHECK(p.metadata.at("polygons") == "cells.geojson");
    CHECK(p.metadata.at("events_outside_polygons") == "1");
    CHECK(p.metadata.at("style").find("events through ramp") != std::string::npos);
    CHECK(p.table_metadata.count("style") == 0); // the table carries no colours
    CHECK(p.table.rows.size() == 2);
    REQUIRE_FALSE(p.summary.empty());
    CHECK(p.summary.back() == "2 polygons; 3 events inside, 1 outside every polygon");
    // Refused before writing: a style field the result does not have.
    run.set("style-field=nope");
    CHECK_THROWS_WITH_AS(pipeline::run_zonal(ev, l, run, "x"), doctest::Contains("no field 'nope'"), GeoError);
}
