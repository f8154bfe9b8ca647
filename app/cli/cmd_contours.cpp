// `nexusmap contours`: hot-spot polygons from a density GeoTIFF, at explicit levels or at
// percent-volume levels (the smallest area holding 50/75/90% of the density mass).
#include <cmath>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/contours.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap::cli {

void add_contours(CLI::App& app) {
    auto* cmd = app.add_subcommand("contours", "Hot-spot polygons from a density GeoTIFF -> GeoPackage/GeoJSON/FlatGeobuf/KML/CSV");
    struct Args {
        std::string raster, out, levels, percent;
        std::string ramp = "viridis", scale = "linear";
        double opacity = 0.35;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("RASTER", a->raster, "Density GeoTIFF (from `nexusmap density`)")->required();
    cmd->add_option("-o,--out", a->out, "Output file; the extension picks the format: .gpkg (styled), .geojson/.json, .fgb, .kml/.kmz, .csv (WKT), or - (GeoJSON to stdout)")->required();
    cmd->add_option("--levels", a->levels, "Comma-separated density levels (raster units)");
    cmd->add_option("--percent", a->percent, "Comma-separated percent-volume levels, e.g. 50,75,90 (default when no --levels)");
    cmd->add_option("--ramp", a->ramp,
                    "simplestyle colours: each contour's level through this ramp on 0..raster max, as `nexusmap map` "
                    "draws the density (viridis | magma | inferno | ylorrd | rdylbu)")
        ->capture_default_str();
    cmd->add_option("--scale", a->scale, "linear | sqrt | log (as `nexusmap map --scale`)")->capture_default_str();
    cmd->add_option("--fill-opacity", a->opacity, "simplestyle fill-opacity of the polygons")->capture_default_str();
    cmd->add_flag("--force", a->force, "Overwrite an existing output");
    cmd->callback([a] {
        const auto ramp = style::ramp_from_name(a->ramp);
        if (!ramp) throw GeoError("", "--ramp '" + a->ramp + "'", "unknown (viridis, magma, inferno, ylorrd, rdylbu)");
        const auto scale = style::scale_from_name(a->scale);
        if (!scale) throw GeoError("", "--scale '" + a->scale + "'", "unknown (linear, sqrt, log)");
        if (!(a->opacity >= 0 && a->opacity <= 1))
            throw GeoError("", "--fill-opacity " + (std::isnan(a->opacity) ? std::string("nan") : short_num(a->opacity)),
                           "must be a number from 0 to 1");
        check_output(a->out, ProductKind::Vector, a->force, {a->raster});
        Raster r = read_raster(a->raster);
        ContourParams p;
        if (!a->levels.empty()) p.levels = parse_numbers(a->levels, "--levels");
        if (!a->percent.empty()) p.percent_volumes = parse_numbers(a->percent, "--percent");
        if (p.levels.empty() && p.percent_volumes.empty()) p.percent_volumes = {50, 75, 90};
        for (double v : p.percent_volumes)
            if (!(v > 0 && v <= 100)) throw GeoError("", "--percent", "values must be in (0, 100]");
        ProgressBar bar("contours");
        VectorLayer l;
        try {
            l = contour_polygons(r, p, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        } catch (const MemoryBudgetError& e) { // name the input the estimate is about
            throw MemoryBudgetError(a->raster, e.where, e.what_, e.bytes_needed);
        } catch (const GeoError& e) {
            if (!e.file.empty()) throw;
            throw GeoError(a->raster, e.where, e.what_); // name the raster
        }
        for (auto& w : l.warnings) std::cerr << "warning: " << a->raster << ": " << w << "\n";
        Metadata md = r.metadata;
        md["derived_from"] = a->raster;
        md["contour_method"] = "GDAL contour polygons of {density >= level}; mass_share measured on cell centres";
        // simplestyle: the level's colour on the density's own scale (0 .. max), the map's ramp.
        const style::ValueScale vs = shared_scale({&r}, *scale);
        style::style_by_value(l, "level", *ramp, vs, a->opacity);
        md["style"] = std::string("simplestyle fill/stroke: level through ramp ") + style::ramp_id(*ramp) + " (" +
                      style::scale_name(*scale) + " " + short_num(vs.effective_lo()) + ".." + short_num(vs.hi) + ")";
        WriteOptions wo;
        wo.metadata = md;
        write_vector(l, a->out, wo);
        for (auto& f : l.features)
            std::cout << "level " << attr_to_string(f.attrs[0]) << (std::holds_alternative<double>(f.attrs[1]) ? " (" + attr_to_string(f.attrs[1]) + "% volume)" : "")
                      << ": area " << fmt_num(std::get<double>(f.attrs[2]), 6) << " km^2, holds "
                      << fmt_num(100 * std::get<double>(f.attrs[3]), 4) << "% of the mass\n";
        std::cout << "wrote " << a->out << "\n";
    });
}

} // namespace nexusmap::cli
