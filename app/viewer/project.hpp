#pragma once
// Viewer session as a JSON project (nlohmann-json): layers (source paths, styles, order), event
// table with its style, time window and type filter, heatmap parameters, and the view.
// Pure logic, header-only (no GL, no Document): tests/test_viewer_project.cpp round-trips it, and
// app/viewer/project.cpp converts between a Project and the live Document.
//
// Parsing never throws: it returns an error that names the file and the offending member
// ("session.json: heat.bandwidth_km: expected a number, got string").
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nexusmap::viewer {

inline constexpr const char* kProjectMarker = "nexusmap_project";
inline constexpr int kProjectVersion = 1;

struct ProjectLayerStyle {
    bool visible = true;
    float opacity = 1.f;
    bool fill = true;
    std::array<float, 4> fill_color{0.95f, 0.94f, 0.91f, 1.f};
    bool outline = true;
    std::array<float, 4> line_color{0.45f, 0.45f, 0.45f, 1.f};
    float line_width = 1.f;
    float point_size = 4.f;
    std::string category_field; // empty: one colour
    bool operator==(const ProjectLayerStyle&) const = default;
};

struct ProjectLayer {
    std::string path;  // source file (absolute, or relative to the project file)
    std::string layer; // layer name inside the source (GeoPackage); empty: the only/first one
    std::string title;
    ProjectLayerStyle style;
    bool operator==(const ProjectLayer&) const = default;
};

struct ProjectEvents {
    std::string path;
    bool visible = true;
    float radius_px = 1.6f, opacity = 0.7f;
    bool color_by_type = true;
    std::array<float, 4> color{0.15f, 0.15f, 0.15f, 1.f};
    bool all_dates = true;
    std::string window_start; // "YYYY-MM"; empty: the data's first month
    int window_months = 12;
    std::vector<std::string> hidden_types; // event types switched off in the filter
    // Attribute filters: countries switched off, actors kept (empty = all), minimum fatalities.
    std::vector<std::string> hidden_countries;
    std::vector<std::string> actors;
    float min_fatalities = 0;
    bool operator==(const ProjectEvents&) const = default;
};

struct ProjectHeat {
    bool visible = true;
    std::string kernel = "quartic";
    float bandwidth_km = 50.f;
    std::string weight = "count"; // count | weight | fatalities
    std::string ramp = "YlOrRd";
    std::string scale = "linear";
    bool auto_range = true;          // false: typed lo/hi (kept for older readers)
    std::string range_mode = "fixed_all"; // fixed_all | fit_view | typed (heat_range.hpp)
    float lo = 0.f, hi = 0.01f;
    float opacity = 0.75f, threshold = 0.03f;
    bool operator==(const ProjectHeat&) const = default;
};

struct ProjectView {
    double lon = 0, lat = 0, km_per_px = 2.5; // centre of the canvas and ground size of a pixel
    // Display CRS: "equal-area" (the analysis CRS; the default, not written), "mercator", "lonlat".
    std::string display_crs = "equal-area";
    bool operator==(const ProjectView&) const = default;
};

struct Project {
    std::vector<ProjectLayer> layers; // in drawing order
    std::optional<ProjectEvents> events;
    ProjectHeat heat;
    std::optional<ProjectView> view;
    // Each panel's own state (panel.hpp: save_state / load_state), by panel name: bookmarks,
    // drawn areas and routes, graticule, UI scale and theme, ... Null or an object.
    nlohmann::ordered_json panels;
    bool operator==(const Project&) const = default;
};

namespace project_detail {
using nlohmann::json;

// A float as the double with the float's shortest decimal form (0.15f is written 0.15, not
// 0.15000000596046448); reading it back gives the same float.
inline double f2d(float f) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, f);
    return std::strtod(std::string(buf, r.ptr).c_str(), nullptr);
}
inline nlohmann::ordered_json color_json(const std::array<float, 4>& c) {
    return nlohmann::ordered_json::array({f2d(c[0]), f2d(c[1]), f2d(c[2]), f2d(c[3])});
}

