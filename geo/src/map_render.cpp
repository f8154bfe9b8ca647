// Static maps with cairo. See map_render.hpp. Everything is laid out in points and drawn with
// cairo's user space scaled by PageSetup::device_per_pt.
#include "nexusmap/map_render.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/distance.hpp"
#include "nexusmap/error.hpp"

#include "cairo_util.hpp"

namespace nexusmap {

namespace {

using namespace cairo_util;
constexpr double kPi = 3.14159265358979323846;
const style::Rgb kRed = style::rgb8(200, 20, 30);

struct Pt {
    double x, y;
};

// Map CRS -> points.
struct View {
    BBox ext;
    double k = 1, ox = 0, oy = 0; // pt
    Pt operator()(double x, double y) const { return {ox + k * (x - ext.xmin), oy - k * (y - ext.ymin)}; }
};

// Grows `e` to the aspect of a w x h frame around its centre, and maps it onto the frame.
View fit_view(BBox e, double fx, double fy, double fw, double fh) {
    if (e.empty()) e = {-1, -1, 1, 1};
    const double a = fw / fh;
    if (e.width() / e.height() < a) {
        const double w = e.height() * a, cx = (e.xmin + e.xmax) / 2;
        e.xmin = cx - w / 2, e.xmax = cx + w / 2;
    } else {
        const double h = e.width() / a, cy = (e.ymin + e.ymax) / 2;
        e.ymin = cy - h / 2, e.ymax = cy + h / 2;
    }
    View v;
    v.ext = e;
    v.k = fw / e.width();
    v.ox = fx;
    v.oy = fy + fh;
    return v;
}

void path_polygon(cairo_t* cr, const View& v, const Polygon& p) {
    for (const auto& ring : p.rings) {
        if (ring.size() < 3) continue;
        Pt q = v(ring[0].x, ring[0].y);
        cairo_move_to(cr, q.x, q.y);
        for (size_t i = 1; i < ring.size(); ++i) {
            q = v(ring[i].x, ring[i].y);
            cairo_line_to(cr, q.x, q.y);
        }
        cairo_close_path(cr);
    }
}
void path_line(cairo_t* cr, const View& v, const LineString& l) {
    if (l.size() < 2) return;
    Pt q = v(l[0].x, l[0].y);
    cairo_move_to(cr, q.x, q.y);
    for (size_t i = 1; i < l.size(); ++i) {
        q = v(l[i].x, l[i].y);
        cairo_line_to(cr, q.x, q.y);
    }
}

bool visible(const View& v, const BBox& b) {
    return !(b.xmax < v.ext.xmin || b.xmin > v.ext.xmax || b.ymax < v.ext.ymin || b.ymin > v.ext.ymax);
}

void draw_polygons(cairo_t* cr, const View& v, const VectorLayer& l, const style::LayerStyle& s, bool do_fill,
                   bool do_stroke) {
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (const auto& f : l.features) {
        if (f.geom.polygons.empty() || !visible(v, f.geom.bbox())) continue;
        cairo_new_path(cr);
        for (const auto& p : f.geom.polygons) path_polygon(cr, v, p);
        if (do_fill && s.fill) {
            set_rgba(cr, s.fill_color, s.opacity);
            cairo_fill_preserve(cr);
        }
        if (do_stroke && s.stroke) {
            set_rgba(cr, s.stroke_color, s.opacity);
            cairo_set_line_width(cr, s.width_pt);
            cairo_stroke_preserve(cr);
        }
        cairo_new_path(cr);
    }
}

void draw_lines(cairo_t* cr, const View& v, const VectorLayer& l, const style::LayerStyle& s) {
    const int fi = s.category_field.empty() ? -1 : l.field_index(s.category_field);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (size_t i = 0; i < l.features.size(); ++i) {
        const auto& f = l.features[i];
        if (f.geom.lines.empty() || !visible(v, f.geom.bbox())) continue;
        style::Rgba c = s.stroke_color;
        if (fi >= 0 && size_t(fi) < f.attrs.size())
            if (auto cc = s.color_of(attr_to_string(f.attrs[size_t(fi)]))) c = {*cc, s.stroke_color.a};
        cairo_new_path(cr);
        for (const auto& line : f.geom.lines) path_line(cr, v, line);
        // A thin light halo keeps the line readable over the density.
        cairo_set_source_rgba(cr, 1, 1, 1, 0.7 * s.opacity);
        cairo_set_line_width(cr, s.width_pt + 1.0);
        cairo_stroke_preserve(cr);
        set_rgba(cr, c, s.opacity);
        cairo_set_line_width(cr, s.width_pt);
        cairo_stroke(cr);
    }
}

// The density as an image in raster cells, painted through the view.
void draw_density(cairo_t* cr, const View& v, const Raster& r, const style::RasterStyle& st, double device_per_pt) {
    const GridSpec& g = r.grid;
    if (g.width <= 0 || g.height <= 0) return;
    if (g.bbox().empty() || !std::isfinite(g.xmax()) || !std::isfinite(g.ymin())) {
        // Far-away or tiny cells whose extent rounds to nothing: the density would silently vanish.
        char buf[200];
        std::snprintf(buf, sizeof buf, "cells of %g at (%g, %g) give no representable extent; it cannot be drawn",
                      g.cell, g.xmin, g.ymax);
        throw GeoError("", "density raster", buf);
    }
    // Only the cells inside the view (plus one) are converted. Clamped as doubles first: tiny or
    // far-away cells give indices beyond int (UB in the conversion; UBSan, issue #19).
    auto index = [](double f, int n) { return std::isnan(f) ? 0 : int(std::clamp(f, 0.0, double(n))); };
    const int c0 = index(std::floor((v.ext.xmin - g.xmin) / g.cell) - 1, g.width);
    const int c1 = index(std::ceil((v.ext.xmax - g.xmin) / g.cell) + 1, g.width);
    const int r0 = index(std::floor((g.ymax - v.ext.ymax) / g.cell) - 1, g.height);
    const int r1 = index(std::ceil((g.ymax - v.ext.ymin) / g.cell) + 1, g.height);
    if (c1 <= c0 || r1 <= r0) return;
    // The cells' placement on the page must be a valid cairo matrix; an invalid one puts the
    // context in an error state in which cairo_set_source_surface leaks its pattern (LSan, cairo
    // 1.16). Refuse such a raster with a message instead.
    const Pt tl = v(g.xmin + c0 * g.cell, g.ymax - r0 * g.cell);
    const double cell_pt = g.cell * v.k;
    if (!std::isfinite(tl.x) || !std::isfinite(tl.y) || !(cell_pt > 1e-9) || !(cell_pt < 1e9) ||
        std::fabs(tl.x) > 1e9 || std::fabs(tl.y) > 1e9) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "cells of %g at (%g, %g) cannot be placed on the page (%g pt per cell)", g.cell,
                      g.xmin, g.ymax, cell_pt);
        throw GeoError("", "density raster", buf);
    }
    const int w = c1 - c0, h = r1 - r0;
    cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_surface_flush(img);
    unsigned char* px = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    const auto lut = style::ramp_lut(st.ramp);
    for (int rr = 0; rr < h; ++rr) {
        auto* row = reinterpret_cast<uint32_t*>(px + size_t(rr) * size_t(stride));
        for (int cc = 0; cc < w; ++cc) {
            const float val = r.at(c0 + cc, r0 + rr);
            uint32_t out = 0;
            if (!r.is_nodata(val) && val > 0) {
                const double t = st.scale.to_t(val);
                const double al = st.alpha_at(t);
                if (al > 0) {
                    const int i = int(std::lround(std::clamp(t, 0.0, 1.0) * 255));
                    const uint32_t A = uint32_t(std::lround(al * 255));
                    auto pm = [A](unsigned char c) { return (uint32_t(c) * A + 127) / 255; };
                    out = A << 24 | pm(lut[size_t(i) * 4]) << 16 | pm(lut[size_t(i) * 4 + 1]) << 8 | pm(lut[size_t(i) * 4 + 2]);
                }
            }
            row[cc] = out;
        }
    }
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_translate(cr, tl.x, tl.y);
    cairo_scale(cr, cell_pt, cell_pt);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) { // never set a source on a failed context (leaks)
        cairo_restore(cr);
        cairo_surface_destroy(img);
        return; // the caller's status check reports the failure
    }
    cairo_set_source_surface(cr, img, 0, 0);
    // Big cells on the page: sharp edges; small ones: smooth.
    cairo_pattern_set_filter(cairo_get_source(cr), g.cell * v.k * device_per_pt >= 6 ? CAIRO_FILTER_NEAREST
                                                                                       : CAIRO_FILTER_GOOD);
    cairo_paint_with_alpha(cr, st.opacity);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

