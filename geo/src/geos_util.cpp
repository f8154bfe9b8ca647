#include "geos_util.hpp"

#include <cstdarg>
#include <cstdio>

#include "nexusmap/error.hpp"

namespace nexusmap::detail {

namespace {
thread_local std::string g_last_error;
void on_geos_message(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    g_last_error = buf;
}
void on_geos_notice(const char*, ...) {}
struct CtxHolder {
    GEOSContextHandle_t h;
    CtxHolder() : h(GEOS_init_r()) {
        GEOSContext_setErrorHandler_r(h, on_geos_message);
        GEOSContext_setNoticeHandler_r(h, on_geos_notice);
    }
    ~CtxHolder() { GEOS_finish_r(h); }
};
} // namespace

GEOSContextHandle_t geos_ctx() {
    thread_local CtxHolder holder;
    return holder.h;
}
std::string geos_last_error() { return g_last_error.empty() ? "unknown GEOS error" : g_last_error; }

namespace {
GEOSCoordSequence* seq_from(const std::vector<Vec2>& pts, bool close) {
    const bool add = close && !pts.empty() && (pts.front().x != pts.back().x || pts.front().y != pts.back().y);
    const size_t n = pts.size() + (add ? 1 : 0);
    GEOSCoordSequence* s = GEOSCoordSeq_create_r(geos_ctx(), static_cast<unsigned>(n), 2);
    for (size_t i = 0; i < pts.size(); ++i) GEOSCoordSeq_setXY_r(geos_ctx(), s, static_cast<unsigned>(i), pts[i].x, pts[i].y);
    if (add) GEOSCoordSeq_setXY_r(geos_ctx(), s, static_cast<unsigned>(n - 1), pts[0].x, pts[0].y);
    return s;
}
GEOSGeometry* polygon_from(const Polygon& p) {
    auto ctx = geos_ctx();
    if (p.rings.empty() || p.rings[0].size() < 3) return GEOSGeom_createEmptyPolygon_r(ctx);
    GEOSGeometry* shell = GEOSGeom_createLinearRing_r(ctx, seq_from(p.rings[0], true));
    if (!shell) throw GeoError("", "geometry", "bad polygon ring: " + geos_last_error());
    std::vector<GEOSGeometry*> holes;
    for (size_t i = 1; i < p.rings.size(); ++i) {
        if (p.rings[i].size() < 3) continue;
        GEOSGeometry* h = GEOSGeom_createLinearRing_r(ctx, seq_from(p.rings[i], true));
        if (h) holes.push_back(h);
    }
    return GEOSGeom_createPolygon_r(ctx, shell, holes.data(), static_cast<unsigned>(holes.size()));
}
void read_coords(const GEOSGeometry* g, std::vector<Vec2>& out) {
    const GEOSCoordSequence* s = GEOSGeom_getCoordSeq_r(geos_ctx(), g);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(geos_ctx(), s, &n);
    out.resize(n);
    for (unsigned i = 0; i < n; ++i) GEOSCoordSeq_getXY_r(geos_ctx(), s, i, &out[i].x, &out[i].y);
}
void collect(const GEOSGeometry* g, Geometry& out) {
    auto ctx = geos_ctx();
    int t = GEOSGeomTypeId_r(ctx, g);
    switch (t) {
    case GEOS_POINT:
        if (!GEOSisEmpty_r(ctx, g)) {
            double x, y;
            GEOSGeomGetX_r(ctx, g, &x);
            GEOSGeomGetY_r(ctx, g, &y);
            out.points.push_back({x, y});
        }
        break;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: {
        LineString l;
        read_coords(g, l);
        if (l.size() >= 2) out.lines.push_back(std::move(l));
        break;
    }
    case GEOS_POLYGON: {
        if (GEOSisEmpty_r(ctx, g)) break;
        Polygon p;
        p.rings.emplace_back();
        read_coords(GEOSGetExteriorRing_r(ctx, g), p.rings.back());
        int nh = GEOSGetNumInteriorRings_r(ctx, g);
        for (int i = 0; i < nh; ++i) {
            p.rings.emplace_back();
            read_coords(GEOSGetInteriorRingN_r(ctx, g, i), p.rings.back());
        }
        out.polygons.push_back(std::move(p));
        break;
    }
    default: {
        int n = GEOSGetNumGeometries_r(ctx, g);
        for (int i = 0; i < n; ++i) collect(GEOSGetGeometryN_r(ctx, g, i), out);
    }
    }
}
} // namespace

GeosPtr geos_point(double x, double y) { return GeosPtr(GEOSGeom_createPointFromXY_r(geos_ctx(), x, y)); }
GeosPtr geos_line(const LineString& l) {
    return GeosPtr(GEOSGeom_createLineString_r(geos_ctx(), seq_from(l, false)));
}

GeosPtr to_geos(const Geometry& g) {
    auto ctx = geos_ctx();
    std::vector<GEOSGeometry*> parts;
    int coll = GEOS_GEOMETRYCOLLECTION;
    switch (g.type) {
    case GeomType::Point:
        for (auto& p : g.points) parts.push_back(GEOSGeom_createPointFromXY_r(ctx, p.x, p.y));
        coll = GEOS_MULTIPOINT;
        break;
    case GeomType::Line:
        for (auto& l : g.lines)
            if (l.size() >= 2) parts.push_back(GEOSGeom_createLineString_r(ctx, seq_from(l, false)));
        coll = GEOS_MULTILINESTRING;
        break;
    case GeomType::Polygon:
        for (auto& p : g.polygons) parts.push_back(polygon_from(p));
        coll = GEOS_MULTIPOLYGON;
        break;
    case GeomType::None: break;
    }
    for (auto* p : parts)
        if (!p) throw GeoError("", "geometry", "cannot build GEOS geometry: " + geos_last_error());
    if (parts.size() == 1) return GeosPtr(parts[0]);
    return GeosPtr(GEOSGeom_createCollection_r(ctx, coll, parts.data(), static_cast<unsigned>(parts.size())));
}

Geometry from_geos(const GEOSGeometry* g) {
    Geometry out;
    collect(g, out);
    // Keep the highest dimension present (mixed results of overlay ops).
    if (!out.polygons.empty()) out.type = GeomType::Polygon, out.lines.clear(), out.points.clear();
    else if (!out.lines.empty()) out.type = GeomType::Line, out.points.clear();
    else if (!out.points.empty()) out.type = GeomType::Point;
    return out;
}

} // namespace nexusmap::detail
