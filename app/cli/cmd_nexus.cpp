// `nexusmap nexus`: are events nearer trafficking routes than a null model would put them? Counts
// within d km per route / commodity / all routes against Monte Carlo simulations, distance curves
// with envelopes, and the co-location quotient between event types. See docs/nexus.md.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/nexus.hpp"

namespace nexusmap::cli {

void add_nexus(CLI::App& app) {
    auto* cmd = app.add_subcommand("nexus", "Events near trafficking routes against a null model (Monte Carlo, FDR, envelopes); co-location quotients");
    struct Args {
        EventArgs ev;
        std::string routes, null_model = "smoothed", admin1, intensity, curve = "5,10,15,20,25,30,40,50,75,100", clq_types, crossk, out;
        NexusParams p;
        bool clq = false, force = false;
        int clq_sims = 199;
    };
    auto a = std::make_shared<Args>();
    a->ev.add_to(cmd);
    // Distances (to routes, between events) need point locations: precise events unless asked otherwise.
    a->ev.precise_by_default("nexus");
    cmd->add_option("--routes", a->routes, "Route lines FILE[:LAYER] with a commodity attribute (default: bundled ILLUSTRATIVE routes)");
    cmd->add_option("--d-km", a->p.d_km, "Test distance: events within this many km of a route")->capture_default_str();
    cmd->add_option("--curve-km", a->curve, "Distances of the distance-response curve, km")->capture_default_str();
    cmd->add_option("--null", a->null_model, "Null model: smoothed | admin1 | raster")->capture_default_str();
    cmd->add_option("--smooth-km", a->p.smooth_bandwidth_km, "smoothed: quartic kernel radius, km")->capture_default_str();
    cmd->add_option("--smooth-cell-km", a->p.smooth_cell_km, "smoothed: grid cell, km")->capture_default_str();
    cmd->add_option("--admin1", a->admin1, "admin1: polygons FILE[:LAYER] (default: bundled basemap:admin1)");
    cmd->add_option("--intensity", a->intensity, "raster: weights per cell (e.g. population), any GDAL raster");
    cmd->add_option("--simulations", a->p.simulations, "Monte Carlo simulations")->capture_default_str();
    cmd->add_option("--seed", a->p.seed, "Simulation seed")->capture_default_str();
    cmd->add_option("--alpha", a->p.alpha, "Envelope and FDR level")->capture_default_str();
    cmd->add_option("--threads", a->p.threads, "Worker threads (0: all cores); results do not depend on it")->capture_default_str();
    cmd->add_flag("--clq", a->clq, "Also co-location quotients between event types (labels permuted)");
    cmd->add_option("--clq-types", a->clq_types, "Event types for the CLQ, comma-separated (default: all)");
    cmd->add_option("--clq-simulations", a->clq_sims, "CLQ permutations")->capture_default_str();
    cmd->add_option("--crossk", a->crossk, "Also the cross-K/L function between two event types A,B (random labelling, extreme rank envelope)");
    cmd->add_option("-o,--out", a->out, "Output folder (created)")->required();
    cmd->add_flag("--force", a->force, "Overwrite outputs already in the folder");
    cmd->callback([a] {
        namespace fs = std::filesystem;
        NexusParams p = a->p;
        p.curve_km = parse_numbers(a->curve, "curve-km");
        if (a->null_model == "smoothed") p.null_model = NexusNull::Smoothed;
        else if (a->null_model == "admin1") p.null_model = NexusNull::Admin1;
        else if (a->null_model == "raster") p.null_model = NexusNull::Raster;
        else throw GeoError("", "--null", "must be smoothed, admin1 or raster, not '" + a->null_model + "'");
        if (p.null_model == NexusNull::Raster && a->intensity.empty()) throw GeoError("", "--null raster", "needs --intensity RASTER");
        const auto ab = split_list(a->crossk, ",");
        if (!a->crossk.empty() && ab.size() != 2) throw GeoError("", "--crossk", "expects two event types A,B");
        const std::string rspec = a->routes.empty() ? data_dir() + "/demo/routes_illustrative.geojson" : a->routes;
        const std::string aspec = a->admin1.empty() ? data_dir() + "/basemap/west_africa.gpkg:admin1" : a->admin1;
        std::vector<std::string> inputs = {a->ev.file, split_layer_spec(rspec).first};
        if (p.null_model == NexusNull::Admin1) inputs.push_back(split_layer_spec(aspec).first);
        if (!a->intensity.empty()) inputs.push_back(a->intensity);
        check_output_stem(a->out, "a folder of CSV and GeoJSON"); // several products: never `-` or a file name
        fs::create_directories(a->out);
        auto path = [&](const char* n) { return (fs::path(a->out) / n).string(); };
        std::vector<const char*> names = {"nexus_routes.csv", "nexus_curves.csv", "nexus_routes.geojson"};
        if (a->clq) names.push_back("nexus_clq.csv");
        if (!a->crossk.empty()) names.push_back("nexus_crossk.csv");
        for (auto* n : names) check_output(path(n), a->force, inputs);

        EventTable ev = a->ev.load();
        p.analysis_crs = ev.crs;
        auto [rfile, rlayer] = split_layer_spec(rspec);
        ReadLayerOptions ro;
        ro.layer = rlayer;
        VectorLayer routes = read_layer(rfile, ro);
        for (auto& w : routes.warnings) std::cerr << "  warning: " << w << "\n";
        VectorLayer admin1;
        Raster intensity;
        NexusNullInputs ni;
        if (p.null_model == NexusNull::Admin1) {
            auto [afile, alayer] = split_layer_spec(aspec);
            ReadLayerOptions ao;
            ao.layer = alayer;
            admin1 = read_layer(afile, ao);
            if (admin1.type != GeomType::Polygon) throw GeoError(afile, "layer '" + admin1.name + "'", "is not a polygon layer");
            ni.admin1 = &admin1;
        }
        if (p.null_model == NexusNull::Raster) {
            intensity = read_raster(a->intensity);
            ni.raster = &intensity;
        }
        ProgressBar bar("nexus");
        const NexusResult r = nexus_route_test(ev, routes, p, ni, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        const Metadata& md = r.metadata;
        write_csv(nexus_unit_table(r), path("nexus_routes.csv"), md);
        write_csv(nexus_curve_table(r), path("nexus_curves.csv"), md);
        const VectorLayer rl = nexus_route_layer(r, routes); // the route lines with their results
        const size_t u = rl.features.size();
        write_geojson(rl, path("nexus_routes.geojson"), md);

        std::printf("nexus: %s%zu events, %zu routes; null %s, %d simulations; within %g km\n", ev.synthetic ? "SYNTHETIC events, " : "",
                    r.n, u, nexus_null_name(p.null_model), p.simulations, p.d_km);
        if (routes.illustrative()) std::printf("  routes are ILLUSTRATIVE, not an intelligence product\n");
        for (auto& n : r.units)
            if (n.kind != "route")
                std::printf("  %-28s observed %6.0f expected %8.1f ratio %5.2f  p %.4g q %.4g  curve p %.4g\n", n.name.c_str(), n.observed,
                            n.expected, n.ratio, n.p, n.q, n.p_global);
        for (auto& w : r.warnings) std::printf("  warning: %s\n", w.c_str());
        if (a->clq) {
            std::vector<std::string> labels(ev.size());
            for (size_t i = 0; i < ev.size(); ++i) labels[i] = ev.type_names.empty() ? "" : ev.type_names[ev.type[i]];
            const ClqResult c = colocation_quotient(ev.x, ev.y, labels, split_list(a->clq_types, ","), a->clq_sims, p.seed);
            Metadata cmd_md = provenance(ev);
            for (auto& [k, v] : c.metadata) cmd_md[k] = v;
            write_csv(clq_table(c), path("nexus_clq.csv"), cmd_md);
            std::printf("  co-location quotients: %zu pairs of event types in nexus_clq.csv\n", c.entries.size());
        }
        if (!a->crossk.empty()) {
            std::vector<double> xs[2], ys[2];
            for (size_t i = 0; i < ev.size(); ++i)
                for (int k = 0; k < 2; ++k)
                    if (!ev.type_names.empty() && ev.type_names[ev.type[i]] == ab[size_t(k)]) xs[k].push_back(ev.x[i]), ys[k].push_back(ev.y[i]);
            CrossKParams kp;
            kp.r_km = p.curve_km, kp.simulations = p.simulations, kp.seed = p.seed, kp.alpha = p.alpha;
            const CrossKResult k = cross_k(xs[0], ys[0], xs[1], ys[1], kp);
            Metadata kmd = provenance(ev);
            for (auto& [key, v] : k.metadata) kmd[key] = v;
            kmd["category_a"] = ab[0], kmd["category_b"] = ab[1];
            write_csv(cross_k_table(k), path("nexus_crossk.csv"), kmd);
            std::printf("  cross-L %s -> %s: %zu and %zu events, global extreme rank p %.4g\n", ab[0].c_str(), ab[1].c_str(), k.n_a,
                        k.n_b, k.p_global);
        }
        std::printf("  outputs in %s\n", a->out.c_str());
    });
}

} // namespace nexusmap::cli
