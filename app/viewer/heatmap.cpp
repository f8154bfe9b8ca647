#include "viewer/heatmap.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "nexusmap/density.hpp"
#include "viewer/display_crs.hpp"
#include "viewer/document.hpp"
#include "viewer/kernel_shapes.hpp"
#include "viewer/map_renderer.hpp"

namespace nexusmap::viewer {

void HeatmapRenderer::init() {
    splat_ = gl::Program::load("heat_splat");
    color_ = gl::Program::load("heat_color");
    fbo_ = gl::Framebuffer::create();
    tex_ = gl::Texture::create();
    ramp_tex_ = gl::Texture::create();
    quad_vao_ = gl::VertexArray::create();
}

bool HeatmapRenderer::update(const EventSet& ev, const HeatParams& p) {
    if (!uploaded(ev.gpu) || ev.gpu->count == 0) {
        valid_ = false;
        return false;
    }
    // Everything the splat depends on; re-splat only when it changes.
    std::vector<double> key = {double(kernel_code(p.kernel)),
                               p.bandwidth_km,
                               double(int(p.weight)),
                               double(ev.window.all),
                               double(ev.window.start),
                               double(ev.window.length),
                               double(ev.gpu->count),
                               ev.ox,
                               ev.oy};
    for (bool on : ev.type_on)
        key.push_back(on);
    key.push_back(double(ev.filter_version)); // country / actor / fatality filters
    if ((valid_ || cpu_pending_) && key == key_) return false;
    key_ = std::move(key);

    const auto t0 = std::chrono::steady_clock::now();
    const double h = p.bandwidth_km * 1000.0;
    const double support = kernel_support(p.kernel, h);
    // Grid over all events (not just the filtered ones, so it does not jump while playing),
    // padded by the support; ~8 cells per bandwidth, at most 2048 cells a side.
    BBox b = BBox::inverted();
    for (size_t i = 0; i < ev.table.x.size(); ++i)
        if (std::isfinite(ev.table.x[i]) && std::isfinite(ev.table.y[i]))
            b.expand(ev.table.x[i], ev.table.y[i]);
    if (b.xmax < b.xmin) {
        valid_ = false;
        return false;
    }
    GLint max_tex = 2048;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_tex);
    const int max_side = std::min(2048, int(max_tex));
    const double span = std::max(b.width(), b.height()) + 2 * support;
    const double cell = std::max(h / 8.0, span / (max_side - 2));
    GridSpec g;
    g.cell = cell;
    g.xmin = std::floor((b.xmin - support) / cell) * cell;
    const double ymin = std::floor((b.ymin - support) / cell) * cell;
    g.width = std::max(1, int(std::ceil((b.xmax + support - g.xmin) / cell)));
    g.height = std::max(1, int(std::ceil((b.ymax + support - ymin) / cell)));
    g.ymax = ymin + g.height * cell;
    if (cpu_backend_) {
        pending_grid_ = g;
        cpu_pending_ = true;
        ++cpu_gen_;
        cpu_t0_ms_ = std::chrono::duration<double, std::milli>(t0.time_since_epoch()).count();
        return true;
    }
    grid_ = g;
    allocate_texture(grid_.width, grid_.height);
    if (cpu_splat_) {
        splat_on_cpu(ev, p);
        ++uploads_;
        splat_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        valid_ = true;
        return true;
    }

