#version 330 core
in vec2 v_corner;
in vec4 v_color;
uniform float u_radius_px;
uniform float u_opacity;
out vec4 o_color;

void main() {
    float d = length(v_corner);
    float cover = clamp(u_radius_px + 0.5 - d, 0.0, 1.0);
    if (cover <= 0.0) discard;
    // A thin dark rim keeps light-coloured points readable on a light basemap.
    // (Only on points big enough to have an inside; tiny points would turn all rim.)
    float rim = u_radius_px >= 2.5 ? smoothstep(u_radius_px - 1.5, u_radius_px - 0.5, d) : 0.0;
    vec3 c = mix(v_color.rgb, v_color.rgb * 0.35, rim);
    o_color = vec4(c, v_color.a * u_opacity * cover);
}
