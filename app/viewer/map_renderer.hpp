#pragma once
// Draws vector layers (fills, outline strips, point sprites) and event sprites from GPU buffers.
#include <cstddef>
#include <memory>
#include <vector>

#include "gl/resources.hpp"
#include "gl/shader.hpp"
#include "viewer/layer_mesh.hpp"
#include "viewer/view_transform.hpp"

namespace nexusmap::viewer {

struct MapLayer;
struct EventSet;

// One layer's buffers; built from a LayerMesh once, after loading.
struct GpuLayer {
    double ox = 0, oy = 0;
    gl::VertexArray fill_vao, line_vao, point_vao;
    gl::Buffer fill_vbo, fill_ebo, line_vbo, line_ebo, point_vbo;
    size_t fill_count = 0, line_count = 0, point_count = 0;
    // Per-feature colours (RGBA32F texture buffer) for categorical styling.
    gl::Buffer colors_buf;
    gl::Texture colors_tex;
    bool uploaded = false;
    void upload(const LayerMesh& m, size_t n_features);
    void set_feature_colors(const std::vector<float>& rgba);
};

// The events' per-instance buffer: x, y (relative to the set's origin), day, type, weight,
// fatalities. Shared by the point sprites and the heat splats.
struct GpuEvents {
    gl::Buffer instances;
    gl::VertexArray vao;
    size_t count = 0;
    bool uploaded = false;
    void upload(const std::vector<float>& inst);
    // Attribute filter per instance (R8UI texture buffer, 0 = hidden); empty = all shown.
    gl::Buffer keep_buf;
    gl::Texture keep_tex;
    bool use_keep = false;
    void set_keep(const std::vector<uint8_t>& per_instance);
    // Binds the keep texture to unit 1 and sets u_keep / u_use_keep of `p` (events, heat splat).
    void bind_keep(const gl::Program& p) const;
};
inline constexpr int kEventStride = 6;

// A document item's GPU object, made on first use (main thread).
template <class T> T& made(std::shared_ptr<T>& p) {
    if (!p) p = std::make_shared<T>();
    return *p;
}
template <class T> bool uploaded(const std::shared_ptr<T>& p) { return p && p->uploaded; }
inline size_t count_of(const std::shared_ptr<GpuEvents>& p) { return p ? p->count : 0; }

class MapRenderer {
  public:
    void init(); // compiles the programs; throws std::runtime_error
    void draw_layer(MapLayer& layer, const ViewTransform& view);
    void draw_events(EventSet& ev, const ViewTransform& view);
    const gl::Program& events_program() const { return events_; }

  private:
    gl::Program fill_, line_, events_;
    gl::VertexArray empty_vao_;
};

// Rebuilds a layer's per-feature colours when its categorical field changed (main thread).
void sync_categories(MapLayer& layer);

// Fills the per-type bit mask uniform (256 types) shared by events.vert and heat_splat.vert.
void set_type_mask(const gl::Program& p, const std::vector<bool>& type_on);

} // namespace nexusmap::viewer
