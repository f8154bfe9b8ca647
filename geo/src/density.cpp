#include "nexusmap/density.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>
#include <numeric>
#include <thread>

#include "nexusmap/error.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap {

const char* kernel_name(Kernel k) {
    switch (k) {
    case Kernel::Quartic: return "quartic";
    case Kernel::Triangular: return "triangular";
    case Kernel::Uniform: return "uniform";
    case Kernel::Triweight: return "triweight";
    case Kernel::Epanechnikov: return "epanechnikov";
    case Kernel::Gaussian: return "gaussian";
    }
    return "?";
}

std::optional<Kernel> kernel_from_name(std::string_view s) {
    const std::string l = ascii_lower(s);
    if (l == "quartic" || l == "biweight") return Kernel::Quartic;
    if (l == "triangular" || l == "triangle" || l == "cone") return Kernel::Triangular;
    if (l == "uniform" || l == "flat") return Kernel::Uniform;
    if (l == "triweight") return Kernel::Triweight;
    if (l == "epanechnikov") return Kernel::Epanechnikov;
    if (l == "gaussian" || l == "normal") return Kernel::Gaussian;
    return std::nullopt;
}

const char* units_label(DensityUnits u) {
    switch (u) {
    case DensityUnits::PerKm2: return "weight per km^2";
    case DensityUnits::QgisRaw: return "QGIS raw (sum of kernel shapes, unitless)";
    case DensityUnits::QgisScaled: return "QGIS 3.22 scaled (per map unit^2, quartic x7.25)";
    }
    return "?";
}

namespace {
constexpr double kPi = 3.14159265358979323846;
// Normalising constants c such that c/h^2 * shape(u) integrates to 1 over the disk of radius h:
// integral of shape(u) 2*pi*u du over [0,1]: uniform pi, triangular pi/3, epanechnikov pi/2,
// quartic pi/3, triweight pi/4.
double shape(Kernel k, double u) {
    switch (k) {
    case Kernel::Uniform: return u < 1 ? 1.0 : 0.0;
    case Kernel::Triangular: return u < 1 ? 1.0 - u : 0.0;
    case Kernel::Epanechnikov: return u < 1 ? 1.0 - u * u : 0.0;
    case Kernel::Quartic: {
        double a = 1.0 - u * u;
        return u < 1 ? a * a : 0.0;
    }
    case Kernel::Triweight: {
        double a = 1.0 - u * u;
        return u < 1 ? a * a * a : 0.0;
    }
    case Kernel::Gaussian: return u < kGaussianCutoff ? std::exp(-0.5 * u * u) : 0.0;
    }
    return 0;
}
double norm_const(Kernel k) {
    switch (k) {
    case Kernel::Uniform: return 1.0 / kPi;
    case Kernel::Triangular: return 3.0 / kPi;
    case Kernel::Epanechnikov: return 2.0 / kPi;
    case Kernel::Quartic: return 3.0 / kPi;
    case Kernel::Triweight: return 4.0 / kPi;
    case Kernel::Gaussian:
        return 1.0 / (2.0 * kPi * (1.0 - std::exp(-0.5 * kGaussianCutoff * kGaussianCutoff)));
    }
    return 0;
}
// QGIS 3.22's "scaled" constants (qgskde.cpp): every kernel but quartic is normalised; the
// quartic uses 116/(5*pi) * 15/16, which integrates to 7.25.
double qgis_scaled_const(Kernel k) {
    if (k == Kernel::Quartic) return 116.0 / (5.0 * kPi) * 15.0 / 16.0;
    return norm_const(k);
}
} // namespace

double kernel_value(Kernel k, double r, double h) {
    if (!(h > 0)) return 0;
    return norm_const(k) / (h * h) * shape(k, r / h);
}

const char* bandwidth_rule_name(BandwidthRule r) {
    switch (r) {
    case BandwidthRule::Fixed: return "fixed";
    case BandwidthRule::Silverman: return "silverman";
    case BandwidthRule::Scott: return "scott";
    case BandwidthRule::Lcv: return "lcv";
    }
    return "?";
}

double kernel_support(Kernel k, double h) { return k == Kernel::Gaussian ? kGaussianCutoff * h : h; }

double auto_bandwidth(const std::vector<double>& x, const std::vector<double>& y, const std::vector<float>* w,
                      BandwidthRule rule, Kernel k) {
    if (rule == BandwidthRule::Lcv) return lcv_bandwidth(x, y, w, k).radius_m;
    // Normal-reference rule in 2-D: sigma_h = s * n^(-1/6), where s pools the two axes' spreads.
    // Silverman's variant uses the robust spread min(sd, IQR/1.349); Scott's uses sd.
    double sw = 0, mx = 0, my = 0;
    size_t n = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        double wi = w ? (*w)[i] : 1.0;
        sw += wi, mx += wi * x[i], my += wi * y[i], ++n;
    }
    if (n < 2 || !(sw > 0)) throw GeoError("", "bandwidth", "an automatic bandwidth needs at least 2 weighted points");
    mx /= sw, my /= sw;
    double vx = 0, vy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        double wi = w ? (*w)[i] : 1.0;
        vx += wi * (x[i] - mx) * (x[i] - mx), vy += wi * (y[i] - my) * (y[i] - my);
    }
    vx /= sw, vy /= sw;
    double s = std::sqrt(0.5 * (vx + vy));
    // Effective sample size for weighted data (Kish): (sum w)^2 / sum w^2.
    double sw2 = 0;
    for (size_t i = 0; i < x.size(); ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) sw2 += w ? double((*w)[i]) * (*w)[i] : 1.0;
    const double neff = sw * sw / sw2;
    if (rule == BandwidthRule::Silverman) {
        auto iqr = [](std::vector<double> v) {
            auto q = [&](double p) {
                size_t i = static_cast<size_t>(p * (v.size() - 1));
                std::nth_element(v.begin(), v.begin() + i, v.end());
                return v[i];
            };
            return q(0.75) - q(0.25);
        };
        std::vector<double> fx, fy;
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) fx.push_back(x[i]), fy.push_back(y[i]);
        const double r = 0.5 * (iqr(fx) + iqr(fy)) / 1.349;
        if (r > 0) s = std::min(s, r);
    }
    // Identical points leave a rounding-level spread (2e-13 m), not 0: anything under a metre is
    // no spread, and a bandwidth from it would be a spike that integrates to nothing on any grid.
    if (!(s >= 1.0)) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "the %zu points have no spread (standard distance %.3g m: all at the same place?), so the automatic "
                      "bandwidth would be ~0 km; give a fixed bandwidth",
                      n, s);
        throw GeoError("", "automatic bandwidth", buf);
    }
    const double sigma = s * std::pow(neff, -1.0 / 6.0);
    return sigma * canonical_radius_factor(k);
}

