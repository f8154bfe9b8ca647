// Map furniture drawn over the canvas with ImGui's background draw list: scale bar (true ground
// distance), north arrow (north varies across an azimuthal projection), attribution with the
// SYNTHETIC mark, and the heatmap legend.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>

#include "nexusmap/distance.hpp"
#include "viewer/kernel_shapes.hpp"
#include "viewer/map_overlay.hpp"

namespace nexusmap::viewer {

namespace {
ImU32 rgb(const Rgb& c, int a = 255) {
    return IM_COL32(int(c.r * 255 + 0.5f), int(c.g * 255 + 0.5f), int(c.b * 255 + 0.5f), a);
}
std::string fmt_value(double v) {
    char buf[32];
    if (v == 0) return "0";
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}
void text_halo(ImDrawList* dl, ImVec2 p, ImU32 col, const char* s) {
    // A light halo keeps labels readable over both land and heatmap colours.
    for (int dx = -1; dx <= 1; ++dx)
        for (int dy = -1; dy <= 1; ++dy)
            if (dx || dy) dl->AddText(ImVec2(p.x + dx, p.y + dy), IM_COL32(255, 255, 255, 200), s);
    dl->AddText(p, col, s);
}
} // namespace

void MapOverlay::draw(PanelContext& ctx, ImDrawList* target) {
    ImDrawList* dl = target ? target : ImGui::GetBackgroundDrawList();
    const ViewTransform& v = ctx.view;
    const float x0 = float(v.vx), y0 = float(v.vy), x1 = float(v.vx + v.vw), y1 = float(v.vy + v.vh);
    const ImU32 ink = IM_COL32(30, 30, 30, 255);
    legend_bar.reset();

    // Scale bar, bottom-left: metres per pixel measured on the ground where the bar sits.
    if (ctx.lonlat) {
        const float bx = x0 + 16, by = y1 - 46;
        ScreenPt a = v.to_map(bx, by), b = v.to_map(bx + 100, by);
        ctx.lonlat->inverse(a.x, a.y);
        ctx.lonlat->inverse(b.x, b.y);
        const double ground_m_per_px = haversine_m(a.x, a.y, b.x, b.y) / 100.0;
        if (std::isfinite(ground_m_per_px) && ground_m_per_px > 0) {
            const double len_m = nice_scale_length_m(ground_m_per_px, 220);
            const float len_px = float(len_m / ground_m_per_px);
            dl->AddRectFilled(ImVec2(bx - 4, by - 18), ImVec2(bx + len_px + 40, by + 10),
                              IM_COL32(255, 255, 255, 170), 3);
            for (int i = 0; i < 4; ++i)
                dl->AddRectFilled(ImVec2(bx + len_px * i / 4, by), ImVec2(bx + len_px * (i + 1) / 4, by + 5),
                                  i % 2 ? IM_COL32(255, 255, 255, 255) : ink);
            dl->AddRect(ImVec2(bx, by), ImVec2(bx + len_px, by + 5), ink);
            char label[32];
            std::snprintf(label, sizeof label, len_m >= 1000 ? "%.0f km" : "%.0f m",
                          len_m >= 1000 ? len_m / 1000 : len_m);
            dl->AddText(ImVec2(bx, by - 16), ink, "0");
            dl->AddText(ImVec2(bx + len_px - 6, by - 16), ink, label);
        }
    }

    // North arrow, top-right: direction of the meridian through the canvas centre.
    if (ctx.lonlat) {
        ScreenPt c{v.cx, v.cy};
        ctx.lonlat->inverse(c.x, c.y);
        double nx = c.x, ny = std::min(c.y + 0.5, 89.9);
        ctx.lonlat->forward(nx, ny);
        const ScreenPt s0 = v.to_screen(v.cx, v.cy), s1 = v.to_screen(nx, ny);
        double dx = s1.x - s0.x, dy = s1.y - s0.y;
        const double len = std::hypot(dx, dy);
        if (std::isfinite(len) && len > 0) {
            dx /= len;
            dy /= len;
            const ImVec2 ctr(x1 - 40, y0 + 56);
            const float r = 20;
            const ImVec2 tip(ctr.x + float(dx) * r, ctr.y + float(dy) * r);
            const ImVec2 tail(ctr.x - float(dx) * r * 0.6f, ctr.y - float(dy) * r * 0.6f);
            const ImVec2 left(ctr.x - float(dy) * 8, ctr.y + float(dx) * 8);
            const ImVec2 right(ctr.x + float(dy) * 8, ctr.y - float(dx) * 8);
            dl->AddCircleFilled(ctr, 28, IM_COL32(255, 255, 255, 170));
            dl->AddTriangleFilled(tip, left, tail, ink);
            dl->AddTriangleFilled(tip, tail, right, IM_COL32(120, 120, 120, 255));
            dl->AddText(ImVec2(tip.x + float(dx) * 6 - 4, tip.y + float(dy) * 6 - 14), ink, "N");
        }
    }

    // SYNTHETIC mark: impossible to miss, so a screenshot cannot be mistaken for real data.
    if (const DataBanner db = data_banner(ctx.doc.inputs()); db.synthetic) {
        const char* mark = "SYNTHETIC DEMO DATA - not real events";
        const ImVec2 ts = ImGui::CalcTextSize(mark);
        const ImVec2 p((x0 + x1 - ts.x) / 2, y0 + 10);
        dl->AddRectFilled(ImVec2(p.x - 10, p.y - 5), ImVec2(p.x + ts.x + 10, p.y + ts.y + 5),
                          IM_COL32(200, 20, 30, 235), 4);
        dl->AddText(p, IM_COL32(255, 255, 255, 255), mark);
    }

    // Attribution line along the bottom.
    {
        std::string attr;
        auto add = [&attr](const std::string& part) {
            if (attr.find(part) != std::string::npos) return;
            attr += (attr.empty() ? "" : " | ") + part;
        };
        // Each input's own attribution (UCDP citation, Natural Earth, OCHA COD-AB, ...).
        if (ctx.doc.events) {
            add("Events: " + std::filesystem::path(ctx.doc.events->table.source).filename().string() +
                (ctx.doc.events->synthetic ? " (SYNTHETIC)" : ""));
        }
        for (auto& p : ctx.doc.inputs())
            if (!p.attribution.empty() && !p.illustrative) add(p.attribution);
        for (auto& l : ctx.doc.layers) {
            if (l->data.type != GeomType::Polygon || !l->data.prov.attribution.empty()) continue;
            add("Basemap: " + std::filesystem::path(l->data.source).filename().string());
        }
        for (auto& l : ctx.doc.layers)
            if (l->data.type == GeomType::Line) {
                add(l->data.name + (l->data.illustrative() ? " (illustrative)" : l->data.synthetic() ? " (SYNTHETIC)" : ""));
            }
        if (!ctx.lonlat || ctx.lonlat->identity())
            add("LAEA 2E 12N");
        else
            add(std::string(ctx.lonlat->kind() == DisplayKind::Mercator ? "Web Mercator" : "lon/lat (equirectangular)") +
                "; analysis LAEA 2E 12N");
        text_halo(dl, ImVec2(x0 + 8, y1 - 18), IM_COL32(60, 60, 60, 255), attr.c_str());
    }

    // Legend of categorical line layers (the routes' commodities), above the heat legend.
    float cat_bottom = y1 - 120;
    for (auto it = ctx.doc.layers.rbegin(); it != ctx.doc.layers.rend(); ++it) {
        const MapLayer& l = **it;
        if (!l.style.visible || l.data.type != GeomType::Line || l.style.category_field < 0 ||
            l.cats_for != l.style.category_field || l.cats.names.empty())
            continue;
        const size_t n = std::min<size_t>(l.cats.names.size(), 12);
        const std::string title = l.title + ": " + l.data.fields[size_t(l.style.category_field)];
        float w = ImGui::CalcTextSize(title.c_str()).x;
        for (size_t c = 0; c < n; ++c)
            w = std::max(w, 32 + ImGui::CalcTextSize(l.cats.names[c].c_str()).x);
        const float row = 17, pad = 8;
        const float bx1 = x1 - 16, bx0 = bx1 - w - 2 * pad, by1 = cat_bottom,
                    by0 = by1 - pad * 2 - row * float(n + 1);
        dl->AddRectFilled(ImVec2(bx0, by0), ImVec2(bx1, by1), IM_COL32(255, 255, 255, 225), 4);
        dl->AddRect(ImVec2(bx0, by0), ImVec2(bx1, by1), IM_COL32(150, 150, 150, 255), 4);
        dl->AddText(ImVec2(bx0 + pad, by0 + pad), ink, title.c_str());
        for (size_t c = 0; c < n; ++c) {
            const auto col = category_color(int(c));
            const float yy = by0 + pad + row * float(c + 1) + row / 2;
            dl->AddLine(ImVec2(bx0 + pad, yy), ImVec2(bx0 + pad + 24, yy), rgb(Rgb{col[0], col[1], col[2]}),
                        std::max(2.f, l.style.line_width));
            dl->AddText(ImVec2(bx0 + pad + 32, yy - 8), ink, l.cats.names[c].c_str());
        }
        cat_bottom = by0 - 8;
    }

    // Heatmap legend, bottom-right.
    const HeatParams& p = ctx.doc.heat;
    if (ctx.doc.events && p.visible && ctx.heat.valid()) {
        const ValueScale vs = ctx.heat.value_scale(p);
        // The range line says which scale this is (issue #14: fixed over all periods by default).
        const std::string range_note =
            "scale: " + heat_range_note(p.range, &ctx.doc.events->window, std::isfinite(ctx.heat.fixed_max()));
        const float bh = 14, pad = 10;
        const float bw = std::max(280.f, ImGui::CalcTextSize(range_note.c_str()).x);
        const float lx1 = x1 - 16, lx0 = lx1 - bw - 2 * pad, ly1 = y1 - 30, ly0 = ly1 - 94;
        dl->AddRectFilled(ImVec2(lx0, ly0), ImVec2(lx1, ly1), IM_COL32(255, 255, 255, 225), 4);
        dl->AddRect(ImVec2(lx0, ly0), ImVec2(lx1, ly1), IM_COL32(150, 150, 150, 255), 4);
        const char* what = p.weight == WeightMode::Fatalities
                               ? "fatalities"
                               : (p.weight == WeightMode::WeightColumn ? "weight" : "events");
        char title[96];
        std::snprintf(title, sizeof title, "Density, %s per km\xc2\xb2 (%s)", what,
                      kScaleNames[size_t(p.scale)]);
        dl->AddText(ImVec2(lx0 + pad, ly0 + 5), ink, title);
        const float bx0 = lx0 + pad, by0 = ly0 + 24, bx1 = bx0 + bw, by1 = by0 + bh;
        const int n = 64;
        for (int i = 0; i < n; ++i) {
            const ImU32 ca = rgb(ramp_color(p.ramp, double(i) / n)),
                        cb = rgb(ramp_color(p.ramp, double(i + 1) / n));
            dl->AddRectFilledMultiColor(ImVec2(bx0 + bw * i / n, by0), ImVec2(bx0 + bw * (i + 1) / n, by1),
                                        ca, cb, cb, ca);
        }
        dl->AddRect(ImVec2(bx0, by0), ImVec2(bx1, by1), IM_COL32(80, 80, 80, 255));
        for (double t : {0.0, 0.5, 1.0}) {
            const float tx = bx0 + float(t) * bw;
            dl->AddLine(ImVec2(tx, by1), ImVec2(tx, by1 + 4), ink);
            const std::string lab = fmt_value(vs.from_t(t));
            const float w = ImGui::CalcTextSize(lab.c_str()).x;
            dl->AddText(ImVec2(std::clamp(tx - w / 2, bx0 - 4, bx1 - w + 4), by1 + 4), ink, lab.c_str());
        }
        char sub[128];
        std::snprintf(sub, sizeof sub, "%s, bandwidth %.0f km", kKernelNames[kernel_code(p.kernel)], double(p.bandwidth_km));
        dl->AddText(ImVec2(bx0, by1 + 22), IM_COL32(90, 90, 90, 255), sub);
        dl->AddText(ImVec2(bx0, by1 + 38), IM_COL32(90, 90, 90, 255), range_note.c_str());
        legend_bar = std::array<float, 4>{bx0, by0, bx1, by1};
    }
}

} // namespace nexusmap::viewer
