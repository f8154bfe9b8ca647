#pragma once
// GPU kernel density: events are splatted into an R32F grid fixed in map space (so pan/zoom is
// free and only kernel, bandwidth or filter changes re-splat), then colour-mapped on screen.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gl/resources.hpp"
#include "gl/shader.hpp"
#include "nexusmap/raster.hpp"
#include "viewer/colormap.hpp"
#include "viewer/view_transform.hpp"

namespace nexusmap::viewer {

struct EventSet;
struct HeatParams;
class DisplayChain;

class HeatmapRenderer {
  public:
    void init();
    // Re-splats when the inputs changed; returns true when it did.
    bool update(const EventSet& ev, const HeatParams& p);
    // `chain` maps the analysis-CRS grid to the display CRS the view is in (null = identity);
    // `display_gen` changes whenever the display CRS does (the warp mesh is rebuilt then).
    void draw(const ViewTransform& view, const HeatParams& p, const DisplayChain* chain = nullptr,
              int display_gen = 0);
    // Reads the splatted R32F texture back from the GPU now (glGetTexImage), bottom row first.
    std::vector<float> read_texture() const;
    // Vertices per side of the last warp mesh (2 for the equal-area display).
    int mesh_side() const { return mesh_n_ + 1; }
    // Replaces the splatted grid by geo's exact raster on the same grid (export-grade view);
    // returns false when the grids differ. invalidate() brings the GPU splat back.
    bool show_raster(const Raster& r);
    bool showing_raster() const { return showing_raster_; }
    void invalidate() {
        showing_raster_ = false;
        valid_ = false;
        key_.clear();
    }

    // CPU backend (a software OpenGL such as llvmpipe with many events, or --heat-backend cpu):
    // splatting a million kernels in software takes seconds, geo's KDE a fraction of one. update()
    // then only works out the grid; the App computes geo's KDE on it on a worker and hands the
    // result to show_cpu_raster(). The previous picture stays on screen until then.
    void set_cpu_backend(bool on) {
        if (on != cpu_backend_) {
            cpu_backend_ = on;
            cpu_pending_ = false;
            key_.clear(); // recompute with the other backend
        }
    }
    bool cpu_backend() const { return cpu_backend_; }
    // Software OpenGL with the GPU backend: the same kernel sums computed on the CPU inside
    // update() (llvmpipe rasterises the splat quads ~5x slower than a loop over the cells; issue
    // #17). Same grid, same values as the shader, uploaded as a texture.
    void set_cpu_splat(bool on) {
        if (on != cpu_splat_) cpu_splat_ = on, key_.clear();
    }
    bool cpu_splat() const { return cpu_splat_; }
    bool cpu_pending() const { return cpu_pending_; }
    uint64_t cpu_generation() const { return cpu_gen_; }
    const GridSpec& pending_grid() const { return pending_grid_; }
    // Accepts the raster computed for generation `gen` (older ones are dropped); false otherwise.
    bool show_cpu_raster(const Raster& r, uint64_t gen);

    bool valid() const { return valid_; }
    // The grid in geo's convention (row 0 north) so exact KDE results line up cell for cell.
    const GridSpec& grid() const { return grid_; }
    // Density (per km^2) at cell (col, row) with row 0 north, as splatted.
    float cell(int col, int row) const { return cpu_[size_t(grid_.height - 1 - row) * grid_.width + col]; }
    double max_value() const { return max_; }
    double integral() const { return integral_; } // sum * cell area in km^2: the weight total
    double splat_ms() const { return splat_ms_; }
    uint64_t uploads() const { return uploads_; } // bumped by every new picture of the grid
    // Bilinear density at a map point (what the colour pass shows); NaN outside the grid.
    double sample(double x, double y) const;
    // The range the colour pass uses for `p` (heat_range.hpp: fixed over all periods, fit to view
    // or typed). The App feeds it the fixed maximum, the visible extent (analysis CRS) and whether
    // the time window is on.
    ValueScale value_scale(const HeatParams& p) const;
    void set_fixed_max(double v) { fixed_max_ = v; }
    double fixed_max() const { return fixed_max_; }
    void set_view(const BBox& b, bool windowed) { view_ = b, windowed_ = windowed; }
    bool windowed() const { return windowed_; }
    double view_max() const; // the largest cell in view (cached per view and upload)

  private:
    gl::Program splat_, color_;
    gl::Framebuffer fbo_;
    gl::Texture tex_, ramp_tex_;
    gl::VertexArray quad_vao_; // core profile needs a VAO bound even for attribute-less draws
    int ramp_loaded_ = -1;
    GridSpec grid_;
    std::vector<float> cpu_; // bottom row first (GL order)
    double max_ = 0, integral_ = 0, splat_ms_ = 0;
    double fixed_max_ = std::numeric_limits<double>::quiet_NaN();
    BBox view_ = BBox::inverted();
    bool windowed_ = false;
    uint64_t uploads_ = 0;
    mutable BBox view_max_for_ = BBox::inverted();
    mutable uint64_t view_max_uploads_ = ~uint64_t(0);
    mutable double view_max_ = 0;
    bool valid_ = false;
    bool showing_raster_ = false;
    std::vector<double> key_;
    bool cpu_backend_ = false, cpu_pending_ = false, cpu_splat_ = false;
    void splat_on_cpu(const EventSet& ev, const HeatParams& p); // fills cpu_ on grid_ and uploads it
    uint64_t cpu_gen_ = 0;
    GridSpec pending_grid_;
    double cpu_t0_ms_ = 0; // when the pending computation was asked for (splat_ms_ measures it)
    void allocate_texture(int w, int h);
    void upload(const Raster& r); // r on grid_: texture, CPU copy, max and integral
    // Warp mesh: the grid's points projected to the display CRS (see draw()).
    void build_mesh(const DisplayChain* chain);
    gl::VertexArray mesh_vao_;
    gl::Buffer mesh_vbo_, mesh_ebo_;
    size_t mesh_count_ = 0;
    int mesh_n_ = 0;
    double mox_ = 0, moy_ = 0;
    std::vector<double> mesh_key_;
};

} // namespace nexusmap::viewer
