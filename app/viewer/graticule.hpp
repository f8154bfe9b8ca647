#pragma once
// Graticule (Graticule panel): meridians and parallels every `step` degrees, the step chosen from
// the visible span so that a handful of lines show at any zoom, each densified so that it bends
// with the display CRS, and labelled ("10°N", "5°W"). GL-free (nexusmap_viewer_core).
#include <string>
#include <vector>

#include "viewer/measure.hpp" // LonLat

namespace nexusmap::viewer {

// The step (degrees) from the nice sequence 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30 that gives at
// most `max_lines` lines over `span_deg`.
double graticule_step(double span_deg, int max_lines = 8);

struct GraticuleLine {
    bool meridian = false; // a line of constant longitude
    double value = 0;      // its longitude or latitude
    std::vector<LonLat> pts;
    std::string label;
};
// Lines inside the lon/lat box [lon0, lon1] x [lat0, lat1] (clamped to the globe), every `step`
// degrees, with `densify` + 1 vertices each.
std::vector<GraticuleLine> graticule_lines(double lon0, double lat0, double lon1, double lat1, double step,
                                           int densify = 32);
// "10°N", "0°", "2.5°W" (UTF-8 degree sign).
std::string graticule_label(double value, bool longitude);

} // namespace nexusmap::viewer
