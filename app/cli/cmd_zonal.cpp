// `nexusmap zonal`: events per polygon (admin-1 summary) -> GeoJSON and CSV.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/zonal.hpp"

namespace nexusmap::cli {

Table zonal_table(const VectorLayer& l) {
    Table t;
    t.columns = l.fields;
    for (auto& f : l.features) {
        std::vector<std::string> row;
        for (auto& v : f.attrs) row.push_back(std::holds_alternative<double>(v) ? fmt_num(std::get<double>(v), 8) : attr_to_string(v));
        t.rows.push_back(std::move(row));
    }
    return t;
}

void add_zonal(CLI::App& app) {
    auto* cmd = app.add_subcommand("zonal", "Event counts and rates per polygon (e.g. admin-1) -> GeoPackage/GeoJSON/CSV");
    struct Args {
        EventArgs ev;
        std::string polygons, out, csv;
        std::vector<std::string> fields;
        std::string ramp = "viridis", scale = "linear", style_field = "events_per_10k_km2", per_capita;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    a->ev.add_to(cmd);
    cmd->add_option("--polygons", a->polygons, "Polygon layer FILE[:LAYER] (default: bundled admin-1)");
    cmd->add_option("-o,--out", a->out, "Output layer; the extension picks the format (.gpkg, .geojson/.json, .fgb, .kml/.kmz, .csv) or - (GeoJSON to stdout)");
    cmd->add_option("--csv", a->csv, "Output table: .csv (with WKT geometry; metadata in NAME.csv.json), .gpkg, or - (stdout)");
    cmd->add_option("--fields", a->fields, "Polygon attributes to keep (default: all)");
    cmd->add_option("--per-capita", a->per_capita,
                    "Polygon attribute with a population: adds events_per_100k_pop (the bundled admin2 layer has "
                    "pop2020_est, approximate)");
    cmd->add_option("--ramp", a->ramp,
                    "GeoJSON simplestyle fill: --style-field through this ramp on 0..max (viridis | magma | inferno | "
                    "ylorrd | rdylbu)")
        ->capture_default_str();
    cmd->add_option("--scale", a->scale, "linear | sqrt | log")->capture_default_str();
    cmd->add_option("--style-field", a->style_field, "Field that sets the fill colour")->capture_default_str();
    cmd->add_flag("--force", a->force, "Overwrite existing outputs");
    cmd->callback([a] {
        if (a->out.empty() && a->csv.empty()) throw GeoError("", "zonal", "give -o/--out and/or --csv");
        const auto ramp = style::ramp_from_name(a->ramp);
        if (!ramp) throw GeoError("", "--ramp '" + a->ramp + "'", "unknown (viridis, magma, inferno, ylorrd, rdylbu)");
        const auto scale = style::scale_from_name(a->scale);
        if (!scale) throw GeoError("", "--scale '" + a->scale + "'", "unknown (linear, sqrt, log)");
        std::string spec = a->polygons.empty() ? data_dir() + "/basemap/west_africa.gpkg:admin1" : a->polygons;
        auto [pf, pl] = split_layer_spec(spec);
        if (!a->out.empty()) check_output(a->out, ProductKind::Vector, a->force, {a->ev.file, pf});
        if (!a->csv.empty()) check_output(a->csv, ProductKind::Table, a->force, {a->ev.file, pf}, "--csv");
        if (is_stdout(a->out) && is_stdout(a->csv)) throw GeoError("", "-o - --csv -", "only one output can go to stdout");
        EventTable ev = a->ev.load();
        ReadLayerOptions ro;
        ro.layer = pl;
        VectorLayer polys = read_layer(pf, ro);
        for (auto& w : polys.warnings) std::cerr << "  warning: " << w << "\n";
        ZonalParams zp;
        zp.keep_fields = a->fields;
        zp.area_crs = ev.crs;
        zp.population_field = a->per_capita;
        ZonalResult z = zonal_counts(ev, polys, zp);
        Metadata md = provenance(ev, a->ev.from, a->ev.to);
        add_input_provenance(md, polys.prov);
        md["polygons"] = spec;
        md["rates"] = "events_per_10k_km2 = events / area_km2 * 10000; areas in " + ev.crs.definition();
        md["events_outside_polygons"] = fmt_num(z.outside_events, 10);
        if (!a->per_capita.empty()) {
            md["rates_per_capita"] = "events_per_100k_pop = events / " + a->per_capita + " * 100000";
            // The population's own caveat (the bundled admin2 layer says how rough it is).
            std::string note;
            for (auto& [k, v] : polys.metadata)
                if (k == "POPULATION_NOTE") note = v;
            md["population_note"] = "APPROXIMATE: " + (note.empty() ? "population from '" + a->per_capita + "' as given" : note);
            std::cout << "per-capita rates are APPROXIMATE: " << md["population_note"] << "\n";
        }
        if (!a->out.empty() && z.layer.field_index(a->style_field) < 0)
            throw GeoError("", "--style-field", "no field '" + a->style_field + "' in the zonal result");
        if (!a->csv.empty()) { // one row per polygon, with its geometry (WKT, lon/lat) so it opens as a layer
            WriteOptions wo;
            wo.metadata = md;
            write_table(table_with_geometry(zonal_table(z.layer), z.layer, md), a->csv, wo);
        }
        if (!a->out.empty()) {
            // simplestyle: the zone's value through the ramp on 0 .. the largest value.
            const style::ValueScale vs = style::field_scale(z.layer, a->style_field, *scale);
            style::style_by_value(z.layer, a->style_field, *ramp, vs, 0.7);
            md["style"] = "simplestyle fill: " + a->style_field + " through ramp " + style::ramp_id(*ramp) + " (" +
                          style::scale_name(*scale) + " 0.." + fmt_num(vs.hi, 6) + ")";
            WriteOptions wo;
            wo.metadata = md;
            write_vector(z.layer, a->out, wo);
        }
        double total = 0;
        for (size_t i = 0; i < ev.size(); ++i) total += ev.share.size() == ev.size() ? double(ev.share[i]) : 1.0;
        std::cout << z.layer.features.size() << " polygons; " << fmt_num(total - z.outside_events, 10) << " events inside, "
                  << fmt_num(z.outside_events, 10) << " outside every polygon\n";
    });
}

} // namespace nexusmap::cli
