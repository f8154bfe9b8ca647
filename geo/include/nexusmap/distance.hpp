#pragma once
// Distances on the WGS 84 ellipsoid, for code that measures in lon/lat rather than in a projected
// CRS (planar distances in an equal-area CRS are off by its scale distortion, ~0.1-1 % over West
// Africa in the default LAEA). Reuse these instead of adding another haversine.
#include <cstddef>

namespace nexusmap {

// Geodesic (shortest path on the ellipsoid) distance in metres between two lon/lat points, by
// Karney's algorithm (C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 2013) as shipped
// in PROJ (geodesic.h, geod_inverse): accurate to ~15 nanometres. NaN if an input is not finite.
double geodesic_distance_m(double lon1, double lat1, double lon2, double lat2);

// Shortest geodesic distance in metres from (lon, lat) to the segment A-B drawn straight in lon/lat
// (how boundary data such as Natural Earth store edges between vertices): golden-section search
// over the segment parameter t in [0, 1] (the distance is unimodal along a segment much shorter
// than the Earth's radius), on the sphere first and then on the ellipsoid near that minimum; the
// distance is found to 0.1 mm. `t_out` receives the nearest t.
double geodesic_distance_to_segment_m(double lon, double lat, double lon_a, double lat_a, double lon_b, double lat_b,
                                      double* t_out = nullptr);

// Great-circle distance in metres on the sphere of mean radius 6371008.8 m (IUGG R1): cheap, up to
// ~0.5 % off the ellipsoidal distance. For scale bars and estimates, not for measurements.
double haversine_m(double lon1, double lat1, double lon2, double lat2);

// Length in metres of the path through n lon/lat vertices, each leg a geodesic (Karney). NaN if a
// vertex is not finite; 0 for fewer than two vertices.
double geodesic_path_length_m(const double* lon, const double* lat, size_t n);

// Area in m^2 of the polygon whose edges are the geodesics between n lon/lat vertices (closed
// implicitly; the ring need not repeat its first vertex), on the WGS 84 ellipsoid by Karney's
// algorithm (PROJ geodesic.h, geod_polygonarea). Unsigned (either orientation), for a simple ring;
// NaN if a vertex is not finite, 0 for fewer than three vertices. `perimeter_m` gets the closed
// ring's length.
double geodesic_polygon_area_m2(const double* lon, const double* lat, size_t n, double* perimeter_m = nullptr);

} // namespace nexusmap
