#pragma once
// Simple statistical charts (cairo): bars, lines, markers, vertical reference lines, legend,
// notes, footer and the SYNTHETIC mark, as PNG, PDF or SVG. Used by `nexusmap chart` for events per
// month, the spillover front with its Theil-Sen line, spillover bands and route profiles.
#include <limits>
#include <string>
#include <vector>

#include "nexusmap/map_render.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap {

struct ChartSeries {
    enum class Kind { Line, LineMarkers, Points, Bars };
    std::string name;           // legend entry (empty: not listed)
    std::vector<double> x, y;   // NaN y: a gap in a line
    style::Rgb color = style::category_color(0);
    Kind kind = Kind::Line;
    bool dashed = false;
    double width_pt = 1.4;
};

struct ChartSpec {
    std::string title, subtitle, xlabel, ylabel;
    std::vector<ChartSeries> series;
    // Custom x tick labels (value, label); empty: nice numeric ticks. Labels that would overlap
    // are thinned.
    std::vector<std::pair<double, std::string>> x_ticks;
    std::vector<std::pair<double, std::string>> vlines; // vertical reference lines with labels
    double hline = std::numeric_limits<double>::quiet_NaN(); // horizontal reference (e.g. 0)
    bool y_from_zero = true;
    std::vector<std::string> notes;  // lines under the plot
    std::vector<std::string> footer; // provenance lines
    bool synthetic = false;
};

struct ChartResult {
    int device_width = 0, device_height = 0;
    PageRect plot;                   // device units
    double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
};

// The charts of the engine's products (issue #15: built here, so `nexusmap chart` and any other
// front end draw the same chart from the same result). Titles default to what is drawn.
struct CorridorResult;
struct SpilloverResult;
struct EventTable;
// Provenance lines under a chart: source, schema, synthetic flag, events, window, `extra`,
// version; the events' own attribution on a line of its own.
std::vector<std::string> chart_footer(const EventTable& ev, const std::string& extra);
// Bars of events per calendar month with the trailing 12-month mean. Throws when nothing is dated.
ChartSpec events_per_month_chart(const EventTable& ev);
// The spillover front per period with its Theil-Sen line and velocity note (or why it is withheld).
ChartSpec front_chart(const SpilloverResult& r, const EventTable& ev);
// Events per 10,000 km^2 of each band (x), one line per period.
ChartSpec bands_chart(const SpilloverResult& r, const EventTable& ev, const std::string& bands_text);
// Events per km along route `pick` of `r`, border crossings marked.
ChartSpec route_profile_chart(const CorridorResult& r, size_t pick, const EventTable& ev, bool illustrative);

ChartResult render_chart_image(const ChartSpec& spec, const PageSetup& page, RgbaImage& out);
ChartResult render_chart_file(const ChartSpec& spec, const PageSetup& page, const std::string& path);

} // namespace nexusmap