inline const char* type_name(const json& j) {
    return j.type_name();
}

// An integer member's value; nullopt when it does not fit int64 (nlohmann keeps integers above
// INT64_MAX as unsigned, and get<int64_t>() would wrap them to negative numbers).
inline std::optional<int64_t> integer_value(const json& v) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        if (u > uint64_t(INT64_MAX)) return std::nullopt;
        return int64_t(u);
    }
    if (v.is_number_integer()) return v.get<int64_t>();
    return std::nullopt;
}

// Reads members with their JSON path for error messages. The first problem is kept.
struct Reader {
    std::string error;

    bool fail(const std::string& path, const std::string& what) {
        if (error.empty()) error = path + ": " + what;
        return false;
    }
    const json* member(const json& obj, const char* key) { return obj.contains(key) ? &obj[key] : nullptr; }
    bool get(const json& obj, const char* key, const std::string& path, bool& out) {
        const json* v = member(obj, key);
        if (!v) return true;
        if (!v->is_boolean()) return fail(path + key, std::string("expected true or false, got ") + type_name(*v));
        out = v->get<bool>();
        return true;
    }
    bool get(const json& obj, const char* key, const std::string& path, double& out) {
        const json* v = member(obj, key);
        if (!v) return true;
        if (!v->is_number()) return fail(path + key, std::string("expected a number, got ") + type_name(*v));
        out = v->get<double>();
        if (!std::isfinite(out)) return fail(path + key, "not a finite number");
        return true;
    }
    bool get(const json& obj, const char* key, const std::string& path, float& out) {
        double d = out;
        if (!get(obj, key, path, d)) return false;
        if (std::abs(d) > 3e38) return fail(path + key, "number out of range");
        out = float(d);
        return true;
    }
    bool get(const json& obj, const char* key, const std::string& path, int& out) {
        const json* v = member(obj, key);
        if (!v) return true;
        if (!v->is_number_integer())
            return fail(path + key, std::string("expected an integer, got ") + type_name(*v));
        const auto i = integer_value(*v);
        if (!i || *i < -1000000 || *i > 1000000) return fail(path + key, "integer out of range");
        out = int(*i);
        return true;
    }
    bool get(const json& obj, const char* key, const std::string& path, std::string& out) {
        const json* v = member(obj, key);
        if (!v) return true;
        if (!v->is_string()) return fail(path + key, std::string("expected a string, got ") + type_name(*v));
        out = v->get<std::string>();
        return true;
    }
    bool get(const json& obj, const char* key, const std::string& path, std::array<float, 4>& out) {
        const json* v = member(obj, key);
        if (!v) return true;
        if (!v->is_array() || v->size() < 3 || v->size() > 4)
            return fail(path + key, "expected a colour [r, g, b] or [r, g, b, a] with values 0..1");
        for (size_t i = 0; i < v->size(); ++i) {
            const json& c = (*v)[i];
            if (!c.is_number() || !(c.get<double>() >= 0 && c.get<double>() <= 1))
                return fail(path + key + "[" + std::to_string(i) + "]", "expected a number between 0 and 1");
            out[i] = c.get<float>();
        }
        if (v->size() == 3) out[3] = 1.f;
        return true;
    }
    bool object(const json& v, const std::string& path) {
        if (v.is_object()) return true;
        return fail(path.empty() ? "(top level)" : path, std::string("expected an object, got ") + type_name(v));
    }
    bool in01(float v, const std::string& path) {
        return (v >= 0 && v <= 1) ? true : fail(path, "must be between 0 and 1");
    }
    bool positive(double v, const std::string& path) {
        return v > 0 ? true : fail(path, "must be greater than 0");
    }
};

} // namespace project_detail

