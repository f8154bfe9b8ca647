// Charts with cairo. See charts.hpp. Laid out in points like the maps (map_render.cpp).
#include "nexusmap/charts.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"

#include "cairo_util.hpp"

namespace nexusmap {

namespace {

using namespace cairo_util;
constexpr double kPi = 3.14159265358979323846;

ChartResult draw_chart(cairo_t* cr, const ChartSpec& s, const PageSetup& page) {
    ChartResult res;
    const double W = page.width_pt, H = page.height_pt, d = page.device_per_pt;
    const double M = std::max(10.0, 0.03 * std::min(W, H));
    res.device_width = page.device_width(), res.device_height = page.device_height();
    cairo_save(cr);
    cairo_scale(cr, d, d);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double y = M;
    const double tw = W - 2 * M;
    if (!s.title.empty()) text(cr, M, y + 14, s.title, 14, true, kInk, 0, tw), y += 19;
    if (!s.subtitle.empty()) text(cr, M, y + 10, s.subtitle, 9, false, kGrey, 0, tw), y += 14;
    if (s.synthetic) {
        const std::string t = "SYNTHETIC DEMO DATA";
        const double w = text_w(cr, t, 8, true);
        cairo_rectangle(cr, W - M - w - 8, M, w + 8, 14);
        set_rgba(cr, style::rgb8(200, 20, 30), 0.92);
        cairo_fill(cr);
        text(cr, W - M - w - 4, M + 10, t, 8, true, {1, 1, 1});
    }
    // Footer and notes from the bottom up.
    std::vector<std::pair<std::string, double>> bottom;
    for (auto& n : s.notes) bottom.push_back({n, 8});
    for (auto& f : s.footer) bottom.push_back({f, 6});
    double fb = H - M;
    for (auto it = bottom.rbegin(); it != bottom.rend(); ++it) {
        text(cr, M, fb - 2, it->first, it->second, false, it->second > 7 ? kInk : kGrey, 0, tw);
        fb -= it->second + 3.5;
    }
    // Legend (right column) for named series.
    std::vector<const ChartSeries*> named;
    for (auto& se : s.series)
        if (!se.name.empty()) named.push_back(&se);
    double legend_w = 0;
    for (auto* se : named) legend_w = std::max(legend_w, text_w(cr, se->name, 7) + 22);
    legend_w = std::min(legend_w, tw * 0.3);
    // Plot rectangle.
    const double px0 = M + 44, py0 = y + 10, px1 = W - M - (legend_w > 0 ? legend_w + 8 : 6), py1 = fb - 30;
    if (px1 - px0 < 60 || py1 - py0 < 40) throw GeoError("", "chart", "the page is too small for the chart");
    // Data ranges.
    double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300, bar_w = 1e300;
    for (auto& se : s.series) {
        for (size_t i = 0; i < se.x.size() && i < se.y.size(); ++i) {
            if (!std::isfinite(se.x[i])) continue;
            xmin = std::min(xmin, se.x[i]), xmax = std::max(xmax, se.x[i]);
            if (std::isfinite(se.y[i])) ymin = std::min(ymin, se.y[i]), ymax = std::max(ymax, se.y[i]);
            if (se.kind == ChartSeries::Kind::Bars && i > 0) bar_w = std::min(bar_w, std::abs(se.x[i] - se.x[i - 1]));
        }
    }
    for (auto& [v, l] : s.vlines) xmin = std::min(xmin, v), xmax = std::max(xmax, v);
    if (!(xmax >= xmin)) xmin = 0, xmax = 1;
    if (!(ymax >= ymin)) ymin = 0, ymax = 1;
    if (std::isfinite(s.hline)) ymin = std::min(ymin, s.hline), ymax = std::max(ymax, s.hline);
    if (s.y_from_zero) ymin = std::min(ymin, 0.0), ymax = std::max(ymax, 0.0);
    bool bars = false;
    for (auto& se : s.series) bars |= se.kind == ChartSeries::Kind::Bars;
    if (bar_w > 1e299) bar_w = 1;
    if (bars) xmin -= bar_w / 2, xmax += bar_w / 2;
    if (xmax == xmin) xmin -= 1, xmax += 1;
    if (ymax == ymin) ymax += 1;
    auto yt = nice_ticks(ymin, ymax, 5);
    if (!yt.empty()) {
        const double step = yt.size() > 1 ? yt[1] - yt[0] : (ymax - ymin);
        if (yt.back() < ymax - 1e-12 * std::abs(ymax)) ymax = yt.back() + step;
        if (yt.front() > ymin + 1e-12 * std::abs(ymin)) ymin = yt.front() - step;
        yt = nice_ticks(ymin, ymax, 5);
    }
    const double xr = xmax - xmin;
    xmin -= xr * (bars ? 0.0 : 0.02), xmax += xr * (bars ? 0.0 : 0.02);
    res.xmin = xmin, res.xmax = xmax, res.ymin = ymin, res.ymax = ymax;
    auto X = [&](double v) { return px0 + (v - xmin) / (xmax - xmin) * (px1 - px0); };
    auto Y = [&](double v) { return py1 - (v - ymin) / (ymax - ymin) * (py1 - py0); };
    // Grid and axes.
    cairo_set_line_width(cr, 0.4);
    for (double t : yt) {
        set_rgba(cr, style::rgb8(225, 225, 225));
        cairo_move_to(cr, px0, Y(t));
        cairo_line_to(cr, px1, Y(t));
        cairo_stroke(cr);
        text(cr, px0 - 4, Y(t) + 2.5, short_num(t), 7, false, kInk, 1);
    }
    std::vector<std::pair<double, std::string>> xt = s.x_ticks;
    if (xt.empty())
        for (double t : nice_ticks(xmin, xmax, 8)) xt.push_back({t, short_num(t)});
    double last = -1e9;
    for (auto& [v, l] : xt) {
        if (v < xmin || v > xmax) continue;
        const double w = text_w(cr, l, 7), left = X(v) - w / 2;
        if (left < last + 4) continue;
        set_rgba(cr, kInk);
        cairo_move_to(cr, X(v), py1);
        cairo_line_to(cr, X(v), py1 + 3);
        cairo_stroke(cr);
        text(cr, std::clamp(X(v), px0 + w / 2, W - M - w / 2), py1 + 11, l, 7, false, kInk, 0.5);
        last = left + w;
    }
    if (!s.xlabel.empty()) text(cr, (px0 + px1) / 2, py1 + 23, s.xlabel, 8, false, kInk, 0.5, px1 - px0);
    if (!s.ylabel.empty()) {
        cairo_save(cr);
        cairo_translate(cr, M + 8, (py0 + py1) / 2);
        cairo_rotate(cr, -kPi / 2);
        text(cr, 0, 0, s.ylabel, 8, false, kInk, 0.5, py1 - py0);
        cairo_restore(cr);
    }
    // Series, clipped to the plot.
    cairo_save(cr);
    cairo_rectangle(cr, px0, py0, px1 - px0, py1 - py0);
    cairo_clip(cr);
    if (std::isfinite(s.hline)) {
        set_rgba(cr, kGrey);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, px0, Y(s.hline));
        cairo_line_to(cr, px1, Y(s.hline));
        cairo_stroke(cr);
    }
    for (auto& se : s.series) {
        const size_t n = std::min(se.x.size(), se.y.size());
        if (se.kind == ChartSeries::Kind::Bars) {
            const double bw = std::max(0.3, (X(xmin + bar_w) - X(xmin)) * 0.8);
            for (size_t i = 0; i < n; ++i) {
                if (!std::isfinite(se.y[i])) continue;
                const double y0 = Y(std::max(0.0, ymin)), y1 = Y(se.y[i]);
                cairo_rectangle(cr, X(se.x[i]) - bw / 2, std::min(y0, y1), bw, std::abs(y1 - y0));
            }
            set_rgba(cr, se.color);
            cairo_fill(cr);
            continue;
        }
        if (se.kind != ChartSeries::Kind::Points) {
            if (se.dashed) {
                const double dash[] = {4, 2.5};
                cairo_set_dash(cr, dash, 2, 0);
            }
            bool pen = false;
            for (size_t i = 0; i < n; ++i) {
                if (!std::isfinite(se.y[i]) || !std::isfinite(se.x[i])) {
                    pen = false;
                    continue;
                }
                if (pen) cairo_line_to(cr, X(se.x[i]), Y(se.y[i]));
                else cairo_move_to(cr, X(se.x[i]), Y(se.y[i]));
                pen = true;
            }
            set_rgba(cr, se.color);
            cairo_set_line_width(cr, se.width_pt);
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0);
        }
        if (se.kind == ChartSeries::Kind::Points || se.kind == ChartSeries::Kind::LineMarkers) {
            for (size_t i = 0; i < n; ++i) {
                if (!std::isfinite(se.y[i])) continue;
                cairo_new_sub_path(cr);
                cairo_arc(cr, X(se.x[i]), Y(se.y[i]), 2.2, 0, 2 * kPi);
            }
            set_rgba(cr, se.color);
            cairo_fill(cr);
        }
    }
    for (auto& [v, l] : s.vlines) {
        const double dash[] = {3, 2};
        cairo_set_dash(cr, dash, 2, 0);
        set_rgba(cr, style::rgb8(200, 20, 30), 0.8);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, X(v), py0);
        cairo_line_to(cr, X(v), py1);
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
        cairo_save(cr);
        cairo_translate(cr, X(v) + 2, py0 + 2);
        cairo_rotate(cr, kPi / 2);
        text(cr, 0, 0, l, 6.5, false, style::rgb8(200, 20, 30));
        cairo_restore(cr);
    }
    cairo_restore(cr);
    set_rgba(cr, kInk);
    cairo_set_line_width(cr, 0.7);
    cairo_rectangle(cr, px0, py0, px1 - px0, py1 - py0);
    cairo_stroke(cr);
    // Legend.
    double ly = py0 + 4;
    for (auto* se : named) {
        ly += 10;
        set_rgba(cr, se->color);
        if (se->kind == ChartSeries::Kind::Bars) {
            cairo_rectangle(cr, px1 + 8, ly - 6, 12, 6);
            cairo_fill(cr);
        } else {
            if (se->dashed) {
                const double dash[] = {3, 2};
                cairo_set_dash(cr, dash, 2, 0);
            }
            cairo_set_line_width(cr, se->width_pt);
            cairo_move_to(cr, px1 + 8, ly - 3);
            cairo_line_to(cr, px1 + 20, ly - 3);
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0);
        }
        text(cr, px1 + 23, ly, se->name, 7, false, kInk, 0, W - M - px1 - 23);
    }
    res.plot = {px0 * d, py0 * d, px1 * d, py1 * d};
    cairo_restore(cr);
    return res;
}

} // namespace

ChartResult render_chart_image(const ChartSpec& spec, const PageSetup& page, RgbaImage& out) {
    return render_to_image(page, out, [&](cairo_t* cr) { return draw_chart(cr, spec, page); });
}

ChartResult render_chart_file(const ChartSpec& spec, const PageSetup& page, const std::string& path) {
    return render_to_file(page, path, [&](cairo_t* cr) { return draw_chart(cr, spec, page); });
}

} // namespace nexusmap
