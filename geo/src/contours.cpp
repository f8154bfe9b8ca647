#include "nexusmap/contours.hpp"

#include <gdal_alg.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "gdal_util.hpp"
#include "geos_util.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap {
using namespace detail;

double percent_volume_level(const Raster& r, double share) {
    if (!(share > 0 && share <= 1)) throw GeoError("", "percent volume", "share must be in (0, 100] percent");
    std::vector<float> v;
    v.reserve(r.data.size());
    for (float x : r.data)
        if (!r.is_nodata(x) && x > 0) v.push_back(x);
    if (v.empty()) throw GeoError("", "percent volume", "the raster has no positive cells");
    std::sort(v.begin(), v.end(), std::greater<float>());
    const double total = std::accumulate(v.begin(), v.end(), 0.0);
    double acc = 0;
    for (float x : v) {
        acc += x;
        if (acc >= share * total * (1 - 1e-12)) return x;
    }
    return v.back();
}

VectorLayer contour_polygons(const Raster& r, const ContourParams& p, Progress progress) {
    gdal_init();
    QuietGdal quiet;
    // The input held, a sorted copy for percent volumes, a staged copy and GDAL's MEM band.
    check_memory(4 * raster_bytes(r.grid.width, r.grid.height),
                 "contouring " + std::to_string(r.grid.width) + " x " + std::to_string(r.grid.height) + " cells",
                 "use a coarser raster (e.g. `nexusmap density` with a larger --cell-km)");
    struct Lv {
        double level;
        double pv; // NaN when an explicit level
    };
    // A density is finite and >= 0: with infinite values every percent volume is "level inf", and
    // with negative ones the "mass" (and each polygon's share of it) means nothing.
    size_t n_nonfinite = 0, n_neg = 0;
    float vmin = 0;
    for (float v : r.data) {
        if (r.is_nodata(v)) continue;
        if (!std::isfinite(v) || std::fabs(v) >= FLT_MAX) ++n_nonfinite; // FLT_MAX: an infinity saturated on the way
        else if (v < 0) ++n_neg, vmin = std::min(vmin, v);
    }
    if (n_nonfinite)
        throw GeoError("", "contours",
                       std::to_string(n_nonfinite) + " cells hold infinite, NaN or float-overflow values (not nodata): a density raster holds "
                       "finite values >= 0; set those cells to nodata first");
    char vbuf[32];
    std::snprintf(vbuf, sizeof vbuf, "%.6g", double(vmin));
    const std::string neg = std::to_string(n_neg) + " cells are negative (min " + vbuf + ")";
    if (n_neg && !p.percent_volumes.empty())
        throw GeoError("", "contours", neg + ": percent-volume levels need a density (values >= 0); give explicit levels, "
                                             "or set the negative cells to nodata");
    std::vector<Lv> levels;
    for (double l : p.levels) levels.push_back({l, std::nan("")});
    for (double pv : p.percent_volumes) levels.push_back({percent_volume_level(r, pv / 100.0), pv});
    if (levels.empty()) throw GeoError("", "contours", "give at least one level or percent volume");

    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDatasetUniquePtr ds(mem->Create("", r.grid.width, r.grid.height, 1, GDT_Float32, nullptr));
    auto gt = r.grid.geotransform();
    ds->SetGeoTransform(gt.data());
    GDALRasterBand* band = ds->GetRasterBand(1);
    // Nodata cells are fed as a very low value so contours close around them.
    std::vector<float> data = r.data;
    for (auto& v : data)
        if (r.is_nodata(v)) v = -1e30f;
    if (band->RasterIO(GF_Write, 0, 0, r.grid.width, r.grid.height, data.data(), r.grid.width, r.grid.height,
                       GDT_Float32, 0, 0) != CE_None)
        throw GeoError("", "contours", "cannot stage raster: " + cpl_error());

    VectorLayer out;
    out.name = "hotspot_contours";
    out.crs = r.crs;
    out.type = GeomType::Polygon;
    out.fields = {"level", "percent_volume", "area_km2", "mass_share"};
    out.metadata = r.metadata;
    if (n_neg) out.warnings.push_back(neg + ": not a density, so mass_share (the share of the raster's sum) is not meaningful");

    // Mass inside each polygon is measured on cell centres.
    double total = 0;
    for (float v : r.data)
        if (!r.is_nodata(v)) total += v;

    for (size_t li = 0; li < levels.size(); ++li) {
        progress(double(li) / double(levels.size()), "contouring");
        const double L = levels[li].level;
        GDALDriver* memv = GetGDALDriverManager()->GetDriverByName("Memory");
        GDALDatasetUniquePtr vds(memv->Create("", 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* lyr = vds->CreateLayer("c", nullptr, wkbMultiPolygon, nullptr);
        OGRFieldDefn fid("id", OFTInteger), fmin("emin", OFTReal), fmax("emax", OFTReal);
        lyr->CreateField(&fid);
        lyr->CreateField(&fmin);
        lyr->CreateField(&fmax);
        char lvbuf[64];
        std::snprintf(lvbuf, sizeof lvbuf, "FIXED_LEVELS=%.17g", L);
        const char* opts[] = {lvbuf, "POLYGONIZE=YES", "ID_FIELD=0", "ELEV_FIELD_MIN=1", "ELEV_FIELD_MAX=2", nullptr};
        if (GDALContourGenerateEx(band, lyr, const_cast<char**>(opts), nullptr, nullptr) != CE_None)
            throw GeoError("", "contours", "GDAL contouring failed: " + cpl_error());
        Geometry merged;
        merged.type = GeomType::Polygon;
        lyr->ResetReading();
        for (auto& f : *lyr) {
            if (f->GetFieldAsDouble(1) < L - 1e-12 * std::fabs(L)) continue; // the band below the level
            OGRGeometry* g = f->GetGeometryRef();
            if (!g) continue;
            auto* mp = g->toMultiPolygon();
            for (auto* poly : *mp) {
                Polygon pp;
                for (auto* ring : *poly) {
                    Ring rr(ring->getNumPoints());
                    for (int i = 0; i < ring->getNumPoints(); ++i) rr[i] = {ring->getX(i), ring->getY(i)};
                    pp.rings.push_back(std::move(rr));
                }
                merged.polygons.push_back(std::move(pp));
            }
        }
        if (merged.polygons.empty()) continue;
        if (!is_valid(merged)) merged = make_valid(merged);
        Feature feat;
        feat.geom = merged;
        double mass = 0;
        {
            VectorLayer one;
            one.type = GeomType::Polygon;
            one.features.push_back(feat);
            PolygonIndex idx(one);
            for (int row = 0; row < r.grid.height; ++row)
                for (int col = 0; col < r.grid.width; ++col) {
                    float v = r.at(col, row);
                    if (r.is_nodata(v) || v == 0) continue;
                    if (idx.locate(r.grid.col_center_x(col), r.grid.row_center_y(row)) >= 0) mass += v;
                }
        }
        feat.attrs = {L, std::isnan(levels[li].pv) ? AttrValue{} : AttrValue{levels[li].pv}, area(merged) / 1e6,
                      total > 0 ? mass / total : 0.0};
        out.features.push_back(std::move(feat));
    }
    progress(1.0, "contours done");
    return out;
}

} // namespace nexusmap
