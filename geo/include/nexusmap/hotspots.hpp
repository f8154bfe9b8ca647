#pragma once
// Hot spot analysis engine: analysis units (fishnet, hexagons, polygons), spatial weights, Getis–Ord
// Gi*, local/global Moran's I and emerging (space-time) hot spots. Pure C++ maths: no GDAL/GEOS.
// Every analysis takes values and parameter structs and returns a result value; see docs/hotspots.md
// for the formulas and the exact rules implemented.
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/stats.hpp"

namespace nexusmap {

// ------------------------------------------------------------------------------------------------
// Analysis units

// Representative points of analysis units (cell/hex centres, polygon centroids), projected metres.
struct UnitCentroids {
    std::vector<double> x, y;
    size_t size() const { return x.size(); }
};

// Point values summed into units. Points with NaN coordinates or weights count as `skipped`.
struct UnitAggregate {
    std::vector<double> value; // one per unit
    size_t inside = 0, outside = 0, skipped = 0;
};

// Square fishnet = the cells of a GridSpec, row-major (index = row * width + col), like Raster::data.
// A point belongs to the cell whose half-open box [x0, x0+cell) x (y0-cell, y0] holds it; points
// exactly on the grid's east or south edge are put in the last column/row.
UnitAggregate fishnet_aggregate(const GridSpec& g, std::span<const double> x, std::span<const double> y,
                                std::span<const float> w = {});
// Centres of the fishnet cells (all of them, or only those with mask != 0 when a mask is given).
UnitCentroids fishnet_centroids(const GridSpec& g, std::span<const uint8_t> mask = {});

// Regular hexagon lattice. `spacing` = distance between the centres of adjacent hexagons (metres),
// so the circumradius (centre to vertex) is spacing / sqrt(3) and the apothem spacing / 2.
// Axial coordinates (q, r): PointyTop: centre = origin + spacing * (q + r/2, r*sqrt(3)/2);
//                           FlatTop:   centre = origin + spacing * (q*sqrt(3)/2, r + q/2).
enum class HexOrientation { FlatTop, PointyTop };
struct HexGrid {
    double spacing = 5000;
    HexOrientation orientation = HexOrientation::PointyTop;
    double origin_x = 0, origin_y = 0; // centre of hexagon (0, 0): CRS origin keeps grids aligned
    double circumradius() const { return spacing / std::sqrt(3.0); }
    Vec2 center(int q, int r) const;
    // Axial coordinates of the hexagon containing (x, y), i.e. of the nearest centre (the hexagons
    // are exactly the Voronoi cells of the centres), by cube-coordinate rounding.
    std::array<int, 2> locate(double x, double y) const;
    // Closed counter-clockwise ring of the 6 vertices (first == last).
    Polygon polygon(int q, int r) const;
};

struct HexUnits {
    HexGrid grid;
    std::vector<int> q, r;             // axial coordinates per unit
    UnitCentroids centroids;           // hexagon centres
    std::vector<Polygon> polygons;     // hexagon outlines
    // Unit containing (x, y) (nearest centre), or -1 when that hexagon is not part of the cover.
    int index_of(double x, double y) const;
    size_t size() const { return q.size(); }

