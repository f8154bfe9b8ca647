#pragma once
// Hot-spot polygons from a density surface: iso-level contours and percent-volume contours.
#include <vector>

#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/raster.hpp"

namespace nexusmap {

// The density level whose super-level set {v >= level} holds `share` (0..1) of the raster's
// mass (sum of valid cells): the "smallest area holding share of the density".
double percent_volume_level(const Raster& r, double share);

struct ContourParams {
    std::vector<double> levels;          // explicit levels (raster units)
    std::vector<double> percent_volumes; // e.g. {50, 75, 90}: converted to levels
};

// Polygons of {density >= level} for each level, as a polygon layer in the raster's CRS with
// fields: level, percent_volume (or null), area_km2, mass_share (share of the raster mass whose
// cell centres fall inside). Polygons are checked with GEOS and repaired if needed.
VectorLayer contour_polygons(const Raster& r, const ContourParams& p, Progress progress = {});

} // namespace nexusmap
