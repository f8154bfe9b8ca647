#pragma once
// Vector layers as plain C++ values: no OGR/GEOS types cross this header.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/provenance.hpp"

namespace nexusmap {

struct Vec2 {
    double x = 0, y = 0;
};
using Ring = std::vector<Vec2>; // closed: first == last
struct Polygon {
    std::vector<Ring> rings; // rings[0] exterior, the rest holes
};
using LineString = std::vector<Vec2>;

enum class GeomType { None, Point, Line, Polygon };

// A (multi-)geometry of one dimension. Mixed collections are split into parts of their
// dominant dimension by the loader (with a warning).
struct Geometry {
    GeomType type = GeomType::None;
    std::vector<Vec2> points;
    std::vector<LineString> lines;
    std::vector<Polygon> polygons;
    bool empty() const { return points.empty() && lines.empty() && polygons.empty(); }
    BBox bbox() const;
};

using AttrValue = std::variant<std::monostate, int64_t, double, std::string>;
std::string attr_to_string(const AttrValue& v);
std::optional<double> attr_to_double(const AttrValue& v);

struct Feature {
    Geometry geom;
    std::vector<AttrValue> attrs; // parallel to VectorLayer::fields
    int64_t fid = -1;
};

struct VectorLayer {
    std::string name;   // layer name
    std::string source; // file path it came from
    Crs crs;
    GeomType type = GeomType::None;
    std::vector<std::string> fields;
    std::vector<Feature> features;
    std::map<std::string, std::string> metadata; // e.g. "synthetic" -> "true"
    std::vector<std::string> warnings;           // repaired geometries, skipped empties...
    InputProvenance prov;                        // set by read_layer() from the metadata

    int field_index(const std::string& name) const; // -1 if absent (case-insensitive)
    std::string attr_string(size_t feature, const std::string& field) const;
    BBox bbox() const;
    bool synthetic() const;    // labelled synthetic (fabricated data)
    bool illustrative() const; // labelled illustrative (schematic, e.g. the demo routes)
};

struct LayerInfo {
    std::string name;
    std::string geometry_type;
    int64_t feature_count = 0;
    std::string crs_name;
    BBox extent;
    std::vector<std::pair<std::string, std::string>> fields; // name, type
};
struct DatasetInfo {
    std::string path, driver;
    std::vector<LayerInfo> layers;
    bool is_raster = false;
    int raster_width = 0, raster_height = 0, raster_bands = 0;
    std::string raster_crs;
    std::map<std::string, std::string> metadata;
};
DatasetInfo inspect_dataset(const std::string& path);

struct ReadLayerOptions {
    std::string layer;               // empty: the first layer
    std::string where;               // OGR attribute filter (SQL WHERE), optional
    std::optional<Crs> target_crs;   // reproject on load
    std::optional<Crs> assume_crs;   // CRS to use when the source declares none
    bool make_valid = true;          // repair invalid polygons with GEOS MakeValid (a warning each)
};
// Reads any OGR vector source (GeoJSON, GeoPackage, Shapefile, KML, FlatGeobuf, CSV with WKT or X/Y).
VectorLayer read_layer(const std::string& path, const ReadLayerOptions& opt = {}, Progress progress = {});
std::vector<std::string> list_layers(const std::string& path);

// "path" or "path:layer" -> (path, layer); a path that exists as given, "C:\\..." and URLs stay whole.
std::pair<std::string, std::string> split_layer_spec(const std::string& spec);

// Reproject a whole layer (returns a copy).
VectorLayer reproject(const VectorLayer& layer, const Crs& target);

// GeoJSON writer (RFC 7946: lon/lat WGS 84, reprojected if needed), atomic. `metadata` goes into a
// top-level "metadata" member. Optional simplestyle properties are just ordinary fields.
void write_geojson(const VectorLayer& layer, const std::string& path,
                   const std::map<std::string, std::string>& metadata = {}, int precision = 6);
// The GeoJSON text write_geojson() writes (polygons and lines always as Multi*).
std::string to_geojson(const VectorLayer& layer, const std::map<std::string, std::string>& metadata = {},
                       int precision = 6);
// GeoPackage writer (keeps the layer CRS), atomic.
void write_gpkg(const VectorLayer& layer, const std::string& path);

// Geometry utilities backed by GEOS (implemented in geo/src).
double area(const Geometry& g);   // planar, CRS units^2
double length(const Geometry& g); // planar
bool is_valid(const Geometry& g, std::string* reason = nullptr);
Geometry make_valid(const Geometry& g);

// Point-in-polygon index over a polygon layer; thread-safe for queries after construction.
class PolygonIndex {
  public:
    explicit PolygonIndex(const VectorLayer& polygons);
    ~PolygonIndex();
    PolygonIndex(PolygonIndex&&) noexcept;
    PolygonIndex& operator=(PolygonIndex&&) noexcept;
    // Index of the feature containing (x,y) (boundary counts), or -1.
    int locate(double x, double y) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace nexusmap
