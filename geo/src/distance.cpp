#include "nexusmap/distance.hpp"

#include <geodesic.h>

#include <cmath>
#include <initializer_list>
#include <limits>

namespace nexusmap {

namespace {
const geod_geodesic& wgs84() {
    static const geod_geodesic g = [] {
        geod_geodesic e;
        geod_init(&e, 6378137.0, 1 / 298.257223563);
        return e;
    }();
    return g;
}
} // namespace

double geodesic_distance_m(double lon1, double lat1, double lon2, double lat2) {
    if (!std::isfinite(lon1) || !std::isfinite(lat1) || !std::isfinite(lon2) || !std::isfinite(lat2))
        return std::numeric_limits<double>::quiet_NaN();
    double s12 = 0;
    geod_inverse(&wgs84(), lat1, lon1, lat2, lon2, &s12, nullptr, nullptr); // geodesic.h takes lat first
    return s12;
}

double geodesic_distance_to_segment_m(double lon, double lat, double lon_a, double lat_a, double lon_b, double lat_b,
                                      double* t_out) {
    auto f = [&](double t) { return geodesic_distance_m(lon, lat, lon_a + t * (lon_b - lon_a), lat_a + t * (lat_b - lat_a)); };
    // Golden-section search; 39 steps shrink [0, 1] to 0.618^39 < 1e-8.
    constexpr double kInvPhi = 0.61803398874989484820;
    double a = 0, b = 1, c = b - kInvPhi * (b - a), d = a + kInvPhi * (b - a);
    double fc = f(c), fd = f(d);
    for (int it = 0; it < 39; ++it) {
        if (fc <= fd) {
            b = d, d = c, fd = fc;
            c = b - kInvPhi * (b - a);
            fc = f(c);
        } else {
            a = c, c = d, fc = fd;
            d = a + kInvPhi * (b - a);
            fd = f(d);
        }
    }
    double t = fc <= fd ? c : d, best = std::fmin(fc, fd);
    // The ends, in case the minimum is there (golden section only approaches them).
    for (double e : {0.0, 1.0}) {
        const double fe = f(e);
        if (fe < best) best = fe, t = e;
    }
    if (t_out) *t_out = t;
    return best;
}

double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    constexpr double kR = 6371008.8, kDeg = 3.14159265358979323846 / 180;
    const double p1 = lat1 * kDeg, p2 = lat2 * kDeg, dp = p2 - p1, dl = (lon2 - lon1) * kDeg;
    const double h = std::sin(dp / 2) * std::sin(dp / 2) + std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
    return 2 * kR * std::asin(std::fmin(1.0, std::sqrt(h)));
}

} // namespace nexusmap
