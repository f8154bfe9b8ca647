#version 330 core
in vec4 v_color;
in float v_across;
flat in float v_half;
uniform float u_opacity;
out vec4 o_color;

void main() {
    float cover = clamp(v_half + 0.5 - abs(v_across), 0.0, 1.0);
    if (cover <= 0.0) discard;
    o_color = vec4(v_color.rgb, v_color.a * u_opacity * cover);
}
