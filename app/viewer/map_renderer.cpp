#include "viewer/map_renderer.hpp"

#include <algorithm>
#include <array>

#include "viewer/document.hpp"

namespace nexusmap::viewer {

void GpuLayer::upload(const LayerMesh& m, size_t n_features) {
    ox = m.ox;
    oy = m.oy;
    fill_vao = gl::VertexArray::create();
    fill_vao.bind();
    fill_vbo = gl::Buffer::create();
    fill_vbo.upload(GL_ARRAY_BUFFER, m.fill_verts.data(), m.fill_verts.size() * sizeof(float));
    fill_ebo = gl::Buffer::create();
    fill_ebo.upload(GL_ELEMENT_ARRAY_BUFFER, m.fill_idx.data(), m.fill_idx.size() * sizeof(uint32_t));
    gl::VertexArray::float_attr(0, 2, kFillStride, 0);
    gl::VertexArray::float_attr(1, 1, kFillStride, 2);
    fill_count = m.fill_idx.size();

    line_vao = gl::VertexArray::create();
    line_vao.bind();
    line_vbo = gl::Buffer::create();
    line_vbo.upload(GL_ARRAY_BUFFER, m.line_verts.data(), m.line_verts.size() * sizeof(float));
    line_ebo = gl::Buffer::create();
    line_ebo.upload(GL_ELEMENT_ARRAY_BUFFER, m.line_idx.data(), m.line_idx.size() * sizeof(uint32_t));
    gl::VertexArray::float_attr(0, 2, kLineStride, 0);
    gl::VertexArray::float_attr(1, 2, kLineStride, 2);
    gl::VertexArray::float_attr(2, 2, kLineStride, 4);
    gl::VertexArray::float_attr(3, 1, kLineStride, 6);
    line_count = m.line_idx.size();

    point_vao = gl::VertexArray::create();
    point_vao.bind();
    point_vbo = gl::Buffer::create();
    point_vbo.upload(GL_ARRAY_BUFFER, m.point_verts.data(), m.point_verts.size() * sizeof(float));
    gl::VertexArray::float_attr(0, 2, kPointStride, 0, 1);
    point_count = m.point_verts.size() / kPointStride;
    glBindVertexArray(0);

    colors_buf = gl::Buffer::create();
    colors_tex = gl::Texture::create();
    set_feature_colors(std::vector<float>(std::max<size_t>(n_features, 1) * 4, 1.f));
    uploaded = true;
}

void GpuLayer::set_feature_colors(const std::vector<float>& rgba) {
    colors_buf.upload(GL_TEXTURE_BUFFER, rgba.data(), rgba.size() * sizeof(float), GL_DYNAMIC_DRAW);
    glBindTexture(GL_TEXTURE_BUFFER, colors_tex.id());
    glTexBuffer(GL_TEXTURE_BUFFER, GL_RGBA32F, colors_buf.id());
    glBindTexture(GL_TEXTURE_BUFFER, 0);
    glBindBuffer(GL_TEXTURE_BUFFER, 0);
}

void GpuEvents::upload(const std::vector<float>& inst) {
    vao = gl::VertexArray::create();
    vao.bind();
    instances = gl::Buffer::create();
    instances.upload(GL_ARRAY_BUFFER, inst.data(), inst.size() * sizeof(float));
    gl::VertexArray::float_attr(0, 2, kEventStride, 0, 1);
    gl::VertexArray::float_attr(1, 4, kEventStride, 2, 1);
    glBindVertexArray(0);
    count = inst.size() / kEventStride;
    uploaded = true;
}

void GpuEvents::set_keep(const std::vector<uint8_t>& per_instance) {
    use_keep = !per_instance.empty();
    if (!use_keep) return;
    if (!keep_buf.id()) keep_buf = gl::Buffer::create();
    if (!keep_tex.id()) keep_tex = gl::Texture::create();
    keep_buf.upload(GL_TEXTURE_BUFFER, per_instance.data(), per_instance.size(), GL_DYNAMIC_DRAW);
    glBindTexture(GL_TEXTURE_BUFFER, keep_tex.id());
    glTexBuffer(GL_TEXTURE_BUFFER, GL_R8UI, keep_buf.id());
    glBindTexture(GL_TEXTURE_BUFFER, 0);
    glBindBuffer(GL_TEXTURE_BUFFER, 0);
}

void GpuEvents::bind_keep(const gl::Program& p) const {
    p.set("u_use_keep", use_keep ? 1 : 0);
    p.set("u_keep", 1);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_BUFFER, use_keep ? keep_tex.id() : 0);
    glActiveTexture(GL_TEXTURE0);
}

void sync_categories(MapLayer& l) {
    if (l.cats_for == l.style.category_field || !uploaded(l.gpu)) return;
    l.cats_for = l.style.category_field;
    if (l.style.category_field < 0 || size_t(l.style.category_field) >= l.data.fields.size()) {
        l.cats = {};
        return;
    }
    l.cats = categorize(l.data, l.data.fields[size_t(l.style.category_field)]);
    std::vector<float> rgba(std::max<size_t>(l.data.features.size(), 1) * 4, 1.f);
    for (size_t f = 0; f < l.cats.of_feature.size(); ++f) {
        const auto c = category_color(l.cats.of_feature[f]);
        std::copy(c.begin(), c.end(), rgba.begin() + long(f * 4));
    }
    l.gpu->set_feature_colors(rgba);
}

