// `nexusmap hotspots`: Getis-Ord Gi* on a fishnet, hexagons or polygons. The flags map onto geo's
// pipeline::HotspotParams; the analysis, its files and its metadata are geo's (hotspot_pipeline.hpp),
// shared with the viewer's Hot spots panel.
//
// Colours (simplestyle `fill`, documented in --help and in each file's metadata), from style.hpp:
//   Gi* bins (ArcGIS Pro "Hot Spot Analysis" renderer):
//     +3 #d62f27  +2 #ed7551  +1 #fab984  0 #ffffbf  -1 #c0ccbe  -2 #849eba  -3 #4575b5
#include <memory>
#include <string>

#include "cli/cli.hpp"
#include "cli/hotspot_options.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap::cli {

void add_hotspots(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "hotspots", "Getis-Ord Gi* hot spot analysis on a fishnet, hexagons or admin-1 polygons");
    struct Args {
        HotspotArgs c;
        pipeline::HotspotParams p;
    };
    auto a = std::make_shared<Args>();
    a->c.add_to(cmd, true, true);
    cmd->add_option(
           "--permutations", a->p.permutations,
           "Conditional permutations for pseudo p-values. -1 (auto): 999, raised with --fdr until a single "
           "unit can pass FDR (2/(P+1) x units <= 0.05; cap 199999); 0: normal p-values (overstate "
           "significance on zero-inflated counts); a value you give may be at most " +
               std::to_string(kMaxPermutations))
        ->capture_default_str();
    a->c.add_seed(cmd);
    cmd->add_flag("--fdr,!--no-fdr", a->p.fdr,
                  "Bins from Benjamini-Hochberg FDR-adjusted p-values (default: off, as "
                  "ArcGIS Hot Spot Analysis; --no-fdr: off)");
    cmd->footer(
        std::string("\nOutputs: fishnet -> PREFIX_gistar.tif (bands z, p, bin; float32) + PREFIX_gistar.csv; "
                    "hex/admin1 -> PREFIX_gistar.geojson (count, weighted, z, p, p_fdr, bin, n_neighbors, "
                    "simplestyle fill: +3 #d62f27 +2 #ed7551 +1 #fab984 0 #ffffbf -1 #c0ccbe -2 #849eba "
                    "-3 #4575b5, as ArcGIS) + PREFIX_gistar.csv (one row per unit, WKT geometry; metadata in "
                    ".csv.json). "
                    "Also PREFIX_gistar.gpkg (styled for QGIS) and, for a fishnet, PREFIX_gistar_bin.tif "
                    "(class raster with colour and attribute tables).") +
        kUnitsFooter +
        "\nExample: nexusmap hotspots data/demo/events_synthetic.csv --units fishnet --cell-km 25 --out "
        "out/sahel");
    cmd->callback([a] {
        pipeline::HotspotParams p = a->p;
        p.units = a->c.units.to_params();
        p.seed = a->c.seed;
        p.validate();
        run_and_write(a->c, pipeline::Analysis::GiStar, p.units,
                      [&](const pipeline::EventInputs& in, Progress prog) {
                          return pipeline::run_hotspots(in, p, prog);
                      });
    });
}

} // namespace nexusmap::cli
