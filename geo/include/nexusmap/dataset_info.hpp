#pragma once
// What `gdalinfo` and `ogrinfo -so` report about a file (issue #16), as plain data: the CRS
// identified to an EPSG code where possible, extent, size, pixel size, bands (type, nodata,
// description), vector layers (geometry type, feature count, fields with types).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"

namespace nexusmap {

struct CrsDescription {
    bool present = false;
    std::string name;       // as the file names it
    std::string epsg;       // "EPSG:31028" when identified (declared, or PROJ's best match, >= 70%, as gdalsrsinfo -e)
    int confidence = 0;     // 100 when declared by the file; else the best match's confidence
    bool geographic = false;
    std::string label() const; // "EPSG:31028 (Yoff / UTM zone 28N)", "Name (not an EPSG CRS)", "none"
};

struct BandDescription {
    int index = 0;          // 1-based
    std::string type;       // GDAL data type: Byte, Int16, Float32, ...
    std::string description, colour_interp, unit;
    std::optional<double> nodata;
    int colour_table_entries = 0;
    bool has_attribute_table = false;
};

struct RasterDescription {
    int width = 0, height = 0;
    bool has_geotransform = false;
    double geotransform[6] = {0, 1, 0, 0, 0, 1};
    BBox extent;            // in the raster's CRS
    double pixel_width = 0, pixel_height = 0; // pixel_height negative for north-up rasters
    CrsDescription crs;
    std::vector<BandDescription> bands;
};

struct FieldDescription {
    std::string name, type; // OGR type name: String, Integer, Integer64, Real, Date, DateTime, ...
    int width = 0, precision = 0;
};

struct LayerDescription {
    std::string name, geometry_type, geometry_column, fid_column;
    int64_t feature_count = -1;
    CrsDescription crs;
    bool has_extent = false;
    BBox extent;
    std::vector<FieldDescription> fields;
};

struct DatasetDescription {
    std::string path, driver, driver_long_name;
    std::map<std::string, std::string> metadata;
    std::optional<RasterDescription> raster;
    std::vector<LayerDescription> layers;
    std::string text() const; // gdalinfo / ogrinfo -so style
    std::string json() const; // one JSON object
};

// Opens any raster or vector file GDAL reads (within geo's driver allow-list). GeoError naming the
// file when it cannot.
DatasetDescription describe_dataset(const std::string& path);

// The EPSG code of a CRS given as WKT/PROJ/"EPSG:n" ("" when PROJ finds none with confidence >= 70%).
CrsDescription describe_crs(const std::string& definition);

} // namespace nexusmap