std::array<size_t, 7> draw_hotspots(cairo_t* cr, const View& v, const VectorLayer& l, const std::string& field) {
    std::array<size_t, 7> count{};
    const int fi = l.field_index(field);
    if (fi < 0) throw GeoError(l.source, "", "hot spot layer has no '" + field + "' field (Gi* bin -3..3)");
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (const auto& f : l.features) {
        if (size_t(fi) >= f.attrs.size()) continue;
        auto d = attr_to_double(f.attrs[size_t(fi)]);
        if (!d || !std::isfinite(*d)) continue;
        const int bin = std::clamp(int(std::lround(*d)), -3, 3);
        ++count[size_t(bin + 3)];
        if (bin == 0 || !visible(v, f.geom.bbox())) continue;
        cairo_new_path(cr);
        for (const auto& p : f.geom.polygons) path_polygon(cr, v, p);
        set_rgba(cr, style::gi_bin_color(bin), 0.85);
        cairo_fill(cr);
    }
    return count;
}

// ---- geodesy for the scale bar and north arrow -------------------------------------------------


struct Geodesy {
    double km_per_unit = 0; // ground km per map unit, east-west through the centre
    double north_rad = 0;   // clockwise from page-up
};
Geodesy centre_geodesy(const Crs& crs, const BBox& e) {
    Geodesy g;
    const double cx = (e.xmin + e.xmax) / 2, cy = (e.ymin + e.ymax) / 2, d = e.width() * 0.005;
    if (!crs.valid()) {
        g.km_per_unit = 0.001;
        return g;
    }
    try {
        Transformer t(crs, Crs::wgs84());
        double xs[3] = {cx - d, cx + d, cx}, ys[3] = {cy, cy, cy};
        t.forward(xs, ys, 3);
        if (std::isfinite(xs[0]) && std::isfinite(xs[1])) g.km_per_unit = haversine_m(xs[0], ys[0], xs[1], ys[1]) / 1000 / (2 * d);
        double nx = xs[2], ny = std::min(89.9, ys[2] + 0.1);
        t.inverse(nx, ny);
        if (std::isfinite(nx) && std::isfinite(ny)) g.north_rad = std::atan2(nx - cx, ny - cy);
    } catch (const std::exception&) {
        g.km_per_unit = 0.001; // unknown: assume metres
    }
    if (!(g.km_per_unit > 0)) g.km_per_unit = 0.001;
    return g;
}

double nice_below(double v) {
    if (!(v > 0)) return 0;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {5.0, 2.0, 1.0})
        if (m * p <= v) return m * p;
    return p;
}

// ---- legend ------------------------------------------------------------------------------------

struct LegendOut {
    double height = 0;
    PageRect bar_pt; // colour bar in points
};

