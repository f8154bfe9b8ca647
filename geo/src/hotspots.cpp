#include "nexusmap/hotspots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>

#include "nexusmap/error.hpp"

namespace nexusmap {

using stats::kNaN;

namespace {

constexpr double kSqrt3 = 1.73205080756887729353;

// How often long loops report progress (and so may be cancelled).
constexpr size_t kProgressEvery = 4096;

// Uniform bucket grid over points, for radius and nearest-neighbour queries. The cell count is
// capped near 4n so a tiny search radius over a huge extent cannot explode memory.
class PointGrid {
  public:
    PointGrid(const UnitCentroids& c, double cell_hint) : c_(c) {
        BBox b = BBox::inverted();
        for (size_t i = 0; i < c.size(); ++i) b.expand(c.x[i], c.y[i]);
        if (c.size() == 0) b = {0, 0, 0, 0};
        x0_ = b.xmin;
        y0_ = b.ymin;
        const double w = std::max(b.width(), 0.0), h = std::max(b.height(), 0.0);
        const double cap = 4.0 * static_cast<double>(c.size()) + 16.0;
        const double area = w * h, nn = std::max(static_cast<double>(c.size()), 1.0);
        double cs = cell_hint;
        if (!(cs > 0)) cs = area > 0 ? std::sqrt(2 * area / nn) : std::max(w, h) / nn; // ~2 points a cell
        if ((w / cs + 1) * (h / cs + 1) > cap) cs = std::max(area > 0 ? std::sqrt(area / cap) : 0.0, std::max(w, h) / cap);
        if (!(cs > 0) || !std::isfinite(cs)) cs = 1;
        cs_ = cs;
        nx_ = static_cast<int>(std::min(w / cs, cap)) + 1;
        ny_ = static_cast<int>(std::min(h / cs, cap)) + 1;
        start_.assign(static_cast<size_t>(nx_) * ny_ + 1, 0);
        std::vector<int32_t> cell(c.size());
        for (size_t i = 0; i < c.size(); ++i) {
            cell[i] = static_cast<int32_t>(static_cast<size_t>(row(c.y[i])) * nx_ + col(c.x[i]));
            ++start_[cell[i] + 1];
        }
        std::partial_sum(start_.begin(), start_.end(), start_.begin());
        items_.resize(c.size());
        std::vector<int32_t> fill(start_.begin(), start_.end() - 1);
        for (size_t i = 0; i < c.size(); ++i) items_[fill[cell[i]]++] = static_cast<int32_t>(i);
    }
    int col(double x) const { return std::clamp(static_cast<int>(std::floor((x - x0_) / cs_)), 0, nx_ - 1); }
    int row(double y) const { return std::clamp(static_cast<int>(std::floor((y - y0_) / cs_)), 0, ny_ - 1); }
    double cell_size() const { return cs_; }
    int nx() const { return nx_; }
    int ny() const { return ny_; }

    // Calls f(j) for every point in the cells overlapping the box around (x, y) of half-size r.
    template <class F> void visit(double x, double y, double r, F&& f) const {
        const int c0 = col(x - r), c1 = col(x + r), r0 = row(y - r), r1 = row(y + r);
        for (int rr = r0; rr <= r1; ++rr)
            for (int cc = c0; cc <= c1; ++cc) visit_cell(cc, rr, f);
    }
    template <class F> void visit_cell(int cc, int rr, F&& f) const {
        const size_t k = static_cast<size_t>(rr) * nx_ + cc;
        for (int32_t s = start_[k]; s < start_[k + 1]; ++s) f(items_[s]);
    }
    // Points within band d of point i (excluding i), in ascending index order.
    void band(size_t i, double d, std::vector<int32_t>& out) const {
        out.clear();
        const double xi = c_.x[i], yi = c_.y[i];
        visit(xi, yi, d * (1 + kBandSlack), [&](int32_t j) {
            if (static_cast<size_t>(j) == i) return;
            const double dx = c_.x[j] - xi, dy = c_.y[j] - yi;
            if (within_band(dx * dx + dy * dy, d)) out.push_back(j);
        });
        std::sort(out.begin(), out.end());
    }
    // The k nearest points to point i (excluding i) as (dist^2, index), closest first; distance
    // ties by index. Rings of cells grow until no unvisited cell can hold a closer point.
    void nearest(size_t i, size_t k, std::vector<std::pair<double, int32_t>>& out) const {
        out.clear();
        if (k == 0) return;
        const double xi = c_.x[i], yi = c_.y[i];
        const int ci = col(xi), ri = row(yi);
        const int max_ring = std::max(nx_, ny_);
        for (int ring = 0; ring <= max_ring; ++ring) {
            for (int rr = ri - ring; rr <= ri + ring; ++rr) {
                if (rr < 0 || rr >= ny_) continue;
                const bool edge_row = (rr == ri - ring || rr == ri + ring);
                for (int cc = ci - ring; cc <= ci + ring; cc += (edge_row || ring == 0) ? 1 : 2 * ring) {
                    if (cc < 0 || cc >= nx_) continue;
                    visit_cell(cc, rr, [&](int32_t j) {
                        if (static_cast<size_t>(j) == i) return;
                        const double dx = c_.x[j] - xi, dy = c_.y[j] - yi;
                        out.emplace_back(dx * dx + dy * dy, j);
                    });
                }
            }
            if (out.size() >= k) {
                std::nth_element(out.begin(), out.begin() + (k - 1), out.end());
                // Points in ring+1 or beyond are at least ring * cs away; stop when the k-th is closer.
                const double reach = ring * cs_;
                if (out[k - 1].first < reach * reach) break;
            }
        }
        std::sort(out.begin(), out.end());
        if (out.size() > k) out.resize(k);
    }

  private:
    const UnitCentroids& c_;
    double x0_ = 0, y0_ = 0, cs_ = 1;
    int nx_ = 1, ny_ = 1;
    std::vector<int32_t> start_, items_;
};

void check_values(std::span<const double> x, size_t n, const char* what) {
    if (x.size() != n)
        throw GeoError(std::string(what) + ": " + std::to_string(x.size()) + " values for " + std::to_string(n) +
                       " units");
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]))
            throw GeoError(std::string(what) + ": value of unit " + std::to_string(i) +
                           " is not finite (mask or drop it)");
}

void report(const Progress& progress, size_t i, size_t n, std::string_view stage, double f0 = 0, double f1 = 1) {
    if (i % kProgressEvery == 0 && n > 0) progress(f0 + (f1 - f0) * static_cast<double>(i) / n, stage);
}

// Mean and population standard deviation (two-pass, so no cancellation).
std::pair<double, double> mean_sd(std::span<const double> x) {
    if (x.empty()) return {kNaN, kNaN};
    double s = 0;
    for (double v : x) s += v;
    const double m = s / static_cast<double>(x.size());
    double ss = 0;
    for (double v : x) ss += (v - m) * (v - m);
    return {m, std::sqrt(ss / static_cast<double>(x.size()))};
}

// Folded pseudo p from permutation counts: (min(#>=, #<=) + 1) / (P + 1).
double folded_p(size_t ge, size_t le, int perms) {
    return static_cast<double>(std::min(ge, le) + 1) / static_cast<double>(perms + 1);
}

// Local Moran's pseudo p from the count of permuted I_i >= observed I_i, PySAL's "directed" rule
// (esda significance.py / crand.py; GeoDa the same): fold the count to the smaller tail when more
// than half the permutations are >= the observed value, then (count + 1) / (P + 1).
double lisa_directed_p(size_t larger, int perms) {
    const size_t P = static_cast<size_t>(perms);
    if (P - larger < larger) larger = P - larger;
    return static_cast<double>(larger + 1) / static_cast<double>(perms + 1);
}

// Draws k distinct unit ids from 0..n-1 other than `self` into out (partial Fisher-Yates over a
// pool of n-1 slots; slot s maps to unit s, or s+1 at/after self). The pool stays a permutation.
void draw_others(stats::Rng& rng, std::vector<int32_t>& pool, size_t self, size_t k, std::vector<int32_t>& out) {
    out.resize(k);
    const size_t m = pool.size();
    for (size_t t = 0; t < k; ++t) {
        const size_t j = t + static_cast<size_t>(rng.below(m - t));
        std::swap(pool[t], pool[j]);
        const size_t s = static_cast<size_t>(pool[t]);
        out[t] = static_cast<int32_t>(s < self ? s : s + 1);
    }
}

