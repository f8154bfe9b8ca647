#pragma once
// The base layers under a briefing map (countries, admin-1, place names, optional routes) and the
// study-area frame, loaded the same way for `nexusmap map`, `nexusmap animate` and any other
// product that draws a map (issue #15: one loader, not one per command).
#include <functional>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/provenance.hpp"
#include "nexusmap/spillover.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/map_render.hpp"

namespace nexusmap {

struct BasemapOptions {
    std::string data_dir = "data"; // the bundled data folder (front ends set theirs)
    std::string basemap;           // GeoPackage with admin0 (and admin1) layers; "": the bundled one
    std::string places;            // FILE[:LAYER] of populated places; "": the bundled Natural Earth subset
    std::string routes;            // FILE[:LAYER] of route lines; "": none (unless demo_routes)
    bool demo_routes = false;      // the bundled ILLUSTRATIVE routes
    bool admin1 = true, labels = true;
};

struct Basemap {
    std::string basemap;           // the GeoPackage read
    VectorLayer admin0, admin1, places, routes;
    bool have_routes = false;
};

// Reads the layers in `crs`. Routes only when asked for: a map of real events must not carry
// schematic lines by default. Throws GeoError naming the file when one cannot be read.
Basemap load_basemap(const BasemapOptions& o, const Crs& crs);

// The extent of the admin-0 features whose iso_a3 is in `iso3` (all of them when none match or the
// layer has no iso_a3), padded by `pad` of its width and height.
BBox study_extent(const VectorLayer& admin0, const std::vector<std::string>& iso3, double pad = 0.03);

// Events outside a map's extent are not drawn: returns how many, and refuses (GeoError naming the
// file, where the events are and what might be wrong) a map that would show none of them.
// `extent_source` says where the extent came from ("--bbox", "the --study countries").
size_t events_outside(const EventTable& ev, const BBox& extent, const Crs& crs, const std::string& extent_source);

// A hot spot output to draw (a Gi* bin GeoTIFF: band 3 as polygons of equal bins; or any vector
// layer, read in `crs`, with the GeoJSON's top-level "metadata" member kept, which OGR drops).
// A GeoTIFF's own CRS replaces `crs`. Throws when the layer has no `field`.
VectorLayer read_hotspot_output(const std::string& path, Crs& crs, const std::string& field);

// What a briefing map says about its sources: every input drawn (the events, or an analysis
// output's own record of them; the basemap layers; routes when drawn), whether any is synthetic or
// illustrative, and the attribution lines under the map.
struct MapSources {
    std::vector<InputProvenance> used;
    bool synthetic = false, illustrative = false;
    std::string source, schema; // the events' file name and schema (or what an output recorded)
    std::vector<std::string> attribution() const;
};
// `raster_md` counts only without events (a density drawn from a file); `routes_bundled`: the
// routes drawn are the bundled ILLUSTRATIVE ones.
MapSources map_sources(const EventTable* events, const Metadata* raster_md, const std::string& raster_path,
                       const Metadata* hot_md, const std::string& hot_path, const Basemap& base, bool routes_bundled);

// One map per period on one colour scale (`base.density_style.scale` already set), and the
// small-multiples sheet of them: titles, subtitles, the fixed-scale legend note and footers.
struct PeriodMapText {
    std::string title;     // "Conflict event density"; ", 2021" is appended per map
    std::string subtitle;  // "": the period's events and the shared-scale note
    std::string window;    // "2019-01-01 – 2023-12-31"
    size_t n_events = 0;   // all periods together
};
struct PeriodMaps {
    std::vector<MapSpec> maps; // one per period (their density points into `rasters`)
    SheetSpec sheet;           // cells titled by period only, lighter lines
};
// `footer(window, n_events)` makes the provenance lines of one map.
PeriodMaps period_maps(const MapSpec& base, const std::vector<Raster>& rasters, const std::vector<size_t>& counts,
                       const std::vector<int64_t>& periods, PeriodUnit by, const PeriodMapText& text,
                       const std::function<std::vector<std::string>(const std::string&, size_t)>& footer);

// The date window a map states: the flags' --from/--to, else the events' own dates, else what a
// drawn output recorded (date_from/date_to); "all dates" when nothing says.
std::string map_window(const EventTable* events, std::string from, std::string to, const Metadata& raster_md,
                       const Metadata& hot_md);
// The provenance lines under a map: source, synthetic flag, illustrative routes, the density's
// kernel/bandwidth/cell (density_md) or the Gi* band (hot_md), the window, events, CRS, version.
std::vector<std::string> map_footer(const MapSources& s, const Metadata* density_md, const Metadata* hot_md,
                                    const std::string& window, size_t n_events, const Crs& crs,
                                    const std::string& command);
// The legend's unit text of a density: km^2 as km², "events" rather than "weight" when unweighted.
std::string density_units_label(const std::string& raster_units, const Metadata& density_md);

// Draws `routes` on `spec`, coloured by commodity, titled ILLUSTRATIVE when they are.
void style_routes(MapSpec& spec, const VectorLayer& routes, bool illustrative);

} // namespace nexusmap
