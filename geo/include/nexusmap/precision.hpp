#pragma once
// Location precision of events: UCDP GED `where_prec` (1 exact .. 7 international waters) and
// ACLED `geo_precision` (1 exact .. 3 region). Imprecise events are recorded at the centroid of
// an area (admin-2, admin-1, country); counting them there makes false peaks. Two remedies:
// drop them (max_precision), or spread each one's weight evenly over the smallest polygon its
// precision names (spread), so totals are kept without the peaks.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"

namespace nexusmap {

enum class PrecisionScheme { Unknown, Ucdp, Acled };
PrecisionScheme precision_scheme(const EventTable& ev); // from the schema / precision column
// "exact location", "admin-2 unit", ... for a scheme's code; "unknown" for 0 / out of range.
std::string precision_meaning(PrecisionScheme s, int code);
// The largest code that is a point location (UCDP 2: within ~25 km; ACLED 2: near a town).
inline int precise_max(PrecisionScheme) { return 2; }

struct PrecisionParams {
    int max_precision = 0; // drop events with a code above this (0: keep every code)
    bool spread = false;   // spread imprecise events over their polygon (codes above precise_max)
    // Polygons in lon/lat (EPSG:4326) or any CRS (reprojected); needed for spread. admin2 for UCDP
    // 3, admin1 for UCDP 4 and ACLED 3, admin0 for UCDP 6. A missing layer or an event outside it
    // falls back to the next coarser layer; outside every layer the event is excluded (counted).
    const VectorLayer* admin0 = nullptr;
    const VectorLayer* admin1 = nullptr;
    const VectorLayer* admin2 = nullptr;
    int max_points = 256; // sub-grid points per polygon (a power of two is used, <= this)
};

struct PrecisionLevel {
    int code = 0;
    std::string meaning; // precision_meaning()
    size_t events = 0;   // in the input
    double weight = 0;   // their weight total
    std::string action;  // "kept as points", "dropped (--max-precision 2)", "spread over admin-2 units", ...
    size_t spread = 0, dropped = 0, kept = 0, unplaced = 0;
};

struct PrecisionResult {
    // Kept events, then one row per spread sub-point (the original row's attributes; weight and
    // `share` are the fractions). share: the part of one event each row carries (1 for kept rows).
    EventTable events;
    std::vector<double> share;    // exact fractions (powers of two: float weights are exact too)
    std::vector<double> weight;   // exact weights (double), parallel to events
    std::vector<PrecisionLevel> levels;
    size_t input_events = 0, kept = 0, spread = 0, dropped = 0, excluded = 0;
    double input_weight = 0, output_weight = 0;
    std::string mode; // "keep", "max-precision N", "spread", "spread, max-precision N"
    // Spread bookkeeping for tests: per spread row, the layer level (0,1,2) and feature index.
    std::vector<int> spread_level, spread_feature;
    std::vector<size_t> spread_source; // index of the input event
    std::string summary() const;       // one line per level: code, meaning, n, what was done
    std::map<std::string, std::string> metadata() const; // "precision_mode", "precision_levels", ...
};

// Applies max_precision and/or spread. Without either, returns the table unchanged with counts.
// Events without a known code (0) are kept as points and counted as such.
PrecisionResult apply_precision(const EventTable& ev, const PrecisionParams& p);
// The same, taking the table: when every row is kept as it is (the usual case), it moves into the
// result instead of being copied (a 10M-event table is ~1 GB).
PrecisionResult apply_precision(EventTable&& ev, const PrecisionParams& p);

// Points on a regular sub-grid inside polygon `feature` of `layer` (layer CRS units): a power-of-
// two count <= max_points (empty when none of the finest grid's points falls inside).
std::vector<Vec2> polygon_subgrid(const VectorLayer& layer, size_t feature, int max_points = 256);

// Analyses that measure distances of event points (spillover, corridors, scan, nexus) use precise
// events by default; this is the note every front end records as metadata "precision_default".
std::string precise_default_reason(const std::string& analysis);

} // namespace nexusmap
