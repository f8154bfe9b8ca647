#version 330 core
// Must mirror app/viewer/kernel_shapes.hpp (kernel_shape); codes follow nexusmap::Kernel.
in vec2 v_off;
flat in float v_w;
uniform int u_kernel;       // 0 quartic, 1 triangular, 2 uniform, 3 triweight, 4 epanechnikov, 5 gaussian
uniform float u_h;          // bandwidth, metres (Gaussian: sigma)
uniform float u_support;    // metres
uniform float u_norm;       // geo's kernel_value(k, 0, h) * 1e6: per km^2 per unit weight
out vec4 o_value;

void main() {
    float r = length(v_off);
    if (r >= u_support) discard;
    float u = r / u_h;
    float a = 1.0 - u * u;
    float s;
    if (u_kernel == 0) s = a * a;
    else if (u_kernel == 1) s = 1.0 - u;
    else if (u_kernel == 2) s = 1.0;
    else if (u_kernel == 3) s = a * a * a;
    else if (u_kernel == 4) s = a;
    else s = exp(-0.5 * u * u);
    o_value = vec4(v_w * u_norm * max(s, 0.0), 0.0, 0.0, 0.0);
}