// Draws (or measures, when draw == false) the legend in a column at (x, y) of width w.
LegendOut legend_block(cairo_t* cr, const MapSpec& s, double x, double y, double w, bool draw,
                       const std::array<size_t, 7>* bins, size_t events_drawn) {
    LegendOut out;
    const double pad = 6, fs = 7, lh = 9.5;
    double cy = y + pad;
    const double ix = x + pad, iw = w - 2 * pad;
    auto line_text = [&](const std::string& t, double size, bool bold, style::Rgb c) {
        cy += size + 2;
        if (draw) text(cr, ix, cy, t, size, bold, c, 0, iw);
    };
    bool first = true;
    auto gap = [&] {
        if (!first) cy += 5;
        first = false;
    };
    if (s.density) {
        gap();
        const auto& st = s.density_style;
        line_text(s.density_title + " (" + st.units + ")", 7.5, true, kInk);
        cy += 4;
        const double bh = 10;
        if (draw) {
            cairo_pattern_t* g = cairo_pattern_create_linear(ix, 0, ix + iw, 0);
            const int n = 64;
            for (int i = 0; i <= n; ++i) {
                const style::Rgb c = style::ramp_color(st.ramp, double(i) / n);
                cairo_pattern_add_color_stop_rgb(g, double(i) / n, c.r, c.g, c.b);
            }
            cairo_rectangle(cr, ix, cy, iw, bh);
            cairo_set_source(cr, g);
            cairo_fill(cr);
            cairo_pattern_destroy(g);
            cairo_rectangle(cr, ix, cy, iw, bh);
            set_rgba(cr, kGrey);
            cairo_set_line_width(cr, 0.4);
            cairo_stroke(cr);
        }
        out.bar_pt = {ix, cy, ix + iw, cy + bh};
        cy += bh;
        // Ticks: the range ends and nice values in between, placed through the scale.
        const double lo = st.scale.from_t(0), hi = st.scale.from_t(1);
        std::vector<double> ticks{lo};
        if (st.scale.scale == style::Scale::Log) {
            for (double d = std::pow(10.0, std::ceil(std::log10(lo))); d < hi; d *= 10) ticks.push_back(d);
        } else {
            for (double t : nice_ticks(lo, hi, 4))
                if (t > lo && t < hi) ticks.push_back(t);
        }
        ticks.push_back(hi);
        double last_right = -1e9;
        for (size_t i = 0; i < ticks.size(); ++i) {
            const double tx = ix + iw * std::clamp(st.scale.to_t(ticks[i]), 0.0, 1.0);
            const std::string lab = short_num(ticks[i]);
            const double lw = text_w(cr, lab, 6);
            const bool end = i == 0 || i + 1 == ticks.size();
            double left = std::clamp(tx - lw / 2, ix, ix + iw - lw);
            if (!end && (left < last_right + 3 || left + lw > ix + iw - text_w(cr, short_num(hi), 6) - 3)) continue;
            if (draw) {
                set_rgba(cr, kInk);
                cairo_set_line_width(cr, 0.5);
                cairo_move_to(cr, tx, cy);
                cairo_line_to(cr, tx, cy + 2.5);
                cairo_stroke(cr);
                text(cr, left, cy + 9, lab, 6, false, kInk);
            }
            last_right = left + lw;
        }
        cy += 9;
        line_text(std::string(style::scale_name(st.scale.scale)) + " scale, " + style::ramp_id(st.ramp) + ", range " +
                      short_num(lo) + " \u2013 " + short_num(hi),
                  6, false, kGrey);
        for (const auto& n : s.legend_notes) line_text(n, 6, false, kGrey);
    }
    if (s.hotspots) {
        gap();
        line_text(s.hotspot_title, 7.5, true, kInk);
        for (int b = 3; b >= -3; --b) {
            if (b == 0) continue;
            cy += lh;
            if (draw) {
                cairo_rectangle(cr, ix, cy - 7, 10, 7);
                set_rgba(cr, style::gi_bin_color(b));
                cairo_fill(cr);
                std::string lab = std::string(b > 0 ? "+" : "") + std::to_string(b) + "  " + style::gi_bin_label(b);
                if (bins) lab += " (" + std::to_string((*bins)[size_t(b + 3)]) + ")";
                text(cr, ix + 14, cy - 0.5, lab, fs, false, kInk, 0, iw - 14);
            }
        }
    }
    if (s.routes && !s.routes_style.categories.empty()) {
        gap();
        line_text(s.routes_title, 7.5, true, kInk);
        const auto& cats = s.routes_style.categories;
        const int cols = cats.size() > 3 ? 2 : 1;
        const double cw = iw / cols;
        for (size_t i = 0; i < cats.size(); ++i) {
            if (i % size_t(cols) == 0) cy += lh;
            const double cx = ix + cw * double(i % size_t(cols));
            if (draw) {
                set_rgba(cr, s.routes_style.category_colors[i]);
                cairo_set_line_width(cr, 2);
                cairo_move_to(cr, cx, cy - 3);
                cairo_line_to(cr, cx + 12, cy - 3);
                cairo_stroke(cr);
                text(cr, cx + 16, cy - 0.5, cats[i].empty() ? "(none)" : cats[i], fs, false, kInk, 0, cw - 18);
            }
        }
    }
    if (s.events) {
        gap();
        cy += lh;
        if (draw) {
            set_rgba(cr, style::Rgba{s.events_style.fill_color.rgb(), 0.9f});
            cairo_arc(cr, ix + 5, cy - 3, 2, 0, 2 * kPi);
            cairo_fill(cr);
            text(cr, ix + 14, cy - 0.5, s.events_title + " (" + std::to_string(events_drawn) + ")", fs, false, kInk, 0, iw - 14);
        }
    }
    out.height = cy - y + pad;
    return out;
}

PageRect to_device(const PageRect& r, double d) { return {r.x0 * d, r.y0 * d, r.x1 * d, r.y1 * d}; }

void box(cairo_t* cr, double x, double y, double w, double h, double alpha = 0.92) {
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgba(cr, 1, 1, 1, alpha);
    cairo_fill_preserve(cr);
    set_rgba(cr, style::rgb8(150, 150, 150));
    cairo_set_line_width(cr, 0.4);
    cairo_stroke(cr);
}

// Scale bar with its lower-left at (x, y_bottom); returns {width, height} in points.
std::array<double, 2> scale_bar(cairo_t* cr, double x, double yb, double max_w, double pt_per_km, bool draw, double& km_out) {
    const double km = nice_below(max_w / pt_per_km);
    km_out = km;
    const double w = km * pt_per_km, h = 4;
    if (draw && w > 0) {
        const int segs = 4;
        for (int i = 0; i < segs; ++i) {
            cairo_rectangle(cr, x + w * i / segs, yb - 10 - h, w / segs, h);
            if (i % 2 == 0) set_rgba(cr, kInk);
            else cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            set_rgba(cr, kInk);
            cairo_set_line_width(cr, 0.4);
            cairo_stroke(cr);
        }
        text(cr, x, yb - 16, "0", 6, false, kInk, 0.5);
        text(cr, x + w / 2, yb - 16, short_num(km / 2), 6, false, kInk, 0.5);
        text(cr, x + w, yb - 16, short_num(km) + " km", 6, false, kInk, 0.3);
        text(cr, x, yb - 1.5, "ground distance at the map centre", 5, false, kGrey);
    }
    return {std::max(w + 14, text_w(cr, "ground distance at the map centre", 5)), h + 22};
}

