#include "nexusmap/nexus.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <map>
#include <numeric>
#include <thread>

#include "fast_geom.hpp"
#include "nexusmap/density.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/stats.hpp"

namespace nexusmap {

const char* nexus_null_name(NexusNull n) {
    switch (n) {
    case NexusNull::Smoothed: return "smoothed";
    case NexusNull::Admin1: return "admin1";
    case NexusNull::Raster: return "raster";
    }
    return "?";
}

namespace {

uint64_t splitmix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Runs f(s) for s in [0, n) on `threads` threads; the first exception is rethrown.
template <class F>
void parallel_for(int n, int threads, F&& f) {
    int nt = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    nt = std::max(1, std::min(nt, n));
    std::atomic<int> next{0};
    std::exception_ptr err;
    std::atomic<bool> failed{false};
    auto work = [&] {
        try {
            for (int s; (s = next.fetch_add(1)) < n && !failed.load();) f(s);
        } catch (...) {
            if (!failed.exchange(true)) err = std::current_exception();
        }
    };
    std::vector<std::thread> th;
    for (int i = 1; i < nt; ++i) th.emplace_back(work);
    work();
    for (auto& t : th) t.join();
    if (err) std::rethrow_exception(err);
}

// Draws cells in proportion to non-negative weights, a point uniform within the cell.
struct CellSampler {
    GridSpec grid;
    std::vector<double> cdf;
    std::vector<uint32_t> cell;
    void build(const GridSpec& g, const std::vector<float>& w, const Raster* nodata_of) {
        grid = g;
        double acc = 0;
        for (size_t k = 0; k < w.size(); ++k) {
            const float v = w[k];
            if ((nodata_of && nodata_of->is_nodata(v)) || !(v > 0)) continue;
            acc += double(v);
            cdf.push_back(acc), cell.push_back(uint32_t(k));
        }
    }
    bool empty() const { return cdf.empty(); }
    void draw(stats::Rng& rng, double& x, double& y) const {
        const double u = rng.uniform() * cdf.back();
        size_t k = size_t(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
        k = std::min(k, cdf.size() - 1);
        const int c = int(cell[k] % uint32_t(grid.width)), r = int(cell[k] / uint32_t(grid.width));
        x = grid.xmin + (c + rng.uniform()) * grid.cell;
        y = grid.ymax - (r + rng.uniform()) * grid.cell;
    }
};

struct NullModel {
    NexusNull kind = NexusNull::Smoothed;
    Crs crs;
    CellSampler cells;
    Crs cells_crs;                  // the raster's CRS (Raster null)
    bool transform = false;
    std::vector<int> region;        // Admin1: each event's polygon (-1: stays where it is)
    std::vector<BBox> region_box;
    std::unique_ptr<PolygonIndex> index;
    const std::vector<double>*x0 = nullptr, *y0 = nullptr;
    size_t fixed = 0;