double canonical_radius_factor(Kernel k) {
    // Kernels with the same canonical bandwidth delta0(K) = (R(K) / mu2(K)^2)^(1/(d+4)) have the
    // same AMISE-optimal scale (Marron & Nolan 1988; Wand & Jones 1995, sec. 2.7 and 4.3: the
    // optimal h of a d-variate radial kernel is proportional to delta0(K)). So the radius of kernel
    // K matching a Gaussian sigma is delta0(K) / delta0(Gaussian), here for d = 2, with
    // R(K) = integral of K^2 and mu2(K) = integral of x1^2 K over the plane, K on the unit disk:
    //   Gaussian (sigma 1):          R = 1/(4 pi),   mu2 = 1    -> delta0^6 = 1/(4 pi)
    //   uniform     1/pi:            R = 1/pi,       mu2 = 1/4  -> ratio^6 = 64
    //   triangular  3/pi (1-r):      R = 3/(2 pi),   mu2 = 3/20 -> ratio^6 = 800/3
    //   epanechnikov 2/pi (1-r^2):   R = 4/(3 pi),   mu2 = 1/6  -> ratio^6 = 192
    //   quartic     3/pi (1-r^2)^2:  R = 9/(5 pi),   mu2 = 1/8  -> ratio^6 = 2304/5
    //   triweight   4/pi (1-r^2)^3:  R = 16/(7 pi),  mu2 = 1/10 -> ratio^6 = 6400/7
    // (ratio^6 = R/mu2^2 * 4 pi). Earlier versions used 1-D ratios (uniform 1.74, triangular 2.43,
    // epanechnikov 2.21) and, for quartic/triweight, 1-D ratios times (4/3)^(1/5) (2.7779, 3.1545).
    // The Gaussian is truncated at 4 sd; its untruncated delta0 is used (the difference is ~1e-4).
    switch (k) {
    case Kernel::Gaussian: return 1.0;
    case Kernel::Uniform: return 2.0;
    case Kernel::Triangular: return std::pow(800.0 / 3.0, 1.0 / 6.0);
    case Kernel::Epanechnikov: return std::pow(192.0, 1.0 / 6.0);
    case Kernel::Quartic: return std::pow(2304.0 / 5.0, 1.0 / 6.0);
    case Kernel::Triweight: return std::pow(6400.0 / 7.0, 1.0 / 6.0);
    }
    return 1.0;
}

namespace {
// Uniform-grid bucket index of points for radius queries (cell size fixed at construction).
struct PointGrid {
    double x0 = 0, y0 = 0, cell = 1;
    int64_t nx = 1, ny = 1;
    std::vector<uint32_t> start, items; // CSR: cell c holds items[start[c] .. start[c+1])
    PointGrid(const std::vector<double>& x, const std::vector<double>& y, const std::vector<uint32_t>& ids, double cell_m) {
        double x1 = -INFINITY, y1 = -INFINITY;
        x0 = y0 = INFINITY;
        for (uint32_t i : ids) x0 = std::min(x0, x[i]), y0 = std::min(y0, y[i]), x1 = std::max(x1, x[i]), y1 = std::max(y1, y[i]);
        // At most ~4 cells per point in each direction keeps the index small for tiny cells.
        const double side = std::max(x1 - x0, y1 - y0);
        cell = std::max(cell_m, side / (4.0 * std::sqrt(double(ids.size())) + 1));
        if (!(cell > 0) || !std::isfinite(cell)) cell = 1;
        nx = int64_t((x1 - x0) / cell) + 1, ny = int64_t((y1 - y0) / cell) + 1;
        start.assign(size_t(nx * ny + 1), 0);
        for (uint32_t i : ids) ++start[size_t(key(x[i], y[i])) + 1];
        for (size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
        items.resize(ids.size());
        std::vector<uint32_t> pos(start.begin(), start.end() - 1);
        for (uint32_t i : ids) items[pos[size_t(key(x[i], y[i]))]++] = i;
    }
    int64_t cx(double v) const { return std::clamp(int64_t((v - x0) / cell), int64_t(0), nx - 1); }
    int64_t cy(double v) const { return std::clamp(int64_t((v - y0) / cell), int64_t(0), ny - 1); }
    int64_t key(double px, double py) const { return cy(py) * nx + cx(px); }
    // Calls f(j) for every point in cells touching the square of half-side r around (px, py).
    template <class F> void around(double px, double py, double r, F&& f) const {
        const int64_t a0 = cx(px - r), a1 = cx(px + r), b0 = cy(py - r), b1 = cy(py + r);
        for (int64_t b = b0; b <= b1; ++b)
            for (int64_t a = a0; a <= a1; ++a) {
                const size_t c = size_t(b * nx + a);
                for (uint32_t t = start[c]; t < start[c + 1]; ++t) f(items[t]);
            }
    }
};

std::vector<uint32_t> finite_ids(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<uint32_t> ids;
    for (size_t i = 0; i < x.size(); ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) ids.push_back(uint32_t(i));
    return ids;
}

// Distance from each of `ids` to the nearest other point of `ids` at a different location
// (+inf when there is none), by expanding the search square until it cannot hold a closer one.
std::vector<double> nn_distances(const std::vector<double>& x, const std::vector<double>& y,
                                 const std::vector<uint32_t>& ids, const PointGrid& g) {
    std::vector<double> d(ids.size(), INFINITY);
    const double maxr = std::max(double(g.nx), double(g.ny)) * g.cell;
    for (size_t k = 0; k < ids.size(); ++k) {
        const uint32_t i = ids[k];
        double best2 = INFINITY;
        for (double r = g.cell;; r *= 2) {
            g.around(x[i], y[i], r, [&](uint32_t j) {
                const double dx = x[j] - x[i], dy = y[j] - y[i], d2 = dx * dx + dy * dy;
                if (d2 > 0 && d2 < best2) best2 = d2;
            });
            // Every point within r of (x_i, y_i) lies in the searched cells.
            if (best2 <= r * r || r > 2 * maxr) break;
        }
        d[k] = std::sqrt(best2);
    }
    return d;
}
} // namespace

double median_nn_distance(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<uint32_t> ids = finite_ids(x, y);
    // One point per distinct location: duplicates (events geocoded to the same place) would make
    // the median 0 and say nothing about the spacing of places.
    std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return std::tie(x[a], y[a]) < std::tie(x[b], y[b]); });
    ids.erase(std::unique(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return x[a] == x[b] && y[a] == y[b]; }), ids.end());
    if (ids.size() < 2) return NAN;
    const PointGrid g(x, y, ids, 0);
    std::vector<double> d = nn_distances(x, y, ids, g);
    const size_t m = d.size() / 2;
    std::nth_element(d.begin(), d.begin() + m, d.end());
    if (d.size() % 2) return d[m];
    return 0.5 * (d[m] + *std::max_element(d.begin(), d.begin() + m));
}

