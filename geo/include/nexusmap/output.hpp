#pragma once
// One output registry: the file extension picks the writer, every writer is atomic (AtomicFile,
// staged in the thread's OutputSet) and writes the same provenance metadata.
//
//   .tif .tiff        GeoTIFF (COG with WriteOptions::cog)            rasters
//   .gpkg             GeoPackage: layers with QGIS styles in         vectors, tables
//                     layer_styles, provenance in gpkg_metadata
//   .geojson .json    GeoJSON (RFC 7946, lon/lat)                     vectors ("-": stdout)
//   .fgb              FlatGeobuf                                      vectors
//   .csv              CSV, one plain header row; metadata in the      tables, vectors (WKT column)
//                     sidecar NAME.csv.json, column types in NAME.csvt ("-": stdout)
//   .kml .kmz         KML / zipped KML with <Style>s from the          vectors
//                     layer's simplestyle colours (Google Earth)
//
// Front ends call check_output_for() for every output BEFORE computing: an unknown extension, one
// that cannot hold the product (a raster named .png, a vector named .shp), "-" for a format that
// does not stream, an input, a device or an existing file without overwrite are refused there.
// Every vector product also carries a `data_kind` attribute (real | synthetic) so the provenance
// survives ogr2ogr into formats without metadata (SHP, FGB, KML).
#include <string>
#include <vector>

#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/raster.hpp"

namespace nexusmap {

enum class OutputFormat { GeoTiff, GeoPackage, GeoJson, FlatGeobuf, Csv, Kml, Kmz };

// What a product is: a command asks check_output_for() whether a path can hold it.
enum class ProductKind { Raster, Vector, Table };

struct FormatInfo {
    OutputFormat format;
    const char* name;                     // "GeoTIFF"
    std::vector<const char*> extensions;  // lower case, with the dot
    bool raster = false, vector = false, table = false;
    bool streams = false;                 // can be written to stdout as "-"
};
const std::vector<FormatInfo>& output_formats();
const FormatInfo& format_info(OutputFormat f);
// The format the path's extension names (case-insensitive), or nullptr.
const FormatInfo* format_for_path(const std::string& path);
// "x.tif, x.tiff" style list of the extensions that can hold `kind` (for messages and --help).
std::string extensions_for(ProductKind kind);
const char* product_kind_name(ProductKind kind); // "raster", "vector layer", "table"

// True for "-" (stdout).
inline bool is_stdout(const std::string& path) { return path == "-"; }
// The file descriptor "-" writes to (default 1). A front end that redirects fd 1 for its own
// messages (--quiet, --json) passes the real stdout here.
void set_stdout_fd(int fd);

// Validates an output path before any work and returns the format that will be written:
// - "-": the product's streaming format (vector: GeoJSON, table: CSV); refused for rasters;
// - otherwise the extension must name a registered format that can hold `kind`;
// - then the folder must exist and check_output_path() holds (inputs, devices, --force).
// `what` names the option in messages (e.g. "-o/--out"). Throws GeoError.
OutputFormat check_output_for(const std::string& path, ProductKind kind, bool overwrite,
                              const std::vector<std::string>& inputs = {}, const std::string& what = "output");

// The companion files a format writes beside `path` (CSV: NAME.csv.json and NAME.csvt; GeoTIFF
// class rasters: NAME.tif.aux.xml), so front ends can check them too.
std::vector<std::string> companion_files(const std::string& path, ProductKind kind);

struct WriteOptions {
    Metadata metadata;       // provenance + parameters: GeoTIFF tags, GPKG metadata, sidecar, ...
    bool overwrite = true;   // false: refuse an existing target
    bool cog = false;        // GeoTIFF: Cloud Optimized GeoTIFF
    int precision = 6;       // GeoJSON/KML/CSV WKT decimals (lon/lat)
    std::string qml;         // GPKG: QGIS style for layer_styles (default: qml_vector(layer))
};

// ---- rasters ----------------------------------------------------------------------------------
void write_raster(const Raster& r, const std::string& path, const WriteOptions& opt = {});
void write_raster_bands(const GridSpec& g, const Crs& crs, const std::vector<RasterBand>& bands, float nodata,
                        const std::string& path, const WriteOptions& opt = {});

// A categorical raster (Gi* bins, LISA classes): an unsigned 8-bit band whose pixel values are
// class codes, with a GDAL colour table and a raster attribute table (value, class value, label,
// colour and R/G/B/A), so QGIS and ArcGIS show the classes without a .qml. Code 255 is nodata.
struct RasterClass {
    int code = 0;            // pixel value (0..254)
    int value = 0;           // the class's own value (e.g. Gi* bin -3..3; LISA 0..4)
    std::string label;       // "Hot spot, 99% confidence"
    std::string colour;      // "#d62f27"
    int alpha = 255;
};
struct ClassRaster {
    GridSpec grid;
    Crs crs;
    std::string band_name;             // band description, e.g. "bin"
    std::vector<uint8_t> codes;        // row-major, 255 = nodata
    std::vector<RasterClass> classes;
    static constexpr uint8_t kNoData = 255;
};
void write_class_raster(const ClassRaster& r, const std::string& path, const WriteOptions& opt = {});
// Gi* bins -3..3 (code = bin + 3) and LISA classes 0 ns, 1 HH, 2 LL, 3 LH, 4 HL (code = class).
std::vector<RasterClass> gi_bin_classes();
std::vector<RasterClass> lisa_classes();

// ---- vectors and tables -----------------------------------------------------------------------
// Any vector format by extension (or GeoJSON to stdout for "-"). Polygon/line layers are written as
// MultiPolygon/MultiLineString so every reader sees one geometry type.
void write_vector(const VectorLayer& layer, const std::string& path, const WriteOptions& opt = {});
// A table: CSV (+ sidecar) or a GeoPackage attribute table; "-" writes CSV to stdout.
void write_table(const Table& t, const std::string& path, const WriteOptions& opt = {});

// Several products in one GeoPackage: vector layers (styled, in layer_styles) and tables
// (attribute tables), each with the same provenance. Layer names must differ.
struct GpkgItem {
    const VectorLayer* layer = nullptr; // either a layer
    const Table* table = nullptr;       // or a table
    std::string name;                   // layer name (default: the layer's own)
    std::string qml;                    // style (default: qml_vector(*layer))
};
void write_gpkg_items(const std::vector<GpkgItem>& items, const std::string& path, const WriteOptions& opt = {});

// A per-unit table with its geometry as WKT (lon/lat, WGS 84) and data_kind as the last columns, so
// a CSV reader gets the table and OGR/QGIS open it as a layer. Rows parallel to layer.features.
Table table_with_geometry(Table t, const VectorLayer& layer, const Metadata& md, int precision = 6);

// "real" or "synthetic" from the metadata's synthetic flag (and the layer's own label).
std::string data_kind(const Metadata& md, const VectorLayer* layer = nullptr);
// A copy of the layer with a data_kind attribute on every feature (unless it has one already).
VectorLayer with_data_kind(const VectorLayer& l, const Metadata& md);

// Column types of a table for OGR (.csvt) and the GPKG: "Integer", "Real", "String" or "WKT", by
// what every non-empty value parses as.
std::vector<std::string> table_column_types(const Table& t);

// The sidecar NAME.csv.json: {"file", "metadata": {...}, "columns": [{"name", "type"}], "geometry"}.
std::string csv_sidecar_json(const Table& t, const std::string& csv_name, const Metadata& md);
// Metadata of a CSV from its sidecar (empty when there is none or it does not parse).
Metadata read_csv_sidecar(const std::string& csv_path);

} // namespace nexusmap
