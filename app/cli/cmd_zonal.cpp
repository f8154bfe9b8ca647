// `nexusmap zonal`: events per polygon (admin-1 summary) -> GeoJSON and CSV.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
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
    auto* cmd = app.add_subcommand("zonal", "Event counts and rates per polygon (e.g. admin-1) -> GeoJSON/CSV");
    struct Args {
        EventArgs ev;
        std::string polygons, out, csv;
        std::vector<std::string> fields;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    a->ev.add_to(cmd);
    cmd->add_option("--polygons", a->polygons, "Polygon layer FILE[:LAYER] (default: bundled admin-1)");
    cmd->add_option("-o,--out", a->out, "Output GeoJSON");
    cmd->add_option("--csv", a->csv, "Output CSV");
    cmd->add_option("--fields", a->fields, "Polygon attributes to keep (default: all)");
    cmd->add_flag("--force", a->force, "Overwrite existing outputs");
    cmd->callback([a] {
        if (a->out.empty() && a->csv.empty()) throw GeoError("", "zonal", "give -o/--out and/or --csv");
        std::string spec = a->polygons.empty() ? data_dir() + "/basemap/west_africa.gpkg:admin1" : a->polygons;
        auto [pf, pl] = split_layer_spec(spec);
        for (auto* o : {&a->out, &a->csv})
            if (!o->empty()) check_output(*o, a->force, {a->ev.file, pf});
        EventTable ev = a->ev.load();
        ReadLayerOptions ro;
        ro.layer = pl;
        VectorLayer polys = read_layer(pf, ro);
        for (auto& w : polys.warnings) std::cerr << "  warning: " << w << "\n";
        ZonalParams zp;
        zp.keep_fields = a->fields;
        zp.area_crs = ev.crs;
        ZonalResult z = zonal_counts(ev, polys, zp);
        Metadata md = provenance(ev, a->ev.from, a->ev.to);
        md["polygons"] = spec;
        md["rates"] = "events_per_10k_km2 = events / area_km2 * 10000; areas in " + ev.crs.definition();
        md["events_outside_polygons"] = std::to_string(z.outside);
        if (!a->out.empty()) write_geojson(z.layer, a->out, md);
        if (!a->csv.empty()) write_csv(zonal_table(z.layer), a->csv, md);
        std::cout << z.layer.features.size() << " polygons; " << ev.size() - z.outside << " events inside, " << z.outside
                  << " outside every polygon\n";
    });
}

} // namespace nexusmap::cli