namespace {
// Mean leave-one-out log density at the evaluation points `eval` (indices into ids/nn).
double lcv_score_at(const std::vector<double>& x, const std::vector<double>& y, const std::vector<float>* w,
                    const std::vector<uint32_t>& ids, const std::vector<double>& nn, const std::vector<size_t>& eval,
                    double sigma) {
    // Kernel terms beyond sqrt(nn_i^2 + 2 T sigma^2) are below e^-T of the nearest neighbour's term
    // each; T = 36 keeps the relative error of each sum under n * 2.3e-16.
    constexpr double T = 36;
    const PointGrid g(x, y, ids, std::sqrt(2 * T) * sigma);
    double sw = 0, num = 0, swe = 0;
    for (uint32_t i : ids) sw += w ? double((*w)[i]) : 1.0;
    const double inv2s2 = 1 / (2 * sigma * sigma), lognorm = std::log(2 * kPi * sigma * sigma);
    for (size_t k : eval) {
        const uint32_t i = ids[k];
        const double wi = w ? double((*w)[i]) : 1.0;
        if (!(wi > 0) || !(sw - wi > 0)) continue;
        // Duplicates of x_i (distance 0) always count; otherwise the nearest distinct neighbour
        // sets the scale: log-sum-exp relative to it, so isolated points do not underflow to -inf.
        const double dn2 = std::isfinite(nn[k]) ? nn[k] * nn[k] : 0.0;
        const double r2 = dn2 + 2 * T * sigma * sigma;
        double dup = 0, acc = 0;
        g.around(x[i], y[i], std::sqrt(r2), [&](uint32_t j) {
            if (j == i) return;
            const double dx = x[j] - x[i], dy = y[j] - y[i], d2 = dx * dx + dy * dy;
            if (d2 > r2) return;
            const double wj = w ? double((*w)[j]) : 1.0;
            if (d2 == 0) dup += wj;
            else acc += wj * std::exp(-(d2 - dn2) * inv2s2);
        });
        // log sum_j w_j exp(-d_ij^2 / (2 sigma^2)) = log(dup + acc * exp(-dn2 / (2 sigma^2)))
        double logsum;
        if (dup > 0) logsum = std::log(dup + acc * std::exp(-dn2 * inv2s2));
        else if (acc > 0) logsum = std::log(acc) - dn2 * inv2s2;
        else continue; // only zero-weight others: nothing depends on sigma
        num += wi * (logsum - lognorm - std::log(sw - wi));
        swe += wi;
    }
    return swe > 0 ? num / swe : NAN;
}

struct LcvSetup {
    std::vector<uint32_t> ids;
    std::vector<double> nn;
    std::vector<size_t> eval;
};
LcvSetup lcv_setup(const std::vector<double>& x, const std::vector<double>& y, size_t max_eval) {
    LcvSetup s;
    s.ids = finite_ids(x, y);
    if (s.ids.size() < 2) throw GeoError("", "bandwidth", "likelihood cross-validation needs at least 2 points");
    const PointGrid g(x, y, s.ids, 0);
    s.nn = nn_distances(x, y, s.ids, g);
    // Evaluation points: all, or an even stride through the input order above max_eval (the score
    // is a mean over points, so a systematic sample estimates it; sums still run over all points).
    const size_t n = s.ids.size(), m = std::min(n, std::max<size_t>(max_eval, 1));
    for (size_t t = 0; t < m; ++t) s.eval.push_back(t * n / m);
    return s;
}
} // namespace

double lcv_score(const std::vector<double>& x, const std::vector<double>& y, const std::vector<float>* w, double sigma) {
    if (!(sigma > 0)) throw GeoError("", "bandwidth", "likelihood cross-validation needs a positive sigma");
    const LcvSetup s = lcv_setup(x, y, SIZE_MAX);
    return lcv_score_at(x, y, w, s.ids, s.nn, s.eval, sigma);
}

LcvBandwidth lcv_bandwidth(const std::vector<double>& x, const std::vector<double>& y, const std::vector<float>* w,
                           Kernel k, int grid_points, size_t max_eval) {
    LcvBandwidth r;
    if (grid_points < 3) throw GeoError("", "bandwidth", "the likelihood cross-validation grid needs at least 3 values");
    const double hi = auto_bandwidth(x, y, w, BandwidthRule::Scott, Kernel::Gaussian); // throws on < 2 points
    const double dn = median_nn_distance(x, y);
    // From a quarter of the median spacing of distinct locations (at most a quarter of the
    // normal-reference sigma, at least 1/500 of it) up to twice the normal-reference sigma.
    double lo = hi / 500;
    if (std::isfinite(dn) && dn > 0) lo = std::max(lo, std::min(dn / 4, hi / 4));
    const double top = 2 * hi;
    const LcvSetup s = lcv_setup(x, y, max_eval);
    r.n_eval = s.eval.size();
    r.sigma_grid.resize(size_t(grid_points));
    r.score.resize(size_t(grid_points));
    for (int t = 0; t < grid_points; ++t) {
        r.sigma_grid[size_t(t)] = lo * std::pow(top / lo, double(t) / (grid_points - 1));
        r.score[size_t(t)] = lcv_score_at(x, y, w, s.ids, s.nn, s.eval, r.sigma_grid[size_t(t)]);
    }
    r.best = 0;
    for (size_t t = 1; t < r.score.size(); ++t)
        if (r.score[t] > r.score[r.best]) r.best = t; // NaN never wins
    if (!std::isfinite(r.score[r.best])) throw GeoError("", "bandwidth", "likelihood cross-validation failed (no usable points)");
    r.at_edge = r.best == 0 || r.best + 1 == r.score.size();
    r.sigma_m = r.sigma_grid[r.best];
    r.radius_m = r.sigma_m * canonical_radius_factor(k);
    r.normal_reference_sigma_m = hi;
    return r;
}

GridSpec grid_for_points(const std::vector<double>& x, const std::vector<double>& y, double pad_m, double cell_m) {
    BBox b = BBox::inverted();
    for (size_t i = 0; i < x.size(); ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) b.expand(x[i], y[i]);
    if (b.xmin > b.xmax) throw GeoError("", "extent", "no points with valid coordinates");
    b.xmin -= pad_m, b.xmax += pad_m, b.ymin -= pad_m, b.ymax += pad_m;
    if (b.width() <= 0) b.xmax = b.xmin + cell_m;
    if (b.height() <= 0) b.ymin = b.ymax - cell_m;
    return GridSpec::covering(b, cell_m);
}

