#pragma once
// Attribute table logic (Attribute table panel): the rows of a vector layer filtered by text and
// sorted by a column, the extent of a selection (zoom to it), and the feature under a map point
// (select on the map). GL-free (nexusmap_viewer_core), tested in tests/test_viewer_tools.cpp.
#include <cstddef>
#include <string_view>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/layers.hpp"

namespace nexusmap::viewer {

// Feature indices whose attributes contain `filter` (ASCII case-insensitive, any field; empty:
// all), sorted by field `sort_field` (-1: layer order): numbers numerically, text by its
// case-folded bytes, empty values last in either direction; ties keep layer order.
std::vector<size_t> attribute_rows(const VectorLayer& layer, int sort_field, bool ascending,
                                   std::string_view filter);

// Bounding box (layer CRS) of the given features; inverted when none has a geometry.
BBox selection_bbox(const VectorLayer& layer, const std::vector<size_t>& features);

// The feature at (x, y) in the layer's CRS: for polygons the one containing it (`index` when
// given, else a ring test), for points and lines the nearest within `radius` (CRS units). -1: none.
long feature_at(const VectorLayer& layer, const PolygonIndex* index, double x, double y, double radius);

} // namespace nexusmap::viewer
