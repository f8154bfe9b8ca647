// Times the space-time permutation scan on the bundled real UCDP GED events (../shared/data/real,
// beside the checkout) or on a file given as the first argument, at a few problem sizes.
// Usage: bench_scan [EVENTS.csv] [replications] [threads]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "nexusmap/events.hpp"
#include "nexusmap/scan.hpp"

using namespace nexusmap;

int main(int argc, char** argv) {
    std::string path = argc > 1 ? argv[1]
                                : (std::filesystem::path(NEXUSMAP_SOURCE_DIR).parent_path() /
                                   "shared/data/real/ucdp_ged_241_uemoa6/ged241_uemoa6_1989_2023.csv")
                                      .string();
    const int R = argc > 2 ? std::atoi(argv[2]) : 999;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    if (!std::filesystem::exists(path)) {
        std::fprintf(stderr, "bench_scan: %s not found\n", path.c_str());
        return 77;
    }
    EventLoadResult lr = load_events(path);
    project_events(lr.events, Crs::default_analysis());
    struct Case {
        const char* name;
        ScanParams p;
    };
    std::vector<Case> cases;
    auto add = [&](const char* name, PeriodUnit u, double cell, double maxr, int maxw, bool prosp, double loc = 0) {
        ScanParams p;
        p.location_cell_km = loc;
        p.period = u, p.centre_cell_km = cell, p.max_radius_km = maxr, p.max_window_periods = maxw;
        p.prospective = prosp, p.replications = R, p.threads = threads;
        // BENCH_SCAN_EXHAUSTIVE=1: every window pair (the loop before the branch and bound).
        p.exhaustive_windows = std::getenv("BENCH_SCAN_EXHAUSTIVE") && std::atoi(std::getenv("BENCH_SCAN_EXHAUSTIVE"));
        cases.push_back({name, p});
    };
    add("month, 50 km centres, 50% share, 50% window (SaTScan defaults)", PeriodUnit::Month, 50, 0, 0, false);
    add("month, 50 km centres, radius <= 200 km, window <= 24 months", PeriodUnit::Month, 50, 200, 24, false);
    add("month, 50 km centres, prospective, window <= 24 months", PeriodUnit::Month, 50, 0, 24, true);
    add("quarter, 50 km centres, 50% share, 50% window", PeriodUnit::Quarter, 50, 0, 0, false);
    add("quarter, 50 km centres+locations, radius <= 200 km, window <= 8 quarters", PeriodUnit::Quarter, 50, 200, 8, false, 50);
    add("year, 50 km centres+locations, radius <= 200 km, window <= 5 years", PeriodUnit::Year, 50, 200, 5, false, 50);
    add("month, 50 km centres+locations, prospective, window <= 12 months", PeriodUnit::Month, 50, 200, 12, true, 50);
    add("month, 50 km centres+locations, radius <= 200 km, window <= 12 months", PeriodUnit::Month, 50, 200, 12, false, 50);
    add("month, 50 km centres, radius <= 200 km, window <= 12 months", PeriodUnit::Month, 50, 200, 12, false);
    const char* only = std::getenv("BENCH_SCAN_FROM");
    size_t from = only ? size_t(std::atoi(only)) : 0;
    const char* to_env = std::getenv("BENCH_SCAN_TO"); // last case (inclusive)
    const size_t to = to_env ? std::min(cases.size(), size_t(std::atoi(to_env)) + 1) : cases.size();
    for (size_t ci = from; ci < to; ++ci) {
        auto& c = cases[ci];
        ScanResult r = space_time_permutation_scan(lr.events, c.p);
        const auto& m = r.clusters.empty() ? ScanCluster{} : r.clusters.front();
        std::printf("%-66s N=%zu locations=%zu centres=%zu circles=%zu periods=%zu maxwin=%d R=%d threads=%d: %.2f s"
                    "  MLC %s..%s r=%.0f km n=%.0f exp=%.1f LLR=%.2f p=%.4g\n",
                    c.name, r.n, r.n_locations, r.n_centres, r.n_bases, r.n_periods, r.max_window, R, threads, r.seconds,
                    m.start_label.c_str(), m.end_label.c_str(), m.radius_km, m.observed, m.expected, m.llr, m.p_mc);
        std::fflush(stdout);
    }
}
