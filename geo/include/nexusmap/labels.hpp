#pragma once
// Map labels (issue #14): which names a map shows and where, for every place a map is drawn (print
// maps through cairo, the viewer on screen). Geometry only: the caller measures text in its own
// font and draws it; this module picks anchors and collision-free positions.
#include <string>
#include <vector>

#include "nexusmap/layers.hpp"

namespace nexusmap {

// Kinds in drawing priority: a country name wins over a capital, a capital over a city, and so on.
enum class LabelKind { Country = 0, Capital = 1, Admin1 = 2, City = 3, Route = 4 };

// One name to show, anchored in map coordinates (the layer's CRS).
struct MapLabel {
    std::string text;
    double x = 0, y = 0;
    LabelKind kind = LabelKind::City;
    double rank = 0;     // within a kind, lower is more important (Natural Earth SCALERANK, -population)
    bool point = false;  // a point symbol sits at the anchor: the text goes beside it, not on it
};

// A rectangle in device units, y down.
struct LabelBox {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool overlaps(const LabelBox& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
    bool inside(const LabelBox& o) const { return x0 >= o.x0 && x1 <= o.x1 && y0 >= o.y0 && y1 <= o.y1; }
};

// A label ready for placement: its anchor on the page and the size of its text there.
struct LabelCandidate {
    double ax = 0, ay = 0; // anchor, device units
    double w = 0, h = 0;   // text box (including the halo), device units
    double gap = 0;        // distance from a point symbol to the text
    bool point = false;
    LabelKind kind = LabelKind::City;
    double rank = 0;
};

struct PlacedLabel {
    size_t index = 0; // into the candidates
    LabelBox box;     // where the text box goes
};

// Greedy placement by priority (kind, then rank, then input order): each label takes the first of
// its positions (area labels: centred, then shifted up/down and sideways; point labels: right, left, above,
// below, then the diagonals) whose box lies inside `frame` and overlaps no obstacle (legend, inset,
// scale bar, ...) and no label placed before it; otherwise it is left out. Deterministic.
std::vector<PlacedLabel> place_labels(const std::vector<LabelCandidate>& candidates, const std::vector<LabelBox>& obstacles,
                                      const LabelBox& frame);

// A point well inside a polygon for its name: the point of the largest part farthest from its
// boundary (a grid search refined around the best cell, as Mapbox's polylabel does; precision
// about 1/100 of the part's size). Holes count as boundary.
Vec2 label_anchor(const Geometry& polygons);

// Labels from layers. Countries and admin-1 units: one per feature, the name from the first of
// `name_fields` present (case-insensitive), at label_anchor(). Populated places (Natural Earth
// fields NAME, FEATURECLA, SCALERANK, POP_MAX): capitals as Capital, the rest as City ranked by
// SCALERANK then population; `max_scalerank` drops the minor ones.
std::vector<MapLabel> area_labels(const VectorLayer& layer, LabelKind kind, const std::vector<std::string>& name_fields);
std::vector<MapLabel> populated_place_labels(const VectorLayer& places, int max_scalerank = 10);

// The names a map of `extent` (in the layers' CRS, whose unit is `km_per_unit` km) shows: country
// names, capitals, cities down to a scale rank that suits the extent (rank <= 4 for a
// West-Africa-wide map, all places under ~600 km across), admin-1 names under ~1,500 km across.
// Layers may be null.
std::vector<MapLabel> default_map_labels(const VectorLayer* admin0, const VectorLayer* admin1, const VectorLayer* places,
                                         const BBox& extent, double km_per_unit);

} // namespace nexusmap