// One unit of a conditional permutation test whose weights (self excluded) are all equal: the
// statistic is then the plain sum of m values drawn from the other n-1 units.
struct PermUnit {
    size_t self = 0, m = 0;
    double obs = 0; // observed sum of the neighbours' centred values (unweighted)
    size_t out = 0; // index into the p output
};
// Units with the same m and the same own value have the same null distribution (the other n-1
// values are the same multiset), so one sorted sample of P sums per (m, value) group serves all of
// them - PySAL's crand likewise shares its draws between units. Zero-inflated counts have few
// groups, which keeps 10^5 permutations on thousands of units within seconds. Two-sided pseudo p:
// 2 x folded, at most 1.
void grouped_permutation_p(std::span<const double> xc, std::vector<PermUnit> units, int perms, uint64_t seed,
                           std::vector<double>& p, const Progress& progress, double f0, double f1) {
    if (units.empty() || perms <= 0) return;
    const size_t n = xc.size();
    double xmax = 0;
    for (double v : xc) xmax = std::max(xmax, std::fabs(v));
    // Group by (m, own value), groups in order of their first unit so the draws are reproducible.
    std::vector<std::pair<std::pair<size_t, double>, size_t>> keyed;
    keyed.reserve(units.size());
    for (size_t u = 0; u < units.size(); ++u) keyed.push_back({{units[u].m, xc[units[u].self]}, u});
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<size_t, std::pair<size_t, size_t>>> groups; // (first unit, [begin, end) in keyed)
    for (size_t a = 0; a < keyed.size();) {
        size_t b = a, first = keyed[a].second;
        for (; b < keyed.size() && keyed[b].first == keyed[a].first; ++b) first = std::min(first, keyed[b].second);
        groups.push_back({first, {a, b}});
        a = b;
    }
    std::sort(groups.begin(), groups.end());
    stats::Rng rng(seed);
    std::vector<int32_t> pool(n - 1), drawn;
    std::iota(pool.begin(), pool.end(), 0);
    std::vector<double> sims(static_cast<size_t>(perms));
    for (size_t g = 0; g < groups.size(); ++g) {
        if (g % 16 == 0) progress(f0 + (f1 - f0) * static_cast<double>(g) / groups.size(), "Gi* permutations");
        const auto [a, b] = groups[g].second;
        const PermUnit& rep = units[keyed[a].second];
        for (int t = 0; t < perms; ++t) {
            draw_others(rng, pool, rep.self, rep.m, drawn);
            double s = 0;
            for (int32_t j : drawn) s += xc[static_cast<size_t>(j)];
            sims[static_cast<size_t>(t)] = s;
        }
        std::sort(sims.begin(), sims.end());
        const double eps = 1e-10 * static_cast<double>(rep.m) * xmax; // equal sums in another order are ties
        for (size_t k = a; k < b; ++k) {
            const PermUnit& u = units[keyed[k].second];
            const size_t ge = static_cast<size_t>(sims.end() - std::lower_bound(sims.begin(), sims.end(), u.obs - eps));
            const size_t le = static_cast<size_t>(std::upper_bound(sims.begin(), sims.end(), u.obs + eps) - sims.begin());
            p[u.out] = std::min(1.0, 2 * folded_p(ge, le, perms));
        }
    }
}

// Fills p_fdr and bins from the chosen p-values.
void finish_bins(GiStarResult& r, bool fdr) {
    const std::vector<double>& p = r.p_perm.empty() ? r.p : r.p_perm;
    r.p_source = r.p_perm.empty() ? "normal" : "permutation";
    r.p_fdr = stats::bh_adjust(p);
    r.bin = confidence_bins(r.z, fdr ? r.p_fdr : p);
}

// Global Moran's I z for a binary band (no self), row-standardised, without storing the weights.
double moran_band_z(const PointGrid& grid, const UnitCentroids& c, std::span<const double> z, double d) {
    const size_t n = c.size();
    std::vector<int32_t> nb;
    std::vector<double> k(n);
    for (size_t i = 0; i < n; ++i) {
        grid.band(i, d, nb);
        k[i] = static_cast<double>(nb.size());
    }
    double num = 0, m2 = 0, s0 = 0, s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; ++i) {
        m2 += z[i] * z[i];
        if (k[i] == 0) continue;
        grid.band(i, d, nb);
        double lag = 0, in = 0;
        for (int32_t j : nb) {
            lag += z[j];
            in += 1 / k[j];
            const double wsum = 1 / k[i] + 1 / k[j];
            s1 += wsum * wsum;
        }
        num += z[i] * lag / k[i];
        s0 += 1;
        s2 += (1 + in) * (1 + in);
    }
    s1 /= 2;
    if (s0 == 0 || m2 == 0) return kNaN;
    const double nn = static_cast<double>(n);
    const double I = nn / s0 * num / m2, e = -1 / (nn - 1);
    const double var = (nn * nn * s1 - nn * s2 + 3 * s0 * s0) / (s0 * s0 * (nn * nn - 1)) - e * e;
    return var > 0 ? (I - e) / std::sqrt(var) : kNaN;
}

double cross(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

double point_segment_dist2(double px, double py, double ax, double ay, double bx, double by) {
    const double vx = bx - ax, vy = by - ay, wx = px - ax, wy = py - ay;
    const double len2 = vx * vx + vy * vy;
    double t = len2 > 0 ? (wx * vx + wy * vy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const double dx = wx - t * vx, dy = wy - t * vy;
    return dx * dx + dy * dy;
}

} // namespace

// ------------------------------------------------------------------------------------------------
// Units

UnitAggregate fishnet_aggregate(const GridSpec& g, std::span<const double> x, std::span<const double> y,
                                std::span<const float> w) {
    UnitAggregate a;
    a.value.assign(g.size(), 0.0);
    const size_t n = std::min(x.size(), y.size());
    for (size_t i = 0; i < n; ++i) {
        const double wi = w.empty() ? 1.0 : static_cast<double>(w[i]);
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || !std::isfinite(wi)) {
            ++a.skipped;
            continue;
        }
        long long col = static_cast<long long>(std::floor((x[i] - g.xmin) / g.cell));
        long long row = static_cast<long long>(std::floor((g.ymax - y[i]) / g.cell));
        if (x[i] == g.xmax()) col = g.width - 1; // east edge belongs to the grid
        if (y[i] == g.ymin()) row = g.height - 1; // so does the south edge
        if (col < 0 || row < 0 || col >= g.width || row >= g.height) {
            ++a.outside;
            continue;
        }
        a.value[static_cast<size_t>(row) * g.width + static_cast<size_t>(col)] += wi;
        ++a.inside;
    }
    return a;
}

UnitCentroids fishnet_centroids(const GridSpec& g, std::span<const uint8_t> mask) {
    UnitCentroids c;
    for (int r = 0; r < g.height; ++r)
        for (int col = 0; col < g.width; ++col) {
            if (!mask.empty() && !mask[static_cast<size_t>(r) * g.width + col]) continue;
            c.x.push_back(g.col_center_x(col));
            c.y.push_back(g.row_center_y(r));
        }
    return c;
}

Vec2 HexGrid::center(int q, int r) const {
    if (orientation == HexOrientation::PointyTop)
        return {origin_x + spacing * (q + 0.5 * r), origin_y + spacing * (kSqrt3 / 2) * r};
    return {origin_x + spacing * (kSqrt3 / 2) * q, origin_y + spacing * (r + 0.5 * q)};
}

std::array<int, 2> HexGrid::locate(double x, double y) const {
    const double u = (x - origin_x) / spacing, v = (y - origin_y) / spacing;
    double qf, rf;
    if (orientation == HexOrientation::PointyTop) {
        rf = v / (kSqrt3 / 2);
        qf = u - rf / 2;
    } else {
        qf = u / (kSqrt3 / 2);
        rf = v - qf / 2;
    }
    // Cube rounding (q + r + s = 0): round all three, recompute the one that moved most.
    const double sf = -qf - rf;
    double q = std::round(qf), r = std::round(rf), s = std::round(sf);
    const double dq = std::fabs(q - qf), dr = std::fabs(r - rf), ds = std::fabs(s - sf);
    if (dq > dr && dq > ds) q = -r - s;
    else if (dr > ds) r = -q - s;
    return {static_cast<int>(q), static_cast<int>(r)};
}

