// The hot spot pipelines (hotspot_pipeline.hpp): units, weights, the space-time cube, layers,
// class rasters, tables and metadata of `hotspots`, `lisa` and `emerging`, once for the command
// line and the viewer. The statistics themselves are in hotspots.cpp.
#include "nexusmap/hotspot_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <sstream>

#include "nexusmap/error.hpp"
#include "nexusmap/qml.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap::pipeline {

const char* analysis_name(Analysis a) {
    return a == Analysis::GiStar ? "gistar" : a == Analysis::Lisa ? "lisa" : "emerging";
}

std::string km(double m) {
    return fmt_num(m / 1000.0, 6) + " km";
}

// ---- parameters ---------------------------------------------------------------------------------

UnitKind UnitParams::kind() const {
    if (units == "fishnet") return UnitKind::Fishnet;
    if (units == "hex" || units == "hexagon" || units == "hexagons") return UnitKind::Hex;
    if (units == "admin1" || units == "polygons") return UnitKind::Polygons;
    throw GeoError("", "--units '" + units + "'", "unknown (fishnet, hex or admin1)");
}

BandRule UnitParams::rule() const {
    if (band_rule == "min-neighbour" || band_rule == "min-neighbor") return BandRule::MinOneNeighbor;
    if (band_rule == "incremental") return BandRule::IncrementalMoranPeak;
    throw GeoError("", "--band-rule '" + band_rule + "'", "unknown (min-neighbour or incremental)");
}

std::string UnitParams::polygon_spec() const {
    return polygons.empty() ? data_dir + "/basemap/west_africa.gpkg:admin1" : polygons;
}
bool UnitParams::area_is_layer() const {
    return study_area != "countries" && study_area != "nonempty" && study_area != "all";
}
std::string UnitParams::area_layer_spec() const {
    if (study_area == "countries") return data_dir + "/basemap/west_africa.gpkg:admin0";
    return area_is_layer() ? study_area : std::string();
}
std::vector<std::string> UnitParams::input_files() const {
    std::vector<std::string> in;
    if (kind() == UnitKind::Polygons) in.push_back(split_layer_spec(polygon_spec()).first);
    if (area_is_layer()) in.push_back(split_layer_spec(area_layer_spec()).first);
    return in;
}

void UnitParams::validate() const {
    const UnitKind k = kind();
    if (k != UnitKind::Polygons && !(cell_km > 0 && std::isfinite(cell_km)))
        throw GeoError("", "--cell-km " + fmt_num(cell_km), "must be a positive number of km");
    if (band_km && !(*band_km > 0 && std::isfinite(*band_km)))
        throw GeoError("", "--band-km " + fmt_num(*band_km), "must be a positive number of km");
    if (band_km && k == UnitKind::Fishnet && *band_km < cell_km)
        throw GeoError("", "--band-km " + fmt_num(*band_km),
                       "is smaller than the cell (" + fmt_num(cell_km) +
                           " km): no cell would have a neighbour; use at least --cell-km");
    if (knn && *knn < 1) throw GeoError("", "--knn " + std::to_string(*knn), "must be at least 1");
    if (int(bool(band_km)) + int(bool(knn)) + int(queen) > 1)
        throw GeoError("", "--band-km, --knn, --queen", "choose one kind of weights");
    rule();
    if (!polygons.empty() && k != UnitKind::Polygons)
        throw GeoError("", "--polygons", "only applies with --units admin1");
    if (study_area.empty())
        throw GeoError("", "--study-area", "is empty (countries, nonempty, all or FILE[:LAYER])");
}

// Run time grows with units x permutations; past the cap no reported digit changes (issue #19).
static void check_permutations(int permutations) {
    if (permutations > kMaxPermutations)
        throw GeoError("", "--permutations " + std::to_string(permutations),
                       "is more than the cap of " + std::to_string(kMaxPermutations) +
                           " (pseudo p-values are then resolved to 1e-5; 999 or 9999 are usual)");
}

void HotspotParams::validate() const {
    units.validate();
    if (permutations < -1)
        throw GeoError("", "--permutations " + std::to_string(permutations),
                       "must be 0 or more (or -1: auto)");
    check_permutations(permutations);
}

static void check_alpha(double alpha) {
    if (!(alpha > 0 && alpha < 1)) throw GeoError("", "--alpha " + fmt_num(alpha), "must be between 0 and 1");
}

void LisaParams::validate() const {
    units.validate();
    if (permutations < 1 && permutations != -1)
        throw GeoError("", "--permutations " + std::to_string(permutations),
                       "must be at least 1 (or -1: auto)");
    check_permutations(permutations);
    check_alpha(alpha);
}

void EmergingParams::validate() const {
    units.validate();
    if (units.kind() == UnitKind::Polygons)
        throw GeoError("", "--units admin1", "emerging supports fishnet or hex units");
    if (units.knn || units.queen)
        throw GeoError("", units.knn ? "--knn" : "--queen",
                       "emerging uses a distance band (--band-km or --band-rule)");
    if (time_window < 0)
        throw GeoError("", "--time-window " + std::to_string(time_window), "must be 0 or more");
    check_alpha(alpha);
}

std::vector<ProductFile> product_files(Analysis a, bool fishnet, const std::string& stem) {
    const std::string s = stem + "_" + analysis_name(a);
    const bool raster = fishnet && a != Analysis::Emerging;
    std::vector<ProductFile> f{
        {s + (raster ? ".tif" : ".geojson"), raster ? ProductKind::Raster : ProductKind::Vector},
        {s + ".csv", ProductKind::Table},
        {s + ".gpkg", ProductKind::Vector}};
    if (raster) f.push_back({s + (a == Analysis::GiStar ? "_bin.tif" : "_class.tif"), ProductKind::Raster});
    return f;
}

Polygon cell_polygon(const GridSpec& g, int col, int row) {
    const double x0 = g.xmin + col * g.cell, x1 = x0 + g.cell;
    const double y1 = g.ymax - row * g.cell, y0 = y1 - g.cell;
    return Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}};
}

