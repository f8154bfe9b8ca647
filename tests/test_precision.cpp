// Location precision (geo/src/precision.cpp): --max-precision drops, --precision spread keeps
// totals, against hand counts on tests/data/precision_levels.csv (UCDP where_prec 1..7) and exact
// sums on hand-made polygons.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/precision.hpp"
#include "nexusmap/zonal.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace {

Geometry square(double x0, double y0, double x1, double y1) {
    Geometry g;
    g.type = GeomType::Polygon;
    g.polygons.push_back({{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}});
    return g;
}
VectorLayer layer(const std::string& name, std::vector<Geometry> gs) {
    VectorLayer l;
    l.name = name;
    l.crs = Crs::wgs84();
    l.type = GeomType::Polygon;
    for (auto& g : gs) l.features.push_back({g, {}, int64_t(l.features.size())});
    return l;
}
// Country [0,10]x[0,10]; admin-1 west/east halves; admin-2: an L-shaped unit with a hole in the
// south-west quarter and the three other quarters.
struct Admin {
    VectorLayer a0, a1, a2;
    Admin() {
        a0 = layer("admin0", {square(0, 0, 10, 10)});
        a1 = layer("admin1", {square(0, 0, 5, 10), square(5, 0, 10, 10)});
        Geometry sw = square(0, 0, 5, 5);
        sw.polygons[0].rings.push_back({{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}}); // hole
        a2 = layer("admin2", {sw, square(0, 5, 5, 10), square(5, 0, 10, 5), square(5, 5, 10, 10)});
    }
};

EventTable ucdp_events(const std::vector<std::array<double, 3>>& lon_lat_prec, const std::vector<float>& w) {
    EventTable ev;
    ev.schema = "UCDP GED";
    ev.source = "hand";
    for (size_t i = 0; i < lon_lat_prec.size(); ++i) {
        ev.lon.push_back(lon_lat_prec[i][0]);
        ev.lat.push_back(lon_lat_prec[i][1]);
        ev.precision.push_back(uint8_t(lon_lat_prec[i][2]));
        ev.day.push_back(0);
        ev.weight.push_back(w[i]);
        ev.fatalities.push_back(w[i]);
        ev.type.push_back(0);
        ev.row.push_back(uint32_t(i + 2));
        ev.country.push_back(0);
        ev.admin1.emplace_back();
        ev.actor.emplace_back();
    }
    ev.type_names = {"x"};
    ev.country_names = {"C"};
    return ev;
}

} // namespace

