#include "nexusmap/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nexusmap::stats {

namespace {
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kSqrt2Pi = 2.50662827463100050242;
} // namespace

double normal_cdf(double z) { return 0.5 * std::erfc(-z / kSqrt2); }
double normal_sf(double z) { return 0.5 * std::erfc(z / kSqrt2); }

double p_two_sided(double z) {
    if (std::isnan(z)) return kNaN;
    return std::erfc(std::fabs(z) / kSqrt2); // == 2 * normal_sf(|z|) without the cancellation
}

double normal_quantile(double p) {
    if (std::isnan(p) || p < 0 || p > 1) return kNaN;
    if (p == 0) return -INFINITY;
    if (p == 1) return INFINITY;
    // Acklam's rational approximation (rel. error 1.15e-9) ...
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double plow = 0.02425;
    double x;
    if (p < plow) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - plow) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    // ... refined by one Halley step against erfc, which brings it to full double precision.
    const double e = normal_cdf(x) - p;
    const double u = e * kSqrt2Pi * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double median(std::vector<double> v) {
    std::erase_if(v, [](double x) { return std::isnan(x); });
    if (v.empty()) return kNaN;
    const size_t m = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + m, v.end());
    const double hi = v[m];
    if (v.size() % 2) return hi;
    const double lo = *std::max_element(v.begin(), v.begin() + m);
    return lo + (hi - lo) / 2;
}

