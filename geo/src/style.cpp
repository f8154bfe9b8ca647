#include "nexusmap/style.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace nexusmap::style {

namespace {
std::string lower(std::string_view s) {
    std::string o(s);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}
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

} // namespace nexusmap::style
