#pragma once
// Static maps (cairo, no display): PNG, PDF or SVG, with base layers, a density surface or Gi* hot
// spots, routes and events, and the furniture a briefing map needs: title and subtitle, legend with
// units and range, scale bar (ground km at the map centre), north arrow (along the local meridian),
// locator inset, attribution, a SYNTHETIC DEMO DATA mark and a provenance footer.
//
// Layout is computed in points (1/72 inch); PageSetup::device_per_pt maps points to device units
// (PNG pixels, or PDF/SVG points), so a map looks the same at any resolution. Everything drawn stays
// inside the page margin. No cairo types cross this header.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/labels.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap {

enum class ImageFormat { Png, Pdf, Svg };
// By extension (.png, .pdf, .svg; case-insensitive); nullopt otherwise.
std::optional<ImageFormat> image_format_for(const std::string& path);
const char* image_format_name(ImageFormat f);

struct PageSetup {
    double width_pt = 841.89, height_pt = 595.28; // layout size (A4 landscape by default)
    double device_per_pt = 1;                      // PNG: pixels per point; PDF/SVG: 1 (or a scale)
    int device_width() const { return int(std::lround(width_pt * device_per_pt)); }
    int device_height() const { return int(std::lround(height_pt * device_per_pt)); }
    // A named paper ("A4", "A3", "letter"; case-insensitive) at `dpi` (PNG; use 72 for PDF/SVG).
    // Throws GeoError for other names.
    static PageSetup paper(const std::string& name, bool landscape, double dpi = 72);
    // A page of w x h device units laid out like an A4 sheet: the longer side is 841.89 pt.
    static PageSetup device(int w, int h);
};

struct MapSpec {
    Crs crs;       // the map's CRS; every layer below must already be in it
    BBox extent;   // the area to show (grown to the frame's aspect); empty: the layers' extent
    std::string title, subtitle;

    // Layers (each optional; not owned). Drawing order: admin0 fill, density, hot spots, admin1
    // lines, admin0 outlines, routes, events (events_below_density: right after the admin0 fill,
    // under the density, as the viewer draws them).
    const VectorLayer* admin0 = nullptr;
    const VectorLayer* admin1 = nullptr;
    const VectorLayer* routes = nullptr;
    const VectorLayer* hotspots = nullptr; // polygons with an integer Gi* bin field
    std::string hotspot_field = "bin";
    const Raster* density = nullptr;
    const std::vector<Vec2>* events = nullptr; // points in `crs`
    const VectorLayer* locator = nullptr;      // inset outline (default: admin0)

    style::LayerStyle admin0_style = style::admin0_style();
    style::LayerStyle admin1_style = style::admin1_style();
    style::LayerStyle routes_style = style::routes_style(); // categories: see style::categorical
    style::LayerStyle events_style = style::events_style();
    style::RasterStyle density_style;
    style::Rgb sea_color = style::rgb8(0xdd, 0xe8, 0xf0);

    std::string density_title = "Event density";
    std::vector<std::string> legend_notes; // extra lines under the colour bar (e.g. "fixed scale ...")
    std::string hotspot_title = "Getis-Ord Gi* hot spots";
    std::string routes_title = "Routes by commodity";
    std::string events_title = "Events";
    bool synthetic = false;                // draws the red SYNTHETIC DEMO DATA mark
    std::vector<std::string> attribution;  // lines (Natural Earth, event source, ...)
    std::vector<std::string> footer;       // provenance lines
    // Names (countries, capitals, cities, admin-1, routes) in `crs`, placed without collisions with
    // each other or the legend, inset, scale bar and north arrow (labels.hpp); capitals and cities
    // get their point symbol when their name is placed.
    std::vector<MapLabel> labels;
    bool legend = true, scalebar = true, north_arrow = true, inset = true;
    bool events_below_density = false;
};

