// `nexusmap scan`: Kulldorff's space-time permutation scan statistic on dated events -> cluster
// circles (GeoJSON, GeoPackage) and a cluster table (CSV), with provenance. See docs/scan.md.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/scan.hpp"

namespace nexusmap::cli {

void add_scan(CLI::App& app) {
    auto* cmd = app.add_subcommand("scan", "Space-time permutation scan statistic (Kulldorff 2005): emerging clusters with Monte Carlo p-values");
    struct Args {
        EventArgs ev;
        std::string period = "month", centres = "grid", model = "permutation", cases, population, out;
        ScanParams p;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    a->ev.add_to(cmd);
    // Distances (to routes, between events) need point locations: precise events unless asked otherwise.
    a->ev.precise_by_default("scan");
    cmd->add_option("--model", a->model, "permutation (dated events only) | bernoulli (--cases vs the other events) | poisson (--population raster)")->capture_default_str();
    cmd->add_option("--population", a->population, "poisson: population (or intensity) raster, any GDAL raster (e.g. WorldPop)");
    cmd->add_option("--cases", a->cases, "bernoulli: event types that are cases, comma-separated (the rest are controls)");
    cmd->add_option("--period", a->period, "Time unit: year | quarter | month")->capture_default_str();
    cmd->add_option("--centres", a->centres, "Circle centres: grid (non-empty cells of --centre-cell-km) | events (every location)")->capture_default_str();
    cmd->add_option("--centre-cell-km", a->p.centre_cell_km, "Grid of candidate centres, km")->capture_default_str();
    cmd->add_option("--location-cell-km", a->p.location_cell_km, "Aggregate event locations to cells of this size (0: exact coordinates)")->capture_default_str();
    cmd->add_option("--max-share", a->p.max_share, "Largest circle: share of all events (<= 0.5)")->capture_default_str();
    cmd->add_option("--max-radius-km", a->p.max_radius_km, "Largest circle radius, km (0: only --max-share)")->capture_default_str();
    cmd->add_option("--max-window-share", a->p.max_window_share, "Longest window: share of the study periods")->capture_default_str();
    cmd->add_option("--max-window", a->p.max_window_periods, "Longest window in periods (overrides the share when > 0)")->capture_default_str();
    cmd->add_flag("--elliptic", a->p.elliptic, "Also elliptic windows (permutation model; Kulldorff et al. 2006 shapes, penalized)");
    cmd->add_option("--ellipse-penalty", a->p.ellipse_penalty, "Eccentricity penalty exponent (0: none, 0.5: medium, 1: strong)")->capture_default_str();
    cmd->add_flag("--prospective", a->p.prospective, "Only windows ending in the last period (is there a cluster now?)");
    cmd->add_option("--replications", a->p.replications, "Monte Carlo replications")->capture_default_str();
    cmd->add_option("--seed", a->p.seed, "Replication seed")->capture_default_str();
    cmd->add_option("--max-clusters", a->p.max_clusters, "Clusters reported (most likely + secondary)")->capture_default_str();
    cmd->add_option("--report-p", a->p.report_p, "Report secondary clusters only with p <= this")->capture_default_str();
    cmd->add_option("--threads", a->p.threads, "Worker threads (0: all cores); results do not depend on it")->capture_default_str();
    cmd->add_option("-o,--out", a->out, "Output folder (created)")->required();
    cmd->add_flag("--force", a->force, "Overwrite outputs already in the folder");
    cmd->callback([a] {
        namespace fs = std::filesystem;
        ScanParams p = a->p;
        p.period = parse_period_unit(a->period);
        if (a->centres == "grid") p.centres = ScanCentres::Grid;
        else if (a->centres == "events") p.centres = ScanCentres::Events;
        else throw GeoError("", "--centres", "must be grid or events, not '" + a->centres + "'");
        if (a->model == "bernoulli") p.model = ScanModel::Bernoulli, p.case_types = split_list(a->cases, ",");
        else if (a->model == "poisson") p.model = ScanModel::Poisson;
        else if (a->model != "permutation") throw GeoError("", "--model", "must be permutation, bernoulli or poisson, not '" + a->model + "'");
        if (p.model == ScanModel::Poisson && a->population.empty()) throw GeoError("", "--model poisson", "needs --population RASTER");
        if (p.model == ScanModel::Bernoulli && p.case_types.empty()) throw GeoError("", "--model bernoulli", "needs --cases TYPES");
        std::vector<std::string> inputs = {a->ev.file};
        if (!a->population.empty()) inputs.push_back(a->population);
        check_output_stem(a->out, "a folder of CSV, GeoJSON and GPKG"); // several products: never `-` or a file name
        fs::create_directories(a->out);
        auto path = [&](const char* n) { return (fs::path(a->out) / n).string(); };
        for (auto* n : {"scan_clusters.csv", "scan_clusters.geojson", "scan_clusters.gpkg", "scan_replicas.csv"})
            check_output(path(n), a->force, inputs);
        EventTable ev = a->ev.load();
        p.analysis_crs = ev.crs;
        ProgressBar bar("scan");
        Raster pop;
        if (p.model == ScanModel::Poisson) {
            pop = read_raster(a->population);
            pop.metadata["source"] = a->population;
        }
        const ScanResult r = space_time_permutation_scan(ev, p, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }),
                                                         p.model == ScanModel::Poisson ? &pop : nullptr);
        const Metadata& md = r.metadata;
        write_csv(scan_cluster_table(r), path("scan_clusters.csv"), md);
        VectorLayer l = scan_cluster_layer(r);
        write_geojson(l, path("scan_clusters.geojson"), md);
        write_gpkg(l, path("scan_clusters.gpkg"));
        Table reps;
        reps.columns = {"replica", "max_llr"};
        for (size_t i = 0; i < r.replica_max.size(); ++i) reps.rows.push_back({std::to_string(i + 1), fmt_num(r.replica_max[i], 10)});
        write_csv(reps, path("scan_replicas.csv"), md);

        std::printf("scan: %s%zu events at %zu locations, %zu %ss (%s), %s\n", ev.synthetic ? "SYNTHETIC data, " : "", r.n,
                    r.n_locations, r.n_periods, period_unit_name(p.period).c_str(), md.at("periods").c_str(), md.at("mode").c_str());
        std::printf("  %zu centres, %zu circles, windows up to %d periods, %d replications in %.2f s\n", r.n_centres, r.n_bases,
                    r.max_window, p.replications, r.seconds);
        for (auto& c : r.clusters)
            std::printf("  #%d  %.3f,%.3f r=%.0f km  %s..%s  obs %.0f exp %.1f RR %.2f  LLR %.2f  p %.4g (Gumbel %.3g)\n", c.rank,
                        c.lon, c.lat, c.radius_km, c.start_label.c_str(), c.end_label.c_str(), c.observed, c.expected,
                        c.relative_risk, c.llr, c.p_mc, c.p_gumbel);
        for (auto& w : r.warnings) std::printf("  warning: %s\n", w.c_str());
        std::printf("  outputs in %s\n", a->out.c_str());
    });
}

} // namespace nexusmap::cli
