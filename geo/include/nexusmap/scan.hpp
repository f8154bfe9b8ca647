#pragma once
// Kulldorff's space-time permutation scan statistic (Kulldorff, Heffernan, Hartman, Assunção &
// Mostashari 2005, PLoS Med 2(3):e59), for dated events without a population at risk.
//
// Cylinders: a circular base around a candidate centre holding every event location within the
// radius (radii grow location by location, up to a share of all events and/or a distance), times a
// window of consecutive periods (up to a maximum length). For a cylinder A with n events,
//   mu_A = N_Z * N_W / N        (N_Z: events of the base at any time, N_W: events anywhere in the
//                                window, N: all events; the expectation when space and time are
//                                independent given both margins)
//   LLR  = n ln(n/mu) + (N-n) ln((N-n)/(N-mu))   if n > mu, else 0
// The most likely cluster maximises the LLR; secondary clusters are each centre's best cylinder,
// ranked, keeping only those sharing no event location with a cluster already kept. Significance
// comes from Monte Carlo replicas that permute the event periods among the events (both margins
// stay fixed, so every mu is unchanged); p = (1 + #{replica max >= LLR}) / (R + 1). A Gumbel
// distribution fitted by moments to the replica maxima gives a smoother p for small p.
//
// Exactness shortcut (not an approximation): for a base, extending a window by periods where the
// base has no events raises mu and leaves n unchanged, so the maximum over windows is always reached
// by a window that starts and ends in periods where the base has events; only those are evaluated.
// Branch and bound over those windows (exact): the LLR rises with n and falls with mu, so a block of
// windows (start indices i0..i1, end indices j0..j1) can do no better than LLR(n of the widest,
// mu of the narrowest); blocks whose bound cannot beat the best so far are skipped, the others split.
// Across radius steps (exact, permutation model, retrospective): within a centre the circles are
// nested, and a window holding none of a step's new event periods keeps its n and gets a larger mu,
// so only windows holding a new period are examined; their blocks are also bounded through the
// separable excess n - mu and the joint convexity of the LLR in (n, mu) (docs/scan.md).
#include <cstdint>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/spillover.hpp"

