#include "viewer/graticule.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nexusmap::viewer {

double graticule_step(double span_deg, int max_lines) {
    static constexpr double kSteps[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30};
    if (!(span_deg > 0)) return 10;
    for (double s : kSteps)
        if (span_deg / s <= max_lines) return s;
    return 30;
}

std::string graticule_label(double v, bool longitude) {
    // Snap to the step grid's decimals (0.1 at most) so -0.0 and 4.9999999 do not show.
    v = std::round(v * 100) / 100;
    const double a = std::abs(v);
    char num[32];
    if (std::abs(a - std::round(a)) < 1e-9)
        std::snprintf(num, sizeof num, "%.0f", a);
    else if (std::abs(a * 10 - std::round(a * 10)) < 1e-9)
        std::snprintf(num, sizeof num, "%.1f", a);
    else
        std::snprintf(num, sizeof num, "%.2f", a);
    std::string s = std::string(num) + "\xc2\xb0";
    if (a < 1e-9) return s;
    return s + (longitude ? (v > 0 ? "E" : "W") : (v > 0 ? "N" : "S"));
}

std::vector<GraticuleLine> graticule_lines(double lon0, double lat0, double lon1, double lat1, double step,
                                           int densify) {
    std::vector<GraticuleLine> out;
    if (!(step > 0) || !(lon1 > lon0) || !(lat1 > lat0)) return out;
    lon0 = std::max(lon0, -180.0), lon1 = std::min(lon1, 180.0);
    lat0 = std::max(lat0, -90.0), lat1 = std::min(lat1, 90.0);
    densify = std::max(densify, 1);
    // Integer multiples of the step, so the lines do not drift with the view.
    for (long k = long(std::ceil(lon0 / step - 1e-9)); k * step <= lon1 + 1e-9 && out.size() < 4000; ++k) {
        GraticuleLine l;
        l.meridian = true;
        l.value = double(k) * step;
        for (int i = 0; i <= densify; ++i)
            l.pts.push_back({l.value, lat0 + (lat1 - lat0) * i / densify});
        l.label = graticule_label(l.value, true);
        out.push_back(std::move(l));
    }
    for (long k = long(std::ceil(lat0 / step - 1e-9)); k * step <= lat1 + 1e-9 && out.size() < 8000; ++k) {
        GraticuleLine l;
        l.value = double(k) * step;
        for (int i = 0; i <= densify; ++i)
            l.pts.push_back({lon0 + (lon1 - lon0) * i / densify, l.value});
        l.label = graticule_label(l.value, false);
        out.push_back(std::move(l));
    }
    return out;
}

} // namespace nexusmap::viewer
