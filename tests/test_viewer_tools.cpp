// The viewer's analyst tools, GL-free parts (nexusmap_viewer_core): geodesic measure, graticule,
// attribute table, bookmarks / sketches with undo, UI settings, and their project state.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "nexusmap/error.hpp"
#include "nexusmap/layers.hpp"
#include "test_util.hpp"
#include "viewer/attribute_table.hpp"
#include "viewer/edits.hpp"
#include "viewer/graticule.hpp"
#include "viewer/measure.hpp"
#include "viewer/project.hpp"
#include "viewer/ui_settings.hpp"

using namespace nexusmap;
using namespace nexusmap::viewer;

namespace {
// WGS 84 and closed forms on its ellipsoid (independent of PROJ's geodesic code).
constexpr double kA = 6378137.0, kF = 1 / 298.257223563;
const double kE2 = kF * (2 - kF), kE = std::sqrt(kE2), kB = kA * (1 - kF);
// Area between the equator and latitude phi over the full circle of longitude (authalic form):
// 2*pi*b^2 * [sin(phi) / (2 (1 - e^2 sin^2 phi)) + atanh(e sin phi) / (2 e)].
double band_area_m2(double phi_deg) {
    const double s = std::sin(phi_deg * std::numbers::pi / 180);
    return 2 * std::numbers::pi * kB * kB * (s / (2 * (1 - kE2 * s * s)) + std::atanh(kE * s) / (2 * kE));
}
} // namespace

TEST_CASE("measure: geodesic lengths match published WGS 84 values") {
    // Quarter meridian (equator to pole) of WGS 84: 10,001,965.729 m (published, e.g. NGA /
    // GeographicLib's documentation); to 1 mm.
    const Measurement q = measure({{0, 0}, {0, 90}});
    CHECK(q.length_km == doctest::Approx(10001.965729).epsilon(1e-10));
    // Along the equator (a geodesic there): a * pi / 180 per degree, closed form; to 1 mm over 3 legs.
    const Measurement e = measure({{0, 0}, {1, 0}, {2, 0}, {3, 0}});
    CHECK(std::abs(e.length_km - 3 * kA * std::numbers::pi / 180 / 1000) < 1e-6);
    CHECK(e.area_km2 == 0); // collinear vertices on the equator enclose nothing
    CHECK(measure({{5, 5}}).length_km == 0);
}

TEST_CASE("measure: geodesic areas match the ellipsoid's closed form") {
    // The octant bounded by the equator and two meridians 90 degrees apart: all three edges are
    // geodesics, so its area is exactly 1/4 of the northern band: band_area(90) / 4.
    const double octant = band_area_m2(90) / 4 / 1e6;
    const Measurement o = measure({{0, 0}, {90, 0}, {0, 90}});
    CHECK(o.area_km2 == doctest::Approx(octant).epsilon(1e-9));
    // Sanity of the closed form itself: the whole ellipsoid is 510,065,621.7 km^2 (published).
    CHECK(8 * octant == doctest::Approx(510065621.72).epsilon(1e-10));
    // A 10-degree wedge from the equator to the pole, either orientation: 10/360 of the band.
    const double wedge = band_area_m2(90) * 10 / 360 / 1e6;
    CHECK(measure({{0, 0}, {10, 0}, {10, 90}, {0, 90}}).area_km2 == doctest::Approx(wedge).epsilon(1e-9));
    CHECK(measure({{0, 90}, {10, 90}, {10, 0}, {0, 0}}).area_km2 == doctest::Approx(wedge).epsilon(1e-9));
    // Perimeter: two quarter meridians and 10 degrees of equator.
    CHECK(o.perimeter_km ==
          doctest::Approx(2 * 10001.965729 + 90 * kA * std::numbers::pi / 180 / 1000).epsilon(1e-10));
    CHECK(std::isnan(measure({{0, 0}, {NAN, 1}, {1, 1}}).area_km2));
}

TEST_CASE("measure: formatting") {
    CHECK(format_length_km(1234.56) == "1,234.6 km");
    CHECK(format_length_km(0.25) == "250 m");
    CHECK(format_length_km(12.345) == "12.35 km");
    CHECK(format_area_km2(123456.7) == "123,457 km\xc2\xb2");
    CHECK(format_area_km2(0.5) == "0.500 km\xc2\xb2");
}