TEST_CASE("precision spread: each polygon receives exactly the weight of its events (1e-9), points inside") {
    Admin ad;
    // One event per level; the admin-2 event sits in the L-shaped unit with a hole.
    EventTable ev = ucdp_events({{3, 3, 1}, {6, 6, 2}, {3.5, 2.5, 3}, {7, 2, 3}, {2, 8, 4}, {5, 5, 5}, {5, 5, 6}, {9, 9, 7}},
                                {1, 2, 3, 0.7f, 5, 6, 7, 8});
    PrecisionParams p;
    p.spread = true;
    p.admin0 = &ad.a0, p.admin1 = &ad.a1, p.admin2 = &ad.a2;
    PrecisionResult r = apply_precision(ev, p);
    CHECK(r.kept == 2);
    CHECK(r.spread == 4);    // codes 3, 3, 4, 6
    CHECK(r.excluded == 2);  // codes 5 and 7
    CHECK(r.dropped == 0);
    // Mass per (level, polygon) from the spread rows against the events assigned there by hand.
    std::map<std::pair<int, int>, double> mass;
    const size_t nkept = r.kept;
    REQUIRE(r.events.size() == r.weight.size());
    REQUIRE(r.spread_level.size() == r.events.size() - nkept);
    const VectorLayer* ls[3] = {&ad.a0, &ad.a1, &ad.a2};
    for (size_t j = nkept; j < r.events.size(); ++j) {
        const size_t s = j - nkept;
        mass[{r.spread_level[s], r.spread_feature[s]}] += r.weight[j];
        // Every sub-point lies in the polygon it was spread over (and not in the hole).
        PolygonIndex idx(*ls[r.spread_level[s]]);
        CHECK(idx.locate(r.events.lon[j], r.events.lat[j]) == r.spread_feature[s]);
        if (r.spread_level[s] == 2 && r.spread_feature[s] == 0)
            CHECK_FALSE((r.events.lon[j] > 1 && r.events.lon[j] < 2 && r.events.lat[j] > 1 && r.events.lat[j] < 2));
        // Float weights equal the exact ones: the fractions are powers of two.
        CHECK(double(r.events.weight[j]) == doctest::Approx(r.weight[j]).epsilon(1e-7));
    }
    CHECK(std::fabs(mass[{2, 0}] - 3.0) < 1e-9);  // code 3 at (3.5,2.5): SW unit (with the hole)
    CHECK(std::fabs(mass[{2, 2}] - double(0.7f)) < 1e-9); // code 3 at (7,2): SE unit
    CHECK(std::fabs(mass[{1, 0}] - 5.0) < 1e-9);  // code 4 at (2,8): west half
    CHECK(std::fabs(mass[{0, 0}] - 7.0) < 1e-9);  // code 6: the country
    CHECK(mass.size() == 4);
    // Totals: kept 1 + 2, spread 3 + 0.7 + 5 + 7; codes 5 and 7 (6 + 8) excluded.
    CHECK(std::fabs(r.output_weight - (1 + 2 + 3 + double(0.7f) + 5 + 7)) < 1e-9);
    CHECK(std::fabs(r.input_weight - (1 + 2 + 3 + double(0.7f) + 5 + 6 + 7 + 8)) < 1e-9);
    // share: a count of events (1 per kept, fractions summing to 1 per spread event).
    double shares = 0;
    for (float s : r.events.share) shares += s;
    CHECK(shares == doctest::Approx(6.0).epsilon(1e-12));
    // Zonal on admin-2 counts the fractions: 1 + 1 (SW: kept (3,3) + spread), etc.
    ZonalParams zp;
    zp.area_crs = Crs::laea(5, 5);
    ZonalResult z = zonal_counts(r.events, ad.a2, zp);
    double zsum = 0;
    for (auto& f : z.layer.features) zsum += std::get<double>(f.attrs[0]);
    CHECK(zsum + z.outside_events == doctest::Approx(6.0).epsilon(1e-12));
    auto md = r.metadata();
    CHECK(md["precision_mode"] == "spread");
    CHECK(md["precision_levels"].find("5 linear feature") != std::string::npos);
}

TEST_CASE("precision: max-precision drops the imprecise; a missing layer falls back to the coarser one") {
    Admin ad;
    EventTable ev = ucdp_events({{3, 3, 1}, {6, 6, 2}, {3.5, 2.5, 3}, {2, 8, 4}, {5, 5, 6}, {4, 4, 0}}, {1, 1, 1, 1, 1, 1});
    PrecisionParams p;
    p.max_precision = 2;
    PrecisionResult r = apply_precision(ev, p);
    CHECK(r.events.size() == 2 + 1); // codes 1, 2 and the unknown code 0 (kept, counted)
    CHECK(r.dropped == 3);
    CHECK(r.events.share.empty());
    CHECK(r.mode == "max-precision 2");
    // Spread with no admin-2 layer: the code-3 event goes to its admin-1 polygon.
    PrecisionParams q;
    q.spread = true;
    q.admin0 = &ad.a0, q.admin1 = &ad.a1;
    PrecisionResult s = apply_precision(ev, q);
    REQUIRE(s.spread == 3);
    for (size_t j = s.kept; j < s.events.size(); ++j)
        if (s.spread_source[j - s.kept] == 2) CHECK(s.spread_level[j - s.kept] == 1);
    CHECK(s.output_weight == doctest::Approx(6.0).epsilon(1e-12));
    // Outside every layer: excluded and counted, not silently dropped.
    EventTable far = ucdp_events({{30, 30, 3}}, {1});
    PrecisionResult f = apply_precision(far, q);
    CHECK(f.excluded == 1);
    CHECK(f.summary().find("excluded (in no polygon") != std::string::npos);
}

