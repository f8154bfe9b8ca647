#pragma once
// Radial kernel shapes as the heat-splat shader evaluates them. The shader computes
// weight * norm * shape(r / h) where norm = geo's kernel_value(k, 0, h) (every shape is 1 at
// r = 0), so the GPU heatmap inherits geo's normalisation: density in weight per km^2 whose
// integral over the plane is the weight total. kernel_norm_ref() is the closed form, kept here so
// tests can check that shape * norm reproduces kernel_value() at every r.
#include <cmath>
#include <numbers>

#include "nexusmap/density.hpp"

namespace nexusmap::viewer {

// Same integer codes as the `u_kernel` uniform in shaders/heat_splat.frag.
inline int kernel_code(Kernel k) {
    return static_cast<int>(k);
}

// Unnormalised profile, u = r / h (Gaussian: h is the standard deviation).
inline double kernel_shape(Kernel k, double u) {
    const double a = 1.0 - u * u;
    switch (k) {
    case Kernel::Quartic:
        return u < 1 ? a * a : 0.0;
    case Kernel::Triangular:
        return u < 1 ? 1.0 - u : 0.0;
    case Kernel::Uniform:
        return u < 1 ? 1.0 : 0.0;
    case Kernel::Triweight:
        return u < 1 ? a * a * a : 0.0;
    case Kernel::Epanechnikov:
        return u < 1 ? a : 0.0;
    case Kernel::Gaussian:
        return u < kGaussianCutoff ? std::exp(-0.5 * u * u) : 0.0;
    }
    return 0;
}

// Closed-form normalisation (per m^2) so that shape integrates to 1 over the plane.
inline double kernel_norm_ref(Kernel k, double h) {
    const double pi_h2 = std::numbers::pi * h * h;
    switch (k) {
    case Kernel::Quartic:
        return 3.0 / pi_h2; // int 2pi u (1-u^2)^2 = pi/3
    case Kernel::Triangular:
        return 3.0 / pi_h2; // int 2pi u (1-u) = pi/3
    case Kernel::Uniform:
        return 1.0 / pi_h2;
    case Kernel::Triweight:
        return 4.0 / pi_h2; // int 2pi u (1-u^2)^3 = pi/4
    case Kernel::Epanechnikov:
        return 2.0 / pi_h2; // int 2pi u (1-u^2) = pi/2
    case Kernel::Gaussian:  // truncated at kGaussianCutoff*h, renormalised
        return 1.0 / (2.0 * pi_h2 * (1.0 - std::exp(-0.5 * kGaussianCutoff * kGaussianCutoff)));
    }
    return 0;
}

inline constexpr const char* kKernelNames[] = {"quartic",   "triangular",   "uniform",
                                               "triweight", "epanechnikov", "gaussian"};

} // namespace nexusmap::viewer
