#pragma once
// Colour ramps and value scaling for the heatmap. Pure logic: the same tables feed the GPU ramp
// texture and the ImGui legend, and the same scaling formulas are mirrored in
// shaders/heat_color.frag, so legend labels always describe what the shader drew.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>

namespace nexusmap::viewer {

struct Rgb {
    float r = 0, g = 0, b = 0;
};

enum class Ramp { Viridis, Magma, Inferno, YlOrRd, RdYlBu };
inline constexpr std::array<const char*, 5> kRampNames = {"viridis", "magma", "inferno", "YlOrRd",
                                                          "RdYlBu (diverging)"};

namespace ramp_detail {
constexpr Rgb c(int r, int g, int b) {
    return {r / 255.f, g / 255.f, b / 255.f};
}
// Evenly spaced stops sampled from matplotlib (viridis, magma, inferno) and ColorBrewer
// (YlOrRd 9-class, RdYlBu 11-class reversed so high values are red).
inline constexpr std::array<Rgb, 9> viridis = {c(68, 1, 84),    c(72, 40, 120),  c(62, 73, 137),
                                               c(49, 104, 142), c(38, 130, 142), c(31, 158, 137),
                                               c(53, 183, 121), c(110, 206, 88), c(253, 231, 37)};
inline constexpr std::array<Rgb, 9> magma = {c(0, 0, 4),      c(28, 16, 68),    c(79, 18, 123),
                                             c(129, 37, 129), c(181, 54, 122),  c(229, 80, 100),
                                             c(251, 135, 97), c(254, 194, 135), c(252, 253, 191)};
inline constexpr std::array<Rgb, 9> inferno = {c(0, 0, 4),      c(31, 12, 72),   c(85, 15, 109),
                                               c(136, 34, 106), c(186, 54, 85),  c(227, 89, 51),
                                               c(249, 142, 9),  c(248, 201, 50), c(252, 255, 164)};
inline constexpr std::array<Rgb, 9> ylorrd = {c(255, 255, 204), c(255, 237, 160), c(254, 217, 118),
                                              c(254, 178, 76),  c(253, 141, 60),  c(252, 78, 42),
                                              c(227, 26, 28),   c(189, 0, 38),    c(128, 0, 38)};
inline constexpr std::array<Rgb, 11> rdylbu = {
    c(49, 54, 149),   c(69, 117, 180), c(116, 173, 209), c(171, 217, 233), c(224, 243, 248), c(255, 255, 191),
    c(254, 224, 144), c(253, 174, 97), c(244, 109, 67),  c(215, 48, 39),   c(165, 0, 38)};
} // namespace ramp_detail

inline std::span<const Rgb> ramp_stops(Ramp r) {
    using namespace ramp_detail;
    switch (r) {
    case Ramp::Viridis:
        return viridis;
    case Ramp::Magma:
        return magma;
    case Ramp::Inferno:
        return inferno;
    case Ramp::YlOrRd:
        return ylorrd;
    case Ramp::RdYlBu:
        return rdylbu;
    }
    return viridis;
}

// Colour at t in [0,1] (clamped), linear between stops.
inline Rgb ramp_color(Ramp r, double t) {
    const auto s = ramp_stops(r);
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * double(s.size() - 1);
    const size_t i = std::min(size_t(t), s.size() - 2);
    const float f = float(t - double(i));
    return {s[i].r + (s[i + 1].r - s[i].r) * f, s[i].g + (s[i + 1].g - s[i].g) * f,
            s[i].b + (s[i + 1].b - s[i].b) * f};
}

// 256-entry RGBA8 table for the GPU ramp texture.
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

enum class Scale { Linear, Sqrt, Log };
inline constexpr std::array<const char*, 3> kScaleNames = {"linear", "sqrt", "log"};

// Maps density values to ramp positions. Log needs lo > 0: a non-positive lo is replaced by
// hi / 1000 (three decades), which is also what the shader receives.
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
        case Scale::Linear:
            return (v - l) / (h - l);
        case Scale::Sqrt:
            return std::sqrt(std::max(v - l, 0.0)) / std::sqrt(h - l);
        case Scale::Log:
            return v > 0 ? std::log(v / l) / std::log(h / l) : -1.0;
        }
        return 0;
    }
    // t -> value (for legend labels).
    double from_t(double t) const {
        const double l = effective_lo(), h = hi;
        switch (scale) {
        case Scale::Linear:
            return l + t * (h - l);
        case Scale::Sqrt:
            return l + t * t * (h - l);
        case Scale::Log:
            return l * std::pow(h / l, t);
        }
        return l;
    }
};

} // namespace nexusmap::viewer
