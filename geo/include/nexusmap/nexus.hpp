#pragma once
// The violence–trafficking nexus as a hypothesis test: are events closer to routes than a stated
// null model would put them? And do event categories co-locate more than their labels would by
// chance? See docs/nexus.md.
//
// Route test: for each route, each commodity (the union of its routes) and all routes together,
// the number of events within d km, and the curve of that count over a list of distances, against
// Monte Carlo simulations where the same number of events is placed under the null:
//   * Smoothed:  the events' own intensity smoothed at a large bandwidth (KDE, quartic), events
//                drawn from cells in proportion to it, uniform within the cell. "Given the broad
//                geography of conflict, are events still pulled toward the routes?"
//   * Admin1:    every event moved uniformly within its own admin-1 polygon (regional counts kept).
//   * Raster:    a user raster of weights (e.g. population per cell), cells drawn in proportion to
//                value, uniform within the cell.
// expected = mean simulated count; p = (1 + #{sim >= observed}) / (S + 1) (one-sided: more events
// near the route than the null); Benjamini–Hochberg q over the routes (and separately over the
// commodities). Curves carry a pointwise envelope (min/max of the simulations) and a global one
// (the maximum absolute deviation envelope of spatstat's envelope(global = TRUE), with its test).
//
// Co-location quotient (Leslie & Kronenfeld 2011): CLQ(A->B) = (C_AB / N_A) / (N'_B / (N - 1)),
// C_AB = sum over A points of the share of their nearest neighbours (ties split equally) that are
// B, N'_B = N_B - 1 when A = B. The null permutes the category labels over the fixed points.
#include <cstdint>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/raster.hpp"