namespace {

// ---- units --------------------------------------------------------------------------------------

// The units the analysis runs on: only the "kept" raw units (all cells/hexes, or those passing the
// study-area rule) become analysis units, in row-major / hex / feature order.
struct Units {
    UnitSummary s;
    HexUnits hex;                        // hex
    VectorLayer layer;                   // polygons (projected to the analysis CRS)
    size_t raw = 0;                      // raw units before selection
    std::vector<uint8_t> keep;           // per raw unit
    UnitCentroids c;                     // analysis unit centroids (analysis CRS)
    std::unique_ptr<PolygonIndex> index; // polygons

    size_t size() const { return s.raw_of.size(); }
    UnitKind kind() const { return s.kind; }
    const GridSpec& grid() const { return s.grid; }
    // Fishnet study-area mask over the whole grid (empty when every cell is kept).
    std::vector<uint8_t> grid_mask() const {
        if (std::all_of(keep.begin(), keep.end(), [](uint8_t k) { return k != 0; })) return {};
        return keep;
    }
    Geometry geometry(size_t u) const {
        const size_t k = s.raw_of[u];
        Geometry g;
        g.type = GeomType::Polygon;
        if (kind() == UnitKind::Fishnet)
            g.polygons.push_back(
                cell_polygon(grid(), int(k % size_t(grid().width)), int(k / size_t(grid().width))));
        else if (kind() == UnitKind::Hex)
            g.polygons.push_back(hex.polygons[k]);
        else
            g = layer.features[k].geom;
        return g;
    }
    // Per raw unit sums of the given events (weights optional).
    UnitAggregate aggregate_raw(std::span<const double> x, std::span<const double> y,
                                std::span<const float> w) const {
        if (kind() == UnitKind::Fishnet) return fishnet_aggregate(grid(), x, y, w);
        if (kind() == UnitKind::Hex) return hex_aggregate(hex, x, y, w);
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
    std::vector<double> compact(const std::vector<double>& raw_values) const {
        std::vector<double> v(size());
        for (size_t u = 0; u < size(); ++u)
            v[u] = raw_values[s.raw_of[u]];
        return v;
    }
    // Analysis unit values -> full grid (NaN outside the study area), for the fishnet rasters.
    std::vector<float> to_grid(std::span<const double> v) const {
        std::vector<float> g(grid().size(), std::numeric_limits<float>::quiet_NaN());
        for (size_t u = 0; u < size(); ++u)
            g[s.raw_of[u]] = static_cast<float>(v[u]);
        return g;
    }
};

// Memory budget (issue #19): units and their neighbour weights and outputs, estimated before
// anything per unit is allocated. The neighbour count is a guess until the band is chosen
// (make_weights checks again then): the user's band or k, else the 8 cells around + self.
void check_units_memory(const UnitParams& o, double units, bool hexagons, double steps = 1) {
    double nb = 9;
    if (o.band_km)
        nb = band_neighbours(*o.band_km * 1000, o.cell_km * 1000, hexagons);
    else if (o.knn)
        nb = *o.knn + 1;
    char what[160];
    std::snprintf(what, sizeof what, "%.3g %s with ~%.0f neighbours each%s", units,
                  hexagons ? "hexagons" : "fishnet cells", nb,
                  steps > 1 ? (" over " + fmt_num(steps) + " time steps").c_str() : "");
    check_memory(hotspot_memory_bytes(units, nb, steps), what,
                 "use a larger --cell-km" + std::string(o.band_km ? " or a smaller --band-km" : ""));
}

// Builds the units over the events, sums the events into them, and keeps those of the study area.
Units build_units(const UnitParams& o, const EventTable& ev, bool use_weight,
                  std::vector<std::string>& warnings, Progress prog) {
    Units u;
    u.s.kind = o.kind();
    BBox b = BBox::inverted();
    for (size_t i = 0; i < ev.size(); ++i)
        if (std::isfinite(ev.x[i]) && std::isfinite(ev.y[i])) b.expand(ev.x[i], ev.y[i]);
    if (b.xmin > b.xmax) throw GeoError(ev.source, "", "no event has usable coordinates");
    const double cell = o.cell_km * 1000;
    if (u.kind() != UnitKind::Polygons && b.empty()) { // one point, or all on a line: give the box some size
        b.xmin -= cell / 2, b.xmax += cell / 2, b.ymin -= cell / 2, b.ymax += cell / 2;
    }
    if (u.kind() == UnitKind::Fishnet) {
        u.s.grid = GridSpec::covering(b, cell);
        const double cells = double(u.s.grid.width) * u.s.grid.height;
        if (cells > o.max_cells) {
            char buf[200];
            std::snprintf(buf, sizeof buf, "%d x %d = %.3g cells is more than %.3g; use a larger --cell-km",
                          u.s.grid.width, u.s.grid.height, cells, o.max_cells);
            throw GeoError("", "fishnet", buf);
        }
        check_units_memory(o, cells, false);
        u.raw = u.s.grid.size();
        u.s.description = "fishnet of " + fmt_num(o.cell_km) + " km cells, " +
                          std::to_string(u.s.grid.width) + " x " + std::to_string(u.s.grid.height);
    } else if (u.kind() == UnitKind::Hex) {
        HexGrid hg;
        hg.spacing = cell;
        // Hexagons covering the box (each covers s^2 sqrt(3)/2), estimated before they are built.
        check_units_memory(o, (b.width() + cell) * (b.height() + cell) / (cell * cell * std::sqrt(3.0) / 2),
                           true);
        u.hex = hex_cover(b, hg, prog);
        if (u.hex.size() > o.max_cells) throw GeoError("", "hexagons", "too many; use a larger --cell-km");
        u.raw = u.hex.size();
        u.s.description = "hexagons " + fmt_num(o.cell_km) +
                          " km apart (pointy-top, aligned on the CRS origin), " + std::to_string(u.raw) +
                          " covering the events";
    } else {
        auto [pf, pl] = split_layer_spec(o.polygon_spec());
        ReadLayerOptions ro;
        ro.layer = pl;
        ro.target_crs = ev.crs;
        u.layer = read_layer(pf, ro);
        for (auto& w : u.layer.warnings)
            warnings.push_back(w);
        if (u.layer.type != GeomType::Polygon || u.layer.features.empty())
            throw GeoError(o.polygon_spec(), "", "is not a non-empty polygon layer");
        u.raw = u.layer.features.size();
        u.index = std::make_unique<PolygonIndex>(u.layer);
        u.s.description = std::to_string(u.raw) + " polygons from " + o.polygon_spec();
    }
    const UnitAggregate cnt = u.aggregate_raw(ev.x, ev.y, {});
    const UnitAggregate wsum = use_weight ? u.aggregate_raw(ev.x, ev.y, ev.weight) : cnt;
    u.s.outside = cnt.outside;

    UnitCentroids all;
    if (u.kind() == UnitKind::Fishnet)
        all = fishnet_centroids(u.s.grid);
    else if (u.kind() == UnitKind::Hex)
        all = u.hex.centroids;
    else {
        std::vector<Geometry> g;
        for (auto& f : u.layer.features)
            g.push_back(f.geom);
        all = polygon_centroids(g);
    }
    // Study area.
    StudyArea area;
    std::unique_ptr<PolygonIndex> area_index;
    const std::string& spec = o.study_area;
    if (spec == "all")
        area.mode = StudyAreaMode::All;
    else if (spec == "nonempty")
        area.mode = StudyAreaMode::NonEmpty;
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
    u.s.study_rule = sel.rule;
    // drop_isolated: units whose nearest neighbour is far beyond the typical spacing (they alone
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
                                 fmt_num(cnt.value[k]) + " events, nearest neighbour " +
                                 km(nn.nn_m[size_t(f)]) + " vs median " + km(nn.median_m) + ")");
            }
        }
        u.s.dropped = std::to_string(listed.size()) + " isolated unit(s) left out";
        for (auto& l : listed)
            u.s.dropped += "; " + l;
    }
    for (size_t k = 0; k < u.raw; ++k)
        if (u.keep[k]) {
            u.s.raw_of.push_back(k);
            u.c.x.push_back(all.x[k]);
            u.c.y.push_back(all.y[k]);
        }
    if (u.size() < 3)
        throw GeoError("", "analysis units",
                       "only " + std::to_string(u.size()) +
                           " units: need at least 3 (use a smaller --cell-km)");
    u.s.count = u.compact(cnt.value);
    u.s.weighted = u.compact(wsum.value);
    u.s.lon = u.c.x, u.s.lat = u.c.y;
    Transformer t(ev.crs, Crs::wgs84());
    t.forward(u.s.lon.data(), u.s.lat.data(), u.s.lon.size());
    return u;
}

