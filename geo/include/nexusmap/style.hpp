#pragma once
// The shared style model (no GL, no cairo): colour ramps, value scales, layer styles, Gi* bin
// colours and the categorical palette. The static maps (map_render.hpp), charts (charts.hpp), QGIS
// sidecars (qml.hpp) and the viewer all draw from these tables, so a ramp looks the same on screen,
// on paper and in QGIS. The ramps and scales are exactly those of app/viewer/colormap.hpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nexusmap {
struct VectorLayer;
} // namespace nexusmap

namespace nexusmap::style {

struct Rgb {
    float r = 0, g = 0, b = 0;
};
struct Rgba {
    float r = 0, g = 0, b = 0, a = 1;
    Rgba() = default;
    constexpr Rgba(float r_, float g_, float b_, float a_ = 1) : r(r_), g(g_), b(b_), a(a_) {}
    constexpr Rgba(Rgb c, float a_ = 1) : r(c.r), g(c.g), b(c.b), a(a_) {}
    constexpr Rgb rgb() const { return {r, g, b}; }
};

constexpr Rgb rgb8(int r, int g, int b) { return {r / 255.f, g / 255.f, b / 255.f}; }
// "#rrggbb" (lower case).
std::string to_hex(Rgb c);
// "#rgb", "#rrggbb" or "#rrggbbaa" (alpha ignored by the Rgb overload); nullopt when malformed.
std::optional<Rgb> from_hex(std::string_view s);
// 0..255 channel of a float colour (rounded, clamped).
inline int channel8(float v) { return static_cast<int>(std::lround(std::clamp(v, 0.f, 1.f) * 255.f)); }

// ---- Colour ramps -----------------------------------------------------------------------------

enum class Ramp { Viridis, Magma, Inferno, YlOrRd, RdYlBu };
inline constexpr std::array<Ramp, 5> kRamps = {Ramp::Viridis, Ramp::Magma, Ramp::Inferno, Ramp::YlOrRd, Ramp::RdYlBu};
// Display names (as in the viewer's menu) and command-line ids.
inline constexpr std::array<const char*, 5> kRampNames = {"viridis", "magma", "inferno", "YlOrRd", "RdYlBu (diverging)"};
inline constexpr std::array<const char*, 5> kRampIds = {"viridis", "magma", "inferno", "ylorrd", "rdylbu"};
inline const char* ramp_id(Ramp r) { return kRampIds[static_cast<size_t>(r)]; }
inline const char* ramp_name(Ramp r) { return kRampNames[static_cast<size_t>(r)]; }
// Case-insensitive id ("viridis", "YlOrRd", "rdylbu", ...); nullopt when unknown.
std::optional<Ramp> ramp_from_name(std::string_view s);

namespace ramp_detail {
// Evenly spaced stops sampled from matplotlib (viridis, magma, inferno) and ColorBrewer
// (YlOrRd 9-class, RdYlBu 11-class reversed so high values are red).
inline constexpr std::array<Rgb, 9> viridis = {rgb8(68, 1, 84),    rgb8(72, 40, 120),  rgb8(62, 73, 137),
                                               rgb8(49, 104, 142), rgb8(38, 130, 142), rgb8(31, 158, 137),
                                               rgb8(53, 183, 121), rgb8(110, 206, 88), rgb8(253, 231, 37)};
inline constexpr std::array<Rgb, 9> magma = {rgb8(0, 0, 4),      rgb8(28, 16, 68),    rgb8(79, 18, 123),
                                             rgb8(129, 37, 129), rgb8(181, 54, 122),  rgb8(229, 80, 100),
                                             rgb8(251, 135, 97), rgb8(254, 194, 135), rgb8(252, 253, 191)};
inline constexpr std::array<Rgb, 9> inferno = {rgb8(0, 0, 4),      rgb8(31, 12, 72),   rgb8(85, 15, 109),
                                               rgb8(136, 34, 106), rgb8(186, 54, 85),  rgb8(227, 89, 51),
                                               rgb8(249, 142, 9),  rgb8(248, 201, 50), rgb8(252, 255, 164)};
inline constexpr std::array<Rgb, 9> ylorrd = {rgb8(255, 255, 204), rgb8(255, 237, 160), rgb8(254, 217, 118),
                                              rgb8(254, 178, 76),  rgb8(253, 141, 60),  rgb8(252, 78, 42),
                                              rgb8(227, 26, 28),   rgb8(189, 0, 38),    rgb8(128, 0, 38)};
inline constexpr std::array<Rgb, 11> rdylbu = {
    rgb8(49, 54, 149),   rgb8(69, 117, 180), rgb8(116, 173, 209), rgb8(171, 217, 233),
    rgb8(224, 243, 248), rgb8(255, 255, 191), rgb8(254, 224, 144), rgb8(253, 174, 97),
    rgb8(244, 109, 67),  rgb8(215, 48, 39),   rgb8(165, 0, 38)};
} // namespace ramp_detail

inline std::span<const Rgb> ramp_stops(Ramp r) {
    using namespace ramp_detail;
    switch (r) {
    case Ramp::Viridis: return viridis;
    case Ramp::Magma: return magma;
    case Ramp::Inferno: return inferno;
    case Ramp::YlOrRd: return ylorrd;
    case Ramp::RdYlBu: return rdylbu;
    }
    return viridis;
}

// Colour at t in [0,1] (clamped; NaN -> 0), linear between evenly spaced stops.
inline Rgb ramp_color(Ramp r, double t) {
    const auto s = ramp_stops(r);
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * double(s.size() - 1);
    const size_t i = std::min(size_t(t), s.size() - 2);
    const float f = float(t - double(i));
    return {s[i].r + (s[i + 1].r - s[i].r) * f, s[i].g + (s[i + 1].g - s[i].g) * f, s[i].b + (s[i + 1].b - s[i].b) * f};
}

// 256-entry RGBA8 table (the viewer's GPU ramp texture).
inline std::array<unsigned char, 256 * 4> ramp_lut(Ramp r) {
    std::array<unsigned char, 256 * 4> out{};
    for (int i = 0; i < 256; ++i) {
        const Rgb c = ramp_color(r, i / 255.0);
        out[i * 4 + 0] = static_cast<unsigned char>(std::lround(c.r * 255));
        out[i * 4 + 1] = static_cast<unsigned char>(std::lround(c.g * 255));
        out[i * 4 + 2] = static_cast<unsigned char>(std::lround(c.b * 255));
        out[i * 4 + 3] = 255;
    }
    return out;
}

// ---- Value scales -----------------------------------------------------------------------------

enum class Scale { Linear, Sqrt, Log };
inline constexpr std::array<const char*, 3> kScaleNames = {"linear", "sqrt", "log"};
inline const char* scale_name(Scale s) { return kScaleNames[static_cast<size_t>(s)]; }
std::optional<Scale> scale_from_name(std::string_view s);

// Maps values to ramp positions. Log needs lo > 0: a non-positive lo is replaced by hi / 1000
// (three decades), which is also what the viewer's shader receives.
struct ValueScale {
    Scale scale = Scale::Linear;
    double lo = 0, hi = 1;

