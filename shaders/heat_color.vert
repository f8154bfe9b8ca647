#version 330 core
// Draws the density grid as one quad in map space; the fragment shader colour-maps it.
uniform vec2 u_center;        // view centre relative to the grid's south-west corner, metres
uniform vec2 u_scale;         // NDC per metre
uniform vec2 u_size_m;        // grid width/height, metres
out vec2 v_uv;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    v_uv = corner;
    gl_Position = vec4((corner * u_size_m - u_center) * u_scale, 0.0, 1.0);
}