Polygon HexGrid::polygon(int q, int r) const {
    const Vec2 c = center(q, r);
    const double R = circumradius();
    const double a0 = orientation == HexOrientation::PointyTop ? 30.0 : 0.0;
    Ring ring;
    for (int k = 0; k <= 6; ++k) {
        const double a = (a0 + 60.0 * (k % 6)) * std::numbers::pi / 180.0;
        ring.push_back({c.x + R * std::cos(a), c.y + R * std::sin(a)});
    }
    return Polygon{{std::move(ring)}};
}

int HexUnits::index_of(double x, double y) const {
    const auto [q, r] = grid.locate(x, y);
    const int a = q - q0, b = r - r0;
    if (a < 0 || b < 0 || a >= nq || b >= nr) return -1;
    return lookup[static_cast<size_t>(b) * nq + a];
}

HexUnits hex_cover(const BBox& b, const HexGrid& grid, Progress progress) {
    if (!(grid.spacing > 0)) throw GeoError("hexagon spacing must be positive");
    if (b.empty()) throw GeoError("hexagon cover: empty bounding box");
    HexUnits h;
    h.grid = grid;
    const double R = grid.circumradius(), a = grid.spacing / 2;
    const bool pointy = grid.orientation == HexOrientation::PointyTop;
    // Edge normals (directions to the 3 neighbours) and the hexagon's half extents.
    const double n0 = pointy ? 0.0 : 30.0;
    const double hx = pointy ? a : R, hy = pointy ? R : a;
    // Candidate axial range: every centre within the box grown by R.
    const auto c1 = grid.locate(b.xmin - R, b.ymin - R), c2 = grid.locate(b.xmax + R, b.ymin - R);
    const auto c3 = grid.locate(b.xmin - R, b.ymax + R), c4 = grid.locate(b.xmax + R, b.ymax + R);
    const int qlo = std::min({c1[0], c2[0], c3[0], c4[0]}) - 1, qhi = std::max({c1[0], c2[0], c3[0], c4[0]}) + 1;
    const int rlo = std::min({c1[1], c2[1], c3[1], c4[1]}) - 1, rhi = std::max({c1[1], c2[1], c3[1], c4[1]}) + 1;
    const double total = static_cast<double>(rhi - rlo + 1);
    for (int r = rlo; r <= rhi; ++r) {
        progress(0.9 * (r - rlo) / total, "hexagons");
        for (int q = qlo; q <= qhi; ++q) {
            const Vec2 c = grid.center(q, r);
            // Separating-axis test (closed): the box's axes, then the hexagon's three edge normals.
            if (c.x + hx < b.xmin || c.x - hx > b.xmax || c.y + hy < b.ymin || c.y - hy > b.ymax) continue;
            bool hit = true;
            for (int k = 0; k < 3 && hit; ++k) {
                const double ang = (n0 + 60.0 * k) * std::numbers::pi / 180.0, ux = std::cos(ang), uy = std::sin(ang);
                const double p1 = b.xmin * ux + b.ymin * uy, p2 = b.xmax * ux + b.ymin * uy;
                const double p3 = b.xmin * ux + b.ymax * uy, p4 = b.xmax * ux + b.ymax * uy;
                const double lo = std::min({p1, p2, p3, p4}), hi = std::max({p1, p2, p3, p4});
                const double cp = c.x * ux + c.y * uy;
                if (cp + a < lo || cp - a > hi) hit = false;
            }
            if (!hit) continue;
            h.q.push_back(q);
            h.r.push_back(r);
            h.centroids.x.push_back(c.x);
            h.centroids.y.push_back(c.y);
            h.polygons.push_back(grid.polygon(q, r));
        }
    }
    if (h.q.empty()) return h;
    h.q0 = *std::min_element(h.q.begin(), h.q.end());
    h.r0 = *std::min_element(h.r.begin(), h.r.end());
    h.nq = *std::max_element(h.q.begin(), h.q.end()) - h.q0 + 1;
    h.nr = *std::max_element(h.r.begin(), h.r.end()) - h.r0 + 1;
    h.lookup.assign(static_cast<size_t>(h.nq) * h.nr, -1);
    for (size_t i = 0; i < h.q.size(); ++i)
        h.lookup[static_cast<size_t>(h.r[i] - h.r0) * h.nq + (h.q[i] - h.q0)] = static_cast<int32_t>(i);
    progress(1.0, "hexagons");
    return h;
}

UnitAggregate hex_aggregate(const HexUnits& hexes, std::span<const double> x, std::span<const double> y,
                            std::span<const float> w) {
    UnitAggregate a;
    a.value.assign(hexes.size(), 0.0);
    const size_t n = std::min(x.size(), y.size());
    for (size_t i = 0; i < n; ++i) {
        const double wi = w.empty() ? 1.0 : static_cast<double>(w[i]);
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || !std::isfinite(wi)) {
            ++a.skipped;
            continue;
        }
        const int k = hexes.index_of(x[i], y[i]);
        if (k < 0) {
            ++a.outside;
            continue;
        }
        a.value[static_cast<size_t>(k)] += wi;
        ++a.inside;
    }
    return a;
}

UnitCentroids polygon_centroids(const std::vector<Geometry>& units) {
    UnitCentroids c;
    for (const Geometry& g : units) {
        double A = 0, cx = 0, cy = 0, vx = 0, vy = 0;
        size_t nv = 0;
        for (const Polygon& poly : g.polygons)
            for (size_t k = 0; k < poly.rings.size(); ++k) {
                const Ring& ring = poly.rings[k];
                double ra = 0, rx = 0, ry = 0;
                for (size_t i = 0; i + 1 < ring.size(); ++i) {
                    const double cr = cross(ring[i].x, ring[i].y, ring[i + 1].x, ring[i + 1].y);
                    ra += cr;
                    rx += (ring[i].x + ring[i + 1].x) * cr;
                    ry += (ring[i].y + ring[i + 1].y) * cr;
                    vx += ring[i].x;
                    vy += ring[i].y;
                    ++nv;
                }
                // Exterior counts positive, holes negative, whatever the ring orientation.
                const double sign = ((ra >= 0) == (k == 0)) ? 1.0 : -1.0;
                A += sign * ra / 2;
                cx += sign * rx / 6;
                cy += sign * ry / 6;
            }
        if (std::fabs(A) > 0) {
            c.x.push_back(cx / A);
            c.y.push_back(cy / A);
        } else if (nv > 0) {
            c.x.push_back(vx / nv);
            c.y.push_back(vy / nv);
        } else if (!g.points.empty()) {
            c.x.push_back(g.points[0].x);
            c.y.push_back(g.points[0].y);
        } else {
            c.x.push_back(kNaN);
            c.y.push_back(kNaN);
        }
    }
    return c;
}

// ------------------------------------------------------------------------------------------------
// Weights

namespace {
// Assembles CSR weights from per-row neighbour lists (binary).
SpatialWeights binary_from_rows(const std::vector<std::vector<int32_t>>& rows, bool include_self) {
    SpatialWeights w;
    w.self_included = include_self;
    std::vector<int64_t> offsets; // built by push_back: GCC 12 -O3 misreads resize() of offsets{0}
    offsets.reserve(rows.size() + 1);
    offsets.push_back(0);
    for (size_t i = 0; i < rows.size(); ++i) {
        bool self_done = !include_self;
        for (int32_t j : rows[i]) {
            if (!self_done && j > static_cast<int32_t>(i)) {
                w.index.push_back(static_cast<int32_t>(i));
                self_done = true;
            }
            w.index.push_back(j);
        }
        if (!self_done) w.index.push_back(static_cast<int32_t>(i));
        offsets.push_back(static_cast<int64_t>(w.index.size()));
    }
    w.offsets = std::move(offsets);
    w.weight.assign(w.index.size(), 1.0);
    return w;
}
} // namespace

SpatialWeights distance_band_weights(const UnitCentroids& c, double d, bool include_self, Progress progress) {
    if (!(d >= 0) || !std::isfinite(d)) throw GeoError("distance band must be a finite distance >= 0");
    const PointGrid grid(c, d);
    SpatialWeights w;
    w.self_included = include_self;
    w.offsets.assign(c.size() + 1, 0);
    std::vector<int32_t> nb;
    for (size_t i = 0; i < c.size(); ++i) {
        report(progress, i, c.size(), "distance band");
        grid.band(i, d, nb);
        if (include_self) nb.insert(std::upper_bound(nb.begin(), nb.end(), static_cast<int32_t>(i)), static_cast<int32_t>(i));
        w.index.insert(w.index.end(), nb.begin(), nb.end());
        w.offsets[i + 1] = static_cast<int64_t>(w.index.size());
    }
    w.weight.assign(w.index.size(), 1.0);
    w.kind = "distance band";
    w.distance_m = d;
    return w;
}

