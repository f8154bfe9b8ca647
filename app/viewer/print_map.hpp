#pragma once
// Print map from the viewer: the viewer's current state (view, visible layers, heat settings,
// filters, analyses) -> a geo MapSpec rendered by geo's render_map_file, the same code as
// `nexusmap map`. Pure logic, no GL and no ImGui (tested in tests/test_viewer_print_map.cpp);
// App::start_print_map (print_map.cpp) gathers the state and runs the render on a worker.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/labels.hpp"
#include "nexusmap/version.hpp"

namespace nexusmap::viewer {

// A viewer layer's data and style as the print needs them (a GL-free mirror of viewer::LayerStyle).
struct PrintLayer {
    const VectorLayer* data = nullptr; // null: no such layer
    bool visible = true;
    float opacity = 1.f;
    bool fill = true;
    std::array<float, 4> fill_color{0.95f, 0.94f, 0.91f, 1.f};
    bool outline = true;
    std::array<float, 4> line_color{0.45f, 0.45f, 0.45f, 1.f};
    float line_width_px = 1.f;
    std::string category_field; // by name; empty: one colour
    bool shown() const { return data && visible; }
};

struct PrintMapInput {
    Crs crs;  // the analysis CRS; every layer, the raster and the points are in it
    BBox view; // what the canvas shows, in the analysis CRS
    PrintLayer admin0, admin1, routes;

    // Density: geo's exact KDE on the heat grid with the viewer's kernel, bandwidth, cell, time
    // window and filters, drawn with the viewer's ramp, scale and colour range.
    const Raster* density = nullptr;
    bool heat_visible = true;
    style::Ramp ramp = style::Ramp::YlOrRd;
    style::ValueScale range; // the viewer's colour range (HeatmapRenderer::value_scale)
    std::string range_note;  // which range it is (heat_range_note: fixed over all periods, fit to view, typed)
    float opacity = 0.75f;   // heat opacity
    float threshold = 0.03f; // fraction of range.hi at or below which the heat is transparent
    std::string units = "events per km\u00b2";

    const VectorLayer* hotspots = nullptr; // Gi* cells (field "bin"), when that layer is shown
    std::string hotspot_note;              // e.g. "Gi* 30 km band, 10 km cells, FDR"
    const std::vector<Vec2>* events = nullptr; // the points passing the filters, when shown
    float event_radius_px = 1.6f, event_opacity = 0.7f;

    // Names on the map (geo/labels: countries, capitals, cities, admin-1 by extent).
    bool labels = true;
    const VectorLayer* places = nullptr; // populated places (Natural Earth fields), optional

    bool synthetic = false;
    std::vector<InputProvenance> inputs; // what is drawn: events, shown layers (attribution line)
    std::string events_source, events_schema; // file name and schema ("ACLED", "generic", ...)
    std::string window;                        // the date window, e.g. "2012-01-01 – 2024-12-31"
    size_t n_events = 0;                       // events passing the filters
    std::string kernel = "quartic";
    double bandwidth_km = 50, cell_km = 0;
    std::string weights = "count";
    std::string filters; // "" or e.g. "hidden types: Protests; min fatalities 5"
    std::string title;   // empty: what is drawn
};

// "1.6", "50", "6.25": up to 3 decimals without trailing zeros.
inline std::string print_num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", v);
    std::string s = b;
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
        const bool dot = s.back() == '.';
        s.pop_back();
        if (dot) break;
    }
    return s;
}

// Viewer colours -> the shared style model (widths: screen pixels -> points at about 0.5 pt/px,
// which is how geo's defaults relate to the viewer's).
inline style::LayerStyle print_layer_style(const PrintLayer& l, style::LayerStyle base) {
    base.fill = l.fill;
    base.fill_color = {l.fill_color[0], l.fill_color[1], l.fill_color[2], l.fill_color[3]};
    base.stroke = l.outline;
    base.stroke_color = {l.line_color[0], l.line_color[1], l.line_color[2], l.line_color[3]};
    base.width_pt = std::max(0.1, 0.5 * double(l.line_width_px));
    base.opacity = std::clamp(double(l.opacity), 0.0, 1.0);
    if (!l.category_field.empty() && l.data && l.data->field_index(l.category_field) >= 0) {
        std::vector<std::string> values;
        for (size_t i = 0; i < l.data->features.size(); ++i) values.push_back(l.data->attr_string(i, l.category_field));
        style::categorical(base, l.category_field, values); // Tableau 10 over the sorted values, as on screen
    } else {
        base.category_field.clear();
        base.categories.clear();
        base.category_colors.clear();
    }
    return base;
}

// The density style that reproduces the viewer's colour pass (shaders/heat_color.frag): the same
// ramp, scale and range, constant opacity, and cells at or below threshold x range.hi transparent
// (no fade).
inline style::RasterStyle print_density_style(const PrintMapInput& in) {
    style::RasterStyle st;
    st.ramp = in.ramp;
    st.scale = in.range;
    st.opacity = std::clamp(double(in.opacity), 0.0, 1.0);
    st.fade_t = 0;
    const double cut = std::max(0.0, double(in.threshold)) * in.range.hi;
    // t of the cut; a hair above it so "v > cut" (the shader) and "t >= min_t" (geo) agree.
    const double t_cut = in.range.to_t(cut);
    st.min_t = std::isfinite(t_cut) ? std::nextafter(t_cut, 2.0) : 0.0;
    st.units = in.units;
    return st;
}

