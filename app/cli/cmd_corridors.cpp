// `nexusmap corridors`: events along trafficking-route corridors, profiles along each route with the
// Sahel–coastal border crossings marked, and rankings by recent activity and change -> a folder of
// CSV, GeoJSON and corridors.gpkg. The pipeline is geo's pipeline/spillover.hpp (CorridorRun,
// corridor_product), shared with the viewer's Spillover panel.
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/pipeline/spillover.hpp"

namespace nexusmap::cli {

void add_corridors(CLI::App& app) {
    auto* cmd = app.add_subcommand("corridors", "Events along trafficking-route corridors, profiles and border crossings");
    struct Args {
        EventArgs ev;
        pipeline::CorridorRun run;
        std::string period = "year", out;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    CorridorParams& cp = a->run.analysis;
    a->ev.add_to(cmd);
    a->ev.precise_by_default("corridors");
    cmd->add_option("--routes", a->run.routes, "Route lines FILE[:LAYER] with a commodity attribute (default: bundled illustrative routes)");
    cmd->add_option("--commodity-field", cp.commodity_field, "Route attribute holding the commodity")->capture_default_str();
    cmd->add_option("--name-field", cp.name_field, "Route attribute holding the name")->capture_default_str();
    cmd->add_option("--half-width-km", cp.half_width_km, "Corridor half-width")->capture_default_str();
    cmd->add_option("--bin-km", cp.bin_km, "Profile bin length along the route")->capture_default_str();
    cmd->add_option("--crossing-radius-km", cp.crossing_radius_km, "Events counted around a crossing (default: the half-width)");
    cmd->add_option("--period", a->period, "year | quarter | month")->capture_default_str();
    cmd->add_option("--recent", cp.recent_periods, "Ranking: the last N periods, change against the N before")->capture_default_str();
    add_border_groups(cmd, a->run.groups);
    cmd->add_option("-o,--out", a->out, "Output folder (created)")->required();
    cmd->add_flag("--force", a->force, "Overwrite outputs already in the folder");
    cmd->callback([a] {
        CorridorParams& cp = a->run.analysis;
        cp.period = parse_period_unit(a->period);
        a->run.validate();
        const std::string rspec = a->run.routes_spec(data_dir());
        auto [rfile, rlayer] = split_layer_spec(rspec);
        pipeline::prepare_folder(a->out, pipeline::corridor_files(), a->force,
                                 {a->ev.file, rfile, a->run.groups.admin0_file(data_dir())}, "-o/--out");

        EventTable ev = load_point_events(a->ev);
        ReadLayerOptions ro;
        ro.layer = rlayer;
        VectorLayer routes = read_layer(rfile, ro);
        for (auto& w : routes.warnings) std::cerr << "  warning: " << w << "\n";
        if (routes.field_index(cp.commodity_field) < 0)
            std::cerr << "  warning: " << rspec << " has no '" << cp.commodity_field << "' attribute; commodity 'unknown'\n";
        std::vector<std::string> warnings;
        Border border = pipeline::load_border(a->run.groups, data_dir(), ev.crs, &warnings);
        for (auto& w : warnings) std::cerr << "  warning: " << w << "\n";
        cp.analysis_crs = ev.crs;
        ProgressBar bar("corridors");
        CorridorResult r = analyse_corridors(ev, routes, &border, cp, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        const pipeline::FolderProduct p = pipeline::corridor_product(r, ev, routes);
        pipeline::write_folder(p, a->out);
        for (auto& l : p.summary) std::printf("%s\n", l.c_str());
        std::printf("  outputs in %s\n", a->out.c_str());
    });
}

} // namespace nexusmap::cli