// A time-window start "YYYY-MM" (year 1..9999 in 1-4 digits, month 1..12 in 1-2 digits, nothing
// else: no sign, space or trailing text) as months since year 0 (y * 12 + m - 1); nullopt otherwise.
// (sscanf("%d-%d") used to accept " 2021-3", "+2021-03" and text after a NUL, and wrapped
// out-of-range numbers: "4294969297-01" was read as 2001-01.)
inline std::optional<int> parse_month(const std::string& s) {
    const size_t dash = s.find('-');
    if (dash == std::string::npos || dash < 1 || dash > 4 || s.size() - dash - 1 < 1 || s.size() - dash - 1 > 2)
        return std::nullopt;
    int y = 0, m = 0;
    const char* b = s.data();
    const auto ry = std::from_chars(b, b + dash, y);
    const auto rm = std::from_chars(b + dash + 1, b + s.size(), m);
    // from_chars takes no sign other than '-', which cannot occur here (the first '-' is the dash).
    if (ry.ec != std::errc() || ry.ptr != b + dash || rm.ec != std::errc() || rm.ptr != b + s.size()) return std::nullopt;
    if (y < 1 || y > 9999 || m < 1 || m > 12) return std::nullopt;
    return y * 12 + m - 1;
}

inline nlohmann::ordered_json project_to_json_value(const Project& p) {
    using json = nlohmann::ordered_json;
    using project_detail::color_json;
    using project_detail::f2d;
    json j;
    j[kProjectMarker] = kProjectVersion;
    j["layers"] = json::array();
    for (const auto& l : p.layers) {
        const auto& s = l.style;
        j["layers"].push_back({{"path", l.path},
                               {"layer", l.layer},
                               {"title", l.title},
                               {"style",
                                {{"visible", s.visible},
                                 {"opacity", f2d(s.opacity)},
                                 {"fill", s.fill},
                                 {"fill_color", color_json(s.fill_color)},
                                 {"outline", s.outline},
                                 {"line_color", color_json(s.line_color)},
                                 {"line_width", f2d(s.line_width)},
                                 {"point_size", f2d(s.point_size)},
                                 {"category_field", s.category_field}}}});
    }
    if (p.events) {
        const auto& e = *p.events;
        j["events"] = {{"path", e.path},
                       {"visible", e.visible},
                       {"radius_px", f2d(e.radius_px)},
                       {"opacity", f2d(e.opacity)},
                       {"color_by_type", e.color_by_type},
                       {"color", color_json(e.color)},
                       {"time_window",
                        {{"all_dates", e.all_dates}, {"start", e.window_start}, {"months", e.window_months}}},
                       {"hidden_types", e.hidden_types},
                       {"hidden_countries", e.hidden_countries},
                       {"actors", e.actors},
                       {"min_fatalities", f2d(e.min_fatalities)}};
    }
    const auto& h = p.heat;
    j["heat"] = {{"visible", h.visible},
                 {"kernel", h.kernel},
                 {"bandwidth_km", f2d(h.bandwidth_km)},
                 {"weight", h.weight},
                 {"ramp", h.ramp},
                 {"scale", h.scale},
                 {"auto_range", h.auto_range},
                 {"range_mode", h.range_mode},
                 {"lo", f2d(h.lo)},
                 {"hi", f2d(h.hi)},
                 {"opacity", f2d(h.opacity)},
                 {"threshold", f2d(h.threshold)}};
    if (p.view) {
        j["view"] = {{"lon", p.view->lon}, {"lat", p.view->lat}, {"km_per_px", p.view->km_per_px}};
        if (p.view->display_crs != "equal-area") j["view"]["display_crs"] = p.view->display_crs;
    }
    if (p.panels.is_object() && !p.panels.empty()) j["panels"] = p.panels;
    return j;
}

inline std::string project_to_json(const Project& p) {
    return project_to_json_value(p).dump(2) + "\n";
}

