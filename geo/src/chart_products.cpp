// Charts of the engine's products (charts.hpp): what `nexusmap chart` draws, built from results so
// every front end draws the same chart (moved out of app/cli for issue #15).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "nexusmap/charts.hpp"
#include "nexusmap/corridors.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/spillover.hpp"
#include "nexusmap/version.hpp"

namespace fs = std::filesystem;

namespace nexusmap {

namespace {
std::vector<std::pair<double, std::string>> period_ticks(const SpilloverResult& r) {
    std::vector<std::pair<double, std::string>> t;
    for (size_t i = 0; i < r.t_mid.size(); ++i)
        t.push_back({r.t_mid[i], r.labels[i]});
    return t;
}
} // namespace

std::vector<std::string> chart_footer(const EventTable& ev, const std::string& extra) {
    auto dr = ev.day_range();
    const std::string win = dr[0] == kNoDay ? "undated" : format_date(dr[0]) + " \u2013 " + format_date(dr[1]);
    std::vector<std::string> f = {"Source: " + fs::path(ev.source).filename().string() + " (" + ev.schema +
                                  ")  \u00b7  synthetic=" + (ev.synthetic ? "true" : "false") + "  \u00b7  " +
                                  std::to_string(ev.size()) + " events  \u00b7  window " + win +
                                  (extra.empty() ? "" : "  \u00b7  " + extra) + "  \u00b7  nexusmap " + kVersion + " chart"};
    // The events' own attribution (UCDP's CC BY citation) on a line of its own.
    if (!ev.prov.attribution.empty()) f.push_back("Data: " + ev.prov.attribution);
    return f;
}

ChartSpec events_per_month_chart(const EventTable& ev) {
    std::map<int64_t, double> n;
    for (size_t i = 0; i < ev.size(); ++i)
        if (ev.day[i] != kNoDay) n[period_index(ev.day[i], PeriodUnit::Month)] += 1;
    if (n.empty()) throw GeoError(ev.source, "", "no dated events to chart");
    ChartSeries bars{"events per month", {}, {}, style::category_color(0), ChartSeries::Kind::Bars};
    ChartSeries mean{"12-month mean", {}, {}, style::rgb8(200, 20, 30), ChartSeries::Kind::Line};
    ChartSpec s;
    std::vector<double> ys;
    for (int64_t m = n.begin()->first; m <= n.rbegin()->first; ++m) {
        const double x = double(m) / 12.0 + 1.0 / 24.0; // decimal year of the month's middle
        const double y = n.count(m) ? n[m] : 0;
        bars.x.push_back(x), bars.y.push_back(y), ys.push_back(y);
        if (ys.size() >= 12) {
            double sum = 0;
            for (size_t k = ys.size() - 12; k < ys.size(); ++k)
                sum += ys[k];
            mean.x.push_back(x), mean.y.push_back(sum / 12);
        }
        if (m % 12 == 0) s.x_ticks.push_back({double(m) / 12.0, std::to_string(m / 12)});
    }
    s.series = {bars, mean};
    s.title = "Conflict events per month";
    s.subtitle = fs::path(ev.source).filename().string() + (ev.synthetic ? " (SYNTHETIC demo data)" : "");
    s.ylabel = "events per month";
    s.footer = chart_footer(ev, "");
    s.synthetic = ev.synthetic;
    return s;
}

ChartSpec front_chart(const SpilloverResult& r, const EventTable& ev) {
    const auto& ts = r.front_trend.ts;
    const double q = r.params.quantile, w = r.params.window_km;
    ChartSeries front{"front (p" + short_num(q * 100) + " of signed km within " + short_num(w) + " km)", r.t_mid,
                      r.front_km, style::category_color(0), ChartSeries::Kind::LineMarkers};
    ChartSpec s;
    s.series.push_back(front);
    if (std::isfinite(ts.slope) && !r.t_mid.empty()) {
        ChartSeries tl{"Theil\u2013Sen line", {}, {}, style::rgb8(200, 20, 30), ChartSeries::Kind::Line, true};
        // Over the periods the trend used (enough events behind the front), not the whole record:
        // a line across decades the fit never saw would claim more than it knows.
        double t0 = NAN, t1 = NAN;
        for (size_t i = 0; i < r.t_mid.size() && i < r.front_km.size() && i < r.n_window.size(); ++i)
            if (std::isfinite(r.front_km[i]) && r.n_window[i] >= r.params.min_period_events) {
                if (!std::isfinite(t0)) t0 = r.t_mid[i];
                t1 = r.t_mid[i];
            }
        if (!std::isfinite(t0)) t0 = r.t_mid.front(), t1 = r.t_mid.back();
        for (double t : {t0, t1})
            tl.x.push_back(t), tl.y.push_back(ts.intercept + ts.slope * t);
        s.series.push_back(tl);
    }
    s.hline = 0;
    s.y_from_zero = false;
    s.x_ticks = period_ticks(r);
    s.title = "Spillover front toward the Gulf of Guinea states";
    auto md = [&](const char* k) {
        auto it = r.metadata.find(k);
        return it == r.metadata.end() ? std::string() : it->second;
    };
    s.subtitle = "Signed distance to the Sahel\u2013coastal border (" + md("sahel_group") + " | " + md("coastal_group") +
                 "), per " + period_unit_name(r.params.period);
    s.ylabel = "km from the border (positive = coastal side)";
    if (r.front_trend.withheld) {
        s.notes = {"Front velocity " + r.front_trend.note};
    } else {
        char buf[256];
        const int ci = int(100 * (1 - ts.alpha) + 0.5);
        std::snprintf(buf, sizeof buf,
                      "Front velocity %+.1f km/yr (Theil\u2013Sen, %d%% CI %+.1f .. %+.1f); Mann\u2013Kendall tau %.2f, p %.3g",
                      ts.slope, ci, ts.slope_lo, ts.slope_hi, r.front_trend.mk.tau, r.front_trend.mk.p);
        s.notes = {buf, "Trend " + r.front_trend.note + "; periods with fewer events are left out of it"};
    }
    s.footer = chart_footer(ev, "quantile " + short_num(q) + ", window " + short_num(w) + " km");
    s.synthetic = ev.synthetic;
    return s;
}

ChartSpec bands_chart(const SpilloverResult& r, const EventTable& ev, const std::string& bands_text) {
    ChartSpec s;
    const size_t np = r.labels.size(), nb = r.bands.size();
    for (size_t b = 0; b < nb; ++b)
        s.x_ticks.push_back({double(b), r.bands[b].label + " km"});
    for (size_t p = 0; p < np; ++p) {
        ChartSeries se{r.labels[p], {}, {},
                       style::ramp_color(style::Ramp::Viridis, np > 1 ? 0.9 * double(p) / double(np - 1) : 0.5),
                       ChartSeries::Kind::LineMarkers};
        se.width_pt = 1.1;
        for (size_t b = 0; b < nb; ++b) {
            const double area = r.bands[b].area_km2;
            se.x.push_back(double(b));
            se.y.push_back(area > 0 ? r.band_n[p][b] / area * 1e4 : std::nan(""));
        }
        s.series.push_back(std::move(se));
    }
    for (size_t b = 0; b < nb; ++b)
        if (r.bands[b].lo_km >= 0) {
            s.vlines.push_back({double(b) - 0.5, "border"});
            break;
        }
    s.title = "Events by distance band from the Sahel\u2013coastal border";
    s.subtitle = "Events per 10,000 km\u00b2 of each band, one line per " + period_unit_name(r.params.period) +
                 " (negative = Sahel side)";
    s.xlabel = "signed distance band";
    s.ylabel = "events per 10,000 km\u00b2";
    s.footer = chart_footer(ev, "bands " + bands_text + " km");
    s.synthetic = ev.synthetic;
    return s;
}

ChartSpec route_profile_chart(const CorridorResult& r, size_t pick, const EventTable& ev, bool illustrative) {
    const RouteResult& R = r.routes.at(pick);
    const double hw = r.params.half_width_km, bin = r.params.bin_km;
    ChartSeries bars{"events per km within " + short_num(hw) + " km", {}, {}, style::category_color(1),
                     ChartSeries::Kind::Bars};
    for (auto& b : R.profile)
        bars.x.push_back((b.from_km + b.to_km) / 2), bars.y.push_back(b.events_per_km);
    ChartSpec s;
    s.series = {bars};
    for (auto& c : r.crossings)
        if (c.route == pick) s.vlines.push_back({c.along_km, "border " + c.segment});
    s.title = "Route profile: " + R.name;
    s.subtitle = R.commodity + " route, " + short_num(R.length_km) + " km" + (illustrative ? " (ILLUSTRATIVE route)" : "") +
                 "; rank " + std::to_string(R.rank_recent) + " by recent activity";
    s.xlabel = "km along the route";
    s.ylabel = "events per km";
    s.footer = chart_footer(ev, "half-width " + short_num(hw) + " km, bins " + short_num(bin) + " km");
    s.synthetic = ev.synthetic;
    return s;
}

} // namespace nexusmap