SpatialWeights knn_weights(const UnitCentroids& c, int k, bool include_self, Progress progress) {
    if (k < 1) throw GeoError("k nearest neighbours: k must be >= 1");
    const PointGrid grid(c, 0);
    std::vector<std::vector<int32_t>> rows(c.size());
    std::vector<std::pair<double, int32_t>> best;
    for (size_t i = 0; i < c.size(); ++i) {
        report(progress, i, c.size(), "nearest neighbours");
        grid.nearest(i, static_cast<size_t>(k), best);
        for (const auto& b : best) rows[i].push_back(b.second);
        std::sort(rows[i].begin(), rows[i].end());
    }
    SpatialWeights w = binary_from_rows(rows, include_self);
    w.kind = "knn";
    return w;
}

SpatialWeights queen_weights(const std::vector<Geometry>& units, double tolerance, bool include_self,
                             Progress progress) {
    struct Seg {
        double ax, ay, bx, by;
        int32_t unit;
    };
    std::vector<Seg> segs;
    BBox ext = BBox::inverted();
    double total_len = 0;
    for (size_t u = 0; u < units.size(); ++u)
        for (const Polygon& poly : units[u].polygons)
            for (const Ring& ring : poly.rings)
                for (size_t i = 0; i + 1 < ring.size(); ++i) {
                    segs.push_back({ring[i].x, ring[i].y, ring[i + 1].x, ring[i + 1].y, static_cast<int32_t>(u)});
                    ext.expand(ring[i].x, ring[i].y);
                    total_len += std::hypot(ring[i + 1].x - ring[i].x, ring[i + 1].y - ring[i].y);
                }
    std::vector<std::vector<int32_t>> rows(units.size());
    if (segs.empty()) {
        SpatialWeights w = binary_from_rows(rows, include_self);
        w.kind = "queen";
        return w;
    }
    const double diag = std::hypot(ext.width(), ext.height());
    const double tol = tolerance > 0 ? tolerance : 1e-7 * diag;
    // Bucket grid over segments, each inserted into every cell its tol-grown box touches, so one
    // cell lookup per vertex finds every segment within tol of it.
    const double area = std::max(ext.width(), tol) * std::max(ext.height(), tol);
    double cs = std::max(total_len / segs.size(), std::sqrt(area / (4.0 * segs.size())));
    cs = std::max(cs, 4 * tol);
    const int nx = static_cast<int>(std::max(ext.width(), 0.0) / cs) + 1;
    const int ny = static_cast<int>(std::max(ext.height(), 0.0) / cs) + 1;
    auto cx = [&](double x) { return std::clamp(static_cast<int>(std::floor((x - ext.xmin) / cs)), 0, nx - 1); };
    auto cy = [&](double y) { return std::clamp(static_cast<int>(std::floor((y - ext.ymin) / cs)), 0, ny - 1); };
    std::vector<std::vector<int32_t>> cells(static_cast<size_t>(nx) * ny);
    for (size_t s = 0; s < segs.size(); ++s) {
        const Seg& g = segs[s];
        const int c0 = cx(std::min(g.ax, g.bx) - tol), c1 = cx(std::max(g.ax, g.bx) + tol);
        const int r0 = cy(std::min(g.ay, g.by) - tol), r1 = cy(std::max(g.ay, g.by) + tol);
        for (int r = r0; r <= r1; ++r)
            for (int c = c0; c <= c1; ++c) cells[static_cast<size_t>(r) * nx + c].push_back(static_cast<int32_t>(s));
    }
    const double tol2 = tol * tol;
    std::vector<int32_t> stamp(units.size(), -1); // stamp[j] == u: j already found for u
    for (size_t u = 0; u < units.size(); ++u) {
        report(progress, u, units.size(), "queen contiguity");
        for (const Polygon& poly : units[u].polygons)
            for (const Ring& ring : poly.rings)
                for (const Vec2& v : ring)
                    for (int32_t s : cells[static_cast<size_t>(cy(v.y)) * nx + cx(v.x)]) {
                        const Seg& g = segs[s];
                        if (g.unit == static_cast<int32_t>(u) || stamp[g.unit] == static_cast<int32_t>(u)) continue;
                        if (point_segment_dist2(v.x, v.y, g.ax, g.ay, g.bx, g.by) <= tol2) {
                            stamp[g.unit] = static_cast<int32_t>(u);
                            rows[u].push_back(g.unit);
                            rows[g.unit].push_back(static_cast<int32_t>(u)); // contiguity is symmetric
                        }
                    }
    }
    for (auto& r : rows) {
        std::sort(r.begin(), r.end());
        r.erase(std::unique(r.begin(), r.end()), r.end());
    }
    SpatialWeights w = binary_from_rows(rows, include_self);
    w.kind = "queen";
    return w;
}

SpatialWeights row_standardise(SpatialWeights w) {
    for (size_t i = 0; i < w.n(); ++i) {
        double s = 0;
        for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) s += w.weight[e];
        if (s != 0)
            for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) w.weight[e] /= s;
    }
    if (w.kind.find("row-standardised") == std::string::npos) w.kind += ", row-standardised";
    return w;
}

SpatialWeights without_self(SpatialWeights w) {
    SpatialWeights out = w;
    out.index.clear();
    out.weight.clear();
    for (size_t i = 0; i < w.n(); ++i) {
        for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e)
            if (w.index[e] != static_cast<int32_t>(i)) {
                out.index.push_back(w.index[e]);
                out.weight.push_back(w.weight[e]);
            }
        out.offsets[i + 1] = static_cast<int64_t>(out.index.size());
    }
    out.self_included = false;
    return out;
}

SpatialWeights with_self(SpatialWeights w, double self_weight) {
    SpatialWeights out = without_self(std::move(w));
    SpatialWeights r = out;
    r.index.clear();
    r.weight.clear();
    for (size_t i = 0; i < out.n(); ++i) {
        bool done = false;
        for (int64_t e = out.offsets[i]; e < out.offsets[i + 1]; ++e) {
            if (!done && out.index[e] > static_cast<int32_t>(i)) {
                r.index.push_back(static_cast<int32_t>(i));
                r.weight.push_back(self_weight);
                done = true;
            }
            r.index.push_back(out.index[e]);
            r.weight.push_back(out.weight[e]);
        }
        if (!done) {
            r.index.push_back(static_cast<int32_t>(i));
            r.weight.push_back(self_weight);
        }
        r.offsets[i + 1] = static_cast<int64_t>(r.index.size());
    }
    r.self_included = true;
    return r;
}

// ------------------------------------------------------------------------------------------------
// Default band

NearestNeighbourStats nearest_neighbour_stats(const UnitCentroids& c, double factor, Progress progress) {
    NearestNeighbourStats s;
    if (c.size() < 2) return s;
    const PointGrid grid(c, 0);
    std::vector<std::pair<double, int32_t>> best;
    s.nn_m.resize(c.size());
    for (size_t i = 0; i < c.size(); ++i) {
        report(progress, i, c.size(), "nearest-neighbour distances", 0, 0.2);
        grid.nearest(i, 1, best);
        s.nn_m[i] = best.empty() ? kNaN : std::sqrt(best[0].first);
        s.max_m = std::max(s.max_m, s.nn_m[i]);
    }
    std::vector<double> sorted = s.nn_m;
    std::sort(sorted.begin(), sorted.end());
    const size_t m = sorted.size();
    s.median_m = m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
    for (size_t i = 0; i < c.size(); ++i)
        if (s.nn_m[i] > factor * s.median_m) s.far_units.push_back(static_cast<int32_t>(i));
    return s;
}

// ------------------------------------------------------------------------------------------------
// Study area

