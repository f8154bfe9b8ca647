#include "nexusmap/scan.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cmath>
#include <exception>
#include <map>
#include <numeric>
#include <thread>

#include "nexusmap/error.hpp"
#include "nexusmap/stats.hpp"
#include "nexusmap/version.hpp"

namespace nexusmap {

double scan_llr(double n, double mu, double N) {
    if (!(n > mu) || !(mu > 0)) return 0;
    double r = n * std::log(n / mu);
    if (N - n > 0) r += (N - n) * std::log((N - n) / (N - mu));
    return r;
}

double bernoulli_llr(double n, double m, double C, double N) {
    if (!(m > 0) || !(N - m > 0) || !(n * (N - m) > (C - n) * m)) return 0;
    auto f = [](double a, double b) { return a > 0 ? a * std::log(a / b) : 0.0; };
    return f(n, m) + f(m - n, m) + f(C - n, N - m) + f(N - m - C + n, N - m) - f(C, N) - f(N - C, N);
}

void gumbel_fit(const std::vector<double>& s, double& mu, double& beta) {
    mu = beta = stats::kNaN;
    if (s.size() < 2) return;
    double m = 0;
    for (double v : s) m += v;
    m /= double(s.size());
    double ss = 0;
    for (double v : s) ss += (v - m) * (v - m);
    const double sd = std::sqrt(ss / double(s.size() - 1));
    beta = sd * std::sqrt(6.0) / M_PI;
    mu = m - 0.57721566490153286 * beta;
}

double gumbel_p(double x, double mu, double beta) {
    if (!(beta > 0)) return stats::kNaN;
    return -std::expm1(-std::exp(-(x - mu) / beta)); // 1 - exp(-exp(-z)), accurate for small p
}

namespace {

// First day of period `idx` (period_index's numbering).
int32_t period_first_day(int64_t idx, PeriodUnit u) {
    auto fdiv = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    switch (u) {
    case PeriodUnit::Year: return days_from_civil(int(idx), 1, 1);
    case PeriodUnit::Quarter: {
        const int64_t y = fdiv(idx, 4);
        return days_from_civil(int(y), int(idx - y * 4) * 3 + 1, 1);
    }
    case PeriodUnit::Month: {
        const int64_t y = fdiv(idx, 12);
        return days_from_civil(int(y), int(idx - y * 12) + 1, 1);
    }
    }
    return 0;
}

uint64_t splitmix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Everything that stays fixed across replicas.
struct ScanSetup {
    int64_t N = 0;
    int T = 0, L = 0;
    bool prospective = false, exhaustive = false;
    bool bernoulli = false;
    int64_t C = 0;                     // Bernoulli: cases
    bool poisson = false;
    double W = 0;                      // Poisson: total population
    std::vector<double> lw;            // Poisson: population of each location (raster cell)
    std::vector<uint32_t> loc_start;   // CSR over location-sorted events
    std::vector<int64_t> G;            // G[t] = events in periods < t (all locations)
    std::vector<double> lnI;           // ln(k), k = 0..N (lnI[0] = 0, only ever multiplied by 0)
    // Per centre: locations by distance, and the number of locations after each radius step.
    std::vector<std::vector<uint32_t>> order;
    std::vector<std::vector<uint32_t>> steps;
    std::vector<std::vector<double>> step_radius;
    std::vector<double> pen;           // per entry (centre x shape): eccentricity penalty; empty = 1
};

struct Best {
    double llr = 0;
    int step = -1, t1 = -1, t2 = -1;
    int64_t n = 0, nz = 0, nw = 0;
    double wz = 0; // Poisson: population of the base
};

// Poisson model: events by location through `loc_start`/`per` (location order; replicas bring their
// own). mu = N_W w_Z / w; windows start and end in periods where the base has events (widening over
// periods without base events raises mu and not n). Every such window is evaluated.
double scan_all_poisson(const ScanSetup& S, const std::vector<uint32_t>& loc_start, const std::vector<int32_t>& per,
                        std::vector<Best>* per_centre) {
    const double N = double(S.N);
    std::vector<int32_t> cnt(size_t(S.T), 0);
    std::vector<int32_t> P;
    std::vector<int64_t> cum;
    double global = 0;
    for (size_t c = 0; c < S.order.size(); ++c) {
        std::fill(cnt.begin(), cnt.end(), 0);
        P.clear();
        Best best;
        double wz = 0;
        size_t li = 0;
        const auto& ord = S.order[c];
        for (size_t s = 0; s < S.steps[c].size(); ++s) {
            for (; li < S.steps[c][s]; ++li) {
                const uint32_t loc = ord[li];
                wz += S.lw[loc];
                for (uint32_t k = loc_start[loc]; k < loc_start[loc + 1]; ++k) {
                    const int32_t t = per[k];
                    if (cnt[size_t(t)]++ == 0) P.insert(std::upper_bound(P.begin(), P.end(), t), t);
                }
            }
            cum.assign(1, 0);
            for (int32_t t : P) cum.push_back(cum.back() + cnt[size_t(t)]);
            auto consider = [&](size_t i, size_t j, int32_t t2, int64_t n, int64_t nw) {
                const double mu = double(nw) * wz / S.W;
                const double llr = scan_llr(double(n), mu, N);
                if (llr > best.llr) best.llr = llr, best.step = int(s), best.t1 = P[i], best.t2 = t2, best.n = n, best.nw = nw, best.wz = wz;
                (void)j;
            };
            const size_t np = P.size();
            for (size_t i = 0; i < np; ++i) {
                if (S.prospective) {
                    if (S.T - P[i] <= S.L) consider(i, np - 1, S.T - 1, cum[np] - cum[i], S.G[size_t(S.T)] - S.G[size_t(P[i])]);
                    continue;
                }
                for (size_t j = i; j < np && P[j] - P[i] < S.L; ++j)
                    consider(i, j, P[j], cum[j + 1] - cum[i], S.G[size_t(P[j]) + 1] - S.G[size_t(P[i])]);
            }
        }
        if (per_centre) (*per_centre)[c] = best;
        global = std::max(global, best.llr);
    }
    return global;
}

// Bernoulli model: `cs` flags the cases (location-sorted order). For a base, windows start and end
// in periods where the base has cases (widening a window over periods without base cases adds
// controls only, which lowers the LLR: it falls with m for fixed n when the inside share is higher).
// Every such window is evaluated (no bound); Best::nz holds m, the events in the cylinder.
double scan_all_bernoulli(const ScanSetup& S, const std::vector<int32_t>& per, const std::vector<uint8_t>& cs,
                          std::vector<Best>* per_centre) {
    const double N = double(S.N), C = double(S.C);
    const size_t T = size_t(S.T);
    std::vector<int32_t> all(T), cas(T);
    std::vector<int64_t> cumA(T + 1), cumC(T + 1);
    std::vector<int32_t> Pc;
    double global = 0;
    for (size_t c = 0; c < S.order.size(); ++c) {
        std::fill(all.begin(), all.end(), 0);
        std::fill(cas.begin(), cas.end(), 0);
        Best best;
        size_t li = 0;
        const auto& ord = S.order[c];
        for (size_t s = 0; s < S.steps[c].size(); ++s) {
            for (; li < S.steps[c][s]; ++li) {
                const uint32_t loc = ord[li];
                for (uint32_t k = S.loc_start[loc]; k < S.loc_start[loc + 1]; ++k) {
                    ++all[size_t(per[k])];
                    cas[size_t(per[k])] += cs[k];
                }
            }
            Pc.clear();
            for (size_t t = 0; t < T; ++t) {
                cumA[t + 1] = cumA[t] + all[t], cumC[t + 1] = cumC[t] + cas[t];
                if (cas[t]) Pc.push_back(int32_t(t));
            }
            auto consider = [&](int32_t t1, int32_t t2) {
                const int64_t n = cumC[size_t(t2) + 1] - cumC[size_t(t1)], m = cumA[size_t(t2) + 1] - cumA[size_t(t1)];
                const double llr = bernoulli_llr(double(n), double(m), C, N);
                if (llr > best.llr) best.llr = llr, best.step = int(s), best.t1 = t1, best.t2 = t2, best.n = n, best.nz = m;
            };
            const size_t np = Pc.size();
            for (size_t i = 0; i < np; ++i) {
                if (S.prospective) {
                    if (S.T - Pc[i] <= S.L) consider(Pc[i], S.T - 1);
                    continue;
                }
                for (size_t j = i; j < np && Pc[j] - Pc[i] < S.L; ++j) consider(Pc[i], Pc[j]);
            }
        }
        if (per_centre) (*per_centre)[c] = best;
        global = std::max(global, best.llr);
    }
    return global;
}

// Scans every centre with the event periods `per` (location-sorted order). With `per_centre`
// non-null each centre's best cylinder is recorded (observed data); otherwise only the maximum.
double scan_all(const ScanSetup& S, const std::vector<int32_t>& per, std::vector<Best>* per_centre) {
    const double N = double(S.N), lnN = std::log(N);
    std::vector<int32_t> cnt(size_t(S.T), 0);
    std::vector<int32_t> P;
    std::vector<int64_t> cum;
    std::vector<int32_t> cumd(size_t(S.T) + 1, 0); // cumd[t]: base events in periods < t
    std::vector<size_t> mark(size_t(S.T), 0);      // step + 1 that last listed period t in `fresh`
    struct Blk {
        uint32_t i0, i1, j0, j1;
    };
    std::vector<Blk> stack;
    std::vector<int32_t> fresh;        // periods of the events the current radius step adds
    std::vector<double> E, F;          // excess of window (P[i], P[j]): F[j] - E[i]
    // The LLR formula at real n > mu > 0, for the bounds; gc bounds it from above with ln x <= x - 1
    // in the second term (one log instead of two; loose when the excess is large).
    auto gc = [N](double n, double mu) { return n * std::log(n / mu) + (N - n) * (mu - n) / (N - mu); };
    auto g = [N](double n, double mu) { return n * std::log(n / mu) + (N - n) * std::log((N - n) / (N - mu)); };
    P.reserve(size_t(S.T));
    cum.reserve(size_t(S.T) + 1);
    double global = 0;
    for (size_t c = 0; c < S.order.size(); ++c) {
        std::fill(cnt.begin(), cnt.end(), 0);
        std::fill(cumd.begin(), cumd.end(), 0);
        std::fill(mark.begin(), mark.end(), 0);
        P.clear();
        Best best;
        int64_t nz = 0;
        const double pen = S.pen.empty() ? 1.0 : S.pen[c]; // best.llr holds the penalized LLR
        size_t li = 0;
        const auto& ord = S.order[c];
        for (size_t s = 0; s < S.steps[c].size(); ++s) {
            fresh.clear();
            for (; li < S.steps[c][s]; ++li) {
                const uint32_t loc = ord[li];
                for (uint32_t k = S.loc_start[loc]; k < S.loc_start[loc + 1]; ++k) {
                    const int32_t t = per[k];
                    if (cnt[size_t(t)]++ == 0) P.insert(std::upper_bound(P.begin(), P.end(), t), t);
                    if (mark[size_t(t)] != s + 1) mark[size_t(t)] = s + 1, fresh.push_back(t);
                    ++nz;
                }
            }
            std::sort(fresh.begin(), fresh.end());
            // Prefix counts again from the earliest new period on (once per step, not per event).
            if (!fresh.empty())
                for (size_t u = size_t(fresh[0]); u < size_t(S.T); ++u) cumd[u + 1] = cumd[u] + cnt[u];
            const double lnNZ = S.lnI[size_t(nz)];
            const double thr0 = per_centre ? best.llr : std::max(global, best.llr);
            double thr = thr0;
            auto consider = [&](size_t i, size_t j, int64_t n, int64_t nw) {
                if (n * S.N <= nz * nw) return; // n <= mu: no excess
                const double mu = double(nz) * double(nw) / N;
                const double a = double(n) * (S.lnI[size_t(n)] - (lnNZ + S.lnI[size_t(nw)] - lnN));
                // ln x <= x - 1 bounds the second term: a cheap upper bound before the one log.
                const double ub = a + double(S.N - n) * (mu - double(n)) / (N - mu);
                if (ub * pen <= thr * (1 - 1e-12) - 1e-12) return;
                const double llr = pen * (a + (S.N > n ? double(S.N - n) * (S.lnI[size_t(S.N - n)] - std::log(N - mu)) : 0.0));
                // Ties keep the first window in (start, end) order, whatever order they were met in.
                if (llr > best.llr ||
                    (llr == best.llr && best.step == int(s) && (P[i] < best.t1 || (P[i] == best.t1 && P[j] < best.t2)))) {
                    best.llr = llr, best.step = int(s), best.t1 = P[i], best.t2 = P[j];
                    best.n = n, best.nz = nz, best.nw = nw;
                    thr = std::max(thr, llr);
                }
            };
            const size_t np = P.size();
            if (S.prospective || S.exhaustive) {
                cum.assign(1, 0);
                for (int32_t t : P) cum.push_back(cum.back() + cnt[size_t(t)]);
            }
            if (S.prospective) {
                for (size_t i = 0; i < np; ++i) {
                    if (S.T - P[i] > S.L) continue;
                    consider(i, np - 1, cum[np] - cum[i], S.G[size_t(S.T)] - S.G[size_t(P[i])]);
                }
            } else if (S.exhaustive) {
                for (size_t i = 0; i < np; ++i)
                    for (size_t j = i; j < np && P[j] - P[i] < S.L; ++j)
                        consider(i, j, cum[j + 1] - cum[i], S.G[size_t(P[j]) + 1] - S.G[size_t(P[i])]);
            } else {
                // Base events before P[i] / up to P[j]; the last end index of a window starting at P[i].
                auto c0 = [&](uint32_t i) { return int64_t(cumd[size_t(P[i])]); };
                auto c1 = [&](uint32_t j) { return int64_t(cumd[size_t(P[j]) + 1]); };
                auto jm = [&](uint32_t i) {
                    return uint32_t(std::upper_bound(P.begin() + i, P.end(), P[i] + S.L - 1) - P.begin() - 1);
                };
                // Only windows holding a period of the step's new events can beat the best so far: any
                // other window has the same n as in the previous (smaller) circle of this centre and a
                // larger mu (N_Z grew), so a lower LLR than there, which is <= thr already. Each such
                // window is met once, under the first new period it holds: starts after the previous
                // new period, up to this one; ends from this one to the longest window.
                uint32_t ilo = 0;
                E.resize(np), F.resize(np);
                for (int32_t tn : fresh) {
                    const uint32_t is = uint32_t(std::lower_bound(P.begin(), P.end(), tn) - P.begin());
                    const auto first_start = std::lower_bound(P.begin(), P.begin() + is, tn - S.L + 1);
                    const uint32_t i0 = std::max(ilo, uint32_t(first_start - P.begin()));
                    ilo = is + 1;
                    stack.clear();
                    const uint32_t jr = jm(is);
                    bool have_ef = false; // E, F: filled on first use in this region
                    stack.push_back({i0, is, is, jr});
                    while (!stack.empty()) {
                        const Blk b = stack.back();
                        stack.pop_back();
                        // Valid windows in the block: i0 <= i <= i1, j0 <= j <= min(j1, jm(i)), and
                        // i1 <= is <= j0 always; jm rises with i, so no end index passes jhi.
                        const uint32_t jhi = std::min(b.j1, jm(b.i1));
                        if (b.j0 > jhi) continue;
                        if (b.i0 == b.i1 && b.j0 == b.j1) {
                            consider(b.i0, b.j0, c1(b.j0) - c0(b.i0),
                                     S.G[size_t(P[b.j0]) + 1] - S.G[size_t(P[b.i0])]);
                            continue;
                        }
                        // Bound: the most base events of any window in the block, the fewest events
                        // anywhere (every window spans P[i1]..P[j0]).
                        const int64_t nmax = c1(jhi) - c0(b.i0);
                        const int64_t nwmin = S.G[size_t(P[b.j0]) + 1] - S.G[size_t(P[b.i1])];
                        if (nmax * S.N <= nz * nwmin) continue; // no window of the block has an excess
                        const double mu = double(nz) * double(nwmin) / N; // mu_min
                        const double a = double(nmax) * (S.lnI[size_t(nmax)] - (lnNZ + S.lnI[size_t(nwmin)] - lnN));
                        const double ub = a + double(S.N - nmax) * (mu - double(nmax)) / (N - mu);
                        if (ub * pen <= thr * (1 - 1e-12) - 1e-12) continue;
                        // Sharper bound with the excess n - mu = F[j] - E[i] (separable): every window of
                        // the block lies in {n <= nmax, mu >= mu_min, 0 <= n - mu <= D}; the LLR formula is
                        // jointly convex in (n, mu) (a relative entropy), so its maximum over that polygon
                        // is at a vertex, where the formula is evaluated (the vertices on n = mu give 0).
                        if (!have_ef) {
                            // Suffix minima of E over the region's starts (down from is), prefix maxima
                            // of F over its ends (up from is): a block's starts lie in [i0, is] and its
                            // ends in [is, jhi], so these bound its excess.
                            const double k = double(nz) / N;
                            double m = INFINITY;
                            for (uint32_t i = is + 1; i-- > i0;)
                                E[i] = m = std::min(m, double(c0(i)) - k * double(S.G[size_t(P[i])]));
                            m = -INFINITY;
                            for (uint32_t j = is; j <= jr; ++j)
                                F[j] = m = std::max(m, double(c1(j)) - k * double(S.G[size_t(P[j]) + 1]));
                            have_ef = true;
                        }
                        const double emin = E[b.i0], fmax = F[jhi];
                        const double D = fmax - emin + 1e-9 * N; // slack for rounding in E and F
                        if (D <= 0) continue;
                        const double nm = double(nmax);
                        const double cut = thr * (1 - 1e-12) - 1e-12;
                        if (nm - mu <= D) {
                            if (gc(nm, mu) * pen <= cut || g(nm, mu) * pen <= cut) continue;
                        } else if (std::max(gc(nm, nm - D), gc(mu + D, mu)) * pen <= cut ||
                                   std::max(g(nm, nm - D), g(mu + D, mu)) * pen <= cut) {
                            continue;
                        }
                        // Split the longer side; the first half goes on top (met first).
                        if (b.i1 - b.i0 >= b.j1 - b.j0) {
                            const uint32_t m = b.i0 + (b.i1 - b.i0) / 2;
                            stack.push_back({m + 1, b.i1, b.j0, b.j1});
                            stack.push_back({b.i0, m, b.j0, b.j1});
                        } else {
                            const uint32_t m = b.j0 + (b.j1 - b.j0) / 2;
                            stack.push_back({b.i0, b.i1, m + 1, b.j1});
                            stack.push_back({b.i0, b.i1, b.j0, m});
                        }
                    }
                }
            }
        }
        if (per_centre) {
            // The prospective window always ends in the last period, whatever the last event period.
            if (S.prospective && best.step >= 0) best.t2 = S.T - 1;
            (*per_centre)[c] = best;
        }
        global = std::max(global, best.llr);
    }
    return global;
}

} // namespace

ScanResult space_time_permutation_scan(const EventTable& ev, const ScanParams& p, Progress progress, const Raster* population) {
    const auto t_start = std::chrono::steady_clock::now();
    if (!(p.max_share > 0 && p.max_share <= 0.5))
        throw GeoError("", "max-share", "must be in (0, 0.5] (a cluster holding more than half the events is not a cluster)");
    if (!(p.max_window_share > 0 && p.max_window_share <= 0.9)) throw GeoError("", "max-window", "share must be in (0, 0.9]");
    if (p.replications < 0) throw GeoError("", "replications", "must be 0 or more");
    if (p.centres == ScanCentres::Grid && !(p.centre_cell_km > 0)) throw GeoError("", "centre-cell-km", "must be positive");
    const Crs crs = p.analysis_crs;
    if (!crs.valid() || crs.is_geographic()) throw GeoError("", "analysis CRS", "must be projected (metric)");

    ScanResult res;
    res.params = p;
    res.crs = crs;
    std::vector<double> x, y;
    event_positions(ev, crs, x, y);
    if (p.location_cell_km > 0) {
        const double c = p.location_cell_km * 1000;
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i]))
                x[i] = (std::floor(x[i] / c) + 0.5) * c, y[i] = (std::floor(y[i] / c) + 0.5) * c;
    }
    // Poisson: the raster's cells with population > 0 are the locations; events move to their cell's
    // centre (analysis CRS), those outside every such cell are left out.
    const bool poisson = p.model == ScanModel::Poisson;
    std::map<std::pair<double, double>, double> cell_pop; // cell centre (analysis CRS) -> population
    size_t outside_pop = 0;
    if (poisson) {
        if (!population) throw GeoError("", "population", "the Poisson model needs a population raster");
        const Raster& R = *population;
        const GridSpec& g = R.grid;
        std::vector<int64_t> cell_id(g.size(), -1);
        std::vector<double> pcx, pcy;
        for (int row = 0; row < g.height; ++row)
            for (int col = 0; col < g.width; ++col) {
                const float v = R.at(col, row);
                if (R.is_nodata(v) || !(v > 0)) continue;
                cell_id[size_t(row) * size_t(g.width) + size_t(col)] = int64_t(pcx.size());
                pcx.push_back(g.col_center_x(col)), pcy.push_back(g.row_center_y(row));
            }
        if (pcx.empty()) throw GeoError(R.metadata.count("source") ? R.metadata.at("source") : "", "population", "has no cell with a value > 0");
        std::vector<double> ex = x, ey = y; // events in the raster's CRS
        const bool same = R.crs.same_as(crs);
        if (!same) {
            Transformer to_r(crs, R.crs);
            to_r.forward(ex.data(), ey.data(), ex.size());
            Transformer to_a(R.crs, crs);
            std::vector<double> ax = pcx, ay = pcy;
            to_a.forward(ax.data(), ay.data(), ax.size());
            pcx.swap(ax), pcy.swap(ay);
        }
        // The study area is the events' bounding box: populated cells whose centre lies outside it
        // (a continental raster) are no locations, unless they hold an event.
        BBox eb = BBox::inverted();
        for (size_t i = 0; i < x.size(); ++i)
            if (std::isfinite(x[i]) && std::isfinite(y[i])) eb.expand(x[i], y[i]);
        for (int row = 0; row < g.height; ++row)
            for (int col = 0; col < g.width; ++col) {
                const int64_t id = cell_id[size_t(row) * size_t(g.width) + size_t(col)];
                if (id < 0 || !std::isfinite(pcx[size_t(id)])) continue;
                const double qx = pcx[size_t(id)], qy = pcy[size_t(id)];
                if (qx < eb.xmin || qx > eb.xmax || qy < eb.ymin || qy > eb.ymax) continue;
                cell_pop[{qx, qy}] = R.at(col, row);
            }
        for (size_t i = 0; i < x.size(); ++i) {
            if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
            const double fc = std::floor((ex[i] - g.xmin) / g.cell), fr = std::floor((g.ymax - ey[i]) / g.cell);
            const int64_t id = std::isfinite(fc) && std::isfinite(fr) && fc >= 0 && fr >= 0 && fc < g.width && fr < g.height
                                   ? cell_id[size_t(fr) * size_t(g.width) + size_t(fc)]
                                   : -1;
            if (id < 0 || !std::isfinite(pcx[size_t(id)])) {
                x[i] = y[i] = stats::kNaN;
                if (ev.day[i] != kNoDay) ++outside_pop;
                continue;
            }
            // A cell holding an event is a location even when its centre is outside the box.
            cell_pop[{pcx[size_t(id)], pcy[size_t(id)]}] = R.data[size_t(fr) * size_t(g.width) + size_t(fc)];
            x[i] = pcx[size_t(id)], y[i] = pcy[size_t(id)];
        }
    }
    std::vector<uint32_t> idx;
    std::vector<int64_t> pi;
    int64_t pmin = INT64_MAX, pmax = INT64_MIN;
    for (size_t i = 0; i < ev.size(); ++i) {
        if (ev.day[i] == kNoDay) {
            ++res.undated;
            continue;
        }
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
            ++res.unplaced;
            continue;
        }
        idx.push_back(uint32_t(i));
        const int64_t q = period_index(ev.day[i], p.period);
        pi.push_back(q);
        pmin = std::min(pmin, q), pmax = std::max(pmax, q);
    }
    const size_t N = idx.size();
    res.n = N;
    if (N < 2) throw GeoError(ev.source, "events", "fewer than 2 dated, located events: nothing to scan");
    const int T = int(pmax - pmin + 1);
    if (T < 2) throw GeoError(ev.source, "events", "all events fall in one " + period_unit_name(p.period) + ": a space-time scan needs at least two periods");
    res.first_period = pmin, res.last_period = pmax, res.n_periods = size_t(T);

    ScanSetup S;
    S.N = int64_t(N), S.T = T, S.prospective = p.prospective, S.exhaustive = p.exhaustive_windows;
    S.bernoulli = p.model == ScanModel::Bernoulli;
    S.L = p.max_window_periods > 0 ? std::min(p.max_window_periods, T)
                                   : std::max(1, int(std::floor(p.max_window_share * T + 1e-9)));
    res.max_window = S.L;

    // Distinct locations (exact coordinates), events sorted by location.
    std::vector<uint32_t> o(N);
    std::iota(o.begin(), o.end(), 0u);
    std::sort(o.begin(), o.end(), [&](uint32_t a, uint32_t b) {
        const uint32_t ia = idx[a], ib = idx[b];
        if (x[ia] != x[ib]) return x[ia] < x[ib];
        if (y[ia] != y[ib]) return y[ia] < y[ib];
        return a < b;
    });
    std::vector<double> lx, ly;
    std::vector<int64_t> lcount;
    std::vector<int32_t> per(N);      // period (0..T-1) of each event in location order
    std::vector<uint32_t> ev_of(N);   // input row of each event in location order
    for (size_t k = 0; k < N; ++k) {
        const uint32_t i = idx[o[k]];
        if (k == 0 || x[i] != lx.back() || y[i] != ly.back()) {
            lx.push_back(x[i]), ly.push_back(y[i]), lcount.push_back(0);
            S.loc_start.push_back(uint32_t(k));
        }
        ++lcount.back();
        per[k] = int32_t(pi[o[k]] - pmin);
        ev_of[k] = i;
    }
    S.loc_start.push_back(uint32_t(N));
    if (poisson) {
        // Every populated cell is a location, with events or not.
        S.poisson = true;
        std::map<std::pair<double, double>, size_t> have;
        for (size_t l = 0; l < lx.size(); ++l) have[{lx[l], ly[l]}] = l;
        for (auto& [xy, w] : cell_pop)
            if (!have.count(xy)) {
                lx.push_back(xy.first), ly.push_back(xy.second), lcount.push_back(0);
                S.loc_start.push_back(uint32_t(N));
            }
        S.lw.resize(lx.size());
        for (size_t l = 0; l < lx.size(); ++l) S.lw[l] = cell_pop.at({lx[l], ly[l]}), S.W += S.lw[l];
    }
    const size_t NL = lx.size();
    std::vector<uint8_t> cs; // Bernoulli: case flag of each event in location order
    if (S.bernoulli) {
        if (p.case_types.empty()) throw GeoError("", "cases", "the Bernoulli model needs the event types that are cases");
        std::vector<uint8_t> type_case(ev.type_names.size(), 0);
        for (const auto& name : p.case_types) {
            const auto it = std::find(ev.type_names.begin(), ev.type_names.end(), name);
            if (it == ev.type_names.end())
                throw GeoError(ev.source, "cases '" + name + "'", "is not an event type of this table");
            type_case[size_t(it - ev.type_names.begin())] = 1;
        }
        cs.resize(N);
        for (size_t k = 0; k < N; ++k) {
            const uint16_t t = ev.type.empty() ? 0 : ev.type[ev_of[k]];
            cs[k] = t < type_case.size() ? type_case[t] : 0;
            S.C += cs[k];
        }
        if (S.C == 0 || S.C == int64_t(N))
            throw GeoError(ev.source, "cases", std::to_string(S.C) + " of " + std::to_string(N) +
                                                   " events are cases: the Bernoulli model needs both cases and controls");
    }
    res.n_locations = NL;
    S.G.assign(size_t(T) + 1, 0);
    for (int32_t t : per) ++S.G[size_t(t) + 1];
    for (int t = 0; t < T; ++t) S.G[size_t(t) + 1] += S.G[size_t(t)];
    S.lnI.resize(N + 1);
    S.lnI[0] = 0;
    for (size_t k = 1; k <= N; ++k) S.lnI[k] = std::log(double(k));

    // Centres.
    std::vector<double> cx, cy;
    // (Poisson: only cells with events give centres; empty cells are locations, not centres.)
    if (p.centres == ScanCentres::Events) {
        for (size_t l = 0; l < NL; ++l)
            if (!poisson || lcount[l] > 0) cx.push_back(lx[l]), cy.push_back(ly[l]);
    } else {
        const double c = p.centre_cell_km * 1000;
        std::map<std::pair<int64_t, int64_t>, int> cells;
        for (size_t l = 0; l < NL; ++l)
            if (!poisson || lcount[l] > 0) cells[{int64_t(std::floor(lx[l] / c)), int64_t(std::floor(ly[l] / c))}] = 1;
        for (auto& [k, v] : cells) cx.push_back((double(k.first) + 0.5) * c), cy.push_back((double(k.second) + 0.5) * c);
    }
    const size_t NC = cx.size();
    res.n_centres = NC;
    // A circle holds at most max_share of the events (of the population for Poisson).
    std::vector<double> lsize(NL);
    for (size_t l = 0; l < NL; ++l) lsize[l] = poisson ? S.lw[l] : double(lcount[l]);
    const double max_nz = p.max_share * (poisson ? S.W : double(N));
    const double max_r = p.max_radius_km > 0 ? p.max_radius_km * 1000 : INFINITY;
    // Window shapes: the circle, and with elliptic windows the ellipses of Kulldorff et al. (2006).
    struct Shape {
        double s, theta, pen;
    };
    std::vector<Shape> shapes{{1.0, 0.0, 1.0}};
    if (p.elliptic) {
        if (S.bernoulli || poisson) throw GeoError("", "elliptic", "elliptic windows are implemented for the permutation model only");
        const double ss[5] = {1.5, 2, 3, 4, 5};
        const int na[5] = {4, 6, 9, 12, 15};
        for (int k = 0; k < 5; ++k)
            for (int j = 0; j < na[k]; ++j)
                shapes.push_back({ss[k], M_PI * j / na[k], std::pow(4 * ss[k] / ((ss[k] + 1) * (ss[k] + 1)), p.ellipse_penalty)});
    }
    const size_t NS = shapes.size(), NE = NC * NS; // entries: centre-major (entry = c * NS + shape)
    S.order.resize(NE), S.steps.resize(NE), S.step_radius.resize(NE);
    if (p.elliptic) {
        S.pen.resize(NE);
        for (size_t e = 0; e < NE; ++e) S.pen[e] = shapes[e % NS].pen;
    }
    {
        std::vector<std::pair<double, uint32_t>> d(NL);
        for (size_t c = 0; c < NE; ++c) {
            // Ellipse "radius": the minor semi-axis b; a location is inside when sqrt((u/s)^2 + v^2) <= b
            // (u along the major axis, v across); the major semi-axis s b is what max_r bounds.
            const Shape& sh = shapes[c % NS];
            const double ccx = cx[c / NS], ccy = cy[c / NS], co = std::cos(sh.theta), si = std::sin(sh.theta);
            for (size_t l = 0; l < NL; ++l) {
                const double dx = lx[l] - ccx, dy = ly[l] - ccy;
                d[l] = {sh.s == 1.0 ? std::hypot(dx, dy) : std::hypot((dx * co + dy * si) / sh.s, -dx * si + dy * co), uint32_t(l)};
            }
            std::sort(d.begin(), d.end());
            double nz = 0;
            for (size_t l = 0; l < NL;) {
                // Locations at the same distance enter together (a circle cannot split them).
                size_t e = l;
                double add = 0;
                while (e < NL && d[e].first == d[l].first) add += lsize[d[e].second], ++e;
                if (d[l].first * sh.s > max_r || nz + add > max_nz) break;
                for (size_t k = l; k < e; ++k) S.order[c].push_back(d[k].second);
                nz += add;
                S.steps[c].push_back(uint32_t(e));
                S.step_radius[c].push_back(d[l].first);
                l = e;
            }
            res.n_bases += S.steps[c].size();
        }
    }
    progress(0.02, "scan: observed");

    std::vector<Best> bests(NE);
    if (S.bernoulli) scan_all_bernoulli(S, per, cs, &bests);
    else if (S.poisson) scan_all_poisson(S, S.loc_start, per, &bests);
    else scan_all(S, per, &bests);
    // Poisson replicas: cumulative population over locations, to draw cells in proportion to it.
    std::vector<double> lcum;
    if (S.poisson) {
        lcum.resize(NL);
        double acc = 0;
        for (size_t l = 0; l < NL; ++l) lcum[l] = (acc += S.lw[l]);
    }

    // Monte Carlo replicas: event periods permuted among the events; each replica has its own
    // generator seeded from (seed, replica number), so results do not depend on the thread count.
    const int R = p.replications;
    res.replica_max.assign(size_t(R), 0);
    if (R > 0) {
        int nt = p.threads > 0 ? p.threads : int(std::max(1u, std::thread::hardware_concurrency()));
        nt = std::max(1, std::min(nt, R));
        std::atomic<int> next{0}, done{0};
        std::atomic<bool> stop{false};
        std::exception_ptr err;
        std::atomic<bool> failed{false};
        std::mutex mu;
        std::condition_variable cv;
        auto work = [&] {
            try {
                std::vector<int32_t> q(per.size());
                std::vector<uint8_t> qc;
                for (;;) {
                    const int r = next.fetch_add(1);
                    if (r >= R || stop.load()) return;
                    stats::Rng rng(splitmix(p.seed ^ splitmix(uint64_t(r) + 1)));
                    if (S.poisson) { // each event keeps its period and gets a cell drawn by population
                        std::vector<uint32_t> loc(N), start(NL + 1, 0);
                        for (size_t k = 0; k < N; ++k) {
                            const double u = rng.uniform() * S.W;
                            loc[k] = uint32_t(std::min(NL - 1, size_t(std::upper_bound(lcum.begin(), lcum.end(), u) - lcum.begin())));
                            ++start[loc[k] + 1];
                        }
                        for (size_t l = 0; l < NL; ++l) start[l + 1] += start[l];
                        std::vector<uint32_t> fill(start.begin(), start.end() - 1);
                        for (size_t k = 0; k < N; ++k) q[fill[loc[k]]++] = per[k];
                        res.replica_max[size_t(r)] = scan_all_poisson(S, start, q, nullptr);
                    } else if (S.bernoulli) { // case labels permuted over the events
                        qc = cs;
                        rng.shuffle(std::span<uint8_t>(qc));
                        res.replica_max[size_t(r)] = scan_all_bernoulli(S, per, qc, nullptr);
                    } else {
                        q = per;
                        rng.shuffle(std::span<int32_t>(q));
                        res.replica_max[size_t(r)] = scan_all(S, q, nullptr);
                    }
                    if (done.fetch_add(1) + 1 == R) {
                        std::lock_guard<std::mutex> lk(mu);
                        cv.notify_all();
                    }
                }
            } catch (...) {
                if (!failed.exchange(true)) err = std::current_exception();
                stop = true;
                std::lock_guard<std::mutex> lk(mu);
                cv.notify_all();
            }
        };
        std::vector<std::thread> th;
        for (int i = 0; i < nt; ++i) th.emplace_back(work);
        try {
            while (done.load() < R && !stop.load()) {
                {
                    std::unique_lock<std::mutex> lk(mu);
                    cv.wait_for(lk, std::chrono::milliseconds(50), [&] { return done.load() >= R || stop.load(); });
                }
                progress(0.05 + 0.9 * double(done.load()) / R, "scan: Monte Carlo replicas");
            }
        } catch (...) {
            stop = true;
            for (auto& t : th) t.join();
            throw;
        }
        for (auto& t : th) t.join();
        if (err) std::rethrow_exception(err);
        gumbel_fit(res.replica_max, res.gumbel_mu, res.gumbel_beta);
    }

    // Clusters: each centre's best, ranked by LLR, dropping those sharing a location with one kept.
    std::vector<size_t> co;
    for (size_t c = 0; c < NE; ++c)
        if (bests[c].step >= 0 && bests[c].llr > 0) co.push_back(c);
    std::stable_sort(co.begin(), co.end(), [&](size_t a, size_t b) { return bests[a].llr > bests[b].llr; });
    std::vector<uint8_t> used(NL, 0);
    Transformer to_ll(crs, Crs::wgs84());
    for (size_t c : co) {
        if (int(res.clusters.size()) >= p.max_clusters) break;
        const Best& b = bests[c];
        const size_t nloc = S.steps[c][size_t(b.step)];
        bool overlap = false;
        for (size_t k = 0; k < nloc && !overlap; ++k) overlap = used[S.order[c][k]];
        if (overlap) continue;
        ScanCluster cl;
        cl.llr = S.bernoulli ? bernoulli_llr(double(b.n), double(b.nz), double(S.C), double(N))
                 : S.poisson ? scan_llr(double(b.n), double(b.nw) * b.wz / S.W, double(N))
                             : scan_llr(double(b.n), double(b.nz) * double(b.nw) / double(N), double(N));
        // Significance of the penalized statistic (the replicas' maxima are penalized too).
        cl.score = S.pen.empty() ? cl.llr : cl.llr * S.pen[c];
        cl.p_mc = double(1 + std::count_if(res.replica_max.begin(), res.replica_max.end(),
                                           [&](double v) { return v >= cl.score * (1 - 1e-12); })) /
                  double(R + 1);
        cl.p_gumbel = R >= 2 ? gumbel_p(cl.score, res.gumbel_mu, res.gumbel_beta) : stats::kNaN;
        if (!res.clusters.empty() && cl.p_mc > p.report_p) continue;
        for (size_t k = 0; k < nloc; ++k) used[S.order[c][k]] = 1;
        cl.rank = int(res.clusters.size()) + 1;
        cl.cx = cx[c / NS], cl.cy = cy[c / NS];
        cl.lon = cl.cx, cl.lat = cl.cy;
        cl.shape = shapes[c % NS].s, cl.angle_deg = shapes[c % NS].theta * 180 / M_PI;
        to_ll.forward(cl.lon, cl.lat);
        cl.radius_km = S.step_radius[c][size_t(b.step)] * cl.shape / 1000;
        cl.locations = nloc;
        cl.start_period = pmin + b.t1, cl.end_period = pmin + b.t2;
        cl.start_label = period_label(cl.start_period, p.period), cl.end_label = period_label(cl.end_period, p.period);
        cl.start_date = format_date(period_first_day(cl.start_period, p.period));
        cl.end_date = format_date(period_first_day(cl.end_period + 1, p.period) - 1);
        cl.observed = double(b.n);
        if (S.bernoulli) {
            // expected: the cylinder's events times the overall case share; RR: inside / outside share.
            const double m = double(b.nz), Cd = double(S.C);
            cl.expected = m * Cd / double(N);
            const double out_share = (Cd - cl.observed) / (double(N) - m);
            cl.relative_risk = out_share > 0 ? (cl.observed / m) / out_share : INFINITY;
        } else {
            cl.expected = S.poisson ? double(b.nw) * b.wz / S.W : double(b.nz) * double(b.nw) / double(N);
            const double out_ratio = (double(N) - cl.observed) / (double(N) - cl.expected);
            cl.relative_risk = out_ratio > 0 ? (cl.observed / cl.expected) / out_ratio : INFINITY;
        }
        for (size_t k = 0; k < nloc; ++k) {
            const uint32_t loc = S.order[c][k];
            for (uint32_t e = S.loc_start[loc]; e < S.loc_start[loc + 1]; ++e)
                if (per[e] >= b.t1 && per[e] <= b.t2 && (!S.bernoulli || cs[e])) cl.events.push_back(ev_of[e]);
        }
        std::sort(cl.events.begin(), cl.events.end());
        res.clusters.push_back(std::move(cl));
    }

    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    if (R > 0 && R < 99) res.warnings.push_back("fewer than 99 replications: p-values below 0.01 cannot be resolved");
    if (N < 30) res.warnings.push_back("fewer than 30 events: the scan has little power");
    if (res.undated) res.warnings.push_back(std::to_string(res.undated) + " undated events left out");
    if (res.unplaced > outside_pop)
        res.warnings.push_back(std::to_string(res.unplaced - outside_pop) + " events without usable coordinates left out");
    if (outside_pop) res.warnings.push_back(std::to_string(outside_pop) + " events outside the populated cells of the raster left out");

    Metadata& md = res.metadata;
    md = provenance(ev);
    if (S.poisson) {
        md["analysis"] = "space-time Poisson scan statistic (Kulldorff 2001, JRSS A 164:61) with a population raster";
        md["model"] = "Poisson: mu = N_window * population_zone / population_total (events of each period spread by "
                      "population: the overall time trend is adjusted for); LLR = n ln(n/mu) + (N-n) ln((N-n)/(N-mu)) for n > mu";
        md["null"] = "each event keeps its period, its raster cell drawn in proportion to population";
        md["population_raster"] = population->metadata.count("source") ? population->metadata.at("source") : "given";
        md["population_total"] = fmt_num(S.W);
        md["events_outside_population"] = std::to_string(outside_pop);
    } else if (S.bernoulli) {
        std::string types;
        for (auto& t : p.case_types) types += (types.empty() ? "" : "; ") + t;
        md["analysis"] = "space-time Bernoulli scan statistic (Kulldorff 1997, Commun Stat Theory Methods 26:1481)";
        md["model"] = "Bernoulli: cases = events of type " + types + ", controls = the other events; expected = m C / N "
                      "(m events in the cylinder, C cases of N events)";
        md["cases"] = std::to_string(S.C) + " of " + std::to_string(N) + " events";
        md["null"] = "case labels permuted over the events (every event equally likely to be a case, wherever and whenever)";
    } else {
        md["analysis"] = "space-time permutation scan statistic (Kulldorff et al. 2005, PLoS Med 2(3):e59)";
        md["model"] = "space-time permutation: mu = N_zone * N_window / N; LLR = n ln(n/mu) + (N-n) ln((N-n)/(N-mu)) for n > mu";
        md["null"] = "event periods permuted among events (space and time independent given both margins)";
    }
    md["events_scanned"] = std::to_string(N);
    md["events_undated_left_out"] = std::to_string(res.undated);
    md["events_unlocated_left_out"] = std::to_string(res.unplaced);
    md["locations"] = std::to_string(NL);
    md["locations_aggregated_to_cells_km"] = p.location_cell_km > 0 ? fmt_num(p.location_cell_km) : "no (exact coordinates)";
    md["centres"] = std::to_string(NC) + (p.centres == ScanCentres::Grid ? " (non-empty " + fmt_num(p.centre_cell_km) + " km grid cells)" : " (event locations)");
    md["circles_per_replica"] = std::to_string(res.n_bases);
    md["period"] = period_unit_name(p.period);
    md["periods"] = std::to_string(T) + " (" + period_label(pmin, p.period) + " .. " + period_label(pmax, p.period) + ")";
    md["max_window_periods"] = std::to_string(S.L);
    md["max_share_of_events"] = fmt_num(p.max_share);
    md["max_radius_km"] = p.max_radius_km > 0 ? fmt_num(p.max_radius_km) : "none";
    md["mode"] = p.prospective ? "prospective (windows end in the last period)" : "retrospective";
    md["window_shapes"] = p.elliptic ? "circles and ellipses (Kulldorff et al. 2006: shapes 1.5/2/3/4/5 at 4/6/9/12/15 angles), "
                                       "eccentricity penalty (4s/(s+1)^2)^" + fmt_num(p.ellipse_penalty)
                                     : "circles";
    md["replications"] = std::to_string(R);
    md["seed"] = std::to_string(p.seed);
    md["p_value"] = "Monte Carlo (1 + #replica maxima >= LLR)/(R + 1); p_gumbel from a Gumbel fitted by moments to the replica maxima";
    md["secondary_clusters"] = "each centre's best cylinder, ranked by LLR, sharing no event location with a higher one; their p-values use the replica maxima (conservative)";
    md["gumbel_mu"] = fmt_num(res.gumbel_mu), md["gumbel_beta"] = fmt_num(res.gumbel_beta);
    md["caveats"] = "clusters are space-time interactions relative to each place's own history, not high rates; "
                    "a change in reporting in one area (coverage, precision) looks like a cluster; population shifts over "
                    "time can create clusters the permutation model cannot tell apart";
    md["analysis_crs"] = crs.name();
    for (size_t i = 0; i < res.warnings.size(); ++i) md["warning_" + std::to_string(i + 1)] = res.warnings[i];
    progress(1.0, "scan: done");
    return res;
}