    GLint prev_fbo = 0, prev_vp[4];
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo);
    glGetIntegerv(GL_VIEWPORT, prev_vp);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_.id());
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex_.id(), 0);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(prev_fbo));
        valid_ = false;
        return false;
    }
    glViewport(0, 0, grid_.width, grid_.height);
    glDisable(GL_SCISSOR_TEST);
    glClearColor(0, 0, 0, 0);
    glClear(GL_COLOR_BUFFER_BIT);
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFunc(GL_ONE, GL_ONE); // additive: the grid is the sum of all kernels

    splat_.use();
    const double gw = grid_.width * cell, gh = grid_.height * cell;
    splat_.set("u_grid_center", float(grid_.xmin + gw / 2 - ev.ox), float(ymin + gh / 2 - ev.oy));
    splat_.set("u_grid_scale", float(2.0 / gw), float(2.0 / gh));
    splat_.set("u_extent_m", float(std::max(support, 1.5 * cell)));
    splat_.set("u_all_time", ev.window.all ? 1 : 0);
    splat_.set("u_day_range", float(ev.window.day_lo()), float(ev.window.day_hi()));
    set_type_mask(splat_, ev.type_on);
    ev.gpu->bind_keep(splat_);
    splat_.set("u_weight_mode", int(p.weight));
    splat_.set("u_kernel", kernel_code(p.kernel));
    splat_.set("u_h", float(h));
    splat_.set("u_support", float(support));
    // geo's own normalisation (per m^2 at r = 0) scaled to km^2: the GPU and the exact KDE
    // agree by construction; tests check the shapes.
    splat_.set("u_norm", float(kernel_value(p.kernel, 0.0, h) * 1e6));
    ev.gpu->vao.bind();
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, GLsizei(ev.gpu->count));
    glBindVertexArray(0);

    // One read-back per re-splat gives the auto range and the hover read-out.
    cpu_.assign(grid_.size(), 0.f);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    glReadPixels(0, 0, grid_.width, grid_.height, GL_RED, GL_FLOAT, cpu_.data());
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(prev_fbo));
    glViewport(prev_vp[0], prev_vp[1], prev_vp[2], prev_vp[3]);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);

    max_ = 0;
    ++uploads_;
    double sum = 0;
    for (float v : cpu_) {
        max_ = std::max(max_, double(v));
        sum += v;
    }
    integral_ = sum * (cell / 1000.0) * (cell / 1000.0);
    splat_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    valid_ = true;
    return true;
}