StudyAreaSelection select_study_area(const UnitCentroids& centres, std::span<const double> counts,
                                     const StudyArea& area) {
    const size_t n = centres.size();
    if (counts.size() != n)
        throw GeoError("study area: " + std::to_string(counts.size()) + " counts for " + std::to_string(n) + " units");
    if (area.mode == StudyAreaMode::Polygons && !area.polygons)
        throw GeoError("study area: no polygons given for the polygon rule");
    StudyAreaSelection s;
    s.keep.assign(n, 0);
    for (size_t k = 0; k < n; ++k) {
        const bool has_event = counts[k] > 0;
        switch (area.mode) {
        case StudyAreaMode::All: s.keep[k] = 1; break;
        case StudyAreaMode::NonEmpty: s.keep[k] = has_event; break;
        case StudyAreaMode::Polygons: {
            const bool inside = std::isfinite(centres.x[k]) && std::isfinite(centres.y[k]) &&
                                area.polygons->locate(centres.x[k], centres.y[k]) >= 0;
            s.keep[k] = inside || has_event;
            s.in_area += inside;
            s.events_only += !inside && has_event;
            break;
        }
        }
        s.left_out += !s.keep[k];
    }
    const std::string label = area.label.empty() ? "the study-area polygons" : area.label;
    switch (area.mode) {
    case StudyAreaMode::All: s.rule = "all units of the cover (bounding box; sea and empty land included)"; break;
    case StudyAreaMode::NonEmpty: s.rule = "only units holding at least one event"; break;
    case StudyAreaMode::Polygons:
        s.rule = "units whose centre is in " + label + " (" + std::to_string(s.in_area) +
                 "), plus units holding an event (" + std::to_string(s.events_only) + " more)";
        break;
    }
    s.rule += "; " + std::to_string(s.left_out) + " of " + std::to_string(n) + " units left out";
    return s;
}

VectorLayer select_features(const VectorLayer& layer, const std::string& field, const std::vector<std::string>& codes) {
    const auto it = std::find(layer.fields.begin(), layer.fields.end(), field);
    if (it == layer.fields.end()) throw GeoError(layer.name, "", "has no field '" + field + "' to select the study area by");
    const size_t f = static_cast<size_t>(it - layer.fields.begin());
    VectorLayer out = layer;
    out.features.clear();
    std::vector<bool> found(codes.size(), false);
    for (const Feature& feat : layer.features) {
        const std::string v = f < feat.attrs.size() ? attr_to_string(feat.attrs[f]) : std::string();
        const auto c = std::find(codes.begin(), codes.end(), v);
        if (c == codes.end()) continue;
        found[static_cast<size_t>(c - codes.begin())] = true;
        out.features.push_back(feat);
    }
    std::string missing;
    for (size_t i = 0; i < codes.size(); ++i)
        if (!found[i]) missing += (missing.empty() ? "" : ", ") + codes[i];
    if (!missing.empty()) throw GeoError(layer.name, "", "no feature with " + field + " = " + missing);
    return out;
}

const std::vector<std::string>& default_study_countries() {
    static const std::vector<std::string> c = {"MLI", "BFA", "NER", "CIV", "GHA", "TGO", "BEN"};
    return c;
}

// ------------------------------------------------------------------------------------------------
// Permutations and FDR

double min_pseudo_p(int permutations, int sides) {
    if (permutations < 1) return kNaN;
    return std::min(1.0, static_cast<double>(sides) / (static_cast<double>(permutations) + 1));
}

PermutationPlan plan_permutations(size_t n, double alpha, bool fdr, int sides, int requested, int cap) {
    if (!(alpha > 0 && alpha < 1)) throw GeoError("permutations: alpha must be between 0 and 1");
    if (sides != 1 && sides != 2) throw GeoError("permutations: sides must be 1 or 2");
    PermutationPlan pl;
    // sides / (P + 1) * m <= alpha  <=>  P + 1 >= sides * m / alpha; m = n with FDR (BH's first step
    // for a lone unit: p_(1) <= alpha / n), 1 without.
    const double m = fdr ? static_cast<double>(std::max<size_t>(n, 1)) : 1.0;
    const double need = std::ceil(sides * m / alpha * (1 - 1e-12)) - 1;
    pl.needed = static_cast<int>(std::min(need, 2e9));
    if (requested > 0) pl.permutations = requested;
    else {
        pl.permutations = kDefaultPermutations;
        if (fdr && pl.needed > pl.permutations) {
            pl.raised = true;
            pl.permutations = std::min(pl.needed, cap);
            pl.capped = pl.needed > cap;
        }
    }
    const double pmin = min_pseudo_p(pl.permutations, sides);
    // BH rejects the k smallest when p_(k) <= k alpha / m: k units tied at pmin need k >= pmin m / alpha.
    // Without FDR every unit is its own test: possible iff pmin <= alpha.
    pl.min_cluster = fdr ? static_cast<size_t>(std::max(1.0, std::ceil(pmin * m / alpha * (1 - 1e-12)))) : 1;
    pl.possible = fdr ? pl.min_cluster <= std::max<size_t>(n, 1) : pmin <= alpha * (1 + 1e-12);
    if (pl.permutations < pl.needed) {
        char buf[600];
        if (!pl.possible)
            std::snprintf(buf, sizeof buf,
                          "significance is impossible with these settings: %d permutations give a smallest pseudo p of "
                          "%.3g, above alpha %.3g%s; no unit can be significant, whatever the data (use at least %d "
                          "permutations)",
                          pl.permutations, pmin, alpha, fdr ? " even after the FDR step-up" : "", pl.needed);
        else if (fdr)
            std::snprintf(buf, sizeof buf,
                          "%d permutations give a smallest pseudo p of %.3g; Benjamini-Hochberg FDR over %zu units at "
                          "alpha %.3g can only reject when at least %zu units all reach it, so isolated hot/cold spots "
                          "cannot be significant (a single unit needs %d permutations%s)",
                          pl.permutations, pmin, n, alpha, pl.min_cluster, pl.needed,
                          pl.capped ? ", above the automatic cap: give --permutations, or use fewer units" : "");
        else
            buf[0] = 0;
        pl.warning = buf;
    }
    return pl;
}

BandChoice choose_distance_band(const UnitCentroids& c, std::span<const double> values, BandRule rule,
                                Progress progress) {
    if (c.size() < 2) throw GeoError("choosing a distance band needs at least 2 units");
    const NearestNeighbourStats nn = nearest_neighbour_stats(c, kBandWarnFactor, progress);
    const double dmax = nn.max_m;
    double dsum = 0;
    for (double d : nn.nn_m) dsum += d;
    if (!(dmax > 0)) throw GeoError("choosing a distance band: all units are at the same location");
    BandChoice ch;
    ch.distance_m = dmax;
    ch.rule = "min-one-neighbour (max nearest-neighbour distance)";
    ch.median_nn_m = nn.median_m;
    ch.far_units = nn.far_units;
    auto set_warning = [&ch] {
        if (!(ch.distance_m > kBandWarnFactor * ch.median_nn_m)) return;
        char buf[320];
        std::snprintf(buf, sizeof buf,
                      "the automatic band (%.4g km) is %.1f times the median nearest-neighbour distance (%.4g km): it "
                      "is set by %zu isolated unit(s) and gives most units far more neighbours than their local "
                      "context; use k nearest neighbours (--knn), leave the isolated units out (--drop-isolated) or "
                      "give --band-km",
                      ch.distance_m / 1000, ch.distance_m / ch.median_nn_m, ch.median_nn_m / 1000, ch.far_units.size());
        ch.warning = buf;
    };
    set_warning();
    if (rule == BandRule::MinOneNeighbor) return ch;

    check_values(values, c.size(), "incremental Moran's I");
    const double step = dsum / static_cast<double>(c.size());
    const auto [m, sd] = mean_sd(values);
    std::vector<double> z(values.size());
    for (size_t i = 0; i < z.size(); ++i) z[i] = values[i] - m;
    for (int k = 0; k < 10; ++k) {
        progress(0.2 + 0.08 * k, "incremental spatial autocorrelation");
        const double d = dmax + k * step;
        const PointGrid g2(c, d);
        ch.tried_m.push_back(d);
        ch.z.push_back(moran_band_z(g2, c, z, d));
    }
    // First peak; else the largest z.
    int pick = -1;
    for (int k = 1; k + 1 < 10 && pick < 0; ++k)
        if (ch.z[k] > ch.z[k - 1] && ch.z[k] >= ch.z[k + 1]) pick = k;
    if (pick < 0) {
        double bz = -INFINITY;
        for (int k = 0; k < 10; ++k)
            if (ch.z[k] > bz) bz = ch.z[pick = k];
    }
    if (pick < 0) pick = 0; // all NaN (constant values): keep the min-one-neighbour distance
    ch.distance_m = ch.tried_m[pick];
    ch.rule = "incremental Moran's I peak (10 steps from the min-one-neighbour distance)";
    ch.warning.clear();
    set_warning();
    progress(1.0, "incremental spatial autocorrelation");
    return ch;
}

