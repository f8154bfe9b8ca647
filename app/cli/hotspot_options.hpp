#pragma once
// Options shared by `hotspots`, `lisa` and `emerging` (declared once, mapped onto geo's
// pipeline::UnitParams), and the one run-and-write path of the three commands.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/common.hpp"
#include "nexusmap/hotspot_pipeline.hpp"

namespace nexusmap::cli {

// The units/weights/study-area flags. Values stay here until to_params(): CLI11 tells which of the
// exclusive weights options were given.
struct UnitOptions {
    pipeline::UnitParams p;
    double band_km = 0;
    int knn = 0;
    std::string mask;
    CLI::Option *band_opt = nullptr, *knn_opt = nullptr;

    void add_to(CLI::App* cmd, bool polygons_allowed, bool knn_queen_allowed);
    pipeline::UnitParams to_params() const;
};

// Events, units, output prefix, --force and --seed.
struct HotspotArgs {
    EventArgs ev;
    UnitOptions units;
    std::string out;
    bool force = false;
    uint64_t seed = 1;
    void add_to(CLI::App* cmd, bool polygons_allowed, bool knn_queen_allowed);
    // --seed (hotspots and lisa).
    void add_seed(CLI::App* cmd);
};

// Checks the inputs and every output before any work, loads the events, runs, prints the warnings
// (stderr) and the summary, writes the product and lists the files.
void run_and_write(const HotspotArgs& a, pipeline::Analysis analysis, const pipeline::UnitParams& units,
                   const std::function<pipeline::Product(const pipeline::EventInputs&, Progress)>& run);

// The --help footer paragraph on units.
extern const char* const kUnitsFooter;

} // namespace nexusmap::cli
