// `nexusmap demo --out DIR`: the whole headless pipeline on the bundled real UCDP GED events
// (2012-2023), or with --synthetic on the planted-drift SYNTHETIC demo.
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/pipeline/contours_zonal.hpp"
#include "cli/density_job.hpp"
#include "nexusmap/contours.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/zonal.hpp"

namespace nexusmap::cli {


void add_demo(CLI::App& app) {
    auto* cmd = app.add_subcommand("demo", "Run the whole pipeline on the bundled real UCDP GED events (--synthetic: the SYNTHETIC demo)");
    struct Args {
        std::string out = "demo-out";
        bool force = false, synthetic = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--out", a->out, "Output folder (created)")->capture_default_str();
    cmd->add_flag("--force", a->force, "Overwrite outputs already in the folder");
    cmd->add_flag("--synthetic", a->synthetic, "Use the SYNTHETIC planted-drift demo events instead of the real UCDP GED events");
    cmd->callback([a] {
        namespace fs = std::filesystem;
        const std::string dd = data_dir();
        const std::string events = dd + (a->synthetic ? "/demo/events_synthetic.csv" : "/real/ucdp_ged241_uemoa6.csv"),
                          basemap = dd + "/basemap/west_africa.gpkg";
        // Real data: the Sahel crisis years (the file reaches back to 1989); synthetic: all of it.
        const std::string from = a->synthetic ? "" : "2012-01-01", to = a->synthetic ? "" : "2023-12-31";
        for (auto& f : {events, basemap})
            if (!fs::exists(f)) throw GeoError(f, "", "bundled demo file is missing (see data/README.md to regenerate)");
        fs::create_directories(a->out);
        auto out = [&](const char* name) {
            std::string p = (fs::path(a->out) / name).string();
            const FormatInfo* f = format_for_path(p);
            check_output(p, f->raster ? ProductKind::Raster : f->format == OutputFormat::Csv ? ProductKind::Table : ProductKind::Vector,
                         a->force, {events, basemap});
            return p;
        };
        if (a->synthetic) std::cout << "nexusmap demo: SYNTHETIC events (illustrative only) -> " << a->out << "\n";
        else std::cout << "nexusmap demo: real UCDP GED 24.1 events 2012-2023 -> " << a->out << "\n  data: " << kUcdpAttribution << "\n";
        DensityArgs da;
        da.events.file = events;
        da.events.from = from;
        da.events.to = to;
        da.kernel = "quartic";
        da.bandwidth = "50";
        da.cell_km = 5;
        da.mask = basemap + ":admin0";
        auto job = run_density(da);
        const std::string tif = out("density_quartic_50km.tif");
        write_geotiff(job.kde.raster, tif);
        std::cout << "  " << tif << "\n";

        // Contours and the admin-1 summary through geo's pipelines, as `nexusmap contours|zonal`.
        const pipeline::LayerProduct hot = pipeline::run_contours(job.kde.raster, {}, std::filesystem::path(tif).filename().string());
        const std::string hj = out("hotspots_percent_volume.geojson");
        write_geojson(hot.layer, hj, hot.metadata);
        const std::string hg = out("hotspots_percent_volume.gpkg"); // styled for QGIS
        WriteOptions hw;
        hw.metadata = hot.metadata;
        write_vector(hot.layer, hg, hw);
        std::cout << "  " << hj << "\n  " << hg << "\n";

        ReadLayerOptions ro;
        ro.layer = "admin1";
        const VectorLayer adm1 = read_layer(basemap, ro);
        const pipeline::LayerProduct z = pipeline::run_zonal(job.ev, adm1, {}, basemap + ":admin1", from, to);
        const std::string zj = out("admin1_summary.geojson"), zc = out("admin1_summary.csv");
        WriteOptions zt, zl;
        zt.metadata = z.table_metadata, zl.metadata = z.metadata;
        write_table(z.table, zc, zt);
        write_geojson(z.layer, zj, z.metadata);
        const std::string zg = out("admin1_summary.gpkg");
        write_vector(z.layer, zg, zl);
        std::cout << "  " << zj << "\n  " << zg << "\n  " << zc << "\n";

        // The statistical and spillover analyses run as their own subcommands, so the demo is
        // exactly what an analyst would type.
        const std::string dir = a->out;
        std::vector<std::vector<std::string>> steps = {
            {"hotspots", events, "--units", "fishnet", "--cell-km", "25", "--fdr", "--out", dir + "/demo"},
            {"emerging", events, "--units", "fishnet", "--cell-km", "50", "--step", "year", "--out", dir + "/demo"},
            {"spillover", events, "--out", dir + "/spillover"},
            {"corridors", events, "--out", dir + "/corridors"},
        };
        if (!a->synthetic) // events per 100,000 people by admin-2 unit (approximate population); only events
            // located to an admin-2 unit or better (where_prec <= 3), so none is counted at a province or country centroid
            steps.push_back({"zonal", events, "--polygons", basemap + ":admin2", "--per-capita", "pop2020_est", "--max-precision", "3", "--style-field",
                            "events_per_100k_pop", "-o", dir + "/admin2_rates.geojson", "--csv", dir + "/admin2_rates.csv"});
        for (auto& st : steps) {
            if (!from.empty()) st.insert(st.begin() + 2, {"--from", from, "--to", to});
            if (a->force) st.push_back("--force");
            std::vector<char*> argv{const_cast<char*>("nexusmap")};
            for (auto& w : st) argv.push_back(w.data());
            std::cout << "  nexusmap " << st[0] << " ...\n";
            std::cout.flush();
            if (int rc = run(static_cast<int>(argv.size()), argv.data()); rc != 0)
                throw GeoError("", "demo", "step '" + st[0] + "' failed (exit " + std::to_string(rc) + ")");
        }
        std::cout << (a->synthetic ? "done. All outputs are labelled synthetic=true in their metadata.\n"
                                   : "done. Outputs carry synthetic=false and the UCDP attribution; corridors/ used the "
                                     "ILLUSTRATIVE demo routes and say so.\n");
    });
}

} // namespace nexusmap::cli