std::vector<int8_t> confidence_bins(std::span<const double> z, std::span<const double> p) {
    std::vector<int8_t> b(z.size(), 0);
    for (size_t i = 0; i < z.size() && i < p.size(); ++i) {
        if (std::isnan(z[i]) || std::isnan(p[i]) || z[i] == 0) continue;
        const int level = p[i] <= 0.01 ? 3 : p[i] <= 0.05 ? 2 : p[i] <= 0.10 ? 1 : 0;
        b[i] = static_cast<int8_t>(z[i] > 0 ? level : -level);
    }
    return b;
}

// ------------------------------------------------------------------------------------------------
// Gi*

GiStarResult gi_star(std::span<const double> x, const SpatialWeights& w, const GiStarParams& params,
                     Progress progress) {
    const size_t n = w.n();
    check_values(x, n, "Gi*");
    if (n < 2) throw GeoError("Gi*: needs at least 2 units");
    GiStarResult r;
    r.n = n;
    r.distance_m = w.distance_m;
    r.distance_rule = "user";
    std::tie(r.mean, r.sd) = mean_sd(x);
    std::vector<double> xc(n);
    for (size_t i = 0; i < n; ++i) xc[i] = x[i] - r.mean; // centred: sum w (x - Xbar) = num
    r.z.assign(n, kNaN);
    r.p.assign(n, kNaN);
    r.n_neighbors.assign(n, 0);
    if (r.sd == 0) r.warnings.push_back("all values are equal: Gi* is undefined");
    const double nn = static_cast<double>(n);
    for (size_t i = 0; i < n; ++i) {
        report(progress, i, n, "Gi*", 0, params.permutations > 0 ? 0.2 : 1.0);
        double num = 0, wsum = 0, w2 = 0;
        for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) {
            num += w.weight[e] * xc[w.index[e]];
            wsum += w.weight[e];
            w2 += w.weight[e] * w.weight[e];
        }
        r.n_neighbors[i] = static_cast<int32_t>(w.count(i));
        const double v = (nn * w2 - wsum * wsum) / (nn - 1);
        if (r.sd > 0 && v > 0) r.z[i] = num / (r.sd * std::sqrt(v));
        r.p[i] = stats::p_two_sided(r.z[i]);
    }
    if (params.permutations > 0 && r.sd > 0) {
        // Conditional permutation: x_i stays, the other slots get values drawn from the n-1 others.
        stats::Rng rng(params.seed);
        std::vector<int32_t> pool(n - 1), drawn;
        std::iota(pool.begin(), pool.end(), 0);
        double xmax = 0;
        for (double v : xc) xmax = std::max(xmax, std::fabs(v));
        r.p_perm.assign(n, kNaN);
        std::vector<PermUnit> equal_rows; // rows with one weight value: shared null samples
        for (size_t i = 0; i < n; ++i) {
            report(progress, i, n, "Gi* permutations", 0.2, 0.6);
            std::vector<double> wj;
            double obs = 0, wabs = 0, osum = 0;
            for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e)
                if (w.index[e] != static_cast<int32_t>(i)) {
                    wj.push_back(w.weight[e]);
                    obs += w.weight[e] * xc[w.index[e]];
                    osum += xc[w.index[e]];
                    wabs += std::fabs(w.weight[e]);
                }
            // (more slots than other units only happens with duplicate entries in user weights)
            if (wj.empty() || wj.size() > n - 1 || std::isnan(r.z[i])) continue;
            if (wj.front() > 0 && std::all_of(wj.begin(), wj.end(), [&](double v) { return v == wj.front(); })) {
                equal_rows.push_back({i, wj.size(), osum, i});
                continue;
            }
            const double eps = 1e-10 * wabs * xmax; // equal sums in another order are ties
            size_t ge = 0, le = 0;
            for (int p = 0; p < params.permutations; ++p) {
                draw_others(rng, pool, i, wj.size(), drawn);
                double s = 0;
                for (size_t t = 0; t < wj.size(); ++t) s += wj[t] * xc[drawn[t]];
                ge += s >= obs - eps;
                le += s <= obs + eps;
            }
            r.p_perm[i] = std::min(1.0, 2 * folded_p(ge, le, params.permutations));
        }
        grouped_permutation_p(xc, std::move(equal_rows), params.permutations, params.seed + 1, r.p_perm, progress, 0.6,
                              1.0);
    }
    finish_bins(r, params.fdr);
    progress(1.0, "Gi*");
    return r;
}

GiStarResult gi_star_points(const UnitCentroids& c, std::span<const double> x, const GiStarParams& params,
                            Progress progress) {
    check_values(x, c.size(), "Gi*");
    double d = params.distance_m;
    std::string rule = "user", band_warning;
    if (!(d > 0)) {
        const BandChoice ch = choose_distance_band(c, x, params.band_rule, progress);
        d = ch.distance_m;
        rule = ch.rule;
        band_warning = ch.warning;
    }
    const SpatialWeights w = distance_band_weights(c, d, true, progress);
    GiStarResult r = gi_star(x, w, params, progress);
    if (!band_warning.empty()) r.warnings.push_back(band_warning);
    r.distance_m = d;
    r.distance_rule = rule;
    return r;
}

GiStarResult gi_star_fishnet(const GridSpec& g, std::span<const double> x, std::span<const uint8_t> mask,
                             const GiStarParams& params, Progress progress) {
    const size_t N = g.size();
    const int W = g.width, H = g.height;
    if (x.size() != N) throw GeoError("Gi* fishnet: " + std::to_string(x.size()) + " values for " +
                                      std::to_string(N) + " cells");
    if (!mask.empty() && mask.size() != N) throw GeoError("Gi* fishnet: mask size differs from the grid");
    if (!(g.cell > 0)) throw GeoError("Gi* fishnet: cell size must be positive");
    auto valid = [&](size_t k) { return mask.empty() || mask[k] != 0; };

    // Compact list of study-area cells: their values and ids.
    std::vector<double> vals;
    std::vector<int32_t> compact(N, -1);
    for (size_t k = 0; k < N; ++k)
        if (valid(k)) {
            if (!std::isfinite(x[k]))
                throw GeoError("Gi* fishnet: cell " + std::to_string(k) + " has no finite value (mask it)");
            compact[k] = static_cast<int32_t>(vals.size());
            vals.push_back(x[k]);
        }
    const size_t n = vals.size();
    if (n < 2) throw GeoError("Gi* fishnet: needs at least 2 cells in the study area");

    GiStarResult r;
    r.n = n;
    std::tie(r.mean, r.sd) = mean_sd(vals);
    if (r.sd == 0) r.warnings.push_back("all values are equal: Gi* is undefined");
    double d = params.distance_m;
    r.distance_rule = "user";
    if (!(d > 0)) {
        const BandChoice ch = choose_distance_band(fishnet_centroids(g, mask), vals, params.band_rule, progress);
        d = ch.distance_m;
        r.distance_rule = ch.rule;
        if (!ch.warning.empty()) r.warnings.push_back(ch.warning);
    }
    r.distance_m = d;

    // Disk stencil: for row offset dr, columns |dc| <= half[dr] satisfy the band test in cell units,
    // using exactly the integer form of within_band so it matches the brute force.
    const double lim = (d / g.cell) * (d / g.cell) * (1 + kBandSlack);
    const int R = static_cast<int>(std::floor(std::sqrt(lim)));
    std::vector<int> half(2 * R + 1);
    for (int dr = -R; dr <= R; ++dr) {
        const double rem = lim - double(dr) * dr;
        int h = rem >= 0 ? static_cast<int>(std::floor(std::sqrt(rem))) : -1;
        while (h >= 0 && double(h) * h + double(dr) * dr > lim) --h;
        while (double(h + 1) * (h + 1) + double(dr) * dr <= lim) ++h;
        half[dr + R] = h;
    }

    // Row prefix sums of centred values and of study-area flags (masked cells contribute 0).
    const size_t stride = static_cast<size_t>(W) + 1;
    std::vector<double> P(static_cast<size_t>(H) * stride, 0.0);
    std::vector<int32_t> C(static_cast<size_t>(H) * stride, 0);
    for (int row = 0; row < H; ++row)
        for (int col = 0; col < W; ++col) {
            const size_t k = static_cast<size_t>(row) * W + col, o = static_cast<size_t>(row) * stride + col;
            const bool v = compact[k] >= 0;
            P[o + 1] = P[o] + (v ? x[k] - r.mean : 0.0);
            C[o + 1] = C[o] + (v ? 1 : 0);
        }

    r.z.assign(N, kNaN);
    r.p.assign(N, kNaN);
    r.n_neighbors.assign(N, 0);
    std::vector<double> obs(N, 0.0); // neighbour sum without self, for permutations
    const double nn = static_cast<double>(n);
    const double pfrac = params.permutations > 0 ? 0.2 : 1.0;
    for (int row = 0; row < H; ++row) {
        if (row % 64 == 0) progress(pfrac * row / H, "Gi* (fishnet)");
        for (int col = 0; col < W; ++col) {
            const size_t k = static_cast<size_t>(row) * W + col;
            if (compact[k] < 0) continue;
            double s = 0;
            long long cnt = 0;
            for (int dr = -R; dr <= R; ++dr) {
                const int rr = row + dr, h = half[dr + R];
                if (rr < 0 || rr >= H || h < 0) continue;
                const int c0 = std::max(0, col - h), c1 = std::min(W - 1, col + h);
                const size_t o = static_cast<size_t>(rr) * stride;
                s += P[o + c1 + 1] - P[o + c0];
                cnt += C[o + c1 + 1] - C[o + c0];
            }
            // Binary weights: sum w = sum w^2 = number of study-area cells in the disk (self included).
            const double Wi = static_cast<double>(cnt);
            r.n_neighbors[k] = static_cast<int32_t>(cnt);
            obs[k] = s - (x[k] - r.mean);
            const double v = (nn * Wi - Wi * Wi) / (nn - 1);
            if (r.sd > 0 && v > 0) r.z[k] = s / (r.sd * std::sqrt(v));
            r.p[k] = stats::p_two_sided(r.z[k]);
        }
    }

    if (params.permutations > 0 && r.sd > 0) {
        // Binary weights: every unit's null is a plain sum of m draws (grouped_permutation_p).
        std::vector<double> xc(n);
        for (size_t i = 0; i < n; ++i) xc[i] = vals[i] - r.mean;
        std::vector<PermUnit> units;
        for (size_t k = 0; k < N; ++k) {
            if (compact[k] < 0 || std::isnan(r.z[k]) || r.n_neighbors[k] < 2) continue;
            const size_t m = static_cast<size_t>(r.n_neighbors[k] - 1);
            if (m > n - 1) continue;
            units.push_back({static_cast<size_t>(compact[k]), m, obs[k], k});
        }
        r.p_perm.assign(N, kNaN);
        grouped_permutation_p(xc, std::move(units), params.permutations, params.seed, r.p_perm, progress, 0.2, 1.0);
    }
    finish_bins(r, params.fdr);
    progress(1.0, "Gi* (fishnet)");
    return r;
}

