// Tests for nexusmap/spillover.hpp: constructed geometries with hand-computed answers, a planted
// lead–lag, and the planted southward drift of the bundled synthetic demo.
#include <doctest/doctest.h>

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>

#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/distance.hpp"
#include "nexusmap/spillover.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/pipeline/spillover.hpp"
#include "test_util.hpp"
// The private plain-data indexes behind signed_distances() and the corridors (header-only).
#include "../geo/src/fast_geom.hpp"

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
    SignedDistances d = signed_distances(ev, b, {}, 0, DistanceMetric::Planar);
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
    SignedDistances d2 = signed_distances(ll, b, {}, 0, DistanceMetric::Planar);
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
    SignedDistances d = signed_distances(ev, b, {}, 0, DistanceMetric::Planar);
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
    SignedDistances d3 = signed_distances(ev, b2, {}, 0, DistanceMetric::Planar);
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
    p.metric = DistanceMetric::Planar; // the hand-computed distances are planar (border straight in the CRS)
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

// ---- Fast paths against the brute force they replaced (issue #7) -----------------------------
// signed_distances() used to call GEOSPreparedDistance once per border segment and
// PolygonIndex::locate per event; it now uses detail::EdgeIndex and detail::StripPolygons. These
// tests run the old computation (GEOS C API, as the old code did) beside the new one.

