#pragma once
// Options shared by the subcommands that read events, and output-path safety checks.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/precision.hpp"
#include "nexusmap/text.hpp" // split_list, parse_numbers

namespace nexusmap::pipeline {
struct BorderGroups;
}

namespace nexusmap::cli {

struct EventArgs {
    std::string file;
    std::string lat, lon, date, weight, type, country;
    std::string from, to;            // date window (inclusive)
    std::vector<std::string> types;  // keep only these event types
    std::vector<std::string> countries;
    std::string crs = "laea:2,12";
    bool strict = false, month_first = false, quiet = false;
    // Location precision: drop codes above max_precision (-1: not given), and/or spread the
    // imprecise over the polygons their code names ("keep" | "spread"), from precision_polygons
    // (a GeoPackage with admin0/admin1/admin2 layers; default the bundled basemap).
    int max_precision = -1;
    std::string precision = "keep", precision_polygons;
    int default_max_precision = 0; // used when --max-precision is not given (spillover, corridors: 2)
    std::string default_precision_reason;
    // Analyses that measure distances between points (spillover, corridors, scan, nexus) use precise
    // events unless --max-precision says otherwise, and say so.
    void precise_by_default(const std::string& command) {
        default_max_precision = 2;
        default_precision_reason = precise_default_reason(command);
    }

    void add_to(CLI::App* cmd, bool positional = true);
    // True when rows must be summed by weight: a weight column, or spread fractions.
    bool weighted() const { return !weight.empty() || precision == "spread"; }
    // Loads, prints the load summary to stderr, filters, projects to the analysis CRS.
    EventTable load() const;
};

void old_name_note(const std::string& old_name, const std::string& new_name);
// An old option name kept for one release (issue #16): hidden from --help (group ""), sets the same
// variable as `new_name`, and says on stderr that the name changed.
template <class T>
CLI::Option* add_old_name(CLI::App* cmd, const std::string& old_name, const std::string& new_name, T& target) {
    return cmd
        ->add_option_function<T>(old_name,
                                 [&target, old_name, new_name](const T& v) {
                                     target = v;
                                     old_name_note(old_name, new_name);
                                 })
        ->group("");
}
CLI::Option* add_old_flag(CLI::App* cmd, const std::string& old_name, const std::string& new_name, bool& target, bool value = true);

// Prints a summary on stdout (the one stream of summaries), its warning lines on stderr.
void print_summary(const std::string& text);

// Refuses to overwrite an input, or an existing output without --force.
void check_output(const std::string& out, bool force, const std::vector<std::string>& inputs);
// The same, plus the output registry's rule (output.hpp): the extension must name a format that
// can hold `kind`, "-" only where the format streams. Call before any work. With "-" the command's
// own messages (std::cout) go to stderr so that stdout carries only the data.
OutputFormat check_output(const std::string& out, ProductKind kind, bool force, const std::vector<std::string>& inputs,
                          const std::string& option = "-o/--out");

// Commands with several products take a stem (a prefix or a folder), never "-" or a file name with
// a registered extension: refused before any work, saying what the stem makes.
void check_output_stem(const std::string& out, const std::string& what_it_makes, const std::string& option = "-o/--out");

// "path" or "path:layer" -> (path, layer): geo's split_layer_spec (layers.hpp).
using nexusmap::split_layer_spec;

// Bounding box "xmin,ymin,xmax,ymax".
BBox parse_bbox(const std::string& s);

// --admin0, --sahel, --coastal (spillover, corridors, chart).
void add_border_groups(CLI::App* cmd, pipeline::BorderGroups& g);
// Events for analyses that measure distances of event points: --precision spread refused, and
// the precision rule applied printed.
EventTable load_point_events(const EventArgs& ev);

} // namespace nexusmap::cli
