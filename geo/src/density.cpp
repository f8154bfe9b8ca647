#include "nexusmap/density.hpp"

#include <fftw3.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>

#include "nexusmap/error.hpp"

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
    std::string l(s);
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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

double kernel_support(Kernel k, double h) { return k == Kernel::Gaussian ? kGaussianCutoff * h : h; }

double auto_bandwidth(const std::vector<double>& x, const std::vector<double>& y, const std::vector<float>* w,
                      BandwidthRule rule, Kernel k) {
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
    if (!(s > 0)) throw GeoError("", "bandwidth", "points have no spread; give a bandwidth");
    const double sigma = s * std::pow(neff, -1.0 / 6.0);
    // Gaussian sigma -> support radius of the compact kernel with the same "canonical" scale
    // (Marron & Nolan 1988 factors, 1-D values used for the radial profile).
    switch (k) {
    case Kernel::Gaussian: return sigma;
    case Kernel::Uniform: return sigma * 1.7400;
    case Kernel::Triangular: return sigma * 2.4324;
    case Kernel::Epanechnikov: return sigma * 2.2138;
    case Kernel::Quartic: return sigma * 2.7779;
    case Kernel::Triweight: return sigma * 3.1545;
    }
    return sigma;
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

// Exact path: each point adds its kernel to every cell centre within the support. Rows are
// split between threads, so no two threads write the same cell.
void exact_kde(const KdeInput& in, const GridSpec& g, Kernel k, double h, double scale, std::vector<double>& out,
               int threads, const Progress& progress) {
    const auto& X = *in.x;
    const auto& Y = *in.y;
    const double sup = kernel_support(k, h);
    const double c = scale / (h * h);
    std::atomic<bool> cancel{false};
    std::atomic<size_t> done{0};
    auto work = [&](int r0, int r1, bool reporter) {
        const size_t n = X.size();
        for (size_t i = 0; i < n; ++i) {
            if (reporter && (i & 4095) == 0 && i) {
                try {
                    progress(0.9 * double(i) / double(n), "kernel density (exact)");
                } catch (const Cancelled&) {
                    cancel = true;
                }
            }
            if (cancel) return;
            const double px = X[i], py = Y[i];
            if (!std::isfinite(px) || !std::isfinite(py)) continue;
            const double wi = in.w ? (*in.w)[i] : 1.0;
            if (wi == 0) continue;
            int rlo = static_cast<int>(std::ceil((g.ymax - (py + sup)) / g.cell - 0.5));
            int rhi = static_cast<int>(std::floor((g.ymax - (py - sup)) / g.cell - 0.5));
            rlo = std::max(rlo, r0), rhi = std::min(rhi, r1 - 1);
            if (rlo > rhi) continue;
            for (int r = rlo; r <= rhi; ++r) {
                const double dy = g.row_center_y(r) - py;
                const double rem = sup * sup - dy * dy;
                if (rem < 0) continue;
                const double hw = std::sqrt(rem);
                int clo = std::max(0, static_cast<int>(std::ceil((px - hw - g.xmin) / g.cell - 0.5)));
                int chi = std::min(g.width - 1, static_cast<int>(std::floor((px + hw - g.xmin) / g.cell - 0.5)));
                double* row = out.data() + static_cast<size_t>(r) * g.width;
                for (int col = clo; col <= chi; ++col) {
                    const double dx = g.col_center_x(col) - px;
                    const double d = std::sqrt(dx * dx + dy * dy);
                    row[col] += wi * c * shape(k, d / h);
                }
            }
        }
        done += 1;
    };
    const int nt = std::min(thread_count(threads), std::max(1, g.height));
    if (nt <= 1) {
        work(0, g.height, true);
    } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < nt; ++t) {
            int r0 = static_cast<int>(int64_t(g.height) * t / nt), r1 = static_cast<int>(int64_t(g.height) * (t + 1) / nt);
            pool.emplace_back(work, r0, r1, t == 0);
        }
        for (auto& th : pool) th.join();
    }
    if (cancel) throw Cancelled();
}

std::mutex g_fftw_plan_mutex; // FFTW's planner is not thread-safe

size_t good_fft_size(size_t n) {
    // Smallest 2^a 3^b 5^c 7^d >= n: FFTW is fastest on these.
    for (size_t m = n;; ++m) {
        size_t r = m;
        for (size_t p : {2, 3, 5, 7})
            while (r % p == 0) r /= p;
        if (r == 1) return m;
    }
}

