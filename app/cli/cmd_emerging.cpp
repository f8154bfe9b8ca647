// `nexusmap emerging`: emerging space-time hot spots (Gi* per unit and step, Mann-Kendall trend,
// ArcGIS Pro's categories). The flags map onto geo's pipeline::EmergingParams; the cube, the
// analysis, files and metadata are geo's (hotspot_pipeline.hpp). Colours: style.hpp
// emerging_pattern_hex (hot patterns in reds, cold ones in blues, no pattern pale grey).
#include <memory>
#include <string>

#include "cli/cli.hpp"
#include "cli/hotspot_options.hpp"
#include "nexusmap/error.hpp"

namespace nexusmap::cli {

void add_emerging(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("emerging", "Emerging hot spot analysis (space-time Gi* + Mann-Kendall trend)");
    struct Args {
        HotspotArgs c;
        pipeline::EmergingParams p;
        std::string step = "quarter";
        bool no_fdr = false;
    };
    auto a = std::make_shared<Args>();
    a->c.units.p.cell_km = a->p.units.cell_km; // 50 km: the struct's default, shown by --help
    a->c.add_to(cmd, false, false);
    cmd->add_option("--period", a->step, "Time step of the space-time cube: month, quarter or year")
        ->capture_default_str();
    add_old_name(cmd, "--step", "--period", a->step);
    cmd->add_option("--time-window", a->p.time_window,
                    "Neighbourhood in time: the step itself and this many previous steps")
        ->capture_default_str();
    cmd->add_option("--alpha", a->p.alpha, "Significance of a hot/cold bin and of the trend")
        ->capture_default_str();
    cmd->add_flag("--no-fdr,!--fdr", a->no_fdr,
                  "Do not FDR-adjust the bin p-values (default: adjusted, as ArcGIS Pro's "
                  "emerging hot spots; --fdr: adjusted)");
    cmd->footer(
        std::string(
            "\nOutputs: PREFIX_emerging.geojson (unit polygons with category, trend_tau/z/p, hot/cold "
            "steps, last step z/p/bin, simplestyle fill) + PREFIX_emerging.csv + PREFIX_emerging.gpkg. "
            "Units: those of "
            "--study-area (default: on land in the study countries, plus any holding an event); at "
            "least 10 time steps; events without a date are left out. Categories follow ArcGIS Pro "
            "(docs/hotspots.md).") +
        "\nUnits: a fishnet or hexagons cover the events' bounding box in the analysis CRS (--crs, default "
        "laea:2,12). Values are event counts per unit and step, or sums of --weight." +
        "\nExample: nexusmap emerging data/demo/events_synthetic.csv --cell-km 50 --period quarter --out "
        "out/sahel");
    cmd->callback([a] {
        pipeline::EmergingParams p = a->p;
        p.units = a->c.units.to_params();
        p.fdr = !a->no_fdr;
        if (a->step != "month" && a->step != "quarter" && a->step != "year")
            throw GeoError("", "--period '" + a->step + "'", "unknown (month, quarter or year)");
        p.period = parse_period_unit(a->step);
        p.validate();
        run_and_write(a->c, pipeline::Analysis::Emerging, p.units,
                      [&](const pipeline::EventInputs& in, Progress prog) {
                          return pipeline::run_emerging(in, p, prog);
                      });
    });
}

} // namespace nexusmap::cli
