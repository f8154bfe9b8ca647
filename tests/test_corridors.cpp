// Tests for nexusmap/corridors.hpp on constructed geometries with hand-computed answers, plus a
// smoke run on the bundled illustrative routes.
#include <doctest/doctest.h>

#include <geos_c.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>

#include "nexusmap/corridors.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/spillover.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace {

constexpr double KM = 1000.0;

Polygon rect(double x0, double y0, double x1, double y1) {
    return Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}};
}

// AAA (Sahel) = 0..1000 km x 0..1000 km; BBB (coastal) the square below: border y = 0.
Border square_border() {
    VectorLayer l;
    l.crs = Crs::default_analysis();
    l.type = GeomType::Polygon;
    l.fields = {"iso_a3", "name"};
    for (auto& [iso, poly] : std::vector<std::pair<std::string, Polygon>>{{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)},
                                                                          {"BBB", rect(0, -1000 * KM, 1000 * KM, 0)}}) {
        Feature f;
        f.geom.type = GeomType::Polygon;
        f.geom.polygons.push_back(poly);
        f.attrs = {iso, iso};
        l.features.push_back(std::move(f));
    }
    BorderParams p;
    p.sahel = {"AAA"}, p.coastal = {"BBB"};
    return derive_border(l, p);
}

VectorLayer routes(const std::vector<std::tuple<std::string, std::string, LineString>>& rs) {
    VectorLayer l;
    l.name = "routes";
    l.crs = Crs::default_analysis();
    l.type = GeomType::Line;
    l.fields = {"commodity", "name"};
    for (auto& [c, n, line] : rs) {
        Feature f;
        f.geom.type = GeomType::Line;
        f.geom.lines.push_back(line);
        f.attrs = {c, n};
        l.features.push_back(std::move(f));
    }
    return l;
}

EventTable events_at(const std::vector<std::array<double, 2>>& xy_km, const std::vector<int32_t>& days) {
    EventTable ev;
    ev.crs = Crs::default_analysis();
    Transformer t(Crs::wgs84(), ev.crs);
    for (size_t i = 0; i < xy_km.size(); ++i) {
        double x = xy_km[i][0] * KM, y = xy_km[i][1] * KM, lon = x, lat = y;
        t.inverse(lon, lat);
        ev.x.push_back(x), ev.y.push_back(y), ev.lon.push_back(lon), ev.lat.push_back(lat);
        ev.day.push_back(days[i]);
        ev.weight.push_back(1), ev.fatalities.push_back(0), ev.type.push_back(0), ev.precision.push_back(0);
        ev.row.push_back(uint32_t(i + 2)), ev.country.push_back(0), ev.admin1.emplace_back(), ev.actor.emplace_back();
    }
    ev.type_names = {"t"}, ev.country_names = {"c"};
    ev.source = "constructed";
    return ev;
}

} // namespace

