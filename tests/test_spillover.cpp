// Tests for nexusmap/spillover.hpp: constructed geometries with hand-computed answers, a planted
// lead–lag, and the planted southward drift of the bundled synthetic demo.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>

#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/spillover.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace {

constexpr double KM = 1000.0;

Polygon rect(double x0, double y0, double x1, double y1) {
    return Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}};
}

// Countries as rectangles (km) directly in the analysis CRS.
VectorLayer countries(const std::vector<std::pair<std::string, Polygon>>& cs) {
    VectorLayer l;
    l.name = "admin0";
    l.crs = Crs::default_analysis();
    l.type = GeomType::Polygon;
    l.fields = {"iso_a3", "name"};
    for (auto& [iso, poly] : cs) {
        Feature f;
        f.geom.type = GeomType::Polygon;
        f.geom.polygons.push_back(poly);
        f.attrs = {iso, iso + " land"};
        l.features.push_back(std::move(f));
    }
    return l;
}

// Events at x/y (km) in the analysis CRS, with lon/lat filled by the inverse projection.
EventTable events_at(const std::vector<std::array<double, 2>>& xy_km, const std::vector<int32_t>& days = {}) {
    EventTable ev;
    ev.crs = Crs::default_analysis();
    Transformer t(Crs::wgs84(), ev.crs);
    for (size_t i = 0; i < xy_km.size(); ++i) {
        double x = xy_km[i][0] * KM, y = xy_km[i][1] * KM, lon = x, lat = y;
        t.inverse(lon, lat);
        ev.x.push_back(x), ev.y.push_back(y), ev.lon.push_back(lon), ev.lat.push_back(lat);
        ev.day.push_back(days.empty() ? days_from_civil(2020, 6, 1) : days[i]);
        ev.weight.push_back(1), ev.fatalities.push_back(0), ev.type.push_back(0), ev.precision.push_back(0);
        ev.row.push_back(uint32_t(i + 2)), ev.country.push_back(0), ev.admin1.emplace_back(), ev.actor.emplace_back();
    }
    ev.type_names = {"t"}, ev.country_names = {"c"};
    ev.source = "constructed";
    return ev;
}

BorderParams groups(std::vector<std::string> sahel, std::vector<std::string> coastal) {
    BorderParams p;
    p.sahel = std::move(sahel), p.coastal = std::move(coastal);
    return p;
}

} // namespace

TEST_CASE("two square countries: one straight border, signed distances both sides") {
    // AAA (Sahel) is the square 0..1000 km x 0..1000 km; BBB (coastal) the square below it.
    // Their shared border is y = 0, x = 0..1000 km: 1000 km long.
    auto l = countries({{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)}, {"BBB", rect(0, -1000 * KM, 1000 * KM, 0)}});
    Border b = derive_border(l, groups({"AAA"}, {"BBB"}));
    REQUIRE(b.segments.size() == 1);
    CHECK(b.segments[0].name == "AAA\u2013BBB");
    CHECK(b.segments[0].sahel_iso == "AAA");
    CHECK(b.segments[0].length_km == doctest::Approx(1000).epsilon(1e-9)); // exact straight line
    CHECK(b.countries[0].area_km2 == doctest::Approx(1e6).epsilon(1e-9));

    // Inside x = 0..1000 km the nearest border point is straight below/above: distance = |y|.
    auto ev = events_at({{500, 300}, {500, -120}, {20, 999}, {900, -0.5}, {2500, 0}});
    SignedDistances d = signed_distances(ev, b);
    CHECK(d.km[0] == doctest::Approx(-300).epsilon(1e-9));
    CHECK(d.km[1] == doctest::Approx(120).epsilon(1e-9));
    CHECK(d.km[2] == doctest::Approx(-999).epsilon(1e-9));
    CHECK(d.km[3] == doctest::Approx(0.5).epsilon(1e-9));
    CHECK(std::isnan(d.km[4])); // outside both countries: reported separately
    CHECK(d.outside == 1);
    CHECK(d.segment[0] == 0);
    CHECK(d.segment[4] == -1);

    // The same when the events come only with lon/lat (projected internally): 1 cm tolerance
    // covers the projection round trip.
    EventTable ll = ev;
    ll.crs = Crs();
    ll.x.clear(), ll.y.clear();
    SignedDistances d2 = signed_distances(ll, b);
    for (size_t i = 0; i < 4; ++i) CHECK(std::fabs(d2.km[i] - d.km[i]) < 1e-5);
}