void HeatmapRenderer::splat_on_cpu(const EventSet& ev, const HeatParams& p) {
    const EventTable& t = ev.table;
    const double h = p.bandwidth_km * 1000.0, support = kernel_support(p.kernel, h), cell = grid_.cell;
    const double norm = kernel_value(p.kernel, 0.0, h) * 1e6; // per km^2, as the shader's u_norm
    const double xmin = grid_.xmin, ymin = grid_.ymin();
    const int W = grid_.width, H = grid_.height;
    // The events the shader would draw: finite, passing the filters, non-zero weight.
    struct Pt {
        double x, y, w;
    };
    std::vector<Pt> pts;
    pts.reserve(t.size());
    for (size_t i = 0; i < t.size(); ++i) {
        if (!std::isfinite(t.x[i]) || !std::isfinite(t.y[i]) || !ev.passes(i)) continue;
        const double w = p.weight == WeightMode::Count          ? 1.0
                         : p.weight == WeightMode::WeightColumn ? (t.weight.empty() ? 1.0 : double(t.weight[i]))
                                                                 : (t.fatalities.empty() ? 0.0 : double(t.fatalities[i]));
        if (w != 0) pts.push_back({t.x[i], t.y[i], w});
    }
    std::vector<double> acc(size_t(W) * size_t(H), 0.0); // bottom row first, like the texture
    const int reach = int(std::ceil(support / cell)) + 1;
    // Rows in bands, one per thread: no two threads write the same cell.
    auto band = [&](int r0, int r1) {
        std::vector<double> ys(size_t(2 * reach + 1)), xs(size_t(2 * reach + 1));
        for (const Pt& e : pts) {
            const int ci = int(std::floor((e.x - xmin) / cell)), cj = int(std::floor((e.y - ymin) / cell));
            const int j0 = std::max(r0, cj - reach), j1 = std::min(r1 - 1, cj + reach);
            const int i0 = std::max(0, ci - reach), i1 = std::min(W - 1, ci + reach);
            if (j0 > j1 || i0 > i1) continue;
            for (int i = i0; i <= i1; ++i) {
                const double dx = xmin + (i + 0.5) * cell - e.x;
                xs[size_t(i - i0)] = dx * dx;
            }
            for (int j = j0; j <= j1; ++j) {
                const double dy = ymin + (j + 0.5) * cell - e.y;
                ys[size_t(j - j0)] = dy * dy;
            }
            const double s2 = support * support, ih2 = 1.0 / (h * h), wn = e.w * norm;
            for (int j = j0; j <= j1; ++j) {
                double* row = &acc[size_t(j) * size_t(W)];
                const double dy2 = ys[size_t(j - j0)];
                for (int i = i0; i <= i1; ++i) {
                    const double r2 = xs[size_t(i - i0)] + dy2;
                    if (r2 >= s2) continue; // the shader's `r >= u_support` discard
                    row[i] += wn * kernel_shape(p.kernel, std::sqrt(r2 * ih2));
                }
            }
        }
    };
    const int threads = std::clamp(int(std::thread::hardware_concurrency()), 1, 4);
    if (threads == 1 || pts.size() * size_t(reach) < 20000) {
        band(0, H);
    } else {
        std::vector<std::thread> pool;
        for (int k = 0; k < threads; ++k)
            pool.emplace_back(band, H * k / threads, H * (k + 1) / threads);
        for (auto& th : pool) th.join();
    }
    cpu_.resize(acc.size());
    double mx = 0, sum = 0;
    for (size_t k = 0; k < acc.size(); ++k) {
        cpu_[k] = float(acc[k]);
        mx = std::max(mx, double(cpu_[k]));
        sum += cpu_[k];
    }
    glBindTexture(GL_TEXTURE_2D, tex_.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, W, H, GL_RED, GL_FLOAT, cpu_.data());
    glBindTexture(GL_TEXTURE_2D, 0);
    max_ = mx;
    integral_ = sum * (cell / 1000.0) * (cell / 1000.0);
}

void HeatmapRenderer::allocate_texture(int w, int h) {
    glBindTexture(GL_TEXTURE_2D, tex_.id());
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, w, h, 0, GL_RED, GL_FLOAT, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, 0);
}

bool HeatmapRenderer::show_cpu_raster(const Raster& r, uint64_t gen) {
    const GridSpec& g = pending_grid_;
    if (!cpu_backend_ || !cpu_pending_ || gen != cpu_gen_ || r.grid.width != g.width || r.grid.height != g.height ||
        std::fabs(r.grid.xmin - g.xmin) > 1e-6 * g.cell || std::fabs(r.grid.ymax - g.ymax) > 1e-6 * g.cell)
        return false;
    if (!valid_ || grid_.width != g.width || grid_.height != g.height) allocate_texture(g.width, g.height);
    grid_ = g;
    upload(r);
    cpu_pending_ = false;
    showing_raster_ = false; // this is the live heat, not the "exact" overlay
    valid_ = true;
    splat_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count() - cpu_t0_ms_;
    return true;
}

bool HeatmapRenderer::show_raster(const Raster& r) {
    if (!valid_ || r.grid.width != grid_.width || r.grid.height != grid_.height ||
        std::fabs(r.grid.xmin - grid_.xmin) > 1e-6 * grid_.cell || std::fabs(r.grid.ymax - grid_.ymax) > 1e-6 * grid_.cell)
        return false;
    upload(r);
    showing_raster_ = true;
    return true;
}

