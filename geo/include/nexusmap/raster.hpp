#pragma once
// A georeferenced float grid. Row 0 is the northern row (GDAL convention, negative dy).
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"

namespace nexusmap {

// A north-up grid over [xmin, xmax] x [ymin, ymax] with square cells (metres in a projected CRS).
struct GridSpec {
    double xmin = 0, ymax = 0; // top-left corner of the top-left cell
    double cell = 1;           // cell size in CRS units
    int width = 0, height = 0;
    // Grid covering `b`, snapped outwards to whole cells (origin aligned to multiples of cell).
    static GridSpec covering(const BBox& b, double cell);
    double xmax() const { return xmin + cell * width; }
    double ymin() const { return ymax - cell * height; }
    double col_center_x(int col) const { return xmin + (col + 0.5) * cell; }
    double row_center_y(int row) const { return ymax - (row + 0.5) * cell; }
    BBox bbox() const { return {xmin, ymin(), xmax(), ymax}; }
    size_t size() const { return static_cast<size_t>(width) * static_cast<size_t>(height); }
    // GDAL geotransform: x = gt0 + col*gt1 + row*gt2 ; y = gt3 + col*gt4 + row*gt5
    std::array<double, 6> geotransform() const { return {xmin, cell, 0.0, ymax, 0.0, -cell}; }
};

struct Raster {
    GridSpec grid;
    Crs crs;
    float nodata = -9999.0f;
    bool has_nodata = true;
    std::vector<float> data; // row-major, grid.width * grid.height
    std::string units;       // e.g. "events per km^2"
    std::map<std::string, std::string> metadata;

    Raster() = default;
    Raster(const GridSpec& g, const Crs& c, float fill = 0.0f) : grid(g), crs(c), data(g.size(), fill) {}
    float& at(int col, int row) { return data[static_cast<size_t>(row) * grid.width + col]; }
    float at(int col, int row) const { return data[static_cast<size_t>(row) * grid.width + col]; }
    bool is_nodata(float v) const { return has_nodata && (v == nodata || std::isnan(v)); }
    double cell_area() const { return grid.cell * grid.cell; }
    // Sum of valid cells times cell area (the integral over the grid).
    double integral() const;
    // Min/max over valid cells; {NaN,NaN} when none.
    std::array<double, 2> minmax() const;
    // Value under a point in the raster's CRS; NaN outside or nodata.
    double sample(double x, double y) const;
};

// GeoTIFF I/O (atomic write: temp file in the same folder, then rename).
struct GeoTiffOptions {
    bool cog = false;        // write a Cloud Optimized GeoTIFF through GDAL's COG driver
    bool overwrite = true;   // false: refuse if the file exists
};
void write_geotiff(const Raster& r, const std::string& path, const GeoTiffOptions& opt = {});

// A named band of a multi-band grid (e.g. Gi* z, p, bin). NaN values are written as nodata.
struct RasterBand {
    std::string name;        // band description
    std::vector<float> data; // row-major over the grid
};
// Multi-band float32 GeoTIFF (ZSTD + float predictor by default, tiled), written atomically; `metadata` goes into the
// dataset metadata, band names into the band descriptions.
void write_geotiff_bands(const GridSpec& g, const Crs& crs, const std::vector<RasterBand>& bands, float nodata,
                         const std::map<std::string, std::string>& metadata, const std::string& path);
Raster read_raster(const std::string& path, int band = 1);

} // namespace nexusmap
