// `nexusmap lisa`: local Moran's I (LISA clusters) and global Moran's I. The flags map onto geo's
// pipeline::LisaParams; the analysis, files and metadata are geo's (hotspot_pipeline.hpp).
// Colours (GeoDa cluster map, style.hpp): HH #ff0000  LL #0000ff  LH #a7adf9  HL #f4ada8  ns #eeeeee
#include <memory>
#include <string>

#include "cli/cli.hpp"
#include "cli/hotspot_options.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap::cli {

void add_lisa(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("lisa", "Local Moran's I (LISA clusters HH/LL/HL/LH) and global Moran's I");
    struct Args {
        HotspotArgs c;
        pipeline::LisaParams p;
    };
    auto a = std::make_shared<Args>();
    a->c.add_to(cmd, true, true);
    cmd->add_option(
           "--permutations", a->p.permutations,
           "Conditional permutations for the pseudo p-values. -1 (auto): 999, raised with --fdr until a "
           "single "
           "unit can pass FDR (1/(P+1) x units <= alpha; cap 199999); a value you give may be at most " +
               std::to_string(kMaxPermutations))
        ->capture_default_str();
    a->c.add_seed(cmd);
    cmd->add_option("--alpha", a->p.alpha, "Significance level for the cluster classes")
        ->capture_default_str();
    cmd->add_flag("--fdr,!--no-fdr", a->p.fdr,
                  "Classes from Benjamini-Hochberg FDR-adjusted pseudo p-values (default: off; "
                  "--no-fdr: off)");
    cmd->footer(
        std::string(
            "\nOutputs: fishnet -> PREFIX_lisa.tif (bands local_i, p_sim, class 0 ns/1 HH/2 LL/3 LH/4 HL) "
            "+ PREFIX_lisa.csv; hex/admin1 -> PREFIX_lisa.geojson (local_i, p_sim, p_fdr, class, "
            "simplestyle fill as GeoDa) + PREFIX_lisa.csv + PREFIX_lisa.gpkg (styled); fishnet also "
            "PREFIX_lisa_class.tif (class raster). Prints global Moran's I with z and p.") +
        kUnitsFooter);
    cmd->callback([a] {
        pipeline::LisaParams p = a->p;
        p.units = a->c.units.to_params();
        p.seed = a->c.seed;
        p.validate();
        run_and_write(
            a->c, pipeline::Analysis::Lisa, p.units,
            [&](const pipeline::EventInputs& in, Progress prog) { return pipeline::run_lisa(in, p, prog); });
    });
}

} // namespace nexusmap::cli
