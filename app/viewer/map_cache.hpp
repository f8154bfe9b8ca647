#pragma once
// Cached map pictures (issue #17: a fluid viewer on software OpenGL). The map canvas is drawn into
// two offscreen textures instead of straight onto the window:
//   base: the vector layers (basemap, routes, point layers), re-drawn when a layer, its style, the
//         display CRS or the view changes;
//   full: base + events, heat and analysis layers, re-drawn when those change (a bandwidth change
//         re-splats and redraws only this level, over a copy of base).
// A frame in which nothing on the map changed copies `full` to the window; while the user pans or
// zooms, `full` is copied scaled and shifted to the new view (cheap), and drawn again for the view
// once it settles. Main thread, current GL context.
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>

#include "viewer/view_transform.hpp"

namespace nexusmap::viewer {

// FNV-1a over the fields that decide a picture (field by field: no struct padding is hashed).
struct KeyHash {
    uint64_t h = 1469598103934665603ull;
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    }
    template <class T> KeyHash& add(const T& v) {
        static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>);
        bytes(&v, sizeof v);
        return *this;
    }
};

// Where the cached picture of view `from` lands when the view is `to` (both in window pixels with
// y down, same canvas): the screen rectangle x0, y0, x1, y1 of `from`'s canvas. Pure logic, tested.
struct ScreenRect {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
inline ScreenRect cached_canvas_on(const ViewTransform& from, const ViewTransform& to) {
    const ScreenPt tl = from.to_map(from.vx, from.vy), br = from.to_map(from.vx + from.vw, from.vy + from.vh);
    const ScreenPt a = to.to_screen(tl.x, tl.y), b = to.to_screen(br.x, br.y);
    return {a.x, a.y, b.x, b.y};
}
inline bool same_view(const ViewTransform& a, const ViewTransform& b) {
    return a.cx == b.cx && a.cy == b.cy && a.m_per_px == b.m_per_px && a.vx == b.vx && a.vy == b.vy &&
           a.vw == b.vw && a.vh == b.vh;
}

class MapCache {
  public:
    MapCache() = default;
    ~MapCache();
    MapCache(const MapCache&) = delete;
    MapCache& operator=(const MapCache&) = delete;

    // Puts the map into the current (default) framebuffer of size fb_w x fb_h (s = framebuffer
    // pixels per window pixel). `draw_base` draws the whole framebuffer (clear, canvas, layers);
    // `draw_over` draws the events/heat/analysis layers over it with the canvas viewport and
    // scissor set. `moving`: the user is panning/zooming, so a view change alone is shown by
    // transforming the cached picture. Returns what it did (for --bench-frames and tests).
    enum class Did { Copied, Transformed, RedrewOver, RedrewAll };
    Did present(const ViewTransform& view, int fb_w, int fb_h, double s, uint64_t base_key, uint64_t over_key,
                bool moving, const std::function<void()>& draw_base, const std::function<void()>& draw_over);
    // The whole window through a third texture: when the map would only be copied and the UI's
    // draw data hashes as last frame's (`ui_hash`), the last window is copied and nothing is drawn;
    // otherwise present() and `draw_ui` draw into it, and it is copied to the window. Returns true
    // when the previous window was reused.
    bool present_window(const ViewTransform& view, int fb_w, int fb_h, double s, uint64_t base_key,
                        uint64_t over_key, bool moving, uint64_t ui_hash, const std::function<void()>& draw_base,
                        const std::function<void()>& draw_over, const std::function<void()>& draw_ui);
    // Whether the picture on screen is a transformed stand-in still to be redrawn for the view.
    bool stale_view() const { return stale_view_; }
    void invalidate() { full_.valid = base_.valid = false; }
    Did last() const { return last_; }
    float sea[3] = {0.78f, 0.86f, 0.91f}; // the canvas colour where a moved picture leaves a gap

  private:
    struct Target {
        unsigned fbo = 0, tex = 0;
        int w = 0, h = 0;
        bool valid = false;
        uint64_t key = 0, base_version = 0;
        ViewTransform view;
        double s = 1;
    };
    bool ensure(Target& t, int w, int h);
    void release(Target& t);
    Target base_, full_, window_;
    uint64_t base_version_ = 0;
    uint64_t pictures_ = 0; // bumped by every present() that changed the map's picture
    bool stale_view_ = false;
    Did last_ = Did::RedrewAll;
};

} // namespace nexusmap::viewer
