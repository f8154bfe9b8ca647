#pragma once
// Options shared by the subcommands that read events, and output-path safety checks.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"

namespace nexusmap::cli {

struct EventArgs {
    std::string file;
    std::string lat, lon, date, weight, type, country;
    std::string from, to;            // date window (inclusive)
    std::vector<std::string> types;  // keep only these event types
    std::vector<std::string> countries;
    std::string crs = "laea:2,12";
    bool strict = false, month_first = false, quiet = false;

    void add_to(CLI::App* cmd, bool positional = true);
    // Loads, prints the load summary to stderr, filters, projects to the analysis CRS.
    EventTable load() const;
};

// Refuses to overwrite an input, or an existing output without --force.
void check_output(const std::string& out, bool force, const std::vector<std::string>& inputs);

// "path" or "path:layer" -> (path, layer)
std::pair<std::string, std::string> split_layer_spec(const std::string& spec);

// Bounding box "xmin,ymin,xmax,ymax".
BBox parse_bbox(const std::string& s);
// Comma-separated numbers.
std::vector<double> parse_numbers(const std::string& s, const char* what);

} // namespace nexusmap::cli
