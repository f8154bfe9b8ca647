// The viewer's heat colour range (viewer/heat_range.hpp, issue #14 "a colour scale that holds
// still"): the fixed range is the maximum over every time-window position and does not move while
// the window steps (Play); fit to view is the largest visible cell (brute force); typed is typed;
// the legend names the mode.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "nexusmap/crs.hpp"
#include "viewer/heat_range.hpp"
#include "viewer/print_map.hpp"

using namespace nexusmap;
using namespace nexusmap::viewer;

namespace {
// Clusters far apart (> 2 bandwidths), each stacked on one cell centre, in given months.
struct Setup {
    GridSpec grid = GridSpec::covering({0, 0, 1000e3, 400e3}, 10e3);
    WindowMaxInput in;
    Setup(const std::vector<std::pair<double, int>>& pts) { // (cluster x as a column, month)
        in.xs = std::make_shared<std::vector<double>>();
        in.ys = std::make_shared<std::vector<double>>();
        in.ws = std::make_shared<std::vector<float>>();
        in.months = std::make_shared<std::vector<int>>();
        for (auto [col, m] : pts) {
            in.xs->push_back(grid.col_center_x(int(col)));
            in.ys->push_back(grid.row_center_y(20));
            in.months->push_back(m);
        }
        in.grid = grid;
        in.params.kernel = Kernel::Quartic;
        in.params.bandwidth_m = 50e3;
        in.params.cell_m = 10e3;
        in.params.method = KdeMethod::Exact;
    }
};
} // namespace

TEST_CASE("fixed heat range: the max over every window position, by linearity of the kernel sum") {
    const int m0 = 2020 * 12; // January 2020
    // Cluster A (column 10): 1 event in each of months 0..5; cluster B (column 50): 4 events in
    // month 2; cluster C (column 90): 3 events in month 7.
    std::vector<std::pair<double, int>> pts;
    for (int k = 0; k < 6; ++k) pts.push_back({10, m0 + k});
    for (int k = 0; k < 4; ++k) pts.push_back({50, m0 + 2});
    for (int k = 0; k < 3; ++k) pts.push_back({90, m0 + 7});
    Setup s(pts);
    Progress none;
    // Float32 rasters: sums agree to ~1e-7. One event's peak (the unit): a window holding only A's month-0 event.
    Setup one({{10, m0}});
    one.in.first = one.in.last = m0, one.in.length = 1;
    const double unit = one.in.run(Crs::laea(2, 12), none);
    REQUIRE(unit > 0);
    // Windows of 3 months over Jan..Aug 2020: 6 positions. Stacked counts per window: A gives up to
    // 3, B 4 (windows containing March), C 3: the largest cell is B's 4 events.
    s.in.first = m0, s.in.last = m0 + 7, s.in.length = 3;
    CHECK(s.in.n_windows() == 6);
    CHECK(s.in.run(Crs::laea(2, 12), none) / unit == doctest::Approx(4.0).epsilon(1e-6));
    // Windows of 8 months: one position holding everything: A stacks 6 events.
    s.in.length = 8;
    CHECK(s.in.n_windows() == 1);
    CHECK(s.in.run(Crs::laea(2, 12), none) / unit == doctest::Approx(6.0).epsilon(1e-6));
    // One-month windows: B's 4 events in March is the peak.
    s.in.length = 1;
    CHECK(s.in.n_windows() == 8);
    CHECK(s.in.run(Crs::laea(2, 12), none) / unit == doctest::Approx(4.0).epsilon(1e-6));
}

