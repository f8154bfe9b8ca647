#version 330 core
// Kernel density on the GPU: each event draws a quad covering its kernel support into an R32F
// grid with additive blending; the fragment shader evaluates the kernel at the cell centre.
// The grid is fixed in map space (it only changes with the kernel, bandwidth or filters), so
// panning and zooming never re-splat.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec4 a_attr;    // day, type, weight, fatalities

uniform vec2 u_grid_center;             // grid centre relative to the events' origin, metres
uniform vec2 u_grid_scale;              // NDC per metre over the grid
uniform float u_extent_m;               // quad half-size: max(support, 1.5 cells)
uniform vec2 u_day_range;
uniform int u_all_time;
uniform uint u_type_mask[8];
uniform int u_weight_mode;              // 0 count, 1 weight column, 2 fatalities
uniform usamplerBuffer u_keep;          // per instance: 0 = filtered out (countries, actors, fatalities)
uniform int u_use_keep;

out vec2 v_off;                         // metres from the event
flat out float v_w;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1) * 2.0 - 1.0, float(gl_VertexID >> 1) * 2.0 - 1.0);
    int t = int(a_attr.y + 0.5);
    bool on = !(t < 256 && ((u_type_mask[t >> 5] >> uint(t & 31)) & 1u) == 0u);
    if (u_all_time == 0 && !(a_attr.x >= u_day_range.x && a_attr.x < u_day_range.y)) on = false;
    if (u_use_keep != 0 && texelFetch(u_keep, gl_InstanceID).r == 0u) on = false;
    v_w = u_weight_mode == 0 ? 1.0 : (u_weight_mode == 1 ? a_attr.z : a_attr.w);
    if (!on || v_w == 0.0) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        return;
    }
    v_off = corner * u_extent_m;
    gl_Position = vec4((a_pos + v_off - u_grid_center) * u_grid_scale, 0.0, 1.0);
}