TEST_CASE("straight route: profile, crossing point, per-period counts and ranks") {
    Border b = square_border();
    // Route N-S along x = 300 km from y = +400 to y = -400 km: 800 km long, crossing the border at
    // (300 km, 0), 400 km along. A second route along x = 800 km, y = 100..-100 km (200 km).
    auto rl = routes({{"cattle", "north-south", LineString{{300 * KM, 400 * KM}, {300 * KM, -400 * KM}}},
                      {"fuel", "short", LineString{{800 * KM, 100 * KM}, {800 * KM, -100 * KM}}}});
    const int32_t y18 = days_from_civil(2018, 6, 1), y19 = days_from_civil(2019, 6, 1), y20 = days_from_civil(2020, 6, 1),
                  y21 = days_from_civil(2021, 6, 1);
    // Along-route position = 400 - y (km). Events at 10 km along (3), 60 km (2), 410 km (1), 700 km
    // (1, 20 km off the line: inside the 25 km corridor), one 30 km off the line (outside), and two
    // on the short route.
    auto ev = events_at({{300, 390}, {305, 390}, {295, 390}, {300, 340}, {310, 340}, {300, -10}, {320, -300}, {330, 0},
                         {800, 50}, {800, -50}},
                        {y18, y18, y19, y20, y21, y21, y21, y21, y18, y18});
    CorridorParams p;
    p.half_width_km = 25;
    p.bin_km = 50;
    p.recent_periods = 2;
    CorridorResult r = analyse_corridors(ev, rl, &b, p);
    REQUIRE(r.routes.size() == 2);
    const auto& R = r.routes[0];
    CHECK(R.length_km == doctest::Approx(800).epsilon(1e-12));
    REQUIRE(R.profile.size() == 16);
    // Counts by bin, by hand; events_per_km = count / 50 km.
    CHECK(R.profile[0].events == 3);
    CHECK(R.profile[0].events_per_km == doctest::Approx(3.0 / 50));
    CHECK(R.profile[1].events == 2);
    CHECK(R.profile[8].events == 1);
    CHECK(R.profile[14].events == 1);
    double tot = 0;
    for (auto& bin : R.profile) tot += bin.events;
    CHECK(tot == 7); // the event 30 km off the line is outside
    // Crossing: exactly (300 km, 0), 400 km along, marked in bin 8 (400..450 km).
    REQUIRE(r.crossings.size() == 2);
    const auto& c = r.crossings[0];
    CHECK(c.route_name == "north-south");
    CHECK(c.segment == "AAA\u2013BBB");
    CHECK(c.x == doctest::Approx(300 * KM).epsilon(1e-12));
    CHECK(std::fabs(c.y) < 1e-6);
    CHECK(c.along_km == doctest::Approx(400).epsilon(1e-12));
    REQUIRE(R.profile[8].crossings.size() == 1);
    CHECK(R.profile[8].crossings[0] == "AAA\u2013BBB");
    CHECK(R.profile[7].crossings.empty());
    double lon = 300 * KM, lat = 0;
    Transformer(Crs::wgs84(), Crs::default_analysis()).inverse(lon, lat);
    CHECK(c.lon == doctest::Approx(lon).epsilon(1e-9));
    CHECK(c.lat == doctest::Approx(lat).epsilon(1e-9));
    // Crossing radius = half-width: around (300,0) only the event at (300,-10) (the one at 330,0 is 30 km away).
    CHECK(c.total == 1);
    // Per period (2018..2021): route 0 has 2, 1, 1, 3; recent (2020-21) = 4, previous = 3, change +1.
    REQUIRE(r.labels.size() == 4);
    CHECK(R.n == std::vector<double>{2, 1, 1, 3});
    CHECK(R.recent == 4);
    CHECK(R.change == 1);
    // Route 1 ("short"): 2 events in 2018 -> recent 0, change -2. Ranks: route 0 first on both.
    CHECK(r.routes[1].recent == 0);
    CHECK(r.routes[1].change == -2);
    CHECK(R.rank_recent == 1);
    CHECK(R.rank_change == 1);
    CHECK(r.routes[1].rank_change == 2);
    // Corridor area: rectangle 800 x 50 km plus two half-discs of radius 25 km (GEOS buffer with 16
    // segments a quadrant: polygonal discs, within 0.1% of pi r^2).
    CHECK(R.corridor_area_km2 == doctest::Approx(800 * 50 + std::numbers::pi * 25 * 25).epsilon(1e-3));
    // Tables and layers come out with one row per item.
    CHECK(corridor_route_table(r).rows.size() == 2);
    CHECK(corridor_profile_table(r).rows.size() == 16 + 4);
    CHECK(corridor_crossing_table(r).rows.size() == 2);
    CHECK(crossing_layer(r).features.size() == 2);
    CHECK(r.metadata.at("half_width_km") == "25");
}

TEST_CASE("corridor input errors") {
    Border b = square_border();
    VectorLayer pts;
    pts.type = GeomType::Point;
    pts.crs = Crs::default_analysis();
    auto ev = events_at({{1, 1}}, {days_from_civil(2020, 1, 1)});
    CHECK_THROWS_AS(analyse_corridors(ev, pts, &b), GeoError);
    auto rl = routes({{"x", "r", LineString{{0, 0}, {1000, 0}}}});
    CorridorParams p;
    p.half_width_km = 0;
    CHECK_THROWS_AS(analyse_corridors(ev, rl, &b, p), GeoError);
    // No border: no crossings, still corridors.
    CorridorResult r = analyse_corridors(ev, rl, nullptr);
    CHECK(r.crossings.empty());
    CHECK(r.routes.size() == 1);
}

TEST_CASE("bundled illustrative routes: crossings of the Sahel-coastal border") {
    const std::string dd = std::string(NEXUSMAP_SOURCE_DIR) + "/data";
    REQUIRE(std::filesystem::exists(dd + "/demo/routes_illustrative.geojson"));
    auto lr = load_events_csv(dd + "/demo/events_synthetic.csv");
    EventTable ev = std::move(lr.events);
    project_events(ev, Crs::default_analysis());
    ReadLayerOptions ro;
    ro.layer = "admin0";
    Border b = derive_border(read_layer(dd + "/basemap/west_africa.gpkg", ro));
    VectorLayer routes = read_layer(dd + "/demo/routes_illustrative.geojson");
    CorridorResult r = analyse_corridors(ev, routes, &b);
    CHECK(r.routes.size() == 23);
    // Routes such as "Burkina Est cattle to Lomé" must cross BFA–TGO; all crossings lie on the border:
    // their signed distance is ~0 (tolerance 1 m).
    bool lome = false;
    for (auto& c : r.crossings) lome = lome || (c.route_name == "Burkina Est cattle to Lomé" && c.segment == "BFA\u2013TGO");
    CHECK(lome);
    CHECK(r.crossings.size() >= 6);
    std::vector<std::array<double, 2>> at;
    for (auto& c : r.crossings) at.push_back({c.x / KM, c.y / KM});
    // Planar: the crossings are points of the border line as drawn in the analysis CRS.
    SignedDistances d = signed_distances(events_at(at, std::vector<int32_t>(at.size(), 0)), b, {}, 0, DistanceMetric::Planar);
    for (size_t i = 0; i < at.size(); ++i) CHECK(std::fabs(d.km[i]) < 1e-3);
    CHECK(r.metadata.at("synthetic") == "true");
    CHECK(r.metadata.at("routes_illustrative") == "true");
}