TEST_CASE("fixed heat range does not change while Play steps the window; the per-window max does") {
    TimeWindow w;
    w.set_range(2020 * 12, 2020 * 12 + 11);
    w.length = 3, w.start = w.first, w.all = false;
    const double fixed = 0.02;
    std::vector<double> his, grid_maxes;
    for (int step = 0; step < 10; ++step) {
        const double grid_max = 0.005 + 0.0015 * ((step * 7) % 10); // what this window's grid holds
        const ValueScale vs = resolve_heat_range(HeatRangeMode::FixedAllPeriods, Scale::Linear, true, grid_max, fixed, 0, 0, 1);
        his.push_back(vs.hi);
        grid_maxes.push_back(grid_max);
        w.step();
    }
    for (double h : his) CHECK(h == fixed);
    CHECK(*std::max_element(grid_maxes.begin(), grid_maxes.end()) > *std::min_element(grid_maxes.begin(), grid_maxes.end()));
    // Until the fixed maximum is computed (NaN), and with the window off, the grid max stands in.
    CHECK(resolve_heat_range(HeatRangeMode::FixedAllPeriods, Scale::Linear, true, 0.01, std::nan(""), 0, 0, 1).hi == 0.01);
    CHECK(resolve_heat_range(HeatRangeMode::FixedAllPeriods, Scale::Linear, false, 0.01, 0.03, 0, 0, 1).hi == 0.01);
    // Typed wins; fit to view takes the view's max.
    const ValueScale t = resolve_heat_range(HeatRangeMode::Typed, Scale::Sqrt, true, 0.01, 0.03, 0.002, 0.001f, 0.05f);
    CHECK(t.lo == doctest::Approx(0.001));
    CHECK(t.hi == doctest::Approx(0.05));
    CHECK(t.scale == Scale::Sqrt);
    CHECK(resolve_heat_range(HeatRangeMode::FitView, Scale::Linear, true, 0.01, 0.03, 0.002, 0, 1).hi == 0.002);
}

TEST_CASE("fit-to-view range equals the max of the cells whose centres are in view (brute force)") {
    const GridSpec g = GridSpec::covering({0, 0, 300e3, 200e3}, 5e3);
    std::vector<float> v(size_t(g.width) * size_t(g.height));
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0, 1);
    for (auto& x : v) x = u(rng);
    auto cell = [&](int c, int r) { return v[size_t(r) * size_t(g.width) + size_t(c)]; };
    for (int k = 0; k < 50; ++k) {
        double x0 = u(rng) * 300e3 - 20e3, x1 = x0 + u(rng) * 150e3 + 1e3;
        double y0 = u(rng) * 200e3 - 20e3, y1 = y0 + u(rng) * 100e3 + 1e3;
        const BBox view{x0, y0, x1, y1};
        double brute = 0;
        for (int r = 0; r < g.height; ++r)
            for (int c = 0; c < g.width; ++c)
                if (view.contains(g.col_center_x(c), g.row_center_y(r))) brute = std::max(brute, double(cell(c, r)));
        CHECK(max_in_view(g, cell, view) == brute);
    }
}

TEST_CASE("heat range ids and the legend's words") {
    for (auto m : {HeatRangeMode::FixedAllPeriods, HeatRangeMode::FitView, HeatRangeMode::Typed})
        CHECK(heat_range_from_id(heat_range_id(m)) == m);
    CHECK_FALSE(heat_range_from_id("auto").has_value());
    TimeWindow w;
    w.set_range(2012 * 12, 2023 * 12 + 11); // 144 months
    w.length = 12, w.all = false;
    CHECK(heat_range_note(HeatRangeMode::FixedAllPeriods, &w, true) ==
          "fixed over all 133 windows of 12 months (2012-01 to 2023-12)");
    CHECK(heat_range_note(HeatRangeMode::FixedAllPeriods, &w, false).find("computing") != std::string::npos);
    CHECK(heat_range_note(HeatRangeMode::FitView, &w, true).rfind("fit to view", 0) == 0);
    CHECK(heat_range_note(HeatRangeMode::Typed, &w, true) == "typed range");
    w.all = true;
    CHECK(heat_range_note(HeatRangeMode::FixedAllPeriods, &w, true) == "fixed: max over all dates");
}

TEST_CASE("print map legend says which heat range it was drawn with") {
    Raster r(GridSpec::covering({0, 0, 100e3, 100e3}, 10e3), Crs::laea(2, 12), 1.f);
    PrintMapInput in;
    in.crs = Crs::laea(2, 12);
    in.view = {0, 0, 100e3, 100e3};
    in.density = &r;
    in.range_note = "fixed over all 133 windows of 12 months (2012-01 \u2013 2023-12)";
    const MapSpec s = build_print_map(in);
    REQUIRE(s.legend_notes.size() == 1);
    CHECK(s.legend_notes[0] == "scale: " + in.range_note);
    in.range_note.clear();
    CHECK(build_print_map(in).legend_notes.empty());
}
