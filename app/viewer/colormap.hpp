#pragma once
// Colour ramps and value scaling for the heatmap come from geo's shared style model, so the
// viewer, the print maps (nexusmap map) and the QGIS .qml sidecars use one table. The same scaling
// formulas are mirrored in shaders/heat_color.frag, so legend labels describe what the shader drew.
#include "nexusmap/style.hpp"

namespace nexusmap::viewer {
using style::kRampNames;
using style::kScaleNames;
using style::Ramp;
using style::ramp_color;
using style::ramp_lut;
using style::ramp_stops;
using style::Rgb;
using style::Scale;
using style::ValueScale;
} // namespace nexusmap::viewer
