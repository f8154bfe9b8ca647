#include "nexusmap/distance.hpp"

#include <geodesic.h>

#include <cmath>
#include <initializer_list>
#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

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

namespace {
constexpr double kInvPhi = 0.61803398874989484820;

// Golden-section minimum of f over [a, b] in `steps` steps; returns {t, f(t)}.
template <class F> std::pair<double, double> golden(F&& f, double a, double b, int steps) {
    double c = b - kInvPhi * (b - a), d = a + kInvPhi * (b - a);
    double fc = f(c), fd = f(d);
    for (int it = 0; it < steps; ++it) {
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
    return fc <= fd ? std::pair{c, fc} : std::pair{d, fd};
}
} // namespace

double geodesic_distance_to_segment_m(double lon, double lat, double lon_a, double lat_a, double lon_b, double lat_b,
                                      double* t_out) {
    auto at = [&](double t, auto&& dist) { return dist(lon, lat, lon_a + t * (lon_b - lon_a), lat_a + t * (lat_b - lat_a)); };
    auto fe = [&](double t) { return at(t, geodesic_distance_m); };
    auto fs = [&](double t) { return at(t, haversine_m); };
    // The spherical minimiser first (20x cheaper), then the ellipsoidal one in a bracket around it:
    // sphere and ellipsoid perpendiculars differ by < 0.4 deg, so the ellipsoidal foot lies within
    // 1 % of the distance (+50 m) of the spherical one along the segment; if the ellipsoidal minimum
    // sits on an inner end of the bracket, the whole segment is searched instead.
    // Precision: at distance D from the nearest point, missing it by ds along the segment costs
    // about ds^2 / (2D) (never more than ds), so ds = max(1 mm, sqrt(2e-4 D)) keeps the distance
    // within 0.1 mm; golden section shrinks the interval by 0.618 a step.
    const double len = haversine_m(lon_a, lat_a, lon_b, lat_b);
    auto steps_for = [&](double width_t, double dist) {
        const double ds = std::max(1e-3, std::sqrt(2e-4 * dist));
        if (!(len * width_t > ds)) return 1;
        return std::clamp(int(std::ceil(std::log(ds / (len * width_t)) / std::log(kInvPhi))), 1, 60);
    };
    const double d0 = std::min(fs(0.0), fs(1.0));
    const double ts = golden(fs, 0.0, 1.0, steps_for(1.0, 0.0)).first;
    const double dist = std::min(d0, fs(ts));
    const double half = len > 0 ? (0.01 * dist + 50.0) / len : 1.0;
    double lo = std::max(0.0, ts - half), hi = std::min(1.0, ts + half);
    auto [t, best] = golden(fe, lo, hi, steps_for(hi - lo, dist));
    const double eps = 1e-6 * (hi - lo);
    if ((lo > 0 && t - lo < eps) || (hi < 1 && hi - t < eps)) std::tie(t, best) = golden(fe, 0.0, 1.0, steps_for(1.0, dist));
    // The ends, in case the minimum is there (golden section only approaches them).
    for (double e : {0.0, 1.0}) {
        const double v = fe(e);
        if (v < best) best = v, t = e;
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

double geodesic_path_length_m(const double* lon, const double* lat, size_t n) {
    double total = 0;
    for (size_t i = 1; i < n; ++i) total += geodesic_distance_m(lon[i - 1], lat[i - 1], lon[i], lat[i]);
    return n > 0 && !std::isfinite(lon[0] + lat[0]) ? std::numeric_limits<double>::quiet_NaN() : total;
}

double geodesic_polygon_area_m2(const double* lon, const double* lat, size_t n, double* perimeter_m) {
    if (perimeter_m) *perimeter_m = 0;
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(lon[i]) || !std::isfinite(lat[i])) {
            if (perimeter_m) *perimeter_m = std::numeric_limits<double>::quiet_NaN();
            return std::numeric_limits<double>::quiet_NaN();
        }
    // A repeated closing vertex would add a zero-length edge: harmless, but drop it anyway.
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1]) --n;
    if (n < 3) {
        if (perimeter_m && n == 2) *perimeter_m = 2 * geodesic_distance_m(lon[0], lat[0], lon[1], lat[1]);
        return 0;
    }
    geod_polygon poly;
    geod_polygon_init(&poly, 0);
    for (size_t i = 0; i < n; ++i) geod_polygon_addpoint(&wgs84(), &poly, lat[i], lon[i]); // lat first
    double area = 0, perimeter = 0;
    geod_polygon_compute(&wgs84(), &poly, 0, 1, &area, &perimeter);
    if (perimeter_m) *perimeter_m = perimeter;
    return std::abs(area);
}

} // namespace nexusmap