namespace {
std::string lines_wkt(const Geometry& g) {
    std::string w = "MULTILINESTRING(";
    char buf[64];
    for (size_t k = 0; k < g.lines.size(); ++k) {
        w += k ? ",(" : "(";
        for (size_t i = 0; i < g.lines[k].size(); ++i) {
            std::snprintf(buf, sizeof buf, "%s%.17g %.17g", i ? "," : "", g.lines[k][i].x, g.lines[k][i].y);
            w += buf;
        }
        w += ")";
    }
    return w + ")";
}

struct GeosRef { // the old per-event computation
    GEOSContextHandle_t ctx = GEOS_init_r();
    std::vector<GEOSGeometry*> lines;
    std::vector<const GEOSPreparedGeometry*> prep;
    explicit GeosRef(const Border& b) {
        for (auto& s : b.segments) {
            lines.push_back(GEOSGeomFromWKT_r(ctx, lines_wkt(s.line).c_str()));
            REQUIRE(lines.back() != nullptr);
            prep.push_back(GEOSPrepare_r(ctx, lines.back()));
        }
    }
    ~GeosRef() {
        for (auto* p : prep) GEOSPreparedGeom_destroy_r(ctx, p);
        for (auto* g : lines) GEOSGeom_destroy_r(ctx, g);
        GEOS_finish_r(ctx);
    }
    // Nearest segment as the old loop found it: strict '<' over the segments in order.
    double nearest(double x, double y, int& seg, std::vector<double>* per_segment = nullptr) const {
        GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(ctx, x, y);
        double best = std::numeric_limits<double>::infinity();
        seg = -1;
        for (size_t s = 0; s < prep.size(); ++s) {
            double dd = 0;
            if (GEOSPreparedDistance_r(ctx, prep[s], pt, &dd) == 1 && dd < best) best = dd, seg = int(s);
            if (per_segment) per_segment->push_back(dd);
        }
        GEOSGeom_destroy_r(ctx, pt);
        return best;
    }
};

// Bitwise equality (NaN equals NaN: the "outside" and "no front" values).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

Border bundled_border() {
    ReadLayerOptions ro;
    ro.layer = "admin0";
    return derive_border(read_layer(std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg", ro));
}
} // namespace

TEST_CASE("fast signed distances equal the per-segment GEOS distances and PolygonIndex (tolerance 1e-9 km)") {
    const Border b = bundled_border();
    REQUIRE(b.segments.size() >= 5);
    // Points: uniform over the two groups' extent, every border vertex, edge midpoints, and points
    // 1 m off the vertices (near-ties between segments meet at the tripoints).
    BBox ext = BBox::inverted();
    for (auto& c : b.countries) {
        const BBox cb = c.polygon.bbox();
        ext.expand(cb.xmin, cb.ymin), ext.expand(cb.xmax, cb.ymax);
    }
    std::vector<std::array<double, 2>> km;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> ux(ext.xmin - 1e5, ext.xmax + 1e5), uy(ext.ymin - 1e5, ext.ymax + 1e5);
    for (int i = 0; i < 40000; ++i) km.push_back({ux(rng) / KM, uy(rng) / KM});
    for (auto& s : b.segments)
        for (auto& l : s.line.lines)
            for (size_t i = 0; i < l.size(); ++i) {
                km.push_back({l[i].x / KM, l[i].y / KM});
                km.push_back({(l[i].x + 1) / KM, (l[i].y - 1) / KM});
                if (i + 1 < l.size()) km.push_back({(l[i].x + l[i + 1].x) / 2 / KM, (l[i].y + l[i + 1].y) / 2 / KM});
            }
    const EventTable ev = events_at(km);
    const SignedDistances d = signed_distances(ev, b, {}, 1, DistanceMetric::Planar);

    VectorLayer cl;
    cl.crs = b.crs;
    cl.type = GeomType::Polygon;
    for (auto& c : b.countries) cl.features.push_back(Feature{c.polygon, {}, -1});
    const PolygonIndex idx(cl);
    const GeosRef ref(b);
    size_t inside = 0, bitwise = 0, ties = 0, bad_country = 0, bad_km = 0, bad_segment = 0;
    for (size_t i = 0; i < ev.size(); ++i) {
        const int c = idx.locate(ev.x[i], ev.y[i]);
        if (c != d.country[i]) ++bad_country;
        if (c < 0) {
            if (!std::isnan(d.km[i]) || d.segment[i] != -1) ++bad_km;
            continue;
        }
        ++inside;
        int seg = -1;
        std::vector<double> per;
        const double km_ref = b.countries[size_t(c)].side * ref.nearest(ev.x[i], ev.y[i], seg, &per) / 1000.0;
        if (!(std::fabs(d.km[i] - km_ref) <= 1e-9)) ++bad_km;
        if (d.km[i] == km_ref) ++bitwise;
        if (d.segment[i] != seg) {
            // Acceptable only for a tie: both segments as near, to the tolerance.
            if (d.segment[i] >= 0 && std::fabs(per[size_t(d.segment[i])] - per[size_t(seg)]) <= 1e-6) ++ties;
            else ++bad_segment;
        }
    }
    MESSAGE(inside << " points inside the groups, " << bitwise << " bitwise-equal distances, " << ties
                   << " tie(s) resolved differently");
    CHECK(inside > 10000);
    CHECK(bad_country == 0);
    CHECK(bad_km == 0);
    CHECK(bad_segment == 0);
    CHECK(d.outside == ev.size() - inside);

    // The thread count changes nothing.
    const SignedDistances d3 = signed_distances(ev, b, {}, 3, DistanceMetric::Planar);
    CHECK(same_bits(d3.km, d.km));
    CHECK(d3.segment == d.segment);
    CHECK(d3.country == d.country);
    CHECK(d3.outside_weight == d.outside_weight);
}

TEST_CASE("StripPolygons::locate equals PolygonIndex::locate (holes, multipart, overlaps, boundaries)") {
    // Feature 0: a square with a square hole; feature 1: two parts, one inside feature 0's hole
    // and one overlapping feature 0 (the lower index wins, as in PolygonIndex); feature 2: a
    // triangle with vertices off the grid; feature 3: a line (contains nothing).
    std::vector<Geometry> g(4);
    g[0].type = GeomType::Polygon;
    g[0].polygons.push_back(Polygon{{Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, Ring{{3, 3}, {7, 3}, {7, 7}, {3, 7}, {3, 3}}}});
    g[1].type = GeomType::Polygon;
    g[1].polygons.push_back(rect(4, 4, 6, 6));
    g[1].polygons.push_back(rect(8, 8, 14, 12));
    g[2].type = GeomType::Polygon;
    g[2].polygons.push_back(Polygon{{Ring{{-5.1, -2.3}, {-0.7, 9.9}, {-9.3, 4.4}, {-5.1, -2.3}}}});
    g[3].type = GeomType::Line;
    g[3].lines.push_back({{-20, -20}, {20, 20}});
    VectorLayer l;
    l.type = GeomType::Polygon;
    for (auto& gg : g) l.features.push_back(Feature{gg, {}, -1});
    const PolygonIndex idx(l);
    std::vector<const Geometry*> ptrs;
    for (auto& gg : g) ptrs.push_back(&gg);
    const detail::StripPolygons strips(ptrs);
    std::vector<std::array<double, 2>> pts;
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(-12, 16);
    for (int i = 0; i < 200000; ++i) pts.push_back({u(rng), u(rng)});
    for (double v = -12; v <= 16; v += 0.5) // on the grid lines: vertices and edges exactly
        for (double w = -12; w <= 16; w += 0.5) pts.push_back({v, w});
    for (auto& gg : g)
        for (auto& p : gg.polygons)
            for (auto& r : p.rings)
                for (size_t i = 0; i + 1 < r.size(); ++i)
                    for (double t : {0.0, 0.25, 0.5, 1.0})
                        pts.push_back({r[i].x + t * (r[i + 1].x - r[i].x), r[i].y + t * (r[i + 1].y - r[i].y)});
    pts.push_back({NAN, 1}), pts.push_back({1, INFINITY});
    size_t differ = 0, hits = 0;
    for (auto& p : pts) {
        const int a = idx.locate(p[0], p[1]), b = strips.locate(p[0], p[1]);
        differ += a != b;
        hits += a >= 0;
    }
    CHECK(hits > 30000); // ~1/6 of the square falls in a polygon
    CHECK(differ == 0);
    CHECK(strips.locate(5, 5) == 1);  // in the hole of 0, inside 1's first part
    CHECK(strips.locate(9, 9) == 0);  // overlap of 0 and 1: the lower index
    CHECK(strips.locate(12, 11) == 1);
    CHECK(strips.locate(10, 5) == 0); // on the boundary
    CHECK(strips.locate(100, 5) == -1);
}

TEST_CASE("EdgeIndex::nearest equals the brute force over every edge, ties to the lowest part") {
    // Random polylines in 5 parts; brute force: every edge with the same point-to-segment formula.
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-1e6, 1e6), step(-4e4, 4e4);
    std::vector<Geometry> parts(5);
    detail::EdgeIndex idx;
    for (int k = 0; k < 5; ++k) {
        parts[size_t(k)].type = GeomType::Line;
        for (int l = 0; l < 3; ++l) {
            LineString ls{{u(rng), u(rng)}};
            for (int i = 0; i < 150; ++i) ls.push_back({ls.back().x + step(rng), ls.back().y + step(rng)});
            parts[size_t(k)].lines.push_back(ls);
        }
        idx.add_lines(parts[size_t(k)], k);
    }
    // A segment shared by parts 1 and 3 (a tripoint-like tie): part 1 must win.
    parts[3].lines.push_back(parts[1].lines[0]);
    idx.add_line(parts[1].lines[0], 3);
    idx.build();
    auto brute = [&](double x, double y, int& part) {
        double best = std::numeric_limits<double>::infinity();
        part = -1;
        for (int k = 0; k < 5; ++k)
            for (auto& ls : parts[size_t(k)].lines)
                for (size_t i = 0; i + 1 < ls.size(); ++i) {
                    const double d = detail::point_segment_distance(x, y, ls[i].x, ls[i].y, ls[i + 1].x, ls[i + 1].y);
                    if (d < best) best = d, part = k; // parts in order, strict '<': the lowest part on ties
                }
        return best;
    };
    size_t bad = 0, bad_limited = 0;
    for (int i = 0; i < 20000; ++i) {
        const double x = u(rng) * 1.5, y = u(rng) * 1.5;
        int p1 = -1, p2 = -1, p3 = -1;
        const double a = idx.nearest(x, y, p1), b = brute(x, y, p2);
        if (a != b || p1 != p2) ++bad;
        // With a limit: the same answer when within it, +inf and -1 beyond.
        const double lim = 5e4;
        const double c = idx.nearest(x, y, p3, lim);
        if (b <= lim ? (c != b || p3 != p2) : (!std::isinf(c) || p3 != -1)) ++bad_limited;
    }
    for (auto& v : parts[1].lines[0]) { // on the shared polyline: distance 0 in parts 1 and 3
        int p = -1;
        CHECK(idx.nearest(v.x, v.y, p) == 0.0);
        CHECK(p == 1);
    }
    CHECK(bad == 0);
    CHECK(bad_limited == 0);
}

TEST_CASE("spillover results do not depend on the thread count") {
    const Border b = bundled_border();
    auto lr = load_events_csv(std::string(NEXUSMAP_SOURCE_DIR) + "/data/demo/events_synthetic.csv");
    EventTable ev = std::move(lr.events);
    project_events(ev, Crs::default_analysis());
    SpilloverParams p1, p2;
    p1.threads = 1, p2.threads = 2;
    p1.permutations = p2.permutations = 99;
    const SpilloverResult a = analyse_spillover(ev, b, p1), c = analyse_spillover(ev, b, p2);
    CHECK(same_bits(a.dist.km, c.dist.km));
    CHECK(a.band_w == c.band_w);
    CHECK(a.seg_w == c.seg_w);
    CHECK(same_bits(a.front_km, c.front_km));
    CHECK(same_bits(a.share, c.share));
}

TEST_CASE("spillover trends state n and are withheld below 5 periods of >= 10 events") {
    auto l = countries({{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)}, {"BBB", rect(0, -1000 * KM, 1000 * KM, 0)}});
    Border b = derive_border(l, groups({"AAA"}, {"BBB"}));
    // Year y gets `k` events at x = 100..(100 + 10k) km, signed distance d_y = 5 (y - 2015) + 10 km on the
    // coastal side and 40 km on the Sahel side (alternating), all within X = 100 km of the border.
    auto make = [&](const std::vector<int>& per_year) {
        std::vector<std::array<double, 2>> xy;
        std::vector<int32_t> days;
        for (size_t y = 0; y < per_year.size(); ++y)
            for (int k = 0; k < per_year[y]; ++k) {
                const double d = k % 2 ? -(5.0 * double(y) + 10 + k) : 40 + k;
                xy.push_back({100.0 + 10 * k, d});
                days.push_back(days_from_civil(2015 + int(y), 6, 1));
            }
        return events_at(xy, days);
    };
    SpilloverParams p;
    p.permutations = 99;
    p.lags = 1;
    // 4 qualifying years of 6: every trend and the lead-lag are withheld, with the reason.
    SpilloverResult a = analyse_spillover(make({12, 12, 12, 12, 3, 3}), b, p);
    CHECK(a.front_trend.withheld);
    CHECK(a.share_trend.withheld);
    CHECK(a.centroid_trend.withheld);
    CHECK(std::isnan(a.front_trend.ts.slope));
    CHECK(std::isnan(a.front_trend.mk.p));
    CHECK(a.front_trend.periods_used == 4);
    CHECK(a.front_trend.note.find("only 4 of 6 periods") != std::string::npos);
    REQUIRE(a.leadlag.size() == 1);
    CHECK(a.leadlag[0].withheld);
    CHECK(std::isnan(a.leadlag[0].p_best));
    CHECK(std::isnan(a.leadlag[0].r[0]));
    auto tt = spillover_trend_table(a);
    CHECK(tt.rows[0].back().find("withheld") != std::string::npos);
    // 5 qualifying years of 7: reported, on those 5 periods only (independent Theil-Sen on them).
    SpilloverResult c = analyse_spillover(make({12, 12, 12, 12, 12, 3, 3}), b, p);
    CHECK_FALSE(c.front_trend.withheld);
    CHECK(c.front_trend.periods_used == 5);
    CHECK(c.front_trend.mk.n == 5);
    CHECK(c.front_trend.events_min == 12);
    std::vector<double> t5(c.t_mid.begin(), c.t_mid.begin() + 5), f5(c.front_km.begin(), c.front_km.begin() + 5);
    CHECK(c.front_trend.ts.slope == doctest::Approx(stats::theil_sen(t5, f5).slope));
    CHECK(c.front_trend.note.find("n = 5 of 7 periods") != std::string::npos);
    CHECK_FALSE(c.leadlag[0].withheld);
    CHECK(c.leadlag[0].periods_used == 5);
    CHECK(c.metadata.at("front_trend_n") == c.front_trend.note);
    CHECK(spillover_trend_table(c).rows[0].back() == "ok");
}