void north_arrow(cairo_t* cr, double cx, double cy, double size, double angle) {
    cairo_save(cr);
    cairo_translate(cr, cx, cy);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, 0, -size / 2);
    cairo_line_to(cr, size * 0.28, size / 2);
    cairo_line_to(cr, 0, size * 0.28);
    cairo_close_path(cr);
    set_rgba(cr, kInk);
    cairo_fill(cr);
    cairo_move_to(cr, 0, -size / 2);
    cairo_line_to(cr, -size * 0.28, size / 2);
    cairo_line_to(cr, 0, size * 0.28);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    set_rgba(cr, kInk);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    cairo_restore(cr);
    text(cr, cx, cy - size / 2 - 2, "N", 7, true, kInk, 0.5);
}

BBox layers_extent(const MapSpec& s) {
    BBox b = BBox::inverted();
    auto add = [&](const BBox& o) {
        if (o.empty()) return;
        b.expand(o.xmin, o.ymin);
        b.expand(o.xmax, o.ymax);
    };
    if (s.density) add(s.density->grid.bbox());
    if (s.hotspots) add(s.hotspots->bbox());
    if (b.empty() && s.admin0) add(s.admin0->bbox());
    if (b.empty() && s.routes) add(s.routes->bbox());
    return b;
}

// The map body: sea, layers, clipped to the frame (points).
struct BodyOut {
    View view;
    std::array<size_t, 7> bins{};
    size_t events = 0;
};
BodyOut draw_body(cairo_t* cr, const MapSpec& s, double fx, double fy, double fw, double fh, double device_per_pt,
                  const BBox& extent) {
    BodyOut o;
    o.view = fit_view(extent, fx, fy, fw, fh);
    const View& v = o.view;
    cairo_save(cr);
    cairo_rectangle(cr, fx, fy, fw, fh);
    cairo_clip(cr);
    set_rgba(cr, s.sea_color);
    cairo_paint(cr);
    auto draw_events = [&] {
        if (!s.events || s.events->empty()) return;
        const auto& st = s.events_style;
        cairo_new_path(cr);
        for (const auto& p : *s.events) {
            if (!(p.x >= v.ext.xmin && p.x <= v.ext.xmax && p.y >= v.ext.ymin && p.y <= v.ext.ymax)) continue;
            const Pt q = v(p.x, p.y);
            cairo_new_sub_path(cr);
            cairo_arc(cr, q.x, q.y, st.point_radius_pt, 0, 2 * kPi);
            ++o.events;
        }
        set_rgba(cr, st.fill_color, st.opacity);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        cairo_fill(cr);
    };
    if (s.admin0) draw_polygons(cr, v, *s.admin0, s.admin0_style, true, false);
    if (s.events_below_density) draw_events();
    if (s.density) draw_density(cr, v, *s.density, s.density_style, device_per_pt);
    if (s.hotspots) o.bins = draw_hotspots(cr, v, *s.hotspots, s.hotspot_field);
    if (s.admin1) draw_polygons(cr, v, *s.admin1, s.admin1_style, false, true);
    if (s.admin0) draw_polygons(cr, v, *s.admin0, s.admin0_style, false, true);
    if (s.routes) draw_lines(cr, v, *s.routes, s.routes_style);
    if (!s.events_below_density) draw_events();
    cairo_restore(cr);
    cairo_rectangle(cr, fx, fy, fw, fh);
    set_rgba(cr, kGrey);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    return o;
}

// Label sizes and colours by kind (points).
struct LabelLook {
    double size;
    bool bold, italic, upper;
    style::Rgb color;
};
LabelLook label_look(LabelKind k) {
    switch (k) {
    case LabelKind::Country: return {8.5, true, false, true, style::rgb8(60, 60, 60)};
    case LabelKind::Capital: return {7.5, true, false, false, style::rgb8(25, 25, 25)};
    case LabelKind::Admin1: return {6.5, false, true, false, style::rgb8(105, 105, 105)};
    case LabelKind::City: return {6.5, false, false, false, style::rgb8(35, 35, 35)};
    case LabelKind::Route: return {6.5, false, true, false, style::rgb8(120, 40, 20)};
    }
    return {7, false, false, false, kInk};
}

// Upper case for ASCII and the accented Latin-1 letters in UTF-8 (Côte d'Ivoire -> CÔTE D'IVOIRE).
std::string upper_latin(std::string s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 'a' && c <= 'z') {
            s[i] = char(c - 'a' + 'A');
        } else if (c == 0xC3 && i + 1 < s.size()) {
            const unsigned char n = static_cast<unsigned char>(s[i + 1]);
            if (n >= 0xA0 && n <= 0xBE && n != 0xB7) s[i + 1] = char(n - 0x20); // U+00E0..U+00FE, not ÷
            ++i;
        }
    }
    return s;
}

