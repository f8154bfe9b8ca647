#include "viewer/edits.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "nexusmap/error.hpp"
#include "nexusmap/output.hpp"

namespace nexusmap::viewer {

void EditHistory::record(const EditState& before) {
    undo_.push_back(before);
    if (undo_.size() > kLimit) undo_.erase(undo_.begin());
    redo_.clear();
}

bool EditHistory::undo(EditState& current) {
    if (undo_.empty()) return false;
    redo_.push_back(std::move(current));
    current = std::move(undo_.back());
    undo_.pop_back();
    return true;
}

bool EditHistory::redo(EditState& current) {
    if (redo_.empty()) return false;
    undo_.push_back(std::move(current));
    current = std::move(redo_.back());
    redo_.pop_back();
    return true;
}

VectorLayer sketch_layer(const Sketch& s) {
    const bool area = s.kind == Sketch::Kind::Area;
    const size_t need = area ? 3 : 2;
    if (s.pts.size() < need)
        throw GeoError("sketch \"" + s.name + "\": " +
                       (area ? "an area needs 3 or more vertices" : "a route needs 2 or more vertices") +
                       ", it has " + std::to_string(s.pts.size()));
    VectorLayer l;
    l.name = s.name.empty() ? (area ? "area_of_interest" : "route") : s.name;
    l.crs = Crs::wgs84();
    l.type = area ? GeomType::Polygon : GeomType::Line;
    l.fields = {"name", "kind"};
    Feature f;
    f.fid = 1;
    std::vector<Vec2> v;
    for (const auto& p : s.pts)
        v.push_back({p.lon, p.lat});
    f.geom.type = l.type;
    if (area) {
        v.push_back(v.front());
        f.geom.polygons.push_back(Polygon{{v}});
    } else {
        f.geom.lines.push_back(v);
    }
    f.attrs = {l.name, std::string(area ? "area" : "route")};
    l.features.push_back(std::move(f));
    return l;
}

void save_sketch(const Sketch& s, const std::string& path) {
    write_vector(sketch_layer(s), path);
}

namespace {
nlohmann::json pts_json(const std::vector<LonLat>& pts) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : pts)
        a.push_back({p.lon, p.lat});
    return a;
}
std::string lonlat_error(double lon, double lat) {
    if (!(lon >= -180 && lon <= 180)) return "longitude must be within -180..180";
    if (!(lat >= -90 && lat <= 90)) return "latitude must be within -90..90";
    return {};
}
} // namespace

nlohmann::json edits_to_json(const EditState& e) {
    nlohmann::json j;
    j["bookmarks"] = nlohmann::json::array();
    for (const auto& b : e.bookmarks)
        j["bookmarks"].push_back({{"name", b.name},
                                  {"lon", b.lon},
                                  {"lat", b.lat},
                                  {"km_per_px", b.km_per_px},
                                  {"display_crs", b.display_crs}});
    j["sketches"] = nlohmann::json::array();
    for (const auto& s : e.sketches)
        j["sketches"].push_back({{"name", s.name},
                                 {"kind", s.kind == Sketch::Kind::Area ? "area" : "route"},
                                 {"vertices", pts_json(s.pts)}});
    return j;
}

