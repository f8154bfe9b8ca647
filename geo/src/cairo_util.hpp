#pragma once
// Private cairo helpers shared by the static maps (map_render.cpp) and the charts (charts.cpp):
// text in points, owned surfaces, and rendering to memory or to a PNG/PDF/SVG file (atomic).
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap::cairo_util {

inline const char* const kFont = "DejaVu Sans";

// ---- small cairo helpers ---------------------------------------------------------------------

inline void set_rgba(cairo_t* cr, style::Rgb c, double a = 1) { cairo_set_source_rgba(cr, c.r, c.g, c.b, a); }
inline void set_rgba(cairo_t* cr, style::Rgba c, double opacity = 1) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * opacity); }

inline void font(cairo_t* cr, double size, bool bold = false) {
    cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}
inline double text_w(cairo_t* cr, const std::string& s, double size, bool bold = false) {
    font(cr, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    return e.x_advance;
}
// Largest size <= `size` (down to 40 %) at which `s` fits in `maxw`.
inline double fit(cairo_t* cr, const std::string& s, double size, bool bold, double maxw) {
    const double w = text_w(cr, s, size, bold);
    if (w <= maxw || w <= 0) return size;
    return std::max(size * 0.4, size * maxw / w);
}
// Text with its baseline at y; align 0 left, 0.5 centre, 1 right. Returns the advance.
inline double text(cairo_t* cr, double x, double y, const std::string& s, double size, bool bold, style::Rgb c, double align = 0,
                   double maxw = 0) {
    if (maxw > 0) size = fit(cr, s, size, bold, maxw);
    const double w = text_w(cr, s, size, bold);
    set_rgba(cr, c);
    cairo_move_to(cr, x - w * align, y);
    cairo_show_text(cr, s.c_str());
    return w;
}
inline const style::Rgb kInk = style::rgb8(30, 30, 30);
inline const style::Rgb kGrey = style::rgb8(90, 90, 90);

struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;

inline void check(cairo_t* cr, const std::string& path) {
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        throw GeoError(path, "", std::string("drawing failed: ") + cairo_status_to_string(cairo_status(cr)));
}
inline void check_surface(cairo_surface_t* s, const std::string& path) {
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        throw GeoError(path, "", std::string("cannot write: ") + cairo_status_to_string(cairo_surface_status(s)));
}

inline SurfacePtr vector_surface(ImageFormat f, const std::string& temp, const PageSetup& page) {
    const double w = page.width_pt * page.device_per_pt, h = page.height_pt * page.device_per_pt;
    cairo_surface_t* s = f == ImageFormat::Pdf ? cairo_pdf_surface_create(temp.c_str(), w, h)
                                               : cairo_svg_surface_create(temp.c_str(), w, h);
    if (f == ImageFormat::Pdf) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "nexusmap");
    return SurfacePtr(s);
}

inline void to_rgba(cairo_surface_t* s, RgbaImage& out) {
    cairo_surface_flush(s);
    out.width = cairo_image_surface_get_width(s);
    out.height = cairo_image_surface_get_height(s);
    const int stride = cairo_image_surface_get_stride(s);
    const unsigned char* px = cairo_image_surface_get_data(s);
    out.rgba.assign(size_t(out.width) * size_t(out.height) * 4, 0);
    for (int y = 0; y < out.height; ++y) {
        const auto* row = reinterpret_cast<const uint32_t*>(px + size_t(y) * size_t(stride));
        for (int x = 0; x < out.width; ++x) {
            const uint32_t p = row[x];
            const int a = int(p >> 24);
            auto un = [a](uint32_t c) { return a == 0 ? 0 : std::min(255, int((c * 255 + uint32_t(a) / 2) / uint32_t(a))); };
            uint8_t* o = &out.rgba[(size_t(y) * size_t(out.width) + size_t(x)) * 4];
            o[0] = uint8_t(un((p >> 16) & 0xff));
            o[1] = uint8_t(un((p >> 8) & 0xff));
            o[2] = uint8_t(un(p & 0xff));
            o[3] = uint8_t(a);
        }
    }
}

template <class Draw>
auto render_to_file(const PageSetup& page, const std::string& path, Draw&& draw) {
    const auto fmt = image_format_for(path);
    if (!fmt) throw GeoError(path, "", "unknown image format (use .png, .pdf or .svg)");
    AtomicFile af(path, true);
    decltype(draw(static_cast<cairo_t*>(nullptr))) res;
    if (*fmt == ImageFormat::Png) {
        SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, page.device_width(), page.device_height()));
        check_surface(s.get(), path);
        CairoPtr cr(cairo_create(s.get()));
        res = draw(cr.get());
        check(cr.get(), path);
        cr.reset();
        if (cairo_surface_write_to_png(s.get(), af.temp_path().c_str()) != CAIRO_STATUS_SUCCESS)
            throw GeoError(path, "", "cannot write the PNG");
    } else {
        SurfacePtr s = vector_surface(*fmt, af.temp_path(), page);
        check_surface(s.get(), path);
        CairoPtr cr(cairo_create(s.get()));
        res = draw(cr.get());
        check(cr.get(), path);
        cr.reset();
        cairo_surface_finish(s.get());
        check_surface(s.get(), path);
    }
    af.commit();
    return res;
}

// Renders draw(cairo_t*) onto an in-memory page of `page`'s device size.
template <class Draw>
auto render_to_image(const PageSetup& page, RgbaImage& out, Draw&& draw) {
    SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, page.device_width(), page.device_height()));
    check_surface(s.get(), "(image)");
    CairoPtr cr(cairo_create(s.get()));
    auto r = draw(cr.get());
    check(cr.get(), "(image)");
    cr.reset();
    to_rgba(s.get(), out);
    return r;
}

} // namespace nexusmap::cairo_util