    // Dense (q, r) -> unit lookup over the cover's axial bounding box.
    int q0 = 0, r0 = 0, nq = 0, nr = 0;
    std::vector<int32_t> lookup;
};
// Every hexagon of `grid` whose (closed) outline intersects `b`, ordered by r then q.
HexUnits hex_cover(const BBox& b, const HexGrid& grid, Progress progress = {});
UnitAggregate hex_aggregate(const HexUnits& hexes, std::span<const double> x, std::span<const double> y,
                            std::span<const float> w = {});

// Area-weighted centroids of polygon units (multi-part allowed; holes subtract). Degenerate
// (zero-area) units fall back to the mean of their vertices.
UnitCentroids polygon_centroids(const std::vector<Geometry>& units);

// ------------------------------------------------------------------------------------------------
// Study area: one rule for `hotspots`, `lisa`, `emerging` and the viewer's hot spot panel
// (docs/hotspots.md, "Study area"). Units outside it are left out of n, of the mean/S and of every
// neighbour sum: empty sea or desert cells would otherwise pull the mean down and inflate z.

enum class StudyAreaMode {
    Polygons, // centre inside the polygons (e.g. the study countries' admin-0), or holding an event
    NonEmpty, // only units holding at least one event
    All,      // every unit of the cover (the bounding box)
};
struct StudyArea {
    StudyAreaMode mode = StudyAreaMode::NonEmpty;
    const PolygonIndex* polygons = nullptr; // Polygons mode; the index must outlive the call
    std::string label;                      // names the area in the rule text
};
struct StudyAreaSelection {
    std::vector<uint8_t> keep;  // per unit: 1 = in the analysis
    size_t in_area = 0;         // kept because their centre is in the polygons (Polygons mode)
    size_t events_only = 0;     // kept only because they hold an event (centre outside the polygons)
    size_t left_out = 0;
    std::string rule;           // one sentence for the console and the metadata
};
// Polygons: keep[k] = centre k in the polygons (boundary counts) || counts[k] > 0.
// NonEmpty: counts[k] > 0. All: 1. NaN centres count as outside. GeoError when the sizes differ or
// Polygons mode has no index.
StudyAreaSelection select_study_area(const UnitCentroids& centres, std::span<const double> counts,
                                     const StudyArea& area);
// The features of `layer` whose attribute `field` is one of `codes` (e.g. iso_a3 in MLI, BFA), in
// layer order. GeoError naming the field or the codes that are missing.
VectorLayer select_features(const VectorLayer& layer, const std::string& field, const std::vector<std::string>& codes);
// The countries of the CLI's default study area (the Sahel and coastal groups of the spillover
// analysis): MLI, BFA, NER, CIV, GHA, TGO, BEN.
const std::vector<std::string>& default_study_countries();

// ------------------------------------------------------------------------------------------------
// Permutation inference and multiple testing (docs/hotspots.md, "Significance")

inline constexpr int kDefaultPermutations = 999;      // PySAL / GeoDa default
inline constexpr int kMaxAutoPermutations = 199999;   // cap when permutations are raised for FDR
// Smallest pseudo p that P permutations can give: sides / (P + 1) (sides = 2 for Gi*'s two-sided
// pseudo p, 1 for LISA's folded one).
double min_pseudo_p(int permutations, int sides);
struct PermutationPlan {
    int permutations = kDefaultPermutations;
    bool raised = false;      // auto: raised above the default so that FDR can reject
    bool capped = false;      // auto: the needed number is above the cap
    int needed = 0;           // fewest permutations with min_pseudo_p * n <= alpha (a lone unit can pass BH)
    size_t min_cluster = 1;   // with `permutations`: how many units must all reach the minimum p before BH
                              // rejects any: ceil(min_p * n / alpha); > n: nothing can be significant
    bool possible = true;     // min_cluster <= n
    std::string warning;      // empty when a single unit can be significant
};
// Permutations for a test over n units at level alpha. requested > 0: used as given; <= 0 (auto):
// kDefaultPermutations, raised to `needed` (at most `cap`) when fdr. Without fdr, needed is the
// fewest permutations with min_pseudo_p <= alpha.
PermutationPlan plan_permutations(size_t n, double alpha, bool fdr, int sides, int requested = 0,
                                  int cap = kMaxAutoPermutations);

// ------------------------------------------------------------------------------------------------
// Spatial weights (CSR)

struct SpatialWeights {
    std::vector<int64_t> offsets{0}; // n + 1; neighbours of i are [offsets[i], offsets[i+1])
    std::vector<int32_t> index;      // neighbour unit ids, ascending within a row
    std::vector<double> weight;      // w_ij, parallel to index
    bool self_included = false;      // w_ii present in every row (Gi*)
    std::string kind;                // "distance band", "knn", "queen", ... (+ ", row-standardised")
    double distance_m = 0;           // band distance for distance-band weights

