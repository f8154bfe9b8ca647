#include "cli/density_job.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap::cli {

void DensityArgs::add_to(CLI::App* cmd) {
    events.add_to(cmd);
    cmd->add_option("--kernel", kernel, "quartic | triangular | uniform | triweight | epanechnikov | gaussian")->capture_default_str();
    cmd->add_option("--bandwidth-km", bandwidth,
                    "Search radius in km (Gaussian: standard deviation), or 'silverman' / 'scott' (normal reference) or 'lcv' "
                    "(likelihood cross-validation, as spatstat bw.ppl; better on clustered events) for an automatic one")
        ->capture_default_str();
    cmd->add_option("--cell-km", cell_km, "Cell size in km")->capture_default_str();
    cmd->add_option("--extent", extent, "data (bounds padded by the kernel support) | bbox:LON0,LAT0,LON1,LAT1 | layer:FILE[:LAYER]")
        ->capture_default_str();
    cmd->add_option("--mask", mask, "Polygon layer FILE[:LAYER]; cells outside become nodata");
    cmd->add_option("--value-units", units, "Raster values: per-km2 (integrates to the weight total) | qgis-raw | qgis-scaled")
        ->capture_default_str();
    add_old_name(cmd, "--units", "--value-units", units); // --units names the analysis units in hotspots
    cmd->add_flag("--exact", exact, "Always use the exact path (every point, every cell within the radius)");
    cmd->add_flag("--fast", fast, "Always use the FFT path (linear binning + FFT convolution)");
    cmd->add_option("--threads", threads, "Worker threads (0 = all cores)");
    cmd->add_option("--max-cells", max_cells, "Refuse grids larger than this many cells")->capture_default_str();
}

KdeParams parse_kde_params(const DensityArgs& a) {
    KdeParams p;
    auto k = kernel_from_name(a.kernel);
    if (!k) throw GeoError("", "--kernel '" + a.kernel + "'", "unknown (quartic, triangular, uniform, triweight, epanechnikov, gaussian)");
    p.kernel = *k;
    if (a.bandwidth == "silverman") p.rule = BandwidthRule::Silverman;
    else if (a.bandwidth == "scott") p.rule = BandwidthRule::Scott;
    else if (a.bandwidth == "lcv" || a.bandwidth == "ppl") p.rule = BandwidthRule::Lcv;
    else {
        auto v = parse_numbers(a.bandwidth, "--bandwidth-km");
        if (v.size() != 1 || !(v[0] > 0)) throw GeoError("", "--bandwidth-km '" + a.bandwidth + "'", "must be a positive number of km, 'silverman', 'scott' or 'lcv'");
        p.bandwidth_m = v[0] * 1000;
    }
    if (!(a.cell_km > 0) || !std::isfinite(a.cell_km)) throw GeoError("", "--cell-km", "must be a positive number of km");
    p.cell_m = a.cell_km * 1000;
    if (a.units == "per-km2") p.units = DensityUnits::PerKm2;
    else if (a.units == "qgis-raw") p.units = DensityUnits::QgisRaw;
    else if (a.units == "qgis-scaled") p.units = DensityUnits::QgisScaled;
    else throw GeoError("", "--value-units '" + a.units + "'", "unknown (per-km2, qgis-raw, qgis-scaled)");
    if (a.exact && a.fast) throw GeoError("", "--exact/--fast", "choose one");
    p.method = a.exact ? KdeMethod::Exact : a.fast ? KdeMethod::Fft : KdeMethod::Auto;
    p.threads = a.threads;
    return p;
}

void check_grid_size(const GridSpec& g, double max_cells) {
    const double cells = double(g.width) * double(g.height);
    if (cells > max_cells) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "grid of %d x %d = %.3g cells (%.1f GB as float32) exceeds the cap of %.3g cells; use a larger "
                      "--cell-km, a smaller --extent, or raise --max-cells",
                      g.width, g.height, cells, cells * 4 / 1e9, max_cells);
        throw GeoError("", "density grid", buf);
    }
    // The float32 result plus the KDE's working tiles (the FFT path keeps them within ~2x the grid).
    check_memory(3 * raster_bytes(g.width, g.height),
                 "density grid of " + std::to_string(g.width) + " x " + std::to_string(g.height) + " cells",
                 "use a larger --cell-km or a smaller --extent");
}

