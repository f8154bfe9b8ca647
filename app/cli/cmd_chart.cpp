// `nexusmap chart`: charts from the engine's results as PNG/PDF/SVG (by extension):
//   events-per-month  bar chart of events per calendar month (+ 12-month mean)
//   front             the spillover front per period with its Theil-Sen line and velocity
//   bands             spillover bands: bands on x, events per 10,000 km^2, one line per period
//   profile           events per km along one route, border crossings marked
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/charts.hpp"
#include "nexusmap/corridors.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/spillover.hpp"
#include "nexusmap/version.hpp"

namespace fs = std::filesystem;

namespace nexusmap::cli {

// From cmd_spillover.cpp.
Border load_border(const std::string& admin0_spec, const std::string& sahel, const std::string& coastal, const Crs& crs);
std::string admin0_file(const std::string& admin0_spec);

namespace {

struct ChartArgs {
    EventArgs ev;
    std::string out;
    int width = 1400, height = 800;
    bool force = false;
    std::string title;
    // spillover / corridors
    std::string admin0, sahel = "MLI,BFA,NER", coastal = "CIV,GHA,TGO,BEN", period = "year";
    std::string bands = "-200,-100,-50,0,50,100,200";
    double quantile = 0.9, window_km = 300;
    std::string routes, route;
    double half_width_km = 25, bin_km = 25;