// True when `text` is meant to be a project (so a malformed project is reported as such and not
// handed to the GeoJSON reader).
inline bool looks_like_project(const std::string& text) {
    return text.find(std::string("\"") + kProjectMarker + "\"") != std::string::npos;
}

struct ProjectParse {
    std::optional<Project> project;
    std::string error; // "NAME: what is wrong"; empty on success
    // Non-fatal notes from open_project_file: paths that leave the project's folder (issue #19).
    std::vector<std::string> warnings;
};

// Parses project JSON; `name` (usually the file name) prefixes every error. Never throws.
inline ProjectParse parse_project(const std::string& text, const std::string& name) {
    using nlohmann::json;
    ProjectParse out;
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        if (const auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
            what = what.substr(p + 2);
        out.error = name + ": invalid JSON: " + what;
        return out;
    } catch (const std::exception& e) {
        out.error = name + ": invalid JSON: " + e.what();
        return out;
    }
    project_detail::Reader r;
    Project p;
    try {
        if (!r.object(j, "")) {
        } else if (!j.contains(kProjectMarker)) {
            r.fail(kProjectMarker, "missing (not a nexusmap project file)");
        } else if (!j[kProjectMarker].is_number_integer()) {
            r.fail(kProjectMarker, "expected the format version (an integer)");
        } else if (const auto ver = project_detail::integer_value(j[kProjectMarker]);
                   !ver || *ver > kProjectVersion) { // nullopt: above INT64_MAX
            r.fail(kProjectMarker, "version " + j[kProjectMarker].dump() + " is newer than this viewer understands (" +
                                       std::to_string(kProjectVersion) + ")");
        } else if (*ver < 1) {
            r.fail(kProjectMarker, "version " + j[kProjectMarker].dump() + " is not a valid format version (1 or more)");
        }
        if (r.error.empty() && j.contains("layers")) {
            const json& ls = j["layers"];
            if (!ls.is_array()) r.fail("layers", std::string("expected an array, got ") + ls.type_name());
            for (size_t i = 0; r.error.empty() && ls.is_array() && i < ls.size(); ++i) {
                const std::string path = "layers[" + std::to_string(i) + "]";
                const json& lj = ls[i];
                if (!r.object(lj, path)) break;
                ProjectLayer l;
                r.get(lj, "path", path + ".", l.path);
                if (r.error.empty() && l.path.empty()) r.fail(path + ".path", "missing or empty");
                r.get(lj, "layer", path + ".", l.layer);
                r.get(lj, "title", path + ".", l.title);
                if (r.error.empty() && lj.contains("style") && r.object(lj["style"], path + ".style")) {
                    const json& sj = lj["style"];
                    const std::string sp = path + ".style.";
                    auto& s = l.style;
                    r.get(sj, "visible", sp, s.visible);
                    r.get(sj, "opacity", sp, s.opacity);
                    r.get(sj, "fill", sp, s.fill);
                    r.get(sj, "fill_color", sp, s.fill_color);
                    r.get(sj, "outline", sp, s.outline);
                    r.get(sj, "line_color", sp, s.line_color);
                    r.get(sj, "line_width", sp, s.line_width);
                    r.get(sj, "point_size", sp, s.point_size);
                    r.get(sj, "category_field", sp, s.category_field);
                    if (r.error.empty()) r.in01(s.opacity, sp + "opacity");
                    if (r.error.empty() && !(s.line_width >= 0 && s.line_width <= 50))
                        r.fail(sp + "line_width", "must be between 0 and 50 pixels");
                    if (r.error.empty() && !(s.point_size >= 0 && s.point_size <= 100))
                        r.fail(sp + "point_size", "must be between 0 and 100 pixels");
                }
                p.layers.push_back(std::move(l));
            }
        }
        if (r.error.empty() && j.contains("events") && !j["events"].is_null() && r.object(j["events"], "events")) {
            const json& ej = j["events"];
            ProjectEvents e;
            r.get(ej, "path", "events.", e.path);
            if (r.error.empty() && e.path.empty()) r.fail("events.path", "missing or empty");
            r.get(ej, "visible", "events.", e.visible);
            r.get(ej, "radius_px", "events.", e.radius_px);
            r.get(ej, "opacity", "events.", e.opacity);
            r.get(ej, "color_by_type", "events.", e.color_by_type);
            r.get(ej, "color", "events.", e.color);
            if (r.error.empty()) r.in01(e.opacity, "events.opacity");
            if (r.error.empty() && !(e.radius_px >= 0 && e.radius_px <= 100))
                r.fail("events.radius_px", "must be between 0 and 100 pixels");
            if (r.error.empty() && ej.contains("time_window") && r.object(ej["time_window"], "events.time_window")) {
                const json& tw = ej["time_window"];
                r.get(tw, "all_dates", "events.time_window.", e.all_dates);
                r.get(tw, "start", "events.time_window.", e.window_start);
                r.get(tw, "months", "events.time_window.", e.window_months);
                if (r.error.empty() && !e.window_start.empty() && !parse_month(e.window_start))
                    r.fail("events.time_window.start", "expected YYYY-MM, got \"" + e.window_start + "\"");
                if (r.error.empty() && e.window_months < 1)
                    r.fail("events.time_window.months", "must be at least 1");
            }
            auto names = [&](const char* key, std::vector<std::string>& out) {
                if (!r.error.empty() || !ej.contains(key)) return;
                const json& a = ej[key];
                const std::string path = std::string("events.") + key;
                if (!a.is_array()) {
                    r.fail(path, "expected an array of names");
                    return;
                }
                for (size_t i = 0; r.error.empty() && i < a.size(); ++i) {
                    if (!a[i].is_string())
                        r.fail(path + "[" + std::to_string(i) + "]", "expected a string");
                    else
                        out.push_back(a[i].get<std::string>());
                }
            };
            names("hidden_types", e.hidden_types);
            names("hidden_countries", e.hidden_countries);
            names("actors", e.actors);
            r.get(ej, "min_fatalities", "events.", e.min_fatalities);
            if (r.error.empty() && e.min_fatalities < 0) r.fail("events.min_fatalities", "must be 0 or more");
            p.events = std::move(e);
        }
        if (r.error.empty() && j.contains("heat") && r.object(j["heat"], "heat")) {
            const json& hj = j["heat"];
            auto& h = p.heat;
            r.get(hj, "visible", "heat.", h.visible);
            r.get(hj, "kernel", "heat.", h.kernel);
            r.get(hj, "bandwidth_km", "heat.", h.bandwidth_km);
            r.get(hj, "weight", "heat.", h.weight);
            r.get(hj, "ramp", "heat.", h.ramp);
            r.get(hj, "scale", "heat.", h.scale);
            r.get(hj, "auto_range", "heat.", h.auto_range);
            r.get(hj, "range_mode", "heat.", h.range_mode);
            r.get(hj, "lo", "heat.", h.lo);
            r.get(hj, "hi", "heat.", h.hi);
            r.get(hj, "opacity", "heat.", h.opacity);
            r.get(hj, "threshold", "heat.", h.threshold);
            if (r.error.empty()) r.positive(h.bandwidth_km, "heat.bandwidth_km");
            if (r.error.empty()) r.in01(h.opacity, "heat.opacity");
            if (r.error.empty()) r.in01(h.threshold, "heat.threshold");
            if (r.error.empty() && h.weight != "count" && h.weight != "weight" && h.weight != "fatalities")
                r.fail("heat.weight", "expected count, weight or fatalities, got \"" + h.weight + "\"");
            if (r.error.empty() && h.scale != "linear" && h.scale != "sqrt" && h.scale != "log")
                r.fail("heat.scale", "expected linear, sqrt or log, got \"" + h.scale + "\"");
            // Kernel and ramp names are checked where they are applied (they live in geo/colormap).
        }
        if (r.error.empty() && j.contains("view") && !j["view"].is_null() && r.object(j["view"], "view")) {
            const json& vj = j["view"];
            ProjectView v;
            r.get(vj, "lon", "view.", v.lon);
            r.get(vj, "lat", "view.", v.lat);
            r.get(vj, "km_per_px", "view.", v.km_per_px);
            r.get(vj, "display_crs", "view.", v.display_crs);
            if (r.error.empty() && v.display_crs != "equal-area" && v.display_crs != "mercator" &&
                v.display_crs != "lonlat")
                r.fail("view.display_crs", "expected equal-area, mercator or lonlat, got \"" + v.display_crs + "\"");
            if (r.error.empty() && !(v.lon >= -180 && v.lon <= 180)) r.fail("view.lon", "must be within -180..180");
            if (r.error.empty() && !(v.lat >= -90 && v.lat <= 90)) r.fail("view.lat", "must be within -90..90");
            if (r.error.empty()) r.positive(v.km_per_px, "view.km_per_px");
            p.view = v;
        }
        // Panels check their own members when the viewer applies them (Panel::load_state).
        if (r.error.empty() && j.contains("panels") && !j["panels"].is_null()) {
            if (!j["panels"].is_object())
                r.fail("panels", std::string("expected an object, got ") + j["panels"].type_name());
            else
                p.panels = nlohmann::ordered_json::parse(j["panels"].dump());
        }
    } catch (const std::exception& e) { // defensive: nothing above should throw
        r.fail("(project)", e.what());
    }
    if (!r.error.empty()) {
        out.error = name + ": " + r.error;
        return out;
    }
    out.project = std::move(p);
    return out;
}