void MapRenderer::init() {
    fill_ = gl::Program::load("map_fill");
    line_ = gl::Program::load("map_line");
    events_ = gl::Program::load("events");
}

void set_type_mask(const gl::Program& p, const std::vector<bool>& type_on) {
    std::array<GLuint, 8> mask;
    mask.fill(0xffffffffu);
    for (size_t t = 0; t < type_on.size() && t < 256; ++t)
        if (!type_on[t]) mask[t >> 5] &= ~(1u << (t & 31));
    glUniform1uiv(p.loc("u_type_mask"), 8, mask.data());
}

namespace {
// View uniforms for geometry stored relative to (ox, oy).
void set_view(const gl::Program& p, const ViewTransform& v, double ox, double oy) {
    p.set("u_center", float(v.cx - ox), float(v.cy - oy));
    p.set("u_scale", float(v.ndc_sx()), float(v.ndc_sy()));
    p.set("u_px_to_ndc", float(2.0 / v.vw), float(2.0 / v.vh));
}
void set_palette(const gl::Program& p) {
    std::array<float, 30> pal;
    for (int i = 0; i < 10; ++i) {
        const auto c = category_color(i);
        std::copy(c.begin(), c.end(), pal.begin() + i * 3);
    }
    glUniform3fv(p.loc("u_palette"), 10, pal.data());
}
} // namespace

void MapRenderer::draw_layer(MapLayer& layer, const ViewTransform& view) {
    const LayerStyle& s = layer.style;
    if (!s.visible || !uploaded(layer.gpu)) return;
    GpuLayer& g = *layer.gpu;
    const bool per_feature = s.category_field >= 0;
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_BUFFER, g.colors_tex.id());
    if (s.fill && g.fill_count) {
        fill_.use();
        set_view(fill_, view, g.ox, g.oy);
        fill_.set("u_color", s.fill_color[0], s.fill_color[1], s.fill_color[2], s.fill_color[3]);
        fill_.set("u_use_feature_colors", per_feature ? 1 : 0);
        fill_.set("u_feature_colors", 0);
        fill_.set("u_opacity", s.opacity);
        g.fill_vao.bind();
        glDrawElements(GL_TRIANGLES, GLsizei(g.fill_count), GL_UNSIGNED_INT, nullptr);
    }
    // Lines of line layers take the category colours; polygon outlines keep the line colour.
    const bool line_categories = per_feature && g.fill_count == 0;
    if ((s.outline || g.fill_count == 0) && g.line_count) {
        line_.use();
        set_view(line_, view, g.ox, g.oy);
        line_.set("u_color", s.line_color[0], s.line_color[1], s.line_color[2], s.line_color[3]);
        line_.set("u_use_feature_colors", line_categories ? 1 : 0);
        line_.set("u_feature_colors", 0);
        line_.set("u_half_width_px", 0.5f * s.line_width);
        line_.set("u_opacity", s.opacity);
        g.line_vao.bind();
        glDrawElements(GL_TRIANGLES, GLsizei(g.line_count), GL_UNSIGNED_INT, nullptr);
    }
    if (g.point_count) {
        events_.use();
        set_view(events_, view, g.ox, g.oy);
        events_.set("u_radius_px", s.point_size);
        events_.set("u_all_time", 1);
        events_.set("u_day_range", 0.f, 0.f);
        set_type_mask(events_, {});
        events_.set("u_color_by_type", 0);
        events_.set("u_use_keep", 0);
        events_.set("u_color", s.line_color[0], s.line_color[1], s.line_color[2], s.line_color[3]);
        events_.set("u_opacity", s.opacity);
        g.point_vao.bind();
        glVertexAttrib4f(1, 0.f, 0.f, 1.f, 0.f); // attribute 1 is off in this VAO: constant attrs
        glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, GLsizei(g.point_count));
    }
    glBindVertexArray(0);
    glBindTexture(GL_TEXTURE_BUFFER, 0);
}

void MapRenderer::draw_events(EventSet& ev, const ViewTransform& view) {
    if (!ev.style.visible || !uploaded(ev.gpu) || !ev.gpu->count) return;
    // Another display CRS: its own positions (same instances, same keep texture).
    const bool disp = uploaded(ev.display_gpu) && ev.display_gpu->count == ev.gpu->count;
    events_.use();
    if (disp)
        set_view(events_, view, ev.dox, ev.doy);
    else
        set_view(events_, view, ev.ox, ev.oy);
    events_.set("u_radius_px", ev.style.radius_px);
    events_.set("u_all_time", ev.window.all ? 1 : 0);
    events_.set("u_day_range", float(ev.window.day_lo()), float(ev.window.day_hi()));
    set_type_mask(events_, ev.type_on);
    ev.gpu->bind_keep(events_);
    events_.set("u_color_by_type", ev.style.color_by_type ? 1 : 0);
    set_palette(events_);
    const Color& c = ev.style.color;
    events_.set("u_color", c[0], c[1], c[2], c[3]);
    events_.set("u_opacity", ev.style.opacity);
    (disp ? *ev.display_gpu : *ev.gpu).vao.bind();
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, GLsizei(ev.gpu->count));
    glBindVertexArray(0);
}

} // namespace nexusmap::viewer
