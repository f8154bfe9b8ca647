#pragma once
// Kernel density estimation on a georeferenced grid.
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/raster.hpp"

namespace nexusmap {

enum class Kernel { Quartic, Triangular, Uniform, Triweight, Epanechnikov, Gaussian };
const char* kernel_name(Kernel k);
std::optional<Kernel> kernel_from_name(std::string_view s);

// 2-D radial kernel normalised to integrate to 1 over the plane, for bandwidth h (metres) and
// distance r. Compact kernels have support r < h (h is the search radius, as in QGIS/ArcGIS);
// the Gaussian uses h as its standard deviation and is truncated at kGaussianCutoff * h and
// renormalised, so its mass is still exactly 1.
inline constexpr double kGaussianCutoff = 4.0;
double kernel_value(Kernel k, double r, double h);
double kernel_support(Kernel k, double h); // radius beyond which the kernel is zero

enum class BandwidthRule { Fixed, Silverman, Scott, Lcv };
const char* bandwidth_rule_name(BandwidthRule r); // "fixed", "silverman", "scott", "lcv"
// Automatic bandwidths for 2-D data (each returns a radius in metres appropriate for `k`; the
// Gaussian-equivalent sigma is converted to each kernel's support with canonical_radius_factor).
// Silverman/Scott: normal reference, sigma = s n_eff^(-1/6) (s: pooled sd of the axes; Silverman
// takes min(sd, IQR/1.349)); Lcv: lcv_bandwidth(x, y, w, k).radius_m.
double auto_bandwidth(const std::vector<double>& x, const std::vector<double>& y,
                      const std::vector<float>* w, BandwidthRule rule, Kernel k);

// Support radius of kernel k that has the same 2-D AMISE scale as a Gaussian of sigma 1: the ratio
// of canonical bandwidths delta0 = (R(K)/mu2(K)^2)^(1/6) (Marron & Nolan 1988; Wand & Jones 1995).
// Gaussian 1, uniform 2, triangular 2.5371, epanechnikov 2.4019, quartic 2.7792, triweight 3.1154.
double canonical_radius_factor(Kernel k);

// Median distance from each distinct location to the nearest other distinct location (duplicates
// collapsed); NaN with fewer than two distinct locations.
double median_nn_distance(const std::vector<double>& x, const std::vector<double>& y);

// Likelihood cross-validation (as spatstat's bw.ppl, without edge correction): the Gaussian sigma
// maximising the mean leave-one-out log density  (1/W) sum_i w_i log f_{-i}(x_i),
// f_{-i}(x) = sum_{j != i} w_j phi_sigma(x - x_j) / sum_{j != i} w_j, over `grid_points` log-spaced
// sigmas from max(median_nn/4 capped at sigma_NR/4, sigma_NR/500) to 2 sigma_NR (sigma_NR: Scott's
// normal-reference sigma). The Gaussian is used whatever `k` (a compact kernel gives log 0 for any
// point with no neighbour within h); the radius for `k` is sigma * canonical_radius_factor(k).
// Above `max_eval` points the mean is taken over an even stride of them (sums use every point).
struct LcvBandwidth {
    double sigma_m = 0, radius_m = 0;
    double normal_reference_sigma_m = 0;
    std::vector<double> sigma_grid, score;
    size_t best = 0;
    bool at_edge = false; // the maximum is at an end of the grid: the answer is a bound, not an optimum
    size_t n_eval = 0;
};
LcvBandwidth lcv_bandwidth(const std::vector<double>& x, const std::vector<double>& y, const std::vector<float>* w,
                           Kernel k, int grid_points = 41, size_t max_eval = 20000);
// The criterion above at one sigma, every point evaluated (exposed for tests and diagnostics).
double lcv_score(const std::vector<double>& x, const std::vector<double>& y, const std::vector<float>* w, double sigma);

enum class DensityUnits {
    PerKm2,     // weight per km^2: integrates to the weight total (default)
    QgisRaw,    // QGIS heatmap "raw": sum of unnormalised kernel shapes (peak 1 per point)
    QgisScaled, // QGIS heatmap "scaled" (reproduces QGIS 3.22's normalisation for comparison)
};
const char* units_label(DensityUnits u);

enum class KdeMethod { Auto, Exact, Fft };

struct KdeParams {
    Kernel kernel = Kernel::Quartic;
    double bandwidth_m = 50'000; // radius (compact kernels) or sigma (Gaussian)
    BandwidthRule rule = BandwidthRule::Fixed;
    double cell_m = 5'000;
    DensityUnits units = DensityUnits::PerKm2;
    bool use_weights = true;     // false: every point counts 1
    KdeMethod method = KdeMethod::Auto;
    int threads = 0;             // 0 = hardware concurrency
    // FFT path: the grid is convolved in tiles of at most this many transform cells (8 bytes
    // each, one tile per thread), which bounds its memory; 0 = automatic: all threads' tiles
    // within half of input + output, 2^17..2^20 cells each.
    size_t fft_tile_cells = 0;
};

struct KdeInput {
    const std::vector<double>* x = nullptr; // projected metres
    const std::vector<double>* y = nullptr;
    const std::vector<float>* w = nullptr;   // may be null
};

struct KdeResult {
    Raster raster;
    double bandwidth_m = 0; // the bandwidth used (after an automatic rule)
    KdeMethod method_used = KdeMethod::Exact;
    double weight_total = 0; // of the input points
    size_t n_points = 0;
};

// Grid from the data bounds padded by the kernel support.
GridSpec grid_for_points(const std::vector<double>& x, const std::vector<double>& y, double pad_m,
                         double cell_m);

// Computes density on `grid`. Points with NaN coordinates are skipped (counted in n_points only if used).
KdeResult kernel_density(const KdeInput& in, const GridSpec& grid, const Crs& crs, const KdeParams& p,
                         Progress progress = {});

// Refinement factor (1, 3, 5, 7) for the FFT path to keep its error within `tolerance` of the
// peak, or 0 when no factor does (uniform/triangular kernels, or h too small for the cell).
int fft_refinement(Kernel k, double h, double cell, double tolerance);

// Sets every cell whose centre is outside all polygons of `mask` (same CRS) to nodata.
void apply_mask(Raster& r, const VectorLayer& mask);

} // namespace nexusmap
