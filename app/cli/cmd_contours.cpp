// `nexusmap contours`: hot-spot polygons from a density GeoTIFF, at explicit levels or at
// percent-volume levels (the smallest area holding 50/75/90% of the density mass). The pipeline
// is geo's pipeline/contours_zonal.hpp, shared with the viewer's --export-contours.
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/pipeline/contours_zonal.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap::cli {

void add_contours(CLI::App& app) {
    auto* cmd = app.add_subcommand("contours", "Hot-spot polygons from a density GeoTIFF -> GeoPackage/GeoJSON/FlatGeobuf/KML/CSV");
    struct Args {
        std::string raster, out, levels, percent;
        pipeline::ContourRun run;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("RASTER", a->raster, "Density GeoTIFF (from `nexusmap density`)")->required();
    cmd->add_option("-o,--out", a->out, "Output file; the extension picks the format: .gpkg (styled), .geojson/.json, .fgb, .kml/.kmz, .csv (WKT), or - (GeoJSON to stdout)")->required();
    cmd->add_option("--levels", a->levels, "Comma-separated density levels (raster units)");
    cmd->add_option("--percent", a->percent, "Comma-separated percent-volume levels, e.g. 50,75,90 (default when no --levels)");
    cmd->add_option("--ramp", a->run.ramp,
                    "simplestyle colours: each contour's level through this ramp on 0..raster max, as `nexusmap map` "
                    "draws the density (viridis | magma | inferno | ylorrd | rdylbu)")
        ->capture_default_str();
    cmd->add_option("--scale", a->run.scale, "linear | sqrt | log (as `nexusmap map --scale`)")->capture_default_str();
    cmd->add_option("--fill-opacity", a->run.opacity, "simplestyle fill-opacity of the polygons")->capture_default_str();
    cmd->add_flag("--force", a->force, "Overwrite an existing output");
    cmd->callback([a] {
        if (!a->levels.empty()) a->run.levels = parse_numbers(a->levels, "--levels");
        if (!a->percent.empty()) a->run.percent = parse_numbers(a->percent, "--percent");
        a->run.validate();
        check_output(a->out, ProductKind::Vector, a->force, {a->raster});
        Raster r = read_raster(a->raster);
        ProgressBar bar("contours");
        pipeline::LayerProduct p;
        try {
            p = pipeline::run_contours(r, a->run, std::filesystem::path(a->raster).filename().string(),
                                       ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        } catch (const MemoryBudgetError& e) { // name the input the estimate is about
            throw MemoryBudgetError(a->raster, e.where, e.what_, e.bytes_needed);
        } catch (const GeoError& e) {
            if (!e.file.empty()) throw;
            throw GeoError(a->raster, e.where, e.what_); // name the raster
        }
        for (auto& w : p.warnings) std::cerr << "warning: " << a->raster << ": " << w << "\n";
        WriteOptions wo;
        wo.metadata = p.metadata;
        write_vector(p.layer, a->out, wo);
        for (auto& l : p.summary) std::cout << l << "\n";
        std::cout << "wrote " << a->out << "\n";
    });
}

} // namespace nexusmap::cli
