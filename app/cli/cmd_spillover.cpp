// `nexusmap spillover`: signed distance of events to the Sahel–coastal border, distance bands,
// spillover share, the front and its velocity, lead–lag per border segment -> a folder of CSV,
// GeoJSON and spillover.gpkg. The pipeline (params, validation, product, summary) is geo's
// pipeline/spillover.hpp, shared with the viewer's Spillover panel.
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/pipeline/spillover.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap::cli {

void add_spillover(CLI::App& app) {
    auto* cmd = app.add_subcommand("spillover",
                                   "Spillover across the Sahel/coastal border: signed distance, bands, share, front velocity, lead-lag");
    struct Args {
        EventArgs ev;
        pipeline::SpilloverRun run;
        std::string bands = "-200,-100,-50,0,50,100,200", period = "year", out;
        bool circular = false, levels = false, force = false;
    };
    auto a = std::make_shared<Args>();
    SpilloverParams& sp = a->run.analysis;
    a->ev.add_to(cmd);
    a->ev.precise_by_default("spillover");
    add_border_groups(cmd, a->run.groups);
    cmd->add_option("--bands", a->bands, "Band edges in signed km, ascending (write --bands=-200,...)")->capture_default_str();
    cmd->add_option("--period", a->period, "year | quarter | month")->capture_default_str();
    cmd->add_option("--x-km", sp.x_km, "Share and lead-lag: events within X km of the border")->capture_default_str();
    cmd->add_option("--quantile", sp.quantile, "Front: quantile of signed distance")->capture_default_str();
    cmd->add_option("--window-km", sp.window_km, "Front: among events within W km of the border")->capture_default_str();
    cmd->add_option("--lags", sp.lags, "Lead-lag: k = 0..LAGS periods (at most " + std::to_string(kMaxLags) + ")")
        ->capture_default_str();
    cmd->add_option("--permutations", sp.permutations,
                    "Lead-lag permutation count (at most " + std::to_string(kMaxPermutations) + ")")
        ->capture_default_str();
    cmd->add_option("--seed", sp.seed, "Permutation seed")->capture_default_str();
    cmd->add_flag("--circular-shift", a->circular, "Lead-lag null by circular shifts instead of shuffles");
    cmd->add_flag("--lead-lag-levels", a->levels, "Lead-lag on the counts themselves (default: first differences)");
    add_old_flag(cmd, "--levels", "--lead-lag-levels", a->levels); // --levels is a list of levels in contours
    cmd->add_option("-o,--out", a->out, "Output folder (created)")->required();
    cmd->add_flag("--force", a->force, "Overwrite outputs already in the folder");
    cmd->callback([a] {
        SpilloverParams& sp = a->run.analysis;
        sp.bands_km = parse_numbers(a->bands, "bands");
        sp.period = parse_period_unit(a->period);
        sp.permutation = a->circular ? PermutationKind::CircularShift : PermutationKind::Shuffle;
        sp.difference = !a->levels;
        a->run.validate();
        pipeline::prepare_folder(a->out, pipeline::spillover_files(), a->force,
                                 {a->ev.file, a->run.groups.admin0_file(data_dir())}, "-o/--out");

        EventTable ev = load_point_events(a->ev);
        std::vector<std::string> warnings;
        Border border = pipeline::load_border(a->run.groups, data_dir(), ev.crs, &warnings);
        for (auto& w : warnings) std::cerr << "  warning: " << w << "\n";
        ProgressBar bar("spillover");
        SpilloverResult r = analyse_spillover(ev, border, sp, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        const pipeline::FolderProduct p = pipeline::spillover_product(r, ev);
        pipeline::write_folder(p, a->out);
        for (auto& l : p.summary) std::printf("%s\n", l.c_str());
        std::printf("  outputs in %s\n", a->out.c_str());
    });
}

} // namespace nexusmap::cli
