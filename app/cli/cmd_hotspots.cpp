// `nexusmap hotspots` (Getis–Ord Gi*), `nexusmap lisa` (local Moran's I) and `nexusmap emerging`
// (emerging space-time hot spots): the command line over the engine in nexusmap/hotspots.hpp.
//
// Units: a square fishnet covering the events, hexagons covering the events, or polygons (admin-1 by
// default). Outputs: a 3-band float32 GeoTIFF for fishnet Gi*/LISA, GeoJSON (lon/lat) for polygon
// units, and a CSV with one row per unit in every case. Every output carries the provenance
// metadata (inputs, synthetic flag, date window, CRS) plus the analysis parameters.
//
// Colours (simplestyle `fill`, documented in --help and in each file's metadata):
//   Gi* bins (ArcGIS Pro "Hot Spot Analysis" renderer):
//     +3 #d62f27  +2 #ed7551  +1 #fab984  0 #ffffbf  -1 #c0ccbe  -2 #849eba  -3 #4575b5
//   LISA classes (GeoDa cluster map): HH #ff0000  LL #0000ff  LH #a7adf9  HL #f4ada8  ns #eeeeee
//   Emerging patterns: reds for hot patterns, blues for cold ones (see emerging_colour below).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/hotspots.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/stats.hpp"
#include "nexusmap/qml.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap::cli {

// ------------------------------------------------------------------------------------------------
// Helpers (declared again in tests/test_hotspots_outputs.cpp)
namespace hs {

// The multi-band GeoTIFF writer lives in geo (raster.hpp).
using Band = RasterBand;
using nexusmap::write_geotiff_bands;

// ArcGIS Pro hot spot renderer colours for Gi_Bin -3..3 (geo's shared style model).
inline const char* gi_bin_colour(int bin) { return style::gi_bin_hex(bin); }
const char* gi_bin_label(int bin) {
    switch (bin) {
    case 3: return "hot spot, 99% confidence";
    case 2: return "hot spot, 95% confidence";
    case 1: return "hot spot, 90% confidence";
    case -1: return "cold spot, 90% confidence";
    case -2: return "cold spot, 95% confidence";
    case -3: return "cold spot, 99% confidence";
    default: return "not significant";
    }
}
// GeoDa LISA cluster map colours.
const char* lisa_colour(LisaClass c) {
    switch (c) {
    case LisaClass::HighHigh: return "#ff0000";
    case LisaClass::LowLow: return "#0000ff";
    case LisaClass::LowHigh: return "#a7adf9";
    case LisaClass::HighLow: return "#f4ada8";
    default: return "#eeeeee";
    }
}
// Emerging hot spot patterns: hot in reds/oranges, cold in blues, no pattern pale grey.
const char* emerging_colour(EmergingPattern p) {
    switch (p) {
    case EmergingPattern::NewHot: return "#fddbc7";
    case EmergingPattern::ConsecutiveHot: return "#f4a582";
    case EmergingPattern::IntensifyingHot: return "#b2182b";
    case EmergingPattern::PersistentHot: return "#d6604d";
    case EmergingPattern::DiminishingHot: return "#fdae61";
    case EmergingPattern::SporadicHot: return "#fb9a99";
    case EmergingPattern::OscillatingHot: return "#e7298a";
    case EmergingPattern::HistoricalHot: return "#d9b8b0";
    case EmergingPattern::NewCold: return "#d1e5f0";
    case EmergingPattern::ConsecutiveCold: return "#92c5de";
    case EmergingPattern::IntensifyingCold: return "#2166ac";
    case EmergingPattern::PersistentCold: return "#4393c3";
    case EmergingPattern::DiminishingCold: return "#abd9e9";
    case EmergingPattern::SporadicCold: return "#a6cee3";
    case EmergingPattern::OscillatingCold: return "#7570b3";
    case EmergingPattern::HistoricalCold: return "#b0bcc9";
    default: return "#f0f0f0";
    }
}

enum class Step { Month, Quarter, Year };
Step parse_step(const std::string& s) {
    if (s == "month") return Step::Month;
    if (s == "quarter") return Step::Quarter;
    if (s == "year") return Step::Year;
    throw GeoError("", "--period '" + s + "'", "unknown (month, quarter or year)");
}
// Absolute step number of a day (months/quarters/years since year 0).
int32_t step_of_day(int32_t day, Step s) {
    int y, m, d;
    civil_from_days(day, y, m, d);
    switch (s) {
    case Step::Month: return y * 12 + (m - 1);
    case Step::Quarter: return y * 4 + (m - 1) / 3;
    default: return y;
    }
}
// "2019-03", "2019-Q1" or "2019".
std::string step_label(int32_t step, Step s) {
    char buf[32];
    auto fdiv = [](int32_t a, int32_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    switch (s) {
    case Step::Month: {
        const int32_t y = fdiv(step, 12);
        std::snprintf(buf, sizeof buf, "%04d-%02d", y, step - 12 * y + 1);
        break;
    }
    case Step::Quarter: {
        const int32_t y = fdiv(step, 4);
        std::snprintf(buf, sizeof buf, "%04d-Q%d", y, step - 4 * y + 1);
        break;
    }
    default: std::snprintf(buf, sizeof buf, "%04d", step);
    }
    return buf;
}

// Square outline of fishnet cell (col, row): closed, counter-clockwise.
Polygon cell_polygon(const GridSpec& g, int col, int row) {
    const double x0 = g.xmin + col * g.cell, x1 = x0 + g.cell;
    const double y1 = g.ymax - row * g.cell, y0 = y1 - g.cell;
    return Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}};
}

} // namespace hs

namespace {

using hs::Band;

std::string km(double m) { return fmt_num(m / 1000.0, 6) + " km"; }

// ------------------------------------------------------------------------------------------------
// Analysis units shared by the three commands

enum class UnitKind { Fishnet, Hex, Polygons };

struct UnitOptions {
    std::string units = "fishnet";
    double cell_km = 25;
    double band_km = 0;
    int knn = 0;
    bool queen = false;
    std::string band_rule = "min-neighbour";
    std::string polygons, mask;
    std::string study_area = "countries";
    std::string study_countries = "MLI,BFA,NER,CIV,GHA,TGO,BEN";
    bool drop_isolated = false;
    double max_cells = 2e7;
    CLI::Option* study_opt = nullptr;
    CLI::Option* band_opt = nullptr;
    CLI::Option* knn_opt = nullptr;
    CLI::Option* queen_opt = nullptr;

    void add_to(CLI::App* cmd, bool polygons_allowed, bool knn_queen_allowed, bool mask_allowed) {
        cmd->add_option("--units", units,
                        polygons_allowed ? "Analysis units: fishnet (square cells covering the events), hex (hexagons "
                                           "covering the events) or admin1 (polygons, see --polygons)"
                                         : "Analysis units: fishnet (square cells) or hex (hexagons) covering the events")
            ->capture_default_str();
        cmd->add_option("--cell-km", cell_km, "Fishnet cell size, or distance between adjacent hexagon centres, in km")
            ->capture_default_str();
        band_opt = cmd->add_option("--band-km", band_km,
                                   "Distance band in km (binary weights between unit centroids). Default: chosen by "
                                   "--band-rule");
        cmd->add_option("--band-rule", band_rule,
                        "How to choose the band when --band-km is not given: min-neighbour (smallest band giving every "
                        "unit a neighbour, the ArcGIS default) or incremental (first peak of global Moran's I z over "
                        "10 distances, as ArcGIS Optimized Hot Spot Analysis)")
            ->capture_default_str();
        if (knn_queen_allowed) {
            knn_opt = cmd->add_option("--knn", knn, "Use the K nearest neighbours instead of a distance band");
            queen_opt = cmd->add_flag("--queen", queen,
                                      "Use queen contiguity (shared boundary point) instead of a distance band; on a "
                                      "fishnet this is the 8 surrounding cells");
            band_opt->excludes(knn_opt)->excludes(queen_opt);
            knn_opt->excludes(queen_opt);
        }
        if (polygons_allowed)
            cmd->add_option("--polygons", polygons,
                            "Polygon layer FILE[:LAYER] for --units admin1 (default: the bundled "
                            "data/basemap/west_africa.gpkg:admin1)");
        (void)mask_allowed;
        study_opt = cmd->add_option(
                           "--study-area", study_area,
                           "Which units are analysed: 'countries' (units whose centre is on land in --study-countries, "
                           "from the bundled admin-0, plus any unit holding an event), a polygon layer FILE[:LAYER] "
                           "(centre inside it, plus any unit holding an event), 'nonempty' (only units holding an "
                           "event) or 'all' (every unit of the bounding box, sea included)")
                        ->capture_default_str();
        cmd->add_option("--study-countries", study_countries,
                        "ISO codes (admin-0 iso_a3) of --study-area countries")
            ->capture_default_str();
        auto* mo = cmd->add_option("--mask", mask, "Same as --study-area FILE[:LAYER] (older name)");
        mo->excludes(study_opt);
        cmd->add_flag("--drop-isolated", drop_isolated,
                      "Leave out units whose nearest neighbour is more than 3 times the median nearest-neighbour "
                      "distance (they would set the automatic band alone) and list them");
    }
    // The study-area spec after --mask: "countries", "nonempty", "all" or FILE[:LAYER].
    std::string area_spec() const { return mask.empty() ? study_area : mask; }
    bool area_is_layer() const {
        const std::string a = area_spec();
        return a != "countries" && a != "nonempty" && a != "all";
    }
    std::string area_layer_spec() const {
        if (area_spec() == "countries") return data_dir() + "/basemap/west_africa.gpkg:admin0";
        return area_is_layer() ? area_spec() : std::string();
    }

