#include "nexusmap/style.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include "nexusmap/error.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::style {

namespace {
std::string lower(std::string_view s) { return ascii_lower(s); }
int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace

std::string to_hex(Rgb c) {
    char b[8];
    std::snprintf(b, sizeof b, "#%02x%02x%02x", channel8(c.r), channel8(c.g), channel8(c.b));
    return b;
}

std::optional<Rgb> from_hex(std::string_view s) {
    if (s.empty() || s[0] != '#') return std::nullopt;
    s.remove_prefix(1);
    for (char c : s)
        if (hexval(c) < 0) return std::nullopt;
    if (s.size() == 3) return rgb8(hexval(s[0]) * 17, hexval(s[1]) * 17, hexval(s[2]) * 17);
    if (s.size() == 6 || s.size() == 8)
        return rgb8(hexval(s[0]) * 16 + hexval(s[1]), hexval(s[2]) * 16 + hexval(s[3]), hexval(s[4]) * 16 + hexval(s[5]));
    return std::nullopt;
}

std::optional<Ramp> ramp_from_name(std::string_view s) {
    const std::string l = lower(s);
    for (size_t i = 0; i < kRamps.size(); ++i)
        if (l == kRampIds[i] || l == lower(kRampNames[i])) return kRamps[i];
    return std::nullopt;
}

std::optional<Scale> scale_from_name(std::string_view s) {
    const std::string l = lower(s);
    for (size_t i = 0; i < kScaleNames.size(); ++i)
        if (l == kScaleNames[i]) return static_cast<Scale>(i);
    return std::nullopt;
}

LayerStyle admin0_style() {
    LayerStyle s;
    s.fill = true;
    s.fill_color = {0.96f, 0.95f, 0.92f, 1.f};
    s.stroke_color = {0.25f, 0.25f, 0.25f, 1.f};
    s.width_pt = 0.7;
    return s;
}
LayerStyle admin1_style() {
    LayerStyle s;
    s.fill = false;
    s.stroke_color = {0.55f, 0.55f, 0.55f, 1.f};
    s.width_pt = 0.3;
    return s;
}
LayerStyle routes_style() {
    LayerStyle s;
    s.fill = false;
    s.stroke_color = {0.2f, 0.3f, 0.6f, 0.9f};
    s.width_pt = 1.4;
    s.opacity = 0.9;
    return s;
}
LayerStyle events_style() {
    LayerStyle s;
    s.fill = true;
    s.fill_color = {0.1f, 0.1f, 0.4f, 0.45f};
    s.stroke = false;
    s.point_radius_pt = 0.7;
    return s;
}

void categorical(LayerStyle& s, const std::string& field, std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    s.category_field = field;
    s.categories = values;
    s.category_colors.clear();
    for (size_t i = 0; i < values.size(); ++i) s.category_colors.push_back(category_color(int(i)));
}

// ---- simplestyle -------------------------------------------------------------------------------

namespace {
double round3(double v) { return std::round(v * 1000) / 1000; }
} // namespace

void add_simplestyle(VectorLayer& l, const std::vector<SimpleStyle>& per_feature) {
    if (per_feature.size() != l.features.size())
        throw GeoError(l.source, l.name, "simplestyle: one style per feature expected");
    // Drop existing simplestyle fields (re-styling replaces them).
    std::vector<size_t> keep;
    std::vector<std::string> fields;
    for (size_t i = 0; i < l.fields.size(); ++i)
        if (!is_simplestyle_key(l.fields[i])) keep.push_back(i), fields.push_back(l.fields[i]);
    if (keep.size() != l.fields.size()) {
        for (auto& f : l.features) {
            std::vector<AttrValue> a;
            for (size_t i : keep) a.push_back(i < f.attrs.size() ? f.attrs[i] : AttrValue{});
            f.attrs = std::move(a);
        }
        l.fields = fields;
    }
    GeomType t = l.type;
    if (t == GeomType::None && !l.features.empty()) t = l.features.front().geom.type;
    const size_t nf = l.fields.size();
    if (t == GeomType::Point)
        l.fields.insert(l.fields.end(), {"marker-color", "marker-size"});
    else if (t == GeomType::Line)
        l.fields.insert(l.fields.end(), {"stroke", "stroke-width", "stroke-opacity"});
    else
        l.fields.insert(l.fields.end(), {"fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity"});
    for (size_t i = 0; i < l.features.size(); ++i) {
        auto& a = l.features[i].attrs;
        a.resize(nf);
        const SimpleStyle& s = per_feature[i];
        if (t == GeomType::Point) {
            a.insert(a.end(), {AttrValue{to_hex(s.fill)}, AttrValue{std::string("small")}});
        } else if (t == GeomType::Line) {
            a.insert(a.end(), {AttrValue{to_hex(s.stroke)}, AttrValue{round3(s.stroke_width)}, AttrValue{round3(s.stroke_opacity)}});
        } else {
            a.insert(a.end(), {AttrValue{to_hex(s.fill)}, AttrValue{round3(s.fill_opacity)}, AttrValue{to_hex(s.stroke)},
                               AttrValue{round3(s.stroke_width)}, AttrValue{round3(s.stroke_opacity)}});
        }
    }
}

ValueScale field_scale(const VectorLayer& l, const std::string& field, Scale s) {
    ValueScale vs;
    vs.scale = s;
    vs.lo = 0;
    vs.hi = 0;
    const int fi = l.field_index(field);
    for (const auto& f : l.features)
        if (fi >= 0 && size_t(fi) < f.attrs.size())
            if (auto d = attr_to_double(f.attrs[size_t(fi)]); d && std::isfinite(*d)) vs.hi = std::max(vs.hi, *d);
    if (!(vs.hi > 0)) vs.hi = 1;
    return vs;
}

void style_by_value(VectorLayer& l, const std::string& field, Ramp r, const ValueScale& scale, double fill_opacity) {
    const int fi = l.field_index(field);
    if (fi < 0) throw GeoError(l.source, l.name, "no field '" + field + "' to colour by");
    std::vector<SimpleStyle> st;
    st.reserve(l.features.size());
    for (const auto& f : l.features) {
        std::optional<double> d;
        if (size_t(fi) < f.attrs.size()) d = attr_to_double(f.attrs[size_t(fi)]);
        st.push_back(ramp_simplestyle(r, scale, d && std::isfinite(*d) ? *d : scale.effective_lo(), fill_opacity));
    }
    add_simplestyle(l, st);
}

void style_spillover_bands(VectorLayer& bands) {
    const int lo = bands.field_index("lo_km"), hi = bands.field_index("hi_km");
    if (lo < 0 || hi < 0) throw GeoError(bands.source, bands.name, "bands need lo_km and hi_km fields");
    auto edge = [](const Feature& f, int i) {
        auto d = size_t(i) < f.attrs.size() ? attr_to_double(f.attrs[size_t(i)]) : std::nullopt;
        return d ? *d : std::nan("");
    };
    double far = 1;
    for (const auto& f : bands.features)
        for (double e : {edge(f, lo), edge(f, hi)})
            if (std::isfinite(e)) far = std::max(far, std::abs(e));
    std::vector<SimpleStyle> st;
    for (const auto& f : bands.features) {
        const Rgba c = spillover_band_color(edge(f, lo), edge(f, hi), far);
        st.push_back({c.rgb(), c.a, kBandOutline.rgb(), kBandOutlineWidth, kBandOutline.a});
    }
    add_simplestyle(bands, st);
}

void style_border_segments(VectorLayer& border) {
    std::vector<SimpleStyle> st;
    for (size_t i = 0; i < border.features.size(); ++i) {
        const Rgb c = border_segment_color(i);
        st.push_back({c, 1.0, c, kBorderSegmentWidth, 1.0});
    }
    add_simplestyle(border, st);
}

void style_by_category(VectorLayer& l, const std::string& field, double fill_opacity) {
    const int fi = l.field_index(field);
    if (fi < 0) throw GeoError(l.source, l.name, "no field '" + field + "' to colour by");
    std::vector<std::string> values;
    for (size_t i = 0; i < l.features.size(); ++i) values.push_back(l.attr_string(i, field));
    LayerStyle ls;
    categorical(ls, field, values);
    std::vector<SimpleStyle> st;
    for (size_t i = 0; i < l.features.size(); ++i) {
        const Rgb c = ls.color_of(l.attr_string(i, field)).value_or(category_color(0));
        st.push_back({c, fill_opacity, c, 1.5, 0.9});
    }
    add_simplestyle(l, st);
}

} // namespace nexusmap::style