// ---- Geodesic distances (issue #13) ----------------------------------------------------------
// Planar distances in the LAEA analysis CRS are off by its scale distortion (event 342399 of UCDP
// GED 24.1: 200.134 km planar, 199.881 km geodesic, and it changed band). The references here are
// computed independently: Vincenty's inverse formula (T. Vincenty, Survey Review 23(176), 1975)
// written out below, with dense sampling and ternary search along segments.
namespace {

double vincenty_m(double lon1, double lat1, double lon2, double lat2) {
    const double a = 6378137.0, f = 1 / 298.257223563, b = a * (1 - f), d2r = 3.14159265358979323846 / 180;
    const double L = (lon2 - lon1) * d2r;
    const double U1 = std::atan((1 - f) * std::tan(lat1 * d2r)), U2 = std::atan((1 - f) * std::tan(lat2 * d2r));
    const double sU1 = std::sin(U1), cU1 = std::cos(U1), sU2 = std::sin(U2), cU2 = std::cos(U2);
    double lambda = L, sig = 0, ssig = 0, csig = 1, c2a = 1, c2sm = 0;
    for (int it = 0; it < 200; ++it) {
        const double sl = std::sin(lambda), cl = std::cos(lambda);
        ssig = std::sqrt((cU2 * sl) * (cU2 * sl) + (cU1 * sU2 - sU1 * cU2 * cl) * (cU1 * sU2 - sU1 * cU2 * cl));
        if (ssig == 0) return 0; // coincident points
        csig = sU1 * sU2 + cU1 * cU2 * cl;
        sig = std::atan2(ssig, csig);
        const double sa = cU1 * cU2 * sl / ssig;
        c2a = 1 - sa * sa;
        c2sm = c2a != 0 ? csig - 2 * sU1 * sU2 / c2a : 0;
        const double C = f / 16 * c2a * (4 + f * (4 - 3 * c2a));
        const double prev = lambda;
        lambda = L + (1 - C) * f * sa * (sig + C * ssig * (c2sm + C * csig * (-1 + 2 * c2sm * c2sm)));
        if (std::fabs(lambda - prev) < 1e-13) break;
    }
    const double u2 = c2a * (a * a - b * b) / (b * b);
    const double A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    const double B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    const double ds = B * ssig * (c2sm + B / 4 * (csig * (-1 + 2 * c2sm * c2sm) -
                                                  B / 6 * c2sm * (-3 + 4 * ssig * ssig) * (-3 + 4 * c2sm * c2sm)));
    return b * A * (sig - ds);
}

// Nearest Vincenty distance from P to the lon/lat-straight segment A-B: 200 samples, then ternary
// search around the best one.
double vincenty_to_segment_m(double lon, double lat, double la, double pa, double lb, double pb) {
    auto f = [&](double t) { return vincenty_m(lon, lat, la + t * (lb - la), pa + t * (pb - pa)); };
    int best = 0;
    double fb = f(0);
    for (int k = 1; k <= 200; ++k)
        if (const double v = f(k / 200.0); v < fb) fb = v, best = k;
    double lo = std::max(0, best - 1) / 200.0, hi = std::min(200, best + 1) / 200.0;
    for (int it = 0; it < 100; ++it) {
        const double m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;
        if (f(m1) <= f(m2)) hi = m2;
        else lo = m1;
    }
    return std::min(fb, f(0.5 * (lo + hi)));
}

struct LlEdgeRef {
    double la, pa, lb, pb;
    int seg;
};
std::vector<LlEdgeRef> border_edges_lonlat(const Border& b) {
    std::vector<LlEdgeRef> out;
    Transformer t(Crs::wgs84(), b.crs);
    for (size_t s = 0; s < b.segments.size(); ++s)
        for (auto& l : b.segments[s].line.lines)
            for (size_t i = 0; i + 1 < l.size(); ++i) {
                LlEdgeRef e{l[i].x, l[i].y, l[i + 1].x, l[i + 1].y, int(s)};
                t.inverse(e.la, e.pa), t.inverse(e.lb, e.pb);
                out.push_back(e);
            }
    return out;
}

// Brute force over every edge: coarse screen (21 samples), then the refined search on each edge
// whose coarse distance is within 2 km of the best coarse one.
double vincenty_to_border_m(double lon, double lat, const std::vector<LlEdgeRef>& edges, int& seg) {
    std::vector<double> coarse(edges.size());
    double cbest = INFINITY;
    for (size_t e = 0; e < edges.size(); ++e) {
        double m = INFINITY;
        for (int k = 0; k <= 20; ++k) {
            const double t = k / 20.0;
            m = std::min(m, vincenty_m(lon, lat, edges[e].la + t * (edges[e].lb - edges[e].la), edges[e].pa + t * (edges[e].pb - edges[e].pa)));
        }
        coarse[e] = m;
        cbest = std::min(cbest, m);
    }
    double best = INFINITY;
    seg = -1;
    for (size_t e = 0; e < edges.size(); ++e) {
        if (coarse[e] > cbest + 2000) continue;
        const double v = vincenty_to_segment_m(lon, lat, edges[e].la, edges[e].pa, edges[e].lb, edges[e].pb);
        if (v < best) best = v, seg = edges[e].seg;
    }
    return best;
}

} // namespace

