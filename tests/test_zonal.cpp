// Zonal counts: events per polygon and rates per 10,000 km^2 against hand counts.
#include <doctest/doctest.h>

#include <cmath>

#include "nexusmap/zonal.hpp"

using namespace nexusmap;

TEST_CASE("counts, weighted counts and rates per 10,000 km^2 of two 1-degree cells") {
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
