#version 330 core
// Draws the density grid (a texture in the analysis CRS) through a mesh whose vertices are the
// grid's points projected to the display CRS (one quad for the equal-area display); the fragment
// shader colour-maps it.
layout(location = 0) in vec2 a_pos; // display coordinates relative to the mesh origin, metres
layout(location = 1) in vec2 a_uv;  // texture coordinates of the same analysis-CRS point
uniform vec2 u_center;        // view centre relative to the mesh origin, display metres
uniform vec2 u_scale;         // NDC per display metre
out vec2 v_uv;

void main() {
    v_uv = a_uv;
    gl_Position = vec4((a_pos - u_center) * u_scale, 0.0, 1.0);
}