TEST_CASE("geodesic distance equals an independent Vincenty computation (1 mm)") {
    const double pts[][4] = {{-4.67162, 12.04923, -4.9, 10.3},  {2.0, 12.0, 2.0, 13.0},     {2.0, 12.0, 3.0, 12.0},
                             {-17.4, 14.7, 2.1, 13.5},         {0, 0, 0.000001, 0.000001}, {-73.78, 40.64, 103.99, 1.36},
                             {1.2, 6.1, 1.2000001, 6.1}};
    for (auto& p : pts) {
        CAPTURE(p[0]);
        CAPTURE(p[1]);
        CHECK(std::fabs(geodesic_distance_m(p[0], p[1], p[2], p[3]) - vincenty_m(p[0], p[1], p[2], p[3])) < 1e-3);
    }
    CHECK(geodesic_distance_m(1, 2, 1, 2) == 0);
    CHECK(std::isnan(geodesic_distance_m(NAN, 2, 1, 2)));
    // The sphere is within 0.5 % of it.
    CHECK(std::fabs(haversine_m(-17.4, 14.7, 2.1, 13.5) / geodesic_distance_m(-17.4, 14.7, 2.1, 13.5) - 1) < 0.005);

    // Point to segment, against dense sampling + ternary search with Vincenty.
    std::mt19937_64 g(3);
    std::uniform_real_distribution<double> lon(-6, 4), lat(5, 16), dl(-0.5, 0.5);
    for (int rep = 0; rep < 40; ++rep) {
        const double la = lon(g), pa = lat(g), lb = la + dl(g), pb = pa + dl(g), x = lon(g), y = lat(g);
        double t = -1;
        const double got = geodesic_distance_to_segment_m(x, y, la, pa, lb, pb, &t);
        CHECK(std::fabs(got - vincenty_to_segment_m(x, y, la, pa, lb, pb)) < 1e-3);
        CHECK(t >= 0);
        CHECK(t <= 1);
    }
}

