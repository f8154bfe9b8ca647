#pragma once
// The heat colour scale's range (issue #14, "a colour scale that holds still"). Three modes:
// - FixedAllPeriods (default): 0 .. the largest density over EVERY position of the time window
//   the slider can take (windows of the current length from the first to the last month, with the
//   current filters), computed once on a worker, so Play and exported frames share one scale;
//   with the time window off ("all dates") it is the grid's maximum (there is one period).
// - FitView: 0 .. the largest density among the cells whose centres are in view.
// - Typed: the lo/hi typed in the Heatmap panel.
// The legend says which (heat_range_note). Pure logic, no GL/ImGui (tests/test_viewer_logic.cpp).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nexusmap/density.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/raster.hpp"
#include "viewer/colormap.hpp"
#include "viewer/time_model.hpp"

namespace nexusmap::viewer {

enum class HeatRangeMode { FixedAllPeriods, FitView, Typed };
inline const char* heat_range_id(HeatRangeMode m) {
    return m == HeatRangeMode::FitView ? "fit_view" : m == HeatRangeMode::Typed ? "typed" : "fixed_all";
}
inline std::optional<HeatRangeMode> heat_range_from_id(std::string_view s) {
    if (s == "fixed_all") return HeatRangeMode::FixedAllPeriods;
    if (s == "fit_view") return HeatRangeMode::FitView;
    if (s == "typed") return HeatRangeMode::Typed;
    return std::nullopt;
}
inline const char* heat_range_name(HeatRangeMode m) {
    return m == HeatRangeMode::FitView ? "fit to view" : m == HeatRangeMode::Typed ? "typed range" : "fixed over all periods";
}

// The largest cell value whose centre lies in `view` (row 0 north, as GridSpec); 0 when none.
inline double max_in_view(const GridSpec& g, const std::function<float(int col, int row)>& cell, const BBox& view) {
    const int c0 = std::max(0, int(std::floor((view.xmin - g.xmin) / g.cell - 0.5)));
    const int c1 = std::min(g.width - 1, int(std::ceil((view.xmax - g.xmin) / g.cell - 0.5)));
    const int r0 = std::max(0, int(std::floor((g.ymax - view.ymax) / g.cell - 0.5)));
    const int r1 = std::min(g.height - 1, int(std::ceil((g.ymax - view.ymin) / g.cell - 0.5)));
    double m = 0;
    for (int r = r0; r <= r1; ++r) {
        const double y = g.row_center_y(r);
        if (y < view.ymin || y > view.ymax) continue;
        for (int c = c0; c <= c1; ++c) {
            const double x = g.col_center_x(c);
            if (x < view.xmin || x > view.xmax) continue;
            const float v = cell(c, r);
            if (std::isfinite(v)) m = std::max(m, double(v));
        }
    }
    return m;
}

// Events as the fixed range needs them: the current filters applied EXCEPT the time window, with
// each point's month; run() computes the density of every window position and keeps the maximum.
struct WindowMaxInput {
    std::shared_ptr<std::vector<double>> xs, ys;
    std::shared_ptr<std::vector<float>> ws; // empty: every event counts 1
    std::shared_ptr<std::vector<int>> months;
    GridSpec grid;
    KdeParams params;
    int first = 0, last = 0, length = 12; // TimeWindow's data range and window length

    // Window starts the slider (and Play) can take: first .. last - length + 1.
    int n_windows() const { return std::max(1, last - std::max(1, length) + 2 - first); }
    // Max over all window positions of the window's density (kernel_density of its points).
    double run(const Crs& crs, Progress& progress) const {
        double best = 0;
        const int n = n_windows();
        std::vector<double> x, y;
        std::vector<float> w;
        for (int k = 0; k < n; ++k) {
            progress(double(k) / n, "fixed range");
            const int s = first + k, e = s + std::max(1, length);
            x.clear(), y.clear(), w.clear();
            for (size_t i = 0; i < months->size(); ++i)
                if ((*months)[i] >= s && (*months)[i] < e) {
                    x.push_back((*xs)[i]), y.push_back((*ys)[i]);
                    if (!ws->empty()) w.push_back((*ws)[i]);
                }
            if (x.empty()) continue;
            KdeInput in{&x, &y, ws->empty() ? nullptr : &w};
            const KdeResult r = kernel_density(in, grid, crs, params);
            const auto mm = r.raster.minmax();
            if (std::isfinite(mm[1])) best = std::max(best, mm[1]);
        }
        return best;
    }
};

// What the colour pass uses. `windowed`: the time window is on (not "all dates"); fixed_max NaN:
// not computed yet (the grid maximum stands in until it is).
inline ValueScale resolve_heat_range(HeatRangeMode m, Scale scale, bool windowed, double grid_max, double fixed_max,
                                     double view_max, float lo, float hi) {
    ValueScale vs;
    vs.scale = scale;
    vs.lo = 0;
    double top = grid_max;
    switch (m) {
    case HeatRangeMode::FixedAllPeriods:
        if (windowed && std::isfinite(fixed_max) && fixed_max > 0) top = fixed_max;
        break;
    case HeatRangeMode::FitView:
        if (view_max > 0) top = view_max;
        break;
    case HeatRangeMode::Typed:
        vs.lo = lo;
        vs.hi = std::max(double(hi), double(lo) + 1e-12);
        return vs;
    }
    vs.hi = top > 0 ? top : 1e-9;
    return vs;
}

// The legend's line about the range ("fixed over all 409 windows of 12 months (1989-01 to 2024-12)";
// ASCII: the on-screen font has no en dash).
inline std::string heat_range_note(HeatRangeMode m, const TimeWindow* w, bool fixed_ready) {
    switch (m) {
    case HeatRangeMode::Typed: return "typed range";
    case HeatRangeMode::FitView: return "fit to view (changes with the view)";
    case HeatRangeMode::FixedAllPeriods: break;
    }
    if (!w || w->all) return "fixed: max over all dates";
    const int n = std::max(1, w->last - w->length + 2 - w->first);
    std::string s = "fixed over all " + std::to_string(n) + " windows of " + std::to_string(w->length) + " month" +
                    (w->length == 1 ? "" : "s") + " (" + month_label(w->first) + " to " + month_label(w->last) + ")";
    return fixed_ready ? s : s + ", computing...";
}

} // namespace nexusmap::viewer