TEST_CASE("three countries: segments by country pair and nearest-segment assignment") {
    // AAA (Sahel) on top; BBB and CCC (coastal) share the south side half and half.
    auto l = countries({{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)},
                        {"BBB", rect(0, -1000 * KM, 500 * KM, 0)},
                        {"CCC", rect(500 * KM, -1000 * KM, 1000 * KM, 0)}});
    Border b = derive_border(l, groups({"AAA"}, {"BBB", "CCC"}));
    REQUIRE(b.segments.size() == 2);
    CHECK(b.segments[0].name == "AAA\u2013BBB");
    CHECK(b.segments[1].name == "AAA\u2013CCC");
    CHECK(b.segments[0].length_km == doctest::Approx(500).epsilon(1e-9));
    CHECK(b.segments[1].length_km == doctest::Approx(500).epsilon(1e-9));
    CHECK(b.length_km() == doctest::Approx(1000).epsilon(1e-9));

    auto ev = events_at({{100, 200}, {900, -50}, {450, 10}, {700, 300}});
    SignedDistances d = signed_distances(ev, b);
    CHECK(d.segment[0] == 0);
    CHECK(d.km[0] == doctest::Approx(-200).epsilon(1e-9));
    CHECK(d.segment[1] == 1);
    CHECK(d.km[1] == doctest::Approx(50).epsilon(1e-9));
    CHECK(d.segment[2] == 0);
    CHECK(d.segment[3] == 1);
    CHECK(b.countries[size_t(d.country[1])].iso == "CCC");

    // A country in neither group is not a segment; its events are "outside".
    auto l4 = countries({{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)},
                         {"BBB", rect(0, -1000 * KM, 500 * KM, 0)},
                         {"CCC", rect(500 * KM, -1000 * KM, 1000 * KM, 0)}});
    Border b2 = derive_border(l4, groups({"AAA"}, {"BBB"}));
    CHECK(b2.segments.size() == 1);
    SignedDistances d3 = signed_distances(ev, b2);
    CHECK(d3.outside == 1); // the CCC event
    CHECK_THROWS_AS(derive_border(l, groups({"AAA"}, {"ZZZ"})), GeoError);
}

TEST_CASE("bands: rectangle strips of known area") {
    // With the two squares, every point with x in 0..1000 km is |y| from the border, so each band
    // is a 1000 km-wide strip: area = 1000 * (hi - lo) km^2. The buffers' round caps fall
    // outside the squares, so GEOS areas are exact up to rounding (tolerance 1e-9 relative).
    auto l = countries({{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)},
                        {"BBB", rect(0, -1000 * KM, 500 * KM, 0)},
                        {"CCC", rect(500 * KM, -1000 * KM, 1000 * KM, 0)}});
    Border b = derive_border(l, groups({"AAA"}, {"BBB", "CCC"}));
    auto bands = make_bands(b, {-200, -100, -50, 0, 50, 100, 200});
    REQUIRE(bands.size() == 6);
    const double want[] = {100000, 50000, 50000, 50000, 50000, 100000};
    for (size_t i = 0; i < 6; ++i) CHECK(bands[i].area_km2 == doctest::Approx(want[i]).epsilon(1e-9));
    // Per country (exact): the coastal bands split half and half between BBB and CCC.
    CHECK(bands[3].area_country_km2[0] == doctest::Approx(0).epsilon(1e-9)); // AAA has none of 0..50
    CHECK(bands[3].area_country_km2[1] == doctest::Approx(25000).epsilon(1e-9));
    CHECK(bands[3].area_country_km2[2] == doctest::Approx(25000).epsilon(1e-9));
    CHECK(bands[0].area_country_km2[0] == doctest::Approx(100000).epsilon(1e-9));
    // Per segment (5 km grid, rescaled to the exact area; the split line x = 500 km lies on a cell
    // edge, so the halves are exact here; tolerance 1% for the grid estimate in general).
    CHECK(bands[5].area_segment_km2[0] == doctest::Approx(50000).epsilon(0.01));
    CHECK(bands[5].area_segment_km2[1] == doctest::Approx(50000).epsilon(0.01));
    // A band straddling the border: both sides.
    auto mid = make_bands(b, {-50, 50});
    CHECK(mid[0].area_km2 == doctest::Approx(100000).epsilon(1e-9));
    CHECK(band_of(-75, bands) == 1);
    CHECK(band_of(0, bands) == 3);
    CHECK(band_of(250, bands) == -1);
    CHECK_THROWS_AS(make_bands(b, {0, -50}), GeoError);
}