inline std::string crs_label(const Crs& crs) {
    const std::string d = crs.definition();
    return d.empty() || d.size() > 60 ? crs.name() : d;
}

// The MapSpec; its pointers point into `in` (keep `in` and what it points to alive while rendering).
inline MapSpec build_print_map(const PrintMapInput& in) {
    MapSpec s;
    s.crs = in.crs;
    s.extent = in.view;
    if (in.admin0.shown()) {
        s.admin0 = in.admin0.data;
        s.admin0_style = print_layer_style(in.admin0, style::admin0_style());
    }
    if (in.admin1.shown()) {
        s.admin1 = in.admin1.data;
        s.admin1_style = print_layer_style(in.admin1, style::admin1_style());
    }
    if (in.routes.shown()) {
        s.routes = in.routes.data;
        s.routes_style = print_layer_style(in.routes, style::routes_style());
        std::string src = in.routes.data->source;
        std::transform(src.begin(), src.end(), src.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        const bool illustrative = in.routes.data->illustrative() || in.routes.data->synthetic() || src.find("illustrative") != std::string::npos;
        s.routes_title = std::string(illustrative ? "Routes (ILLUSTRATIVE)" : "Routes") +
                         (s.routes_style.categories.empty() ? "" : " by " + s.routes_style.category_field);
    }
    if (in.labels)
        s.labels = default_map_labels(in.admin0.shown() ? in.admin0.data : nullptr, in.admin1.shown() ? in.admin1.data : nullptr,
                                      in.places, in.view, in.crs.is_geographic() ? 111.32 : 0.001);
    s.locator = in.admin0.data; // the inset shows the whole admin-0 layer, visible or not
    s.inset = in.admin0.data != nullptr;
    const bool density = in.density && in.heat_visible;
    if (density) {
        s.density = in.density;
        s.density_style = print_density_style(in);
        s.density_title = "Kernel density (" + in.kernel + ", " + print_num(in.bandwidth_km) + " km)";
        if (!in.range_note.empty()) s.legend_notes.push_back("scale: " + in.range_note);
    }
    if (in.hotspots) s.hotspots = in.hotspots;
    if (in.events) {
        s.events = in.events;
        s.events_style.point_radius_pt = std::max(0.3, 0.45 * double(in.event_radius_px));
        s.events_style.fill_color.a = float(std::clamp(0.65 * double(in.event_opacity), 0.05, 1.0));
        s.events_title = "Events passing the filters";
        s.events_below_density = true; // the viewer draws the points under the heat
    }
    s.synthetic = in.synthetic;

    const std::string what = in.hotspots && !density ? "Conflict event hot spots (Getis-Ord Gi*)"
                             : in.hotspots          ? "Conflict event density and Gi* hot spots"
                                                    : "Conflict event density";
    s.title = in.title.empty() ? what : in.title;
    s.subtitle = in.window + "  \u00b7  " + std::to_string(in.n_events) + " events" +
                 (in.weights != "count" ? "  \u00b7  weighted by " + in.weights : "") +
                 (in.filters.empty() ? "" : "  \u00b7  " + in.filters);
    const std::string src = in.events_source.empty() ? "?" : in.events_source;
    const std::string schema = in.events_schema.empty() ? "?" : in.events_schema;
    // Routes said illustrative when drawn and labelled so (their provenance, or the demo file).
    bool illustrative = false;
    for (auto& p : in.inputs) illustrative |= p.illustrative;
    illustrative = s.routes && (illustrative || s.routes_title.rfind("Routes (ILLUSTRATIVE)", 0) == 0);
    s.attribution.push_back("Events: " + src + " (" + schema + ")" +
                            (in.synthetic ? " \u2014 SYNTHETIC DEMO DATA, not real events" : "") +
                            (illustrative ? ". Routes: ILLUSTRATIVE, not an intelligence product." : "."));
    if (const std::string data = attribution_line(in.inputs); !data.empty()) s.attribution.push_back("Data: " + data);
    std::string f = "Source: " + src + " (" + schema + ")  \u00b7  synthetic=" + (in.synthetic ? "true" : "false") +
                    (illustrative ? "  \u00b7  illustrative routes" : "");
    if (density)
        f += "  \u00b7  kernel " + in.kernel + ", bandwidth " + print_num(in.bandwidth_km) + " km, cell " +
             print_num(in.cell_km) + " km";
    if (in.hotspots && !in.hotspot_note.empty()) f += "  \u00b7  " + in.hotspot_note;
    f += "  \u00b7  window " + in.window + "  \u00b7  " + std::to_string(in.n_events) + " events";
    s.footer = {f, "CRS " + crs_label(in.crs) + "  \u00b7  nexusmap " + kVersion + " viewer print map"};
    return s;
}

// Page for a print: a named paper (A4, A3, letter; landscape) at `dpi` for PNG, 72 for PDF/SVG.
inline PageSetup print_page(ImageFormat fmt, const std::string& paper, double dpi, bool landscape = true) {
    return PageSetup::paper(paper.empty() ? "A4" : paper, landscape, fmt == ImageFormat::Png ? dpi : 72);
}

} // namespace nexusmap::viewer
