#pragma once
// Event counts per polygon (admin-1 summaries).
#include <string>
#include <vector>

#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"

namespace nexusmap {

struct ZonalParams {
    std::vector<std::string> keep_fields; // polygon attributes copied to the output (empty: all)
    Crs area_crs = Crs::default_analysis(); // equal-area CRS for the areas
};

struct ZonalResult {
    VectorLayer layer;     // input polygons + count, weighted, area_km2, per_10k_km2, weighted_per_10k_km2
    size_t outside = 0;    // events in no polygon
    double outside_weight = 0;
};

// `polygons` may be in any CRS; events are matched by their lon/lat.
ZonalResult zonal_counts(const EventTable& ev, const VectorLayer& polygons, const ZonalParams& p = {},
                         Progress progress = {});

} // namespace nexusmap
