// App::update_heat_range: feeds HeatmapRenderer the visible extent (fit to view) and the maximum
// over all time-window positions (fixed over all periods, heat_range.hpp), the latter computed on a
// worker with geo's KDE whenever what it depends on changes.
#include <algorithm>
#include <cmath>
#include <thread>

#include "viewer/app.hpp"
#include "viewer/heat_range.hpp"
#include "viewer/panels.hpp"

namespace nexusmap::viewer {

namespace {
// The current filters without the time window; every point carries its month.
WindowMaxInput window_max_input(const EventSet& ev, const HeatParams& p, const GridSpec& grid) {
    WindowMaxInput in;
    in.xs = std::make_shared<std::vector<double>>();
    in.ys = std::make_shared<std::vector<double>>();
    in.ws = std::make_shared<std::vector<float>>();
    in.months = std::make_shared<std::vector<int>>();
    const EventTable& t = ev.table;
    for (size_t i = 0; i < t.size(); ++i) {
        if (!ev.keep.empty() && i < ev.keep.size() && !ev.keep[i]) continue;
        const uint16_t ty = t.type.empty() ? 0 : t.type[i];
        if (ty < ev.type_on.size() && !ev.type_on[ty]) continue;
        if (t.day.empty() || t.day[i] == kNoDay || !std::isfinite(t.x[i]) || !std::isfinite(t.y[i])) continue;
        in.xs->push_back(t.x[i]), in.ys->push_back(t.y[i]);
        in.months->push_back(month_index(t.day[i]));
        if (p.weight == WeightMode::WeightColumn) in.ws->push_back(t.weight.empty() ? 1.f : t.weight[i]);
        if (p.weight == WeightMode::Fatalities) in.ws->push_back(t.fatalities.empty() ? 0.f : t.fatalities[i]);
    }
    in.params = exact_kde_input(EventSet{}, p, grid).params; // the same kernel, bandwidth, units, weights
    in.params.method = KdeMethod::Auto;
    in.grid = grid;
    in.first = ev.window.first, in.last = ev.window.last, in.length = ev.window.length;
    return in;
}
} // namespace

void App::update_heat_range() {
    const EventSet& ev = *doc_.events;
    const HeatParams& p = doc_.heat;
    // The visible extent in the analysis CRS (the grid's), through the display chain when needed.
    BBox v = view_.visible();
    if (lonlat_ && !lonlat_->identity()) {
        BBox a = BBox::inverted();
        for (double fx : {0.0, 0.5, 1.0})
            for (double fy : {0.0, 0.5, 1.0}) {
                double x = v.xmin + fx * (v.xmax - v.xmin), y = v.ymin + fy * (v.ymax - v.ymin);
                lonlat_->to_analysis(x, y);
                if (std::isfinite(x) && std::isfinite(y)) a.expand(x, y);
            }
        v = a;
    }
    heat_.set_view(v, !ev.window.all);
    if (p.range != HeatRangeMode::FixedAllPeriods || ev.window.all || !heat_.valid()) return;
    const GridSpec& g = heat_.grid();
    std::vector<double> key = {double(ev.filter_version), double(int(p.kernel)), p.bandwidth_km, double(int(p.weight)),
                               double(ev.window.first), double(ev.window.last), double(ev.window.length),
                               g.xmin, g.ymax, g.cell, double(g.width), double(g.height), double(ev.table.size())};
    for (bool on : ev.type_on) key.push_back(on);
    if (key == fixed_range_key_) return;
    fixed_range_key_ = key;
    heat_.set_fixed_max(std::nan(""));
    const bool alive = std::any_of(jobs_.all().begin(), jobs_.all().end(), [this](auto& j) { return j.get() == fixed_range_job_; });
    if (alive) fixed_range_job_->cancel(); // superseded
    WindowMaxInput in = window_max_input(ev, p, g);
    const Crs crs = doc_.analysis;
    fixed_range_job_ = &jobs_.start<double>(
        "fixed colour range (all time windows)", [in, crs](Progress& progress) { return in.run(crs, progress); },
        [this, key](double m) {
            if (key == fixed_range_key_) heat_.set_fixed_max(m);
        });
}

} // namespace nexusmap::viewer