void HeatmapRenderer::upload(const Raster& r) {
    // GL rows run bottom-up; geo's row 0 is north.
    std::vector<float> up(grid_.size());
    double mx = 0, sum = 0;
    for (int row = 0; row < grid_.height; ++row)
        for (int col = 0; col < grid_.width; ++col) {
            float v = r.at(col, row);
            if (r.is_nodata(v)) v = 0.f;
            up[size_t(grid_.height - 1 - row) * grid_.width + col] = v;
            mx = std::max(mx, double(v));
            sum += v;
        }
    glBindTexture(GL_TEXTURE_2D, tex_.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, grid_.width, grid_.height, GL_RED, GL_FLOAT, up.data());
    glBindTexture(GL_TEXTURE_2D, 0);
    cpu_ = std::move(up);
    max_ = mx;
    ++uploads_;
    integral_ = sum * (grid_.cell / 1000.0) * (grid_.cell / 1000.0);
}

ValueScale HeatmapRenderer::value_scale(const HeatParams& p) const {
    return resolve_heat_range(p.range, p.scale, windowed_, max_, fixed_max_,
                              p.range == HeatRangeMode::FitView ? view_max() : 0.0, p.lo, p.hi);
}

double HeatmapRenderer::view_max() const {
    if (cpu_.empty() || view_.empty()) return max_;
    if (view_max_uploads_ != uploads_ || view_max_for_.xmin != view_.xmin || view_max_for_.xmax != view_.xmax ||
        view_max_for_.ymin != view_.ymin || view_max_for_.ymax != view_.ymax) {
        view_max_ = max_in_view(grid_, [this](int c, int r) { return cell(c, r); }, view_);
        view_max_for_ = view_, view_max_uploads_ = uploads_;
    }
    return view_max_;
}

double HeatmapRenderer::sample(double x, double y) const {
    if (!valid_ || cpu_.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double ymin = grid_.ymin();
    const double fx = (x - grid_.xmin) / grid_.cell - 0.5, fy = (y - ymin) / grid_.cell - 0.5;
    if (fx < -0.5 || fy < -0.5 || fx > grid_.width - 0.5 || fy > grid_.height - 0.5)
        return std::numeric_limits<double>::quiet_NaN();
    // Same as GL_LINEAR with clamp-to-edge.
    const double cx = std::clamp(fx, 0.0, double(grid_.width - 1)),
                 cy = std::clamp(fy, 0.0, double(grid_.height - 1));
    const int x0 = int(cx), y0 = int(cy);
    const int x1 = std::min(x0 + 1, grid_.width - 1), y1 = std::min(y0 + 1, grid_.height - 1);
    const double tx = cx - x0, ty = cy - y0;
    auto at = [&](int c, int r) { return double(cpu_[size_t(r) * grid_.width + c]); };
    return (at(x0, y0) * (1 - tx) + at(x1, y0) * tx) * (1 - ty) +
           (at(x0, y1) * (1 - tx) + at(x1, y1) * tx) * ty;
}

std::vector<float> HeatmapRenderer::read_texture() const {
    std::vector<float> out;
    if (!valid_) return out;
    out.assign(grid_.size(), 0.f);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, tex_.id());
    glGetTexImage(GL_TEXTURE_2D, 0, GL_RED, GL_FLOAT, out.data());
    glBindTexture(GL_TEXTURE_2D, 0);
    return out;
}

