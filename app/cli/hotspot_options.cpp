// Options shared by `hotspots`, `lisa` and `emerging`, and their one run-and-write path.
#include "cli/hotspot_options.hpp"

#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "nexusmap/error.hpp"

namespace nexusmap::cli {

const char* const kUnitsFooter =
    "\nUnits: a fishnet or hexagons cover the events' bounding box in the analysis CRS (--crs, default "
    "laea:2,12); admin1 uses polygons (bundled Natural Earth admin-1 unless --polygons). Values are event "
    "counts per unit, or sums of --weight.";

void UnitOptions::add_to(CLI::App* cmd, bool polygons_allowed, bool knn_queen_allowed) {
    cmd->add_option("--units", p.units,
                    polygons_allowed
                        ? "Analysis units: fishnet (square cells covering the events), hex (hexagons "
                          "covering the events) or admin1 (polygons, see --polygons)"
                        : "Analysis units: fishnet (square cells) or hex (hexagons) covering the events")
        ->capture_default_str();
    cmd->add_option("--cell-km", p.cell_km,
                    "Fishnet cell size, or distance between adjacent hexagon centres, in km")
        ->capture_default_str();
    band_opt =
        cmd->add_option("--band-km", band_km,
                        "Distance band in km (binary weights between unit centroids). Default: chosen by "
                        "--band-rule");
    cmd->add_option(
           "--band-rule", p.band_rule,
           "How to choose the band when --band-km is not given: min-neighbour (smallest band giving every "
           "unit a neighbour, the ArcGIS default) or incremental (first peak of global Moran's I z over "
           "10 distances, as ArcGIS Optimized Hot Spot Analysis)")
        ->capture_default_str();
    if (knn_queen_allowed) {
        knn_opt = cmd->add_option("--knn", knn, "Use the K nearest neighbours instead of a distance band");
        auto* queen_opt =
            cmd->add_flag("--queen", p.queen,
                          "Use queen contiguity (shared boundary point) instead of a distance band; on a "
                          "fishnet this is the 8 surrounding cells");
        band_opt->excludes(knn_opt)->excludes(queen_opt);
        knn_opt->excludes(queen_opt);
    }
    if (polygons_allowed)
        cmd->add_option("--polygons", p.polygons,
                        "Polygon layer FILE[:LAYER] for --units admin1 (default: the bundled "
                        "data/basemap/west_africa.gpkg:admin1)");
    auto* study_opt =
        cmd->add_option(
               "--study-area", p.study_area,
               "Which units are analysed: 'countries' (units whose centre is on land in --study-countries, "
               "from the bundled admin-0, plus any unit holding an event), a polygon layer FILE[:LAYER] "
               "(centre inside it, plus any unit holding an event), 'nonempty' (only units holding an "
               "event) or 'all' (every unit of the bounding box, sea included)")
            ->capture_default_str();
    cmd->add_option("--study-countries", p.study_countries,
                    "ISO codes (admin-0 iso_a3) of --study-area countries")
        ->capture_default_str();
    cmd->add_option("--mask", mask, "Same as --study-area FILE[:LAYER] (older name)")->excludes(study_opt);
    cmd->add_flag("--drop-isolated", p.drop_isolated,
                  "Leave out units whose nearest neighbour is more than 3 times the median nearest-neighbour "
                  "distance (they would set the automatic band alone) and list them");
}

pipeline::UnitParams UnitOptions::to_params() const {
    pipeline::UnitParams u = p;
    if (band_opt && band_opt->count()) u.band_km = band_km;
    if (knn_opt && knn_opt->count()) u.knn = knn;
    if (!mask.empty()) u.study_area = mask;
    u.data_dir = data_dir();
    return u;
}

void HotspotArgs::add_to(CLI::App* cmd, bool polygons_allowed, bool knn_queen_allowed) {
    ev.add_to(cmd);
    cmd->add_option("-o,--out", out,
                    "Output prefix: PREFIX_<analysis>.tif/.geojson/.csv (its folder must exist)")
        ->required();
    cmd->add_flag("--force", force, "Overwrite existing outputs");
    units.add_to(cmd, polygons_allowed, knn_queen_allowed);
}

void HotspotArgs::add_seed(CLI::App* cmd) {
    cmd->add_option("--seed", seed, "Random seed for the permutations")->capture_default_str();
}

void run_and_write(const HotspotArgs& a, pipeline::Analysis analysis, const pipeline::UnitParams& units,
                   const std::function<pipeline::Product(const pipeline::EventInputs&, Progress)>& run) {
    namespace fs = std::filesystem;
    // Inputs and outputs, checked before any work.
    std::vector<std::string> inputs{a.ev.file};
    for (auto& f : units.input_files())
        inputs.push_back(f);
    check_output_stem(a.out, "a prefix: PREFIX_<analysis>.tif/.csv/.gpkg/.geojson");
    if (a.ev.file != "-" && !fs::exists(a.ev.file))
        throw GeoError(a.ev.file, "", "event file does not exist");
    for (size_t i = 1; i < inputs.size(); ++i)
        if (!fs::exists(inputs[i])) throw GeoError(inputs[i], "", "polygon file does not exist");
    const auto parent = fs::path(a.out).parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
        throw GeoError(a.out, "", "output folder '" + parent.string() + "' does not exist");
    const auto files = pipeline::product_files(analysis, units.kind() == pipeline::UnitKind::Fishnet, a.out);
    for (auto& f : files)
        check_output(f.path, f.kind, a.force, inputs);

    const EventTable ev = a.ev.load();
    pipeline::EventInputs in;
    in.events = &ev;
    in.weighted = a.ev.weighted();
    in.weight_name = a.ev.weight;
    in.date_from = a.ev.from;
    in.date_to = a.ev.to;
    ProgressBar bar(pipeline::analysis_name(analysis));
    const pipeline::Product p =
        run(in, Progress(ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); })));
    for (auto& w : p.warnings)
        std::cerr << "  warning: " << w << "\n";
    std::cout << p.summary;
    for (auto& path : pipeline::write_product(p, a.out))
        std::cout << "wrote " << path << "\n";
}

} // namespace nexusmap::cli