TEST_CASE("geodesic signed distances on the bundled border equal a Vincenty brute force (1 m)") {
    const Border b = bundled_border();
    const auto edges = border_edges_lonlat(b);
    // Random events over the groups' extent (lon/lat only, like a loaded CSV).
    EventTable ev;
    std::mt19937_64 g(17);
    std::uniform_real_distribution<double> lon(-8.5, 4.0), lat(4.5, 15.5);
    for (int i = 0; i < 60; ++i) {
        ev.lon.push_back(lon(g)), ev.lat.push_back(lat(g));
        ev.day.push_back(days_from_civil(2020, 1, 1)), ev.weight.push_back(1);
    }
    const SignedDistances d = signed_distances(ev, b);
    const SignedDistances dp = signed_distances(ev, b, {}, 0, DistanceMetric::Planar);
    size_t inside = 0;
    for (size_t i = 0; i < ev.size(); ++i) {
        CHECK(d.country[i] == dp.country[i]);
        if (d.country[i] < 0) continue;
        ++inside;
        int seg = -1;
        const double ref = vincenty_to_border_m(ev.lon[i], ev.lat[i], edges, seg);
        CAPTURE(ev.lon[i]);
        CAPTURE(ev.lat[i]);
        CHECK(std::fabs(std::fabs(d.km[i]) * 1000 - ref) < 1.0);
        CHECK(d.segment[i] == seg);
        CHECK(d.km_planar[i] == dp.km[i]);
        CHECK((d.km[i] < 0) == (dp.km[i] < 0)); // same side
    }
    CHECK(inside > 20);
    CHECK(d.max_abs_diff_km > 0);
    CHECK(d.max_rel_diff < 0.02); // LAEA at 2E 12N: scale within 2 % over the groups
}

