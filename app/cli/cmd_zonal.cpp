// `nexusmap zonal`: events per polygon (admin-1 summary) -> a styled layer and/or a table. The
// pipeline is geo's pipeline/contours_zonal.hpp, shared with the viewer's --export-zonal.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/pipeline/contours_zonal.hpp"

namespace nexusmap::cli {

void add_zonal(CLI::App& app) {
    auto* cmd = app.add_subcommand("zonal", "Event counts and rates per polygon (e.g. admin-1) -> GeoPackage/GeoJSON/CSV");
    struct Args {
        EventArgs ev;
        pipeline::ZonalRun run;
        std::string out, csv;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    pipeline::ZonalRun& z = a->run;
    a->ev.add_to(cmd);
    cmd->add_option("--polygons", z.polygons, "Polygon layer FILE[:LAYER] (default: bundled admin-1)");
    cmd->add_option("-o,--out", a->out, "Output layer; the extension picks the format (.gpkg, .geojson/.json, .fgb, .kml/.kmz, .csv) or - (GeoJSON to stdout)");
    cmd->add_option("--csv", a->csv, "Output table: .csv (with WKT geometry; metadata in NAME.csv.json), .gpkg, or - (stdout)");
    cmd->add_option("--fields", z.fields, "Polygon attributes to keep (default: all)");
    cmd->add_option("--per-capita", z.per_capita,
                    "Polygon attribute with a population: adds events_per_100k_pop (the bundled admin2 layer has "
                    "pop2020_est, approximate)");
    cmd->add_option("--ramp", z.ramp,
                    "GeoJSON simplestyle fill: --style-field through this ramp on 0..max (viridis | magma | inferno | "
                    "ylorrd | rdylbu)")
        ->capture_default_str();
    cmd->add_option("--scale", z.scale, "linear | sqrt | log")->capture_default_str();
    cmd->add_option("--style-field", z.style_field, "Field that sets the fill colour")->capture_default_str();
    cmd->add_flag("--force", a->force, "Overwrite existing outputs");
    cmd->callback([a] {
        if (a->out.empty() && a->csv.empty()) throw GeoError("", "zonal", "give -o/--out and/or --csv");
        a->run.validate();
        const std::string spec = a->run.polygon_spec(data_dir());
        auto [pf, pl] = split_layer_spec(spec);
        if (!a->out.empty()) check_output(a->out, ProductKind::Vector, a->force, {a->ev.file, pf});
        if (!a->csv.empty()) check_output(a->csv, ProductKind::Table, a->force, {a->ev.file, pf}, "--csv");
        if (is_stdout(a->out) && is_stdout(a->csv)) throw GeoError("", "-o - --csv -", "only one output can go to stdout");
        EventTable ev = a->ev.load();
        ReadLayerOptions ro;
        ro.layer = pl;
        VectorLayer polys = read_layer(pf, ro);
        for (auto& w : polys.warnings) std::cerr << "  warning: " << w << "\n";
        const pipeline::LayerProduct p = pipeline::run_zonal(ev, polys, a->run, spec, a->ev.from, a->ev.to);
        WriteOptions wt, wl;
        wt.metadata = p.table_metadata, wl.metadata = p.metadata;
        if (!a->csv.empty()) write_table(p.table, a->csv, wt);
        if (!a->out.empty()) write_vector(p.layer, a->out, wl);
        for (auto& l : p.summary) std::cout << l << "\n";
    });
}

} // namespace nexusmap::cli
