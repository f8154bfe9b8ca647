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
    // Polygon attribute holding a population: adds population, events_per_100k_pop and
    // weighted_per_100k_pop (empty when the population is missing or 0). Empty: no rates.
    std::string population_field;
};

struct ZonalResult {
    VectorLayer layer;     // input polygons + count, weighted, area_km2, per_10k_km2, weighted_per_10k_km2
    // Events are counted with EventTable::share when set (spread imprecise events count their fraction).
    size_t outside = 0;    // rows in no polygon
    double outside_events = 0; // events in no polygon (shares summed)
    double outside_weight = 0;
};

// `polygons` may be in any CRS; events are matched by their lon/lat.
ZonalResult zonal_counts(const EventTable& ev, const VectorLayer& polygons, const ZonalParams& p = {},
                         Progress progress = {});

} // namespace nexusmap