namespace nexusmap {

enum class NexusNull { Smoothed, Admin1, Raster };
const char* nexus_null_name(NexusNull n);

struct NexusParams {
    double d_km = 25;                          // the test distance
    std::vector<double> curve_km = {5, 10, 15, 20, 25, 30, 40, 50, 75, 100}; // distance-response curve
    NexusNull null_model = NexusNull::Smoothed;
    double smooth_bandwidth_km = 150;          // Smoothed: quartic kernel radius
    double smooth_cell_km = 10;
    int simulations = 199;
    uint64_t seed = 20240101;
    double alpha = 0.05;                       // envelopes and FDR level
    std::string commodity_field = "commodity", name_field = "name";
    Crs analysis_crs = Crs::default_analysis();
    int threads = 0;
};

// Null inputs besides the events: the admin-1 polygons (Admin1) or a weight raster (Raster).
struct NexusNullInputs {
    const VectorLayer* admin1 = nullptr;
    const Raster* raster = nullptr;
};

struct NexusUnit {
    std::string kind;       // "route", "commodity", "all"
    std::string name, commodity;
    double length_km = 0;
    double observed = 0, expected = 0, ratio = 0; // at d_km
    double sim_sd = 0;
    double p = 1, q = 1;                          // q: BH within its kind
    std::vector<double> curve_obs, curve_mean, curve_lo, curve_hi; // pointwise min/max
    std::vector<double> global_lo, global_hi;     // MAD global envelope at 1 - alpha
    double p_global = 1;                          // MAD test of the whole curve
};

struct NexusResult {
    std::vector<NexusUnit> units;
    std::vector<double> curve_km;
    size_t n = 0, unplaced = 0, fixed = 0; // fixed: events the null could not move (outside admin-1)
    NexusParams params;
    Crs crs;
    Metadata metadata;
    std::vector<std::string> warnings;
};

NexusResult nexus_route_test(const EventTable& ev, const VectorLayer& routes, const NexusParams& params = {},
                             const NexusNullInputs& null_inputs = {}, Progress progress = {});

// One draw of event positions from the null (the simulation's own sampler), for tests and for a
// "shuffled" comparison copy. x/y in the analysis CRS.
void nexus_null_sample(const EventTable& ev, const NexusParams& params, const NexusNullInputs& null_inputs,
                       uint64_t seed, std::vector<double>& x, std::vector<double>& y);

struct ClqEntry {
    std::string a, b;       // CLQ(A -> B): A's neighbourhoods containing B
    size_t n_a = 0, n_b = 0;
    double clq = 0;
    double p_high = 1, p_low = 1; // permutation p for more / less co-location than by chance
    double sim_mean = 0;
};
struct ClqResult {
    std::vector<ClqEntry> entries;
    size_t n = 0;
    int simulations = 0;
    Metadata metadata;
};
// Categories: `labels[i]` for each point (x/y in a metric CRS); pairs among `categories` (empty:
// every category with at least 2 points).
ClqResult colocation_quotient(const std::vector<double>& x, const std::vector<double>& y,
                              const std::vector<std::string>& labels, const std::vector<std::string>& categories,
                              int simulations = 199, uint64_t seed = 20240101);

// Cross-K and L functions between two event categories A and B (Ripley 1977; Lotwick & Silverman
// 1982), with Monte Carlo envelopes under random labelling (the A/B labels permuted over the pooled
// points, so both patterns' joint geography is kept and only the association is tested):
//   K_AB(r) = |W| / (n_A n_B) * #{(a, b): |a - b| <= r}     (no edge correction; |W| the window area)
//   L_AB(r) = sqrt(K_AB(r) / pi)
// For A and B independent and uniform in a rectangle a x b, E K_AB(r) = pi r^2 - 4 (a + b) r^3 /
// (3 a b) + r^4 / (2 a b) for r <= min(a, b) (the area of the disc inside the rectangle, averaged).
// Envelopes on L: pointwise [alpha/2, 1 - alpha/2] quantiles of the simulations, and the global
// extreme rank envelope of Myllymaki, Mrkvicka, Grabarnik, Seijo & Hahn (2017, JRSS B 79:381) in
// its extreme rank length form (ties of the extreme rank broken by the next ranks) with its p-value.
struct CrossKParams {
    std::vector<double> r_km = {5, 10, 15, 20, 25, 30, 40, 50, 75, 100};
    int simulations = 199;
    uint64_t seed = 20240101;
    double alpha = 0.05;
    double area_km2 = 0; // window area; <= 0: the pooled points' bounding box
};
struct CrossKResult {
    std::vector<double> r_km, k_obs, l_obs, l_mean, lo_pointwise, hi_pointwise, lo_global, hi_global;
    double p_global = 1;   // extreme rank test of the whole L curve (two-sided)
    size_t n_a = 0, n_b = 0;
    double area_km2 = 0;
    int simulations = 0;
    Metadata metadata;
};
CrossKResult cross_k(const std::vector<double>& ax, const std::vector<double>& ay, const std::vector<double>& bx,
                     const std::vector<double>& by, const CrossKParams& params = {});
// The extreme rank length (ERL) envelope on curves[0] (observed) and curves[1..] (simulations):
// per curve the pointwise ranks min(from below, from above) sorted ascending, compared
// lexicographically (smaller = more extreme); p = #{curves at least as extreme as curves[0]} / (s+1);
// lo/hi = the pointwise range of all curves but the floor(alpha (s+1)) most extreme.
void extreme_rank_envelope(const std::vector<std::vector<double>>& curves, double alpha, std::vector<double>& lo,
                           std::vector<double>& hi, double& p);
Table cross_k_table(const CrossKResult& r);

Table nexus_unit_table(const NexusResult& r);
Table nexus_curve_table(const NexusResult& r);
Table clq_table(const ClqResult& r);
// The route lines of `routes` (the layer given to nexus_route_test) with their unit-table row as
// attributes (route units follow the features that have lines, in order), in the routes' CRS.
VectorLayer nexus_route_layer(const NexusResult& r, const VectorLayer& routes);

} // namespace nexusmap