// ------------------------------------------------------------------------------------------------
// Moran's I

GlobalMoranResult global_moran(std::span<const double> x, const SpatialWeights& w) {
    const size_t n = w.n();
    check_values(x, n, "Moran's I");
    GlobalMoranResult g;
    g.n = n;
    if (n < 3) return g;
    const auto [m, sd] = mean_sd(x);
    double m2 = 0, num = 0;
    std::vector<double> rowsum(n, 0.0), colsum(n, 0.0);
    std::vector<std::pair<uint64_t, double>> sym; // (i,j) and (j,i) entries, to form w_ij + w_ji
    sym.reserve(2 * w.nnz());
    for (size_t i = 0; i < n; ++i) {
        const double zi = x[i] - m;
        m2 += zi * zi;
        for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) {
            const size_t j = static_cast<size_t>(w.index[e]);
            const double wij = w.weight[e];
            num += wij * zi * (x[j] - m);
            g.s0 += wij;
            rowsum[i] += wij;
            colsum[j] += wij;
            sym.emplace_back(static_cast<uint64_t>(i) * n + j, wij);
            sym.emplace_back(static_cast<uint64_t>(j) * n + i, wij);
        }
    }
    std::sort(sym.begin(), sym.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t a = 0; a < sym.size();) {
        double s = 0;
        size_t b = a;
        for (; b < sym.size() && sym[b].first == sym[a].first; ++b) s += sym[b].second;
        g.s1 += s * s;
        a = b;
    }
    g.s1 /= 2;
    for (size_t i = 0; i < n; ++i) g.s2 += (rowsum[i] + colsum[i]) * (rowsum[i] + colsum[i]);
    if (g.s0 == 0 || m2 == 0) return g;
    const double nn = static_cast<double>(n);
    g.i = nn / g.s0 * num / m2;
    g.expected = -1 / (nn - 1);
    g.variance = (nn * nn * g.s1 - nn * g.s2 + 3 * g.s0 * g.s0) / (g.s0 * g.s0 * (nn * nn - 1)) -
                 g.expected * g.expected;
    if (g.variance > 0) {
        g.z = (g.i - g.expected) / std::sqrt(g.variance);
        g.p = stats::p_two_sided(g.z);
    }
    return g;
}

const char* lisa_class_name(LisaClass c) {
    switch (c) {
    case LisaClass::HighHigh: return "HH";
    case LisaClass::LowLow: return "LL";
    case LisaClass::LowHigh: return "LH";
    case LisaClass::HighLow: return "HL";
    default: return "not significant";
    }
}

LocalMoranResult local_moran(std::span<const double> x, const SpatialWeights& w_in, const LocalMoranParams& params,
                             Progress progress) {
    const size_t n = w_in.n();
    check_values(x, n, "local Moran's I");
    if (params.permutations < 1) throw GeoError("local Moran's I needs at least 1 permutation");
    if (n < 3) throw GeoError("local Moran's I needs at least 3 units");
    const SpatialWeights w = row_standardise(without_self(w_in));
    LocalMoranResult r;
    const auto [m, sd] = mean_sd(x);
    r.z.resize(n);
    for (size_t i = 0; i < n; ++i) r.z[i] = x[i] - m;
    double m2 = 0;
    for (double v : r.z) m2 += v * v;
    m2 /= static_cast<double>(n);
    r.i.assign(n, 0.0);
    r.lag.assign(n, 0.0);
    r.p_sim.assign(n, kNaN);
    r.cls.assign(n, LisaClass::NotSignificant);
    double zmax = 0;
    for (double v : r.z) zmax = std::max(zmax, std::fabs(v));
    stats::Rng rng(params.seed);
    std::vector<int32_t> pool(n - 1), drawn;
    std::iota(pool.begin(), pool.end(), 0);
    for (size_t i = 0; i < n; ++i) {
        report(progress, i, n, "local Moran's I");
        const int64_t e0 = w.offsets[i], e1 = w.offsets[i + 1];
        if (e0 == e1 || m2 == 0 || static_cast<size_t>(e1 - e0) > n - 1) continue;
        double lag = 0;
        for (int64_t e = e0; e < e1; ++e) lag += w.weight[e] * r.z[w.index[e]];
        r.lag[i] = lag;
        r.i[i] = r.z[i] * lag / m2;
        // Conditional permutation of the lag: z_i fixed, neighbours drawn from the other n-1.
        const size_t k = static_cast<size_t>(e1 - e0);
        const double eps = 1e-10 * zmax;
        // PySAL's rule (esda Moran_Local / crand, alternative "directed", also GeoDa's): count the
        // permuted I_i >= the observed I_i, fold that count to the smaller tail, p = (count+1)/(P+1).
        // I_perm = z_i * s / m2, so I_perm >= I_obs is s >= lag when z_i > 0 and s <= lag when
        // z_i < 0. Equal sums (ties, common with zero-inflated counts) count as ">=" before folding,
        // as in PySAL: a high unit whose neighbours are all at the minimum gets 1/(P+1).
        size_t larger = 0;
        for (int p = 0; p < params.permutations; ++p) {
            draw_others(rng, pool, i, k, drawn);
            double s = 0;
            for (size_t t = 0; t < k; ++t) s += w.weight[e0 + t] * r.z[drawn[t]];
            larger += r.z[i] > 0 ? s >= lag - eps : s <= lag + eps;
        }
        // z_i = 0 makes every permuted I_i equal to the observed 0: PySAL's count would fold to
        // 1/(P+1), but there is no evidence either way, so p = 1.
        r.p_sim[i] = r.z[i] == 0 ? 1.0 : lisa_directed_p(larger, params.permutations);
    }
    r.p_fdr = stats::bh_adjust(r.p_sim);
    const std::vector<double>& p = params.fdr ? r.p_fdr : r.p_sim;
    for (size_t i = 0; i < n; ++i) {
        if (std::isnan(p[i]) || p[i] > params.alpha) continue;
        const bool high = r.z[i] > 0, nb_high = r.lag[i] > 0;
        r.cls[i] = high ? (nb_high ? LisaClass::HighHigh : LisaClass::HighLow)
                        : (nb_high ? LisaClass::LowHigh : LisaClass::LowLow);
    }
    r.global = global_moran(x, w);
    progress(1.0, "local Moran's I");
    return r;
}

