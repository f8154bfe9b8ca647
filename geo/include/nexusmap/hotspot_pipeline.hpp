#pragma once
// The hot spot pipelines (issue #15): Getis-Ord Gi* (`hotspots`), local Moran's I (`lisa`) and
// emerging hot spots (`emerging`), from events to a finished product. The command line maps its
// flags onto the parameter structs, the viewer's Hot spots panel edits the same structs; both call
// run_*() and write the product with write_product(), so they give the same files.
//
//   params.validate()                     -> GeoError before any work (messages name the CLI flags)
//   product_files(analysis, fishnet, stem) -> the paths a front end checks before any work
//   run_hotspots/lisa/emerging(inputs, params, progress) -> Product
//   write_product(product, stem)          -> the files, through the output registry (output.hpp)
//
// Units: a square fishnet or hexagons covering the events, or polygons (admin-1 by default); the
// study area picks the units analysed (geo select_study_area: one rule for all three analyses).
// Colours come from style.hpp (Gi* bins as ArcGIS, LISA as GeoDa, emerging patterns reds/blues).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/hotspots.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/spillover.hpp" // PeriodUnit: the one time-step type

namespace nexusmap::pipeline {

enum class UnitKind { Fishnet, Hex, Polygons };
enum class Analysis { GiStar, Lisa, Emerging };
const char* analysis_name(Analysis a); // "gistar", "lisa", "emerging": the output suffix

// Analysis units, weights and study area: shared by the three analyses.
struct UnitParams {
    std::string units = "fishnet";           // fishnet | hex | admin1 (polygons)
    double cell_km = 25;                     // fishnet cell, or distance between hexagon centres
    std::optional<double> band_km;           // binary distance band; unset: chosen by band_rule
    std::optional<int> knn;                  // k nearest neighbours instead of a band
    bool queen = false;                      // queen contiguity instead of a band
    std::string band_rule = "min-neighbour"; // min-neighbour | incremental
    std::string polygons;                    // FILE[:LAYER] for admin1 (empty: the bundled admin-1)
    std::string study_area = "countries";    // countries | nonempty | all | FILE[:LAYER]
    std::string study_countries = "MLI,BFA,NER,CIV,GHA,TGO,BEN";
    bool drop_isolated = false;
    double max_cells = 2e7;
    std::string data_dir = "data"; // the bundled data folder (front ends set theirs)

    UnitKind kind() const; // throws GeoError for an unknown name
    BandRule rule() const;
    std::string polygon_spec() const;
    bool area_is_layer() const;
    std::string area_layer_spec() const; // the study-area polygon layer, or "" for nonempty/all
    // Files the analysis will read besides the events (polygons, study area), for output checks.
    std::vector<std::string> input_files() const;
    void validate() const;
};

// Getis-Ord Gi*.
struct HotspotParams {
    UnitParams units;
    int permutations = -1; // -1 auto (999, raised with fdr), 0 normal p, else conditional permutations
    uint64_t seed = 1;
    bool fdr = false; // bins from BH-adjusted p (off by default, as ArcGIS Hot Spot Analysis)
    int auto_permutation_cap = kMaxAutoPermutations; // the viewer lowers it to stay interactive
    void validate() const;
};

// Local Moran's I.
struct LisaParams {
    UnitParams units;
    int permutations = -1; // -1 auto, else >= 1
    uint64_t seed = 1;
    bool fdr = false;
    double alpha = 0.05;
    void validate() const;
};

// Emerging hot spots (space-time Gi* + Mann-Kendall): fishnet or hex units only.
struct EmergingParams {
    EmergingParams() { units.cell_km = 50; }
    UnitParams units;
    PeriodUnit period = PeriodUnit::Quarter;
    int time_window = 1; // previous steps in the neighbourhood
    double alpha = 0.05; // bin and trend significance
    bool fdr = true;     // as ArcGIS Pro
    void validate() const;
};

// The events an analysis runs on (already filtered, in the analysis CRS: EventTable::crs).
struct EventInputs {
    const EventTable* events = nullptr;
    bool weighted = false;          // sum EventTable::weight per unit instead of counting rows
    std::string weight_name;        // the weight's name for the metadata ("" with spread fractions)
    std::string date_from, date_to; // the date window asked for ("" = the data's): metadata, and
                                    // emerging's first/last step
};

// The analysis units after the study-area rule (analysis unit i is raw unit raw_of[i]).
struct UnitSummary {
    UnitKind kind = UnitKind::Fishnet;
    GridSpec grid;                // fishnet
    std::vector<size_t> raw_of;   // analysis unit -> fishnet cell (row-major) / hexagon / polygon
    std::vector<double> lon, lat; // centroids (WGS 84)
    std::vector<double> count, weighted;
    size_t outside = 0; // events outside every unit
    std::string description, study_rule, dropped;
    size_t size() const { return raw_of.size(); }
};

struct Product {
    Analysis analysis = Analysis::GiStar;
    UnitSummary units;
    Crs crs;
    // The statistical result, per analysis unit (emerging: per unit and step, step-major).
    GiStarResult gi;
    LocalMoranResult lisa;
    EmergingResult em;
    std::vector<std::string> step_labels; // emerging: one per step
    // The per-unit layer (attributes + simplestyle fill by class) and its CSV table (WKT geometry).
    VectorLayer layer;
    Table table;
    // Fishnet only: the 3-band float32 GeoTIFF and the class raster (colour + attribute tables).
    std::vector<RasterBand> bands;
    std::optional<ClassRaster> classes;
    // The one provenance/parameter record; each file adds only its own note below.
    Metadata metadata;
    std::string bands_note, classes_note, style_note;
    std::vector<std::string> warnings; // in order, for stderr / the panel
    std::string summary;               // the lines the command line prints (ends with '\n')
    bool fishnet() const { return units.kind == UnitKind::Fishnet; }
};

// Files of a product with output stem `stem` (PREFIX_<analysis>...), in the order they are
// reported: main (GeoTIFF for a fishnet Gi*/LISA, else GeoJSON), CSV, GeoPackage, class raster.
struct ProductFile {
    std::string path;
    ProductKind kind;
};
std::vector<ProductFile> product_files(Analysis a, bool fishnet, const std::string& stem);

Product run_hotspots(const EventInputs& in, const HotspotParams& p, Progress progress = {});
Product run_lisa(const EventInputs& in, const LisaParams& p, Progress progress = {});
Product run_emerging(const EventInputs& in, const EmergingParams& p, Progress progress = {});

// Writes every file of product_files() (plus the Gi* GeoTIFF's QGIS .qml) atomically through the
// output registry; returns the paths in product_files() order. Open an OutputSet around it for an
// all-or-nothing set.
std::vector<std::string> write_product(const Product& p, const std::string& stem);

// Square outline of fishnet cell (col, row) (row 0 is the northern one): closed, counter-clockwise.
Polygon cell_polygon(const GridSpec& g, int col, int row);

// "12.5 km" (6 significant digits), as in summaries and metadata.
std::string km(double metres);

} // namespace nexusmap::pipeline