// A rectangle in device units (pixels for PNG), y down.
struct PageRect {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool empty() const { return !(x1 > x0 && y1 > y0); }
    bool contains(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
};

struct MapRenderResult {
    // Map CRS -> device units: dx = ox + k * (x - extent.xmin), dy = oy - k * (y - extent.ymin).
    BBox extent;      // the extent actually shown (grown to the frame's aspect)
    double k = 0, ox = 0, oy = 0;
    std::array<double, 2> to_device(double x, double y) const { return {ox + k * (x - extent.xmin), oy - k * (y - extent.ymin)}; }

    int device_width = 0, device_height = 0;
    double margin = 0;         // device units; nothing is drawn closer to the page edge
    PageRect frame;            // the map frame
    PageRect legend, colorbar; // legend box; its colour bar (empty without a density layer)
    PageRect scalebar, north, inset, title, footer;

    // The colour scale the legend states (what the density was drawn with); NaN without density.
    double legend_lo = std::numeric_limits<double>::quiet_NaN();
    double legend_hi = std::numeric_limits<double>::quiet_NaN();
    std::string legend_units, legend_scale, legend_ramp;
    double scalebar_km = 0;        // the scale bar's length on the ground
    double ground_km_per_unit = 0; // at the map centre (east-west)
    double north_deg = 0;          // north arrow, clockwise from page-up
    std::array<size_t, 7> hotspot_bins{}; // units drawn per bin -3..3
    size_t events_drawn = 0;
    std::vector<std::string> labels_drawn; // names placed on the map (in placement order)
    std::string label;             // small multiples: the cell's label (its title)
};

// In-memory RGBA8 image (straight alpha), row-major, top row first.
struct RgbaImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;
    std::array<int, 4> at(int x, int y) const {
        const size_t i = (size_t(y) * size_t(width) + size_t(x)) * 4;
        return {rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]};
    }
};

// Renders one map into memory (for tests and previews).
MapRenderResult render_map_image(const MapSpec& spec, const PageSetup& page, RgbaImage& out);
// One map to a PNG, PDF or SVG file chosen by the extension (atomic write).
MapRenderResult render_map_file(const MapSpec& spec, const PageSetup& page, const std::string& path);
// Several maps, one page each, into one PDF (atomic write).
std::vector<MapRenderResult> render_map_pdf_pages(const std::vector<MapSpec>& maps, const PageSetup& page,
                                                  const std::string& path);

// Small multiples: every map on one page in a grid (each cell titled with its MapSpec::title), with
// one title, one legend (from maps.front(), so give them one shared scale), a scale bar, the
// attribution and the footer of maps.front(). Results: one per cell (device units of that page).
struct SheetSpec {
    std::string title, subtitle;
    std::vector<MapSpec> maps;
    int columns = 0; // 0: chosen to make the cells as large as possible
};
std::vector<MapRenderResult> render_sheet_image(const SheetSpec& sheet, const PageSetup& page, RgbaImage& out);
std::vector<MapRenderResult> render_sheet_file(const SheetSpec& sheet, const PageSetup& page, const std::string& path);

// One colour scale for a series of rasters: [lo, max over all valid cells of all rasters]. lo = 0
// for linear and sqrt; for log, lo is left to ValueScale (hi / 1000).
style::ValueScale shared_scale(const std::vector<const Raster*>& rasters, style::Scale scale);

// Gi* bins from a raster band (e.g. band 3 of `nexusmap hotspots`' fishnet GeoTIFF) as square
// polygons with a "bin" field; cells with bin 0 or nodata are left out.
VectorLayer bin_raster_polygons(const Raster& bins);

// Nice tick values covering [lo, hi] (about `n` of them, 1/2/5 x 10^k steps).
std::vector<double> nice_ticks(double lo, double hi, int n = 5);
// Short number for labels: 3 significant digits, no trailing zeros ("0.0123", "1.2e-05", "250").
std::string short_num(double v);

} // namespace nexusmap
