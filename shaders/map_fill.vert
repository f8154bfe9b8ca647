#version 330 core
// Polygon fills. Positions are metres relative to the mesh origin; u_center is the view centre
// relative to that same origin, so the subtraction happens on small numbers (float precision).
layout(location = 0) in vec2 a_pos;
layout(location = 1) in float a_feature;

uniform vec2 u_center;
uniform vec2 u_scale;              // NDC per metre
uniform vec4 u_color;
uniform int u_use_feature_colors;  // 1: colour per feature from u_feature_colors (categories)
uniform samplerBuffer u_feature_colors;

out vec4 v_color;

void main() {
    gl_Position = vec4((a_pos - u_center) * u_scale, 0.0, 1.0);
    v_color = u_color;
    if (u_use_feature_colors != 0) {
        vec4 c = texelFetch(u_feature_colors, int(a_feature + 0.5));
        v_color = vec4(c.rgb, c.a * u_color.a);
    }
}