    size_t n() const { return offsets.size() - 1; }
    size_t nnz() const { return index.size(); }
    size_t count(size_t i) const { return static_cast<size_t>(offsets[i + 1] - offsets[i]); }
};

// Two centroids are within band d when dx^2 + dy^2 <= d^2 (1 + kBandSlack): the slack makes units
// exactly d apart (e.g. fishnet cells at a multiple of the cell size) neighbours despite rounding.
inline constexpr double kBandSlack = 1e-9;
inline bool within_band(double dist2, double d) { return dist2 <= d * d * (1 + kBandSlack); }

// Binary distance band: w_ij = 1 for j != i within d; plus w_ii = 1 when include_self (Gi*).
SpatialWeights distance_band_weights(const UnitCentroids& c, double d, bool include_self,
                                     Progress progress = {});
// k nearest neighbours (binary, asymmetric). Distance ties are broken by the lower unit index.
SpatialWeights knn_weights(const UnitCentroids& c, int k, bool include_self, Progress progress = {});
// Queen contiguity: units sharing at least one boundary point. Detected as a vertex of one unit
// lying within `tolerance` of an edge (or vertex) of another. tolerance <= 0: 1e-7 times the
// diagonal of all units' bounding box (absorbs rounding from reprojection, far below real gaps).
SpatialWeights queen_weights(const std::vector<Geometry>& units, double tolerance = 0,
                             bool include_self = false, Progress progress = {});
// w_ij / sum_j w_ij (rows with no neighbours stay empty).
SpatialWeights row_standardise(SpatialWeights w);
// Drops (or adds, with weight `self_weight`) the diagonal entries.
SpatialWeights without_self(SpatialWeights w);
SpatialWeights with_self(SpatialWeights w, double self_weight = 1.0);

// ------------------------------------------------------------------------------------------------
// Default distance band

enum class BandRule {
    // The smallest distance giving every unit at least one neighbour: max over units of the
    // nearest-neighbour distance (ArcGIS Hot Spot Analysis' default).
    MinOneNeighbor,
    // Incremental spatial autocorrelation: global Moran's I z (binary band, row-standardised, no
    // self) at d_k = d0 + k * step, k = 0..9, with d0 = the MinOneNeighbor distance and step = the
    // mean nearest-neighbour distance; the first peak (z_k > z_{k-1} and z_k >= z_{k+1}), else the
    // distance with the largest z.
    IncrementalMoranPeak,
};
struct BandChoice {
    double distance_m = 0;
    std::string rule;                 // human-readable description for the metadata
    std::vector<double> tried_m, z;   // IncrementalMoranPeak: the distances and their Moran z
    double median_nn_m = 0;           // median nearest-neighbour distance of the units
    std::vector<int32_t> far_units;   // units whose nearest neighbour is > kBandWarnFactor x the median
    std::string warning;              // set when distance_m > kBandWarnFactor x median_nn_m
};
// The automatic band is "set by one outlier" when it exceeds this many median nearest-neighbour
// distances: the warning names the units responsible and the fixes (--knn, --drop-isolated).
inline constexpr double kBandWarnFactor = 3.0;
struct NearestNeighbourStats {
    std::vector<double> nn_m;         // per unit
    double median_m = 0, max_m = 0;
    std::vector<int32_t> far_units;   // nn_m > factor * median_m, ascending
};
NearestNeighbourStats nearest_neighbour_stats(const UnitCentroids& c, double factor = kBandWarnFactor,
                                              Progress progress = {});
BandChoice choose_distance_band(const UnitCentroids& c, std::span<const double> values, BandRule rule,
                                Progress progress = {});

// ------------------------------------------------------------------------------------------------
// Confidence bins and multiple testing

// -3..3: sign(z) * (3 if p <= 0.01, 2 if p <= 0.05, 1 if p <= 0.10, else 0) - ArcGIS Gi_Bin.
// NaN z or p gives 0.
std::vector<int8_t> confidence_bins(std::span<const double> z, std::span<const double> p);

// ------------------------------------------------------------------------------------------------
// Getis–Ord Gi*

struct GiStarParams {
    double distance_m = 0;       // band for the point/fishnet entry points; <= 0: choose by band_rule
    BandRule band_rule = BandRule::MinOneNeighbor;
    int permutations = 0;        // > 0: conditional permutation pseudo p-values (p_perm)
    uint64_t seed = 12345;
    bool fdr = false;            // bins from BH-adjusted p-values instead of raw ones
};

struct GiStarResult {
    size_t n = 0;                      // units in the analysis (unmasked)
    std::vector<double> z, p;          // z-score and two-sided normal p (NaN where excluded)
    std::vector<double> p_perm;        // two-sided pseudo p (empty without permutations)
    std::vector<double> p_fdr;         // BH-adjusted version of the p used for bins
    std::vector<int8_t> bin;           // -3..3 (0 where excluded)
    std::vector<int32_t> n_neighbors;  // neighbours including self (0 where excluded)
    double mean = 0, sd = 0;           // Xbar and S of the values
    double distance_m = 0;             // band used (0 for caller-supplied weights)
    std::string distance_rule;         // "user" or the BandChoice rule
    std::string p_source;              // "normal" or "permutation"
    std::vector<std::string> warnings;
};

// Gi* for any weights (Getis & Ord 1995; ArcGIS formula):
//   z_i = (sum_j w_ij x_j - Xbar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n-1))),
//   W_i = sum_j w_ij, Xbar = mean x, S = sqrt(sum x^2/n - Xbar^2).
// It is Gi* when the weights include self (w_ii > 0), Gi otherwise - it uses them as given.
// Values must be finite (GeoError otherwise).
GiStarResult gi_star(std::span<const double> x, const SpatialWeights& w, const GiStarParams& params = {},
                     Progress progress = {});
// Gi* on units with a binary distance band (self included), band chosen by the rule when <= 0.
GiStarResult gi_star_points(const UnitCentroids& c, std::span<const double> x, const GiStarParams& params = {},
                            Progress progress = {});
// Fast Gi* on a fishnet with a binary distance band (self included): neighbour sums come from a
// disk stencil applied to row prefix sums, O(rows of the disk) per cell instead of O(neighbours).
// `x` is row-major over `g`; `mask` (optional, same size) marks cells in the study area (non-zero);
// masked cells are out of n, of the mean/S and of every neighbour sum, and get NaN/0 in the result.
// Same results as gi_star_points on the unmasked cell centres (up to rounding, ~1e-12).
GiStarResult gi_star_fishnet(const GridSpec& g, std::span<const double> x, std::span<const uint8_t> mask = {},
                             const GiStarParams& params = {}, Progress progress = {});

// ------------------------------------------------------------------------------------------------
// Moran's I

struct GlobalMoranResult {
    size_t n = 0;
    double i = stats::kNaN, expected = stats::kNaN, variance = stats::kNaN, z = stats::kNaN,
           p = stats::kNaN;
    double s0 = 0, s1 = 0, s2 = 0;
};
// I = (n / S0) sum_ij w_ij z_i z_j / sum_i z_i^2 with the weights as given (row-standardise first
// for the usual convention). E[I] = -1/(n-1); Var under the normality assumption (Cliff & Ord):
// Var = (n^2 S1 - n S2 + 3 S0^2) / (S0^2 (n^2 - 1)) - E[I]^2.
GlobalMoranResult global_moran(std::span<const double> x, const SpatialWeights& w);

enum class LisaClass : int8_t { NotSignificant = 0, HighHigh = 1, LowLow = 2, LowHigh = 3, HighLow = 4 };
const char* lisa_class_name(LisaClass c); // "HH", "LL", "LH", "HL", "not significant"

struct LocalMoranParams {
    int permutations = 999; // >= 1
    uint64_t seed = 12345;
    double alpha = 0.05;    // class assigned when the pseudo p (or its BH-adjusted value) <= alpha
    bool fdr = false;
};
struct LocalMoranResult {
    std::vector<double> i;          // local I_i = z_i lag_i / m2, z = x - mean, m2 = sum z^2 / n
    std::vector<double> z, lag;     // centred value and its spatial lag (row-standardised)
    std::vector<double> p_sim;      // pseudo p, PySAL/GeoDa rule: L = #(perm I_i >= obs I_i); if P - L < L
                                    // then L = P - L; p = (L + 1) / (P + 1). 1 when z_i = 0.
    std::vector<double> p_fdr;      // BH-adjusted p_sim
    std::vector<LisaClass> cls;
    GlobalMoranResult global;       // with the same row-standardised weights
};
// Weights are used without self and row-standardised internally. Units without neighbours get
// I = 0, NaN p and NotSignificant.
LocalMoranResult local_moran(std::span<const double> x, const SpatialWeights& w,
                             const LocalMoranParams& params = {}, Progress progress = {});

// ------------------------------------------------------------------------------------------------
// Emerging hot spots (space-time cube)

enum class EmergingPattern : int8_t {
    NoPattern = 0,
    NewHot, ConsecutiveHot, IntensifyingHot, PersistentHot, DiminishingHot, SporadicHot, OscillatingHot,
    HistoricalHot,
    NewCold, ConsecutiveCold, IntensifyingCold, PersistentCold, DiminishingCold, SporadicCold,
    OscillatingCold, HistoricalCold,
};
const char* emerging_pattern_name(EmergingPattern p); // "New Hot Spot", ..., "No Pattern Detected"

// Classifies one location from its per-step Gi* z and p series (oldest first). A step is a hot
// (cold) spot when p <= alpha and z > 0 (z < 0). The trend is the Mann–Kendall test on the z series,
// significant when its p <= trend_alpha. Rules: docs/hotspots.md ("Emerging hot spot rules").
EmergingPattern classify_emerging(std::span<const double> z, std::span<const double> p, double alpha = 0.05,
                                  double trend_alpha = 0.05);

struct EmergingParams {
    double distance_m = 0;       // spatial band; <= 0: choose by band_rule on the units' totals
    BandRule band_rule = BandRule::MinOneNeighbor;
    int time_window = 1;         // neighbourhood = same step and the previous `time_window` steps
    double alpha = 0.05;         // hot/cold significance of a bin
    double trend_alpha = 0.05;   // Mann–Kendall significance
    bool fdr = true;             // BH-FDR over all bins before classifying (as ArcGIS Pro does)
};
// Fewer time steps are refused: ArcGIS' Emerging Hot Spot Analysis needs 10, the 90% rules and the
// Mann-Kendall trend mean little on fewer.
inline constexpr size_t kMinEmergingSteps = 10;
struct EmergingResult {
    size_t n_units = 0, n_steps = 0;
    std::vector<double> z, p, p_fdr;   // per bin, index = step * n_units + unit
    std::vector<int8_t> bin;           // -3..3 per bin (from p_fdr when fdr)
    std::vector<EmergingPattern> pattern;            // per unit
    std::vector<double> trend_z, trend_p, trend_tau; // Mann–Kendall on each unit's z series
    std::vector<int32_t> hot_steps, cold_steps;      // significant bins per unit
    double distance_m = 0;
    std::string distance_rule;
    std::vector<std::string> warnings;
};
// `counts` is step-major: counts[t * n_units + i] for unit i at step t (n_steps = counts / units).
// Gi* per bin over the whole cube (n = units x steps, Xbar and S over all bins), binary weights:
// bins of units within the band (self included) in steps t - time_window .. t.
EmergingResult emerging_hot_spots(const UnitCentroids& units, std::span<const double> counts,
                                  const EmergingParams& params = {}, Progress progress = {});

} // namespace nexusmap
