#version 330 core
// Colour mapping; mirrors ValueScale::to_t in app/viewer/colormap.hpp.
in vec2 v_uv;
uniform sampler2D u_heat;     // R32F density, events per km^2
uniform sampler2D u_ramp;     // 256x1 RGBA8
uniform int u_scale_mode;     // 0 linear, 1 sqrt, 2 log
uniform float u_lo;
uniform float u_hi;
uniform float u_threshold;    // values <= threshold are transparent (absolute, per km^2)
uniform float u_opacity;
out vec4 o_color;

void main() {
    float v = texture(u_heat, v_uv).r;
    if (!(v > u_threshold)) discard;
    float t;
    if (u_scale_mode == 0) t = (v - u_lo) / (u_hi - u_lo);
    else if (u_scale_mode == 1) t = sqrt(max(v - u_lo, 0.0)) / sqrt(u_hi - u_lo);
    else t = log(v / u_lo) / log(u_hi / u_lo);
    t = clamp(t, 0.0, 1.0);
    vec3 c = texture(u_ramp, vec2(t * (255.0 / 256.0) + 0.5 / 256.0, 0.5)).rgb;
    o_color = vec4(c, u_opacity);
}
