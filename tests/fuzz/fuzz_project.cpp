// libFuzzer target: the viewer's JSON project loader (app/viewer/project.hpp, issue #8).
// parse_project() must never throw, must return either a project or an error naming the file, and
// whatever it accepts must be within the documented ranges and survive a save -> load round trip
// (the same Project, and the same bytes when saved again), as a session the viewer writes does.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "viewer/project.hpp"

using namespace nexusmap::viewer;

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
bool in01(float v) { return v >= 0 && v <= 1; }
bool colour_ok(const std::array<float, 4>& c) {
    for (float v : c)
        if (!in01(v)) return false;
    return true;
}
// Independent of the parser: "Y-M" with 1-4 digit year 1..9999, 1-2 digit month 1..12, nothing else.
bool strict_month(const std::string& s) {
    const size_t dash = s.find('-');
    if (dash == std::string::npos || dash == 0 || dash > 4 || s.size() - dash - 1 < 1 || s.size() - dash - 1 > 2)
        return false;
    for (size_t i = 0; i < s.size(); ++i)
        if (i != dash && (s[i] < '0' || s[i] > '9')) return false;
    const int y = std::atoi(s.substr(0, dash).c_str()), m = std::atoi(s.substr(dash + 1).c_str());
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const ProjectParse r = parse_project(text, "fuzz.json"); // an exception escaping here is a bug
    (void)looks_like_project(text);
    if (!r.project) {
        check(!r.error.empty() && r.error.rfind("fuzz.json: ", 0) == 0);
        return 0;
    }
    check(r.error.empty());
    // Only format versions 1..kProjectVersion are accepted (checked on the JSON itself).
    const auto marker = nlohmann::json::parse(text).at(kProjectMarker);
    bool known = false;
    for (int v = 1; v <= kProjectVersion; ++v) known |= marker.is_number_integer() && marker.dump() == std::to_string(v);
    check(known);
    const Project& p = *r.project;
    // Everything accepted is within the ranges the parser documents.
    for (const auto& l : p.layers) {
        check(!l.path.empty());
        const auto& s = l.style;
        check(in01(s.opacity) && colour_ok(s.fill_color) && colour_ok(s.line_color));
        check(s.line_width >= 0 && s.line_width <= 50 && s.point_size >= 0 && s.point_size <= 100);
    }
    if (p.events) {
        const auto& e = *p.events;
        check(!e.path.empty() && in01(e.opacity) && colour_ok(e.color));
        check(e.radius_px >= 0 && e.radius_px <= 100 && e.window_months >= 1 && e.min_fatalities >= 0);
        check(std::isfinite(e.min_fatalities));
        check(e.window_start.empty() || strict_month(e.window_start));
        if (!e.window_start.empty()) {
            const auto m = parse_month(e.window_start);
            check(m.has_value() && *m >= 12 && *m < 10000 * 12);
        }
    }
    const auto& h = p.heat;
    check(h.bandwidth_km > 0 && std::isfinite(h.bandwidth_km) && in01(h.opacity) && in01(h.threshold));
    check(std::isfinite(h.lo) && std::isfinite(h.hi));
    check(h.weight == "count" || h.weight == "weight" || h.weight == "fatalities");
    check(h.scale == "linear" || h.scale == "sqrt" || h.scale == "log");
    if (p.view) {
        const auto& v = *p.view;
        check(v.lon >= -180 && v.lon <= 180 && v.lat >= -90 && v.lat <= 90 && v.km_per_px > 0 &&
              std::isfinite(v.km_per_px));
        check(v.display_crs == "equal-area" || v.display_crs == "mercator" || v.display_crs == "lonlat");
    }
    // Save -> load gives the same project; saving that gives the same bytes.
    const std::string saved = project_to_json(p); // throws on strings that are not UTF-8: a bug
    check(looks_like_project(saved));
    const ProjectParse again = parse_project(saved, "fuzz.json");
    check(again.project.has_value());
    check(*again.project == p);
    check(project_to_json(*again.project) == saved);
    return 0;
}