TEST_CASE("periods, quantile") {
    CHECK(period_index(days_from_civil(2021, 5, 17), PeriodUnit::Year) == 2021);
    CHECK(period_label(period_index(days_from_civil(2021, 5, 17), PeriodUnit::Quarter), PeriodUnit::Quarter) == "2021-Q2");
    CHECK(period_label(period_index(days_from_civil(2021, 12, 31), PeriodUnit::Month), PeriodUnit::Month) == "2021-12");
    CHECK(period_mid_year(2021, PeriodUnit::Year) == doctest::Approx(2021.5));
    CHECK(period_mid_year(2021 * 12 + 0, PeriodUnit::Month) == doctest::Approx(2021 + 1.0 / 24));
    // Type-7 quantile by hand: h = (n-1) q = 8.1 -> 9 + 0.1 * (10 - 9).
    CHECK(quantile_of({10, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 0.9) == doctest::Approx(9.1).epsilon(1e-12));
    CHECK(quantile_of({3, NAN, 1}, 0.5) == doctest::Approx(2));
    CHECK_THROWS_AS(parse_period_unit("week"), GeoError);
}

TEST_CASE("share, front and per-band counts on constructed events") {
    auto l = countries({{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)}, {"BBB", rect(0, -1000 * KM, 1000 * KM, 0)}});
    Border b = derive_border(l, groups({"AAA"}, {"BBB"}));
    // 2020: four events at -150, -80, -20, +30 km; 2021: -60, +40, +90, +150 (one beyond X=100).
    const int32_t d20 = days_from_civil(2020, 3, 1), d21 = days_from_civil(2021, 3, 1);
    auto ev = events_at({{500, 150}, {500, 80}, {500, 20}, {500, -30}, {500, 60}, {500, -40}, {500, -90}, {500, -150}},
                        {d20, d20, d20, d20, d21, d21, d21, d21});
    SpilloverParams p;
    p.permutations = 0;
    p.min_front_events = 1;
    p.quantile = 0.5;
    SpilloverResult r = analyse_spillover(ev, b, p);
    REQUIRE(r.periods.size() == 2);
    // Share within 100 km: 2020: 1 coastal / 3; 2021: 2 coastal / 3.
    CHECK(r.share[0] == doctest::Approx(1.0 / 3));
    CHECK(r.share[1] == doctest::Approx(2.0 / 3));
    // Median signed distance within 300 km: 2020 {-150,-80,-20,30} -> -50; 2021 {-60,40,90,150} -> 65.
    CHECK(r.front_km[0] == doctest::Approx(-50).epsilon(1e-9));
    CHECK(r.front_km[1] == doctest::Approx(65).epsilon(1e-9));
    // Band -200..-100 holds the -150 event in 2020; its rate per 10,000 km^2 uses 100,000 km^2.
    CHECK(r.band_n[0][0] == 1);
    CHECK(r.band_n[1][5] == 1); // +150 in 100..200
    auto t = spillover_band_table(r);
    CHECK(t.rows.size() == 12);
    CHECK(t.rows[0][8] == "0.1");
    CHECK(r.metadata.at("x_km") == "100");
    CHECK(r.metadata.at("synthetic") == "false");
}

TEST_CASE("lead-lag finds a planted lag") {
    // Coastal activity repeats Sahel activity 2 periods later, plus noise. Expected: best k = 2 with a
    // permutation p of at most 0.01 (the true r ~ 0.95; a shuffled series rarely exceeds 0.4).
    std::mt19937_64 g(7);
    std::normal_distribution<double> nd(0, 1);
    const size_t n = 60;
    std::vector<double> a(n), b(n);
    for (auto& v : a) v = 10 + 3 * nd(g);
    for (size_t t = 0; t < n; ++t) b[t] = (t >= 2 ? a[t - 2] : 10) + 0.5 * nd(g);
    for (bool diff : {false, true})
        for (auto kind : {PermutationKind::Shuffle, PermutationKind::CircularShift}) {
            LeadLag l = lead_lag(a, b, 4, 999, kind, diff, 42);
            CHECK(l.best_k == 2);
            CHECK(l.best_r > 0.8);
            CHECK(l.p_best <= 0.01);
            CHECK(l.p[0] > 0.01); // no association at k = 0
            // Same seed, same answer.
            LeadLag l2 = lead_lag(a, b, 4, 999, kind, diff, 42);
            CHECK(l2.p_best == l.p_best);
        }
}

