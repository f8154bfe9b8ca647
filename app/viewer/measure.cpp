#include "viewer/measure.hpp"

#include <cmath>
#include <cstdio>

#include "nexusmap/distance.hpp"

namespace nexusmap::viewer {

Measurement measure(const std::vector<LonLat>& pts) {
    std::vector<double> lon, lat;
    for (const auto& p : pts) {
        lon.push_back(p.lon);
        lat.push_back(p.lat);
    }
    Measurement m;
    m.length_km = geodesic_path_length_m(lon.data(), lat.data(), lon.size()) / 1000;
    if (pts.size() >= 3) {
        double perim = 0;
        m.area_km2 = geodesic_polygon_area_m2(lon.data(), lat.data(), lon.size(), &perim) / 1e6;
        m.perimeter_km = perim / 1000;
    }
    return m;
}

namespace {
// Thousands separated by commas, `decimals` after the point.
std::string grouped(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    const size_t dot = s.find('.');
    size_t end = dot == std::string::npos ? s.size() : dot;
    const size_t start = s[0] == '-' ? 1 : 0;
    for (size_t k = end; k > start + 3; k -= 3)
        s.insert(k - 3, ",");
    return s;
}
} // namespace

std::string format_length_km(double km) {
    if (!std::isfinite(km)) return "-";
    if (km < 1) return grouped(km * 1000, 0) + " m";
    return grouped(km, km < 100 ? 2 : 1) + " km";
}

std::string format_area_km2(double km2) {
    if (!std::isfinite(km2)) return "-";
    return grouped(km2, km2 < 10 ? 3 : km2 < 1000 ? 1 : 0) + " km\xc2\xb2";
}

} // namespace nexusmap::viewer
