// CRS parsing, axis order and transform round trips.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/error.hpp"

using namespace nexusmap;

TEST_CASE("round trip lon/lat -> analysis CRS -> lon/lat under 1 mm") {
    for (const char* def : {"laea:2,12", "EPSG:32630", "EPSG:3857", "+proj=aea +lat_1=5 +lat_2=20 +lon_0=0 +datum=WGS84 +units=m"}) {
        Crs c = Crs::from_user(def);
        Transformer t(Crs::wgs84(), c);
        std::vector<double> lon{-17.4, -4.2, 0.5, 2.4, 15.0}, lat{14.7, 14.5, 14.8, 6.4, 12.1};
        auto x = lon, y = lat;
        t.forward(x.data(), y.data(), x.size());
        auto lo = x, la = y;
        t.inverse(lo.data(), la.data(), lo.size());
        for (size_t i = 0; i < lon.size(); ++i) {
            std::string d = def;
            CAPTURE(d);
            CAPTURE(i);
            // 1 mm on the ground is ~9e-9 degrees; compare in metres along each axis.
            const double dy = (la[i] - lat[i]) * 111'320.0, dx = (lo[i] - lon[i]) * 111'320.0 * std::cos(lat[i] * M_PI / 180);
            CHECK(std::hypot(dx, dy) < 1e-3);
        }
    }
}