    UnitKind kind() const {
        if (units == "fishnet") return UnitKind::Fishnet;
        if (units == "hex" || units == "hexagon" || units == "hexagons") return UnitKind::Hex;
        if (units == "admin1" || units == "polygons") return UnitKind::Polygons;
        throw GeoError("", "--units '" + units + "'", "unknown (fishnet, hex or admin1)");
    }
    bool band_given() const { return band_opt && band_opt->count() > 0; }
    bool knn_given() const { return knn_opt && knn_opt->count() > 0; }
    bool queen_given() const { return queen_opt && queen_opt->count() > 0; }
    BandRule rule() const {
        if (band_rule == "min-neighbour" || band_rule == "min-neighbor") return BandRule::MinOneNeighbor;
        if (band_rule == "incremental") return BandRule::IncrementalMoranPeak;
        throw GeoError("", "--band-rule '" + band_rule + "'", "unknown (min-neighbour or incremental)");
    }
    std::string polygon_spec() const {
        return polygons.empty() ? data_dir() + "/basemap/west_africa.gpkg:admin1" : polygons;
    }
    // Validates the numbers before any work is done.
    void validate() const {
        const UnitKind k = kind();
        if (k != UnitKind::Polygons && !(cell_km > 0 && std::isfinite(cell_km)))
            throw GeoError("", "--cell-km " + fmt_num(cell_km), "must be a positive number of km");
        if (band_given() && !(band_km > 0 && std::isfinite(band_km)))
            throw GeoError("", "--band-km " + fmt_num(band_km), "must be a positive number of km");
        if (band_given() && k == UnitKind::Fishnet && band_km < cell_km)
            throw GeoError("", "--band-km " + fmt_num(band_km),
                           "is smaller than the cell (" + fmt_num(cell_km) +
                               " km): no cell would have a neighbour; use at least --cell-km");
        if (knn_given() && knn < 1) throw GeoError("", "--knn " + std::to_string(knn), "must be at least 1");
        rule();
        if (!polygons.empty() && k != UnitKind::Polygons)
            throw GeoError("", "--polygons", "only applies with --units admin1");
        if (area_spec().empty()) throw GeoError("", "--study-area", "is empty (countries, nonempty, all or FILE[:LAYER])");
    }
};

// The units the analysis runs on: only the "kept" raw units (all cells/hexes, or those passing the
// mask or the "has events" rule) become analysis units, in row-major / hex / feature order.
struct Units {
    UnitKind kind = UnitKind::Fishnet;
    GridSpec grid;                  // fishnet
    HexUnits hex;                   // hex
    VectorLayer layer;              // polygons (projected to the analysis CRS)
    size_t raw = 0;                 // raw units before selection
    std::vector<uint8_t> keep;      // per raw unit
    std::vector<size_t> raw_of;     // analysis unit -> raw unit
    UnitCentroids c;                // analysis unit centroids (analysis CRS)
    std::vector<double> lon, lat;   // centroids in WGS 84
    std::vector<double> count, weighted; // per analysis unit
    size_t outside = 0, skipped = 0;
    std::unique_ptr<PolygonIndex> index; // polygons
    std::string description;
    std::string study_rule;         // the study-area rule used, with its counts
    std::string dropped;            // --drop-isolated: the units left out, listed

    size_t size() const { return raw_of.size(); }
    bool is_fishnet() const { return kind == UnitKind::Fishnet; }
    // Fishnet study-area mask over the whole grid (empty when every cell is kept).
    std::vector<uint8_t> grid_mask() const {
        if (std::all_of(keep.begin(), keep.end(), [](uint8_t k) { return k != 0; })) return {};
        return keep;
    }
    Geometry geometry(size_t u) const {
        const size_t k = raw_of[u];
        Geometry g;
        g.type = GeomType::Polygon;
        if (kind == UnitKind::Fishnet)
            g.polygons.push_back(hs::cell_polygon(grid, static_cast<int>(k % grid.width), static_cast<int>(k / grid.width)));
        else if (kind == UnitKind::Hex)
            g.polygons.push_back(hex.polygons[k]);
        else
            g = layer.features[k].geom;
        return g;
    }
    // Per raw unit sums of the given events (weights optional).
    UnitAggregate aggregate_raw(std::span<const double> x, std::span<const double> y, std::span<const float> w) const {
        if (kind == UnitKind::Fishnet) return fishnet_aggregate(grid, x, y, w);
        if (kind == UnitKind::Hex) return hex_aggregate(hex, x, y, w);
        UnitAggregate a;
        a.value.assign(raw, 0.0);
        for (size_t i = 0; i < x.size(); ++i) {
            const double wi = w.empty() ? 1.0 : static_cast<double>(w[i]);
            if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || !std::isfinite(wi)) {
                ++a.skipped;
                continue;
            }
            const int k = index->locate(x[i], y[i]);
            if (k < 0) {
                ++a.outside;
                continue;
            }
            a.value[static_cast<size_t>(k)] += wi;
            ++a.inside;
        }
        return a;
    }
    // Raw per-unit values -> analysis units.
    std::vector<double> compact(const std::vector<double>& raw_values) const {
        std::vector<double> v(size());
        for (size_t u = 0; u < size(); ++u) v[u] = raw_values[raw_of[u]];
        return v;
    }
    // Analysis unit values -> full grid (NaN outside the study area), for the fishnet rasters.
    std::vector<float> to_grid(std::span<const double> v) const {
        std::vector<float> g(grid.size(), std::numeric_limits<float>::quiet_NaN());
        for (size_t u = 0; u < size(); ++u) g[raw_of[u]] = static_cast<float>(v[u]);
        return g;
    }
};

// Run time grows with units x permutations; past the cap no reported digit changes (issue #19).
void check_permutations(int permutations) {
    if (permutations > kMaxPermutations)
        throw GeoError("", "--permutations " + std::to_string(permutations),
                       "is more than the cap of " + std::to_string(kMaxPermutations) +
                           " (pseudo p-values are then resolved to 1e-5; 999 or 9999 are usual)");
}

// Memory budget (issue #19): units and their neighbour weights and outputs, estimated before
// anything per unit is allocated. The neighbour count is a guess until the band is chosen
// (make_weights checks again then): the user's band or k, else the 8 cells around + self.
void check_units_memory(const UnitOptions& o, double units, bool hexagons, double steps = 1) {
    double nb = 9;
    if (o.band_given()) nb = band_neighbours(o.band_km * 1000, o.cell_km * 1000, hexagons);
    else if (o.knn_given()) nb = o.knn + 1;
    char what[160];
    std::snprintf(what, sizeof what, "%.3g %s with ~%.0f neighbours each%s", units, hexagons ? "hexagons" : "fishnet cells",
                  nb, steps > 1 ? (" over " + fmt_num(steps) + " time steps").c_str() : "");
    check_memory(hotspot_memory_bytes(units, nb, steps), what,
                 "use a larger --cell-km" + std::string(o.band_given() ? " or a smaller --band-km" : ""));
}

