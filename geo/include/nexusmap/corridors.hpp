#pragma once
// Trafficking-route corridors: events within a half-width of each route, per period; a density
// profile along the route (GEOSProject positions) with the Sahel–coastal border crossings marked;
// the crossing points themselves; rankings by recent activity and by change. See docs/spillover.md.
#include <string>
#include <vector>

#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/spillover.hpp"

namespace nexusmap {

struct CorridorParams {
    double half_width_km = 25;
    double bin_km = 25;
    std::string commodity_field = "commodity";
    std::string name_field = "name";
    PeriodUnit period = PeriodUnit::Year;
    int recent_periods = 3;          // "recent": the last N periods; "change": those minus the N before
    double crossing_radius_km = -1;  // events counted around a crossing; <= 0: the half-width
    Crs analysis_crs = Crs::default_analysis();
    int threads = 0;                 // worker threads for the per-event loops (0 = hardware
                                     // concurrency); results do not depend on it
};

struct ProfileBin {
    double from_km = 0, to_km = 0;
    double events = 0, weighted = 0;
    double events_per_km = 0;        // events / bin length
    std::vector<std::string> crossings; // border segment names crossed inside this bin
};

struct RouteResult {
    std::string name, commodity;
    Geometry line;      // analysis CRS (merged)
    Geometry corridor;  // buffer of half_width_km
    double length_km = 0, corridor_area_km2 = 0;
    std::vector<double> n, w;          // per period (CorridorResult::periods)
    double total = 0, recent = 0, previous = 0;
    double change = 0;                 // recent - previous
    int rank_recent = 0, rank_change = 0; // 1 = most
    std::vector<ProfileBin> profile;
};

struct Crossing {
    size_t route = 0;
    std::string route_name, commodity, segment;
    double x = 0, y = 0;       // analysis CRS
    double lon = 0, lat = 0;
    double along_km = 0;       // position along the route
    std::vector<double> n;     // events within the crossing radius, per period
    double total = 0, recent = 0, previous = 0, change = 0;
    int rank_recent = 0, rank_change = 0;
};

struct CorridorResult {
    std::vector<RouteResult> routes;
    std::vector<Crossing> crossings;
    std::vector<int64_t> periods;
    std::vector<std::string> labels;
    CorridorParams params;
    size_t undated = 0;
    size_t skipped_routes = 0;
    Crs crs;
    Metadata metadata;
};

// `routes`: any line layer (any CRS) with a commodity attribute (absent: "unknown"). `border` may be
// null (no crossings). Events are placed by lon/lat (or x/y when already in the analysis CRS).
CorridorResult analyse_corridors(const EventTable& ev, const VectorLayer& routes, const Border* border,
                                 const CorridorParams& params = {}, Progress progress = {});

Table corridor_route_table(const CorridorResult& r);   // one row per route, with ranks
Table corridor_period_table(const CorridorResult& r);  // route x period
Table corridor_profile_table(const CorridorResult& r); // route x bin
Table corridor_crossing_table(const CorridorResult& r);
VectorLayer corridor_layer(const CorridorResult& r);   // corridor polygons with totals and ranks
VectorLayer crossing_layer(const CorridorResult& r);   // crossing points

} // namespace nexusmap