TEST_CASE("axis order is x = longitude, y = latitude for EPSG:4326 (whose official order is lat, lon)") {
    Transformer t(Crs::wgs84(), Crs::from_user("EPSG:32631")); // UTM 31N, central meridian 3E
    double x = 3.0, y = 0.0;
    t.forward(x, y);
    CHECK(x == doctest::Approx(500'000).epsilon(1e-9)); // false easting at the central meridian
    CHECK(std::fabs(y) < 1e-6);
}

TEST_CASE("LAEA is equal-area: a 1 x 1 degree cell keeps its ellipsoidal area (0.05%)") {
    // Area of the 1 x 1 degree cell 1-2E, 12-13N on the WGS 84 ellipsoid, closed form:
    // A = dlon * (F(phi2) - F(phi1)), F(phi) = b^2 [sin(phi) / (2 (1 - e^2 sin^2 phi)) + atanh(e sin phi) / (2e)].
    const double a0 = 6378137.0, fl = 1 / 298.257223563, b = a0 * (1 - fl), e = std::sqrt(fl * (2 - fl)), deg = M_PI / 180;
    auto F = [&](double p) {
        const double s = std::sin(p);
        return b * b * (s / (2 * (1 - e * e * s * s)) + std::log((1 + e * s) / (1 - e * s)) / (4 * e));
    };
    const double expected = deg * (F(13 * deg) - F(12 * deg)) / 1e6;
    Transformer t(Crs::wgs84(), Crs::default_analysis());
    // Shoelace on a densified ring.
    std::vector<double> xs, ys;
    for (int i = 0; i <= 100; ++i) xs.push_back(1 + i / 100.0), ys.push_back(12);
    for (int i = 0; i <= 100; ++i) xs.push_back(2), ys.push_back(12 + i / 100.0);
    for (int i = 0; i <= 100; ++i) xs.push_back(2 - i / 100.0), ys.push_back(13);
    for (int i = 0; i <= 100; ++i) xs.push_back(1), ys.push_back(13 - i / 100.0);
    t.forward(xs.data(), ys.data(), xs.size());
    double a = 0;
    for (size_t i = 0; i + 1 < xs.size(); ++i) a += xs[i] * ys[i + 1] - xs[i + 1] * ys[i];
    CHECK(std::fabs(a) / 2 / 1e6 == doctest::Approx(expected).epsilon(5e-4));
}

TEST_CASE("CRS definitions: EPSG codes, bare numbers, laea:, and clear errors") {
    CHECK(Crs::from_user("4326").is_geographic());
    CHECK_FALSE(Crs::from_user("EPSG:3857").is_geographic());
    CHECK(Crs::from_user("laea:2,12").same_as(Crs::default_analysis()));
    CHECK(Crs::from_user(" EPSG:4326 ").same_as(Crs::wgs84()));
    CHECK_THROWS_WITH_AS(Crs::from_user("EPSG:999999"), doctest::Contains("not understood"), GeoError);
    CHECK_THROWS_WITH_AS(Crs::from_user("laea:200,12"), doctest::Contains("LON0"), GeoError);
    CHECK_THROWS_AS(Crs::from_user(""), GeoError);
    CHECK_THROWS_AS(Crs::from_user("+proj=nonsense"), GeoError);
}

TEST_CASE("forward_bbox of the study area is finite and ordered") {
    Transformer t(Crs::wgs84(), Crs::default_analysis());
    BBox b = t.forward_bbox({-18, 4, 16, 24});
    CHECK(b.xmin < 0);
    CHECK(b.xmax > 0);
    CHECK(b.ymin < 0);
    CHECK(b.ymax > 0);
    CHECK(std::isfinite(b.width()));
}

// Issue #19: a CRS string must not make PROJ read arbitrary files.
TEST_CASE("refuses PROJ +init= strings and grid paths, keeps EPSG and grid names") {
    CHECK_THROWS_WITH_AS(Crs::from_user("+init=epsg:32631"), doctest::Contains("EPSG:32631"), GeoError);
    CHECK_THROWS_WITH_AS(Crs::from_user("+init=/etc/passwd:root"), doctest::Contains("+init= is not accepted"), GeoError);
    CHECK_THROWS_WITH_AS(Crs::from_user("+proj=longlat +init=/tmp/x:y +type=crs"), doctest::Contains("+init="), GeoError);
    CHECK_THROWS_WITH_AS(Crs::from_user("+proj=longlat +ellps=WGS84 +nadgrids=/etc/passwd"),
                         doctest::Contains("not by a path"), GeoError);
    CHECK_THROWS_WITH_AS(Crs::from_user("+proj=longlat +ellps=WGS84 +nadgrids=../../x.gsb"),
                         doctest::Contains("not by a path"), GeoError);
    CHECK(Crs::from_user("EPSG:32631").valid());
    CHECK(Crs::from_user("+proj=longlat +ellps=WGS84 +towgs84=0,0,0 +nadgrids=@null").valid());
}

TEST_CASE("a large batch transformed on all cores equals the same points one small batch at a time") {
    // run_trans() splits batches of 2^18 points and more across threads, each with its own clone
    // of the operation: the numbers must be those of the single-threaded path, bit for bit.
    const size_t n = (size_t(1) << 18) + 12345;
    std::vector<double> x(n), y(n);
    for (size_t i = 0; i < n; ++i) x[i] = -17 + double(i % 997) * 0.04, y[i] = 2 + double(i % 991) * 0.025;
    std::vector<double> bx = x, by = y, sx = x, sy = y;
    Transformer t(Crs::wgs84(), Crs::default_analysis());
    CHECK(t.forward(bx.data(), by.data(), n) == 0);
    for (size_t a = 0; a < n; a += 4096) t.forward(sx.data() + a, sy.data() + a, std::min<size_t>(4096, n - a));
    CHECK(bx == sx);
    CHECK(by == sy);
    CHECK(bx[0] != x[0]); // projected, not left as degrees
}

// Crs::wgs84() and Crs::laea() write their WKT without PROJ (no database open at start-up, issue
// #17): the texts must stay those PROJ itself gives for the same definitions.
TEST_CASE("WGS 84 and LAEA WKT written without PROJ equal PROJ's own text") {
    CHECK(Crs::wgs84().wkt() == Crs::from_user("EPSG:4326").wkt());
    CHECK(Crs::wgs84().is_geographic());
    const double centres[][2] = {{2, 12}, {-0.0, -0.0}, {0.5, -0.000001}, {1e-7, 33.333333333333}, {-17.25, 14.75}, {180, -90}, {-3.25, 14.123456789}};
    for (const auto& c : centres) {
        char def[200];
        std::snprintf(def, sizeof def, "+proj=laea +lat_0=%.10g +lon_0=%.10g +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs", c[1], c[0]);
        CAPTURE(def);
        const Crs ours = Crs::laea(c[0], c[1]);
        std::string w = ours.wkt();
        // PROJ names an unnamed PROJ-string CRS "unknown"; ours carries its own name.
        const size_t a = w.find('"') + 1, b = w.find('"', a);
        CHECK(w.substr(a, b - a).find("Lambert azimuthal equal-area") == 0);
        w.replace(a, b - a, "unknown");
        CHECK(w == Crs::from_user(def).wkt());
        CHECK(!ours.is_geographic());
        CHECK(ours.same_as(Crs::from_user(def)));
    }
}

TEST_CASE("WGS 84 <-> LAEA built directly gives PROJ's operation search results") {
    const Crs ours = Crs::laea(2, 12);
    const Crs searched = Crs::from_user("+proj=laea +lat_0=12 +lon_0=2 +x_0=0 +y_0=0 +datum=WGS84 +units=m"); // not "laea:": searched
    std::vector<double> lon{-17.4, -4.2, 0.5, 2.4, 15.0, 2.0}, lat{14.7, 14.5, 14.8, 6.4, 12.1, 12.0};
    auto x1 = lon, y1 = lat, x2 = lon, y2 = lat;
    Transformer(Crs::wgs84(), ours).forward(x1.data(), y1.data(), x1.size());
    Transformer(Crs::wgs84(), searched).forward(x2.data(), y2.data(), x2.size());
    for (size_t i = 0; i < lon.size(); ++i) {
        CAPTURE(i);
        CHECK(std::fabs(x1[i] - x2[i]) < 1e-6);
        CHECK(std::fabs(y1[i] - y2[i]) < 1e-6);
    }
    CHECK(std::fabs(x1[5]) < 1e-6); // the centre maps to the origin
    CHECK(std::fabs(y1[5]) < 1e-6);
    auto lo1 = x1, la1 = y1, lo2 = x1, la2 = y1;
    Transformer(ours, Crs::wgs84()).forward(lo1.data(), la1.data(), lo1.size());
    Transformer(searched, Crs::wgs84()).forward(lo2.data(), la2.data(), lo2.size());
    for (size_t i = 0; i < lon.size(); ++i) {
        CAPTURE(i);
        CHECK(std::fabs(lo1[i] - lo2[i]) < 1e-10);
        CHECK(std::fabs(la1[i] - la2[i]) < 1e-10);
        CHECK(std::fabs(lo1[i] - lon[i]) < 1e-7); // the round trip
    }
}
