// `nexusmap info FILE`: what GDAL sees in a file (layers, types, counts, CRS, extent, fields),
// and for event CSVs what the loader makes of them.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"

namespace nexusmap::cli {

void add_info(CLI::App& app) {
    auto* cmd = app.add_subcommand("info", "Describe a vector/raster file or an event CSV");
    auto file = std::make_shared<std::string>();
    cmd->add_option("FILE", *file, "File to describe")->required();
    cmd->callback([file] {
        std::string ext = std::filesystem::path(*file).extension().string();
        for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (ext == ".csv" || ext == ".tsv") {
            auto r = load_events_csv(*file);
            std::cout << r.report.summary(10);
            auto dr = r.events.day_range();
            if (dr[0] != kNoDay) std::cout << "dates: " << format_date(dr[0]) << " .. " << format_date(dr[1]) << "\n";
            std::cout << "event types: " << r.events.type_names.size() << "; countries: " << r.events.country_names.size()
                      << "; synthetic: " << (r.events.synthetic ? "yes (SYNTHETIC DATA)" : "no") << "\n";
            return;
        }
        DatasetInfo info = inspect_dataset(*file);
        std::cout << info.path << " (driver " << info.driver << ")\n";
        for (auto& [k, v] : info.metadata) std::cout << "  metadata " << k << " = " << v << "\n";
        if (info.is_raster)
            std::cout << "  raster " << info.raster_width << " x " << info.raster_height << ", " << info.raster_bands
                      << " band(s), CRS " << info.raster_crs << "\n";
        for (auto& l : info.layers) {
            std::printf("  layer '%s': %s, %lld features, CRS %s\n", l.name.c_str(), l.geometry_type.c_str(),
                        static_cast<long long>(l.feature_count), l.crs_name.c_str());
            std::printf("    extent %.6f %.6f %.6f %.6f\n", l.extent.xmin, l.extent.ymin, l.extent.xmax, l.extent.ymax);
            for (auto& [n, t] : l.fields) std::printf("    field %s (%s)\n", n.c_str(), t.c_str());
        }
    });
}

} // namespace nexusmap::cli