TEST_CASE("bundled demo: the planted southward drift is recovered") {
    const std::string events = std::string(NEXUSMAP_SOURCE_DIR) + "/data/demo/events_synthetic.csv";
    const std::string basemap = std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg";
    REQUIRE(std::filesystem::exists(events));
    auto lr = load_events_csv(events);
    EventTable ev = std::move(lr.events);
    project_events(ev, Crs::default_analysis());
    ReadLayerOptions ro;
    ro.layer = "admin0";
    VectorLayer a0 = read_layer(basemap, ro);
    Border b = derive_border(a0);
    CHECK(b.segments.size() >= 6); // MLI-CIV, BFA-CIV, BFA-GHA, BFA-TGO, BFA-BEN, NER-BEN
    SpilloverParams p;
    p.permutations = 199;
    SpilloverResult r = analyse_spillover(ev, b, p);
    const auto& f = r.front_trend;
    MESSAGE("front velocity " << f.ts.slope << " km/yr, 95% CI [" << f.ts.slope_lo << ", " << f.ts.slope_hi
                              << "], MK p " << f.mk.p << "; share trend " << r.share_trend.ts.slope << "/yr (MK p "
                              << r.share_trend.mk.p << ")");
    // Positive = toward the coast; the generator moves the southern hot spots 0.07 deg/yr (~8 km/yr)
    // and shifts weight south, so the front must move south significantly.
    CHECK(f.ts.slope > 0);
    CHECK(f.ts.slope_lo > 0);
    CHECK(f.mk.p < 0.05);
    CHECK(r.share_trend.ts.slope > 0);
    CHECK(r.share_trend.mk.p < 0.05);
    CHECK(r.centroid_trend.ts.slope < 0); // latitude falls
    CHECK(r.metadata.at("synthetic") == "true");

    // Independent check against the generator's own table (data/demo/README.md, "Southward drift":
    // p50/p90 of signed km over events in the seven countries, computed by the generator with its
    // own border code). Tolerance 5 km: the two computations differ in border extraction details
    // (we see differences under 2.5 km).
    SpilloverParams all = p;
    all.window_km = 1e9;
    all.permutations = 0;
    all.quantile = 0.9;
    SpilloverResult r90 = analyse_spillover(ev, b, all);
    all.quantile = 0.5;
    SpilloverResult r50 = analyse_spillover(ev, b, all);
    REQUIRE(r90.labels.front() == "2012");
    REQUIRE(r90.labels.back() == "2024");
    MESSAGE("p90 2012 " << r90.front_km.front() << ", 2024 " << r90.front_km.back() << "; p50 2012 "
                        << r50.front_km.front() << ", 2024 " << r50.front_km.back());
    CHECK(std::fabs(r90.front_km.back() - 41) < 5);
    CHECK(std::fabs(r90.front_km.front() - (-321)) < 5);
    CHECK(std::fabs(r50.front_km.back() - (-242)) < 5);
    CHECK(std::fabs(r50.front_km.front() - (-543)) < 5);
}

TEST_CASE("real data (optional): Natural Earth 10m boundary lines lie on the derived border") {
    const std::string lines = testutil::shared_real("natural_earth/ne_10m_admin_0_boundary_lines_land_wafrica.geojson");
    if (lines.empty()) {
        MESSAGE("skipped: shared/data/real/natural_earth not present");
        return;
    }
    ReadLayerOptions ro;
    ro.layer = "admin0";
    Border b = derive_border(read_layer(std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg", ro));
    VectorLayer ne = reproject(read_layer(lines), b.crs);
    const int li = ne.field_index("adm0_a3_l"), ri = ne.field_index("adm0_a3_r");
    REQUIRE(li >= 0);
    REQUIRE(ri >= 0);
    for (auto& s : b.segments) {
        // Independent reference: the NE 10m line(s) whose two sides are this segment's countries.
        double ref_km = 0;
        std::vector<std::array<double, 2>> vx;
        for (auto& f : ne.features) {
            const std::string l = attr_to_string(f.attrs[size_t(li)]), r = attr_to_string(f.attrs[size_t(ri)]);
            if (!((l == s.sahel_iso && r == s.coastal_iso) || (l == s.coastal_iso && r == s.sahel_iso))) continue;
            ref_km += length(f.geom) / KM;
            for (auto& ln : f.geom.lines)
                for (auto& v : ln) vx.push_back({v.x / KM, v.y / KM});
        }
        REQUIRE_MESSAGE(ref_km > 0, s.name);
        // The bundled basemap is generalised (fewer vertices, so slightly shorter lines; we see 96-100%):
        // expect 90-102% of the 10m length, and the 10m vertices within 3 km of our border (median
        // under 1 km; we see medians 0.002-0.2 km and maxima 0.7-1.2 km).
        const double ratio = s.length_km / ref_km;
        MESSAGE(s.name << ": derived " << s.length_km << " km, NE 10m " << ref_km << " km");
        CHECK(ratio > 0.90);
        CHECK(ratio < 1.02);
        SignedDistances d = signed_distances(events_at(vx), b);
        std::vector<double> a;
        for (double k : d.km)
            if (std::isfinite(k)) a.push_back(std::fabs(k));
        REQUIRE(!a.empty());
        CHECK(quantile_of(a, 0.5) < 1);
        CHECK(quantile_of(a, 1.0) < 3);
    }
}
