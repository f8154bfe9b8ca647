#pragma once
// The contours and zonal pipelines (issue #15): parameters with their defaults and validation,
// and the finished product (styled layer or table, one metadata record, the summary lines).
// `nexusmap contours|zonal` map their flags onto these structs; the viewer's exports
// (`nexusmap view --export-contours|--export-zonal`, with --contour-param / --zonal-param) run the
// same functions on its density and filtered events, so both write the same files.
#include <string>
#include <vector>

#include "nexusmap/contours.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/zonal.hpp"

namespace nexusmap::pipeline {

// Settings: KEY=VALUE named as the CLI flags without dashes; throw GeoError naming the key.
struct ContourRun {
    std::vector<double> levels;           // explicit levels (raster units)
    std::vector<double> percent;          // percent-volume levels; both empty: 50, 75, 90
    std::string ramp = "viridis", scale = "linear";
    double opacity = 0.35;                // simplestyle fill-opacity
    void set(const std::string& key_value); // levels=, percent=, ramp=, scale=, fill-opacity=
    void validate() const;
};

struct ZonalRun {
    std::string polygons;                 // FILE[:LAYER]; "" = the bundled admin-1
    std::vector<std::string> fields;      // polygon attributes kept (empty: all)
    std::string per_capita;               // population attribute (adds events_per_100k_pop)
    std::string ramp = "viridis", scale = "linear", style_field = "events_per_10k_km2";
    void set(const std::string& key_value); // polygons=, fields=A,B, per-capita=, ramp=, scale=, style-field=
    void validate() const;
    std::string polygon_spec(const std::string& data_dir) const;
};

struct LayerProduct {
    VectorLayer layer;    // styled (simplestyle)
    Table table;          // zonal: one row per polygon with WKT geometry (for --csv)
    Metadata metadata;    // of the layer
    Metadata table_metadata;
    std::vector<std::string> summary;
    std::vector<std::string> warnings;
};

// `derived_from`: the density's name as recorded in the metadata (its file name).
LayerProduct run_contours(const Raster& density, const ContourRun& p, const std::string& derived_from,
                          Progress progress = {});

// `polygons_spec`: recorded as "polygons"; `from`/`to`: the date window asked for ("" = the data's).
LayerProduct run_zonal(const EventTable& ev, const VectorLayer& polygons, const ZonalRun& p,
                       const std::string& polygons_spec, const std::string& from = "", const std::string& to = "");

} // namespace nexusmap::pipeline