namespace {

int thread_count(int requested) {
    if (requested > 0) return requested;
    unsigned hc = std::thread::hardware_concurrency();
    return hc ? static_cast<int>(hc) : 1;
}

// Kernel shapes as functions of q = d^2 / h^2, so the inner loops need no square root (all but
// the triangular kernel); equal to shape(k, d / h) up to rounding.
// max(t, 0), exactly (t + |t| doubles t or cancels to 0), and without a branch: GCC 12 did not
// vectorise the inner loop with std::max or a conditional here.
inline double positive_part(double t) { return 0.5 * (t + std::fabs(t)); }

template <Kernel K>
inline double shape_q(double q) {
    if constexpr (K == Kernel::Quartic) {
        const double t = positive_part(1.0 - q);
        return t * t;
    } else if constexpr (K == Kernel::Triweight) {
        const double t = positive_part(1.0 - q);
        return t * t * t;
    } else if constexpr (K == Kernel::Epanechnikov) {
        return positive_part(1.0 - q);
    } else if constexpr (K == Kernel::Uniform) {
        return q < 1.0 ? 1.0 : 0.0;
    } else if constexpr (K == Kernel::Triangular) {
        return positive_part(1.0 - std::sqrt(q));
    } else {
        return q < kGaussianCutoff * kGaussianCutoff ? std::exp(-0.5 * q) : 0.0;
    }
}

// Calls f(std::integral_constant<Kernel, k>) so each kernel gets its own compiled loops.
template <typename F>
void with_kernel(Kernel k, F&& f) {
    using K = Kernel;
    switch (k) {
    case K::Quartic: f(std::integral_constant<K, K::Quartic>{}); return;
    case K::Triangular: f(std::integral_constant<K, K::Triangular>{}); return;
    case K::Uniform: f(std::integral_constant<K, K::Uniform>{}); return;
    case K::Triweight: f(std::integral_constant<K, K::Triweight>{}); return;
    case K::Epanechnikov: f(std::integral_constant<K, K::Epanechnikov>{}); return;
    case K::Gaussian: f(std::integral_constant<K, K::Gaussian>{}); return;
    }
}

// Runs work(reporter) on `n` threads (the calling thread is the reporter: only it calls the
// progress callback, which may throw Cancelled; the others see `cancel` and stop between items).
template <typename F>
void run_workers(int n, std::atomic<bool>& cancel, F&& work) {
    std::vector<std::thread> pool;
    for (int t = 1; t < n; ++t) pool.emplace_back([&] { work(false); });
    try {
        work(true);
    } catch (...) {
        cancel = true;
        for (auto& th : pool) th.join();
        throw;
    }
    for (auto& th : pool) th.join();
}

// For each of `n_buckets` buckets, the indices of the points listed in it (CSR layout), in
// increasing order whatever the thread count. each(i, emit) calls emit(b) for every bucket point
// i belongs to; it is called twice per point (count, then fill), from `threads` threads.
struct Buckets {
    std::vector<size_t> start; // n_buckets + 1
    std::vector<uint32_t> items;
    template <typename Each>
    void build(size_t n_points, size_t n_buckets, int threads, Each&& each) {
        if (n_points > UINT32_MAX) throw GeoError("", "kernel density", "more than 4 294 967 295 points");
        const size_t nt = std::clamp<size_t>(size_t(threads), 1, std::max<size_t>(1, n_points / 65536));
        std::vector<std::vector<size_t>> cnt(nt, std::vector<size_t>(n_buckets, 0));
        auto chunk = [&](size_t t) { return std::pair{n_points * t / nt, n_points * (t + 1) / nt}; };
        auto parallel = [&](auto&& f) {
            std::vector<std::thread> pool;
            for (size_t t = 1; t < nt; ++t) pool.emplace_back(f, t);
            f(size_t(0));
            for (auto& th : pool) th.join();
        };
        parallel([&](size_t t) {
            auto [i0, i1] = chunk(t);
            auto& c = cnt[t];
            for (size_t i = i0; i < i1; ++i) each(i, [&](size_t b) { ++c[b]; });
        });
        start.assign(n_buckets + 1, 0);
        for (size_t b = 0; b < n_buckets; ++b) {
            size_t at = start[b];
            for (size_t t = 0; t < nt; ++t) {
                const size_t k = cnt[t][b];
                cnt[t][b] = at; // becomes chunk t's write position in bucket b
                at += k;
            }
            start[b + 1] = at;
        }
        items.resize(start[n_buckets]);
        parallel([&](size_t t) {
            auto [i0, i1] = chunk(t);
            auto& pos = cnt[t];
            for (size_t i = i0; i < i1; ++i) each(i, [&](size_t b) { items[pos[b]++] = static_cast<uint32_t>(i); });
        });
    }
};

// floor() for |v| < 2^31 without a libm call (no SSE4.1 round instruction at the baseline ISA).
inline int ifloor(double v) {
    const int i = static_cast<int>(v);
    return i - (v < i);
}

// row[col] += wc * shape(d^2 / h^2) for col in [clo, chi], with dx = x0 + col * cell: the exact
// path's inner loop, a function of plain values so nothing in it may alias `row`. Cloned for
// AVX2+FMA CPUs (x86-64-v3), picked at load time; the default clone runs anywhere.
template <Kernel K>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
void add_kernel_row(double* row, int clo, int chi, double x0, double cell, double inv_h2, double qy, double wc) {
    for (int col = clo; col <= chi; ++col) {
        const double dx = x0 + col * cell;
        row[col] += wc * shape_q<K>(dx * dx * inv_h2 + qy);
    }
}

// Exact path: each point adds its kernel to every cell centre within the support. The grid is
// cut into blocks of rows; each point is listed in the blocks its support reaches, and a thread
// sums one block at a time in a small double buffer (thousands of small terms per cell) before
// storing it as float. No two threads write the same cell; extra memory is a few rows per thread.
template <Kernel K>
void exact_kde(const KdeInput& in, const GridSpec& g, double h, double scale, float* out, int threads,
               const Progress& progress) {
    const auto& X = *in.x;
    const auto& Y = *in.y;
    const double sup = kernel_support(K, h);
    const double c = scale / (h * h), inv_h2 = 1.0 / (h * h);
    const int nt = std::max(1, thread_count(threads));
    const int reach = static_cast<int>(std::ceil(sup / g.cell)) + 1;
    const double inv_cell = 1.0 / g.cell;
    const int B = std::clamp((g.height + 4 * nt - 1) / (4 * nt), 4, std::max(4, 2 * reach));
    const size_t nb = size_t((g.height + B - 1) / B);
    auto rows_of = [&](size_t i, int& rlo, int& rhi) {
        const double px = X[i], py = Y[i];
        if (!std::isfinite(px) || !std::isfinite(py)) return false;
        if (in.w && (*in.w)[i] == 0) return false;
        if (px + sup < g.xmin || px - sup > g.xmax() || py + sup < g.ymin() || py - sup > g.ymax) return false; // also keeps ifloor in range
        // One row/column of slack each side: the kernel is zero there, and a rounding of the range
        // can then never drop a cell inside the support (it matters for the uniform kernel).
        rlo = std::max(0, ifloor((g.ymax - (py + sup)) * inv_cell - 0.5));
        rhi = std::min(g.height - 1, ifloor((g.ymax - (py - sup)) * inv_cell - 0.5) + 1);
        return rlo <= rhi;
    };
    Buckets bk;
    bk.build(X.size(), nb, nt, [&](size_t i, auto&& emit) {
        int rlo, rhi;
        if (rows_of(i, rlo, rhi))
            for (int b = rlo / B; b <= rhi / B; ++b) emit(size_t(b));
    });
    std::atomic<size_t> next{0}, done{0};
    std::atomic<bool> cancel{false};
    const int W = g.width;
    auto work = [&](bool reporter) {
        std::vector<double> buf(size_t(B) * W);
        for (size_t b; !cancel && (b = next++) < nb;) {
            const int r0 = int(b) * B, r1 = std::min(g.height, r0 + B);
            std::fill(buf.begin(), buf.begin() + size_t(r1 - r0) * W, 0.0);
            for (size_t it = bk.start[b]; it < bk.start[b + 1]; ++it) {
                const size_t i = bk.items[it];
                int rlo, rhi;
                rows_of(i, rlo, rhi);
                rlo = std::max(rlo, r0), rhi = std::min(rhi, r1 - 1);
                const double px = X[i], py = Y[i];
                const double wc = (in.w ? double((*in.w)[i]) : 1.0) * c;
                for (int r = rlo; r <= rhi; ++r) {
                    const double dy = g.row_center_y(r) - py;
                    const double rem = sup * sup - dy * dy;
                    if (rem < 0) continue;
                    const double hw = std::sqrt(rem);
                    const int clo = std::max(0, ifloor((px - hw - g.xmin) * inv_cell - 0.5));
                    const int chi = std::min(W - 1, ifloor((px + hw - g.xmin) * inv_cell - 0.5) + 1);
                    double* row = buf.data() + size_t(r - r0) * W;
                    add_kernel_row<K>(row, clo, chi, g.xmin + 0.5 * g.cell - px, g.cell, inv_h2, dy * dy * inv_h2, wc);
                }
            }
            float* o = out + size_t(r0) * W;
            for (size_t j = 0; j < size_t(r1 - r0) * W; ++j) o[j] = static_cast<float>(buf[j]);
            ++done;
            if (reporter) {
                try {
                    progress(0.05 + 0.9 * double(done) / double(nb), "kernel density (exact)");
                } catch (const Cancelled&) {
                    cancel = true;
                }
            }
        }
    };
    run_workers(static_cast<int>(std::min<size_t>(size_t(nt), nb)), cancel, work);
    if (cancel) throw Cancelled();
}

std::mutex g_fftw_plan_mutex; // FFTW's planner is not thread-safe (execution is)

size_t good_fft_size(size_t n) {
    // Smallest even 2^a 3^b 5^c >= n with c <= 1 (even also for the DCT below). Measured with
    // FFTW_ESTIMATE on this project's tile shapes: 882 x 1152 (7^2 in 882) took 19 ms forward +
    // back, 900 x 1152 12 ms, 960 x 1152 11.5 ms; factors of 7, and 5^2, are the slow ones.
    for (size_t m = n + (n & 1);; m += 2) {
        size_t r = m;
        for (size_t p : {2, 3})
            while (r % p == 0) r /= p;
        if (r == 1 || r == 5) return m;
    }
}

// How the fine grid is cut into tiles for the FFT path: tile (tx, ty) owns fine cells
// [tx*TX, tx*TX + TX) x [ty*TY, ...) and convolves them with the bins within R cells around, on an
// NX x NY transform (NX >= TX + 2R is enough for a circular convolution to equal the linear one
// on the tile's own cells, since bins outside the tile's window are left out).
struct TilePlan {
    int R = 0, ntx = 1, nty = 1, TX = 0, TY = 0, NX = 0, NY = 0;
    double cost = 0; // ~ flops of the transforms, for choosing a method
};

// Tiles of at most `max_cells` transform cells (8 bytes each) unless the kernel needs more, chosen
// to minimise the total transform work. Tiling bounds memory (the peak <= 2x in+out),
// keeps the FFT in double precision, and lets empty tiles (no points within reach) be skipped.
TilePlan plan_tiles(int Wf, int Hf, int R, size_t max_cells) {
    const double cap = std::max(max_cells ? double(max_cells) : double(1 << 20), std::pow(2.0 * R + 64, 2));
    TilePlan best, smallest;
    best.cost = HUGE_VAL;
    for (int ntx = 1; ntx <= 64; ++ntx) {
        const int TX = (Wf + ntx - 1) / ntx;
        if (ntx > 1 && TX < R) break;
        if ((Wf + TX - 1) / TX != ntx) continue;
        const int NX = int(good_fft_size(size_t(TX) + 2 * R));
        for (int nty = 1; nty <= 64; ++nty) {
            const int TY = (Hf + nty - 1) / nty;
            if (nty > 1 && TY < R) break;
            if ((Hf + TY - 1) / TY != nty) continue;
            const int NY = int(good_fft_size(size_t(TY) + 2 * R));
            const double n = double(NX) * NY;
            // Two transforms per tile, plus a fixed per-tile overhead worth ~1e4 cells.
            const double cost = ntx * nty * (2 * n * std::log2(n + 2) + 1e4);
            const TilePlan t{R, ntx, nty, TX, TY, NX, NY, cost};
            if (n <= cap && cost < best.cost) best = t;
            const double sn = double(smallest.NX) * smallest.NY;
            if (smallest.NX == 0 || n < sn || (n == sn && cost < smallest.cost)) smallest = t;
        }
    }
    // No tiling within the cap (a kernel wide for the grid): the one with the smallest tiles.
    return std::isfinite(best.cost) ? best : smallest;
}

struct FftwFree {
    void operator()(double* p) const { fftw_free(p); }
};
using FftwBuffer = std::unique_ptr<double[], FftwFree>;
FftwBuffer fftw_buffer(size_t n) {
    FftwBuffer b(fftw_alloc_real(n));
    if (!b) throw GeoError("", "kernel density", "out of memory for an FFT tile of " + std::to_string(n * 8 / 1000000) + " MB");
    return b;
}

enum class PlanKind { R2c, C2r, Dct };
// In-place plans by shape, kept for the life of the process (a handful of shapes in practice;
// the cache is cleared past 32 entries). Planning is serialised: FFTW's planner is not thread-safe.
fftw_plan cached_plan(PlanKind kind, int nx, int ny, int nthreads) {
    struct Key {
        PlanKind kind;
        int nx, ny, nthreads;
        bool operator<(const Key& o) const { return std::tie(kind, nx, ny, nthreads) < std::tie(o.kind, o.nx, o.ny, o.nthreads); }
    };
    struct Destroy {
        void operator()(fftw_plan_s* p) const { fftw_destroy_plan(p); }
    };
    static std::map<Key, std::unique_ptr<fftw_plan_s, Destroy>> cache;
    std::lock_guard lock(g_fftw_plan_mutex);
    const Key key{kind, nx, ny, nthreads};
    if (auto it = cache.find(key); it != cache.end()) return it->second.get();
    if (cache.size() >= 32) cache.clear();
    static const bool threads_ok = fftw_init_threads() != 0;
    if (threads_ok) fftw_plan_with_nthreads(nthreads);
    const size_t nxp = kind == PlanKind::Dct ? size_t(nx) : 2 * (size_t(nx) / 2 + 1);
    FftwBuffer tmp = fftw_buffer(nxp * size_t(ny)); // FFTW_ESTIMATE does not touch it
    double* b = tmp.get();
    auto* c = reinterpret_cast<fftw_complex*>(b);
    fftw_plan p = kind == PlanKind::R2c   ? fftw_plan_dft_r2c_2d(ny, nx, b, c, FFTW_ESTIMATE)
                  : kind == PlanKind::C2r ? fftw_plan_dft_c2r_2d(ny, nx, c, b, FFTW_ESTIMATE)
                                          : fftw_plan_r2r_2d(ny, nx, b, b, FFTW_REDFT00, FFTW_REDFT00, FFTW_ESTIMATE);
    if (!p) throw GeoError("", "kernel density", "FFTW could not plan a " + std::to_string(nx) + " x " + std::to_string(ny) + " transform");
    cache[key].reset(p);
    return p;
}

// Fast path: linear binning of the weights onto the nodes of a grid s times finer than the output
// (s odd, so fine nodes coincide with the output cell centres; binning error falls as 1/s^2), then
// an FFT convolution with the kernel sampled at node offsets, tile by tile. Cost ~ cells*log(cells)
// + points, independent of the kernel footprint. Cells no bin reaches are exactly zero (occupancy
// blocks, then a round-off floor of 1e-10 of the tile's largest possible value).
template <Kernel K>
void fft_kde(const KdeInput& in, const GridSpec& gc, double h, double scale, float* out, int threads,
             const Progress& progress, int s, size_t tile_cells) {
    const double d = gc.cell / s;
    const int Wf = gc.width * s, Hf = gc.height * s, off = (s - 1) / 2;
    const double sup = kernel_support(K, h);
    const int R = static_cast<int>(std::ceil(sup / d)) + 1;
    const TilePlan tp = plan_tiles(Wf, Hf, R, tile_cells);
    const size_t NX = size_t(tp.NX), NY = size_t(tp.NY), NXc = NX / 2 + 1, NXp = 2 * NXc;
    const size_t ntiles = size_t(tp.ntx) * tp.nty;
    const int nt = std::max(1, thread_count(threads));
    const auto& X = *in.x;
    const auto& Y = *in.y;
    progress(0.02, "kernel density (FFT): kernel");

    // The kernel wrapped around the origin is even in x and y, so its DFT is real and even: a
    // 2-D DCT-I of one quadrant gives it at a quarter of the cost and memory of a complex FFT.
    const size_t KX = NX / 2 + 1, KY = NY / 2 + 1;
    FftwBuffer khat = fftw_buffer(KX * KY);
    std::fill(khat.get(), khat.get() + KX * KY, 0.0);
    const double c = scale / (h * h), q1 = d * d / (h * h);
    for (int j = 0; j <= R; ++j)
        for (int i = 0; i <= R; ++i) khat[size_t(j) * KX + size_t(i)] = c * shape_q<K>(double(i * i + j * j) * q1);

    // Plans are made once per shape and reused (planning costs 10-30 ms, as much as a tile's
    // transforms); each worker executes them on its own buffer with fftw_execute_dft_* (same
    // size and alignment, which fftw_malloc guarantees). One tile: FFTW's own threads instead.
    const int workers = int(std::min<size_t>(size_t(nt), ntiles));
    std::vector<FftwBuffer> bufs;
    bufs.push_back(fftw_buffer(NXp * NY));
    const int fftw_threads = workers == 1 ? nt : 1;
    const fftw_plan pk = cached_plan(PlanKind::Dct, int(KX), int(KY), fftw_threads);
    const fftw_plan pf = cached_plan(PlanKind::R2c, int(NX), int(NY), fftw_threads);
    const fftw_plan pb = cached_plan(PlanKind::C2r, int(NX), int(NY), fftw_threads);
    fftw_execute_r2r(pk, khat.get(), khat.get());
    const double norm = 1.0 / (double(NX) * double(NY));
    for (size_t i = 0; i < KX * KY; ++i) khat[i] *= norm;

    // Fine node coordinates of a point: node i sits at xmin + (i + 0.5) * d.
    const double inv_d = 1.0 / d;
    auto node_xy = [&](size_t i, double& fx, double& fy) {
        const double px = X[i], py = Y[i];
        if (!std::isfinite(px) || !std::isfinite(py)) return false;
        if (in.w && (*in.w)[i] == 0) return false;
        fx = (px - gc.xmin) * inv_d - 0.5, fy = (gc.ymax - py) * inv_d - 0.5;
        return fx > -R - 2 && fy > -R - 2 && fx < Wf + R + 1 && fy < Hf + R + 1;
    };
    // Many tiles: points are listed per tile first (a point's bins are ix and ix + 1, and tile t
    // takes bins [t*T - R, t*T + T + R), so near a tile edge a point is listed in each tile it
    // reaches). Up to 8 tiles each tile scans all points instead: as fast at 1M points (measured),
    // and the lists' 4+ bytes per point would break the 2x memory budget at coarse cells. From 2M
    // points the repeated scans dominate (10M events at 5 km, 4 tiles: 3 s of 9 s CPU; issue #17)
    // and the lists are small beside the points' own 16+ bytes: listed then too.
    const bool bucketed = ntiles > 8 || (ntiles > 1 && X.size() >= (size_t(1) << 21));
    Buckets bk;
    if (bucketed) {
        progress(0.05, "kernel density (FFT): sorting points into tiles");
        // Reciprocals instead of divisions; the 1e-6 margins can only add a tile (whose binning
        // then drops the point), never miss one.
        const double itx = 1.0 / tp.TX, ity = 1.0 / tp.TY;
        bk.build(X.size(), ntiles, nt, [&](size_t i, auto&& emit) {
            double fx, fy;
            if (!node_xy(i, fx, fy)) return;
            const double ix = ifloor(fx), iy = ifloor(fy);
            const int tx0 = std::max(0, ifloor((ix - R) * itx - 1e-6));
            const int tx1 = std::min(tp.ntx - 1, ifloor((ix + 1 + R) * itx + 1e-6));
            const int ty0 = std::max(0, ifloor((iy - R) * ity - 1e-6));
            const int ty1 = std::min(tp.nty - 1, ifloor((iy + 1 + R) * ity + 1e-6));
            for (int ty = ty0; ty <= ty1; ++ty)
                for (int tx = tx0; tx <= tx1; ++tx) emit(size_t(ty) * tp.ntx + size_t(tx));
        });
    }
    for (int t = 1; t < workers; ++t) bufs.push_back(fftw_buffer(NXp * NY));

    // Occupancy of bin blocks (~R/4 square) inside a tile: a cell whose kernel window meets no
    // occupied block is set to exactly 0 instead of the transforms' ~1e-16 round-off.
    const int BO = std::max(2, (R + 3) / 4);
    std::atomic<size_t> next{0}, done{0};
    std::atomic<bool> cancel{false};
    std::atomic<int> worker_id{0};
    auto work = [&](bool reporter) {
        double* buf = bufs[size_t(worker_id++)].get();
        auto* spec = reinterpret_cast<fftw_complex*>(buf);
        const int BX = tp.TX + 2 * R, BY = tp.TY + 2 * R; // bins a tile uses: [0, BX) x [0, BY)
        const int nbx = (BX + BO - 1) / BO, nby = (BY + BO - 1) / BO;
        std::vector<uint8_t> occ(size_t(nbx) * nby);
        std::vector<int> sat(size_t(nbx + 1) * (nby + 1));
        std::vector<int> bin_block_x(static_cast<size_t>(BX)), bin_block_y(static_cast<size_t>(BY)); // bin -> block, without divisions
        for (int b = 0; b < BX; ++b) bin_block_x[size_t(b)] = b / BO;
        for (int b = 0; b < BY; ++b) bin_block_y[size_t(b)] = b / BO;
        std::vector<int> col_b0, col_b1;
        for (size_t t; !cancel && (t = next++) < ntiles;) {
            const int tx = int(t % size_t(tp.ntx)), ty = int(t / size_t(tp.ntx));
            const int x0 = tx * tp.TX, y0 = ty * tp.TY; // first fine node of the tile
            std::fill(buf, buf + NXp * NY, 0.0);
            std::fill(occ.begin(), occ.end(), uint8_t(0));
            bool any = false;
            double tile_w = 0; // weight binned into this tile
            auto bin = [&](size_t i) {
                double fx, fy;
                if (!node_xy(i, fx, fy)) return;
                const double lx = fx - x0 + R, ly = fy - y0 + R; // bin coordinates in the tile
                const int cx = ifloor(lx), cy = ifloor(ly);
                if (cx < -1 || cy < -1 || cx >= BX || cy >= BY) return;
                const double ax = lx - cx, ay = ly - cy, wi = in.w ? double((*in.w)[i]) : 1.0;
                const double ws[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
                for (int q = 0; q < 4; ++q) {
                    const int bx = cx + (q & 1), by = cy + (q >> 1);
                    if (bx < 0 || by < 0 || bx >= BX || by >= BY || ws[q] == 0) continue;
                    buf[size_t(by) * NXp + size_t(bx)] += wi * ws[q];
                    tile_w += wi * ws[q];
                    occ[size_t(bin_block_y[size_t(by)]) * nbx + size_t(bin_block_x[size_t(bx)])] = 1;
                    any = true;
                }
            };
            if (!bucketed)
                for (size_t i = 0; i < X.size(); ++i) bin(i);
            else
                for (size_t it = bk.start[t]; it < bk.start[t + 1]; ++it) bin(bk.items[it]);
            if (any) {
                fftw_execute_dft_r2c(pf, buf, spec);
                for (size_t ky = 0; ky < NY; ++ky) {
                    const double* kr = khat.get() + std::min(ky, NY - ky) * KX;
                    fftw_complex* row = spec + ky * NXc;
                    for (size_t kx = 0; kx < NXc; ++kx) row[kx][0] *= kr[kx], row[kx][1] *= kr[kx];
                }
                fftw_execute_dft_c2r(pb, spec, buf);
                for (int by = 0; by < nby; ++by)
                    for (int bx = 0; bx < nbx; ++bx)
                        sat[size_t(by + 1) * (nbx + 1) + size_t(bx + 1)] = occ[size_t(by) * nbx + size_t(bx)] +
                            sat[size_t(by) * (nbx + 1) + size_t(bx + 1)] + sat[size_t(by + 1) * (nbx + 1) + size_t(bx)] -
                            sat[size_t(by) * (nbx + 1) + size_t(bx)];
            }
            // No cell of this tile can exceed c * tile_w (shape <= 1). The transforms leave round-off
            // of ~1e-16 of that everywhere, also beyond the support inside a window the occupancy
            // test cannot rule out (its blocks are square and coarse): values below 1e-10 of it are
            // round-off or far below the path's 1e-3-of-peak error, and become exactly 0, so every
            // cell beyond the support (+ the binning's reach) of all points is exactly 0.
            const double floor_v = 1e-10 * c * tile_w;
            // Output cells whose fine node lies in this tile: node = cell * s + off.
            const int rlo = y0 <= off ? 0 : (y0 - off + s - 1) / s;
            const int rhi = std::min(gc.height, (y0 + tp.TY - off + s - 1) / s);
            const int clo = x0 <= off ? 0 : (x0 - off + s - 1) / s;
            const int chi = std::min(gc.width, (x0 + tp.TX - off + s - 1) / s);
            col_b0.resize(size_t(std::max(0, chi - clo))), col_b1.resize(col_b0.size());
            for (int col = clo; col < chi; ++col) {
                const int o = col * s + off - x0 + R;
                col_b0[size_t(col - clo)] = (o - R) / BO, col_b1[size_t(col - clo)] = std::min(nbx - 1, (o + R) / BO) + 1;
            }
            for (int r = rlo; r < rhi; ++r) {
                float* orow = out + size_t(r) * gc.width;
                if (!any) {
                    std::fill(orow + clo, orow + chi, 0.0f);
                    continue;
                }
                const int p = r * s + off - y0 + R; // output node's bin row; its window is [p-R, p+R]
                // SAT rows bounding the window's blocks; the node of column col is brow[col * s].
                const int* s0 = sat.data() + size_t((p - R) / BO) * (nbx + 1);
                const int* s1 = sat.data() + size_t(std::min(nby - 1, (p + R) / BO) + 1) * (nbx + 1);
                const double* brow = buf + size_t(p) * NXp + size_t(off - x0 + R);
                for (int col = clo; col < chi; ++col) {
                    const size_t b0 = size_t(col_b0[size_t(col - clo)]), b1 = size_t(col_b1[size_t(col - clo)]);
                    const int n_occ = s1[b1] - s0[b1] - s1[b0] + s0[b0];
                    const double v = brow[ptrdiff_t(col) * s];
                    orow[col] = n_occ == 0 || v <= floor_v ? 0.0f : static_cast<float>(v);
                }
            }
            ++done;
            if (reporter) {
                try {
                    progress(0.1 + 0.85 * double(done) / double(ntiles), "kernel density (FFT)");
                } catch (const Cancelled&) {
                    cancel = true;
                }
            }
        }
    };
    run_workers(workers, cancel, work);
    if (cancel) throw Cancelled();
}

// Measured constant C in max|fft - exact| / peak ~= C * (cell / h)^2 for linear binning
// (tests/test_density.cpp measures it at h/cell = 12.5); kernels with a discontinuity get none.
double binning_error_const(Kernel k) {
    switch (k) {
    case Kernel::Quartic: return 0.36;
    case Kernel::Triweight: return 0.55;
    case Kernel::Gaussian: return 0.10;
    default: return -1;
    }
}

} // namespace

int fft_refinement(Kernel k, double h, double cell, double tolerance) {
    if (k == Kernel::Epanechnikov) {
        // Its kink at the support edge makes the binning error first order: ~0.07 * cell / h.
        for (int s = 1; s <= 7; s += 2)
            if (0.07 * cell / (s * h) <= tolerance) return s;
        return 0;
    }
    const double C = binning_error_const(k);
    if (C < 0) return 0;
    for (int s = 1; s <= 7; s += 2) {
        const double r = cell / (s * h);
        if (C * r * r <= tolerance) return s;
    }
    return 0;
}

KdeResult kernel_density(const KdeInput& in, const GridSpec& grid, const Crs& crs, const KdeParams& p,
                         Progress progress) {
    if (!in.x || !in.y || in.x->size() != in.y->size()) throw GeoError("", "kernel density", "x and y must be given and equal in length");
    if (in.w && in.w->size() != in.x->size()) throw GeoError("", "kernel density", "weights do not match the points");
    if (grid.width <= 0 || grid.height <= 0) throw GeoError("", "kernel density", "grid is empty");
    if (!(p.cell_m > 0)) throw GeoError("", "kernel density", "cell size must be positive");
    KdeInput use = in;
    if (!p.use_weights) use.w = nullptr;
    if (use.w)
        for (float wv : *use.w)
            if (!(wv >= 0) || !std::isfinite(wv)) throw GeoError("", "kernel density", "weights must be finite and non-negative");
    KdeResult res;
    res.bandwidth_m = p.rule == BandwidthRule::Fixed ? p.bandwidth_m
                      : p.rule == BandwidthRule::Lcv ? lcv_bandwidth(*in.x, *in.y, use.w, p.kernel).radius_m
                                                     : auto_bandwidth(*in.x, *in.y, use.w, p.rule, p.kernel);
    if (!(res.bandwidth_m > 0) || !std::isfinite(res.bandwidth_m)) throw GeoError("", "kernel density", "bandwidth must be a positive number");
    const double h = res.bandwidth_m;
    for (size_t i = 0; i < in.x->size(); ++i)
        if (std::isfinite((*in.x)[i]) && std::isfinite((*in.y)[i])) {
            ++res.n_points;
            res.weight_total += use.w ? (*use.w)[i] : 1.0;
        }

    // Scale: per m^2 kernels -> output units.
    double scale = 0;
    switch (p.units) {
    case DensityUnits::PerKm2: scale = norm_const(p.kernel) * 1e6; break;
    case DensityUnits::QgisRaw: scale = h * h; break; // c/h^2 * shape with c = h^2 -> shape
    case DensityUnits::QgisScaled: scale = qgis_scaled_const(p.kernel); break;
    }
    res.raster = Raster(grid, crs, 0.0f);
    KdeMethod m = p.method;
    const int s_auto = fft_refinement(p.kernel, h, grid.cell, 0.5e-3);
    // FFT tiles: one buffer per thread, together at most half of input + output (the peak
    // <= 2x (input + output) budget of issue #7), between 2^17 and 2^20 cells each.
    size_t tile_cells = p.fft_tile_cells;
    if (tile_cells == 0) {
        const double io = double(in.x->size()) * (2 * sizeof(double) + (use.w ? sizeof(float) : 0)) +
                          double(grid.size()) * sizeof(float);
        const double per_thread = io / 2 / sizeof(double) / thread_count(p.threads);
        tile_cells = size_t(std::clamp(per_thread, double(1 << 17), double(1 << 20)));
    }
    if (m == KdeMethod::Auto) {
        // FFT when its transforms cost less than the footprint work and the kernel spans enough
        // cells for linear binning to stay within 1e-3 of the peak. Constants: ns per kernel
        // term (exact) and per n*log2(n) transform unit, measured with bench/bench_kde.
        bool fft = false;
        if (s_auto > 0) {
            const double foot = kPi * std::pow(kernel_support(p.kernel, h) / grid.cell + 0.5, 2);
            const double exact_ns = 0.9 * double(res.n_points) * std::min(foot, double(grid.size()));
            const double dfine = grid.cell / s_auto;
            const int R = static_cast<int>(std::ceil(kernel_support(p.kernel, h) / dfine)) + 1;
            const double fft_ns = 0.8 * plan_tiles(grid.width * s_auto, grid.height * s_auto, R, tile_cells).cost + 25.0 * double(res.n_points);
            fft = fft_ns < exact_ns;
        }
        m = fft ? KdeMethod::Fft : KdeMethod::Exact;
    }
    res.method_used = m;
    int refine = 1;
    float* out = res.raster.data.data();
    if (m == KdeMethod::Fft) {
        refine = s_auto > 0 ? s_auto : 7; // forced on a discontinuous kernel: the finest we do
        with_kernel(p.kernel, [&](auto K) { fft_kde<decltype(K)::value>(use, grid, h, scale, out, p.threads, progress, refine, tile_cells); });
    } else {
        with_kernel(p.kernel, [&](auto K) { exact_kde<decltype(K)::value>(use, grid, h, scale, out, p.threads, progress); });
    }
    res.raster.units = units_label(p.units);
    auto& md = res.raster.metadata;
    md["kernel"] = kernel_name(p.kernel);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", h / 1000.0);
    md["bandwidth_km"] = buf;
    md["bandwidth_rule"] = bandwidth_rule_name(p.rule);
    md["bandwidth_meaning"] = p.kernel == Kernel::Gaussian ? "standard deviation (kernel truncated at 4 sd, renormalised)" : "search radius (kernel support)";
    std::snprintf(buf, sizeof buf, "%.6g", grid.cell / 1000.0);
    md["cell_km"] = buf;
    md["units"] = units_label(p.units);
    md["n_events"] = std::to_string(res.n_points);
    std::snprintf(buf, sizeof buf, "%.10g", res.weight_total);
    md["weight_sum"] = buf;
    md["weighted"] = use.w ? "true" : "false";
    md["method"] = m == KdeMethod::Fft ? "fft (linear binning on a " + std::to_string(refine) + "x finer grid + tiled FFT convolution" +
                                          (s_auto > 0 ? "; max error <= 1e-3 of peak)" : "; error not bounded for this kernel)")
                                    : "exact";
    progress(1.0, "kernel density done");
    return res;
}

void apply_mask(Raster& r, const VectorLayer& mask) {
    if (mask.type != GeomType::Polygon) throw GeoError(mask.source, "mask", "must be a polygon layer");
    if (mask.crs.valid() && r.crs.valid() && !mask.crs.same_as(r.crs))
        throw GeoError(mask.source, "mask", "is not in the raster's CRS (reproject it first)");
    PolygonIndex idx(mask);
    r.has_nodata = true;
    for (int row = 0; row < r.grid.height; ++row)
        for (int col = 0; col < r.grid.width; ++col)
            if (idx.locate(r.grid.col_center_x(col), r.grid.row_center_y(row)) < 0) r.at(col, row) = r.nodata;
}

} // namespace nexusmap