// Builds the units over the events, sums the events into them, and keeps those of the study area
// (geo's select_study_area: one rule for hotspots, lisa and emerging).
Units build_units(const UnitOptions& o, const EventTable& ev, bool use_weight) {
    Units u;
    u.kind = o.kind();
    BBox b = BBox::inverted();
    for (size_t i = 0; i < ev.size(); ++i)
        if (std::isfinite(ev.x[i]) && std::isfinite(ev.y[i])) b.expand(ev.x[i], ev.y[i]);
    if (b.xmin > b.xmax) throw GeoError(ev.source, "", "no event has usable coordinates");
    const double cell = o.cell_km * 1000;
    if (u.kind != UnitKind::Polygons && b.empty()) { // one point, or all on a line: give the box some size
        b.xmin -= cell / 2, b.xmax += cell / 2, b.ymin -= cell / 2, b.ymax += cell / 2;
    }
    ProgressBar bar("units");
    Progress prog(ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
    if (u.kind == UnitKind::Fishnet) {
        u.grid = GridSpec::covering(b, cell);
        const double cells = double(u.grid.width) * u.grid.height;
        if (cells > o.max_cells) {
            char buf[200];
            std::snprintf(buf, sizeof buf, "%d x %d = %.3g cells is more than %.3g; use a larger --cell-km", u.grid.width,
                          u.grid.height, cells, o.max_cells);
            throw GeoError("", "fishnet", buf);
        }
        check_units_memory(o, cells, false);
        u.raw = u.grid.size();
        u.description = "fishnet of " + fmt_num(o.cell_km) + " km cells, " + std::to_string(u.grid.width) + " x " +
                        std::to_string(u.grid.height);
    } else if (u.kind == UnitKind::Hex) {
        HexGrid hg;
        hg.spacing = cell;
        // Hexagons covering the box (each covers s^2 sqrt(3)/2), estimated before they are built.
        check_units_memory(o, (b.width() + cell) * (b.height() + cell) / (cell * cell * std::sqrt(3.0) / 2), true);
        u.hex = hex_cover(b, hg, prog);
        if (u.hex.size() > o.max_cells) throw GeoError("", "hexagons", "too many; use a larger --cell-km");
        u.raw = u.hex.size();
        u.description = "hexagons " + fmt_num(o.cell_km) + " km apart (pointy-top, aligned on the CRS origin), " +
                        std::to_string(u.raw) + " covering the events";
    } else {
        auto [pf, pl] = split_layer_spec(o.polygon_spec());
        ReadLayerOptions ro;
        ro.layer = pl;
        ro.target_crs = ev.crs;
        u.layer = read_layer(pf, ro);
        for (auto& w : u.layer.warnings) std::cerr << "  warning: " << w << "\n";
        if (u.layer.type != GeomType::Polygon || u.layer.features.empty())
            throw GeoError(o.polygon_spec(), "", "is not a non-empty polygon layer");
        u.raw = u.layer.features.size();
        u.index = std::make_unique<PolygonIndex>(u.layer);
        u.description = std::to_string(u.raw) + " polygons from " + o.polygon_spec();
    }
    const UnitAggregate cnt = u.aggregate_raw(ev.x, ev.y, {});
    const UnitAggregate wsum = use_weight ? u.aggregate_raw(ev.x, ev.y, ev.weight) : cnt;
    u.outside = cnt.outside;
    u.skipped = cnt.skipped;

    UnitCentroids all;
    if (u.kind == UnitKind::Fishnet) all = fishnet_centroids(u.grid);
    else if (u.kind == UnitKind::Hex) all = u.hex.centroids;
    else {
        std::vector<Geometry> g;
        for (auto& f : u.layer.features) g.push_back(f.geom);
        all = polygon_centroids(g);
    }
    // Study area.
    StudyArea area;
    std::unique_ptr<PolygonIndex> area_index;
    const std::string spec = o.area_spec();
    if (spec == "all") area.mode = StudyAreaMode::All;
    else if (spec == "nonempty") area.mode = StudyAreaMode::NonEmpty;
    else {
        area.mode = StudyAreaMode::Polygons;
        auto [mf, ml] = split_layer_spec(o.area_layer_spec());
        ReadLayerOptions ro;
        ro.layer = ml;
        ro.target_crs = ev.crs;
        VectorLayer m = read_layer(mf, ro);
        if (m.type != GeomType::Polygon || m.features.empty())
            throw GeoError(o.area_layer_spec(), "", "the study area needs a non-empty polygon layer");
        if (spec == "countries") {
            std::vector<std::string> iso;
            std::stringstream ss(o.study_countries);
            for (std::string c; std::getline(ss, c, ',');)
                if (!c.empty()) iso.push_back(c);
            m = select_features(m, "iso_a3", iso);
            area.label = "admin-0 of " + o.study_countries + " (" + o.area_layer_spec() + ")";
        } else {
            area.label = o.area_layer_spec();
        }
        area_index = std::make_unique<PolygonIndex>(m);
        area.polygons = area_index.get();
    }
    StudyAreaSelection sel = select_study_area(all, cnt.value, area);
    u.keep = std::move(sel.keep);
    u.study_rule = sel.rule;
    // --drop-isolated: units whose nearest neighbour is far beyond the typical spacing (they alone
    // would set the min-one-neighbour band); repeated, as dropping one can isolate another.
    if (o.drop_isolated) {
        std::vector<std::string> listed;
        for (int pass = 0; pass < 5; ++pass) {
            UnitCentroids kc;
            std::vector<size_t> kr;
            for (size_t k = 0; k < u.raw; ++k)
                if (u.keep[k]) kc.x.push_back(all.x[k]), kc.y.push_back(all.y[k]), kr.push_back(k);
            if (kc.size() < 3) break;
            const NearestNeighbourStats nn = nearest_neighbour_stats(kc);
            if (nn.far_units.empty()) break;
            for (int32_t f : nn.far_units) {
                const size_t k = kr[static_cast<size_t>(f)];
                u.keep[k] = 0;
                double lon = all.x[k], lat = all.y[k];
                Transformer(ev.crs, Crs::wgs84()).forward(&lon, &lat, 1);
                listed.push_back("unit at " + fmt_num(lon, 6) + "," + fmt_num(lat, 6) + " (" +
                                 fmt_num(cnt.value[k]) + " events, nearest neighbour " + km(nn.nn_m[f]) + " vs median " +
                                 km(nn.median_m) + ")");
            }
        }
        u.dropped = std::to_string(listed.size()) + " isolated unit(s) left out";
        for (auto& l : listed) u.dropped += "; " + l;
    }
    for (size_t k = 0; k < u.raw; ++k)
        if (u.keep[k]) {
            u.raw_of.push_back(k);
            u.c.x.push_back(all.x[k]);
            u.c.y.push_back(all.y[k]);
        }
    if (u.size() < 3) throw GeoError("", "analysis units", "only " + std::to_string(u.size()) + " units: need at least 3 (use a smaller --cell-km)");
    u.count = u.compact(cnt.value);
    u.weighted = u.compact(wsum.value);
    u.lon = u.c.x, u.lat = u.c.y;
    Transformer t(ev.crs, Crs::wgs84());
    t.forward(u.lon.data(), u.lat.data(), u.lon.size());
    return u;
}

// Spatial weights for the polygon/hex/kNN paths; `label` describes them.
struct WeightsChoice {
    SpatialWeights w;
    double distance_m = 0;
    std::string rule, label, warning;
};

WeightsChoice make_weights(const UnitOptions& o, const Units& u, std::span<const double> values, bool include_self,
                           Progress prog) {
    WeightsChoice c;
    if (o.knn_given()) {
        if (static_cast<size_t>(o.knn) >= u.size())
            throw GeoError("", "--knn " + std::to_string(o.knn), "needs fewer neighbours than units (" + std::to_string(u.size()) + ")");
        c.w = knn_weights(u.c, o.knn, include_self, prog);
        c.rule = "k nearest neighbours, k = " + std::to_string(o.knn);
        c.label = std::to_string(o.knn) + " nearest neighbours";
    } else if (o.queen_given()) {
        std::vector<Geometry> g;
        for (size_t i = 0; i < u.size(); ++i) g.push_back(u.geometry(i));
        c.w = queen_weights(g, 0, include_self, prog);
        c.rule = "queen contiguity (shared boundary point)";
        c.label = "queen contiguity";
    } else {
        if (o.band_given()) {
            c.distance_m = o.band_km * 1000;
            c.rule = "user (--band-km)";
        } else {
            BandChoice ch = choose_distance_band(u.c, values, o.rule(), prog);
            c.distance_m = ch.distance_m;
            c.rule = ch.rule;
            c.warning = ch.warning;
        }
        // The band is known now: estimate its weights before building them.
        if (u.kind != UnitKind::Polygons) {
            const double nb = band_neighbours(c.distance_m, o.cell_km * 1000, u.kind == UnitKind::Hex);
            check_memory(weights_bytes(double(u.size()), nb),
                         "neighbour weights of " + std::to_string(u.size()) + " units within " + km(c.distance_m) +
                             " (~" + fmt_num(std::round(nb)) + " neighbours each)",
                         "use a smaller --band-km or a larger --cell-km");
        }
        c.w = distance_band_weights(u.c, c.distance_m, include_self, prog);
        c.label = "distance band " + km(c.distance_m);
    }
    return c;
}

// Counts units without any neighbour (besides themselves).
size_t isolated_units(const SpatialWeights& w) {
    size_t n = 0;
    for (size_t i = 0; i < w.n(); ++i) {
        size_t others = 0;
        for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) others += w.index[e] != static_cast<int32_t>(i);
        n += others == 0;
    }
    return n;
}

