#include "nexusmap/raster.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <limits>

#include "gdal_util.hpp"
#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap {
using namespace detail;

GridSpec GridSpec::covering(const BBox& b, double cell) {
    if (!(cell > 0) || !std::isfinite(cell)) throw GeoError("", "grid", "cell size must be a positive number");
    if (b.empty()) throw GeoError("", "grid", "extent is empty");
    GridSpec g;
    g.cell = cell;
    g.xmin = std::floor(b.xmin / cell) * cell;
    g.ymax = std::ceil(b.ymax / cell) * cell;
    const double w = std::ceil((b.xmax - g.xmin) / cell - 1e-9);
    const double h = std::ceil((g.ymax - b.ymin) / cell - 1e-9);
    if (!(w * h <= 4e9) || w > 2147483647.0 || h > 2147483647.0) { // int width/height must not overflow
        char buf[200];
        std::snprintf(buf, sizeof buf, "%.0f x %.0f cells exceeds the cap of 4e9 cells; use a larger cell size or a smaller extent", w, h);
        throw GeoError("", "grid", buf);
    }
    g.width = std::max(1, static_cast<int>(w));
    g.height = std::max(1, static_cast<int>(h));
    return g;
}

double Raster::integral() const {
    double s = 0;
    for (float v : data)
        if (!is_nodata(v)) s += v;
    return s * cell_area();
}

std::array<double, 2> Raster::minmax() const {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (float v : data)
        if (!is_nodata(v)) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
    if (lo > hi) return {std::nan(""), std::nan("")};
    return {lo, hi};
}

double Raster::sample(double x, double y) const {
    const double fc = (x - grid.xmin) / grid.cell, fr = (grid.ymax - y) / grid.cell;
    if (!(fc >= 0 && fr >= 0 && fc < grid.width && fr < grid.height)) return std::nan("");
    float v = at(static_cast<int>(fc), static_cast<int>(fr));
    return is_nodata(v) ? std::nan("") : v;
}

namespace {
// The compression of float GeoTIFFs (issue #17: it must keep pace with the analysis). ZSTD level 1
// with the floating-point predictor compresses a 6-million-cell density ~9x faster than DEFLATE's
// default level 6 for files ~2.5 % larger (bench/RESULTS.md); DEFLATE is kept for a GDAL without
// ZSTD and on request (NEXUSMAP_TIFF_COMPRESS=deflate: readers older than GDAL 2.3 / libtiff
// 4.0.10). GDAL compresses the tiles on all cores (NUM_THREADS). The choice is written into the
// file's metadata ("compression").
struct TiffCompression {
    std::vector<std::string> options; // creation options, GTiff or COG names
    std::string note;                 // the metadata text
};
TiffCompression tiff_compression(bool cog, bool predictor) {
    const char* env = std::getenv("NEXUSMAP_TIFF_COMPRESS");
    const std::string want = env ? ascii_lower(env) : "";
    static const bool has_zstd = [] {
        const char* list = GetGDALDriverManager()->GetDriverByName("GTiff")->GetMetadataItem(GDAL_DMD_CREATIONOPTIONLIST);
        return list && std::strstr(list, "ZSTD");
    }();
    TiffCompression c;
    const bool zstd = has_zstd && want != "deflate" && want != "none";
    if (want == "none") {
        c.options = {"COMPRESS=NONE"};
        c.note = "none (NEXUSMAP_TIFF_COMPRESS=none)";
    } else if (zstd) {
        c.options = {"COMPRESS=ZSTD", cog ? "LEVEL=1" : "ZSTD_LEVEL=1"};
        c.note = "ZSTD level 1";
    } else {
        c.options = {"COMPRESS=DEFLATE", cog ? "LEVEL=6" : "ZLEVEL=6"};
        c.note = "DEFLATE level 6";
    }
    if (want != "none" && predictor) {
        c.options.push_back(cog ? "PREDICTOR=YES" : "PREDICTOR=3");
        c.note += ", floating-point predictor";
    }
    c.options.push_back("NUM_THREADS=ALL_CPUS");
    c.note += ", tiles compressed on all cores";
    return c;
}
// A NULL-terminated char* array over `opts` (GDAL's CSL form).
std::vector<const char*> csl(const std::vector<std::string>& opts) {
    std::vector<const char*> v;
    for (const auto& o : opts) v.push_back(o.c_str());
    v.push_back(nullptr);
    return v;
}

void fill_dataset(GDALDataset* ds, const Raster& r) {
    auto gt = r.grid.geotransform();
    ds->SetGeoTransform(gt.data());
    if (r.crs.valid()) {
        OGRSpatialReference srs = named_srs(r.crs.wkt(), r.crs.definition());
        ds->SetSpatialRef(&srs);
    }
    for (auto& [k, v] : r.metadata) ds->SetMetadataItem(k.c_str(), v.c_str());
    if (!r.units.empty()) ds->SetMetadataItem("units", r.units.c_str());
    GDALRasterBand* b = ds->GetRasterBand(1);
    if (r.has_nodata) b->SetNoDataValue(r.nodata);
    if (!r.units.empty()) b->SetUnitType(r.units.c_str());
    if (b->RasterIO(GF_Write, 0, 0, r.grid.width, r.grid.height, const_cast<float*>(r.data.data()),
                    r.grid.width, r.grid.height, GDT_Float32, 0, 0) != CE_None)
        throw GeoError("", "GeoTIFF", "writing pixels failed: " + cpl_error());
}
} // namespace

