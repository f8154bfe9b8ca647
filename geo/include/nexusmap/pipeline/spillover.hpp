#pragma once
// The spillover and corridors pipelines (issue #15): from events, the admin-0 layer and the routes
// to a finished folder product. `nexusmap spillover|corridors` map their flags onto these structs,
// the viewer's Spillover panel edits the same structs (and `nexusmap view --spill-param KEY=VALUE`
// sets them); both write with write_folder(), so their folders hold the same files.
//
//   params.validate()               -> GeoError before any work (messages name the CLI flags)
//   spillover_files(), corridor_files() -> the names a front end checks before any work
//   load_border(...)                -> the border between the two groups
//   spillover_product(result, ...)  -> tables, styled layers, metadata and the summary lines
#include <string>
#include <vector>

#include "nexusmap/corridors.hpp"
#include "nexusmap/pipeline/folder.hpp"
#include "nexusmap/spillover.hpp"

namespace nexusmap::pipeline {

// The two groups and where their polygons come from.
struct BorderGroups {
    std::string admin0;                    // FILE[:LAYER] with ISO codes; "" = the bundled basemap:admin0
    std::string sahel = "MLI,BFA,NER";     // ISO alpha-3 codes, comma or space separated
    std::string coastal = "CIV,GHA,TGO,BEN";
    std::string admin0_file(const std::string& data_dir) const; // the file read (for output checks)
    void validate() const;
};

struct SpilloverRun {
    BorderGroups groups;
    SpilloverParams analysis; // defaults: spillover.hpp
    // KEY=VALUE as the CLI flags without dashes (sahel=, coastal=, bands=, period=, x-km=,
    // quantile=, window-km=, lags=, permutations=, seed=, circular-shift=0|1,
    // lead-lag-levels=0|1); throws GeoError naming the key and what would work.
    void set(const std::string& key_value);
    void validate() const; // caps on lags and permutations, bands ascending, ranges
};

struct CorridorRun {
    BorderGroups groups;
    std::string routes;       // FILE[:LAYER]; "" = the bundled ILLUSTRATIVE routes
    CorridorParams analysis;  // defaults: corridors.hpp
    // half-width-km=, bin-km=, crossing-radius-km=, period=, recent=, commodity-field=, name-field=
    void set(const std::string& key_value);
    void validate() const;
    std::string routes_spec(const std::string& data_dir) const;
};

// The border from the groups' admin-0 layer (already loaded), reprojected to `crs`.
Border load_border(const VectorLayer& admin0, const BorderGroups& g, const Crs& crs);
// Reads the admin-0 layer first (warnings of the read go to `warnings`).
Border load_border(const BorderGroups& g, const std::string& data_dir, const Crs& crs,
                   std::vector<std::string>* warnings = nullptr);

std::vector<std::string> spillover_files();
std::vector<std::string> corridor_files();

// `events`: the events analysed (their count and synthetic flag go into the summary).
FolderProduct spillover_product(const SpilloverResult& r, const EventTable& events);
FolderProduct corridor_product(const CorridorResult& r, const EventTable& events, const VectorLayer& routes);

} // namespace nexusmap::pipeline
