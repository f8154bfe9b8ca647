#pragma once
// GDAL/OGR helpers private to geo/: one-time driver registration, RAII handles, error text.
#include <cpl_error.h>
#include <gdal_frmts.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <mutex>
#include <string>

namespace nexusmap::detail {

// The drivers nexusmap reads or writes; every other driver is removed after GDALAllRegister() (which
// also covers drivers built as plugins). Left out on purpose: VRT (a local .vrt can point at any
// file and at /vsicurl/ sources), GML (fetches remote schemas and xlinks), SQLite (SQL and
// extension loading), and every network/service driver (WMS, WFS, WCS, HTTP, PostgreSQL, ...).
// Each is registered by its own function (issue #17: GDALAllRegister() loads ~200 drivers and costs
// more than the rest of a small command's start-up).
struct AllowedDriver {
    const char* name;
    void (*reg)();
};
inline constexpr AllowedDriver kAllowedGdalDrivers[] = {
    {"GTiff", GDALRegister_GTiff}, {"COG", GDALRegister_COG}, // density/hot-spot rasters, read and written
    {"MEM", GDALRegister_MEM}, {"Memory", RegisterOGRMEM},    // in-memory rasters and layers (contours, COG staging)
    {"GPKG", RegisterOGRGeoPackage},                          // basemaps, layers, outputs
    // documented layer inputs
    {"GeoJSON", RegisterOGRGeoJSON}, {"ESRI Shapefile", RegisterOGRShape}, {"FlatGeobuf", RegisterOGRFlatGeobuf},
    // LIBKML before KML, as GDALAllRegister() orders them: the plain KML driver drops ExtendedData
    // attributes (a KML layer read back lost every field, data_kind included).
    {"LIBKML", RegisterOGRLIBKML}, {"KML", RegisterOGRKML}, {"CSV", RegisterOGRCSV},
    {"XLSX", RegisterOGRXLSX}, // ACLED's spreadsheet exports (a zip of XML; no external links followed)
};

// GDAL configuration that keeps every read local (issue #19): no /vsicurl/ fetches, no HTTP.
// check_input_path() refuses remote paths before GDAL sees them; these options are the second
// line for paths GDAL builds itself (e.g. a sidecar named inside a file).
inline void gdal_network_off() {
    CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".nexusmap-network-disabled");
    CPLSetConfigOption("GDAL_HTTP_MAX_RETRY", "0");
    CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
    CPLSetConfigOption("GDAL_HTTP_CONNECTTIMEOUT", "1");
    CPLSetConfigOption("GDAL_HTTP_PROXY", "127.0.0.1:9"); // discard port: any request that slips through fails
    CPLSetConfigOption("PROJ_NETWORK", "OFF");            // no CDN grid downloads through OSR
}

inline void gdal_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (const AllowedDriver& a : kAllowedGdalDrivers) a.reg();
        // Registering one driver can bring in another (a plugin's companion): keep only the list.
        GDALDriverManager* dm = GetGDALDriverManager();
        for (int i = dm->GetDriverCount() - 1; i >= 0; --i) {
            GDALDriver* d = dm->GetDriver(i);
            const std::string name = d->GetDescription();
            bool keep = false;
            for (const AllowedDriver& a : kAllowedGdalDrivers) keep = keep || name == a.name;
            if (!keep) {
                dm->DeregisterDriver(d); // GDALDestroyDriver requires a deregistered driver
                GDALDestroyDriver(d);
            }
        }
        gdal_network_off();
        CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", "0"); // large single-feature GeoJSON files
    });
}

inline std::string cpl_error() {
    const char* m = CPLGetLastErrorMsg();
    return (m && *m) ? std::string(m) : std::string("unknown GDAL error");
}

// Silences GDAL's default stderr handler for a scope; errors are still read with cpl_error().
struct QuietGdal {
    QuietGdal() { CPLPushErrorHandler(CPLQuietErrorHandler); }
    ~QuietGdal() { CPLPopErrorHandler(); }
};

// The CRS for a GDAL writer from WKT, with traditional GIS axis order. A projected CRS without a
// name (a bare PROJ string given to --crs) is named after `definition` via OSR, so QGIS and
// gdalsrsinfo show "nexusmap <definition>" instead of "unnamed"/"unknown"; the numbers are unchanged.
inline OGRSpatialReference named_srs(const std::string& wkt, const std::string& definition) {
    OGRSpatialReference srs;
    if (!wkt.empty()) srs.importFromWkt(wkt.c_str());
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const char* n = srs.GetName();
    const std::string name = n ? n : "";
    if (srs.IsProjected() && (name.empty() || name == "unknown" || name == "unnamed"))
        srs.SetProjCS(("nexusmap " + (definition.empty() ? std::string("analysis CRS") : definition)).c_str());
    return srs;
}

struct OgrFeatureDeleter {
    void operator()(OGRFeature* f) const { OGRFeature::DestroyFeature(f); }
};
using OgrFeaturePtr = std::unique_ptr<OGRFeature, OgrFeatureDeleter>;

struct SrsDeleter {
    void operator()(OGRSpatialReference* s) const { s->Release(); }
};
using SrsPtr = std::unique_ptr<OGRSpatialReference, SrsDeleter>;

} // namespace nexusmap::detail