TEST_CASE("precision: the UCDP fixture with every level, against a hand count, on the bundled admin layers") {
    EventCsvOptions wo;
    wo.weight = "auto"; // best deaths as the weight, for the hand count of weights below
    auto lr = load_events_csv(testutil::data("precision_levels.csv"), wo);
    const EventTable& ev = lr.events;
    REQUIRE(ev.size() == 12);
    CHECK(ev.schema == "UCDP GED");
    CHECK(ev.prov.ucdp());
    std::map<int, int> by;
    for (auto c : ev.precision) by[c]++;
    CHECK(by == std::map<int, int>{{1, 3}, {2, 2}, {3, 2}, {4, 2}, {5, 1}, {6, 1}, {7, 1}});
    PrecisionParams p;
    p.max_precision = 2;
    CHECK(apply_precision(ev, p).events.size() == 5);
    // Spread over the bundled basemap (always present in the repository).
    const auto l = testutil::basemap_admin_layers();
    PrecisionParams q;
    q.spread = true;
    q.admin0 = &l[0], q.admin1 = &l[1], q.admin2 = &l[2];
    PrecisionResult r = apply_precision(ev, q);
    CHECK(r.kept == 5);
    CHECK(r.spread == 5);
    CHECK(r.excluded == 2);
    // best: kept 2+5+1+4+3 = 15; spread 7+1+10+2+20 = 40; excluded 6 + 8.
    CHECK(std::fabs(r.output_weight - 55.0) < 1e-9);
    // Per source event, its rows carry exactly its weight, in the polygon that holds the event.
    std::map<size_t, double> per;
    for (size_t j = r.kept; j < r.events.size(); ++j) per[r.spread_source[j - r.kept]] += r.weight[j];
    CHECK(per.size() == 5);
    for (auto& [i, w] : per) CHECK(std::fabs(w - double(ev.weight[i])) < 1e-9);
    // Each level goes to the layer its code names (all points are inside Burkina Faso).
    for (size_t j = r.kept; j < r.events.size(); ++j) {
        const int code = ev.precision[r.spread_source[j - r.kept]];
        CHECK(r.spread_level[j - r.kept] == (code == 3 ? 2 : code == 4 ? 1 : 0));
    }
}

TEST_CASE("precision: ACLED geo_precision 3 spreads over admin-1; 1 and 2 are points") {
    Admin ad;
    auto r = parse_events_csv("event_date,latitude,longitude,event_type,fatalities,geo_precision\n"
                              "2020-01-01,3,3,Battles,1,1\n2020-01-02,8,2,Battles,1,2\n2020-01-03,8,7,Battles,1,3\n",
                              "acled.csv");
    CHECK(r.events.schema == "ACLED");
    CHECK(precision_scheme(r.events) == PrecisionScheme::Acled);
    PrecisionParams p;
    p.spread = true;
    p.admin0 = &ad.a0, p.admin1 = &ad.a1, p.admin2 = &ad.a2;
    PrecisionResult s = apply_precision(r.events, p);
    CHECK(s.kept == 2);
    CHECK(s.spread == 1);
    for (int lvl : s.spread_level) CHECK(lvl == 1);
    for (int f : s.spread_feature) CHECK(f == 1); // the east half
}

TEST_CASE("precision: the table handed over (moved) gives what the copied one gives, kept or dropped") {
    Admin ad;
    const EventTable ev = ucdp_events({{3, 3, 1}, {6, 6, 2}, {3.5, 2.5, 3}, {2, 8, 4}, {5, 5, 6}, {4, 4, 0}}, {1, 2, 3, 4, 5, 6});
    PrecisionParams keep_all, drop, spread;
    drop.max_precision = 2;
    spread.spread = true;
    spread.admin0 = &ad.a0, spread.admin1 = &ad.a1, spread.admin2 = &ad.a2;
    for (const PrecisionParams* p : {&keep_all, &drop, &spread}) {
        const PrecisionResult a = apply_precision(ev, *p);
        EventTable copy = ev;
        const PrecisionResult b = apply_precision(std::move(copy), *p);
        CHECK(a.summary() == b.summary());
        REQUIRE(a.events.size() == b.events.size());
        CHECK(a.events.lon == b.events.lon);
        CHECK(a.events.lat == b.events.lat);
        CHECK(a.events.weight == b.events.weight);
        CHECK(a.events.row == b.events.row);
        CHECK(a.weight == b.weight);
        CHECK(a.events.metadata == b.events.metadata);
    }
    EventTable copy = ev;
    CHECK(apply_precision(std::move(copy), keep_all).events.size() == 6); // every row, none dropped
}
