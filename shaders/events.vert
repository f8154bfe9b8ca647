#version 330 core
// Events as instanced point sprites; the time window and event-type filter are applied here so
// moving the time slider costs no buffer upload.
layout(location = 0) in vec2 a_pos;     // per instance: metres relative to the events' origin
layout(location = 1) in vec4 a_attr;    // per instance: day, type, weight, fatalities

uniform vec2 u_center;
uniform vec2 u_scale;
uniform vec2 u_px_to_ndc;
uniform float u_radius_px;
uniform vec2 u_day_range;               // [lo, hi) days since 1970
uniform int u_all_time;
uniform uint u_type_mask[8];            // bit per event type (256 types)
uniform int u_color_by_type;
uniform vec4 u_color;
uniform vec3 u_palette[10];
uniform usamplerBuffer u_keep;          // per instance: 0 = filtered out (countries, actors, fatalities)
uniform int u_use_keep;

out vec2 v_corner;
out vec4 v_color;

bool visible_event() {
    int t = int(a_attr.y + 0.5);
    if (t < 256 && ((u_type_mask[t >> 5] >> uint(t & 31)) & 1u) == 0u) return false;
    if (u_all_time == 0 && !(a_attr.x >= u_day_range.x && a_attr.x < u_day_range.y)) return false;
    if (u_use_keep != 0 && texelFetch(u_keep, gl_InstanceID).r == 0u) return false;
    return true;
}

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1) * 2.0 - 1.0, float(gl_VertexID >> 1) * 2.0 - 1.0);
    if (!visible_event()) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume: culled
        return;
    }
    vec2 p = (a_pos - u_center) * u_scale + corner * (u_radius_px + 1.0) * u_px_to_ndc;
    gl_Position = vec4(p, 0.0, 1.0);
    v_corner = corner * (u_radius_px + 1.0);
    v_color = u_color;
    if (u_color_by_type != 0) v_color = vec4(u_palette[int(a_attr.y + 0.5) % 10], u_color.a);
}
