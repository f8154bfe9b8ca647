#pragma once
// What the analyst edits on the map, with undo: bookmarks of views, drawn areas of interest
// (polygons) and routes (polylines), and the measuring line. The panels (bookmarks_panel,
// sketch_panel, measure_panel) change an EditState through EditHistory, so Ctrl+Z / Ctrl+Y undo and
// redo any of them; bookmarks and sketches go to the project file as JSON, sketches to GeoJSON files
// that the command line reads as --study-area / --mask / --routes. GL-free (nexusmap_viewer_core).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nexusmap/layers.hpp"
#include "viewer/measure.hpp" // LonLat

namespace nexusmap::viewer {

struct Bookmark {
    std::string name;
    double lon = 0, lat = 0, km_per_px = 1; // canvas centre and ground size of a pixel
    std::string display_crs = "equal-area";
    bool operator==(const Bookmark&) const = default;
};

struct Sketch {
    enum class Kind { Area, Route };
    Kind kind = Kind::Area;
    std::string name;
    std::vector<LonLat> pts; // an area's ring without the closing vertex
    bool operator==(const Sketch&) const = default;
};

struct EditState {
    std::vector<Bookmark> bookmarks;
    std::vector<Sketch> sketches;
    int active = -1;             // sketch being drawn/edited (-1: none)
    std::vector<LonLat> measure; // the measuring line's vertices
    bool operator==(const EditState&) const = default;
};

// The map tool that gets clicks on the canvas (one at a time; None: clicks pick events).
enum class MapTool { None, Measure, Draw, Select };

// Undo/redo by snapshots (the states are small). Call `record()` with the state *before* a change;
// undo() / redo() swap the current state with the stored ones.
class EditHistory {
  public:
    void record(const EditState& before);
    bool undo(EditState& current);
    bool redo(EditState& current);
    bool can_undo() const { return !undo_.empty(); }
    bool can_redo() const { return !redo_.empty(); }
    static constexpr size_t kLimit = 200;

  private:
    std::vector<EditState> undo_, redo_;
};

// The edit state, its history and the active map tool, shared by the tool panels.
struct Edits {
    EditState state;
    EditHistory history;
    MapTool tool = MapTool::None;
    // Records the state, then applies `change` to it (one undo step).
    template <class F> void change(F&& f) {
        history.record(state);
        f(state);
    }
};

// Sketch as a one-feature layer in EPSG:4326 (an area's ring closed), field "name" and "kind".
// Throws GeoError when it has too few vertices (area < 3, route < 2).
VectorLayer sketch_layer(const Sketch& s);
// Writes it with geo's vector writer (format by extension, atomic): GeoJSON for .geojson.
void save_sketch(const Sketch& s, const std::string& path);

// Project state: {"bookmarks": [...], "sketches": [...]}. from_json replaces only the members
// present and returns "" or an error naming the member (then `out` is unchanged).
nlohmann::json edits_to_json(const EditState& e);
std::string edits_from_json(const nlohmann::json& j, EditState& out);

// "LON,LAT;LON,LAT;..." (the --measure / --draw-area / --draw-route flags). Throws GeoError naming
// the bad vertex.
std::vector<LonLat> parse_lonlat_list(const std::string& text);

} // namespace nexusmap::viewer
