#include "cli/density_job.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/pipeline/density.hpp"
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

void check_grid_size(const GridSpec& g, double max_cells) { pipeline::check_density_grid(g, max_cells); }

DensityJob run_density(const DensityArgs& a) {
    DensityJob job;
    pipeline::DensityParams dp;
    dp.kde = parse_kde_params(a);
    dp.max_cells = a.max_cells;
    dp.weighted = a.events.weighted();
    dp.weight_option = a.events.weight;
    dp.date_from = a.events.from;
    dp.date_to = a.events.to;
    dp.mask_name = a.mask;
    job.ev = a.events.load();
    const EventTable& ev = job.ev;
    auto read = [&](const std::string& spec) {
        auto [f, l] = split_layer_spec(spec);
        ReadLayerOptions ro;
        ro.layer = l;
        ro.target_crs = ev.crs;
        return read_layer(f, ro);
    };
    VectorLayer extent_layer, mask;
    pipeline::DensityInputs in{&ev, nullptr, nullptr};
    if (a.extent == "data") {
        dp.extent = pipeline::DensityParams::Extent::Data;
    } else if (a.extent.rfind("bbox:", 0) == 0) {
        dp.extent = pipeline::DensityParams::Extent::LonLatBox;
        dp.lonlat_box = parse_bbox(a.extent.substr(5));
    } else if (a.extent.rfind("layer:", 0) == 0) {
        dp.extent = pipeline::DensityParams::Extent::Layer;
        extent_layer = read(a.extent.substr(6));
        in.extent_layer = &extent_layer;
    } else {
        throw GeoError("", "--extent '" + a.extent + "'", "use data, bbox:LON0,LAT0,LON1,LAT1 or layer:FILE[:LAYER]");
    }
    if (!a.mask.empty()) {
        mask = read(a.mask);
        in.mask = &mask;
    }
    ProgressBar bar("density");
    auto prod = pipeline::run_density(in, dp, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
    for (const auto& n : prod.notes)
        std::cout << "  " << n << "\n";
    for (const auto& w : prod.warnings)
        std::cerr << "  warning: " << w << "\n";
    job.kde = std::move(prod.kde);
    job.params = prod.params;
    const KdeParams& p = job.params;
    Raster& r = job.kde.raster;
    std::printf("  kernel %s, bandwidth %.4g km (%s), cell %.4g km, grid %d x %d, method %s\n"
                "  %zu events, weight total %.6g; raster integral %.6g (%s)%s\n",
                kernel_name(p.kernel), p.bandwidth_m / 1000, r.metadata["bandwidth_meaning"].c_str(), p.cell_m / 1000,
                prod.grid.width, prod.grid.height, r.metadata["method"].c_str(), job.kde.n_points, job.kde.weight_total,
                prod.integral, r.units.c_str(), ev.synthetic ? "\n  NOTE: input is SYNTHETIC demo data" : "");
    return job;
}

} // namespace nexusmap::cli
