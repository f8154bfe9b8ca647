// `nexusmap density`: kernel density of events as a float32 GeoTIFF in weight per km^2.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "cli/density_job.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/qml.hpp"
#include "nexusmap/raster.hpp"

namespace nexusmap::cli {

void add_density(CLI::App& app) {
    auto* cmd = app.add_subcommand("density", "Kernel density of events -> GeoTIFF (weight per km^2)");
    auto a = std::make_shared<DensityArgs>();
    a->add_to(cmd);
    auto out = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    auto cog = std::make_shared<bool>(false);
    auto qml = std::make_shared<std::string>();
    cmd->add_option("-o,--out", *out, "Output GeoTIFF (.tif, .tiff; the extension picks the format)")->required();
    cmd->add_flag("--force", *force, "Overwrite an existing output");
    cmd->add_flag("--cog", *cog, "Write a Cloud Optimized GeoTIFF");
    cmd->add_option("--qml", *qml, "Also write a QGIS style (.qml beside the GeoTIFF) with this ramp "
                                   "(viridis, magma, inferno, ylorrd, rdylbu) over 0..max, as `nexusmap map` draws it")
        ->expected(0, 1)
        ->default_str("viridis");
    cmd->callback([a, out, force, cog, qml] {
        check_output(*out, ProductKind::Raster, *force, {a->events.file, a->mask, a->extent});
        if (!qml->empty()) check_output(qml_path_for(*out), *force, {a->events.file, a->mask, a->extent});
        auto job = run_density(*a);
        WriteOptions wo;
        wo.cog = *cog;
        write_raster(job.kde.raster, *out, wo);
        std::cout << "wrote " << *out << "\n";
        if (!qml->empty()) {
            style::RasterStyle st;
            auto ramp = style::ramp_from_name(*qml);
            if (!ramp) throw GeoError("", "--qml '" + *qml + "'", "unknown ramp (viridis, magma, inferno, ylorrd, rdylbu)");
            st.ramp = *ramp;
            st.scale = shared_scale({&job.kde.raster}, style::Scale::Linear);
            write_qml(qml_path_for(*out), qml_pseudocolor(st));
            char hi[32];
            std::snprintf(hi, sizeof hi, "%.9g", st.scale.hi);
            std::cout << "wrote " << qml_path_for(*out) << " (" << style::ramp_id(st.ramp) << ", 0.." << hi << ")\n";
        }
    });
}

} // namespace nexusmap::cli