// ------------------------------------------------------------------------------------------------
// Emerging hot spots

const char* emerging_pattern_name(EmergingPattern p) {
    switch (p) {
    case EmergingPattern::NewHot: return "New Hot Spot";
    case EmergingPattern::ConsecutiveHot: return "Consecutive Hot Spot";
    case EmergingPattern::IntensifyingHot: return "Intensifying Hot Spot";
    case EmergingPattern::PersistentHot: return "Persistent Hot Spot";
    case EmergingPattern::DiminishingHot: return "Diminishing Hot Spot";
    case EmergingPattern::SporadicHot: return "Sporadic Hot Spot";
    case EmergingPattern::OscillatingHot: return "Oscillating Hot Spot";
    case EmergingPattern::HistoricalHot: return "Historical Hot Spot";
    case EmergingPattern::NewCold: return "New Cold Spot";
    case EmergingPattern::ConsecutiveCold: return "Consecutive Cold Spot";
    case EmergingPattern::IntensifyingCold: return "Intensifying Cold Spot";
    case EmergingPattern::PersistentCold: return "Persistent Cold Spot";
    case EmergingPattern::DiminishingCold: return "Diminishing Cold Spot";
    case EmergingPattern::SporadicCold: return "Sporadic Cold Spot";
    case EmergingPattern::OscillatingCold: return "Oscillating Cold Spot";
    case EmergingPattern::HistoricalCold: return "Historical Cold Spot";
    default: return "No Pattern Detected";
    }
}

EmergingPattern classify_emerging(std::span<const double> z, std::span<const double> p, double alpha,
                                  double trend_alpha) {
    const size_t T = std::min(z.size(), p.size());
    if (T == 0) return EmergingPattern::NoPattern;
    std::vector<int> state(T, 0); // +1 hot, -1 cold, 0 not significant
    int nh = 0, nc = 0;
    for (size_t t = 0; t < T; ++t) {
        if (!(p[t] <= alpha) || std::isnan(z[t]) || z[t] == 0) continue;
        state[t] = z[t] > 0 ? 1 : -1;
        (z[t] > 0 ? nh : nc)++;
    }
    const auto mk = stats::mann_kendall(z.first(T));
    const bool trend = mk.p <= trend_alpha && mk.s != 0;
    const bool up = trend && mk.s > 0, down = trend && mk.s < 0;
    const double most = 0.9 * static_cast<double>(T) - 1e-9; // ">= 90 percent of the steps"
    const int last = state[T - 1];

    // One rule set for both signs; `sgn` = +1 evaluates hot patterns, -1 cold ones.
    auto classify = [&](int sgn, int n_same, int n_opposite) -> int {
        if (n_same >= most) {
            const bool intensifying = sgn > 0 ? up : down, diminishing = sgn > 0 ? down : up;
            return intensifying ? 2 : diminishing ? 4 : 3;
        }
        if (n_opposite > 0) return 6; // oscillating: the other sign earlier
        if (n_same == 1) return 0;    // new: first ever significant step
        int run = 0;
        for (size_t t = T; t-- > 0 && state[t] == sgn;) ++run;
        if (run == n_same && run >= 2) return 1; // consecutive: all of them in the final run
        return 5;                                // sporadic: on and off, never the other sign
    };
    if (last == 1)
        return static_cast<EmergingPattern>(static_cast<int>(EmergingPattern::NewHot) + classify(1, nh, nc));
    if (last == -1)
        return static_cast<EmergingPattern>(static_cast<int>(EmergingPattern::NewCold) + classify(-1, nc, nh));
    if (nh >= most) return EmergingPattern::HistoricalHot;
    if (nc >= most) return EmergingPattern::HistoricalCold;
    return EmergingPattern::NoPattern;
}

EmergingResult emerging_hot_spots(const UnitCentroids& units, std::span<const double> counts,
                                  const EmergingParams& params, Progress progress) {
    const size_t N = units.size();
    if (N < 2) throw GeoError("emerging hot spots: needs at least 2 units");
    if (counts.empty() || counts.size() % N != 0)
        throw GeoError("emerging hot spots: " + std::to_string(counts.size()) + " counts is not a multiple of " +
                       std::to_string(N) + " units");
    if (params.time_window < 0) throw GeoError("emerging hot spots: time window must be >= 0");
    const size_t T = counts.size() / N;
    check_values(counts, counts.size(), "emerging hot spots");
    EmergingResult r;
    r.n_units = N;
    r.n_steps = T;
    if (T < kMinEmergingSteps)
        throw GeoError("emerging hot spots: " + std::to_string(T) + " time step(s); at least " +
                       std::to_string(kMinEmergingSteps) +
                       " are needed (as ArcGIS' Emerging Hot Spot Analysis): the categories (\"Persistent\" = 90% of "
                       "the steps) and the Mann-Kendall trend mean nothing on fewer; use a shorter time step or a "
                       "longer period");

    double d = params.distance_m;
    r.distance_rule = "user";
    if (!(d > 0)) {
        std::vector<double> total(N, 0.0);
        for (size_t t = 0; t < T; ++t)
            for (size_t i = 0; i < N; ++i) total[i] += counts[t * N + i];
        const BandChoice ch = choose_distance_band(units, total, params.band_rule, progress);
        d = ch.distance_m;
        r.distance_rule = ch.rule;
        if (!ch.warning.empty()) r.warnings.push_back(ch.warning);
    }
    r.distance_m = d;
    const SpatialWeights w = distance_band_weights(units, d, true, progress);

    // Global context is the whole cube: n = N*T bins.
    const auto [mean, sd] = mean_sd(counts);
    if (sd == 0) r.warnings.push_back("all counts are equal: Gi* is undefined");
    // Spatial lag of centred counts per step (self included), then summed over the time window.
    std::vector<double> lag(N * T, 0.0);
    for (size_t t = 0; t < T; ++t) {
        progress(0.3 + 0.3 * t / T, "space-time Gi*");
        for (size_t i = 0; i < N; ++i) {
            double s = 0;
            for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) s += counts[t * N + w.index[e]] - mean;
            lag[t * N + i] = s;
        }
    }
    const double n = static_cast<double>(N * T);
    r.z.assign(N * T, kNaN);
    r.p.assign(N * T, kNaN);
    for (size_t t = 0; t < T; ++t) {
        const size_t t0 = t >= static_cast<size_t>(params.time_window) ? t - params.time_window : 0;
        for (size_t i = 0; i < N; ++i) {
            double s = 0;
            for (size_t u = t0; u <= t; ++u) s += lag[u * N + i];
            const double Wi = static_cast<double>(w.count(i) * (t - t0 + 1));
            const double v = (n * Wi - Wi * Wi) / (n - 1);
            if (sd > 0 && v > 0) r.z[t * N + i] = s / (sd * std::sqrt(v));
            r.p[t * N + i] = stats::p_two_sided(r.z[t * N + i]);
        }
    }
    r.p_fdr = stats::bh_adjust(r.p);
    const std::vector<double>& p = params.fdr ? r.p_fdr : r.p;
    r.bin = confidence_bins(r.z, p);

    r.pattern.resize(N);
    r.trend_z.resize(N);
    r.trend_p.resize(N);
    r.trend_tau.resize(N);
    r.hot_steps.assign(N, 0);
    r.cold_steps.assign(N, 0);
    std::vector<double> zs(T), ps(T);
    for (size_t i = 0; i < N; ++i) {
        report(progress, i, N, "emerging patterns", 0.7, 1.0);
        for (size_t t = 0; t < T; ++t) {
            zs[t] = r.z[t * N + i];
            ps[t] = p[t * N + i];
            if (ps[t] <= params.alpha && zs[t] > 0) ++r.hot_steps[i];
            if (ps[t] <= params.alpha && zs[t] < 0) ++r.cold_steps[i];
        }
        const auto mk = stats::mann_kendall(zs);
        r.trend_z[i] = mk.z;
        r.trend_p[i] = mk.p;
        r.trend_tau[i] = mk.tau;
        r.pattern[i] = classify_emerging(zs, ps, params.alpha, params.trend_alpha);
    }
    progress(1.0, "emerging patterns");
    return r;
}

} // namespace nexusmap