TEST_CASE("graticule: step adapts to the span, lines sit on multiples, labels") {
    CHECK(graticule_step(60) == 10);
    CHECK(graticule_step(40) == 5);
    CHECK(graticule_step(8) == 1);
    CHECK(graticule_step(3) == 0.5);
    CHECK(graticule_step(0.5) == 0.1);
    CHECK(graticule_step(1000) == 30);
    const auto lines = graticule_lines(-17.3, 3.2, 24.1, 25.7, 5, 8);
    size_t meridians = 0, parallels = 0;
    for (const auto& l : lines) {
        (l.meridian ? meridians : parallels)++;
        CHECK(std::fmod(std::abs(l.value), 5.0) == doctest::Approx(0));
        CHECK(l.pts.size() == 9);
        if (l.meridian) CHECK(l.pts.front().lon == l.value);
    }
    CHECK(meridians == 8); // -15 .. 20
    CHECK(parallels == 5); // 5 .. 25
    CHECK(graticule_label(-15, true) == "15\xc2\xb0W");
    CHECK(graticule_label(5, false) == "5\xc2\xb0N");
    CHECK(graticule_label(0, false) == "0\xc2\xb0");
    CHECK(graticule_label(-0.5, false) == "0.5\xc2\xb0S");
    CHECK(graticule_label(2.25, true) == "2.25\xc2\xb0"
                                         "E");
    CHECK(graticule_lines(10, 0, 5, 1, 1).empty()); // inverted box
}

namespace {
VectorLayer sample_layer() {
    VectorLayer l;
    l.type = GeomType::Point;
    l.fields = {"name", "pop"};
    auto add = [&](std::string n, AttrValue pop, double x, double y) {
        Feature f;
        f.geom.type = GeomType::Point;
        f.geom.points = {{x, y}};
        f.attrs = {std::move(n), pop};
        l.features.push_back(std::move(f));
    };
    add("Bamako", int64_t(2700000), 0, 0);
    add("abidjan", int64_t(5600000), 10, 0);
    add("Niamey", AttrValue{}, 0, 10);
    add("Accra", 900000.5, 20, 20);
    return l;
}
} // namespace

TEST_CASE("attribute table: filter, sort (numeric, text, empty last), selection box, pick") {
    const VectorLayer l = sample_layer();
    CHECK(attribute_rows(l, -1, true, "") == std::vector<size_t>{0, 1, 2, 3});
    CHECK(attribute_rows(l, 1, true, "") == std::vector<size_t>{3, 0, 1, 2});  // numbers, empty last
    CHECK(attribute_rows(l, 1, false, "") == std::vector<size_t>{1, 0, 3, 2}); // empty last either way
    CHECK(attribute_rows(l, 0, true, "") == std::vector<size_t>{1, 3, 0, 2});  // case-folded text
    CHECK(attribute_rows(l, 0, true, "AM") == std::vector<size_t>{0, 2});      // Bamako, Niamey
    CHECK(attribute_rows(l, 0, true, "5600").size() == 1);                     // numbers match as text too
    const BBox b = selection_bbox(l, {0, 3});
    CHECK(b.xmin == 0);
    CHECK(b.xmax == 20);
    CHECK(b.ymax == 20);
    CHECK(feature_at(l, nullptr, 9.5, 0.2, 1) == 1);
    CHECK(feature_at(l, nullptr, 5, 5, 1) == -1);
    // Polygons: the one containing the point (ring test without an index), holes excluded.
    VectorLayer p;
    p.type = GeomType::Polygon;
    Feature f;
    f.geom.type = GeomType::Polygon;
    f.geom.polygons.push_back(Polygon{
        {Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, Ring{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}}}});
    p.features.push_back(f);
    CHECK(feature_at(p, nullptr, 2, 2, 0) == 0);
    CHECK(feature_at(p, nullptr, 5, 5, 0) == -1);
    const PolygonIndex idx(p);
    CHECK(feature_at(p, &idx, 2, 2, 0) == 0);
}

TEST_CASE("edits: undo and redo of sketch vertices and bookmarks") {
    EditState s;
    EditHistory h;
    CHECK_FALSE(h.undo(s));
    h.record(s);
    s.sketches.push_back({Sketch::Kind::Area, "aoi", {{0, 0}}});
    h.record(s);
    s.sketches[0].pts.push_back({1, 0});
    h.record(s);
    s.bookmarks.push_back({"Liptako", -1, 14, 2, "equal-area"});
    const EditState full = s;
    REQUIRE(h.undo(s));
    CHECK(s.bookmarks.empty());
    CHECK(s.sketches[0].pts.size() == 2);
    REQUIRE(h.undo(s));
    CHECK(s.sketches[0].pts.size() == 1);
    REQUIRE(h.redo(s));
    REQUIRE(h.redo(s));
    CHECK(s == full);
    CHECK_FALSE(h.redo(s));
    // A new edit after an undo drops the redo branch.
    REQUIRE(h.undo(s));
    h.record(s);
    s.measure.push_back({3, 3});
    CHECK_FALSE(h.can_redo());
}

