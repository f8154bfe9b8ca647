#pragma once
// Spillover analysis across the border between a Sahel group of countries and a coastal group:
// the border line (per country pair), signed distance of events to it, distance bands, per-period
// counts and rates, the spillover share, the "front" and its velocity, the events' centroid
// latitude, and lead–lag between the two sides per border segment. See docs/spillover.md.
//
// All distances and areas are planar in the analysis CRS, which must be projected (metric); an
// equal-area CRS (the default LAEA centred on West Africa) keeps the areas exact and the distances
// within a fraction of a percent over the study region.
#include <cstdint>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/stats.hpp"

namespace nexusmap {

// ---- Periods -------------------------------------------------------------------------------

enum class PeriodUnit { Year, Quarter, Month };
PeriodUnit parse_period_unit(const std::string& s); // "year" | "quarter" | "month"; throws GeoError
std::string period_unit_name(PeriodUnit u);
// A period as one integer: year, year*4 + quarter-1, or year*12 + month-1 (consecutive periods
// differ by 1, so a contiguous range has no gaps).
int64_t period_index(int32_t day, PeriodUnit u);
std::string period_label(int64_t idx, PeriodUnit u); // "2020", "2020-Q3", "2020-07"
double period_mid_year(int64_t idx, PeriodUnit u);   // decimal year of the period's middle
double periods_per_year(PeriodUnit u);

// ---- The border ----------------------------------------------------------------------------

struct BorderParams {
    std::vector<std::string> sahel = {"MLI", "BFA", "NER"};
    std::vector<std::string> coastal = {"CIV", "GHA", "TGO", "BEN"};
    std::string iso_field = "iso_a3"; // falls back to adm0_a3 / iso_a3 / ISO_A3 when absent
    std::string name_field = "name";
    Crs analysis_crs = Crs::default_analysis();
    // Shared boundaries: the coastal outline is first snapped to the Sahel one within snap_m, so
    // that outlines which do not coincide vertex for vertex still meet.
    double snap_m = 250;
    double min_segment_km = 2; // pieces shorter than this (tripoint slivers) are dropped
};

struct BorderCountry {
    std::string iso, name;
    int side = 0;    // -1 Sahel group, +1 coastal group
    Geometry polygon; // analysis CRS
    double area_km2 = 0;
};

struct BorderSegment {
    std::string name;           // "BFA–TGO" (Sahel ISO first)
    std::string sahel_iso, coastal_iso;
    Geometry line;              // analysis CRS, merged with GEOSLineMerge
    double length_km = 0;
};

struct Border {
    Crs crs;                               // the analysis CRS (projected)
    std::vector<BorderCountry> countries;  // the groups' countries found in the layer
    std::vector<BorderSegment> segments;   // one per country pair that shares a boundary
    Geometry sahel_territory, coastal_territory; // unions of each group, analysis CRS
    BorderParams params;
    double length_km() const;
};

// Reads the groups' polygons from an admin-0 layer (any CRS; reprojected to params.analysis_crs) and
// derives the border segments. Throws GeoError when a code is missing or no border is shared.
Border derive_border(const VectorLayer& admin0, const BorderParams& params = {});

// ---- Signed distance -----------------------------------------------------------------------

// How the distance from an event to the border is measured.
enum class DistanceMetric {
    Planar,   // Euclidean in the border's (projected) analysis CRS: off by its scale distortion
    Geodesic, // on the WGS 84 ellipsoid, to the border drawn straight in lon/lat between its vertices
};

struct SignedDistances {
    std::vector<double> km;      // per event; negative on the Sahel side; NaN outside both groups
    std::vector<double> km_planar; // the planar distance in the analysis CRS, signed the same way
    DistanceMetric metric = DistanceMetric::Geodesic;
    double max_abs_diff_km = 0;  // max |km - km_planar| over the events placed (0 when planar)
    double max_rel_diff = 0;     // max |km - km_planar| / |km| over events >= 1 km from the border
    std::vector<int> segment;    // nearest border segment; -1 outside
    std::vector<int> country;    // index into Border::countries; -1 outside
    size_t outside = 0;          // events in neither group (not in km's statistics)
    double outside_weight = 0;
};
// Events are placed with their lon/lat (projected into the border's CRS), or with x/y when the
// table is already in that CRS; the side (country) is found in that CRS.
// Distance to the nearest point of the whole border line:
//   Planar: Euclidean in the analysis CRS.
//   Geodesic (default): the border edges within 3 % (+100 m) of the planar nearest distance are
//   candidates (the default LAEA's scale error is < 2 % across West Africa); each is measured on
//   the WGS 84 ellipsoid (geodesic_distance_to_segment_m, edges straight in lon/lat as in the
//   source data, vertices inverse-projected); the nearest wins and gives the segment too.
//   Event lon/lat are used when the table has them, else x/y inverse-projected.
// `threads`: 0 = hardware concurrency; the result does not depend on it.
SignedDistances signed_distances(const EventTable& ev, const Border& border, Progress progress = {}, int threads = 0,
                                 DistanceMetric metric = DistanceMetric::Geodesic);

// ---- Bands ---------------------------------------------------------------------------------

struct DistanceBand {
    double lo_km = 0, hi_km = 0; // signed: events with lo <= s < hi
    std::string label;           // "-200..-100"
    Geometry geom;               // band clipped to the groups' territory (analysis CRS)
    double area_km2 = 0;
    std::vector<double> area_country_km2; // parallel to Border::countries (exact GEOS areas)
    std::vector<double> area_segment_km2; // parallel to Border::segments (see segment_cell_km)
};
// Bands between successive `edges_km` (sorted ascending, at least two). A band's polygon is the set
// of points of the groups' territory whose signed distance falls in [lo, hi): on each side the
// difference of two buffers of the border line, intersected with that side's union.
// Per-segment areas split each band by the nearest segment, estimated on a grid of cell
// `segment_cell_km` (the exact split would need a line Voronoi diagram); they are rescaled so they
// add up to the exact band area.
std::vector<DistanceBand> make_bands(const Border& border, const std::vector<double>& edges_km,
                                     double segment_cell_km = 5, Progress progress = {});
int band_of(double signed_km, const std::vector<DistanceBand>& bands); // -1 when in none

// ---- Spillover analysis --------------------------------------------------------------------

enum class PermutationKind { Shuffle, CircularShift };

struct SpilloverParams {
    std::vector<double> bands_km = {-200, -100, -50, 0, 50, 100, 200};
    PeriodUnit period = PeriodUnit::Year;
    double x_km = 100;        // share and lead–lag: events within X km of the border
    double quantile = 0.9;    // the front: this quantile of signed distance ...
    double window_km = 300;   // ... among events within W km of the border
    size_t min_front_events = 5; // fewer events in the window: no front for that period
    int lags = 4;             // lead–lag k = 0..lags
    int permutations = 999;
    PermutationKind permutation = PermutationKind::Shuffle;
    bool difference = true;   // lead–lag on first differences (a shared trend correlates every lag)
    uint64_t seed = 20240101;
    double alpha = 0.05;      // Theil–Sen confidence level 1-alpha
    double segment_cell_km = 5;
    // Small samples: a trend (front velocity, share, centroid) uses only the periods with at least
    // min_period_events events behind the measure, and is withheld when fewer than min_trend_periods
    // periods qualify; lead-lag likewise per segment (events within X km, both sides).
    size_t min_trend_periods = 5;
    double min_period_events = 10;
    int threads = 0;          // worker threads for the per-event distances (0 = hardware concurrency);
                              // results do not depend on it
    DistanceMetric metric = DistanceMetric::Geodesic; // event-to-border distance (band areas stay planar)
};

struct Trend {
    stats::TheilSenResult ts; // slope per year (NaN when withheld)
    stats::MannKendallResult mk;
    size_t periods = 0;       // periods with a value
    size_t periods_used = 0;  // of them, with >= min_period_events events: the trend's n
    double events_min = 0, events_median = 0; // events behind the measure in the periods used
    bool withheld = false;    // fewer than min_trend_periods periods qualify: no slope, no p
    std::string note;         // "n = 12 periods of >= 10 events (median 31)" or why it was withheld
};

struct LeadLag {
    std::string segment;
    std::vector<double> r;      // k = 0..lags: corr(Sahel side at t, coastal side at t+k)
    std::vector<double> p;      // permutation p of each r (one-sided, r >= observed)
    std::vector<size_t> n;      // pairs used
    int best_k = -1;            // argmax r
    double best_r = stats::kNaN;
    double p_best = stats::kNaN; // max-over-k statistic: accounts for picking the best lag
    double sahel_total = 0, coastal_total = 0;
    size_t periods_used = 0;    // periods with >= min_period_events events within X (both sides)
    bool withheld = false;      // too few such periods: r and p are NaN
    std::string note;
};

struct SpilloverResult {
    Border border;
    std::vector<DistanceBand> bands;
    SignedDistances dist;
    SpilloverParams params;
    std::vector<int64_t> periods;       // contiguous range covering the groups' dated events
    std::vector<std::string> labels;
    std::vector<double> t_mid;          // decimal years
    size_t undated = 0, beyond_bands = 0;
    // [period][band], [period][band][segment], [period][band][country]
    std::vector<std::vector<double>> band_n, band_w;
    std::vector<std::vector<std::vector<double>>> seg_n, seg_w, cty_n, cty_w;
    // Per period.
    std::vector<double> n_events;       // dated events in the two groups
    std::vector<double> share_coastal, share_total, share; // within X: coastal, both sides, ratio
    std::vector<double> front_km;       // NaN when too few events in the window
    std::vector<double> n_window;
    std::vector<double> centroid_lat;   // weighted mean latitude of the groups' events
    Trend front_trend, share_trend, centroid_trend;
    std::vector<LeadLag> leadlag;       // per segment
    Metadata metadata;                  // parameters, method notes, provenance of the events
};

// Classic lead–lag on two aligned series: r_k = pearson(a[t], b[t+k]), with a seeded permutation
// test of b (shuffle, or circular shift by 1..n-1). Exposed for tests.
LeadLag lead_lag(const std::vector<double>& a, const std::vector<double>& b, int max_lag, int permutations,
                 PermutationKind kind, bool difference, uint64_t seed);

// Linear-interpolated quantile (type 7, as R's default) of the finite values; NaN when none.
double quantile_of(std::vector<double> v, double q);

SpilloverResult analyse_spillover(const EventTable& ev, const Border& border, const SpilloverParams& params = {},
                                  Progress progress = {});

// Outputs (tables for write_csv; layers, in the analysis CRS, for write_geojson).
Table spillover_band_table(const SpilloverResult& r);    // period x band
Table spillover_segment_table(const SpilloverResult& r); // period x band x segment
Table spillover_country_table(const SpilloverResult& r); // period x band x country
Table spillover_period_table(const SpilloverResult& r);  // share, front, centroid per period
Table spillover_trend_table(const SpilloverResult& r);   // Theil–Sen + Mann–Kendall per measure
Table spillover_leadlag_table(const SpilloverResult& r); // segment x k
Table border_segment_table(const Border& b);
// With `r`, each segment also carries its events within X km (each side) and its lead–lag summary.
VectorLayer border_layer(const Border& b, const SpilloverResult* r = nullptr);
VectorLayer bands_layer(const SpilloverResult& r); // with totals, rate per 10,000 km^2 and last period's rate

} // namespace nexusmap