// Compressed as tiff_compression() says (ZSTD level 1, floating-point predictor, all cores).
void write_geotiff(const Raster& r, const std::string& path, const GeoTiffOptions& opt) {
    gdal_init();
    if (r.data.size() != r.grid.size()) throw GeoError(path, "", "raster data does not match its grid");
    AtomicFile out(path, opt.overwrite);
    QuietGdal quiet;
    if (!opt.cog) {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
        TiffCompression tc = tiff_compression(false, true);
        tc.options.insert(tc.options.end(), {"TILED=YES", "BIGTIFF=IF_SAFER"});
        auto co = csl(tc.options);
        GDALDatasetUniquePtr ds(drv->Create(out.temp_path().c_str(), r.grid.width, r.grid.height, 1, GDT_Float32,
                                            const_cast<char**>(co.data())));
        if (!ds) throw GeoError(path, "", "cannot create GeoTIFF: " + cpl_error());
        fill_dataset(ds.get(), r);
        ds->SetMetadataItem("compression", tc.note.c_str());
        CPLErrorReset();
        ds.reset(); // GDAL 3.6 has no Close(): the destructor flushes
        if (CPLGetLastErrorType() >= CE_Failure) throw GeoError(path, "", "cannot finish GeoTIFF: " + cpl_error());
    } else {
        GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
        GDALDatasetUniquePtr src(mem->Create("", r.grid.width, r.grid.height, 1, GDT_Float32, nullptr));
        fill_dataset(src.get(), r);
        GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
        if (!cog) throw GeoError(path, "", "this GDAL has no COG driver");
        TiffCompression tc = tiff_compression(true, true);
        src->SetMetadataItem("compression", tc.note.c_str());
        tc.options.push_back("BIGTIFF=IF_SAFER");
        auto co = csl(tc.options);
        GDALDatasetUniquePtr ds(cog->CreateCopy(out.temp_path().c_str(), src.get(), FALSE, const_cast<char**>(co.data()),
                                                nullptr, nullptr));
        if (!ds) throw GeoError(path, "", "cannot create COG: " + cpl_error());
        CPLErrorReset();
        ds.reset(); // GDAL 3.6 has no Close(): the destructor flushes
        if (CPLGetLastErrorType() >= CE_Failure) throw GeoError(path, "", "cannot finish COG: " + cpl_error());
    }
    out.commit();
}

void write_geotiff_bands(const GridSpec& g, const Crs& crs, const std::vector<RasterBand>& bands, float nodata,
                         const std::map<std::string, std::string>& metadata, const std::string& path) {
    gdal_init();
    if (bands.empty()) throw GeoError(path, "", "no bands to write");
    for (auto& b : bands)
        if (b.data.size() != g.size()) throw GeoError(path, "band " + b.name, "size does not match the grid");
    AtomicFile out(path, true);
    QuietGdal quiet;
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    TiffCompression tc = tiff_compression(false, true);
    tc.options.insert(tc.options.end(), {"TILED=YES", "BIGTIFF=IF_SAFER", "INTERLEAVE=BAND"});
    auto co = csl(tc.options);
    GDALDatasetUniquePtr ds(drv->Create(out.temp_path().c_str(), g.width, g.height, static_cast<int>(bands.size()),
                                        GDT_Float32, const_cast<char**>(co.data())));
    if (!ds) throw GeoError(path, "", "cannot create GeoTIFF: " + cpl_error());
    auto gt = g.geotransform();
    ds->SetGeoTransform(gt.data());
    if (crs.valid()) {
        OGRSpatialReference srs = named_srs(crs.wkt(), crs.definition());
        ds->SetSpatialRef(&srs);
    }
    for (auto& [k, v] : metadata) ds->SetMetadataItem(k.c_str(), v.c_str());
    ds->SetMetadataItem("compression", tc.note.c_str());
    std::vector<float> buf;
    for (size_t b = 0; b < bands.size(); ++b) {
        GDALRasterBand* band = ds->GetRasterBand(static_cast<int>(b + 1));
        band->SetNoDataValue(nodata);
        band->SetDescription(bands[b].name.c_str());
        buf = bands[b].data;
        for (float& v : buf)
            if (!std::isfinite(v)) v = nodata;
        if (band->RasterIO(GF_Write, 0, 0, g.width, g.height, buf.data(), g.width, g.height, GDT_Float32, 0, 0) != CE_None)
            throw GeoError(path, "band " + std::to_string(b + 1), "writing pixels failed: " + cpl_error());
    }
    CPLErrorReset();
    ds.reset(); // GDAL 3.6 has no Close(): the destructor flushes
    if (CPLGetLastErrorType() >= CE_Failure) throw GeoError(path, "", "cannot finish GeoTIFF: " + cpl_error());
    out.commit();
}