TEST_CASE("real data (optional): UCDP event 342399 is 199.88 km from the border geodesically, 200.13 planar") {
    const std::string csv = testutil::shared_real("ucdp_ged_241_uemoa6/ged241_uemoa6_1989_2023.csv");
    if (csv.empty()) {
        MESSAGE("skipped: shared/data/real/ucdp_ged_241_uemoa6 not present");
        return;
    }
    auto lr = load_events_csv(csv);
    // Event 342399 (Faramana village, Burkina Faso, 2020-05-24): latitude 12.049230, longitude -4.671620.
    EventTable one;
    for (size_t i = 0; i < lr.events.size(); ++i)
        if (std::fabs(lr.events.lon[i] - -4.67162) < 1e-7 && std::fabs(lr.events.lat[i] - 12.04923) < 1e-7) {
            one.lon.push_back(lr.events.lon[i]), one.lat.push_back(lr.events.lat[i]);
            one.day.push_back(lr.events.day[i]), one.weight.push_back(1);
            break;
        }
    REQUIRE(one.size() == 1);
    const Border b = bundled_border();
    const SignedDistances d = signed_distances(one, b);
    MESSAGE("event 342399: planar " << d.km_planar[0] << " km, geodesic " << d.km[0] << " km");
    // The figures (3 decimals), and the independent brute force to 1 m.
    CHECK(d.km_planar[0] == doctest::Approx(-200.134).epsilon(0.001 / 200));
    int seg = -1;
    const double ref = vincenty_to_border_m(one.lon[0], one.lat[0], border_edges_lonlat(b), seg);
    CHECK(std::fabs(-d.km[0] * 1000 - ref) < 1.0);
    CHECK(d.km[0] == doctest::Approx(-199.881).epsilon(0.005 / 200));
    // With the default bands (-200 .. 200) it was beyond them planar and is in -200..-100 now.
    const SpilloverParams sp;
    REQUIRE(sp.bands_km.front() == -200);
    CHECK(d.km_planar[0] < -200);
    CHECK(d.km[0] >= -200);
}