TEST_CASE("corridor event counts equal the GEOS brute force; thread count changes nothing") {
    // analyse_corridors() used to test every event against each route with GEOSPreparedDistance;
    // it now takes candidates from a grid and measures with an edge index (GEOS's own
    // point-to-segment formula). Brute force here: GEOSDistance and GEOSProject for every event and
    // route, every event against every crossing. Counts must be equal exactly.
    const std::string dd = std::string(NEXUSMAP_SOURCE_DIR) + "/data";
    auto lr = load_events_csv(dd + "/demo/events_synthetic.csv");
    EventTable ev = std::move(lr.events);
    project_events(ev, Crs::default_analysis());
    ReadLayerOptions ro;
    ro.layer = "admin0";
    const Border b = derive_border(read_layer(dd + "/basemap/west_africa.gpkg", ro));
    const VectorLayer routes = read_layer(dd + "/demo/routes_illustrative.geojson");
    CorridorParams p1;
    p1.threads = 1;
    p1.half_width_km = 40; // wider than the default: more events near the corridor edges
    const CorridorResult r = analyse_corridors(ev, routes, &b, p1);
    REQUIRE(r.routes.size() == 23);

    GEOSContextHandle_t ctx = GEOS_init_r();
    const double hw = p1.half_width_km * KM, rad = hw;
    size_t pairs = 0, bad_bins = 0;
    for (const RouteResult& rr : r.routes) {
        std::string wkt = "MULTILINESTRING(";
        char buf[64];
        for (size_t k = 0; k < rr.line.lines.size(); ++k) {
            wkt += k ? ",(" : "(";
            for (size_t i = 0; i < rr.line.lines[k].size(); ++i) {
                std::snprintf(buf, sizeof buf, "%s%.17g %.17g", i ? "," : "", rr.line.lines[k][i].x, rr.line.lines[k][i].y);
                wkt += buf;
            }
            wkt += ")";
        }
        wkt += ")";
        GEOSGeometry* multi = GEOSGeomFromWKT_r(ctx, wkt.c_str());
        REQUIRE(multi != nullptr);
        // The result's line is the merged route: one LineString when it merged into one.
        GEOSGeometry* line = rr.line.lines.size() == 1 ? GEOSGeom_clone_r(ctx, GEOSGetGeometryN_r(ctx, multi, 0)) : GEOSGeom_clone_r(ctx, multi);
        const BBox bb = rr.corridor.bbox();
        std::vector<double> bins(rr.profile.size(), 0.0);
        for (size_t i = 0; i < ev.size(); ++i) {
            if (!bb.contains(ev.x[i], ev.y[i])) continue;
            GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(ctx, ev.x[i], ev.y[i]);
            double d = 0;
            REQUIRE(GEOSDistance_r(ctx, line, pt, &d) == 1);
            if (d <= hw) {
                const double along = GEOSProject_r(ctx, line, pt) / KM;
                bins[std::min(bins.size() - 1, size_t(std::max(0.0, std::floor(along / p1.bin_km))))] += 1;
                ++pairs;
            }
            GEOSGeom_destroy_r(ctx, pt);
        }
        for (size_t k = 0; k < bins.size(); ++k) bad_bins += bins[k] != rr.profile[k].events;
        GEOSGeom_destroy_r(ctx, line);
        GEOSGeom_destroy_r(ctx, multi);
    }
    GEOS_finish_r(ctx);
    MESSAGE(pairs << " event-route pairs within " << p1.half_width_km << " km");
    CHECK(pairs > 1000);
    CHECK(bad_bins == 0);
    size_t bad_crossings = 0;
    for (const Crossing& c : r.crossings) {
        double n = 0;
        for (size_t i = 0; i < ev.size(); ++i) {
            if (ev.day[i] == kNoDay) continue;
            const double dx = ev.x[i] - c.x, dy = ev.y[i] - c.y;
            n += dx * dx + dy * dy <= rad * rad;
        }
        bad_crossings += n != c.total;
    }
    CHECK(r.crossings.size() >= 6);
    CHECK(bad_crossings == 0);

    CorridorParams p2 = p1;
    p2.threads = 3;
    const CorridorResult r2 = analyse_corridors(ev, routes, &b, p2);
    REQUIRE(r2.routes.size() == r.routes.size());
    size_t differ = 0;
    for (size_t k = 0; k < r.routes.size(); ++k) {
        differ += r2.routes[k].n != r.routes[k].n || r2.routes[k].w != r.routes[k].w;
        for (size_t j = 0; j < r.routes[k].profile.size(); ++j)
            differ += r2.routes[k].profile[j].weighted != r.routes[k].profile[j].weighted;
    }
    CHECK(differ == 0);
    REQUIRE(r2.crossings.size() == r.crossings.size());
    for (size_t k = 0; k < r.crossings.size(); ++k) CHECK(r2.crossings[k].n == r.crossings[k].n);
}