// Places and draws the labels inside the frame (points), avoiding `obstacles` (points).
std::vector<std::string> draw_labels(cairo_t* cr, const MapSpec& s, const View& v, const LabelBox& frame,
                                     const std::vector<LabelBox>& obstacles) {
    std::vector<std::string> drawn;
    if (s.labels.empty()) return drawn;
    const double halo = 1.2;
    std::vector<LabelCandidate> cand;
    std::vector<std::string> texts;
    for (const MapLabel& l : s.labels) {
        const LabelLook look = label_look(l.kind);
        const std::string t = look.upper ? upper_latin(l.text) : l.text;
        cairo_select_font_face(cr, kFont, look.italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                               look.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, look.size);
        cairo_text_extents_t e;
        cairo_text_extents(cr, t.c_str(), &e);
        const Pt q = v(l.x, l.y);
        LabelCandidate c;
        c.ax = q.x, c.ay = q.y, c.w = e.x_advance + 2 * halo, c.h = look.size * 1.15 + 2 * halo;
        c.gap = l.point ? 3.5 : 0, c.point = l.point, c.kind = l.kind, c.rank = l.rank;
        // Anchors outside the frame are dropped (a box could still reach into it).
        if (!(q.x >= frame.x0 && q.x <= frame.x1 && q.y >= frame.y0 && q.y <= frame.y1)) c.w = 0;
        cand.push_back(c);
        texts.push_back(t);
    }
    // Point symbols are obstacles for every name; a name's own symbol never blocks it, as each of
    // its positions keeps `gap` (3.5 pt) clear of the anchor and the symbol box is 2 pt around it.
    std::vector<LabelBox> obs = obstacles;
    for (const LabelCandidate& c : cand)
        if (c.point && c.w > 0) obs.push_back({c.ax - 2, c.ay - 2, c.ax + 2, c.ay + 2});
    const std::vector<PlacedLabel> placed = place_labels(cand, obs, frame);
    for (const PlacedLabel& p : placed) {
        const MapLabel& l = s.labels[p.index];
        const LabelLook look = label_look(l.kind);
        if (l.point) { // the place's symbol: a ringed dot for capitals, a dot for cities
            const Pt q = v(l.x, l.y);
            cairo_new_path(cr);
            cairo_arc(cr, q.x, q.y, l.kind == LabelKind::Capital ? 2.4 : 1.6, 0, 2 * kPi);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            set_rgba(cr, look.color);
            cairo_set_line_width(cr, 0.8);
            cairo_stroke(cr);
            if (l.kind == LabelKind::Capital) {
                cairo_arc(cr, q.x, q.y, 0.9, 0, 2 * kPi);
                cairo_fill(cr);
            }
        }
        cairo_select_font_face(cr, kFont, look.italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                               look.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, look.size);
        const double bx = p.box.x0 + halo, by = p.box.y0 + halo + look.size * 0.9;
        // Halo: the text's outline in white, then the text (stays legible over any fill).
        cairo_new_path(cr);
        cairo_move_to(cr, bx, by);
        cairo_text_path(cr, texts[p.index].c_str());
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_set_line_width(cr, 2 * halo);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_move_to(cr, bx, by);
        set_rgba(cr, look.color);
        cairo_show_text(cr, texts[p.index].c_str());
        drawn.push_back(l.text);
    }
    return drawn;
}

void synthetic_mark(cairo_t* cr, double x, double y, double size) {
    const std::string t = "SYNTHETIC DEMO DATA";
    const double w = text_w(cr, t, size, true);
    cairo_rectangle(cr, x, y, w + size, size * 1.7);
    set_rgba(cr, kRed, 0.92);
    cairo_fill(cr);
    text(cr, x + size / 2, y + size * 1.25, t, size, true, style::Rgb{1, 1, 1});
}

void inset_map(cairo_t* cr, const MapSpec& s, const BBox& shown, double x, double y, double w, double& h_out) {
    const VectorLayer* loc = s.locator ? s.locator : s.admin0;
    if (!loc) {
        h_out = 0;
        return;
    }
    BBox b = loc->bbox();
    b.expand(shown.xmin, shown.ymin);
    b.expand(shown.xmax, shown.ymax);
    const double padx = b.width() * 0.04, pady = b.height() * 0.04;
    b = {b.xmin - padx, b.ymin - pady, b.xmax + padx, b.ymax + pady};
    const double h = std::min(w * b.height() / b.width(), w * 1.2);
    h_out = h;
    box(cr, x, y, w, h, 1.0);
    const View v = fit_view(b, x, y, w, h);
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    set_rgba(cr, s.sea_color);
    cairo_paint(cr);
    style::LayerStyle ls = style::admin0_style();
    ls.fill_color = {0.85f, 0.85f, 0.82f, 1.f};
    ls.stroke_color = {0.5f, 0.5f, 0.5f, 1.f};
    ls.width_pt = 0.25;
    draw_polygons(cr, v, *loc, ls, true, true);
    const Pt a = v(shown.xmin, shown.ymax), c = v(shown.xmax, shown.ymin);
    cairo_rectangle(cr, a.x, a.y, c.x - a.x, c.y - a.y);
    set_rgba(cr, kRed);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_rectangle(cr, x, y, w, h);
    set_rgba(cr, kGrey);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
}

// Footer and attribution lines from the bottom margin up; returns the height used.
double footer_block(cairo_t* cr, const MapSpec& s, double x, double yb, double w, bool draw) {
    std::vector<std::pair<std::string, double>> lines;
    for (auto& a : s.attribution) lines.push_back({a, 6.5});
    for (auto& f : s.footer) lines.push_back({f, 5.8});
    const double lh = 8;
    double h = lines.size() * lh;
    if (draw) {
        double y = yb - h;
        for (auto& [t, size] : lines) {
            y += lh;
            text(cr, x, y - 1.5, t, size, false, kGrey, 0, w);
        }
    }
    return h;
}

double margin_pt(const PageSetup& p) { return std::max(10.0, 0.028 * std::min(p.width_pt, p.height_pt)); }

// The full single-map page.
// How much of the map's content a box (points) would hide: the density under it (sampled on a
// 12 x 8 grid, as a share of the raster's maximum), events under it and hot-spot units with a
// significant bin, so furniture goes where it hides least (issue #14: the legend always sat
// bottom-left over Guinea and western Côte d'Ivoire).
double hidden_data(const MapSpec& s, const View& v, double x0, double y0, double x1, double y1) {
    auto to_map = [&](double px, double py) { return std::array<double, 2>{v.ext.xmin + (px - v.ox) / v.k, v.ext.ymin + (v.oy - py) / v.k}; };
    double cost = 0;
    if (s.density) {
        double mx = 0;
        for (float f : s.density->data)
            if (std::isfinite(f)) mx = std::max(mx, double(f));
        if (mx > 0)
            for (int i = 0; i < 12; ++i)
                for (int j = 0; j < 8; ++j) {
                    const auto m = to_map(x0 + (x1 - x0) * (i + 0.5) / 12, y0 + (y1 - y0) * (j + 0.5) / 8);
                    const double val = s.density->sample(m[0], m[1]);
                    if (std::isfinite(val) && val > 0) cost += val / mx;
                }
    }
    const auto lo = to_map(x0, y1), hi = to_map(x1, y0);
    if (s.events) {
        size_t n = 0;
        for (const Vec2& p : *s.events) n += p.x >= lo[0] && p.x <= hi[0] && p.y >= lo[1] && p.y <= hi[1];
        cost += 96.0 * double(n) / double(std::max<size_t>(1, s.events->size()));
    }
    if (s.hotspots) {
        const int f = s.hotspots->field_index(s.hotspot_field);
        for (const Feature& ft : s.hotspots->features) {
            if (f < 0 || ft.geom.polygons.empty()) continue;
            const auto b = attr_to_double(ft.attrs[size_t(f)]);
            if (!b || *b == 0) continue;
            const BBox fb = ft.geom.bbox();
            const double cx = (fb.xmin + fb.xmax) / 2, cy = (fb.ymin + fb.ymax) / 2;
            cost += (cx >= lo[0] && cx <= hi[0] && cy >= lo[1] && cy <= hi[1]) ? 1 : 0;
        }
    }
    return cost;
}