// The bundled real UCDP GED 24.1 events (data/real, always present): counts against the source's
// own table (../shared SOURCE.md: Benin 6/8/20 and Togo 0/8/20 events in 2021/2022/2023), and the
// analysis on precise locations only, labelled real with the UCDP attribution.
TEST_CASE("real data: UCDP GED 24.1 coastal-state counts and spillover on precise events") {
    const std::string events = std::string(NEXUSMAP_SOURCE_DIR) + "/data/real/ucdp_ged241_uemoa6.csv";
    const std::string basemap = std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg";
    REQUIRE(std::filesystem::exists(events));
    auto lr = load_events_csv(events);
    EventTable ev = std::move(lr.events);
    CHECK(ev.size() == 4741);
    CHECK(lr.report.bad.empty());
    CHECK_FALSE(ev.synthetic);
    CHECK(ev.prov.ucdp());
    std::map<std::string, std::array<int, 3>> n;
    for (size_t i = 0; i < ev.size(); ++i) {
        int y = 0, m = 0, d = 0;
        civil_from_days(ev.day[i], y, m, d);
        if (y >= 2021 && y <= 2023) n[ev.country_names[ev.country[i]]][size_t(y - 2021)]++;
    }
    CHECK(n["Benin"] == std::array<int, 3>{6, 8, 20});
    CHECK(n["Togo"] == std::array<int, 3>{0, 8, 20});

    // 2012-2023, precise locations only (where_prec <= 2), as `nexusmap spillover` does by default.
    std::vector<bool> keep(ev.size());
    for (size_t i = 0; i < ev.size(); ++i)
        keep[i] = ev.day[i] >= days_from_civil(2012, 1, 1) && ev.day[i] <= days_from_civil(2023, 12, 31) &&
                  ev.precision[i] >= 1 && ev.precision[i] <= 2;
    ev = ev.subset(keep);
    project_events(ev, Crs::default_analysis());
    ReadLayerOptions ro;
    ro.layer = "admin0";
    Border b = derive_border(read_layer(basemap, ro));
    SpilloverParams p;
    p.permutations = 0;
    SpilloverResult r = analyse_spillover(ev, b, p);
    REQUIRE(r.labels.front() == "2012");
    REQUIRE(r.labels.back() == "2023");
    MESSAGE("real: share " << r.share.front() << " -> " << r.share.back() << ", front " << r.front_km.front() << " -> "
                           << r.front_km.back() << " km, velocity " << r.front_trend.ts.slope << " km/yr");
    // No coastal-side events near the border before 2019 in GED; some in 2023.
    CHECK(r.share_coastal.front() == 0);
    CHECK(r.share_coastal.back() > 0);
    CHECK(r.metadata.at("synthetic") == "false");
    CHECK(r.metadata.at("attribution").find("UCDP") != std::string::npos);
}

// ---- the spillover pipeline (pipeline/spillover.hpp, pipeline/folder.hpp) -----------------------

