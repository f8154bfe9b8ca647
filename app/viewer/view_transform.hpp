#pragma once
// Screen <-> map mapping for the map canvas. Pure logic (no GL) so tests can exercise it.
// Map coordinates are metres in the analysis CRS (x east, y north); screen coordinates are
// window pixels with the origin top-left and y down (GLFW/ImGui convention).
#include <algorithm>
#include <cmath>

#include "nexusmap/crs.hpp"

namespace nexusmap::viewer {

struct ScreenPt {
    double x = 0, y = 0;
};

class ViewTransform {
  public:
    // Map point shown at the centre of the canvas, and the ground size of one screen pixel.
    double cx = 0, cy = 0;
    double m_per_px = 2500;
    // Canvas rectangle in window pixels.
    double vx = 0, vy = 0, vw = 800, vh = 600;
    // Zoom limits: below ~5 m/px float vertex precision shows; above ~20 km/px the region is a dot.
    double min_m_per_px = 5, max_m_per_px = 20000;

    void set_viewport(double x, double y, double w, double h) {
        vx = x;
        vy = y;
        vw = std::max(1.0, w);
        vh = std::max(1.0, h);
    }

    ScreenPt to_screen(double mx, double my) const {
        return {vx + vw * 0.5 + (mx - cx) / m_per_px, vy + vh * 0.5 - (my - cy) / m_per_px};
    }
    ScreenPt to_map(double sx, double sy) const {
        return {cx + (sx - vx - vw * 0.5) * m_per_px, cy - (sy - vy - vh * 0.5) * m_per_px};
    }
    bool in_canvas(double sx, double sy) const {
        return sx >= vx && sx < vx + vw && sy >= vy && sy < vy + vh;
    }

    // Drag by (dx, dy) screen pixels: the map follows the cursor.
    void pan_pixels(double dx, double dy) {
        cx -= dx * m_per_px;
        cy += dy * m_per_px;
    }

    // Zoom by `factor` (>1 zooms in) keeping the map point under (sx, sy) fixed.
    void zoom_at(double sx, double sy, double factor) {
        if (!(factor > 0)) return;
        const ScreenPt anchor = to_map(sx, sy);
        m_per_px = std::clamp(m_per_px / factor, min_m_per_px, max_m_per_px);
        cx = anchor.x - (sx - vx - vw * 0.5) * m_per_px;
        cy = anchor.y + (sy - vy - vh * 0.5) * m_per_px;
    }

    // Show all of `b` with `margin_px` pixels free on each side.
    void fit(const BBox& b, double margin_px = 20) {
        if (!(b.xmax >= b.xmin && b.ymax >= b.ymin)) return;
        cx = 0.5 * (b.xmin + b.xmax);
        cy = 0.5 * (b.ymin + b.ymax);
        const double w = std::max(1.0, vw - 2 * margin_px), h = std::max(1.0, vh - 2 * margin_px);
        const double s = std::max(b.width() / w, b.height() / h);
        m_per_px = std::clamp(s > 0 ? s : m_per_px, min_m_per_px, max_m_per_px);
    }

    BBox visible() const {
        const ScreenPt a = to_map(vx, vy + vh), b = to_map(vx + vw, vy);
        return {a.x, a.y, b.x, b.y};
    }

    // Multiply (map - centre) by this to get normalised device coordinates (-1..1) of the canvas.
    double ndc_sx() const { return 2.0 / (m_per_px * vw); }
    double ndc_sy() const { return 2.0 / (m_per_px * vh); }
};

// A "nice" scale-bar length (1, 2 or 5 times a power of ten metres) no longer than `max_px`.
inline double nice_scale_length_m(double m_per_px, double max_px) {
    const double max_m = m_per_px * max_px;
    if (!(max_m > 0)) return 0;
    const double p = std::pow(10.0, std::floor(std::log10(max_m)));
    for (double f : {5.0, 2.0, 1.0})
        if (f * p <= max_m) return f * p;
    return p;
}

} // namespace nexusmap::viewer
