#pragma once
// Cached map pictures (issue #17: a fluid viewer on software OpenGL). The map canvas is drawn into
// offscreen textures, one per level, each level a copy of the one below plus its own drawing:
//   0 the vector layers (basemap, routes, point layers): redrawn when a layer, its style, the
//     display CRS or the view changes;
//   1 the event points: redrawn when their style or filters change;
//   2 heat and analysis layers: redrawn when those change (a bandwidth change redraws only this).
// A frame in which nothing on the map changed copies the top level to the window; while the user
// pans or zooms it is copied scaled and shifted to the new view (cheap), and drawn again for the
// view once it settles. A third use: when the map is unchanged and ImGui's draw data hashes as the
// last frame's, the last window is copied and nothing is drawn at all. Main thread, GL context.
#include <array>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <vector>

#include "viewer/view_transform.hpp"

namespace nexusmap::viewer {

// FNV-1a over the fields that decide a picture (field by field: no struct padding is hashed).
struct KeyHash {
    uint64_t h = 1469598103934665603ull;
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (size_t i = 0; i < n; ++i)
            h = (h ^ b[i]) * 1099511628211ull;
    }
    template <class T> KeyHash& add(const T& v) {
        static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>);
        bytes(&v, sizeof v);
        return *this;
    }
};

// Where the cached picture of view `from` lands when the view is `to` (window pixels, y down,
// same canvas): the screen rectangle of `from`'s canvas. Pure logic, tested.
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
    static constexpr int kLevels = 3;
    struct Level {
        uint64_t key = 0;           // what the level shows besides the view
        std::function<void()> draw; // level 0: the whole framebuffer; others: over the level below
    };
    MapCache() = default;
    ~MapCache();
    MapCache(const MapCache&) = delete;
    MapCache& operator=(const MapCache&) = delete;

    enum class Did { Copied, Transformed, Redrew };
    // Puts the map into the bound framebuffer (fb_w x fb_h, s = framebuffer pixels per window
    // pixel), redrawing only the levels whose key or view changed. `moving`: the user is panning
    // or zooming, so a view change alone is shown by transforming the cached picture.
    Did present(const ViewTransform& view, int fb_w, int fb_h, double s,
                const std::array<Level, kLevels>& levels, bool moving);
    // The whole window: reuses the last one when the map would only be copied and `ui_hash` (of
    // ImGui's draw data) is unchanged; else present() and `draw_ui` into a texture, copied to the
    // window. Returns true when nothing was drawn.
    bool present_window(const ViewTransform& view, int fb_w, int fb_h, double s,
                        const std::array<Level, kLevels>& levels, bool moving, uint64_t ui_hash,
                        const std::function<void()>& draw_ui);
    // Whether the picture on screen is a transformed stand-in still to be redrawn for the view.
    bool stale_view() const { return stale_view_; }
    Did last() const { return last_; }
    int redrawn_from() const { return redrawn_from_; } // lowest level redrawn by the last present (-1: none)
    float sea[3] = {0.78f, 0.86f, 0.91f};              // the canvas colour where a moved picture leaves a gap

  private:
    struct Target {
        unsigned fbo = 0, tex = 0;
        int w = 0, h = 0;
        bool valid = false;
        uint64_t key = 0, below = 0, version = 0;
        ViewTransform view;
        double s = 1;
    };
    bool ensure(Target& t, int w, int h);
    void release(Target& t);
    bool level_current(int i, const ViewTransform& view, int fb_w, int fb_h, double s,
                       const std::array<Level, kLevels>& levels) const;
    std::array<Target, kLevels> lv_;
    Target window_;
    uint64_t versions_ = 0;
    bool stale_view_ = false;
    Did last_ = Did::Redrew;
    int redrawn_from_ = -1;
};

} // namespace nexusmap::viewer