    double effective_lo() const {
        if (scale == Scale::Log && !(lo > 0)) return hi > 0 ? hi * 1e-3 : 1e-12;
        return lo;
    }
    // Value -> t (unclamped; callers clamp).
    double to_t(double v) const {
        const double l = effective_lo(), h = hi;
        if (!(h > l)) return v >= h ? 1.0 : 0.0;
        switch (scale) {
        case Scale::Linear: return (v - l) / (h - l);
        case Scale::Sqrt: return std::sqrt(std::max(v - l, 0.0)) / std::sqrt(h - l);
        case Scale::Log: return v > 0 ? std::log(v / l) / std::log(h / l) : -1.0;
        }
        return 0;
    }
    // t -> value (legend labels, QGIS colour-ramp items).
    double from_t(double t) const {
        const double l = effective_lo(), h = hi;
        switch (scale) {
        case Scale::Linear: return l + t * (h - l);
        case Scale::Sqrt: return l + t * t * (h - l);
        case Scale::Log: return l * std::pow(h / l, t);
        }
        return l;
    }
};

// ---- Categorical colours ----------------------------------------------------------------------

// Qualitative palette (Tableau 10) for categories and event types; cycles beyond 10.
inline Rgb category_color(int i) {
    static constexpr Rgb p[10] = {rgb8(78, 121, 167), rgb8(242, 142, 43), rgb8(225, 87, 89),  rgb8(118, 183, 178),
                                  rgb8(89, 161, 79),  rgb8(237, 201, 72), rgb8(176, 122, 161), rgb8(255, 157, 167),
                                  rgb8(156, 117, 95), rgb8(186, 176, 172)};
    return p[size_t(std::max(0, i)) % 10];
}

// ---- Gi* confidence bins ----------------------------------------------------------------------

// ArcGIS Gi_Bin colours: +3 #d62f27, +2 #ed7551, +1 #fab984, 0 #ffffbf (drawn transparent on
// maps), -1 #c0ccbe, -2 #849eba, -3 #4575b5. Bins outside -3..3 are clamped.
inline const char* gi_bin_hex(int bin) {
    static constexpr const char* h[7] = {"#4575b5", "#849eba", "#c0ccbe", "#ffffbf", "#fab984", "#ed7551", "#d62f27"};
    return h[std::clamp(bin, -3, 3) + 3];
}
inline Rgb gi_bin_color(int bin) {
    static constexpr Rgb c[7] = {rgb8(0x45, 0x75, 0xb5), rgb8(0x84, 0x9e, 0xba), rgb8(0xc0, 0xcc, 0xbe), rgb8(0xff, 0xff, 0xbf),
                                 rgb8(0xfa, 0xb9, 0x84), rgb8(0xed, 0x75, 0x51), rgb8(0xd6, 0x2f, 0x27)};
    return c[std::clamp(bin, -3, 3) + 3];
}
inline const char* gi_bin_label(int bin) {
    static constexpr const char* l[7] = {"Cold spot, 99% confidence", "Cold spot, 95% confidence",
                                         "Cold spot, 90% confidence", "Not significant",
                                         "Hot spot, 90% confidence",  "Hot spot, 95% confidence",
                                         "Hot spot, 99% confidence"};
    return l[std::clamp(bin, -3, 3) + 3];
}

// ---- LISA classes and emerging hot spot patterns -----------------------------------------------

// GeoDa cluster map colours by LISA class (0 ns, 1 HH, 2 LL, 3 LH, 4 HL): HH #ff0000, LL #0000ff,
// LH #a7adf9, HL #f4ada8, ns #eeeeee.
inline const char* lisa_class_hex(int cls) {
    static constexpr const char* h[5] = {"#eeeeee", "#ff0000", "#0000ff", "#a7adf9", "#f4ada8"};
    return h[std::clamp(cls, 0, 4)];
}
// Emerging hot spot patterns (index = EmergingPattern: 0 none, 1..8 hot, 9..16 their cold mirrors):
// hot patterns in reds/oranges, cold ones in blues, no pattern pale grey. One table for the command
// line, the viewer and print maps (the viewer once drew "new hot spot" #ca0020, the files #fddbc7).
inline const char* emerging_pattern_hex(int pattern) {
    static constexpr const char* h[17] = {"#f0f0f0", "#fddbc7", "#f4a582", "#b2182b", "#d6604d", "#fdae61", "#fb9a99",
                                          "#e7298a", "#d9b8b0", "#d1e5f0", "#92c5de", "#2166ac", "#4393c3", "#abd9e9",
                                          "#a6cee3", "#7570b3", "#b0bcc9"};
    return h[std::clamp(pattern, 0, 16)];
}

// ---- Layer styles -----------------------------------------------------------------------------

struct LayerStyle {
    bool fill = true;
    Rgba fill_color{0.96f, 0.95f, 0.92f, 1.f};
    bool stroke = true;
    Rgba stroke_color{0.25f, 0.25f, 0.25f, 1.f};
    double width_pt = 0.6;   // stroke width in points (1/72 inch)
    double opacity = 1.0;    // whole-layer opacity, multiplies the colours' alpha
    double point_radius_pt = 1.2;
    // Categorical colours: features whose `category_field` value is in `categories` take the
    // colour of the same index (stroke for lines, fill for polygons and points).
    std::string category_field;
    std::vector<std::string> categories;
    std::vector<Rgb> category_colors;
    // Colour of a category value (the stroke/fill colour when none matches).
    std::optional<Rgb> color_of(const std::string& value) const {
        for (size_t i = 0; i < categories.size() && i < category_colors.size(); ++i)
            if (categories[i] == value) return category_colors[i];
        return std::nullopt;
    }
};

// Styles of the base layers used by the maps (the viewer's defaults).
LayerStyle admin0_style();   // land fill, dark outline
LayerStyle admin1_style();   // no fill, thin grey lines
LayerStyle routes_style();   // lines, coloured by "commodity" (categories set by categorical())
LayerStyle events_style();   // small dark dots
// Assigns palette colours to the sorted distinct values (stable across files and runs).
void categorical(LayerStyle& s, const std::string& field, std::vector<std::string> values);

// A density layer: ramp, scale and how low values fade out.
struct RasterStyle {
    Ramp ramp = Ramp::Viridis;
    ValueScale scale;
    double opacity = 0.85;
    // Cells with t = scale.to_t(v) below this (and v <= 0, nodata) are left transparent, so the
    // kernel's long faint tail does not paint the whole map.
    double min_t = 0.02;
    // Above min_t, alpha rises linearly from 0 to 1 over t in [0, fade_t] (0: no fade), so the
    // surface fades into the base map instead of ending at a hard edge.
    double fade_t = 0.12;
    double alpha_at(double t) const {
        if (!(t >= min_t)) return 0;
        return fade_t > 0 ? std::clamp(t / fade_t, 0.0, 1.0) : 1.0;
    }
    std::string units = "events per km\u00b2";
};

// ---- Spillover layers (the viewer's colours) ---------------------------------------------------

// Border segment i: the categorical palette, in segment order.
inline Rgb border_segment_color(size_t i) { return category_color(int(i)); }
// A distance band [lo_km, hi_km] (signed: negative on the Sahel side): warm on the Sahel side, cool
// on the coastal side, stronger and more opaque near the border. `far_km` is the largest |edge|
// of all bands (at least 1). Alpha is the band's fill opacity.
inline Rgba spillover_band_color(double lo_km, double hi_km, double far_km) {
    const double mid = 0.5 * (lo_km + hi_km);
    far_km = std::isfinite(far_km) && far_km > 1 ? far_km : 1;
    const float t = float(1 - std::min(1.0, std::abs(std::isfinite(mid) ? mid : far_km) / far_km)); // 1 near the border
    if (mid < 0) return {0.93f, 0.55f - 0.2f * t, 0.2f, 0.12f + 0.22f * t};
    return {0.15f, 0.5f + 0.1f * t, 0.75f, 0.12f + 0.22f * t};
}
inline constexpr Rgba kBandOutline{0.35f, 0.35f, 0.35f, 0.5f};
inline constexpr double kBandOutlineWidth = 0.8, kBorderSegmentWidth = 4.0; // viewer pixels

// ---- simplestyle properties for GeoJSON -------------------------------------------------------
// Mapbox simplestyle-spec 1.1.0: web viewers (geojson.io, GitHub, Leaflet/Mapbox plugins) read
// these feature properties. Polygons get fill, fill-opacity, stroke, stroke-width, stroke-opacity;
// lines stroke, stroke-width, stroke-opacity; points marker-color and marker-size. Widths are in
// screen pixels, as in the viewer.
struct SimpleStyle {
    Rgb fill{};
    double fill_opacity = 0.6;
    Rgb stroke{};
    double stroke_width = 1.0;
    double stroke_opacity = 1.0;
};
inline constexpr std::array<const char*, 7> kSimpleStyleKeys = {"fill",           "fill-opacity", "stroke",     "stroke-width",
                                                                 "stroke-opacity", "marker-color", "marker-size"};
inline bool is_simplestyle_key(std::string_view k) {
    return std::find(kSimpleStyleKeys.begin(), kSimpleStyleKeys.end(), k) != kSimpleStyleKeys.end();
}
// The ramp colour of `value` on `scale` (t clamped to [0, 1], as the maps and the viewer draw it)
// as fill and stroke.
inline SimpleStyle ramp_simplestyle(Ramp r, const ValueScale& scale, double value, double fill_opacity = 0.6) {
    const Rgb c = ramp_color(r, scale.to_t(value));
    return {c, fill_opacity, c, 1.0, 1.0};
}
// Appends the simplestyle fields (replacing any already there) to every feature, by the layer's
// geometry type; `per_feature` is parallel to l.features (its size must match).
void add_simplestyle(VectorLayer& l, const std::vector<SimpleStyle>& per_feature);
// Linear (or sqrt/log) scale 0 .. the largest finite value of `field` (1 when there is none).
ValueScale field_scale(const VectorLayer& l, const std::string& field, Scale s = Scale::Linear);
// Colours each feature by `field` through the ramp (e.g. contour levels, zonal rates). Throws
// GeoError when the field is missing.
void style_by_value(VectorLayer& l, const std::string& field, Ramp r, const ValueScale& scale, double fill_opacity = 0.6);
// Spillover outputs as the viewer draws them: bands (fields lo_km, hi_km) and border segments
// (in order).
void style_spillover_bands(VectorLayer& bands);
void style_border_segments(VectorLayer& border);
// Categorical colours by `field` (Tableau 10 over the sorted distinct values, as routes are drawn
// by the viewer and the maps), e.g. route corridors and crossings by commodity.
void style_by_category(VectorLayer& l, const std::string& field, double fill_opacity = 0.3);

} // namespace nexusmap::style