namespace nexusmap {

// Permutation (Kulldorff 2005, above): dated events only. Bernoulli (Kulldorff 1997; space-time
// as in SaTScan): events are cases (types in case_types) or controls (the other events); a
// cylinder holding m events of which n are cases, with C cases among N events in all, has
//   LLR = n ln(n/m) + (m-n) ln((m-n)/m) + (C-n) ln((C-n)/(N-m)) + (N-m-C+n) ln((N-m-C+n)/(N-m))
//         - C ln(C/N) - (N-C) ln((N-C)/N)      if n/m > (C-n)/(N-m), else 0,
// and the Monte Carlo replicas permute the case labels over the events (places and dates kept).
// "Is one kind of violence (e.g. violence against civilians) concentrated in space and time
// beyond where and when violence of any kind happens?" expected = m C / N.
//
// Poisson (Kulldorff 2001, JRSS A 164:61; space-time with a population raster): locations are the
// cells of a population (or any intensity) raster with a value > 0, each event counted in its cell
// (events outside every such cell are left out, counted); the expected count of a cylinder is
//   mu = N_W * w_Z / w          (N_W: events in the window, w_Z: population of the base, w: total)
// i.e. events of each period spread over the cells in proportion to population (the study-wide
// time trend is adjusted for, as SaTScan's stratified temporal adjustment); LLR as the permutation
// model's. Replicas keep each event's period and draw its cell in proportion to population. The
// circles grow cell by cell up to max_share of the total population. "Where and when were there
// more events than the people living there and the period's overall level would give?"
enum class ScanModel { Permutation, Bernoulli, Poisson };

enum class ScanCentres {
    Grid,   // centres of the non-empty cells of a square grid (centre_cell_km)
    Events, // every distinct event location
};

struct ScanParams {
    ScanModel model = ScanModel::Permutation;
    std::vector<std::string> case_types; // Bernoulli: event types that are cases (the rest controls)
    PeriodUnit period = PeriodUnit::Month;
    double max_share = 0.5;        // a base holds at most this share of all events (SaTScan: 50%)
    double max_radius_km = 0;      // and lies within this radius (<= 0: no distance limit)
    double max_window_share = 0.5; // windows span at most this share of the study periods
    int max_window_periods = 0;    // or at most this many periods (> 0 overrides the share)
    bool prospective = false;      // only windows ending in the last period (surveillance)
    ScanCentres centres = ScanCentres::Grid;
    double centre_cell_km = 50;
    // > 0: event locations are aggregated to the centres of cells of this size (SaTScan's
    // "locations" as areas); fewer radius steps, much faster, coarser circles. 0: exact coordinates.
    double location_cell_km = 0;
    int replications = 999;
    uint64_t seed = 20240101;
    int max_clusters = 10;         // reported clusters (most likely + secondary)
    double report_p = 1.0;         // secondary clusters reported only with p <= this (the MLC always)
    Crs analysis_crs = Crs::default_analysis();
    int threads = 0;               // 0 = hardware concurrency; results do not depend on it
    // Elliptic windows (Kulldorff, Huang, Pickle & Duczmal 2006, Stat Med 25:3929), permutation model:
    // besides circles, ellipses of shape (major/minor) 1.5, 2, 3, 4, 5 at 4, 6, 9, 12, 15 angles
    // (k 180/n degrees from east); a cylinder's LLR is multiplied by the eccentricity penalty
    // (4 s / (s + 1)^2)^ellipse_penalty (0.5: SaTScan's "medium") for choosing the MLC and for the
    // replicas' maxima. max_radius_km bounds the major semi-axis.
    bool elliptic = false;
    double ellipse_penalty = 0.5;
    // Tests only: evaluate every window of every circle instead of the branch and bound over
    // windows (same results; the bound only skips windows that cannot beat the best so far).
    bool exhaustive_windows = false;
};

struct ScanCluster {
    int rank = 0;                  // 1 = most likely cluster
    double cx = 0, cy = 0;         // centre (analysis CRS)
    double lon = 0, lat = 0;
    double radius_km = 0;          // distance to the farthest location in the base (ellipse: major semi-axis)
    double shape = 1, angle_deg = 0; // elliptic windows: major/minor ratio and direction of the major axis
    double score = 0;              // LLR times the eccentricity penalty (= llr for circles)
    size_t locations = 0;          // distinct event locations in the base
    int64_t start_period = 0, end_period = 0; // period indices (spillover.hpp period_index)
    std::string start_label, end_label;       // "2020-07"
    std::string start_date, end_date;         // first and last day of the window
    double observed = 0, expected = 0;
    double relative_risk = 0;      // (n/mu) / ((N-n)/(N-mu)), as SaTScan reports it
    double llr = 0;
    double p_mc = 1;               // Monte Carlo p
    double p_gumbel = 1;           // Gumbel approximation
    std::vector<uint32_t> events;  // indices into the input table of the events inside the cylinder
};

struct ScanResult {
    std::vector<ScanCluster> clusters;
    std::vector<double> replica_max;   // maximum LLR of each replica (in replica order)
    double gumbel_mu = 0, gumbel_beta = 0;
    size_t n = 0;                      // events scanned (dated, projectable)
    size_t undated = 0, unplaced = 0;  // left out, with the reason
    size_t n_locations = 0, n_centres = 0, n_periods = 0;
    int max_window = 0;                // periods
    size_t n_bases = 0;                // circles evaluated per replica (centre x radius)
    int64_t first_period = 0, last_period = 0;
    double seconds = 0;
    ScanParams params;
    Crs crs;
    Metadata metadata;
    std::vector<std::string> warnings;
};

// Scans `ev` (dated events; undated ones and those that do not project are left out and counted).
// `population`: the raster of the Poisson model (any CRS; required for it, ignored otherwise).
ScanResult space_time_permutation_scan(const EventTable& ev, const ScanParams& params = {}, Progress progress = {},
                                       const Raster* population = nullptr);

// The log-likelihood ratio of the space-time permutation model (0 when n <= mu).
double scan_llr(double n, double mu, double N);
// The Bernoulli log-likelihood ratio: n cases among m events inside, C cases among N in all (0 when
// the inside case share is not above the outside one).
double bernoulli_llr(double n, double m, double C, double N);
// Gumbel fit by the method of moments: beta = s sqrt(6)/pi, mu = mean - 0.5772 beta;
// p(x) = 1 - exp(-exp(-(x - mu)/beta)).
void gumbel_fit(const std::vector<double>& sample, double& mu, double& beta);
double gumbel_p(double x, double mu, double beta);

Table scan_cluster_table(const ScanResult& r);
// Cluster circles (64-gon) in the analysis CRS with every table column as attributes.
VectorLayer scan_cluster_layer(const ScanResult& r);

} // namespace nexusmap