DensityJob run_density(const DensityArgs& a) {
    DensityJob job;
    job.params = parse_kde_params(a);
    job.ev = a.events.load();
    const EventTable& ev = job.ev;
    KdeParams& p = job.params;
    // Resolve an automatic bandwidth first: the grid padding depends on it.
    const std::vector<float>* w = !a.events.weighted() ? nullptr : &ev.weight;
    const std::string rule_used = bandwidth_rule_name(p.rule);
    std::string bw_note;
    if (p.rule == BandwidthRule::Lcv) {
        const LcvBandwidth lcv = lcv_bandwidth(ev.x, ev.y, w, p.kernel);
        p.bandwidth_m = lcv.radius_m;
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "likelihood cross-validation (Gaussian sigma %.4g km, %zu-value grid %.4g..%.4g km, %zu points "
                      "evaluated; normal-reference sigma %.4g km)",
                      lcv.sigma_m / 1000, lcv.sigma_grid.size(), lcv.sigma_grid.front() / 1000,
                      lcv.sigma_grid.back() / 1000, lcv.n_eval, lcv.normal_reference_sigma_m / 1000);
        bw_note = buf;
        std::cout << "  automatic bandwidth (lcv): " << p.bandwidth_m / 1000 << " km, " << bw_note << "\n";
        if (lcv.at_edge) {
            const std::string w2 = std::string("the likelihood is highest at the ") +
                                   (lcv.best == 0 ? "smallest" : "largest") +
                                   " bandwidth tried: the choice is a bound, not an optimum (many duplicated "
                                   "locations pull it down; a smooth, unclustered pattern pushes it up)";
            std::cerr << "  WARNING: " << w2 << "\n";
            bw_note += "; WARNING: " + w2;
        }
        p.rule = BandwidthRule::Fixed;
    } else if (p.rule != BandwidthRule::Fixed) {
        try {
            p.bandwidth_m = auto_bandwidth(ev.x, ev.y, w, p.rule, p.kernel);
        } catch (const GeoError& e) {
            throw GeoError(ev.source, "--bandwidth-km " + a.bandwidth, e.what_ + " with --bandwidth-km KM");
        }
        std::cout << "  automatic bandwidth (" << a.bandwidth << "): " << p.bandwidth_m / 1000 << " km\n";
        // The normal reference assumes one Gaussian blob; on clustered events it oversmooths.
        const double dn = median_nn_distance(ev.x, ev.y);
        if (std::isfinite(dn) && dn > 0 && p.bandwidth_m > 10 * dn) {
            char buf[512];
            std::snprintf(buf, sizeof buf,
                          "the normal-reference radius %.4g km is %.0fx the median nearest-neighbour distance between "
                          "event locations (%.4g km): on clustered events it smooths clusters away; consider "
                          "--bandwidth-km lcv or a fixed radius",
                          p.bandwidth_m / 1000, p.bandwidth_m / dn, dn / 1000);
            std::cerr << "  WARNING: " << buf << "\n";
            bw_note = std::string("WARNING: ") + buf;
        }
        p.rule = BandwidthRule::Fixed;
    }
    const double pad = kernel_support(p.kernel, p.bandwidth_m);
    GridSpec grid;
    if (a.extent == "data") {
        grid = grid_for_points(ev.x, ev.y, pad, p.cell_m);
    } else if (a.extent.rfind("bbox:", 0) == 0) {
        BBox ll = parse_bbox(a.extent.substr(5));
        Transformer t(Crs::wgs84(), ev.crs);
        grid = GridSpec::covering(t.forward_bbox(ll), p.cell_m);
    } else if (a.extent.rfind("layer:", 0) == 0) {
        auto [f, l] = split_layer_spec(a.extent.substr(6));
        ReadLayerOptions ro;
        ro.layer = l;
        ro.target_crs = ev.crs;
        grid = GridSpec::covering(read_layer(f, ro).bbox(), p.cell_m);
    } else {
        throw GeoError("", "--extent '" + a.extent + "'", "use data, bbox:LON0,LAT0,LON1,LAT1 or layer:FILE[:LAYER]");
    }
    check_grid_size(grid, a.max_cells);
    // A kernel narrower than two cells is sampled at one or two cell centres: the raster no longer
    // integrates to the weight total (too much or almost nothing, depending on where points fall).
    const bool undersampled = p.bandwidth_m < 2 * p.cell_m;
    if (undersampled)
        std::fprintf(stderr,
                     "  warning: bandwidth %.4g km is under 2 cells (cell %.4g km): the kernel is undersampled and the "
                     "density will not integrate to the weight total; use --cell-km %.4g or less\n",
                     p.bandwidth_m / 1000, p.cell_m / 1000, p.bandwidth_m / 2000);
    ProgressBar bar("density");
    KdeInput in{&ev.x, &ev.y, &ev.weight};
    p.use_weights = w != nullptr;
    job.kde = kernel_density(in, grid, ev.crs, p, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
    Raster& r = job.kde.raster;
    if (!a.mask.empty()) {
        auto [f, l] = split_layer_spec(a.mask);
        ReadLayerOptions ro;
        ro.layer = l;
        ro.target_crs = ev.crs;
        apply_mask(r, read_layer(f, ro));
        r.metadata["mask"] = a.mask;
    }
    for (auto& [k, v] : provenance(ev, a.events.from, a.events.to)) r.metadata[k] = v;
    if (a.events.weight.empty()) {
        r.metadata["weight_field"] = a.events.weighted() ? "(none: every event counts 1, spread events as equal fractions)"
                                                         : "(none: every event counts 1)";
    } else {
        // The resolved column, not the option's text ("auto" says nothing once written to a file).
        auto it = ev.metadata.find("weight_column");
        const std::string col = it != ev.metadata.end() ? it->second : a.events.weight;
        r.metadata["weight_field"] = col;
        if (col != a.events.weight) r.metadata["weight_field_option"] = a.events.weight;
    }
    r.metadata["bandwidth_rule"] = rule_used;
    if (!bw_note.empty()) r.metadata["bandwidth_note"] = bw_note;
    const double integral = r.integral() / (p.units == DensityUnits::PerKm2 ? 1e6 : 1.0);
    std::printf("  kernel %s, bandwidth %.4g km (%s), cell %.4g km, grid %d x %d, method %s\n"
                 "  %zu events, weight total %.6g; raster integral %.6g (%s)%s\n",
                 kernel_name(p.kernel), p.bandwidth_m / 1000, r.metadata["bandwidth_meaning"].c_str(), p.cell_m / 1000,
                 grid.width, grid.height, r.metadata["method"].c_str(), job.kde.n_points, job.kde.weight_total, integral,
                 r.units.c_str(), ev.synthetic ? "\n  NOTE: input is SYNTHETIC demo data" : "");
    // With the data extent and no mask nothing should be cut off: say so when the total is not kept.
    if (p.units == DensityUnits::PerKm2 && a.extent == "data" && a.mask.empty() && job.kde.weight_total > 0 &&
        std::fabs(integral - job.kde.weight_total) > 0.01 * job.kde.weight_total)
        std::fprintf(stderr, "  warning: the raster integrates to %.6g, not the weight total %.6g (%+.1f%%)%s\n", integral,
                     job.kde.weight_total, 100 * (integral / job.kde.weight_total - 1),
                     undersampled ? ": the bandwidth is too small for the cell size" : "");
    return job;
}

} // namespace nexusmap::cli
