#pragma once
// The base layers under a briefing map (countries, admin-1, place names, optional routes) and the
// study-area frame, loaded the same way for `nexusmap map`, `nexusmap animate` and any other
// product that draws a map (issue #15: one loader, not one per command).
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
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

// Draws `routes` on `spec`, coloured by commodity, titled ILLUSTRATIVE when they are.
void style_routes(MapSpec& spec, const VectorLayer& routes, bool illustrative);

} // namespace nexusmap
