#pragma once
// Measuring on the map (Measure panel): the length of a clicked polyline and the area of a clicked
// polygon on the WGS 84 ellipsoid (geo's distance module: Karney's geodesics), whatever the display
// CRS. GL-free (nexusmap_viewer_core), tested in tests/test_viewer_tools.cpp.
#include <string>
#include <vector>

namespace nexusmap::viewer {

struct LonLat {
    double lon = 0, lat = 0;
    bool operator==(const LonLat&) const = default;
};

struct Measurement {
    double length_km = 0;    // along the vertices in order (geodesic legs)
    double area_km2 = 0;     // the closed ring's area (3+ vertices), else 0
    double perimeter_km = 0; // the closed ring's length (3+ vertices), else 0
};
Measurement measure(const std::vector<LonLat>& pts);

// "1,234.5 km" / "812 m"; "12,345 km²" / "0.52 km²" (UTF-8 superscript two).
std::string format_length_km(double km);
std::string format_area_km2(double km2);

} // namespace nexusmap::viewer