Table scan_cluster_table(const ScanResult& r) {
    Table t;
    t.columns = {"rank", "lon", "lat", "radius_km", "locations", "start", "end", "start_date", "end_date",
                 "observed", "expected", "obs_exp", "relative_risk", "llr", "p_value", "p_gumbel"};
    for (auto& c : r.clusters)
        t.rows.push_back({std::to_string(c.rank), fmt_num(c.lon, 8), fmt_num(c.lat, 8), fmt_num(c.radius_km, 6),
                          std::to_string(c.locations), c.start_label, c.end_label, c.start_date, c.end_date,
                          fmt_num(c.observed), fmt_num(c.expected, 8), fmt_num(c.observed / c.expected, 6),
                          fmt_num(c.relative_risk, 6), fmt_num(c.llr, 10), fmt_num(c.p_mc, 6), fmt_num(c.p_gumbel, 6)});
    if (r.params.elliptic) { // shape columns only when ellipses were scanned (circle-only tables unchanged)
        for (const char* col : {"shape", "angle_deg", "penalized_llr"}) t.columns.push_back(col);
        for (size_t i = 0; i < r.clusters.size(); ++i)
            for (double v : {r.clusters[i].shape, r.clusters[i].angle_deg, r.clusters[i].score}) t.rows[i].push_back(fmt_num(v, 10));
    }
    return t;
}

