// Times Gi* on square fishnets: the disk-stencil fast path (gi_star_fishnet) against the generic CSR
// path (distance_band_weights + gi_star) and a naive O(n^2) double loop, 25 km band on 5 km cells.
// Usage: bench_gistar [--no-naive] [cells...]   (default sizes: 10000 50000 100000)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "nexusmap/hotspots.hpp"

using namespace nexusmap;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Naive Gi*: every pair of cells tested against the band (the textbook O(n^2) form).
std::vector<double> gi_naive(const UnitCentroids& c, const std::vector<double>& x, double d) {
    const size_t n = x.size();
    double sum = 0, sum2 = 0;
    for (double v : x) {
        sum += v;
        sum2 += v * v;
    }
    const double xbar = sum / n, S = std::sqrt(sum2 / n - xbar * xbar);
    std::vector<double> z(n);
    for (size_t i = 0; i < n; ++i) {
        double wx = 0, W = 0;
        for (size_t j = 0; j < n; ++j) {
            const double dx = c.x[i] - c.x[j], dy = c.y[i] - c.y[j];
            if (within_band(dx * dx + dy * dy, d)) {
                wx += x[j];
                W += 1;
            }
        }
        z[i] = (wx - xbar * W) / (S * std::sqrt((n * W - W * W) / (n - 1)));
    }
    return z;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

} // namespace

int main(int argc, char** argv) {
    bool naive = true;
    std::vector<long> sizes;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--no-naive")) naive = false;
        else sizes.push_back(std::atol(argv[i]));
    }
    if (sizes.empty()) sizes = {10000, 50000, 100000};
    const double cell = 5000, band = 25000;

    std::printf("Gi*: binary distance band %.0f km on %.0f km cells (self included), Poisson(2) counts\n",
                band / 1000, cell / 1000);
    std::printf("%9s %11s %8s %10s %10s %11s %10s %11s %10s\n", "cells", "grid", "nbrs", "fast ms", "csr ms",
                "naive ms", "csr/fast", "naive/fast", "max|dz|");
    std::mt19937_64 rng(1);
    std::poisson_distribution<int> pois(2.0);
    for (long target : sizes) {
        // A roughly 5:4 grid with about `target` cells.
        GridSpec g;
        g.cell = cell;
        g.width = static_cast<int>(std::lround(std::sqrt(target * 1.25)));
        g.height = static_cast<int>(std::lround(static_cast<double>(target) / g.width));
        g.xmin = 0;
        g.ymax = g.height * cell;
        std::vector<double> x(g.size());
        for (double& v : x) v = pois(rng);
        GiStarParams p;
        p.distance_m = band;

        auto t0 = Clock::now();
        const GiStarResult fast = gi_star_fishnet(g, x, {}, p);
        const double t_fast = ms_since(t0);

        const UnitCentroids c = fishnet_centroids(g);
        t0 = Clock::now();
        const GiStarResult csr = gi_star(x, distance_band_weights(c, band, true), p);
        const double t_csr = ms_since(t0);
        double diff = max_diff(fast.z, csr.z);

        double t_naive = NAN;
        if (naive) {
            t0 = Clock::now();
            const std::vector<double> z = gi_naive(c, x, band);
            t_naive = ms_since(t0);
            diff = std::max(diff, max_diff(fast.z, z));
        }
        const int nbrs = fast.n_neighbors[static_cast<size_t>(g.height / 2) * g.width + g.width / 2]; // interior cell
        char dims[32];
        std::snprintf(dims, sizeof dims, "%dx%d", g.width, g.height);
        std::printf("%9zu %11s %8d %10.1f %10.1f %11.1f %10.1f %11.1f %10.2e\n", g.size(), dims, nbrs, t_fast, t_csr,
                    t_naive, t_csr / t_fast, t_naive / t_fast, diff);
    }
    return 0;
}
