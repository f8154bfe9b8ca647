#version 330 core
// Lines as screen-space strips: each segment is a quad whose vertices are pushed sideways by
// half the width (pixels) and extended by half the width at both ends so joints have no gaps.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec2 a_dir;       // unit segment direction (map and NDC share axes)
layout(location = 2) in vec2 a_side_cap;  // x: side (+-1), y: cap (-1 start, +1 end)
layout(location = 3) in float a_feature;

uniform vec2 u_center;
uniform vec2 u_scale;
uniform vec2 u_px_to_ndc;         // 2 / canvas size in pixels
uniform float u_half_width_px;
uniform vec4 u_color;
uniform int u_use_feature_colors;
uniform samplerBuffer u_feature_colors;

out vec4 v_color;
out float v_across;               // signed distance from the centre line, pixels
flat out float v_half;

void main() {
    float hw = u_half_width_px + 0.5;  // half a pixel of feathering for anti-aliasing
    vec2 normal = vec2(-a_dir.y, a_dir.x);
    vec2 p = (a_pos - u_center) * u_scale;
    vec2 dir_px = normalize(a_dir * u_scale / u_px_to_ndc);
    vec2 n_px = vec2(-dir_px.y, dir_px.x);
    p += (n_px * a_side_cap.x + dir_px * a_side_cap.y * 0.5) * hw * u_px_to_ndc;
    gl_Position = vec4(p, 0.0, 1.0);
    v_across = a_side_cap.x * hw;
    v_half = u_half_width_px;
    v_color = u_color;
    if (u_use_feature_colors != 0) {
        vec4 c = texelFetch(u_feature_colors, int(a_feature + 0.5));
        v_color = vec4(c.rgb, c.a * u_color.a);
    }
}
