#pragma once
// Map labels that never overlap: greedy placement by priority in screen space. Pure logic (no
// ImGui, no GL), tested in tests/test_viewer_analysis.cpp.
//
// Each candidate is a text box centred on an anchor (a polygon's centroid projected to the
// screen). Candidates are taken in decreasing priority (ties: lower index first) and a box is
// placed when it lies inside the canvas and does not intersect any box placed before it (boxes
// grown by `pad` pixels on every side). Country labels get a priority above every admin-1 label;
// admin-1 labels are ranked by area, so big units keep their names when space runs out.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

namespace nexusmap::viewer {

struct LabelBox {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool intersects(const LabelBox& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
    LabelBox grown(float d) const { return {x0 - d, y0 - d, x1 + d, y1 + d}; }
};

struct LabelCandidate {
    float cx = 0, cy = 0; // anchor (box centre), screen pixels
    float w = 0, h = 0;   // text size in pixels
    double priority = 0;  // larger first
    LabelBox box() const { return {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}; }
};

// Priority of a label: kind 0 = country (always above admin-1), 1 = admin-1 ranked by area.
inline double label_priority(int kind, double area) {
    const double a = std::log10(std::max(area, 1.0)); // < 20 for any real area in m^2
    return kind == 0 ? 1000.0 + a : a;
}

// Indices of the candidates that get placed, in placement order (highest priority first).
// `canvas` bounds the boxes (a box not fully inside is dropped); `pad` is the gap kept between
// boxes. A uniform bucket grid keeps it near-linear for thousands of candidates.
inline std::vector<size_t> place_labels(const std::vector<LabelCandidate>& cand, const LabelBox& canvas,
                                        float pad = 2.f) {
    std::vector<size_t> order(cand.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return cand[a].priority > cand[b].priority; });
    const float cw = 64.f, chh = 32.f;
    const int nx = std::max(1, int(std::ceil((canvas.x1 - canvas.x0) / cw))),
              ny = std::max(1, int(std::ceil((canvas.y1 - canvas.y0) / chh)));
    std::vector<std::vector<size_t>> buckets(size_t(nx) * size_t(ny));
    std::vector<LabelBox> placed_box(cand.size());
    std::vector<size_t> placed;
    auto cell_range = [&](const LabelBox& b, int& c0, int& c1, int& r0, int& r1) {
        c0 = std::clamp(int(std::floor((b.x0 - canvas.x0) / cw)), 0, nx - 1);
        c1 = std::clamp(int(std::floor((b.x1 - canvas.x0) / cw)), 0, nx - 1);
        r0 = std::clamp(int(std::floor((b.y0 - canvas.y0) / chh)), 0, ny - 1);
        r1 = std::clamp(int(std::floor((b.y1 - canvas.y0) / chh)), 0, ny - 1);
    };
    for (size_t i : order) {
        const LabelCandidate& c = cand[i];
        if (!(c.w > 0 && c.h > 0) || !std::isfinite(c.cx) || !std::isfinite(c.cy)) continue;
        const LabelBox b = c.box();
        if (b.x0 < canvas.x0 || b.y0 < canvas.y0 || b.x1 > canvas.x1 || b.y1 > canvas.y1) continue;
        const LabelBox g = b.grown(pad);
        int c0, c1, r0, r1;
        cell_range(g, c0, c1, r0, r1);
        bool clash = false;
        for (int r = r0; r <= r1 && !clash; ++r)
            for (int col = c0; col <= c1 && !clash; ++col)
                for (size_t k : buckets[size_t(r) * size_t(nx) + size_t(col)])
                    if (placed_box[k].intersects(g)) {
                        clash = true;
                        break;
                    }
        if (clash) continue;
        placed_box[i] = b;
        placed.push_back(i);
        cell_range(b, c0, c1, r0, r1);
        for (int r = r0; r <= r1; ++r)
            for (int col = c0; col <= c1; ++col)
                buckets[size_t(r) * size_t(nx) + size_t(col)].push_back(i);
    }
    return placed;
}

} // namespace nexusmap::viewer