MapRenderResult draw_page(cairo_t* cr, const MapSpec& s, const PageSetup& page) {
    MapRenderResult res;
    const double W = page.width_pt, H = page.height_pt, d = page.device_per_pt, M = margin_pt(page);
    res.device_width = page.device_width(), res.device_height = page.device_height();
    res.margin = M * d;
    cairo_save(cr);
    cairo_scale(cr, d, d);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    // Title block.
    double y = M;
    const double tw = W - 2 * M;
    if (!s.title.empty()) {
        text(cr, M, y + 14, s.title, 15, true, kInk, 0, tw);
        y += 19;
    }
    if (!s.subtitle.empty()) {
        text(cr, M, y + 10, s.subtitle, 9.5, false, kGrey, 0, tw);
        y += 14;
    }
    res.title = to_device({M, M, W - M, y}, d);
    y += 4;
    const double fh = footer_block(cr, s, M, H - M, tw, false);
    const double frame_bottom = H - M - fh - (fh > 0 ? 4 : 0);
    const double fx = M, fy = y, fw = tw, fhh = frame_bottom - y;
    if (fhh < 40) throw GeoError("", "map page", "the page is too small for the map (make it larger)");
    const BBox extent = s.extent.empty() ? layers_extent(s) : s.extent;
    BodyOut body = draw_body(cr, s, fx, fy, fw, fhh, d, extent);
    const View& v = body.view;
    res.extent = v.ext;
    res.k = v.k * d;
    res.ox = v.ox * d;
    res.oy = v.oy * d;
    res.frame = to_device({fx, fy, fx + fw, fy + fhh}, d);
    res.hotspot_bins = body.bins;
    res.events_drawn = body.events;
    footer_block(cr, s, M, H - M, tw, true);
    res.footer = to_device({M, H - M - fh, W - M, H - M}, d);

    const double in = 6; // inset of furniture from the frame edge
    // The legend takes the bottom corner (left by default) that hides the least data; the scale bar
    // takes the other bottom corner.
    bool legend_right = false;
    if (s.legend && (s.density || s.hotspots || s.events || (s.routes && !s.routes_style.categories.empty()))) {
        const double lw = std::clamp(fw * 0.3, 150.0, 230.0);
        LegendOut m = legend_block(cr, s, 0, 0, lw, false, &body.bins, body.events);
        const double ly = fy + fhh - in - m.height;
        const double left = hidden_data(s, v, fx + in, ly, fx + in + lw, ly + m.height);
        const double right = hidden_data(s, v, fx + fw - in - lw, ly, fx + fw - in, ly + m.height);
        legend_right = right < left * 0.8; // a clear gain only: maps of one kind keep one layout
        const double lx = legend_right ? fx + fw - in - lw : fx + in;
        box(cr, lx, ly, lw, m.height);
        LegendOut o = legend_block(cr, s, lx, ly, lw, true, &body.bins, body.events);
        res.legend = to_device({lx, ly, lx + lw, ly + m.height}, d);
        if (s.density) {
            res.colorbar = to_device(o.bar_pt, d);
            res.legend_lo = s.density_style.scale.from_t(0);
            res.legend_hi = s.density_style.scale.from_t(1);
            res.legend_units = s.density_style.units;
            res.legend_scale = style::scale_name(s.density_style.scale.scale);
            res.legend_ramp = style::ramp_id(s.density_style.ramp);
        }
    }
    const Geodesy geo = centre_geodesy(s.crs, v.ext);
    res.ground_km_per_unit = geo.km_per_unit;
    res.north_deg = geo.north_rad * 180 / kPi;
    // Scale bar: bottom-right.
    if (s.scalebar) {
        double km = 0;
        const double pt_per_km = v.k / geo.km_per_unit;
        auto sz = scale_bar(cr, 0, 0, fw * 0.22, pt_per_km, false, km);
        const double bx = legend_right ? fx + in + 6 : fx + fw - in - sz[0] - 8, by = fy + fhh - in;
        box(cr, bx - 6, by - sz[1] - 2, sz[0] + 14, sz[1] + 2);
        scale_bar(cr, bx, by, fw * 0.22, pt_per_km, true, km);
        res.scalebar_km = km;
        res.scalebar = to_device({bx - 6, by - sz[1] - 2, bx + sz[0] + 8, by}, d);
    }
    // Inset: top-right; north arrow to its left.
    double inset_h = 0;
    const double iw = std::clamp(fw * 0.17, 70.0, 150.0);
    // The locator inset only when it adds context: not when the map already shows most of what the
    // inset would (issue #14: at the default extent it repeated the main map).
    bool inset = s.inset;
    if (inset) {
        const VectorLayer* loc = s.locator ? s.locator : s.admin0;
        const BBox lb = loc ? loc->bbox() : BBox{};
        const double shown = std::max(0.0, std::min(v.ext.xmax, lb.xmax) - std::max(v.ext.xmin, lb.xmin)) *
                             std::max(0.0, std::min(v.ext.ymax, lb.ymax) - std::max(v.ext.ymin, lb.ymin));
        if (!loc || !(lb.width() > 0 && lb.height() > 0) || shown >= 0.6 * lb.width() * lb.height()) inset = false;
    }
    if (inset) {
        inset_map(cr, s, v.ext, fx + fw - in - iw, fy + in, iw, inset_h);
        res.inset = to_device({fx + fw - in - iw, fy + in, fx + fw - in, fy + in + inset_h}, d);
    }
    if (s.north_arrow) {
        const double na = 22, nx = fx + fw - in - (inset ? iw + 8 : 0) - na / 2 - 6, ny = fy + in + na / 2 + 12;
        box(cr, nx - na / 2 - 4, fy + in, na + 8, na + 16);
        north_arrow(cr, nx, ny, na, geo.north_rad);
        res.north = to_device({nx - na / 2 - 4, fy + in, nx + na / 2 + 4, fy + in + na + 16}, d);
    }
    if (s.synthetic) synthetic_mark(cr, fx + in, fy + in, 9);
    {
        // Names last, clear of the furniture just placed (its boxes are in device units).
        std::vector<LabelBox> obstacles;
        for (const PageRect& r : {res.legend, res.scalebar, res.inset, res.north})
            if (!r.empty()) obstacles.push_back({r.x0 / d, r.y0 / d, r.x1 / d, r.y1 / d});
        if (s.synthetic) obstacles.push_back({fx, fy, fx + 160, fy + 24});
        cairo_save(cr);
        cairo_rectangle(cr, fx, fy, fw, fhh);
        cairo_clip(cr);
        res.labels_drawn = draw_labels(cr, s, v, {fx + 2, fy + 2, fx + fw - 2, fy + fhh - 2}, obstacles);
        cairo_restore(cr);
    }
    cairo_restore(cr);
    return res;
}