    void sample(uint64_t seed, size_t n, std::vector<double>& x, std::vector<double>& y) const {
        stats::Rng rng(seed);
        x.resize(n), y.resize(n);
        if (kind == NexusNull::Admin1) {
            for (size_t i = 0; i < n; ++i) {
                const int k = region[i];
                if (k < 0) {
                    x[i] = (*x0)[i], y[i] = (*y0)[i];
                    continue;
                }
                const BBox& b = region_box[size_t(k)];
                for (int tries = 0;; ++tries) {
                    const double px = b.xmin + rng.uniform() * (b.xmax - b.xmin), py = b.ymin + rng.uniform() * (b.ymax - b.ymin);
                    if (index->locate(px, py) == k || tries > 100000) {
                        x[i] = px, y[i] = py;
                        break;
                    }
                }
            }
            return;
        }
        for (size_t i = 0; i < n; ++i) cells.draw(rng, x[i], y[i]);
        if (transform) {
            Transformer t(cells_crs, crs);
            t.forward(x.data(), y.data(), n);
        }
    }
};

NullModel make_null(const EventTable& ev, const NexusParams& p, const NexusNullInputs& in, const std::vector<double>& x,
                    const std::vector<double>& y) {
    NullModel m;
    m.kind = p.null_model, m.crs = p.analysis_crs, m.x0 = &x, m.y0 = &y;
    if (p.null_model == NexusNull::Smoothed) {
        if (!(p.smooth_bandwidth_km > 0) || !(p.smooth_cell_km > 0))
            throw GeoError("", "smoothed null", "bandwidth and cell must be positive");
        KdeParams kp;
        kp.kernel = Kernel::Quartic, kp.bandwidth_m = p.smooth_bandwidth_km * 1000, kp.cell_m = p.smooth_cell_km * 1000;
        kp.use_weights = false, kp.threads = p.threads;
        const GridSpec g = grid_for_points(x, y, kp.bandwidth_m, kp.cell_m);
        if (g.size() > 5e7) throw GeoError("", "smoothed null", "grid of " + std::to_string(g.size()) + " cells: raise the cell size");
        KdeResult k = kernel_density({&x, &y, nullptr}, g, p.analysis_crs, kp);
        m.cells.build(k.raster.grid, k.raster.data, &k.raster);
    } else if (p.null_model == NexusNull::Raster) {
        if (!in.raster) throw GeoError("", "raster null", "needs an intensity raster");
        const Raster& r = *in.raster;
        m.cells.build(r.grid, r.data, &r);
        if (m.cells.empty()) throw GeoError(r.metadata.count("source") ? r.metadata.at("source") : "", "intensity raster", "has no positive cells");
        m.cells_crs = r.crs;
        m.transform = !r.crs.same_as(p.analysis_crs);
    } else {
        if (!in.admin1) throw GeoError("", "admin-1 null", "needs admin-1 polygons");
        VectorLayer a = in.admin1->crs.same_as(p.analysis_crs) ? *in.admin1 : reproject(*in.admin1, p.analysis_crs);
        m.index = std::make_unique<PolygonIndex>(a);
        for (auto& f : a.features) m.region_box.push_back(f.geom.bbox());
        m.region.resize(ev.size());
        for (size_t i = 0; i < ev.size(); ++i) {
            m.region[i] = std::isfinite(x[i]) ? m.index->locate(x[i], y[i]) : -1;
            if (m.region[i] < 0) ++m.fixed;
        }
    }
    return m;
}

struct RouteGeom {
    std::string name, commodity;
    double length_km = 0;
    detail::EdgeIndex edges;
    BBox box;
};

} // namespace

void nexus_null_sample(const EventTable& ev, const NexusParams& p, const NexusNullInputs& in, uint64_t seed,
                       std::vector<double>& x, std::vector<double>& y) {
    std::vector<double> ex, ey;
    event_positions(ev, p.analysis_crs, ex, ey);
    NullModel m = make_null(ev, p, in, ex, ey);
    m.sample(seed, ev.size(), x, y);
}

NexusResult nexus_route_test(const EventTable& ev, const VectorLayer& routes, const NexusParams& p,
                             const NexusNullInputs& in, Progress progress) {
    if (routes.type != GeomType::Line)
        throw GeoError(routes.source, "layer '" + routes.name + "'", "is not a line layer (routes must be lines)");
    if (!(p.d_km > 0)) throw GeoError("", "d-km", "must be positive");
    for (double d : p.curve_km)
        if (!(d > 0)) throw GeoError("", "curve-km", "distances must be positive");
    if (p.simulations < 19) throw GeoError("", "simulations", "at least 19 are needed (p-values of 0.05)");
    const Crs crs = p.analysis_crs;
    if (!crs.valid() || crs.is_geographic()) throw GeoError("", "analysis CRS", "must be projected (metric)");
    if (!routes.crs.valid()) throw GeoError(routes.source, "layer '" + routes.name + "'", "has no CRS");
    const VectorLayer rl = routes.crs.same_as(crs) ? routes : reproject(routes, crs);

    NexusResult res;
    res.params = p;
    res.crs = crs;
    std::vector<double> D = p.curve_km;
    D.push_back(p.d_km);
    std::sort(D.begin(), D.end());
    D.erase(std::unique(D.begin(), D.end()), D.end());
    res.curve_km = D;
    const size_t K = D.size(), kd = size_t(std::find(D.begin(), D.end(), p.d_km) - D.begin());
    const double dmax = D.back() * 1000;

    // Events with usable positions.
    std::vector<double> x, y;
    event_positions(ev, crs, x, y);
    EventTable evu;
    {
        std::vector<bool> keep(ev.size());
        for (size_t i = 0; i < ev.size(); ++i) keep[i] = std::isfinite(x[i]) && std::isfinite(y[i]);
        res.unplaced = size_t(std::count(keep.begin(), keep.end(), false));
        evu = res.unplaced ? ev.subset(keep) : ev;
        if (res.unplaced) event_positions(evu, crs, x, y);
    }
    const size_t n = evu.size();
    res.n = n;
    if (n == 0) throw GeoError(ev.source, "events", "no events with usable coordinates");

    // Routes and their units: each route, each commodity, all.
    std::vector<RouteGeom> rg;
    const int ci = rl.field_index(p.commodity_field), ni = rl.field_index(p.name_field);
    for (size_t fi = 0; fi < rl.features.size(); ++fi) {
        const Feature& f = rl.features[fi];
        if (f.geom.lines.empty()) continue;
        RouteGeom g;
        g.name = ni >= 0 ? attr_to_string(f.attrs[size_t(ni)]) : "";
        if (g.name.empty()) g.name = "route " + std::to_string(fi + 1);
        g.commodity = ci >= 0 ? attr_to_string(f.attrs[size_t(ci)]) : "";
        if (g.commodity.empty()) g.commodity = "unknown";
        g.edges.add_lines(f.geom, 0);
        g.edges.build();
        g.box = f.geom.bbox();
        g.box = {g.box.xmin - dmax, g.box.ymin - dmax, g.box.xmax + dmax, g.box.ymax + dmax};
        for (auto& l : f.geom.lines)
            for (size_t k = 1; k < l.size(); ++k) g.length_km += std::hypot(l[k].x - l[k - 1].x, l[k].y - l[k - 1].y) / 1000;
        rg.push_back(std::move(g));
    }
    if (rg.empty()) throw GeoError(routes.source, "layer '" + routes.name + "'", "has no line features");
    std::vector<std::string> comms;
    for (auto& g : rg)
        if (std::find(comms.begin(), comms.end(), g.commodity) == comms.end()) comms.push_back(g.commodity);
    const size_t NR = rg.size(), NCm = comms.size(), U = NR + NCm + 1;
    std::vector<size_t> comm_of(NR);
    for (size_t r = 0; r < NR; ++r) comm_of[r] = size_t(std::find(comms.begin(), comms.end(), rg[r].commodity) - comms.begin());

    // Counts within each distance of D for every unit, for one set of positions.
    auto count = [&](const std::vector<double>& px, const std::vector<double>& py, std::vector<double>& out) {
        std::vector<double> hist(U * K, 0);
        std::vector<double> cmin(NCm);
        for (size_t i = 0; i < px.size(); ++i) {
            double amin = INFINITY;
            std::fill(cmin.begin(), cmin.end(), INFINITY);
            for (size_t r = 0; r < NR; ++r) {
                if (!rg[r].box.contains(px[i], py[i])) continue;
                int part;
                const double d = rg[r].edges.nearest(px[i], py[i], part, dmax);
                if (!(d <= dmax)) continue;
                const size_t k = size_t(std::lower_bound(D.begin(), D.end(), d / 1000) - D.begin());
                if (k < K) hist[r * K + k] += 1;
                cmin[comm_of[r]] = std::min(cmin[comm_of[r]], d), amin = std::min(amin, d);
            }
            for (size_t c = 0; c < NCm; ++c)
                if (cmin[c] <= dmax) {
                    const size_t k = size_t(std::lower_bound(D.begin(), D.end(), cmin[c] / 1000) - D.begin());
                    if (k < K) hist[(NR + c) * K + k] += 1;
                }
            if (amin <= dmax) {
                const size_t k = size_t(std::lower_bound(D.begin(), D.end(), amin / 1000) - D.begin());
                if (k < K) hist[(NR + NCm) * K + k] += 1;
            }
        }
        for (size_t u = 0; u < U; ++u)
            for (size_t k = 1; k < K; ++k) hist[u * K + k] += hist[u * K + k - 1];
        out = std::move(hist);
    };
    progress(0.02, "nexus: null model");
    std::vector<double> obs;
    count(x, y, obs);
    const NullModel null = make_null(evu, p, in, x, y);
    res.fixed = null.fixed;
    const int S = p.simulations;
    std::vector<std::vector<double>> sims(static_cast<size_t>(S));
    std::atomic<int> done{0};
    parallel_for(S, p.threads, [&](int s) {
        std::vector<double> sx, sy;
        null.sample(splitmix(p.seed ^ splitmix(uint64_t(s) + 1)), n, sx, sy);
        count(sx, sy, sims[size_t(s)]);
        done.fetch_add(1);
    });
    progress(0.95, "nexus: summaries");

    // Summaries per unit.
    const size_t nrank = size_t(std::max(1.0, std::floor(p.alpha * (S + 1))));
    for (size_t u = 0; u < U; ++u) {
        NexusUnit nu;
        if (u < NR) nu.kind = "route", nu.name = rg[u].name, nu.commodity = rg[u].commodity, nu.length_km = rg[u].length_km;
        else if (u < NR + NCm) {
            nu.kind = "commodity", nu.name = "all " + comms[u - NR] + " routes", nu.commodity = comms[u - NR];
            for (size_t r = 0; r < NR; ++r)
                if (comm_of[r] == u - NR) nu.length_km += rg[r].length_km;
        } else {
            nu.kind = "all", nu.name = "all routes", nu.commodity = "all";
            for (auto& g : rg) nu.length_km += g.length_km;
        }
        nu.curve_obs.resize(K), nu.curve_mean.assign(K, 0), nu.curve_lo.assign(K, INFINITY), nu.curve_hi.assign(K, -INFINITY);
        for (size_t k = 0; k < K; ++k) {
            nu.curve_obs[k] = obs[u * K + k];
            for (int s = 0; s < S; ++s) {
                const double v = sims[size_t(s)][u * K + k];
                nu.curve_mean[k] += v / S;
                nu.curve_lo[k] = std::min(nu.curve_lo[k], v), nu.curve_hi[k] = std::max(nu.curve_hi[k], v);
            }
        }
        nu.observed = nu.curve_obs[kd], nu.expected = nu.curve_mean[kd];
        nu.ratio = nu.expected > 0 ? nu.observed / nu.expected : stats::kNaN;
        double ss = 0;
        int ge = 0;
        for (int s = 0; s < S; ++s) {
            const double v = sims[size_t(s)][u * K + kd];
            ss += (v - nu.expected) * (v - nu.expected);
            ge += v >= nu.observed;
        }
        nu.sim_sd = std::sqrt(ss / std::max(1, S - 1));
        nu.p = double(1 + ge) / double(S + 1);
        // Global MAD envelope: the nrank-th largest maximum deviation from the mean curve.
        std::vector<double> dev(static_cast<size_t>(S));
        double dobs = 0;
        for (size_t k = 0; k < K; ++k) dobs = std::max(dobs, std::fabs(nu.curve_obs[k] - nu.curve_mean[k]));
        for (int s = 0; s < S; ++s) {
            double m = 0;
            for (size_t k = 0; k < K; ++k) m = std::max(m, std::fabs(sims[size_t(s)][u * K + k] - nu.curve_mean[k]));
            dev[size_t(s)] = m;
        }
        std::sort(dev.begin(), dev.end(), std::greater<>());
        const double half = dev[std::min(nrank, dev.size()) - 1];
        nu.global_lo.resize(K), nu.global_hi.resize(K);
        for (size_t k = 0; k < K; ++k) nu.global_lo[k] = std::max(0.0, nu.curve_mean[k] - half), nu.global_hi[k] = nu.curve_mean[k] + half;
        nu.p_global = double(1 + std::count_if(dev.begin(), dev.end(), [&](double v) { return v >= dobs; })) / double(S + 1);
        res.units.push_back(std::move(nu));
    }
    for (const char* kind : {"route", "commodity"}) {
        std::vector<double> ps;
        std::vector<size_t> at;
        for (size_t u = 0; u < U; ++u)
            if (res.units[u].kind == kind) ps.push_back(res.units[u].p), at.push_back(u);
        const auto q = stats::bh_adjust(ps);
        for (size_t j = 0; j < at.size(); ++j) res.units[at[j]].q = q[j];
    }
    res.units.back().q = res.units.back().p;

    if (res.unplaced) res.warnings.push_back(std::to_string(res.unplaced) + " events without usable coordinates left out");
    if (res.fixed) res.warnings.push_back(std::to_string(res.fixed) + " events outside every admin-1 polygon were kept in place in the simulations");
    if (n < 30) res.warnings.push_back("fewer than 30 events: the test has little power");
    Metadata& md = res.metadata;
    md = provenance(ev);
    if (routes.illustrative()) md["routes_illustrative"] = "true (the bundled routes are ILLUSTRATIVE, not an intelligence product)";
    md["routes_source"] = routes.source;
    md["analysis"] = "events near trafficking routes against a Monte Carlo null (docs/nexus.md)";
    md["null_model"] = nexus_null_name(p.null_model);
    if (p.null_model == NexusNull::Smoothed)
        md["null_detail"] = "events drawn from their own intensity smoothed by a quartic kernel of " + fmt_num(p.smooth_bandwidth_km) +
                            " km on " + fmt_num(p.smooth_cell_km) + " km cells, uniform within cells (sea cells included where the kernel reaches)";
    else if (p.null_model == NexusNull::Admin1)
        md["null_detail"] = "each event moved uniformly within its own admin-1 polygon (regional counts kept)";
    else
        md["null_detail"] = "events drawn from the given raster's cells in proportion to value, uniform within cells";
    md["d_km"] = fmt_num(p.d_km);
    md["events"] = std::to_string(n);
    md["simulations"] = std::to_string(S);
    md["seed"] = std::to_string(p.seed);
    md["p_value"] = "one-sided Monte Carlo (1 + #sims >= observed)/(S + 1); q: Benjamini-Hochberg within routes and within commodities";
    md["envelopes"] = "pointwise min/max of the simulations; global: maximum absolute deviation envelope (spatstat envelope(global=TRUE)) at alpha " + fmt_num(p.alpha);
    md["caveats"] = "association, not cause: routes follow towns and roads where people and reporting also are; the answer depends on the null model; "
                    "geo-precision of events (admin centroids) can place events on or off a route";
    md["analysis_crs"] = crs.name();
    for (size_t i = 0; i < res.warnings.size(); ++i) md["warning_" + std::to_string(i + 1)] = res.warnings[i];
    progress(1.0, "nexus: done");
    return res;
}

ClqResult colocation_quotient(const std::vector<double>& x, const std::vector<double>& y,
                              const std::vector<std::string>& labels, const std::vector<std::string>& categories_in,
                              int simulations, uint64_t seed) {
    const size_t n = x.size();
    if (y.size() != n || labels.size() != n) throw GeoError("", "co-location quotient", "coordinate and label counts differ");
    if (n < 3) throw GeoError("", "co-location quotient", "needs at least 3 points");
    std::map<std::string, int> code;
    std::vector<std::string> cats;
    std::vector<int> lab(n);
    for (size_t i = 0; i < n; ++i) {
        auto [it, added] = code.emplace(labels[i], int(cats.size()));
        if (added) cats.push_back(labels[i]);
        lab[i] = it->second;
    }
    const int C = int(cats.size());
    // Nearest neighbours with ties: NN(i) = every j != i at the minimum distance.
    double ext = 0;
    for (size_t i = 0; i < n; ++i) ext = std::max({ext, std::fabs(x[i]), std::fabs(y[i])});
    detail::PointGrid grid(x, y, std::max(1.0, 2 * ext / std::sqrt(double(n))));
    std::vector<uint32_t> nn_start(1, 0), nn;
    for (size_t i = 0; i < n; ++i) {
        double best = INFINITY;
        std::vector<uint32_t> ties;
        for (double r = grid.cell();; r *= 2) {
            best = INFINITY, ties.clear();
            grid.for_cells({x[i] - r, y[i] - r, x[i] + r, y[i] + r}, [&](const BBox&, const uint32_t* idx, size_t c) {
                for (size_t k = 0; k < c; ++k) {
                    const uint32_t j = idx[k];
                    if (j == i) continue;
                    const double d = std::hypot(x[j] - x[i], y[j] - y[i]);
                    if (d < best) best = d, ties.assign(1, j);
                    else if (d == best) ties.push_back(j);
                }
            });
            if (best <= r) break;
            if (r > 4 * ext + 1e12) break;
        }
        nn.insert(nn.end(), ties.begin(), ties.end());
        nn_start.push_back(uint32_t(nn.size()));
    }
    auto matrix = [&](const std::vector<int>& l) {
        std::vector<double> m(size_t(C * C), 0);
        for (size_t i = 0; i < n; ++i) {
            const uint32_t a = nn_start[i], b = nn_start[i + 1];
            const double w = 1.0 / double(b - a);
            for (uint32_t k = a; k < b; ++k) m[size_t(l[i] * C + l[nn[k]])] += w;
        }
        return m;
    };
    std::vector<size_t> cnt(size_t(C), 0);
    for (int l : lab) ++cnt[size_t(l)];
    auto clq = [&](const std::vector<double>& m, int a, int b) {
        const double nb = double(cnt[size_t(b)]) - (a == b ? 1.0 : 0.0);
        return nb > 0 ? (m[size_t(a * C + b)] / double(cnt[size_t(a)])) / (nb / double(n - 1)) : stats::kNaN;
    };
    std::vector<int> sel;
    if (categories_in.empty()) {
        for (int c = 0; c < C; ++c)
            if (cnt[size_t(c)] >= 2) sel.push_back(c);
    } else {
        for (auto& s : categories_in) {
            auto it = code.find(s);
            if (it == code.end()) throw GeoError("", "co-location quotient", "no point has category '" + s + "'");
            sel.push_back(it->second);
        }
    }
    const auto m0 = matrix(lab);
    ClqResult res;
    res.n = n, res.simulations = simulations;
    for (int a : sel)
        for (int b : sel) {
            ClqEntry e;
            e.a = cats[size_t(a)], e.b = cats[size_t(b)], e.n_a = cnt[size_t(a)], e.n_b = cnt[size_t(b)];
            e.clq = clq(m0, a, b);
            res.entries.push_back(e);
        }
    std::vector<int> hi(res.entries.size(), 0), lo(res.entries.size(), 0);
    std::vector<double> sum(res.entries.size(), 0);
    stats::Rng rng(seed);
    std::vector<int> perm = lab;
    for (int s = 0; s < simulations; ++s) {
        rng.shuffle(std::span<int>(perm));
        const auto m = matrix(perm);
        size_t k = 0;
        for (int a : sel)
            for (int b : sel) {
                const double v = clq(m, a, b), o = res.entries[k].clq;
                hi[k] += v >= o * (1 - 1e-12), lo[k] += v <= o * (1 + 1e-12), sum[k] += v;
                ++k;
            }
    }
    for (size_t k = 0; k < res.entries.size(); ++k) {
        res.entries[k].p_high = double(1 + hi[k]) / (simulations + 1);
        res.entries[k].p_low = double(1 + lo[k]) / (simulations + 1);
        res.entries[k].sim_mean = simulations > 0 ? sum[k] / simulations : stats::kNaN;
    }
    res.metadata["analysis"] = "co-location quotient (Leslie & Kronenfeld 2011), nearest neighbour with ties split equally";
    res.metadata["null"] = "category labels permuted over the fixed points (" + std::to_string(simulations) + " permutations, seed " + std::to_string(seed) + ")";
    res.metadata["reading"] = "CLQ(A->B) > 1: A's nearest neighbours are B more often than B's share of the other points";
    return res;
}

Table nexus_unit_table(const NexusResult& r) {
    Table t;
    t.columns = {"kind", "name", "commodity", "length_km", "d_km", "observed", "expected", "sim_sd", "ratio", "p", "q_bh", "p_global_curve"};
    for (auto& u : r.units)
        t.rows.push_back({u.kind, u.name, u.commodity, fmt_num(u.length_km, 6), fmt_num(r.params.d_km), fmt_num(u.observed),
                          fmt_num(u.expected, 6), fmt_num(u.sim_sd, 4), fmt_num(u.ratio, 4), fmt_num(u.p, 4), fmt_num(u.q, 4),
                          fmt_num(u.p_global, 4)});
    return t;
}

Table nexus_curve_table(const NexusResult& r) {
    Table t;
    t.columns = {"kind", "name", "d_km", "observed", "expected", "lo_pointwise", "hi_pointwise", "lo_global", "hi_global"};
    for (auto& u : r.units)
        for (size_t k = 0; k < r.curve_km.size(); ++k)
            t.rows.push_back({u.kind, u.name, fmt_num(r.curve_km[k]), fmt_num(u.curve_obs[k]), fmt_num(u.curve_mean[k], 6),
                              fmt_num(u.curve_lo[k]), fmt_num(u.curve_hi[k]), fmt_num(u.global_lo[k], 6), fmt_num(u.global_hi[k], 6)});
    return t;
}

Table clq_table(const ClqResult& r) {
    Table t;
    t.columns = {"category_a", "category_b", "n_a", "n_b", "clq", "sim_mean", "p_high", "p_low"};
    for (auto& e : r.entries)
        t.rows.push_back({e.a, e.b, std::to_string(e.n_a), std::to_string(e.n_b), fmt_num(e.clq, 6), fmt_num(e.sim_mean, 6),
                          fmt_num(e.p_high, 4), fmt_num(e.p_low, 4)});
    return t;
}

VectorLayer nexus_route_layer(const NexusResult& r, const VectorLayer& routes) {
    VectorLayer rl;
    rl.name = "nexus_routes", rl.crs = routes.crs, rl.type = GeomType::Line;
    const Table ut = nexus_unit_table(r);
    rl.fields = ut.columns;
    size_t u = 0;
    for (auto& f : routes.features) {
        if (f.geom.lines.empty() || u >= r.units.size() || r.units[u].kind != "route") continue;
        Feature g;
        g.geom = f.geom;
        for (size_t j = 0; j < ut.columns.size(); ++j) {
            const std::string& v = ut.rows[u][j];
            if (j < 3) g.attrs.push_back(v);
            else g.attrs.push_back(std::strtod(v.c_str(), nullptr));
        }
        g.fid = int64_t(u + 1);
        rl.features.push_back(std::move(g));
        ++u;
    }
    rl.metadata = r.metadata;
    return rl;
}

void extreme_rank_envelope(const std::vector<std::vector<double>>& curves, double alpha, std::vector<double>& lo,
                           std::vector<double>& hi, double& p) {
    const size_t S = curves.size(), K = S ? curves[0].size() : 0;
    lo.assign(K, stats::kNaN), hi.assign(K, stats::kNaN);
    p = 1;
    if (S < 2 || K == 0) return;
    // Pointwise ranks from below and above (ties: a rank counts every curve with a value <= / >=
    // this one); each curve's vector of min(below, above) over r, sorted ascending, is its extreme
    // rank length (ERL) signature: lexicographically smaller = more extreme. The plain extreme rank
    // (the first entry) ties a lot with few distances; ERL breaks those ties.
    std::vector<std::vector<uint32_t>> R(S, std::vector<uint32_t>(K));
    std::vector<double> col(S), sorted(S);
    for (size_t k = 0; k < K; ++k) {
        for (size_t i = 0; i < S; ++i) col[i] = curves[i][k];
        sorted = col;
        std::sort(sorted.begin(), sorted.end());
        for (size_t i = 0; i < S; ++i) {
            const size_t below = size_t(std::upper_bound(sorted.begin(), sorted.end(), col[i]) - sorted.begin());
            const size_t above = S - size_t(std::lower_bound(sorted.begin(), sorted.end(), col[i]) - sorted.begin());
            R[i][k] = uint32_t(std::min(below, above));
        }
    }
    for (auto& v : R) std::sort(v.begin(), v.end());
    size_t worse = 0; // curves at least as extreme as the observed one (itself included)
    for (size_t i = 0; i < S; ++i) worse += R[i] <= R[0];
    p = double(worse) / double(S);
    // Envelope: the pointwise range of the curves left after dropping the floor(alpha S) most
    // extreme ones (ERL order).
    std::vector<size_t> order(S);
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return R[a] < R[b]; });
    const size_t drop = std::min(S - 1, size_t(std::floor(alpha * double(S))));
    for (size_t k = 0; k < K; ++k) {
        double l = INFINITY, h = -INFINITY;
        for (size_t q = drop; q < S; ++q) l = std::min(l, curves[order[q]][k]), h = std::max(h, curves[order[q]][k]);
        lo[k] = l, hi[k] = h;
    }
}

