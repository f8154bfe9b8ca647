#pragma once
// The density pipeline shared by `density`, `contours --events` and `demo`.
#include <CLI/CLI.hpp>
#include <string>

#include "cli/common.hpp"
#include "nexusmap/density.hpp"

namespace nexusmap::cli {

struct DensityArgs {
    EventArgs events;
    std::string kernel = "quartic";
    std::string bandwidth = "50"; // km, or silverman / scott
    double cell_km = 5;
    std::string extent = "data";  // data | bbox:LON0,LAT0,LON1,LAT1 | layer:FILE[:LAYER]
    std::string mask;             // FILE[:LAYER]
    std::string units = "per-km2";
    bool exact = false, fast = false;
    int threads = 0;
    double max_cells = 2e8;       // refuse bigger grids up front (memory)
    void add_to(CLI::App* cmd);
};

struct DensityJob {
    EventTable ev;
    KdeResult kde;
    KdeParams params;
};

// Loads events, builds the grid, runs the KDE, masks, stamps provenance; prints a summary.
DensityJob run_density(const DensityArgs& a);
// Builds KdeParams from the strings (throws GeoError on bad values).
KdeParams parse_kde_params(const DensityArgs& a);
// Refuses grids that would need more than max_cells cells, naming the size and the fix.
void check_grid_size(const GridSpec& g, double max_cells);

} // namespace nexusmap::cli