void HeatmapRenderer::build_mesh(const DisplayChain* chain) {
    // The texture stays on the analysis-CRS grid (cell for cell the exact KDE, per equal-area km²);
    // for another display CRS it is drawn through an N x N mesh whose vertices are grid points
    // projected analysis -> display, so every texel lands where its analysis-CRS cell is. Between
    // vertices the warp is linear: with N = 128 a mesh cell is at most 1/128 of the grid, where the
    // projections' curvature is far below a pixel.
    const bool identity = !chain || chain->identity();
    const int n = identity ? 1 : 128;
    const double w = grid_.width * grid_.cell, h = grid_.height * grid_.cell, ymin = grid_.ymin();
    std::vector<double> xs, ys;
    xs.reserve(size_t(n + 1) * (n + 1));
    ys.reserve(xs.capacity());
    for (int j = 0; j <= n; ++j)
        for (int i = 0; i <= n; ++i) {
            xs.push_back(grid_.xmin + w * i / n);
            ys.push_back(ymin + h * j / n);
        }
    double cx = grid_.xmin + w / 2, cy = ymin + h / 2;
    if (!identity) {
        chain->from_analysis(xs.data(), ys.data(), xs.size());
        chain->from_analysis(cx, cy);
    }
    mox_ = cx;
    moy_ = cy;
    std::vector<float> verts;
    verts.reserve(xs.size() * 4);
    for (int j = 0; j <= n; ++j)
        for (int i = 0; i <= n; ++i) {
            const size_t k = size_t(j) * (n + 1) + i;
            verts.insert(verts.end(), {float(xs[k] - mox_), float(ys[k] - moy_), float(i) / n, float(j) / n});
        }
    std::vector<uint32_t> idx;
    idx.reserve(size_t(n) * n * 6);
    auto ok = [&](size_t k) { return std::isfinite(xs[k]) && std::isfinite(ys[k]); };
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
            const uint32_t a = uint32_t(j * (n + 1) + i), b = a + 1, c = a + uint32_t(n + 1), d = c + 1;
            if (!ok(a) || !ok(b) || !ok(c) || !ok(d)) continue; // outside the display CRS's domain
            idx.insert(idx.end(), {a, b, d, a, d, c});
        }
    if (!mesh_vao_.id()) {
        mesh_vao_ = gl::VertexArray::create();
        mesh_vbo_ = gl::Buffer::create();
        mesh_ebo_ = gl::Buffer::create();
    }
    mesh_vao_.bind();
    mesh_vbo_.upload(GL_ARRAY_BUFFER, verts.data(), verts.size() * sizeof(float));
    mesh_ebo_.upload(GL_ELEMENT_ARRAY_BUFFER, idx.data(), idx.size() * sizeof(uint32_t));
    gl::VertexArray::float_attr(0, 2, 4, 0);
    gl::VertexArray::float_attr(1, 2, 4, 2);
    glBindVertexArray(0);
    mesh_count_ = idx.size();
    mesh_n_ = n;
}

void HeatmapRenderer::draw(const ViewTransform& view, const HeatParams& p, const DisplayChain* chain,
                           int display_gen) {
    if (!valid_ || !p.visible) return;
    const std::vector<double> mkey = {grid_.xmin, grid_.ymax, grid_.cell, double(grid_.width),
                                      double(grid_.height), double(display_gen)};
    if (mkey != mesh_key_ || !mesh_vao_.id()) {
        build_mesh(chain);
        mesh_key_ = mkey;
    }
    if (ramp_loaded_ != int(p.ramp)) {
        const auto lut = ramp_lut(p.ramp);
        glBindTexture(GL_TEXTURE_2D, ramp_tex_.id());
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 256, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, lut.data());
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        ramp_loaded_ = int(p.ramp);
    }
    const ValueScale vs = value_scale(p);
    color_.use();
    color_.set("u_center", float(view.cx - mox_), float(view.cy - moy_));
    color_.set("u_scale", float(view.ndc_sx()), float(view.ndc_sy()));
    color_.set("u_scale_mode", int(p.scale));
    color_.set("u_lo", float(vs.effective_lo()));
    color_.set("u_hi", float(vs.hi));
    color_.set("u_threshold", float(std::max(0.0, double(p.threshold)) * vs.hi));
    color_.set("u_opacity", p.opacity);
    color_.set("u_heat", 0);
    color_.set("u_ramp", 1);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, tex_.id());
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, ramp_tex_.id());
    mesh_vao_.bind();
    glDrawElements(GL_TRIANGLES, GLsizei(mesh_count_), GL_UNSIGNED_INT, nullptr);
    glBindVertexArray(0);
    glBindTexture(GL_TEXTURE_2D, 0);
    glActiveTexture(GL_TEXTURE0);
}

} // namespace nexusmap::viewer
