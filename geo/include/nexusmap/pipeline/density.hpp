#pragma once
// The density pipeline: events -> kernel density raster with its metadata, the one path behind
// `nexusmap density`, `contours --events`, `demo`, `map` and the viewer's GeoTIFF export (issue #15).
// Front ends map their flags or widgets onto DensityParams and write the product with write_raster;
// what the raster says about itself (bandwidth, rule, weights, window, provenance) is decided here.
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/density.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/spillover.hpp"

namespace nexusmap::pipeline {

struct DensityParams {
    KdeParams kde;               // kernel, bandwidth (or rule), cell, units, method, threads
    // Grid: the events' bounds padded by the kernel support (the default), a lon/lat box, a layer's
    // bounds (DensityInputs::extent_layer), or a given grid (the viewer's heat grid).
    enum class Extent { Data, LonLatBox, Layer, Grid } extent = Extent::Data;
    BBox lonlat_box;
    GridSpec grid;
    double max_cells = 2e8;      // refuse bigger grids before allocating (memory)
    bool weighted = false;       // sum the events' weights (a weight column, or spread fractions)
    std::string weight_option;   // what the user asked for ("" none, "auto", a column name)
    std::string date_from, date_to; // the window the events were filtered to (provenance)
    std::string mask_name;       // for the metadata when DensityInputs::mask is given
    // Throws GeoError naming the parameter when a value cannot work.
    void validate() const;
};

struct DensityInputs {
    const EventTable* events = nullptr;        // in the analysis CRS, already filtered
    const VectorLayer* mask = nullptr;         // cells outside become nodata
    const VectorLayer* extent_layer = nullptr; // Extent::Layer
};

struct DensityProduct {
    KdeResult kde;                     // raster (metadata filled in), points used, weight total
    KdeParams params;                  // as run (an automatic bandwidth resolved to a radius)
    GridSpec grid;
    std::string bandwidth_rule;        // "fixed", "silverman", "scott", "lcv"
    std::vector<std::string> notes;    // what a summary prints (automatic bandwidth, ...)
    std::vector<std::string> warnings; // what the user must hear (undersampled kernel, ...)
    double integral = 0;               // the raster's integral in its units' weight
};

// Resolves the bandwidth, builds and checks the grid, runs the KDE, masks, and stamps the raster
// with the provenance of the events and every parameter. Cancellable through `progress`.
DensityProduct run_density(const DensityInputs& in, DensityParams params, Progress progress = {});

// One density per period on one grid (time-lapse frames, `map --period` sheets): `periods` in
// `by` units (spillover.hpp period_index), events outside `keep` (when given) and undated rows left
// out (counted). With `base_metadata`, each raster gets it plus its own events' provenance and a
// "period" entry; without, rasters carry the KDE's keys only. Cancellable through `progress`.
struct PeriodDensities {
    std::vector<Raster> rasters; // one per period, in order
    std::vector<size_t> counts;  // events in each
    size_t undated = 0;
};
// Every period from the first to the last dated event's, empty ones included ("nothing happened"
// is news); throws GeoError naming the file when no event has a date.
std::vector<int64_t> dated_period_range(const EventTable& ev, PeriodUnit by);
PeriodDensities density_by_period(const EventTable& ev, const std::vector<int64_t>& periods, PeriodUnit by,
                                  const GridSpec& grid, const KdeParams& kde, const VectorLayer* mask = nullptr,
                                  const std::vector<bool>* keep = nullptr, const Metadata* base_metadata = nullptr,
                                  Progress progress = {});

// Refuses grids above `max_cells` cells or the memory budget, naming the size and the fix.
void check_density_grid(const GridSpec& g, double max_cells);

} // namespace nexusmap::pipeline
