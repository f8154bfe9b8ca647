// `nexusmap density`: kernel density of events as a float32 GeoTIFF in weight per km^2.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "cli/density_job.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/raster.hpp"

namespace nexusmap::cli {

void add_density(CLI::App& app) {
    auto* cmd = app.add_subcommand("density", "Kernel density of events -> GeoTIFF (weight per km^2)");
    auto a = std::make_shared<DensityArgs>();
    a->add_to(cmd);
    auto out = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    auto cog = std::make_shared<bool>(false);
    cmd->add_option("-o,--out", *out, "Output GeoTIFF")->required();
    cmd->add_flag("--force", *force, "Overwrite an existing output");
    cmd->add_flag("--cog", *cog, "Write a Cloud Optimized GeoTIFF");
    cmd->callback([a, out, force, cog] {
        check_output(*out, *force, {a->events.file, a->mask});
        auto job = run_density(*a);
        GeoTiffOptions go;
        go.cog = *cog;
        write_geotiff(job.kde.raster, *out, go);
        std::cout << "wrote " << *out << "\n";
    });
}

} // namespace nexusmap::cli