// Spatial weights for the polygon/hex/kNN paths; `label` describes them.
struct WeightsChoice {
    SpatialWeights w;
    double distance_m = 0;
    std::string rule, label, warning;
};

WeightsChoice make_weights(const UnitParams& o, const Units& u, std::span<const double> values,
                           bool include_self, Progress prog) {
    WeightsChoice c;
    if (o.knn) {
        if (static_cast<size_t>(*o.knn) >= u.size())
            throw GeoError("", "--knn " + std::to_string(*o.knn),
                           "needs fewer neighbours than units (" + std::to_string(u.size()) + ")");
        c.w = knn_weights(u.c, *o.knn, include_self, prog);
        c.rule = "k nearest neighbours, k = " + std::to_string(*o.knn);
        c.label = std::to_string(*o.knn) + " nearest neighbours";
    } else if (o.queen) {
        std::vector<Geometry> g;
        for (size_t i = 0; i < u.size(); ++i)
            g.push_back(u.geometry(i));
        c.w = queen_weights(g, 0, include_self, prog);
        c.rule = "queen contiguity (shared boundary point)";
        c.label = "queen contiguity";
    } else {
        if (o.band_km) {
            c.distance_m = *o.band_km * 1000;
            c.rule = "user (--band-km)";
        } else {
            BandChoice ch = choose_distance_band(u.c, values, o.rule(), prog);
            c.distance_m = ch.distance_m;
            c.rule = ch.rule;
            c.warning = ch.warning;
        }
        // The band is known now: estimate its weights before building them.
        if (u.kind() != UnitKind::Polygons) {
            const double nb = band_neighbours(c.distance_m, o.cell_km * 1000, u.kind() == UnitKind::Hex);
            check_memory(weights_bytes(double(u.size()), nb),
                         "neighbour weights of " + std::to_string(u.size()) + " units within " +
                             km(c.distance_m) + " (~" + fmt_num(std::round(nb)) + " neighbours each)",
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
        for (int64_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e)
            others += w.index[e] != static_cast<int32_t>(i);
        n += others == 0;
    }
    return n;
}

AttrValue num(double v) {
    return std::isfinite(v) ? AttrValue(v) : AttrValue();
}

// Output layer of the analysis units with the unit id, centroid lon/lat and (for polygons) the
// source attributes; the caller appends its own fields.
VectorLayer unit_layer(const Units& u, const Crs& crs, const std::string& name,
                       std::vector<std::string> own_fields) {
    VectorLayer l;
    l.name = name;
    l.crs = crs;
    l.type = GeomType::Polygon;
    l.fields = {"unit"};
    const bool fishnet = u.kind() == UnitKind::Fishnet;
    if (fishnet) l.fields.insert(l.fields.end(), {"row", "col"});
    std::vector<std::string> src;
    if (u.kind() == UnitKind::Polygons) {
        for (auto& f : u.layer.fields) {
            const bool clash = std::find(own_fields.begin(), own_fields.end(), f) != own_fields.end() ||
                               f == "unit" || f == "lon" || f == "lat";
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
        if (fishnet) {
            f.attrs.push_back(static_cast<int64_t>(u.s.raw_of[i] / size_t(u.grid().width)));
            f.attrs.push_back(static_cast<int64_t>(u.s.raw_of[i] % size_t(u.grid().width)));
        }
        if (u.kind() == UnitKind::Polygons)
            for (auto& a : u.layer.features[u.s.raw_of[i]].attrs)
                f.attrs.push_back(a);
        f.attrs.push_back(num(u.s.lon[i]));
        f.attrs.push_back(num(u.s.lat[i]));
        l.features.push_back(std::move(f));
    }
    return l;
}

// The per-unit table of a layer's attributes (simplestyle fields left out), with WKT geometry and
// data_kind (output.hpp table_with_geometry).
Table unit_table(const VectorLayer& l, const Metadata& md) {
    Table t;
    std::vector<size_t> cols;
    for (size_t i = 0; i < l.fields.size(); ++i)
        if (!style::is_simplestyle_key(l.fields[i])) cols.push_back(i), t.columns.push_back(l.fields[i]);
    for (auto& f : l.features) {
        std::vector<std::string> row;
        for (size_t i : cols) {
            const AttrValue& v = f.attrs[i];
            row.push_back(std::holds_alternative<double>(v) ? fmt_num(std::get<double>(v), 10)
                                                            : attr_to_string(v));
        }
        t.rows.push_back(std::move(row));
    }
    return table_with_geometry(std::move(t), l, md);
}

// simplestyle properties (style.hpp): the class colour as fill, thin grey outlines.
void add_style(VectorLayer& l, const std::vector<std::string>& fills) {
    std::vector<style::SimpleStyle> st;
    for (const auto& f : fills)
        st.push_back({style::from_hex(f).value_or(style::Rgb{0.5f, 0.5f, 0.5f}), 0.75,
                      style::rgb8(0x80, 0x80, 0x80), 0.3, 1.0});
    style::add_simplestyle(l, st);
}

// A fishnet's class raster (Gi* bins, LISA classes): code = class value + offset, 255 outside.
ClassRaster class_raster(const Units& u, const Crs& crs, const std::vector<double>& per_unit, int offset,
                         const std::string& band, std::vector<RasterClass> classes) {
    ClassRaster c;
    c.grid = u.grid();
    c.crs = crs;
    c.band_name = band;
    c.classes = std::move(classes);
    c.codes.assign(u.grid().size(), ClassRaster::kNoData);
    for (size_t i = 0; i < u.size(); ++i)
        c.codes[u.s.raw_of[i]] = static_cast<uint8_t>(std::lround(per_unit[i]) + offset);
    return c;
}

std::string join(const std::vector<std::string>& v, const char* sep = "; ") {
    std::string s;
    for (auto& x : v)
        s += (s.empty() ? "" : sep) + x;
    return s;
}

std::string value_description(const EventInputs& in) {
    if (!in.weight_name.empty()) return "sum of weight '" + in.weight_name + "' per unit";
    return in.weighted ? "event count per unit (imprecise events spread as fractions)"
                       : "event count per unit";
}

Metadata base_metadata(const EventInputs& in, const EventTable& ev, const UnitParams& o, const Units& u,
                       const std::string& analysis) {
    Metadata md = provenance(ev, in.date_from, in.date_to);
    md["analysis"] = analysis;
    md["analysis_units"] = u.s.description;
    md["n_units"] = std::to_string(u.size());
    md["value"] = value_description(in);
    md["events_outside_units"] = std::to_string(u.s.outside);
    md["study_area"] = o.study_area + ": " + u.s.study_rule;
    if (!u.s.dropped.empty()) md["isolated_units_dropped"] = u.s.dropped;
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
        warnings.push_back(
            "only " + std::to_string(n) +
            " units: Gi* p-values rest on a normal approximation that needs about 30 units or more; the "
            "bins are not reliable (use smaller cells or a larger study area)");
    if (occupied <= 1)
        warnings.push_back(
            occupied == 0 ? "no unit holds an event: there is no pattern to test"
                          : "all events fall in one unit: there is no spatial variation to test, so hot and "
                            "cold bins are artefacts of the formula");
}

// The lines the command line prints about the units.
std::string units_summary(const Units& u, const EventTable& ev) {
    std::string s = "units: " + u.s.description + "; " + std::to_string(u.size()) + " in the analysis\n";
    s += "study area: " + u.s.study_rule + "\n";
    if (!u.s.dropped.empty()) s += "  " + u.s.dropped + "\n";
    if (u.s.outside) s += "  " + std::to_string(u.s.outside) + " events fall outside every unit\n";
    if (ev.synthetic) s += "NOTE: input is SYNTHETIC demo data (illustrative only)\n";
    return s;
}

// "Benjamini-Hochberg FDR" or "none" (for metadata, CSV and GeoJSON).
std::string correction_name(bool fdr) {
    return fdr ? "Benjamini-Hochberg FDR" : "none";
}

const EventTable& events_of(const EventInputs& in) {
    if (!in.events) throw GeoError("", "hot spot analysis", "no events");
    return *in.events;
}

} // namespace

// ---- Gi* ----------------------------------------------------------------------------------------

Product run_hotspots(const EventInputs& in, const HotspotParams& hp, Progress prog) {
    hp.validate();
    const UnitParams& o = hp.units;
    const EventTable& ev = events_of(in);
    Product out;
    out.analysis = Analysis::GiStar;
    out.crs = ev.crs;
    Units u = build_units(o, ev, in.weighted, out.warnings, prog);
    out.summary = units_summary(u, ev);
    const bool fishnet = u.kind() == UnitKind::Fishnet;
    const std::vector<double>& x = !in.weighted ? u.s.count : u.s.weighted;

    // Significance: conditional permutations (auto: 999, raised so that FDR can reject a lone unit).
    constexpr double kAlpha = 0.05; // the level planned for; bins also mark 0.10 and 0.01
    const int permutations = hp.permutations;
    PermutationPlan plan;
    if (permutations != 0)
        plan = plan_permutations(u.size(), kAlpha, hp.fdr, 2, permutations, hp.auto_permutation_cap);
    GiStarParams gp;
    gp.band_rule = o.rule();
    gp.permutations = permutations == 0 ? 0 : plan.permutations;
    gp.seed = hp.seed;
    gp.fdr = hp.fdr;
    GiStarResult r;
    std::string weights_label;
    if (fishnet && !o.knn) {
        // Fast path over the whole grid (queen on a fishnet = band of cell * sqrt(2)).
        if (o.band_km) gp.distance_m = *o.band_km * 1000;
        if (o.queen) gp.distance_m = u.grid().cell * std::sqrt(2.0);
        std::vector<double> full(u.grid().size(), 0.0);
        for (size_t i = 0; i < u.size(); ++i)
            full[u.s.raw_of[i]] = x[i];
        const std::vector<uint8_t> mask = u.grid_mask();
        GiStarResult g = gi_star_fishnet(u.grid(), full, mask, gp, prog);
        if (o.band_km) g.distance_rule = "user (--band-km)";
        if (o.queen) g.distance_rule = "queen contiguity (fishnet: band = cell x sqrt 2, 8 neighbours)";
        weights_label = o.queen ? "queen contiguity" : "distance band " + km(g.distance_m);
        // Back to analysis units.
        r = g;
        auto pick = [&](const std::vector<double>& v) {
            std::vector<double> p(u.size());
            for (size_t i = 0; i < u.size(); ++i)
                p[i] = v[u.s.raw_of[i]];
            return p;
        };
        r.z = pick(g.z), r.p = pick(g.p), r.p_fdr = pick(g.p_fdr);
        if (!g.p_perm.empty()) r.p_perm = pick(g.p_perm);
        r.bin.resize(u.size()), r.n_neighbors.resize(u.size());
        for (size_t i = 0; i < u.size(); ++i)
            r.bin[i] = g.bin[u.s.raw_of[i]], r.n_neighbors[i] = g.n_neighbors[u.s.raw_of[i]];
    } else {
        WeightsChoice wc = make_weights(o, u, x, true, prog);
        if (!wc.w.self_included) wc.w = with_self(wc.w);
        if (const size_t iso = isolated_units(wc.w))
            out.warnings.push_back(std::to_string(iso) +
                                   " units have no neighbour (their Gi* only sees themselves)");
        r = gi_star(x, wc.w, gp, prog);
        r.distance_m = wc.distance_m;
        r.distance_rule = wc.rule;
        if (!wc.warning.empty()) r.warnings.push_back(wc.warning);
        weights_label = wc.label;
    }
    if (r.distance_m > 0) {
        // A band at least as wide as the study area makes every unit see all of them: z undefined.
        size_t all = 0;
        for (auto nn : r.n_neighbors)
            all += static_cast<size_t>(nn) >= r.n;
        if (all == r.n)
            throw GeoError(
                "", "--band-km " + fmt_num(r.distance_m / 1000),
                "covers the whole study area: every unit neighbours every other one, Gi* is undefined; use "
                "a smaller band");
    }
    small_sample_warnings(x, r.warnings);
    if (gp.permutations > 0 && gp.permutations < 199)
        r.warnings.push_back("with " + std::to_string(gp.permutations) +
                             " permutations the smallest pseudo p is " +
                             fmt_num(2.0 / (gp.permutations + 1), 3) + ": bins +-3 need at least 199");
    if (!plan.warning.empty() && gp.permutations > 0) r.warnings.push_back(plan.warning);
    if (permutations == 0)
        r.warnings.push_back(
            "normal p-values (--permutations 0): on zero-inflated counts they overstate significance; "
            "the default is conditional permutation inference");
    out.warnings.insert(out.warnings.end(), r.warnings.begin(), r.warnings.end());

    Metadata md = base_metadata(in, ev, o, u, "Getis-Ord Gi* (local G*, ArcGIS Hot Spot Analysis formula)");
    md["weights"] = weights_label + (o.knn || o.queen ? "" : ", binary") + ", self included";
    md["distance_band_m"] = fmt_num(r.distance_m);
    md["distance_band_km"] = fmt_num(r.distance_m / 1000);
    md["distance_rule"] = r.distance_rule;
    md["n_units"] = std::to_string(r.n);
    md["fdr"] = hp.fdr ? "true (bins from Benjamini-Hochberg adjusted p)" : "false";
    md["correction"] =
        correction_name(hp.fdr) + (hp.fdr ? ""
                                          : " (per-unit tests: about alpha x n units are expected "
                                            "significant by chance)");
    md["alpha"] = fmt_num(kAlpha) + " (bins: +-1 p <= 0.10, +-2 p <= 0.05, +-3 p <= 0.01)";
    md["permutations"] = std::to_string(gp.permutations);
    if (gp.permutations > 0) {
        md["seed"] = std::to_string(hp.seed);
        md["permutation_rule"] = permutations > 0
                                     ? "user (--permutations)"
                                     : std::string("auto: ") + std::to_string(kDefaultPermutations) +
                                           (hp.fdr ? ", raised until 2/(P+1) x n <= alpha (cap " +
                                                         std::to_string(hp.auto_permutation_cap) + ")"
                                                   : "");
        md["min_pseudo_p"] = fmt_num(min_pseudo_p(gp.permutations, 2), 4);
        md["significance_possible"] =
            plan.possible ? (plan.warning.empty()
                                 ? "yes"
                                 : "only for clusters of >= " + std::to_string(plan.min_cluster) + " units")
                          : "no";
    }
    md["p_source"] = r.p_source + (r.p_source == "permutation" ? " (two-sided pseudo p)" : " (two-sided)");
    md["value_mean"] = fmt_num(r.mean);
    md["value_sd"] = fmt_num(r.sd);
    md["bins"] = "-3..3 = sign(z) * (3 if p <= 0.01, 2 if p <= 0.05, 1 if p <= 0.10) (ArcGIS Gi_Bin)";
    if (!r.warnings.empty()) md["warnings"] = join(r.warnings);
    const std::vector<double>& p = r.p_perm.empty() ? r.p : r.p_perm;

    std::vector<double> bins(r.bin.begin(), r.bin.end());
    if (fishnet) {
        out.bands_note =
            "1 z: Gi* z-score; 2 p: " + r.p_source +
            " p-value (raw; CSV has p_fdr); 3 bin: -3..3 confidence bin; nodata outside the study area";
        out.bands = {{"z", u.to_grid(r.z)}, {"p", u.to_grid(p)}, {"bin", u.to_grid(bins)}};
        out.classes_note =
            "1 bin: code = Gi* bin + 3 (0..6; the attribute table gives bin, label and colour); 255 outside";
        out.classes = class_raster(u, ev.crs, bins, 3, "bin", gi_bin_classes());
    }
    VectorLayer l =
        unit_layer(u, ev.crs, "gistar",
                   {"count", "weighted", "z", "p", "p_fdr", "bin", "n_neighbors", "alpha", "correction"});
    std::vector<std::string> fills;
    for (size_t i = 0; i < u.size(); ++i) {
        auto& at = l.features[i].attrs;
        at.push_back(static_cast<int64_t>(std::llround(u.s.count[i])));
        at.push_back(num(u.s.weighted[i]));
        at.push_back(num(r.z[i]));
        at.push_back(num(p[i]));
        at.push_back(num(r.p_fdr[i]));
        at.push_back(static_cast<int64_t>(r.bin[i]));
        at.push_back(static_cast<int64_t>(r.n_neighbors[i]));
        at.push_back(kAlpha);
        at.push_back(correction_name(hp.fdr));
        fills.push_back(style::gi_bin_hex(r.bin[i]));
    }
    out.table = unit_table(l, md);
    add_style(l, fills);
    out.style_note =
        "simplestyle fill by bin (ArcGIS): +3 #d62f27, +2 #ed7551, +1 #fab984, 0 #ffffbf, -1 #c0ccbe, "
        "-2 #849eba, -3 #4575b5";

    std::string& s = out.summary;
    s += "weights: " + md["weights"] + "\n";
    if (r.distance_m > 0)
        s += "distance band: " + km(r.distance_m) + " (" + r.distance_rule + ")\n";
    else
        s += "neighbours: " + r.distance_rule + "\n";
    s += "p-values: " + r.p_source +
         (gp.permutations > 0 ? " (" + std::to_string(gp.permutations) + " conditional permutations, seed " +
                                    std::to_string(hp.seed) + ")"
                              : std::string()) +
         "; correction: " + (hp.fdr ? "Benjamini-Hochberg FDR" : "none (per-unit tests)") + "\n";
    std::map<int, size_t> per_bin;
    for (auto b : r.bin)
        ++per_bin[b];
    s += "units per bin (" + std::to_string(r.n) + " units):\n";
    for (int b = 3; b >= -3; --b) {
        char buf[96];
        std::string label = style::gi_bin_label(b);
        label[0] = char(std::tolower(static_cast<unsigned char>(label[0])));
        std::snprintf(buf, sizeof buf, b ? "  %+d %-28s %zu\n" : "   %d %-28s %zu\n", b, label.c_str(),
                      per_bin[b]);
        s += buf;
    }
    out.metadata = std::move(md);
    out.layer = std::move(l);
    out.gi = std::move(r);
    out.units = std::move(u.s);
    return out;
}

// ---- LISA ---------------------------------------------------------------------------------------

Product run_lisa(const EventInputs& in, const LisaParams& lp_in, Progress prog) {
    lp_in.validate();
    const UnitParams& o = lp_in.units;
    const EventTable& ev = events_of(in);
    Product out;
    out.analysis = Analysis::Lisa;
    out.crs = ev.crs;
    Units u = build_units(o, ev, in.weighted, out.warnings, prog);
    out.summary = units_summary(u, ev);
    const bool fishnet = u.kind() == UnitKind::Fishnet;
    const std::vector<double>& x = !in.weighted ? u.s.count : u.s.weighted;

    WeightsChoice wc;
    if (fishnet && o.queen) { // 8 surrounding cells
        wc.distance_m = u.grid().cell * std::sqrt(2.0);
        wc.w = distance_band_weights(u.c, wc.distance_m, false, prog);
        wc.rule = "queen contiguity (fishnet: band = cell x sqrt 2, 8 neighbours)";
        wc.label = "queen contiguity";
    } else {
        wc = make_weights(o, u, x, false, prog);
    }
    if (const size_t iso = isolated_units(wc.w))
        out.warnings.push_back(std::to_string(iso) + " units have no neighbour (I = 0, not significant)");
    std::vector<std::string> warnings;
    if (!wc.warning.empty()) warnings.push_back(wc.warning);
    // Folded pseudo p (one-sided): smallest 1/(P+1); auto raises P so that FDR can reject a lone unit.
    const PermutationPlan plan = plan_permutations(u.size(), lp_in.alpha, lp_in.fdr, 1, lp_in.permutations);
    const int permutations = plan.permutations;
    if (!plan.warning.empty()) warnings.push_back(plan.warning);
    out.warnings.insert(out.warnings.end(), warnings.begin(), warnings.end());
    LocalMoranParams lp;
    lp.permutations = permutations;
    lp.seed = lp_in.seed;
    lp.alpha = lp_in.alpha;
    lp.fdr = lp_in.fdr;
    LocalMoranResult r = local_moran(x, wc.w, lp, prog);
    const bool fdr = lp_in.fdr;
    const double alpha = lp_in.alpha;

    Metadata md = base_metadata(in, ev, o, u, "Local Moran's I (Anselin 1995), conditional permutation");
    md["weights"] = wc.label + ", row-standardised, self excluded";
    md["distance_band_m"] = fmt_num(wc.distance_m);
    md["distance_band_km"] = fmt_num(wc.distance_m / 1000);
    md["distance_rule"] = wc.rule;
    md["permutations"] = std::to_string(permutations);
    md["seed"] = std::to_string(lp_in.seed);
    md["alpha"] = fmt_num(alpha);
    md["fdr"] = fdr ? "true (classes from Benjamini-Hochberg adjusted p)" : "false";
    md["correction"] = correction_name(fdr) + (fdr ? ""
                                                   : " (per-unit tests: about alpha x n units are expected "
                                                     "significant by chance)");
    md["permutation_rule"] = lp_in.permutations > 0
                                 ? "user (--permutations)"
                                 : std::string("auto: ") + std::to_string(kDefaultPermutations) +
                                       (fdr ? ", raised until 1/(P+1) x n <= alpha (cap " +
                                                  std::to_string(kMaxAutoPermutations) + ")"
                                            : "");
    md["min_pseudo_p"] = fmt_num(min_pseudo_p(permutations, 1), 4);
    md["significance_possible"] =
        plan.possible ? (plan.warning.empty()
                             ? "yes"
                             : "only for clusters of >= " + std::to_string(plan.min_cluster) + " units")
                      : "no";
    if (!warnings.empty()) md["warnings"] = join(warnings);
    md["classes"] = "HH high-high, LL low-low, LH low-high, HL high-low (p <= alpha), ns otherwise";
    md["global_moran_i"] = fmt_num(r.global.i);
    md["global_moran_expected"] = fmt_num(r.global.expected);
    md["global_moran_z"] = fmt_num(r.global.z);
    md["global_moran_p"] = fmt_num(r.global.p);

    auto short_name = [](LisaClass c) -> std::string {
        return c == LisaClass::NotSignificant ? "ns" : lisa_class_name(c);
    };
    std::vector<double> cls(u.size());
    for (size_t i = 0; i < u.size(); ++i)
        cls[i] = static_cast<int>(r.cls[i]);
    if (fishnet) {
        out.bands_note =
            "1 local_i: local Moran's I; 2 p_sim: pseudo p (PySAL/GeoDa folded count of permuted I >= "
            "observed); 3 class: 0 ns, 1 HH, 2 LL, 3 LH, 4 HL; nodata outside the study area";
        out.bands = {{"local_i", u.to_grid(r.i)}, {"p_sim", u.to_grid(r.p_sim)}, {"class", u.to_grid(cls)}};
        out.classes_note =
            "1 class: 0 ns, 1 HH, 2 LL, 3 LH, 4 HL (the attribute table gives label and colour); 255 outside";
        out.classes = class_raster(u, ev.crs, cls, 0, "class", lisa_classes());
    }
    VectorLayer l = unit_layer(u, ev.crs, "lisa",
                               {"count", "weighted", "local_i", "z", "lag", "p_sim", "p_fdr", "class",
                                "class_code", "n_neighbors", "alpha", "correction"});
    std::vector<std::string> fills;
    for (size_t i = 0; i < u.size(); ++i) {
        auto& at = l.features[i].attrs;
        at.push_back(static_cast<int64_t>(std::llround(u.s.count[i])));
        at.push_back(num(u.s.weighted[i]));
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
        fills.push_back(style::lisa_class_hex(int(r.cls[i])));
    }
    out.table = unit_table(l, md);
    add_style(l, fills);
    out.style_note =
        "simplestyle fill by class (GeoDa): HH #ff0000, LL #0000ff, LH #a7adf9, HL #f4ada8, ns #eeeeee";

    std::string& s = out.summary;
    s += "weights: " + md["weights"] + "\n";
    if (wc.distance_m > 0) s += "distance band: " + km(wc.distance_m) + " (" + wc.rule + ")\n";
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "global Moran's I = %.4f (E[I] = %.4f), z = %.3f, p = %.3g (normality assumption)\n",
                  r.global.i, r.global.expected, r.global.z, r.global.p);
    s += buf;
    std::map<LisaClass, size_t> per;
    for (auto c : r.cls)
        ++per[c];
    s += "units per class (" + std::to_string(permutations) + " permutations, seed " +
         std::to_string(lp_in.seed) + ", alpha " + fmt_num(alpha) +
         ", correction: " + (fdr ? "Benjamini-Hochberg FDR" : "none (per-unit tests)") + "):\n";
    for (LisaClass c : {LisaClass::HighHigh, LisaClass::LowLow, LisaClass::LowHigh, LisaClass::HighLow,
                        LisaClass::NotSignificant}) {
        std::snprintf(buf, sizeof buf, "  %-4s %zu\n", short_name(c).c_str(), per[c]);
        s += buf;
    }
    out.metadata = std::move(md);
    out.layer = std::move(l);
    out.lisa = std::move(r);
    out.units = std::move(u.s);
    return out;
}

// ---- emerging -----------------------------------------------------------------------------------

Product run_emerging(const EventInputs& in, const EmergingParams& p, Progress prog) {
    p.validate();
    const UnitParams& o = p.units;
    const std::string step_name = period_unit_name(p.period);
    Product out;
    out.analysis = Analysis::Emerging;
    // Dated events only.
    const EventTable& all_ev = events_of(in);
    std::vector<bool> dated(all_ev.size());
    size_t undated = 0;
    for (size_t i = 0; i < all_ev.size(); ++i)
        undated += !(dated[i] = all_ev.day[i] != kNoDay);
    if (undated == all_ev.size())
        throw GeoError(all_ev.source, "",
                       "no event has a date: emerging hot spots need one (see --date-col)");
    EventTable dated_ev;
    if (undated) {
        out.warnings.push_back(std::to_string(undated) + " events without a date are left out");
        dated_ev = all_ev.subset(dated);
    }
    const EventTable& ev = undated ? dated_ev : all_ev;
    out.crs = ev.crs;
    // Step range: the date window when given, else the data's.
    auto dr = ev.day_range();
    int32_t d0 = dr[0], d1 = dr[1];
    if (auto d = parse_date(in.date_from); !in.date_from.empty() && d) d0 = *d;
    if (auto d = parse_date(in.date_to); !in.date_to.empty() && d) d1 = *d;
    const int64_t s0 = period_index(d0, p.period), s1 = period_index(d1, p.period);
    const size_t T = static_cast<size_t>(s1 - s0 + 1);
    if (T < kMinEmergingSteps)
        throw GeoError("", "--period " + step_name,
                       "the period has " + std::to_string(T) + " " + step_name +
                           "(s); emerging hot spots need at least " + std::to_string(kMinEmergingSteps) +
                           " time steps (as ArcGIS): use a shorter --period or a longer --from/--to window");

    Units u = build_units(o, ev, in.weighted, out.warnings, prog);
    out.summary = units_summary(u, ev);
    const size_t N = u.size();
    // The space-time cube holds every kept unit at every step (issue #19: memory budget).
    check_units_memory(o, double(N), u.kind() == UnitKind::Hex, double(T));
    // Space-time cube: per step, sum the events into the units.
    std::vector<std::vector<size_t>> by_step(T);
    for (size_t i = 0; i < ev.size(); ++i) {
        const int64_t t = period_index(ev.day[i], p.period) - s0;
        if (t >= 0 && t < int64_t(T))
            by_step[size_t(t)].push_back(i); // the window holds them (loader filter)
    }
    std::vector<double> counts(N * T, 0.0);
    for (size_t t = 0; t < T; ++t) {
        std::vector<double> xs, ys;
        std::vector<float> ws;
        for (size_t i : by_step[t])
            xs.push_back(ev.x[i]), ys.push_back(ev.y[i]), ws.push_back(ev.weight[i]);
        const UnitAggregate ag = u.aggregate_raw(xs, ys, !in.weighted ? std::span<const float>{} : ws);
        for (size_t k = 0; k < N; ++k)
            counts[t * N + k] = ag.value[u.s.raw_of[k]];
    }
    for (int64_t s = s0; s <= s1; ++s)
        out.step_labels.push_back(period_label(s, p.period));

    nexusmap::EmergingParams ep;
    if (o.band_km) ep.distance_m = *o.band_km * 1000;
    ep.band_rule = o.rule();
    ep.time_window = p.time_window;
    ep.alpha = p.alpha;
    ep.trend_alpha = p.alpha;
    ep.fdr = p.fdr;
    EmergingResult r = emerging_hot_spots(u.c, counts, ep, prog);
    if (o.band_km) r.distance_rule = "user (--band-km)";
    out.warnings.insert(out.warnings.end(), r.warnings.begin(), r.warnings.end());

    Metadata md =
        base_metadata(in, ev, o, u, "Emerging hot spot analysis (space-time Gi*, Mann-Kendall trend)");
    md["distance_band_m"] = fmt_num(r.distance_m);
    md["distance_band_km"] = fmt_num(r.distance_m / 1000);
    md["distance_rule"] = r.distance_rule;
    md["time_step"] = step_name;
    md["time_window"] = std::to_string(p.time_window) + " previous step(s) + the current one";
    md["n_steps"] = std::to_string(T);
    md["first_step"] = out.step_labels.front();
    md["last_step"] = out.step_labels.back();
    md["alpha"] = fmt_num(p.alpha);
    md["fdr"] = ep.fdr ? "true (Benjamini-Hochberg over all space-time bins)" : "false";
    md["correction"] = correction_name(ep.fdr);
    md["p_source"] = "normal (two-sided) per space-time bin, as ArcGIS";
    md["trend"] = "Mann-Kendall on each unit's Gi* z series (tau, z, p)";
    if (!r.warnings.empty()) md["warnings"] = join(r.warnings);

    VectorLayer l = unit_layer(u, ev.crs, "emerging",
                               {"category", "category_code", "count", "weighted", "trend_tau", "trend_z",
                                "trend_p", "hot_steps", "cold_steps", "last_z", "last_p", "last_bin"});
    std::vector<std::string> fills;
    for (size_t i = 0; i < N; ++i) {
        auto& at = l.features[i].attrs;
        const size_t last = (T - 1) * N + i;
        at.push_back(std::string(emerging_pattern_name(r.pattern[i])));
        at.push_back(static_cast<int64_t>(r.pattern[i]));
        at.push_back(static_cast<int64_t>(std::llround(u.s.count[i])));
        at.push_back(num(u.s.weighted[i]));
        at.push_back(num(r.trend_tau[i]));
        at.push_back(num(r.trend_z[i]));
        at.push_back(num(r.trend_p[i]));
        at.push_back(static_cast<int64_t>(r.hot_steps[i]));
        at.push_back(static_cast<int64_t>(r.cold_steps[i]));
        at.push_back(num(r.z[last]));
        at.push_back(num(ep.fdr ? r.p_fdr[last] : r.p[last]));
        at.push_back(static_cast<int64_t>(r.bin[last]));
        fills.push_back(style::emerging_pattern_hex(int(r.pattern[i])));
    }
    out.table = unit_table(l, md);
    add_style(l, fills);
    out.style_note =
        "simplestyle fill by category: hot patterns in reds (intensifying #b2182b, persistent #d6604d, "
        "consecutive #f4a582, new #fddbc7, diminishing #fdae61, sporadic #fb9a99, oscillating #e7298a, "
        "historical #d9b8b0), cold mirrors in blues, no pattern #f0f0f0";

    std::string& s = out.summary;
    s += "time steps: " + std::to_string(T) + " " + step_name + "s, " + out.step_labels.front() + " .. " +
         out.step_labels.back() + "; neighbourhood: the step and " + std::to_string(p.time_window) +
         " before\n";
    s += "distance band: " + km(r.distance_m) + " (" + r.distance_rule + ")\n";
    std::map<EmergingPattern, size_t> per;
    for (auto pat : r.pattern)
        ++per[pat];
    s += "units per category (" + std::to_string(N) + " units, alpha " + fmt_num(p.alpha) +
         (ep.fdr ? ", FDR" : "") + "):\n";
    char buf[96];
    for (auto& [pat, n] : per) {
        std::snprintf(buf, sizeof buf, "  %-26s %zu\n", emerging_pattern_name(pat), n);
        s += buf;
    }
    out.metadata = std::move(md);
    out.layer = std::move(l);
    out.em = std::move(r);
    out.units = std::move(u.s);
    return out;
}

// ---- writing ------------------------------------------------------------------------------------

std::vector<std::string> write_product(const Product& p, const std::string& stem) {
    const std::vector<ProductFile> files = product_files(p.analysis, p.fishnet(), stem);
    const Metadata& md = p.metadata;
    if (p.fishnet() && !p.bands.empty()) {
        Metadata tm = md;
        tm["bands"] = p.bands_note;
        write_geotiff_bands(p.units.grid, p.crs, p.bands, -9999.0f, tm, files[0].path);
        // QGIS opens the Gi* bin band with the same ArcGIS-style colours (style file beside the TIFF).
        if (p.analysis == Analysis::GiStar) write_qml(qml_path_for(files[0].path), qml_gi_bins(3));
        if (p.classes) {
            // The classes alone (colour table + attribute table): styled in any GIS.
            Metadata cm = md;
            cm["bands"] = p.classes_note;
            write_class_raster(*p.classes, files[3].path, WriteOptions{cm});
        }
    }
    // The per-unit CSV (WKT geometry and data_kind; metadata in its sidecar).
    write_table(p.table, files[1].path, WriteOptions{md});
    Metadata gm = md;
    gm["style"] = p.style_note;
    if (files[0].kind == ProductKind::Vector) write_geojson(p.layer, files[0].path, gm);
    write_vector(p.layer, files[2].path, WriteOptions{gm});
    std::vector<std::string> paths;
    for (auto& f : files)
        paths.push_back(f.path);
    return paths;
}

} // namespace nexusmap::pipeline