    void add_common(CLI::App* cmd) {
        ev.add_to(cmd);
        cmd->add_option("-o,--out", out, "Output .png, .pdf or .svg")->required();
        cmd->add_option("--width", width, "Width in pixels (vector formats: the same size at 96 dpi)")->capture_default_str();
        cmd->add_option("--height", height, "Height in pixels")->capture_default_str();
        cmd->add_option("--title", title, "Title (default: what is drawn)");
        cmd->add_flag("--force", force, "Overwrite an existing output");
    }
    void add_border(CLI::App* cmd) {
        cmd->add_option("--admin0", admin0, "Admin-0 polygons FILE[:LAYER] (default: bundled basemap:admin0)");
        cmd->add_option("--sahel", sahel, "Sahel group, ISO alpha-3 codes")->capture_default_str();
        cmd->add_option("--coastal", coastal, "Coastal group, ISO alpha-3 codes")->capture_default_str();
        cmd->add_option("--period", period, "year | quarter | month")->capture_default_str();
    }
};

PageSetup chart_page(const ChartArgs& a) {
    const auto f = image_format_for(a.out);
    if (!f) throw GeoError(a.out, "", "unknown image format (use .png, .pdf or .svg)");
    PageSetup p = PageSetup::device(a.width, a.height);
    if (*f != ImageFormat::Png) p.device_per_pt *= 0.75;
    return p;
}

std::vector<std::string> footer(const EventTable& ev, const std::string& extra) {
    auto dr = ev.day_range();
    const std::string win = dr[0] == kNoDay ? "undated" : format_date(dr[0]) + " \u2013 " + format_date(dr[1]);
    std::vector<std::string> f = {"Source: " + fs::path(ev.source).filename().string() + " (" + ev.schema + ")  \u00b7  synthetic=" +
                                  (ev.synthetic ? "true" : "false") + "  \u00b7  " + std::to_string(ev.size()) +
                                  " events  \u00b7  window " + win + (extra.empty() ? "" : "  \u00b7  " + extra) +
                                  "  \u00b7  nexusmap " + kVersion + " chart"};
    // The events' own attribution (UCDP's CC BY citation) on a line of its own.
    if (!ev.prov.attribution.empty()) f.push_back("Data: " + ev.prov.attribution);
    return f;
}

void finish(const ChartArgs& a, const ChartSpec& spec) {
    ChartResult r = render_chart_file(spec, chart_page(a), a.out);
    std::printf("wrote %s  (x %s..%s, y %s..%s)\n", a.out.c_str(), short_num(r.xmin).c_str(), short_num(r.xmax).c_str(),
                short_num(r.ymin).c_str(), short_num(r.ymax).c_str());
}

SpilloverResult spillover(const ChartArgs& a, const EventTable& ev) {
    SpilloverParams sp;
    sp.bands_km = parse_numbers(a.bands, "bands");
    sp.period = parse_period_unit(a.period);
    sp.quantile = a.quantile, sp.window_km = a.window_km;
    sp.permutations = 99; // lead-lag is not charted here
    Border border = load_border(a.admin0, a.sahel, a.coastal, ev.crs);
    return analyse_spillover(ev, border, sp);
}

std::vector<std::pair<double, std::string>> period_ticks(const SpilloverResult& r) {
    std::vector<std::pair<double, std::string>> t;
    for (size_t i = 0; i < r.t_mid.size(); ++i) t.push_back({r.t_mid[i], r.labels[i]});
    return t;
}

} // namespace

void add_chart(CLI::App& app) {
    auto* chart = app.add_subcommand("chart", "Charts (PNG/PDF/SVG): events-per-month, front, bands, profile");
    chart->require_subcommand(1);

    {
        auto* cmd = chart->add_subcommand("events-per-month", "Bar chart of events per calendar month, with a 12-month mean");
        auto a = std::make_shared<ChartArgs>();
        a->add_common(cmd);
        cmd->callback([a] {
            check_output(a->out, a->force, {a->ev.file});
            EventTable ev = a->ev.load();
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
                    for (size_t k = ys.size() - 12; k < ys.size(); ++k) sum += ys[k];
                    mean.x.push_back(x), mean.y.push_back(sum / 12);
                }
                if (m % 12 == 0) s.x_ticks.push_back({double(m) / 12.0, std::to_string(m / 12)});
            }
            s.series = {bars, mean};
            s.title = a->title.empty() ? "Conflict events per month" : a->title;
            s.subtitle = fs::path(ev.source).filename().string() + (ev.synthetic ? " (SYNTHETIC demo data)" : "");
            s.ylabel = "events per month";
            s.footer = footer(ev, "");
            s.synthetic = ev.synthetic;
            finish(*a, s);
        });
    }
    {
        auto* cmd = chart->add_subcommand("front", "The spillover front per period with its Theil-Sen trend (velocity)");
        auto a = std::make_shared<ChartArgs>();
        a->add_common(cmd);
        a->add_border(cmd);
        cmd->add_option("--quantile", a->quantile, "Front: quantile of signed distance")->capture_default_str();
        cmd->add_option("--window-km", a->window_km, "Front: among events within W km of the border")->capture_default_str();
        cmd->callback([a] {
            check_output(a->out, a->force, {a->ev.file, admin0_file(a->admin0)});
            EventTable ev = a->ev.load();
            SpilloverResult r = spillover(*a, ev);
            const auto& ts = r.front_trend.ts;
            ChartSeries front{"front (p" + short_num(a->quantile * 100) + " of signed km within " + short_num(a->window_km) + " km)",
                              r.t_mid, r.front_km, style::category_color(0), ChartSeries::Kind::LineMarkers};
            ChartSpec s;
            s.series.push_back(front);
            if (std::isfinite(ts.slope) && !r.t_mid.empty()) {
                ChartSeries tl{"Theil\u2013Sen line", {}, {}, style::rgb8(200, 20, 30), ChartSeries::Kind::Line, true};
                for (double t : {r.t_mid.front(), r.t_mid.back()}) tl.x.push_back(t), tl.y.push_back(ts.intercept + ts.slope * t);
                s.series.push_back(tl);
            }
            s.hline = 0;
            s.y_from_zero = false;
            s.x_ticks = period_ticks(r);
            s.title = a->title.empty() ? "Spillover front toward the Gulf of Guinea states" : a->title;
            s.subtitle = "Signed distance to the Sahel\u2013coastal border (" + r.metadata["sahel_group"] + " | " +
                         r.metadata["coastal_group"] + "), per " + a->period;
            s.ylabel = "km from the border (positive = coastal side)";
            char buf[256];
            const int ci = int(100 * (1 - ts.alpha) + 0.5);
            if (r.front_trend.withheld) {
                s.notes = {"Front velocity " + r.front_trend.note};
            } else {
                std::snprintf(buf, sizeof buf, "Front velocity %+.1f km/yr (Theil\u2013Sen, %d%% CI %+.1f .. %+.1f); Mann\u2013Kendall tau %.2f, p %.3g",
                              ts.slope, ci, ts.slope_lo, ts.slope_hi, r.front_trend.mk.tau, r.front_trend.mk.p);
                s.notes = {buf, "Trend " + r.front_trend.note + "; periods with fewer events are left out of it"};
            }
            s.footer = footer(ev, "quantile " + short_num(a->quantile) + ", window " + short_num(a->window_km) + " km");
            s.synthetic = ev.synthetic;
            finish(*a, s);
            std::printf("  front velocity %+.2f km/yr\n", ts.slope);
        });
    }
    {
        auto* cmd = chart->add_subcommand("bands", "Spillover bands: events per 10,000 km^2 per band (x), one line per period");
        auto a = std::make_shared<ChartArgs>();
        a->add_common(cmd);
        a->add_border(cmd);
        cmd->add_option("--bands", a->bands, "Band edges in signed km, ascending (write --bands=-200,...)")->capture_default_str();
        cmd->callback([a] {
            check_output(a->out, a->force, {a->ev.file, admin0_file(a->admin0)});
            EventTable ev = a->ev.load();
            SpilloverResult r = spillover(*a, ev);
            ChartSpec s;
            const size_t np = r.labels.size(), nb = r.bands.size();
            for (size_t b = 0; b < nb; ++b) s.x_ticks.push_back({double(b), r.bands[b].label + " km"});
            for (size_t p = 0; p < np; ++p) {
                ChartSeries se{r.labels[p], {}, {}, style::ramp_color(style::Ramp::Viridis, np > 1 ? 0.9 * double(p) / double(np - 1) : 0.5),
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
            s.title = a->title.empty() ? "Events by distance band from the Sahel\u2013coastal border" : a->title;
            s.subtitle = "Events per 10,000 km\u00b2 of each band, one line per " + a->period + " (negative = Sahel side)";
            s.xlabel = "signed distance band";
            s.ylabel = "events per 10,000 km\u00b2";
            s.footer = footer(ev, "bands " + a->bands + " km");
            s.synthetic = ev.synthetic;
            finish(*a, s);
        });
    }
    {
        auto* cmd = chart->add_subcommand("profile", "Events per km along one route, border crossings marked");
        auto a = std::make_shared<ChartArgs>();
        a->add_common(cmd);
        a->add_border(cmd);
        cmd->add_option("--routes", a->routes, "Route lines FILE[:LAYER] (default: bundled illustrative routes)");
        cmd->add_option("--route", a->route, "Route name (or part of it; default: the most active recently)");
        cmd->add_option("--half-width-km", a->half_width_km, "Corridor half-width")->capture_default_str();
        cmd->add_option("--bin-km", a->bin_km, "Profile bin length")->capture_default_str();
        cmd->callback([a] {
            const std::string rspec = a->routes.empty() ? data_dir() + "/demo/routes_illustrative.geojson" : a->routes;
            auto [rfile, rlayer] = split_layer_spec(rspec);
            check_output(a->out, a->force, {a->ev.file, rfile, admin0_file(a->admin0)});
            EventTable ev = a->ev.load();
            ReadLayerOptions ro;
            ro.layer = rlayer;
            VectorLayer routes = read_layer(rfile, ro);
            Border border = load_border(a->admin0, a->sahel, a->coastal, ev.crs);
            CorridorParams cp;
            cp.half_width_km = a->half_width_km, cp.bin_km = a->bin_km, cp.period = parse_period_unit(a->period);
            cp.analysis_crs = ev.crs;
            CorridorResult r = analyse_corridors(ev, routes, &border, cp);
            if (r.routes.empty()) throw GeoError(rspec, "", "no usable routes");
            size_t pick = r.routes.size();
            for (size_t i = 0; i < r.routes.size(); ++i) {
                if (a->route.empty() ? r.routes[i].rank_recent == 1 : r.routes[i].name.find(a->route) != std::string::npos) {
                    pick = i;
                    break;
                }
            }
            if (pick == r.routes.size()) {
                std::string names;
                for (auto& R : r.routes) names += "\n  " + R.name;
                throw GeoError("", "--route '" + a->route + "'", "matches no route; routes are:" + names);
            }
            const RouteResult& R = r.routes[pick];
            ChartSeries bars{"events per km within " + short_num(a->half_width_km) + " km", {}, {}, style::category_color(1),
                             ChartSeries::Kind::Bars};
            for (auto& b : R.profile) bars.x.push_back((b.from_km + b.to_km) / 2), bars.y.push_back(b.events_per_km);
            ChartSpec s;
            s.series = {bars};
            for (auto& c : r.crossings)
                if (c.route == pick) s.vlines.push_back({c.along_km, "border " + c.segment});
            s.title = a->title.empty() ? "Route profile: " + R.name : a->title;
            s.subtitle = R.commodity + " route, " + short_num(R.length_km) + " km" +
                         (routes.illustrative() || routes.synthetic() || a->routes.empty() ? " (ILLUSTRATIVE route)" : "") + "; rank " +
                         std::to_string(R.rank_recent) + " by recent activity";
            s.xlabel = "km along the route";
            s.ylabel = "events per km";
            s.footer = footer(ev, "half-width " + short_num(a->half_width_km) + " km, bins " + short_num(a->bin_km) + " km");
            s.synthetic = ev.synthetic;
            finish(*a, s);
        });
    }
}

} // namespace nexusmap::cli