AttrValue num(double v) { return std::isfinite(v) ? AttrValue(v) : AttrValue(); }

// Output layer of the analysis units with the unit id, centroid lon/lat and (for polygons) the
// source attributes; the caller appends its own fields.
VectorLayer unit_layer(const Units& u, const Crs& crs, const std::string& name, std::vector<std::string> own_fields) {
    VectorLayer l;
    l.name = name;
    l.crs = crs;
    l.type = GeomType::Polygon;
    l.fields = {"unit"};
    if (u.is_fishnet()) l.fields.insert(l.fields.end(), {"row", "col"});
    std::vector<std::string> src;
    if (u.kind == UnitKind::Polygons) {
        for (auto& f : u.layer.fields) {
            const bool clash = std::find(own_fields.begin(), own_fields.end(), f) != own_fields.end() || f == "unit" ||
                               f == "lon" || f == "lat";
            src.push_back(clash ? "src_" + f : f);
        }
        l.fields.insert(l.fields.end(), src.begin(), src.end());
    }
    l.fields.insert(l.fields.end(), {"lon", "lat"});
    l.fields.insert(l.fields.end(), own_fields.begin(), own_fields.end());
    for (size_t i = 0; i < u.size(); ++i) {
        Feature f;
        f.geom = u.geometry(i);
        f.fid = static_cast<int64_t>(i);
        f.attrs.push_back(static_cast<int64_t>(i));
        if (u.is_fishnet()) {
            f.attrs.push_back(static_cast<int64_t>(u.raw_of[i] / u.grid.width));
            f.attrs.push_back(static_cast<int64_t>(u.raw_of[i] % u.grid.width));
        }
        if (u.kind == UnitKind::Polygons)
            for (auto& a : u.layer.features[u.raw_of[i]].attrs) f.attrs.push_back(a);
        f.attrs.push_back(num(u.lon[i]));
        f.attrs.push_back(num(u.lat[i]));
        l.features.push_back(std::move(f));
    }
    return l;
}

