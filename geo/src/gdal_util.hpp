#pragma once
// GDAL/OGR helpers private to geo/: one-time driver registration, RAII handles, error text.
#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <mutex>
#include <string>

namespace nexusmap::detail {

inline void gdal_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
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

struct OgrFeatureDeleter {
    void operator()(OGRFeature* f) const { OGRFeature::DestroyFeature(f); }
};
using OgrFeaturePtr = std::unique_ptr<OGRFeature, OgrFeatureDeleter>;

struct SrsDeleter {
    void operator()(OGRSpatialReference* s) const { s->Release(); }
};
using SrsPtr = std::unique_ptr<OGRSpatialReference, SrsDeleter>;

} // namespace nexusmap::detail