// Fast path: linear binning of the weights onto the cell centres (mass-preserving), then one
// FFT convolution with the kernel sampled at cell offsets. Cost ~ cells*log(cells) + points,
// independent of the kernel footprint.
void fft_kde(const KdeInput& in, const GridSpec& gc, Kernel k, double h, double scale, float* out, int threads,
             const Progress& progress, int s) {
    // The convolution runs on a grid s times finer (s odd, so a fine cell centre coincides with
    // each coarse cell centre); linear binning's error falls as 1/s^2.
    GridSpec g = gc;
    g.cell = gc.cell / s;
    g.width = gc.width * s;
    g.height = gc.height * s;
    const int off = (s - 1) / 2;
    const double sup = kernel_support(k, h);
    const int R = static_cast<int>(std::ceil(sup / g.cell)) + 1;
    const size_t Wb = size_t(g.width) + 2 * R, Hb = size_t(g.height) + 2 * R;
    const size_t NX = good_fft_size(Wb + 2 * R), NY = good_fft_size(Hb + 2 * R);
    const size_t NXc = NX / 2 + 1, NXp = 2 * NXc; // in-place r2c: rows padded to 2*(NX/2+1) reals
    progress(0.05, "kernel density (FFT): binning");
    // Two in-place buffers (points, kernel) instead of four keeps peak memory near 2 grids.
    double* bins = fftw_alloc_real(NXp * NY);
    double* ker = fftw_alloc_real(NXp * NY);
    struct Free {
        double* p[2];
        ~Free() {
            for (double* q : p) fftw_free(q);
        }
    } guard{{bins, ker}};
    if (!bins || !ker) throw GeoError("", "kernel density", "out of memory for the FFT grid");
    std::fill(bins, bins + NXp * NY, 0.0);
    std::fill(ker, ker + NXp * NY, 0.0);
    // Bin index (i, j) is the centre of fine cell (i - R, j - R); NXp is the row stride.
    const auto& X = *in.x;
    const auto& Y = *in.y;
    for (size_t i = 0; i < X.size(); ++i) {
        const double px = X[i], py = Y[i];
        if (!std::isfinite(px) || !std::isfinite(py)) continue;
        const double wi = in.w ? (*in.w)[i] : 1.0;
        const double fx = (px - g.xmin) / g.cell - 0.5 + R, fy = (g.ymax - py) / g.cell - 0.5 + R;
        const double ix = std::floor(fx), iy = std::floor(fy);
        if (ix < -1 || iy < -1 || ix >= double(Wb) || iy >= double(Hb)) continue; // no reach into the grid
        const double ax = fx - ix, ay = fy - iy;
        const long cx = static_cast<long>(ix), cy = static_cast<long>(iy);
        const double ws[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
        const long xs[4] = {cx, cx + 1, cx, cx + 1}, ys[4] = {cy, cy, cy + 1, cy + 1};
        for (int q = 0; q < 4; ++q)
            if (xs[q] >= 0 && ys[q] >= 0 && size_t(xs[q]) < Wb && size_t(ys[q]) < Hb)
                bins[size_t(ys[q]) * NXp + size_t(xs[q])] += wi * ws[q];
    }
    // Kernel stencil centred at (R, R), so output (c, r) sits at (c + 2R, r + 2R).
    const double c = scale / (h * h);
    for (int dy = -R; dy <= R; ++dy)
        for (int dx = -R; dx <= R; ++dx) {
            const double d = std::hypot(dx * g.cell, dy * g.cell);
            ker[size_t(dy + R) * NXp + size_t(dx + R)] = c * shape(k, d / h);
        }
    progress(0.3, "kernel density (FFT): transforms");
    auto* fb = reinterpret_cast<fftw_complex*>(bins);
    auto* fk = reinterpret_cast<fftw_complex*>(ker);
    fftw_plan pb, pk, pi;
    {
        std::lock_guard lock(g_fftw_plan_mutex);
        static const bool threads_ok = fftw_init_threads() != 0;
        if (threads_ok) fftw_plan_with_nthreads(thread_count(threads));
        pb = fftw_plan_dft_r2c_2d(int(NY), int(NX), bins, fb, FFTW_ESTIMATE);
        pk = fftw_plan_dft_r2c_2d(int(NY), int(NX), ker, fk, FFTW_ESTIMATE);
        pi = fftw_plan_dft_c2r_2d(int(NY), int(NX), fb, bins, FFTW_ESTIMATE);
    }
    fftw_execute(pb);
    fftw_execute(pk);
    progress(0.6, "kernel density (FFT): multiply");
    const double norm = 1.0 / (double(NX) * double(NY));
    for (size_t i = 0; i < NXc * NY; ++i) {
        const double re = fb[i][0] * fk[i][0] - fb[i][1] * fk[i][1];
        const double im = fb[i][0] * fk[i][1] + fb[i][1] * fk[i][0];
        fb[i][0] = re * norm;
        fb[i][1] = im * norm;
    }
    fftw_execute(pi);
    {
        std::lock_guard lock(g_fftw_plan_mutex);
        fftw_destroy_plan(pb);
        fftw_destroy_plan(pk);
        fftw_destroy_plan(pi);
    }
    for (int r = 0; r < gc.height; ++r)
        for (int col = 0; col < gc.width; ++col) {
            double v = bins[size_t(r * s + off + 2 * R) * NXp + size_t(col * s + off + 2 * R)];
            out[size_t(r) * gc.width + col] = static_cast<float>(v < 0 ? 0.0 : v); // FFT round-off below zero
        }
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
    res.bandwidth_m = p.rule == BandwidthRule::Fixed ? p.bandwidth_m : auto_bandwidth(*in.x, *in.y, use.w, p.rule, p.kernel);
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
    if (m == KdeMethod::Auto) {
        // FFT when the footprint work clearly dominates and the kernel spans enough cells for
        // linear binning to stay within 1e-3 of the peak (bench/ and tests/test_density.cpp).
        const int s = fft_refinement(p.kernel, h, grid.cell, 0.5e-3);
        const double foot = kPi * std::pow(kernel_support(p.kernel, h) / grid.cell, 2);
        const double exact_cost = double(res.n_points) * foot;
        const double fine = double(grid.size()) * s * s;
        const double fft_cost = 40.0 * (fine + 4 * foot * s * s) * std::log2(fine + 2.0);
        m = (s > 0 && exact_cost > fft_cost) ? KdeMethod::Fft : KdeMethod::Exact;
    }
    res.method_used = m;
    int refine = 1;
    if (m == KdeMethod::Fft) {
        refine = fft_refinement(p.kernel, h, grid.cell, 0.5e-3);
        if (refine == 0) refine = 7; // forced on a discontinuous kernel: the finest we do
        fft_kde(use, grid, p.kernel, h, scale, res.raster.data.data(), p.threads, progress, refine);
    } else {
        // Accumulate in double: thousands of small contributions per cell.
        std::vector<double> acc(grid.size(), 0.0);
        exact_kde(use, grid, p.kernel, h, scale, acc, p.threads, progress);
        for (size_t i = 0; i < acc.size(); ++i) res.raster.data[i] = static_cast<float>(acc[i]);
    }
    res.raster.units = units_label(p.units);
    auto& md = res.raster.metadata;
    md["kernel"] = kernel_name(p.kernel);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", h / 1000.0);
    md["bandwidth_km"] = buf;
    md["bandwidth_rule"] = p.rule == BandwidthRule::Fixed ? "fixed" : p.rule == BandwidthRule::Silverman ? "silverman" : "scott";
    md["bandwidth_meaning"] = p.kernel == Kernel::Gaussian ? "standard deviation (kernel truncated at 4 sd, renormalised)" : "search radius (kernel support)";
    std::snprintf(buf, sizeof buf, "%.6g", grid.cell / 1000.0);
    md["cell_km"] = buf;
    md["units"] = units_label(p.units);
    md["n_events"] = std::to_string(res.n_points);
    std::snprintf(buf, sizeof buf, "%.10g", res.weight_total);
    md["weight_sum"] = buf;
    md["weighted"] = use.w ? "true" : "false";
    md["method"] = m == KdeMethod::Fft ? "fft (linear binning on a " + std::to_string(refine) + "x finer grid + FFT convolution" +
                                          (fft_refinement(p.kernel, h, grid.cell, 0.5e-3) > 0 ? "; max error <= 1e-3 of peak)" : "; error not bounded for this kernel)")
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