namespace {
std::vector<double> finite_only(std::span<const double> y) {
    std::vector<double> v;
    v.reserve(y.size());
    for (double a : y)
        if (!std::isnan(a)) v.push_back(a);
    return v;
}

// Values closer than this fraction of the series' largest magnitude are ties. Space-time Gi*
// z-values that are equal in exact arithmetic come out ~4e-16 apart; counted as rises and falls
// they changed tau in 690 of 716 units of a real cube (issue #13). Far above rounding noise, far
// below any difference that means something in a count, rate or z series.
constexpr double kMkRelTol = 1e-9;

// Tie classes of v: class[i] = index of the tie group of v[i], groups numbered in increasing value.
// Sorted values join the current group while within tol of the group's first (smallest) value, so a
// long run of near-equal values cannot chain into one group wider than tol.
std::vector<int> tie_classes(const std::vector<double>& v, double tol, std::vector<size_t>* sizes) {
    std::vector<size_t> order(v.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<int> cls(v.size(), 0);
    if (sizes) sizes->clear();
    int g = -1;
    double first = 0;
    for (size_t k = 0; k < order.size(); ++k) {
        const double a = v[order[k]];
        if (g < 0 || a - first > tol) {
            ++g;
            first = a;
            if (sizes) sizes->push_back(0);
        }
        cls[order[k]] = g;
        if (sizes) ++sizes->back();
    }
    return cls;
}

double tie_tolerance(const std::vector<double>& v) {
    double m = 0;
    for (double a : v) m = std::max(m, std::fabs(a));
    return kMkRelTol * m;
}

// Tie-corrected Var(S) of the Mann–Kendall statistic from the tie-group sizes; counts groups.
double mk_variance_from_groups(size_t n_, const std::vector<size_t>& sizes, int* groups) {
    const double n = static_cast<double>(n_);
    double var = n * (n - 1) * (2 * n + 5);
    int g = 0;
    for (size_t ts : sizes) {
        const double t = static_cast<double>(ts);
        if (t > 1) {
            var -= t * (t - 1) * (2 * t + 5);
            ++g;
        }
    }
    if (groups) *groups = g;
    return var / 18.0;
}

double mk_variance(const std::vector<double>& v, int* groups) {
    std::vector<size_t> sizes;
    tie_classes(v, tie_tolerance(v), &sizes);
    return mk_variance_from_groups(v.size(), sizes, groups);
}
} // namespace

MannKendallResult mann_kendall(std::span<const double> y) {
    MannKendallResult r;
    const std::vector<double> v = finite_only(y);
    r.n = v.size();
    if (r.n < 2) return r;
    // S and the tie correction use the same tie groups, so a pair counts as a tie in both or neither.
    std::vector<size_t> sizes;
    const std::vector<int> c = tie_classes(v, tie_tolerance(v), &sizes);
    long long s = 0;
    for (size_t i = 0; i + 1 < c.size(); ++i)
        for (size_t j = i + 1; j < c.size(); ++j) s += (c[j] > c[i]) - (c[j] < c[i]);
    r.s = static_cast<double>(s);
    r.var_s = mk_variance_from_groups(v.size(), sizes, &r.ties);
    const double n = static_cast<double>(r.n);
    r.tau = r.s / (n * (n - 1) / 2);
    if (r.var_s > 0) {
        if (s > 0) r.z = (r.s - 1) / std::sqrt(r.var_s);
        else if (s < 0) r.z = (r.s + 1) / std::sqrt(r.var_s);
    }
    r.p = p_two_sided(r.z);
    return r;
}

TheilSenResult theil_sen(std::span<const double> x, std::span<const double> y, double alpha) {
    TheilSenResult r;
    r.alpha = alpha;
    std::vector<double> xs, ys;
    for (size_t i = 0; i < std::min(x.size(), y.size()); ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) {
            xs.push_back(x[i]);
            ys.push_back(y[i]);
        }
    r.n = xs.size();
    std::vector<double> slopes;
    slopes.reserve(r.n * (r.n > 0 ? r.n - 1 : 0) / 2);
    for (size_t i = 0; i + 1 < r.n; ++i)
        for (size_t j = i + 1; j < r.n; ++j)
            if (xs[j] != xs[i]) slopes.push_back((ys[j] - ys[i]) / (xs[j] - xs[i]));
    r.n_slopes = slopes.size();
    if (slopes.empty()) return r;
    std::sort(slopes.begin(), slopes.end());
    const size_t m = slopes.size();
    r.slope = (m % 2) ? slopes[m / 2] : slopes[m / 2 - 1] + (slopes[m / 2] - slopes[m / 2 - 1]) / 2;
    std::vector<double> resid(r.n);
    for (size_t i = 0; i < r.n; ++i) resid[i] = ys[i] - r.slope * xs[i];
    r.intercept = median(std::move(resid));

    const double c = normal_quantile(1 - alpha / 2) * std::sqrt(mk_variance(ys, nullptr));
    const double nn = static_cast<double>(m);
    const long long m1 = std::llround((nn - c) / 2), m2 = std::llround((nn + c) / 2);
    const long long last = static_cast<long long>(m) - 1;
    r.slope_lo = slopes[static_cast<size_t>(std::clamp(m1 - 1, 0LL, last))]; // M1-th smallest
    r.slope_hi = slopes[static_cast<size_t>(std::clamp(m2, 0LL, last))];     // (M2+1)-th smallest
    return r;
}

TheilSenResult theil_sen(std::span<const double> y, double alpha) {
    std::vector<double> x(y.size());
    std::iota(x.begin(), x.end(), 0.0);
    return theil_sen(x, y, alpha);
}

std::vector<double> bh_adjust(std::span<const double> p) {
    std::vector<double> q(p.size(), kNaN);
    std::vector<size_t> order;
    order.reserve(p.size());
    for (size_t i = 0; i < p.size(); ++i)
        if (!std::isnan(p[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
    const double m = static_cast<double>(order.size());
    double running = 1.0;
    // Walk from the largest p down so each q is the minimum over the ranks above it.
    for (size_t k = order.size(); k-- > 0;) {
        running = std::min(running, m * p[order[k]] / static_cast<double>(k + 1));
        q[order[k]] = std::min(1.0, running);
    }
    return q;
}

std::vector<uint8_t> bh_significant(std::span<const double> p, double alpha) {
    const std::vector<double> q = bh_adjust(p);
    std::vector<uint8_t> s(q.size());
    for (size_t i = 0; i < q.size(); ++i) s[i] = !std::isnan(q[i]) && q[i] <= alpha;
    return s;
}

double pearson(std::span<const double> x, std::span<const double> y) {
    const size_t n = std::min(x.size(), y.size());
    double sx = 0, sy = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) {
            sx += x[i];
            sy += y[i];
            ++k;
        }
    if (k < 2) return kNaN;
    const double mx = sx / static_cast<double>(k), my = sy / static_cast<double>(k);
    double sxx = 0, syy = 0, sxy = 0, sabs = 0; // second pass on centred values: no cancellation
    for (size_t i = 0; i < n; ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i])) {
            const double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
            sabs += std::fabs(dx * dy);
        }
    if (sxx <= 0 || syy <= 0) return kNaN;
    // A cross-product sum within its own round-off bound (k terms, each and the means good to a few
    // ulps) is zero in exact arithmetic as far as the data can tell: report r = 0, not 7.73e-19.
    if (std::fabs(sxy) <= 8.0 * static_cast<double>(k) * 0x1.0p-52 * sabs) return 0.0;
    return sxy / std::sqrt(sxx * syy);
}

} // namespace nexusmap::stats
