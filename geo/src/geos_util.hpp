#pragma once
// GEOS (reentrant C API) with one context per thread and unique_ptr-owned geometries.
#include <geos_c.h>

#include <memory>
#include <string>

#include "nexusmap/layers.hpp"

namespace nexusmap::detail {

GEOSContextHandle_t geos_ctx(); // the calling thread's context

struct GeosGeomDeleter {
    void operator()(GEOSGeometry* g) const { GEOSGeom_destroy_r(geos_ctx(), g); }
};
using GeosPtr = std::unique_ptr<GEOSGeometry, GeosGeomDeleter>;
struct GeosPreparedDeleter {
    void operator()(const GEOSPreparedGeometry* g) const { GEOSPreparedGeom_destroy_r(geos_ctx(), g); }
};
using GeosPreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, GeosPreparedDeleter>;
struct GeosStrTreeDeleter {
    void operator()(GEOSSTRtree* t) const { GEOSSTRtree_destroy_r(geos_ctx(), t); }
};
using GeosStrTreePtr = std::unique_ptr<GEOSSTRtree, GeosStrTreeDeleter>;

// Plain geometry -> GEOS (rings are closed if needed). Throws GeoError on failure.
GeosPtr to_geos(const Geometry& g);
// GEOS -> plain geometry of the given dimension (other dimensions dropped).
Geometry from_geos(const GEOSGeometry* g);
GeosPtr geos_point(double x, double y);
GeosPtr geos_line(const LineString& l);
std::string geos_last_error();

} // namespace nexusmap::detail