TEST_CASE("edits: project JSON round trip and errors naming the member") {
    EditState s;
    s.bookmarks.push_back({"Liptako-Gourma", 0.5, 14.25, 1.5, "mercator"});
    s.sketches.push_back({Sketch::Kind::Route, "N1", {{-4, 12}, {-1.5, 12.4}}});
    EditState back;
    CHECK(edits_from_json(edits_to_json(s), back) == "");
    CHECK(back == s);
    auto j = edits_to_json(s);
    j["bookmarks"][0]["lat"] = 95;
    CHECK(edits_from_json(j, back).rfind("bookmarks[0].lon/lat: latitude", 0) == 0);
    j = edits_to_json(s);
    j["sketches"][0]["vertices"][1] = "x";
    CHECK(edits_from_json(j, back) == "sketches[0].vertices[1]: expected [lon, lat]");
    j = edits_to_json(s);
    j["sketches"][0]["kind"] = "circle";
    CHECK(edits_from_json(j, back).find("kind: expected area or route") != std::string::npos);
    CHECK(parse_lonlat_list("-1.5,12.3; 2,13.5;").size() == 2);
    CHECK_THROWS_WITH_AS(parse_lonlat_list("1,2;3"), "vertex 2 \"3\": expected LON,LAT", GeoError);
    CHECK_THROWS_AS(parse_lonlat_list("1,95"), GeoError);
}

TEST_CASE("edits: a drawn area and route saved as GeoJSON load back with geo's reader") {
    const auto dir = testutil::tmpdir("viewer_sketch");
    const Sketch area{Sketch::Kind::Area, "aoi", {{-5, 10}, {2, 10}, {2, 15}, {-5, 15}}};
    const Sketch route{Sketch::Kind::Route, "route", {{-4, 12}, {-1.5, 12.4}, {1, 13}}};
    save_sketch(area, (dir / "aoi.geojson").string());
    save_sketch(route, (dir / "route.geojson").string());
    const VectorLayer a = read_layer((dir / "aoi.geojson").string());
    REQUIRE(a.features.size() == 1);
    CHECK(a.type == GeomType::Polygon);
    REQUIRE(a.features[0].geom.polygons.size() == 1);
    const Ring& ring = a.features[0].geom.polygons[0].rings[0];
    REQUIRE(ring.size() == 5); // closed
    CHECK(ring.front().x == doctest::Approx(-5));
    CHECK(a.attr_string(0, "kind") == "area");
    const VectorLayer r = read_layer((dir / "route.geojson").string());
    REQUIRE(r.features.size() == 1);
    CHECK(r.type == GeomType::Line);
    CHECK(r.features[0].geom.lines[0].size() == 3);
    CHECK_THROWS_AS(save_sketch({Sketch::Kind::Area, "x", {{0, 0}, {1, 1}}}, (dir / "bad.geojson").string()),
                    GeoError);
    CHECK_FALSE(std::filesystem::exists(dir / "bad.geojson"));
}

TEST_CASE("ui settings: effective scale, JSON and the project's panels member") {
    CHECK(effective_ui_scale({}, 2.f) == 2.f);
    CHECK(effective_ui_scale({}, 0.f) == 1.f);
    CHECK(effective_ui_scale({1.5f, "light"}, 2.f) == 1.5f);
    CHECK(effective_ui_scale({}, 9.f) == kMaxUiScale);
    UiSettings u;
    CHECK(ui_settings_from_json({{"ui_scale", 1.25}, {"theme", "light"}}, u) == "");
    CHECK(u == UiSettings{1.25f, "light"});
    CHECK(ui_settings_from_json({{"theme", "pink"}}, u) == "theme: expected dark or light, got \"pink\"");
    CHECK(ui_settings_from_json({{"ui_scale", 9}}, u).rfind("ui_scale: must be within", 0) == 0);
    CHECK(u == UiSettings{1.25f, "light"}); // unchanged by a failed read
    // Panels' state rides in the project file under "panels" and comes back as written.
    Project p;
    p.panels["display"] = nlohmann::ordered_json::parse(ui_settings_to_json(u).dump());
    EditState e;
    e.bookmarks.push_back({"a", 1, 2, 3, "lonlat"});
    p.panels["edits"] = nlohmann::ordered_json::parse(edits_to_json(e).dump());
    const ProjectParse r = parse_project(project_to_json(p), "t.json");
    REQUIRE(r.project);
    CHECK(r.project->panels["display"]["theme"] == "light");
    EditState back;
    CHECK(edits_from_json(nlohmann::json::parse(r.project->panels["edits"].dump()), back) == "");
    CHECK(back.bookmarks == e.bookmarks);
    CHECK(parse_project(R"({"nexusmap_project": 1, "panels": [1]})", "t.json").error ==
          "t.json: panels: expected an object, got array");
}