// ---- surfaces ----------------------------------------------------------------------------------

// ---- small multiples ---------------------------------------------------------------------------

std::vector<MapRenderResult> draw_sheet(cairo_t* cr, const SheetSpec& sh, const PageSetup& page) {
    if (sh.maps.empty()) throw GeoError("", "small multiples", "no maps to draw");
    const MapSpec& s0 = sh.maps.front();
    const double W = page.width_pt, H = page.height_pt, d = page.device_per_pt, M = margin_pt(page);
    cairo_save(cr);
    cairo_scale(cr, d, d);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    const double tw = W - 2 * M;
    double y = M;
    if (!sh.title.empty()) {
        text(cr, M, y + 14, sh.title, 15, true, kInk, 0, tw);
        y += 19;
    }
    if (!sh.subtitle.empty()) {
        text(cr, M, y + 10, sh.subtitle, 9.5, false, kGrey, 0, tw);
        y += 14;
    }
    y += 4;
    const double fh = footer_block(cr, s0, M, H - M, tw, true);
    const double bottom = H - M - fh - 4;
    // Right column: legend, scale bar, north arrow, inset.
    const double colw = std::clamp(tw * 0.22, 140.0, 220.0);
    const double gx = M, gy = y, gw = tw - colw - 8, gh = bottom - y;
    BBox extent = s0.extent.empty() ? layers_extent(s0) : s0.extent;
    // Grid: the column count that makes the cells largest for the map's aspect.
    const size_t n = sh.maps.size();
    const double aspect = extent.empty() ? 1.0 : extent.width() / extent.height();
    const double label_h = 10, gap = 5;
    int best_c = 1;
    double best_k = -1;
    for (int c = 1; c <= int(n); ++c) {
        if (sh.columns > 0 && c != sh.columns) continue;
        const int r = int((n + size_t(c) - 1) / size_t(c));
        const double cw = (gw - gap * (c - 1)) / c, ch = (gh - gap * (r - 1)) / r - label_h;
        if (cw <= 0 || ch <= 0) continue;
        const double k = std::min(cw, ch * aspect);
        if (k > best_k) best_k = k, best_c = c;
    }
    const int cols = best_c, rows = int((n + size_t(cols) - 1) / size_t(cols));
    const double cw = (gw - gap * (cols - 1)) / cols, ch = (gh - gap * (rows - 1)) / rows - label_h;
    const double mw = std::min(cw, ch * aspect), mh = mw / aspect;
    std::vector<MapRenderResult> out;
    size_t events_total = 0;
    std::array<size_t, 7> bins{};
    View v0;
    for (size_t i = 0; i < n; ++i) {
        const int c = int(i % size_t(cols)), r = int(i / size_t(cols));
        const double cx = gx + c * (cw + gap) + (cw - mw) / 2, cy = gy + r * (ch + label_h + gap);
        const MapSpec& s = sh.maps[i];
        text(cr, cx, cy + 8, s.title, 8, true, kInk, 0, mw);
        BodyOut body = draw_body(cr, s, cx, cy + label_h, mw, mh, d, extent);
        if (i == 0) v0 = body.view;
        events_total += body.events;
        for (size_t b = 0; b < 7; ++b) bins[b] += body.bins[b];
        MapRenderResult res;
        res.label = s.title;
        res.device_width = page.device_width(), res.device_height = page.device_height();
        res.margin = M * d;
        res.extent = body.view.ext;
        res.k = body.view.k * d, res.ox = body.view.ox * d, res.oy = body.view.oy * d;
        res.frame = to_device({cx, cy + label_h, cx + mw, cy + label_h + mh}, d);
        res.hotspot_bins = body.bins;
        res.events_drawn = body.events;
        if (s.density) {
            res.legend_lo = s.density_style.scale.from_t(0);
            res.legend_hi = s.density_style.scale.from_t(1);
            res.legend_units = s.density_style.units;
            res.legend_scale = style::scale_name(s.density_style.scale.scale);
            res.legend_ramp = style::ramp_id(s.density_style.ramp);
        }
        out.push_back(res);
    }
    // The column.
    const double lx = gx + gw + 8;
    double ly = gy;
    if (s0.synthetic) {
        synthetic_mark(cr, lx, ly, 8);
        ly += 18;
    }
    PageRect legend_rect, bar;
    {
        LegendOut m = legend_block(cr, s0, 0, 0, colw, false, &bins, events_total);
        box(cr, lx, ly, colw, m.height);
        LegendOut o = legend_block(cr, s0, lx, ly, colw, true, &bins, events_total);
        legend_rect = to_device({lx, ly, lx + colw, ly + m.height}, d);
        bar = to_device(o.bar_pt, d);
        ly += m.height + 8;
    }
    const Geodesy geo = centre_geodesy(s0.crs, v0.ext);
    double km = 0;
    auto sz = scale_bar(cr, 0, 0, colw - 30, v0.k / geo.km_per_unit, false, km);
    box(cr, lx, ly, colw, sz[1] + 4);
    scale_bar(cr, lx + 8, ly + sz[1] + 2, colw - 30, v0.k / geo.km_per_unit, true, km);
    north_arrow(cr, lx + colw - 14, ly + 16, 16, geo.north_rad);
    const PageRect sb = to_device({lx, ly, lx + colw, ly + sz[1] + 4}, d);
    ly += sz[1] + 12;
    double ih = 0;
    if (ly + 40 < bottom) inset_map(cr, s0, v0.ext, lx, ly, std::min(colw, (bottom - ly) / 1.2), ih);
    for (auto& r : out) {
        r.legend = legend_rect, r.colorbar = s0.density ? bar : PageRect{};
        r.scalebar = sb, r.scalebar_km = km, r.ground_km_per_unit = geo.km_per_unit;
        r.north_deg = geo.north_rad * 180 / kPi;
        r.footer = to_device({M, H - M - fh, W - M, H - M}, d);
    }
    cairo_restore(cr);
    return out;
}

