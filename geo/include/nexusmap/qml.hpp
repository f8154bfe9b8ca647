#pragma once
// QGIS layer style files (.qml) for the rasters nexusmap writes, so that a GeoTIFF opened in QGIS
// looks like the static map: same ramp, same range, same scale, same transparent low tail.
#include <string>

#include "nexusmap/style.hpp"

namespace nexusmap {

// singlebandpseudocolor renderer on `band` with an INTERPOLATED colorrampshader. Items sit at the
// ramp's stops, value = style.scale.from_t(i / (stops - 1)) (for sqrt/log scales three more items
// between successive stops, so QGIS's linear interpolation follows the curve). Values at or below
// style.scale.from_t(style.min_t) are 100 % transparent, as on the maps. `units` labels the band.
std::string qml_pseudocolor(const style::RasterStyle& s, int band = 1);

// Gi* confidence bins (-3..3) on `band` (the 3rd band of `nexusmap hotspots`' fishnet GeoTIFF):
// EXACT colorrampshader with the ArcGIS colours; bin 0 transparent.
std::string qml_gi_bins(int band = 3);

// "dir/name.tif" -> "dir/name.qml" (QGIS picks up a .qml with the raster's base name).
std::string qml_path_for(const std::string& raster_path);

// Atomic write.
void write_qml(const std::string& path, const std::string& xml, bool overwrite = true);

} // namespace nexusmap

namespace nexusmap {
struct VectorLayer;

// A QGIS vector style for a layer nexusmap wrote with simplestyle fields (style.hpp): a
// categorized renderer on the colour field ("fill" for polygons, "stroke" for lines,
// "marker-color" for points) when it has at most 32 distinct colours, labelled from the layer's
// class field (bin, class, category, level, commodity, segment, name); otherwise one symbol whose
// colour is data-defined from that field. Without simplestyle fields: one neutral symbol. This is
// the styleQML of the GeoPackage's layer_styles row (output.hpp).
std::string qml_vector(const VectorLayer& layer);
} // namespace nexusmap