TEST_CASE("spillover pipeline settings: KEY=VALUE as the CLI flags, validated in one place") {
    pipeline::SpilloverRun run;
    run.set("period=quarter");
    run.set("bands=-100,0,100");
    run.set("x-km=50");
    run.set("permutations=99");
    run.set("circular-shift=1");
    run.set("lead-lag-levels=yes");
    run.set("sahel=mli bfa");
    CHECK(run.analysis.period == PeriodUnit::Quarter);
    CHECK(run.analysis.bands_km == std::vector<double>{-100, 0, 100});
    CHECK(run.analysis.x_km == 50);
    CHECK(run.analysis.permutations == 99);
    CHECK(run.analysis.permutation == PermutationKind::CircularShift);
    CHECK_FALSE(run.analysis.difference);
    CHECK(run.groups.sahel == "mli bfa");
    CHECK_NOTHROW(run.validate());
    CHECK_THROWS_WITH_AS(run.set("x_km=5"), doctest::Contains("unknown key 'x_km'"), GeoError);
    CHECK_THROWS_WITH_AS(run.set("period"), doctest::Contains("KEY=VALUE"), GeoError);
    CHECK_THROWS_AS(run.set("x-km=abc"), GeoError);
    auto refused = [](const char* kv, const char* why) {
        pipeline::SpilloverRun r;
        r.set(kv);
        CHECK_THROWS_WITH_AS(r.validate(), doctest::Contains(why), GeoError);
    };
    refused("lags=100000", "--lags");
    refused("permutations=-1", "--permutations");
    refused("bands=0,-50", "strictly ascending");
    refused("bands=0", "at least two edges");
    refused("quantile=1.5", "--quantile");
    refused("coastal=CIV,MLI", "MLI is in both groups");
    pipeline::CorridorRun cor;
    cor.set("half-width-km=30");
    cor.set("recent=2");
    CHECK(cor.analysis.half_width_km == 30);
    CHECK(cor.analysis.recent_periods == 2);
    cor.set("bin-km=0");
    CHECK_THROWS_WITH_AS(cor.validate(), doctest::Contains("--bin-km"), GeoError);
}

TEST_CASE("spillover product: the folder holds every table and layer, written once for all front ends") {
    auto l = countries({{"AAA", rect(0, 0, 1000 * KM, 1000 * KM)}, {"BBB", rect(0, -1000 * KM, 1000 * KM, 0)}});
    pipeline::BorderGroups g;
    g.sahel = "AAA", g.coastal = "bbb"; // codes are upper-cased
    Border b = pipeline::load_border(l, g, Crs::default_analysis());
    REQUIRE(b.segments.size() == 1);
    std::vector<std::array<double, 2>> xy;
    std::vector<int32_t> days;
    for (int y = 2015; y <= 2022; ++y)
        for (int k = 0; k < 12; ++k) xy.push_back({100.0 + 60 * k, (k % 2 ? 1 : -1) * (20.0 + 10 * k)}), days.push_back(days_from_civil(y, 6, 1));
    EventTable ev = events_at(xy, days);
    SpilloverParams p;
    p.permutations = 19;
    p.metric = DistanceMetric::Planar;
    const SpilloverResult r = analyse_spillover(ev, b, p);
    const pipeline::FolderProduct prod = pipeline::spillover_product(r, ev);
    // The names a front end checks before any work are the names written.
    auto want = pipeline::spillover_files();
    auto got = prod.files();
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    CHECK(got == want);
    CHECK(prod.layers.at(0).layer.features.size() == 1);           // one border segment
    CHECK(prod.layers.at(1).layer.features.size() == r.bands.size()); // one polygon per band
    CHECK(prod.layer_metadata.count("style") == 1);
    CHECK(prod.metadata.count("style") == 0);
    REQUIRE(prod.summary.size() >= 3);
    CHECK(prod.summary[0].find(std::to_string(ev.size()) + " events") != std::string::npos);
    CHECK(prod.summary[0].find("border 1000 km in 1 segments") != std::string::npos);

    const auto dir = testutil::tmpdir("spill_folder");
    pipeline::prepare_folder(dir.string(), prod.files(), false, {}, "-o");
    const auto written = pipeline::write_folder(prod, dir.string());
    CHECK(written.size() == want.size());
    for (const auto& f : want) CHECK(std::filesystem::exists(dir / f));
    // The CSV is the table as write_csv writes it (byte for byte).
    write_csv(spillover_band_table(r), (dir / "direct.csv").string(), r.metadata);
    CHECK(testutil::slurp(dir / "spillover_bands.csv") == testutil::slurp(dir / "direct.csv"));
    // A second run refuses to replace the files, and a file name is not a folder.
    CHECK_THROWS_WITH_AS(pipeline::prepare_folder(dir.string(), prod.files(), false, {}, "-o"),
                         doctest::Contains("exists"), GeoError);
    CHECK_THROWS_WITH_AS(pipeline::prepare_folder((dir / "x.gpkg").string(), prod.files(), false, {}, "-o"),
                         doctest::Contains("give a stem"), GeoError);
    std::filesystem::remove_all(dir);
}
