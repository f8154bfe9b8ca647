#pragma once
// The benchmarks' seeded input: clustered points in metres in the default LAEA CRS (2E 12N) —
// 12 Gaussian clusters (sd 30-120 km) plus 10% uniform background over a 3000 x 2000 km box
// centred on the CRS origin, the shape of issue #7's "clustered points over West Africa".
#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace nexusmap::bench {

inline void make_points(size_t n, uint64_t seed, std::vector<double>& x, std::vector<double>& y) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> ux(-1.5e6, 1.5e6), uy(-1.0e6, 1.0e6), us(30e3, 120e3);
    std::normal_distribution<double> nd(0, 1);
    std::vector<std::array<double, 3>> c(12);
    for (auto& k : c) k = {ux(rng) * 0.8, uy(rng) * 0.8, us(rng)};
    x.resize(n);
    y.resize(n);
    for (size_t i = 0; i < n; ++i) {
        if (i % 10 == 0) {
            x[i] = ux(rng), y[i] = uy(rng);
        } else {
            auto& k = c[i % c.size()];
            x[i] = k[0] + k[2] * nd(rng), y[i] = k[1] + k[2] * nd(rng);
        }
    }
}

} // namespace nexusmap::bench
