#pragma once
#include "nexusmap/style.hpp"
// CPU-side meshes of a vector layer, built once on a loader thread and uploaded as they are.
// Pure logic (no GL). Positions are floats relative to the layer's origin (its bbox centre) so
// metre-sized detail survives float32 even 3000 km from the CRS origin.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "nexusmap/layers.hpp"
#include "viewer/triangulate.hpp"

namespace nexusmap::viewer {

struct LayerMesh {
    double ox = 0, oy = 0;
    // Fills: x, y, feature per vertex; triangles.
    std::vector<float> fill_verts;
    std::vector<uint32_t> fill_idx;
    // Outline strips: x, y, dir x, dir y, side (+-1), cap (-1 at the segment start, +1 at the end),
    // feature. The vertex shader pushes each vertex sideways by half the line width in pixels.
    std::vector<float> line_verts;
    std::vector<uint32_t> line_idx;
    // Point sprites (one instance each): x, y, feature.
    std::vector<float> point_verts;
    double fill_area = 0; // sum of triangle areas (m^2), for the info read-out
};

inline constexpr int kLineStride = 7, kFillStride = 3, kPointStride = 3;

namespace mesh_detail {
inline void add_polyline(LayerMesh& m, const std::vector<Vec2>& pts, float feature) {
    for (size_t k = 0; k + 1 < pts.size(); ++k) {
        const Vec2 a = pts[k], b = pts[k + 1];
        if (!std::isfinite(a.x) || !std::isfinite(a.y) || !std::isfinite(b.x) || !std::isfinite(b.y))
            continue;
        const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
        if (!(len > 0)) continue;
        const float ux = float(dx / len), uy = float(dy / len);
        const uint32_t base = uint32_t(m.line_verts.size() / kLineStride);
        const float ax = float(a.x - m.ox), ay = float(a.y - m.oy), bx = float(b.x - m.ox),
                    by = float(b.y - m.oy);
        const float v[4][kLineStride] = {{ax, ay, ux, uy, +1, -1, feature},
                                         {ax, ay, ux, uy, -1, -1, feature},
                                         {bx, by, ux, uy, +1, +1, feature},
                                         {bx, by, ux, uy, -1, +1, feature}};
        for (auto& row : v)
            m.line_verts.insert(m.line_verts.end(), row, row + kLineStride);
        for (uint32_t i : {0u, 1u, 2u, 2u, 1u, 3u})
            m.line_idx.push_back(base + i);
    }
}
} // namespace mesh_detail

// `should_stop` is polled between features so a cancelled load ends promptly.
template <class StopFn = bool (*)()>
LayerMesh build_layer_mesh(
    const VectorLayer& layer, StopFn should_stop = [] { return false; }) {
    LayerMesh m;
    BBox b = layer.bbox();
    if (b.xmax >= b.xmin) {
        m.ox = 0.5 * (b.xmin + b.xmax);
        m.oy = 0.5 * (b.ymin + b.ymax);
    }
    std::vector<Vec2> tri_pts;
    std::vector<uint32_t> tri_idx;
    for (size_t f = 0; f < layer.features.size(); ++f) {
        if (should_stop()) break;
        const Geometry& g = layer.features[f].geom;
        const float fid = float(f);
        for (const Polygon& poly : g.polygons) {
            tri_pts.clear();
            tri_idx.clear();
            triangulate_polygon(poly, tri_pts, tri_idx);
            m.fill_area += triangles_area(tri_pts, tri_idx);
            const uint32_t base = uint32_t(m.fill_verts.size() / kFillStride);
            for (const Vec2& p : tri_pts) {
                m.fill_verts.push_back(float(p.x - m.ox));
                m.fill_verts.push_back(float(p.y - m.oy));
                m.fill_verts.push_back(fid);
            }
            for (uint32_t i : tri_idx)
                m.fill_idx.push_back(base + i);
            for (const Ring& r : poly.rings)
                mesh_detail::add_polyline(m, r, fid);
        }
        for (const LineString& l : g.lines)
            mesh_detail::add_polyline(m, l, fid);
        for (const Vec2& p : g.points) {
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
            m.point_verts.push_back(float(p.x - m.ox));
            m.point_verts.push_back(float(p.y - m.oy));
            m.point_verts.push_back(fid);
        }
    }
    return m;
}

// Categorical colouring: the distinct values of `field` (sorted), and each feature's index
// into them (-1 when the field is absent).
struct Categories {
    std::vector<std::string> names;
    std::vector<int> of_feature;
};
inline Categories categorize(const VectorLayer& layer, const std::string& field) {
    Categories c;
    c.of_feature.assign(layer.features.size(), -1);
    const int fi = layer.field_index(field);
    if (fi < 0) return c;
    std::map<std::string, int> ids;
    for (size_t f = 0; f < layer.features.size(); ++f) {
        const auto& attrs = layer.features[f].attrs;
        ids.emplace(size_t(fi) < attrs.size() ? attr_to_string(attrs[size_t(fi)]) : std::string(), 0);
    }
    int k = 0;
    for (auto& [name, id] : ids) {
        id = k++;
        c.names.push_back(name);
    }
    for (size_t f = 0; f < layer.features.size(); ++f) {
        const auto& attrs = layer.features[f].attrs;
        c.of_feature[f] = ids[size_t(fi) < attrs.size() ? attr_to_string(attrs[size_t(fi)]) : std::string()];
    }
    return c;
}

// Qualitative palette for categories and event types: geo's shared style model (Tableau 10).
inline std::array<float, 3> category_color(int i) {
    const style::Rgb c = style::category_color(i);
    return {c.r, c.g, c.b};
}

} // namespace nexusmap::viewer