std::string lower_ext(const std::string& path) {
    auto dot = path.rfind('.');
    if (dot == std::string::npos) return "";
    std::string e = path.substr(dot + 1);
    for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return e;
}

} // namespace

// ---- public --------------------------------------------------------------------------------------

std::optional<ImageFormat> image_format_for(const std::string& path) {
    const std::string e = lower_ext(path);
    if (e == "png") return ImageFormat::Png;
    if (e == "pdf") return ImageFormat::Pdf;
    if (e == "svg") return ImageFormat::Svg;
    return std::nullopt;
}
const char* image_format_name(ImageFormat f) {
    switch (f) {
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Pdf: return "PDF";
    case ImageFormat::Svg: return "SVG";
    }
    return "?";
}

PageSetup PageSetup::paper(const std::string& name, bool landscape, double dpi) {
    std::string n = name;
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    double w = 0, h = 0;
    if (n == "a4") w = 595.28, h = 841.89;
    else if (n == "a3") w = 841.89, h = 1190.55;
    else if (n == "letter") w = 612, h = 792;
    else throw GeoError("", "--page '" + name + "'", "unknown paper (A4, A3, letter)");
    if (!(dpi > 0)) throw GeoError("", "--dpi", "must be positive");
    PageSetup p;
    p.width_pt = landscape ? h : w;
    p.height_pt = landscape ? w : h;
    p.device_per_pt = dpi / 72.0;
    return p;
}

PageSetup PageSetup::device(int w, int h) {
    if (w < 200 || h < 150) throw GeoError("", "--width/--height", "the page must be at least 200 x 150 pixels");
    PageSetup p;
    p.device_per_pt = std::max(w, h) / 841.89;
    p.width_pt = w / p.device_per_pt;
    p.height_pt = h / p.device_per_pt;
    return p;
}

MapRenderResult render_map_image(const MapSpec& spec, const PageSetup& page, RgbaImage& out) {
    return render_to_image(page, out, [&](cairo_t* cr) { return draw_page(cr, spec, page); });
}

MapRenderResult render_map_file(const MapSpec& spec, const PageSetup& page, const std::string& path) {
    return render_to_file(page, path, [&](cairo_t* cr) { return draw_page(cr, spec, page); });
}

std::vector<MapRenderResult> render_map_pdf_pages(const std::vector<MapSpec>& maps, const PageSetup& page,
                                                  const std::string& path) {
    if (image_format_for(path) != ImageFormat::Pdf) throw GeoError(path, "", "multi-page output needs a .pdf file");
    return render_to_file(page, path, [&](cairo_t* cr) {
        std::vector<MapRenderResult> out;
        for (const auto& m : maps) {
            out.push_back(draw_page(cr, m, page));
            cairo_show_page(cr);
        }
        return out;
    });
}

std::vector<MapRenderResult> render_sheet_image(const SheetSpec& sheet, const PageSetup& page, RgbaImage& out) {
    return render_to_image(page, out, [&](cairo_t* cr) { return draw_sheet(cr, sheet, page); });
}

std::vector<MapRenderResult> render_sheet_file(const SheetSpec& sheet, const PageSetup& page, const std::string& path) {
    return render_to_file(page, path, [&](cairo_t* cr) { return draw_sheet(cr, sheet, page); });
}

style::ValueScale shared_scale(const std::vector<const Raster*>& rasters, style::Scale scale) {
    style::ValueScale vs;
    vs.scale = scale;
    vs.lo = 0;
    double hi = 0;
    for (const Raster* r : rasters) {
        if (!r) continue;
        const auto mm = r->minmax();
        if (std::isfinite(mm[1])) hi = std::max(hi, mm[1]);
    }
    vs.hi = hi > 0 ? hi : 1;
    return vs;
}

VectorLayer bin_raster_polygons(const Raster& bins) {
    VectorLayer l;
    l.name = "hotspot_bins";
    l.crs = bins.crs;
    l.type = GeomType::Polygon;
    l.fields = {"bin"};
    const GridSpec& g = bins.grid;
    for (int r = 0; r < g.height; ++r)
        for (int c = 0; c < g.width; ++c) {
            const float v = bins.at(c, r);
            if (bins.is_nodata(v) || !std::isfinite(v)) continue;
            const int b = int(std::lround(v));
            if (b == 0) continue;
            const double x0 = g.xmin + c * g.cell, y1 = g.ymax - r * g.cell;
            Feature f;
            f.geom.type = GeomType::Polygon;
            f.geom.polygons.push_back(Polygon{{Ring{{x0, y1}, {x0 + g.cell, y1}, {x0 + g.cell, y1 - g.cell}, {x0, y1 - g.cell}, {x0, y1}}}});
            f.attrs.push_back(int64_t(b));
            f.fid = int64_t(r) * g.width + c;
            l.features.push_back(std::move(f));
        }
    return l;
}

std::vector<double> nice_ticks(double lo, double hi, int n) {
    std::vector<double> t;
    if (!(hi > lo) || n < 1) return t;
    const double raw = (hi - lo) / n, p = std::pow(10.0, std::floor(std::log10(raw)));
    double step = p;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw) {
            step = m * p;
            break;
        }
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
    return t;
}

std::string short_num(double v) {
    if (!std::isfinite(v)) return "n/a";
    char b[32];
    const double a = std::abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e6)) std::snprintf(b, sizeof b, "%.2e", v);
    else if (a >= 1000) std::snprintf(b, sizeof b, "%.0f", v);
    else std::snprintf(b, sizeof b, "%.3g", v);
    return b;
}

} // namespace nexusmap