std::string edits_from_json(const nlohmann::json& j, EditState& out) {
    EditState e;
    if (!j.is_object()) return std::string("expected an object, got ") + j.type_name();
    auto num = [](const nlohmann::json& o, const char* k, double& v, const std::string& path) -> std::string {
        if (!o.contains(k)) return path + k + ": missing";
        if (!o[k].is_number()) return path + k + ": expected a number, got " + o[k].type_name();
        v = o[k].get<double>();
        return std::isfinite(v) ? "" : path + k + ": not finite";
    };
    auto str = [](const nlohmann::json& o, const char* k, std::string& v,
                  const std::string& path) -> std::string {
        if (!o.contains(k)) return {};
        if (!o[k].is_string()) return path + k + ": expected a string, got " + o[k].type_name();
        v = o[k].get<std::string>();
        return {};
    };
    if (j.contains("bookmarks")) {
        const auto& a = j["bookmarks"];
        if (!a.is_array()) return std::string("bookmarks: expected an array, got ") + a.type_name();
        for (size_t i = 0; i < a.size(); ++i) {
            const std::string path = "bookmarks[" + std::to_string(i) + "].";
            if (!a[i].is_object()) return path.substr(0, path.size() - 1) + ": expected an object";
            Bookmark b;
            for (std::string err : {str(a[i], "name", b.name, path), num(a[i], "lon", b.lon, path),
                                    num(a[i], "lat", b.lat, path), num(a[i], "km_per_px", b.km_per_px, path),
                                    str(a[i], "display_crs", b.display_crs, path)})
                if (!err.empty()) return err;
            if (auto err = lonlat_error(b.lon, b.lat); !err.empty()) return path + "lon/lat: " + err;
            if (!(b.km_per_px > 0)) return path + "km_per_px: must be positive";
            if (b.display_crs != "equal-area" && b.display_crs != "mercator" && b.display_crs != "lonlat")
                return path + "display_crs: expected equal-area, mercator or lonlat, got \"" + b.display_crs +
                       "\"";
            e.bookmarks.push_back(std::move(b));
        }
    }
    if (j.contains("sketches")) {
        const auto& a = j["sketches"];
        if (!a.is_array()) return std::string("sketches: expected an array, got ") + a.type_name();
        for (size_t i = 0; i < a.size(); ++i) {
            const std::string path = "sketches[" + std::to_string(i) + "].";
            if (!a[i].is_object()) return path.substr(0, path.size() - 1) + ": expected an object";
            Sketch s;
            std::string kind = "area";
            for (std::string err : {str(a[i], "name", s.name, path), str(a[i], "kind", kind, path)})
                if (!err.empty()) return err;
            if (kind != "area" && kind != "route")
                return path + "kind: expected area or route, got \"" + kind + "\"";
            s.kind = kind == "area" ? Sketch::Kind::Area : Sketch::Kind::Route;
            if (!a[i].contains("vertices") || !a[i]["vertices"].is_array())
                return path + "vertices: expected an array";
            const auto& v = a[i]["vertices"];
            for (size_t k = 0; k < v.size(); ++k) {
                const std::string vp = path + "vertices[" + std::to_string(k) + "]";
                if (!v[k].is_array() || v[k].size() != 2 || !v[k][0].is_number() || !v[k][1].is_number())
                    return vp + ": expected [lon, lat]";
                const LonLat p{v[k][0].get<double>(), v[k][1].get<double>()};
                if (auto err = lonlat_error(p.lon, p.lat); !err.empty()) return vp + ": " + err;
                s.pts.push_back(p);
            }
            e.sketches.push_back(std::move(s));
        }
    }
    if (j.contains("bookmarks")) out.bookmarks = std::move(e.bookmarks);
    if (j.contains("sketches")) {
        out.sketches = std::move(e.sketches);
        out.active = -1;
    }
    return {};
}

std::vector<LonLat> parse_lonlat_list(const std::string& text) {
    std::vector<LonLat> out;
    std::stringstream ss(text);
    std::string item;
    for (size_t k = 0; std::getline(ss, item, ';'); ++k) {
        if (item.find_first_not_of(" \t") == std::string::npos) continue;
        double lon = 0, lat = 0;
        char extra = 0;
        if (std::sscanf(item.c_str(), " %lf , %lf %c", &lon, &lat, &extra) != 2)
            throw GeoError("vertex " + std::to_string(k + 1) + " \"" + item + "\": expected LON,LAT");
        if (auto err = lonlat_error(lon, lat); !err.empty())
            throw GeoError("vertex " + std::to_string(k + 1) + " \"" + item + "\": " + err);
        out.push_back({lon, lat});
    }
    return out;
}

} // namespace nexusmap::viewer
