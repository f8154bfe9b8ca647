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

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/charts.hpp"
#include "nexusmap/corridors.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/pipeline/spillover.hpp"
#include "nexusmap/version.hpp"

namespace fs = std::filesystem;

namespace nexusmap::cli {

namespace {

struct ChartArgs {
    EventArgs ev;
    std::string out;
    int width = 1400, height = 800;
    bool force = false;
    std::string title;
    // spillover / corridors
    pipeline::BorderGroups groups;
    std::string period = "year";
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
        add_border_groups(cmd, groups);
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

void finish(const ChartArgs& a, ChartSpec spec) {
    if (!a.title.empty()) spec.title = a.title;
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
    Border border = pipeline::load_border(a.groups, data_dir(), ev.crs);
    return analyse_spillover(ev, border, sp);
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
            finish(*a, events_per_month_chart(ev));
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
            check_output(a->out, a->force, {a->ev.file, a->groups.admin0_file(data_dir())});
            EventTable ev = a->ev.load();
            SpilloverResult r = spillover(*a, ev);
            finish(*a, front_chart(r, ev));
            std::printf("  front velocity %+.2f km/yr\n", r.front_trend.ts.slope);
        });
    }
    {
        auto* cmd = chart->add_subcommand("bands", "Spillover bands: events per 10,000 km^2 per band (x), one line per period");
        auto a = std::make_shared<ChartArgs>();
        a->add_common(cmd);
        a->add_border(cmd);
        cmd->add_option("--bands", a->bands, "Band edges in signed km, ascending (write --bands=-200,...)")->capture_default_str();
        cmd->callback([a] {
            check_output(a->out, a->force, {a->ev.file, a->groups.admin0_file(data_dir())});
            EventTable ev = a->ev.load();
            SpilloverResult r = spillover(*a, ev);
            finish(*a, bands_chart(r, ev, a->bands));
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
            check_output(a->out, a->force, {a->ev.file, rfile, a->groups.admin0_file(data_dir())});
            EventTable ev = a->ev.load();
            ReadLayerOptions ro;
            ro.layer = rlayer;
            VectorLayer routes = read_layer(rfile, ro);
            Border border = pipeline::load_border(a->groups, data_dir(), ev.crs);
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
            const bool illustrative = routes.illustrative() || routes.synthetic() || a->routes.empty();
            finish(*a, route_profile_chart(r, pick, ev, illustrative));
        });
    }
}

} // namespace nexusmap::cli