// Reads and parses a project file; errors name the file.
inline ProjectParse load_project_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {std::nullopt, path + ": cannot open the project file"};
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return {std::nullopt, path + ": read error"};
    return parse_project(ss.str(), path);
}

// Resolves the project's relative paths against the folder of the project file `project_path`
// (as the viewer opens them) and returns one warning per path that leads out of that folder
// ("../x", an absolute path elsewhere, or a symlink pointing out): a project received from someone
// else must not quietly read files elsewhere on this machine. The files still open (a shared
// basemap folder is legitimate); the warning says which and where.
inline std::vector<std::string> resolve_project_paths(Project& p, const std::string& project_path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path base = fs::weakly_canonical(fs::absolute(fs::path(project_path), ec).parent_path(), ec);
    std::vector<std::string> warnings;
    auto inside = [&](const fs::path& f) {
        std::error_code e2;
        fs::path c = fs::weakly_canonical(f, e2); // follows symlinks of the parts that exist
        if (e2) c = f.lexically_normal();
        auto b = base.begin(), fi = c.begin();
        for (; b != base.end(); ++b, ++fi)
            if (fi == c.end() || *fi != *b) return false;
        return true;
    };
    auto resolve = [&](std::string& f, const std::string& member) {
        const std::string given = f;
        fs::path r = fs::path(f).is_absolute() ? fs::path(f) : base / f;
        f = r.lexically_normal().string();
        if (!inside(r))
            warnings.push_back(project_path + ": " + member + " \"" + given + "\" leaves the project's folder (" +
                               base.string() + "): it reads " + f);
    };
    for (size_t i = 0; i < p.layers.size(); ++i) resolve(p.layers[i].path, "layers[" + std::to_string(i) + "].path");
    if (p.events) resolve(p.events->path, "events.path");
    return warnings;
}

// load_project_file + resolve_project_paths: the project as the viewer opens it, paths absolute,
// warnings for paths outside the project's folder.
inline ProjectParse open_project_file(const std::string& path) {
    ProjectParse r = load_project_file(path);
    if (r.project) r.warnings = resolve_project_paths(*r.project, path);
    return r;
}

} // namespace nexusmap::viewer