// CSV of a layer's attributes (simplestyle fields left out).
Table layer_table(const VectorLayer& l) {
    Table t;
    std::vector<size_t> cols;
    for (size_t i = 0; i < l.fields.size(); ++i)
        if (!style::is_simplestyle_key(l.fields[i]))
            cols.push_back(i), t.columns.push_back(l.fields[i]);
    for (auto& f : l.features) {
        std::vector<std::string> row;
        for (size_t i : cols) {
            const AttrValue& v = f.attrs[i];
            row.push_back(std::holds_alternative<double>(v) ? fmt_num(std::get<double>(v), 10) : attr_to_string(v));
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

// simplestyle properties (style.hpp): the class colour as fill, thin grey outlines.
void add_style(VectorLayer& l, const std::vector<std::string>& fills) {
    std::vector<style::SimpleStyle> st;
    for (const auto& f : fills)
        st.push_back({style::from_hex(f).value_or(style::Rgb{0.5f, 0.5f, 0.5f}), 0.75, style::rgb8(0x80, 0x80, 0x80), 0.3, 1.0});
    style::add_simplestyle(l, st);
}

// A fishnet's class raster (Gi* bins, LISA classes): code = class value + offset, 255 outside.
ClassRaster class_raster(const Units& u, const Crs& crs, const std::vector<double>& per_unit, int offset,
                         const std::string& band, std::vector<RasterClass> classes) {
    ClassRaster c;
    c.grid = u.grid;
    c.crs = crs;
    c.band_name = band;
    c.classes = std::move(classes);
    c.codes.assign(u.grid.size(), ClassRaster::kNoData);
    for (size_t i = 0; i < u.size(); ++i) c.codes[u.raw_of[i]] = static_cast<uint8_t>(std::lround(per_unit[i]) + offset);
    return c;
}

// The per-unit CSV (with WKT geometry and data_kind, metadata in its sidecar).
void write_unit_csv(const VectorLayer& l, const std::string& path, const Metadata& md) {
    WriteOptions wo;
    wo.metadata = md;
    write_table(table_with_geometry(layer_table(l), l, md), path, wo);
}

std::string join(const std::vector<std::string>& v, const char* sep = "; ") {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

// Shared command arguments.
struct CommonArgs {
    EventArgs ev;
    UnitOptions units;
    std::string out;
    bool force = false;
    uint64_t seed = 1;

    void add_to(CLI::App* cmd) {
        ev.add_to(cmd);
        cmd->add_option("-o,--out", out, "Output prefix: PREFIX_<analysis>.tif/.geojson/.csv (its folder must exist)")
            ->required();
        cmd->add_flag("--force", force, "Overwrite existing outputs");
    }
    // Output paths, checked before any work.
    std::vector<std::string> inputs() const {
        std::vector<std::string> in{ev.file};
        const UnitKind k = units.kind();
        if (k == UnitKind::Polygons) in.push_back(split_layer_spec(units.polygon_spec()).first);
        if (units.area_is_layer()) in.push_back(split_layer_spec(units.area_layer_spec()).first);
        return in;
    }
    // PREFIX + suffix, checked against the registry (extension and kind, companions) before any work.
    std::string output(const std::string& suffix) const {
        const std::string p = out + suffix;
        const FormatInfo* f = format_for_path(p);
        check_output(p, f && f->raster ? ProductKind::Raster : f && f->format == OutputFormat::Csv ? ProductKind::Table : ProductKind::Vector,
                     force, inputs());
        return p;
    }
    void check_inputs() const {
        namespace fs = std::filesystem;
        check_output_stem(out, "a prefix: PREFIX_<analysis>.tif/.csv/.gpkg/.geojson");
        if (ev.file != "-" && !fs::exists(ev.file)) throw GeoError(ev.file, "", "event file does not exist");
        for (size_t i = 1; i < inputs().size(); ++i)
            if (!fs::exists(inputs()[i])) throw GeoError(inputs()[i], "", "polygon file does not exist");
        const auto parent = fs::path(out).parent_path();
        if (!parent.empty() && !fs::is_directory(parent))
            throw GeoError(out, "", "output folder '" + parent.string() + "' does not exist");
    }
};

Metadata base_metadata(const CommonArgs& a, const EventTable& ev, const Units& u, const std::string& analysis) {
    Metadata md = provenance(ev, a.ev.from, a.ev.to);
    md["analysis"] = analysis;
    md["analysis_units"] = u.description;
    md["n_units"] = std::to_string(u.size());
    md["value"] = a.ev.weight.empty() ? (a.ev.weighted() ? "event count per unit (imprecise events spread as fractions)" : "event count per unit") : "sum of weight '" + a.ev.weight + "' per unit";
    md["events_outside_units"] = std::to_string(u.outside);
    md["study_area"] = a.units.area_spec() + ": " + u.study_rule;
    if (!u.dropped.empty()) md["isolated_units_dropped"] = u.dropped;
    return md;
}

// Gi* on a handful of units, or with every event in one unit, still gives bins; say they cannot be
// trusted (50 identical points over 4 units gave a silent "90% cold spot" on an empty cell).
// Kept apart from the statistics themselves (issue #19).
void small_sample_warnings(const std::vector<double>& x, std::vector<std::string>& warnings) {
    size_t n = 0, occupied = 0;
    for (double v : x)
        if (std::isfinite(v)) ++n, occupied += v != 0;
    if (n < 30)
        warnings.push_back("only " + std::to_string(n) +
                           " units: Gi* p-values rest on a normal approximation that needs about 30 units or more; the "
                           "bins are not reliable (use smaller cells or a larger study area)");
    if (occupied <= 1)
        warnings.push_back(occupied == 0 ? "no unit holds an event: there is no pattern to test"
                                         : "all events fall in one unit: there is no spatial variation to test, so hot and "
                                           "cold bins are artefacts of the formula");
}

void print_units(const Units& u, const EventTable& ev) {
    std::cout << "units: " << u.description << "; " << u.size() << " in the analysis\n";
    std::cout << "study area: " << u.study_rule << "\n";
    if (!u.dropped.empty()) std::cout << "  " << u.dropped << "\n";
    if (u.outside) std::cout << "  " << u.outside << " events fall outside every unit\n";
    if (ev.synthetic) std::cout << "NOTE: input is SYNTHETIC demo data (illustrative only)\n";
}

// ------------------------------------------------------------------------------------------------
// hotspots

// "Benjamini-Hochberg FDR" or "none" (for metadata, CSV and GeoJSON).
std::string correction_name(bool fdr) { return fdr ? "Benjamini-Hochberg FDR" : "none"; }

void run_hotspots(const CommonArgs& a, int permutations, bool fdr) {
    a.units.validate();
    if (permutations < -1) throw GeoError("", "--permutations " + std::to_string(permutations), "must be 0 or more (or -1: auto)");
    check_permutations(permutations);
    a.check_inputs();
    const bool fishnet = a.units.kind() == UnitKind::Fishnet;
    const std::string out_main = a.output(fishnet ? "_gistar.tif" : "_gistar.geojson");
    const std::string out_csv = a.output("_gistar.csv");
    const std::string out_gpkg = a.output("_gistar.gpkg"); // the styled layer (QGIS layer_styles)
    const std::string out_bin = fishnet ? a.output("_gistar_bin.tif") : ""; // class raster

    EventTable ev = a.ev.load();
    Units u = build_units(a.units, ev, a.ev.weighted());
    print_units(u, ev);
    const std::vector<double>& x = !a.ev.weighted() ? u.count : u.weighted;

    // Significance: conditional permutations (auto: 999, raised so that FDR can reject a lone unit).
    constexpr double kAlpha = 0.05; // the level planned for; bins also mark 0.10 and 0.01
    PermutationPlan plan;
    if (permutations != 0) plan = plan_permutations(u.size(), kAlpha, fdr, 2, permutations);
    GiStarParams gp;
    gp.band_rule = a.units.rule();
    gp.permutations = permutations == 0 ? 0 : plan.permutations;
    gp.seed = a.seed;
    gp.fdr = fdr;
    ProgressBar bar("Gi*");
    Progress prog(ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
    GiStarResult r;
    std::string weights_label;
    if (fishnet && !a.units.knn_given()) {
        // Fast path over the whole grid (queen on a fishnet = band of cell * sqrt(2)).
        if (a.units.band_given()) gp.distance_m = a.units.band_km * 1000;
        if (a.units.queen_given()) gp.distance_m = u.grid.cell * std::sqrt(2.0);
        std::vector<double> full(u.grid.size(), 0.0);
        for (size_t i = 0; i < u.size(); ++i) full[u.raw_of[i]] = x[i];
        const std::vector<uint8_t> mask = u.grid_mask();
        GiStarResult g = gi_star_fishnet(u.grid, full, mask, gp, prog);
        if (a.units.band_given()) g.distance_rule = "user (--band-km)";
        if (a.units.queen_given()) g.distance_rule = "queen contiguity (fishnet: band = cell x sqrt 2, 8 neighbours)";
        weights_label = a.units.queen_given() ? "queen contiguity" : "distance band " + km(g.distance_m);
        // Back to analysis units.
        r = g;
        auto pick = [&](const std::vector<double>& v) {
            std::vector<double> o(u.size());
            for (size_t i = 0; i < u.size(); ++i) o[i] = v[u.raw_of[i]];
            return o;
        };
        r.z = pick(g.z), r.p = pick(g.p), r.p_fdr = pick(g.p_fdr);
        if (!g.p_perm.empty()) r.p_perm = pick(g.p_perm);
        r.bin.resize(u.size()), r.n_neighbors.resize(u.size());
        for (size_t i = 0; i < u.size(); ++i) r.bin[i] = g.bin[u.raw_of[i]], r.n_neighbors[i] = g.n_neighbors[u.raw_of[i]];
    } else {
        WeightsChoice wc = make_weights(a.units, u, x, true, prog);
        if (!wc.w.self_included) wc.w = with_self(wc.w);
        const size_t iso = isolated_units(wc.w);
        if (iso) std::cerr << "  warning: " << iso << " units have no neighbour (their Gi* only sees themselves)\n";
        r = gi_star(x, wc.w, gp, prog);
        r.distance_m = wc.distance_m;
        r.distance_rule = wc.rule;
        if (!wc.warning.empty()) r.warnings.push_back(wc.warning);
        weights_label = wc.label;
    }
    if (r.distance_m > 0) {
        // A band at least as wide as the study area makes every unit see all of them: z undefined.
        size_t all = 0;
        for (auto nn : r.n_neighbors) all += static_cast<size_t>(nn) >= r.n;
        if (all == r.n)
            throw GeoError("", "--band-km " + fmt_num(r.distance_m / 1000),
                           "covers the whole study area: every unit neighbours every other one, Gi* is undefined; use "
                           "a smaller band");
    }
    small_sample_warnings(x, r.warnings);
    if (gp.permutations > 0 && gp.permutations < 199)
        r.warnings.push_back("with " + std::to_string(gp.permutations) + " permutations the smallest pseudo p is " +
                             fmt_num(2.0 / (gp.permutations + 1), 3) + ": bins +-3 need at least 199");
    if (!plan.warning.empty() && gp.permutations > 0) r.warnings.push_back(plan.warning);
    if (permutations == 0)
        r.warnings.push_back("normal p-values (--permutations 0): on zero-inflated counts they overstate significance; "
                             "the default is conditional permutation inference");
    for (auto& w : r.warnings) std::cerr << "  warning: " << w << "\n";

    Metadata md = base_metadata(a, ev, u, "Getis-Ord Gi* (local G*, ArcGIS Hot Spot Analysis formula)");
    md["weights"] = weights_label + (a.units.knn_given() || a.units.queen_given() ? "" : ", binary") + ", self included";
    md["distance_band_m"] = fmt_num(r.distance_m);
    md["distance_band_km"] = fmt_num(r.distance_m / 1000);
    md["distance_rule"] = r.distance_rule;
    md["n_units"] = std::to_string(r.n);
    md["fdr"] = fdr ? "true (bins from Benjamini-Hochberg adjusted p)" : "false";
    md["correction"] = correction_name(fdr) + (fdr ? "" : " (per-unit tests: about alpha x n units are expected "
                                                          "significant by chance)");
    md["alpha"] = fmt_num(kAlpha) + " (bins: +-1 p <= 0.10, +-2 p <= 0.05, +-3 p <= 0.01)";
    md["permutations"] = std::to_string(gp.permutations);
    if (gp.permutations > 0) {
        md["seed"] = std::to_string(a.seed);
        md["permutation_rule"] =
            permutations > 0 ? "user (--permutations)"
                             : std::string("auto: ") + std::to_string(kDefaultPermutations) +
                                   (fdr ? ", raised until 2/(P+1) x n <= alpha (cap " +
                                              std::to_string(kMaxAutoPermutations) + ")"
                                        : "");
        md["min_pseudo_p"] = fmt_num(min_pseudo_p(gp.permutations, 2), 4);
        md["significance_possible"] = plan.possible ? (plan.warning.empty() ? "yes" : "only for clusters of >= " +
                                                           std::to_string(plan.min_cluster) + " units")
                                                    : "no";
    }
    md["p_source"] = r.p_source + (r.p_source == "permutation" ? " (two-sided pseudo p)" : " (two-sided)");
    md["value_mean"] = fmt_num(r.mean);
    md["value_sd"] = fmt_num(r.sd);
    md["bins"] = "-3..3 = sign(z) * (3 if p <= 0.01, 2 if p <= 0.05, 1 if p <= 0.10) (ArcGIS Gi_Bin)";
    if (!r.warnings.empty()) md["warnings"] = join(r.warnings);
    const std::vector<double>& p = r.p_perm.empty() ? r.p : r.p_perm;

    if (fishnet) {
        Metadata tm = md;
        tm["bands"] = "1 z: Gi* z-score; 2 p: " + r.p_source +
                      " p-value (raw; CSV has p_fdr); 3 bin: -3..3 confidence bin; nodata outside the study area";
        std::vector<double> bins(r.bin.begin(), r.bin.end());
        std::vector<Band> bands{{"z", u.to_grid(r.z)}, {"p", u.to_grid(p)}, {"bin", u.to_grid(bins)}};
        hs::write_geotiff_bands(u.grid, ev.crs, bands, -9999.0f, tm, out_main);
        // QGIS opens the bin band with the same ArcGIS-style colours (style file beside the TIFF).
        write_qml(qml_path_for(out_main), qml_gi_bins(3));
        // The bins alone as a class raster (colour table + attribute table): styled in any GIS.
        Metadata bm = md;
        bm["bands"] = "1 bin: code = Gi* bin + 3 (0..6; the attribute table gives bin, label and colour); 255 outside";
        write_class_raster(class_raster(u, ev.crs, bins, 3, "bin", gi_bin_classes()), out_bin, WriteOptions{bm});
    }
    VectorLayer l = unit_layer(u, ev.crs, "gistar",
                               {"count", "weighted", "z", "p", "p_fdr", "bin", "n_neighbors", "alpha", "correction"});
    std::vector<std::string> fills;
    for (size_t i = 0; i < u.size(); ++i) {
        auto& at = l.features[i].attrs;
        at.push_back(static_cast<int64_t>(std::llround(u.count[i])));
        at.push_back(num(u.weighted[i]));
        at.push_back(num(r.z[i]));
        at.push_back(num(p[i]));
        at.push_back(num(r.p_fdr[i]));
        at.push_back(static_cast<int64_t>(r.bin[i]));
        at.push_back(static_cast<int64_t>(r.n_neighbors[i]));
        at.push_back(kAlpha);
        at.push_back(correction_name(fdr));
        fills.push_back(hs::gi_bin_colour(r.bin[i]));
    }
    write_unit_csv(l, out_csv, md);
    add_style(l, fills);
    Metadata gm = md;
    gm["style"] = "simplestyle fill by bin (ArcGIS): +3 #d62f27, +2 #ed7551, +1 #fab984, 0 #ffffbf, -1 #c0ccbe, "
                  "-2 #849eba, -3 #4575b5";
    if (!fishnet) write_geojson(l, out_main, gm);
    write_vector(l, out_gpkg, WriteOptions{gm});

    std::cout << "weights: " << md["weights"] << "\n";
    if (r.distance_m > 0) std::cout << "distance band: " << km(r.distance_m) << " (" << r.distance_rule << ")\n";
    else std::cout << "neighbours: " << r.distance_rule << "\n";
    std::cout << "p-values: " << r.p_source
              << (gp.permutations > 0 ? " (" + std::to_string(gp.permutations) + " conditional permutations, seed " +
                                            std::to_string(a.seed) + ")"
                                      : std::string())
              << "; correction: " << (fdr ? "Benjamini-Hochberg FDR" : "none (per-unit tests)") << "\n";
    std::map<int, size_t> per_bin;
    for (auto b : r.bin) ++per_bin[b];
    std::cout << "units per bin (" << r.n << " units):\n";
    for (int b = 3; b >= -3; --b) {
        char buf[96];
        std::snprintf(buf, sizeof buf, b ? "  %+d %-28s %zu\n" : "   %d %-28s %zu\n", b, hs::gi_bin_label(b), per_bin[b]);
        std::cout << buf;
    }
    std::cout << "wrote " << out_main << "\nwrote " << out_csv << "\nwrote " << out_gpkg << "\n";
    if (fishnet) std::cout << "wrote " << out_bin << "\n";
}

// ------------------------------------------------------------------------------------------------
// lisa

void run_lisa(const CommonArgs& a, int requested_permutations, bool fdr, double alpha) {
    a.units.validate();
    if (requested_permutations < 1 && requested_permutations != -1)
        throw GeoError("", "--permutations " + std::to_string(requested_permutations), "must be at least 1 (or -1: auto)");
    check_permutations(requested_permutations);
    if (!(alpha > 0 && alpha < 1)) throw GeoError("", "--alpha " + fmt_num(alpha), "must be between 0 and 1");
    a.check_inputs();
    const bool fishnet = a.units.kind() == UnitKind::Fishnet;
    const std::string out_main = a.output(fishnet ? "_lisa.tif" : "_lisa.geojson");
    const std::string out_csv = a.output("_lisa.csv");
    const std::string out_gpkg = a.output("_lisa.gpkg");
    const std::string out_cls = fishnet ? a.output("_lisa_class.tif") : "";

    EventTable ev = a.ev.load();
    Units u = build_units(a.units, ev, a.ev.weighted());
    print_units(u, ev);
    const std::vector<double>& x = !a.ev.weighted() ? u.count : u.weighted;

    ProgressBar bar("LISA");
    Progress prog(ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
    WeightsChoice wc;
    if (fishnet && a.units.queen_given()) { // 8 surrounding cells
        wc.distance_m = u.grid.cell * std::sqrt(2.0);
        wc.w = distance_band_weights(u.c, wc.distance_m, false, prog);
        wc.rule = "queen contiguity (fishnet: band = cell x sqrt 2, 8 neighbours)";
        wc.label = "queen contiguity";
    } else {
        wc = make_weights(a.units, u, x, false, prog);
    }
    const size_t iso = isolated_units(wc.w);
    if (iso) std::cerr << "  warning: " << iso << " units have no neighbour (I = 0, not significant)\n";
    std::vector<std::string> warnings;
    if (!wc.warning.empty()) warnings.push_back(wc.warning);
    // Folded pseudo p (one-sided): smallest 1/(P+1); auto raises P so that FDR can reject a lone unit.
    const PermutationPlan plan = plan_permutations(u.size(), alpha, fdr, 1, requested_permutations);
    const int permutations = plan.permutations;
    if (!plan.warning.empty()) warnings.push_back(plan.warning);
    for (auto& w : warnings) std::cerr << "  warning: " << w << "\n";
    LocalMoranParams lp;
    lp.permutations = permutations;
    lp.seed = a.seed;
    lp.alpha = alpha;
    lp.fdr = fdr;
    LocalMoranResult r = local_moran(x, wc.w, lp, prog);

    Metadata md = base_metadata(a, ev, u, "Local Moran's I (Anselin 1995), conditional permutation");
    md["weights"] = wc.label + ", row-standardised, self excluded";
    md["distance_band_m"] = fmt_num(wc.distance_m);
    md["distance_band_km"] = fmt_num(wc.distance_m / 1000);
    md["distance_rule"] = wc.rule;
    md["permutations"] = std::to_string(permutations);
    md["seed"] = std::to_string(a.seed);
    md["alpha"] = fmt_num(alpha);
    md["fdr"] = fdr ? "true (classes from Benjamini-Hochberg adjusted p)" : "false";
    md["correction"] = correction_name(fdr) + (fdr ? "" : " (per-unit tests: about alpha x n units are expected "
                                                          "significant by chance)");
    md["permutation_rule"] = requested_permutations > 0
                                 ? "user (--permutations)"
                                 : std::string("auto: ") + std::to_string(kDefaultPermutations) +
                                       (fdr ? ", raised until 1/(P+1) x n <= alpha (cap " +
                                                  std::to_string(kMaxAutoPermutations) + ")"
                                            : "");
    md["min_pseudo_p"] = fmt_num(min_pseudo_p(permutations, 1), 4);
    md["significance_possible"] = plan.possible ? (plan.warning.empty() ? "yes" : "only for clusters of >= " +
                                                       std::to_string(plan.min_cluster) + " units")
                                                : "no";
    if (!warnings.empty()) md["warnings"] = join(warnings);
    md["classes"] = "HH high-high, LL low-low, LH low-high, HL high-low (p <= alpha), ns otherwise";
    md["global_moran_i"] = fmt_num(r.global.i);
    md["global_moran_expected"] = fmt_num(r.global.expected);
    md["global_moran_z"] = fmt_num(r.global.z);
    md["global_moran_p"] = fmt_num(r.global.p);

    auto short_name = [](LisaClass c) -> std::string { return c == LisaClass::NotSignificant ? "ns" : lisa_class_name(c); };
    if (fishnet) {
        Metadata tm = md;
        tm["bands"] = "1 local_i: local Moran's I; 2 p_sim: pseudo p (PySAL/GeoDa folded count of permuted I >= observed); 3 class: 0 ns, 1 HH, 2 LL, 3 LH, 4 HL; "
                      "nodata outside the study area";
        std::vector<double> cls(u.size());
        for (size_t i = 0; i < u.size(); ++i) cls[i] = static_cast<int>(r.cls[i]);
        std::vector<Band> bands{{"local_i", u.to_grid(r.i)}, {"p_sim", u.to_grid(r.p_sim)}, {"class", u.to_grid(cls)}};
        hs::write_geotiff_bands(u.grid, ev.crs, bands, -9999.0f, tm, out_main);
        Metadata cm = md;
        cm["bands"] = "1 class: 0 ns, 1 HH, 2 LL, 3 LH, 4 HL (the attribute table gives label and colour); 255 outside";
        write_class_raster(class_raster(u, ev.crs, cls, 0, "class", lisa_classes()), out_cls, WriteOptions{cm});
    }
    VectorLayer l = unit_layer(u, ev.crs, "lisa",
                               {"count", "weighted", "local_i", "z", "lag", "p_sim", "p_fdr", "class", "class_code",
                                "n_neighbors", "alpha", "correction"});
    std::vector<std::string> fills;
    for (size_t i = 0; i < u.size(); ++i) {
        auto& at = l.features[i].attrs;
        at.push_back(static_cast<int64_t>(std::llround(u.count[i])));
        at.push_back(num(u.weighted[i]));
        at.push_back(num(r.i[i]));
        at.push_back(num(r.z[i]));
        at.push_back(num(r.lag[i]));
        at.push_back(num(r.p_sim[i]));
        at.push_back(num(r.p_fdr[i]));
        at.push_back(short_name(r.cls[i]));
        at.push_back(static_cast<int64_t>(r.cls[i]));
        at.push_back(static_cast<int64_t>(wc.w.count(i) - (wc.w.self_included ? 1 : 0)));
        at.push_back(alpha);
        at.push_back(correction_name(fdr));
        fills.push_back(hs::lisa_colour(r.cls[i]));
    }
    write_unit_csv(l, out_csv, md);
    add_style(l, fills);
    Metadata gm = md;
    gm["style"] = "simplestyle fill by class (GeoDa): HH #ff0000, LL #0000ff, LH #a7adf9, HL #f4ada8, ns #eeeeee";
    if (!fishnet) write_geojson(l, out_main, gm);
    write_vector(l, out_gpkg, WriteOptions{gm});

    std::cout << "weights: " << md["weights"] << "\n";
    if (wc.distance_m > 0) std::cout << "distance band: " << km(wc.distance_m) << " (" << wc.rule << ")\n";
    char buf[200];
    std::snprintf(buf, sizeof buf, "global Moran's I = %.4f (E[I] = %.4f), z = %.3f, p = %.3g (normality assumption)\n",
                  r.global.i, r.global.expected, r.global.z, r.global.p);
    std::cout << buf;
    std::map<LisaClass, size_t> per;
    for (auto c : r.cls) ++per[c];
    std::cout << "units per class (" << permutations << " permutations, seed " << a.seed << ", alpha " << fmt_num(alpha)
              << ", correction: " << (fdr ? "Benjamini-Hochberg FDR" : "none (per-unit tests)") << "):\n";
    for (LisaClass c : {LisaClass::HighHigh, LisaClass::LowLow, LisaClass::LowHigh, LisaClass::HighLow,
                        LisaClass::NotSignificant}) {
        std::snprintf(buf, sizeof buf, "  %-4s %zu\n", short_name(c).c_str(), per[c]);
        std::cout << buf;
    }
    std::cout << "wrote " << out_main << "\nwrote " << out_csv << "\nwrote " << out_gpkg << "\n";
    if (fishnet) std::cout << "wrote " << out_cls << "\n";
}

// ------------------------------------------------------------------------------------------------
// emerging

void run_emerging(const CommonArgs& a, const std::string& step_name, int time_window, bool no_fdr, double alpha) {
    a.units.validate();
    if (a.units.kind() == UnitKind::Polygons) throw GeoError("", "--units admin1", "emerging supports fishnet or hex units");
    const hs::Step step = hs::parse_step(step_name);
    if (time_window < 0) throw GeoError("", "--time-window " + std::to_string(time_window), "must be 0 or more");
    if (!(alpha > 0 && alpha < 1)) throw GeoError("", "--alpha " + fmt_num(alpha), "must be between 0 and 1");
    a.check_inputs();
    const std::string out_main = a.output("_emerging.geojson");
    const std::string out_csv = a.output("_emerging.csv");
    const std::string out_gpkg = a.output("_emerging.gpkg");

    EventTable ev = a.ev.load();
    // Dated events only.
    std::vector<bool> dated(ev.size());
    size_t undated = 0;
    for (size_t i = 0; i < ev.size(); ++i) undated += !(dated[i] = ev.day[i] != kNoDay);
    if (undated == ev.size())
        throw GeoError(ev.source, "", "no event has a date: emerging hot spots need one (see --date-col)");
    if (undated) {
        std::cerr << "  warning: " << undated << " events without a date are left out\n";
        ev = ev.subset(dated);
    }
    // Step range: the --from/--to window when given, else the data's.
    auto dr = ev.day_range();
    int32_t d0 = dr[0], d1 = dr[1];
    if (!a.ev.from.empty()) d0 = *parse_date(a.ev.from);
    if (!a.ev.to.empty()) d1 = *parse_date(a.ev.to);
    const int32_t s0 = hs::step_of_day(d0, step), s1 = hs::step_of_day(d1, step);
    const size_t T = static_cast<size_t>(s1 - s0 + 1);
    if (T < kMinEmergingSteps)
        throw GeoError("", "--period " + step_name,
                       "the period has " + std::to_string(T) + " " + step_name + "(s); emerging hot spots need at least " +
                           std::to_string(kMinEmergingSteps) +
                           " time steps (as ArcGIS): use a shorter --period or a longer --from/--to window");

    Units u = build_units(a.units, ev, a.ev.weighted());
    print_units(u, ev);
    const size_t N = u.size();
    // The space-time cube holds every kept unit at every step (issue #19: memory budget).
    check_units_memory(a.units, double(N), u.kind == UnitKind::Hex, double(T));
    // Space-time cube: per step, sum the events into the units.
    std::vector<std::vector<size_t>> by_step(T);
    for (size_t i = 0; i < ev.size(); ++i) by_step[static_cast<size_t>(hs::step_of_day(ev.day[i], step) - s0)].push_back(i);
    std::vector<double> counts(N * T, 0.0);
    for (size_t t = 0; t < T; ++t) {
        std::vector<double> xs, ys;
        std::vector<float> ws;
        for (size_t i : by_step[t]) xs.push_back(ev.x[i]), ys.push_back(ev.y[i]), ws.push_back(ev.weight[i]);
        const UnitAggregate ag = u.aggregate_raw(xs, ys, !a.ev.weighted() ? std::span<const float>{} : ws);
        for (size_t k = 0; k < N; ++k) counts[t * N + k] = ag.value[u.raw_of[k]];
    }

    EmergingParams ep;
    if (a.units.band_given()) ep.distance_m = a.units.band_km * 1000;
    ep.band_rule = a.units.rule();
    ep.time_window = time_window;
    ep.alpha = alpha;
    ep.trend_alpha = alpha;
    ep.fdr = !no_fdr;
    ProgressBar bar("emerging");
    Progress prog(ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
    EmergingResult r = emerging_hot_spots(u.c, counts, ep, prog);
    if (a.units.band_given()) r.distance_rule = "user (--band-km)";
    for (auto& w : r.warnings) std::cerr << "  warning: " << w << "\n";

    Metadata md = base_metadata(a, ev, u, "Emerging hot spot analysis (space-time Gi*, Mann-Kendall trend)");
    md["distance_band_m"] = fmt_num(r.distance_m);
    md["distance_band_km"] = fmt_num(r.distance_m / 1000);
    md["distance_rule"] = r.distance_rule;
    md["time_step"] = step_name;
    md["time_window"] = std::to_string(time_window) + " previous step(s) + the current one";
    md["n_steps"] = std::to_string(T);
    md["first_step"] = hs::step_label(s0, step);
    md["last_step"] = hs::step_label(s1, step);
    md["alpha"] = fmt_num(alpha);
    md["fdr"] = ep.fdr ? "true (Benjamini-Hochberg over all space-time bins)" : "false";
    md["correction"] = correction_name(ep.fdr);
    md["p_source"] = "normal (two-sided) per space-time bin, as ArcGIS";
    md["trend"] = "Mann-Kendall on each unit's Gi* z series (tau, z, p)";
    if (!r.warnings.empty()) md["warnings"] = join(r.warnings);

    VectorLayer l = unit_layer(u, ev.crs, "emerging",
                               {"category", "category_code", "count", "weighted", "trend_tau", "trend_z", "trend_p",
                                "hot_steps", "cold_steps", "last_z", "last_p", "last_bin"});
    std::vector<std::string> fills;
    std::vector<double> total(N, 0.0);
    for (size_t i = 0; i < N; ++i) {
        auto& at = l.features[i].attrs;
        const size_t last = (T - 1) * N + i;
        at.push_back(std::string(emerging_pattern_name(r.pattern[i])));
        at.push_back(static_cast<int64_t>(r.pattern[i]));
        at.push_back(static_cast<int64_t>(std::llround(u.count[i])));
        at.push_back(num(u.weighted[i]));
        at.push_back(num(r.trend_tau[i]));
        at.push_back(num(r.trend_z[i]));
        at.push_back(num(r.trend_p[i]));
        at.push_back(static_cast<int64_t>(r.hot_steps[i]));
        at.push_back(static_cast<int64_t>(r.cold_steps[i]));
        at.push_back(num(r.z[last]));
        at.push_back(num(ep.fdr ? r.p_fdr[last] : r.p[last]));
        at.push_back(static_cast<int64_t>(r.bin[last]));
        fills.push_back(hs::emerging_colour(r.pattern[i]));
    }
    write_unit_csv(l, out_csv, md);
    add_style(l, fills);
    Metadata gm = md;
    gm["style"] = "simplestyle fill by category: hot patterns in reds (intensifying #b2182b, persistent #d6604d, "
                  "consecutive #f4a582, new #fddbc7, diminishing #fdae61, sporadic #fb9a99, oscillating #e7298a, "
                  "historical #d9b8b0), cold mirrors in blues, no pattern #f0f0f0";
    write_geojson(l, out_main, gm);
    write_vector(l, out_gpkg, WriteOptions{gm});

    std::cout << "time steps: " << T << " " << step_name << "s, " << hs::step_label(s0, step) << " .. "
              << hs::step_label(s1, step) << "; neighbourhood: the step and " << time_window << " before\n";
    std::cout << "distance band: " << km(r.distance_m) << " (" << r.distance_rule << ")\n";
    std::map<EmergingPattern, size_t> per;
    for (auto p : r.pattern) ++per[p];
    std::cout << "units per category (" << N << " units, alpha " << fmt_num(alpha) << (ep.fdr ? ", FDR" : "") << "):\n";
    char buf[96];
    for (auto& [p, n] : per) {
        std::snprintf(buf, sizeof buf, "  %-26s %zu\n", emerging_pattern_name(p), n);
        std::cout << buf;
    }
    std::cout << "wrote " << out_main << "\nwrote " << out_csv << "\nwrote " << out_gpkg << "\n";
}

const char* kUnitsFooter =
    "\nUnits: a fishnet or hexagons cover the events' bounding box in the analysis CRS (--crs, default "
    "laea:2,12); admin1 uses polygons (bundled Natural Earth admin-1 unless --polygons). Values are event "
    "counts per unit, or sums of --weight.";

} // namespace

void add_hotspots(CLI::App& app) {
    auto* cmd = app.add_subcommand("hotspots", "Getis-Ord Gi* hot spot analysis on a fishnet, hexagons or admin-1 polygons");
    struct Args {
        CommonArgs c;
        int permutations = -1;
        bool fdr = false;
    };
    auto a = std::make_shared<Args>();
    a->c.add_to(cmd);
    a->c.units.add_to(cmd, true, true, true);
    cmd->add_option("--permutations", a->permutations,
                    "Conditional permutations for pseudo p-values. -1 (auto): 999, raised with --fdr until a single "
                    "unit can pass FDR (2/(P+1) x units <= 0.05; cap 199999); 0: normal p-values (overstate "
                    "significance on zero-inflated counts); a value you give may be at most " +
                        std::to_string(kMaxPermutations))
        ->capture_default_str();
    cmd->add_option("--seed", a->c.seed, "Random seed for the permutations")->capture_default_str();
    cmd->add_flag("--fdr,!--no-fdr", a->fdr, "Bins from Benjamini-Hochberg FDR-adjusted p-values (default: off, as "
                                             "ArcGIS Hot Spot Analysis; --no-fdr: off)");
    cmd->footer(std::string("\nOutputs: fishnet -> PREFIX_gistar.tif (bands z, p, bin; float32) + PREFIX_gistar.csv; "
                            "hex/admin1 -> PREFIX_gistar.geojson (count, weighted, z, p, p_fdr, bin, n_neighbors, "
                            "simplestyle fill: +3 #d62f27 +2 #ed7551 +1 #fab984 0 #ffffbf -1 #c0ccbe -2 #849eba "
                            "-3 #4575b5, as ArcGIS) + PREFIX_gistar.csv (one row per unit, WKT geometry; metadata in .csv.json). "
                            "Also PREFIX_gistar.gpkg (styled for QGIS) and, for a fishnet, PREFIX_gistar_bin.tif "
                            "(class raster with colour and attribute tables).") +
                kUnitsFooter +
                "\nExample: nexusmap hotspots data/demo/events_synthetic.csv --units fishnet --cell-km 25 --out out/sahel");
    cmd->callback([a] { run_hotspots(a->c, a->permutations, a->fdr); });
}

void add_lisa(CLI::App& app) {
    auto* cmd = app.add_subcommand("lisa", "Local Moran's I (LISA clusters HH/LL/HL/LH) and global Moran's I");
    struct Args {
        CommonArgs c;
        int permutations = -1;
        bool fdr = false;
        double alpha = 0.05;
    };
    auto a = std::make_shared<Args>();
    a->c.add_to(cmd);
    a->c.units.add_to(cmd, true, true, true);
    cmd->add_option("--permutations", a->permutations,
                    "Conditional permutations for the pseudo p-values. -1 (auto): 999, raised with --fdr until a single "
                    "unit can pass FDR (1/(P+1) x units <= alpha; cap 199999); a value you give may be at most " +
                        std::to_string(kMaxPermutations))
        ->capture_default_str();
    cmd->add_option("--seed", a->c.seed, "Random seed for the permutations")->capture_default_str();
    cmd->add_option("--alpha", a->alpha, "Significance level for the cluster classes")->capture_default_str();
    cmd->add_flag("--fdr,!--no-fdr", a->fdr, "Classes from Benjamini-Hochberg FDR-adjusted pseudo p-values (default: off; "
                                             "--no-fdr: off)");
    cmd->footer(std::string("\nOutputs: fishnet -> PREFIX_lisa.tif (bands local_i, p_sim, class 0 ns/1 HH/2 LL/3 LH/4 HL) "
                            "+ PREFIX_lisa.csv; hex/admin1 -> PREFIX_lisa.geojson (local_i, p_sim, p_fdr, class, "
                            "simplestyle fill as GeoDa) + PREFIX_lisa.csv + PREFIX_lisa.gpkg (styled); fishnet also "
                            "PREFIX_lisa_class.tif (class raster). Prints global Moran's I with z and p.") +
                kUnitsFooter);
    cmd->callback([a] { run_lisa(a->c, a->permutations, a->fdr, a->alpha); });
}

void add_emerging(CLI::App& app) {
    auto* cmd = app.add_subcommand("emerging", "Emerging hot spot analysis (space-time Gi* + Mann-Kendall trend)");
    struct Args {
        CommonArgs c;
        std::string step = "quarter";
        int time_window = 1;
        bool no_fdr = false;
        double alpha = 0.05;
    };
    auto a = std::make_shared<Args>();
    a->c.units.cell_km = 50;
    a->c.add_to(cmd);
    a->c.units.add_to(cmd, false, false, true);
    cmd->add_option("--period", a->step, "Time step of the space-time cube: month, quarter or year")->capture_default_str();
    add_old_name(cmd, "--step", "--period", a->step);
    cmd->add_option("--time-window", a->time_window,
                    "Neighbourhood in time: the step itself and this many previous steps")
        ->capture_default_str();
    cmd->add_option("--alpha", a->alpha, "Significance of a hot/cold bin and of the trend")->capture_default_str();
    cmd->add_flag("--no-fdr,!--fdr", a->no_fdr, "Do not FDR-adjust the bin p-values (default: adjusted, as ArcGIS Pro's "
                                                "emerging hot spots; --fdr: adjusted)");
    cmd->footer(std::string("\nOutputs: PREFIX_emerging.geojson (unit polygons with category, trend_tau/z/p, hot/cold "
                            "steps, last step z/p/bin, simplestyle fill) + PREFIX_emerging.csv + PREFIX_emerging.gpkg. Units: those of "
                            "--study-area (default: on land in the study countries, plus any holding an event); at "
                            "least 10 time steps; events without a date are left out. Categories follow ArcGIS Pro (docs/hotspots.md).") +
                "\nUnits: a fishnet or hexagons cover the events' bounding box in the analysis CRS (--crs, default "
                "laea:2,12). Values are event counts per unit and step, or sums of --weight." +
                "\nExample: nexusmap emerging data/demo/events_synthetic.csv --cell-km 50 --period quarter --out out/sahel");
    cmd->callback([a] { run_emerging(a->c, a->step, a->time_window, a->no_fdr, a->alpha); });
}

} // namespace nexusmap::cli