Raster read_raster(const std::string& path, int band) {
    gdal_init();
    check_input_path(path, "", false); // local regular files only: no URL, FIFO or device (issue #19)
    QuietGdal quiet;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw GeoError(path, "", "cannot open as a raster: " + cpl_error());
    note_input(path); // never written over (atomic_file.hpp)
    if (band < 1 || band > ds->GetRasterCount()) throw GeoError(path, "band " + std::to_string(band), "does not exist");
    double gt[6];
    if (ds->GetGeoTransform(gt) != CE_None) throw GeoError(path, "", "has no geotransform");
    if (!std::isfinite(gt[0]) || !std::isfinite(gt[3]) || !(gt[1] > 0) || !std::isfinite(gt[1]))
        throw GeoError(path, "", "has an invalid geotransform (cell size or origin not finite and positive)");
    if (gt[2] != 0 || gt[4] != 0 || gt[5] >= 0 || std::fabs(gt[1] + gt[5]) > 1e-9 * std::fabs(gt[1]))
        throw GeoError(path, "", "only north-up rasters with square cells are supported");
    {
        // The extent must be representable and its cells resolvable at their origin: a header can
        // put 1e-300 cells at 1e300 (issue #19: UB and a cairo leak when such a raster was drawn).
        const double x1 = gt[0] + ds->GetRasterXSize() * gt[1], y0 = gt[3] + ds->GetRasterYSize() * gt[5];
        const double far = 1e12; // metres or degrees: far beyond any Earth coordinate
        if (!std::isfinite(x1) || !std::isfinite(y0) || std::fabs(gt[0]) > far || std::fabs(gt[3]) > far ||
            std::fabs(x1) > far || std::fabs(y0) > far || gt[1] < 1e-12 * std::max({1.0, std::fabs(gt[0]), std::fabs(gt[3])})) {
            char buf[240];
            std::snprintf(buf, sizeof buf,
                          "has an unusable geotransform: cells of %g at origin (%g, %g) put the extent beyond %g or "
                          "below the precision of its coordinates",
                          gt[1], gt[0], gt[3], far);
            throw GeoError(path, "", buf);
        }
    }
    Raster r;
    r.grid.xmin = gt[0];
    r.grid.ymax = gt[3];
    r.grid.cell = gt[1];
    r.grid.width = ds->GetRasterXSize();
    r.grid.height = ds->GetRasterYSize();
    if (const OGRSpatialReference* srs = ds->GetSpatialRef()) {
        char* wkt = nullptr;
        const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
        srs->exportToWkt(&wkt, opts);
        if (wkt) r.crs = Crs::from_wkt(wkt);
        CPLFree(wkt);
    }
    GDALRasterBand* b = ds->GetRasterBand(band);
    int has = 0;
    double nd = b->GetNoDataValue(&has);
    r.has_nodata = has != 0;
    r.nodata = has ? static_cast<float>(nd) : -9999.0f;
    if (const char* u = b->GetUnitType(); u && *u) r.units = u;
    if (char** md = ds->GetMetadata()) {
        for (char** p = md; *p; ++p) {
            char* key = nullptr;
            const char* val = CPLParseNameValue(*p, &key);
            if (key && val) r.metadata[key] = val;
            CPLFree(key);
        }
    }
    // A header can claim any size (a few KB of sparse TIFF can say 100000 x 100000): refuse before
    // allocating rather than exhausting memory.
    if (r.grid.width <= 0 || r.grid.height <= 0 || double(r.grid.width) * double(r.grid.height) > 2147483647.0) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%d x %d cells is too large to read (limit 2^31 cells, 8 GB as float32)",
                      r.grid.width, r.grid.height);
        throw GeoError(path, "", buf);
    }
    check_memory(raster_bytes(r.grid.width, r.grid.height),
                 "reading " + std::to_string(r.grid.width) + " x " + std::to_string(r.grid.height) + " cells",
                 "the raster declares more cells than this budget allows (check it is the right file)", path);
    r.data.resize(r.grid.size());
    if (b->RasterIO(GF_Read, 0, 0, r.grid.width, r.grid.height, r.data.data(), r.grid.width, r.grid.height,
                    GDT_Float32, 0, 0) != CE_None)
        throw GeoError(path, "", "reading pixels failed: " + cpl_error());
    return r;
}

} // namespace nexusmap