VectorLayer scan_cluster_layer(const ScanResult& r) {
    VectorLayer l;
    l.name = "scan_clusters";
    l.crs = r.crs;
    l.type = GeomType::Polygon;
    const Table t = scan_cluster_table(r);
    l.fields = t.columns;
    for (size_t i = 0; i < r.clusters.size(); ++i) {
        const auto& c = r.clusters[i];
        Feature f;
        f.geom.type = GeomType::Polygon;
        Ring ring;
        // A base of one location has radius 0: drawn with 1 km so that it stays visible. Ellipses:
        // major semi-axis radius_km along angle_deg, minor radius_km / shape.
        const double rad = std::max(c.radius_km, 1.0) * 1000, minor = rad / c.shape;
        const double th = c.angle_deg * M_PI / 180, co = std::cos(th), si = std::sin(th);
        for (int k = 0; k <= 64; ++k) {
            const double a = 2 * M_PI * (k % 64) / 64;
            const double u = rad * std::cos(a), v = minor * std::sin(a);
            ring.push_back({c.cx + u * co - v * si, c.cy + u * si + v * co});
        }
        f.geom.polygons.push_back({{ring}});
        for (size_t j = 0; j < t.columns.size(); ++j) {
            const std::string& v = t.rows[i][j];
            if (j == 5 || j == 6 || j == 7 || j == 8) f.attrs.push_back(v);
            else f.attrs.push_back(std::strtod(v.c_str(), nullptr));
        }
        f.fid = int64_t(i + 1);
        l.features.push_back(std::move(f));
    }
    l.metadata = r.metadata;
    return l;
}

} // namespace nexusmap