CrossKResult cross_k(const std::vector<double>& ax, const std::vector<double>& ay, const std::vector<double>& bx,
                     const std::vector<double>& by, const CrossKParams& p) {
    if (ax.size() != ay.size() || bx.size() != by.size()) throw GeoError("", "cross-K", "coordinate arrays differ in length");
    if (ax.size() < 2 || bx.size() < 2) throw GeoError("", "cross-K", "needs at least 2 points of each category");
    if (p.r_km.empty()) throw GeoError("", "cross-K", "needs at least one distance");
    for (double r : p.r_km)
        if (!(r > 0)) throw GeoError("", "cross-K distances", "must be positive");
    if (p.simulations < 0) throw GeoError("", "cross-K simulations", "must be 0 or more");
    CrossKResult res;
    res.r_km = p.r_km;
    std::sort(res.r_km.begin(), res.r_km.end());
    res.n_a = ax.size(), res.n_b = bx.size(), res.simulations = p.simulations;
    // Pooled points; label 1 = A.
    std::vector<double> x = ax, y = ay;
    x.insert(x.end(), bx.begin(), bx.end()), y.insert(y.end(), by.begin(), by.end());
    const size_t n = x.size(), K = res.r_km.size();
    double area = p.area_km2 * 1e6;
    if (!(area > 0)) {
        const auto [x0, x1] = std::minmax_element(x.begin(), x.end());
        const auto [y0, y1] = std::minmax_element(y.begin(), y.end());
        area = (*x1 - *x0) * (*y1 - *y0);
    }
    if (!(area > 0)) throw GeoError("", "cross-K", "the points span no area");
    res.area_km2 = area / 1e6;
    // Pairs within the largest r, once: (i, j, distance bin). Labels change between simulations,
    // distances do not; a grid of cells of the largest r finds the pairs.
    const double rmax = res.r_km.back() * 1000;
    std::vector<double> r2(K);
    for (size_t k = 0; k < K; ++k) r2[k] = res.r_km[k] * 1000 * res.r_km[k] * 1000;
    struct Pair {
        uint32_t i, j;
        uint16_t bin; // first k with d^2 <= r2[k]
    };
    std::vector<Pair> pairs;
    {
        std::map<std::pair<int64_t, int64_t>, std::vector<uint32_t>> cells;
        for (size_t i = 0; i < n; ++i) cells[{int64_t(std::floor(x[i] / rmax)), int64_t(std::floor(y[i] / rmax))}].push_back(uint32_t(i));
        for (size_t i = 0; i < n; ++i) {
            const int64_t cx = int64_t(std::floor(x[i] / rmax)), cy = int64_t(std::floor(y[i] / rmax));
            for (int64_t dx = -1; dx <= 1; ++dx)
                for (int64_t dy = -1; dy <= 1; ++dy) {
                    auto it = cells.find({cx + dx, cy + dy});
                    if (it == cells.end()) continue;
                    for (uint32_t j : it->second) {
                        if (j <= i) continue;
                        const double d2 = (x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]);
                        const size_t b = size_t(std::lower_bound(r2.begin(), r2.end(), d2) - r2.begin());
                        if (b < K) pairs.push_back({uint32_t(i), j, uint16_t(b)});
                    }
                }
        }
    }
    const double scale = area / (double(res.n_a) * double(res.n_b));
    auto l_curve = [&](const std::vector<uint8_t>& isA, std::vector<double>* kout) {
        std::vector<double> c(K, 0);
        for (const Pair& q : pairs)
            if (isA[q.i] != isA[q.j]) c[q.bin] += 1;
        for (size_t k = 1; k < K; ++k) c[k] += c[k - 1];
        std::vector<double> l(K);
        for (size_t k = 0; k < K; ++k) {
            const double kk = scale * c[k];
            if (kout) (*kout)[k] = kk;
            l[k] = std::sqrt(kk / M_PI) / 1000; // km
        }
        return l;
    };
    std::vector<uint8_t> lab(n, 0);
    std::fill(lab.begin(), lab.begin() + ptrdiff_t(res.n_a), 1);
    res.k_obs.assign(K, 0);
    std::vector<std::vector<double>> curves{l_curve(lab, &res.k_obs)};
    for (double& v : res.k_obs) v /= 1e6; // km^2
    res.l_obs = curves[0];
    for (int s = 0; s < p.simulations; ++s) {
        std::vector<uint8_t> q = lab;
        stats::Rng rng(p.seed ^ (0x9e3779b97f4a7c15ULL * uint64_t(s + 1)));
        rng.shuffle(std::span<uint8_t>(q));
        curves.push_back(l_curve(q, nullptr));
    }
    res.l_mean.assign(K, stats::kNaN), res.lo_pointwise.assign(K, stats::kNaN), res.hi_pointwise.assign(K, stats::kNaN);
    if (p.simulations > 0) {
        for (size_t k = 0; k < K; ++k) {
            std::vector<double> v;
            for (size_t s = 1; s < curves.size(); ++s) v.push_back(curves[s][k]);
            double m = 0;
            for (double u : v) m += u;
            res.l_mean[k] = m / double(v.size());
            std::sort(v.begin(), v.end());
            const double S = double(v.size());
            res.lo_pointwise[k] = v[size_t(std::clamp(std::floor(p.alpha / 2 * S), 0.0, S - 1))];
            res.hi_pointwise[k] = v[size_t(std::clamp(std::ceil((1 - p.alpha / 2) * S) - 1, 0.0, S - 1))];
        }
        extreme_rank_envelope(curves, p.alpha, res.lo_global, res.hi_global, res.p_global);
    }
    Metadata& md = res.metadata;
    md["analysis"] = "cross-K / L function between two event categories (no edge correction)";
    md["estimator"] = "K_AB(r) = |W| / (n_A n_B) #{pairs within r}; L = sqrt(K / pi); |W| = " +
                      (p.area_km2 > 0 ? std::string("given") : std::string("bounding box of the points")) + " (" +
                      fmt_num(res.area_km2) + " km2)";
    md["null"] = "random labelling: A/B labels permuted over the pooled points (" + std::to_string(p.simulations) + " simulations, seed " + std::to_string(p.seed) + ")";
    md["envelopes"] = "pointwise alpha/2 quantiles; global extreme rank envelope (Myllymaki et al. 2017) at alpha " + fmt_num(p.alpha);
    md["p_global"] = fmt_num(res.p_global, 4);
    md["caveats"] = "no edge correction: K is biased low near the window's edges for both observed and simulated curves "
                    "alike, so the test stays valid; L above the envelope = B closer to A than labels alone explain";
    return res;
}

Table cross_k_table(const CrossKResult& r) {
    Table t;
    t.columns = {"r_km", "k_obs_km2", "l_obs_km", "l_mean_km", "lo_pointwise", "hi_pointwise", "lo_global", "hi_global"};
    for (size_t k = 0; k < r.r_km.size(); ++k)
        t.rows.push_back({fmt_num(r.r_km[k]), fmt_num(r.k_obs[k], 8), fmt_num(r.l_obs[k], 8), fmt_num(r.l_mean[k], 8),
                          fmt_num(r.lo_pointwise[k], 8), fmt_num(r.hi_pointwise[k], 8),
                          k < r.lo_global.size() ? fmt_num(r.lo_global[k], 8) : "", k < r.hi_global.size() ? fmt_num(r.hi_global[k], 8) : ""});
    return t;
}

} // namespace nexusmap
