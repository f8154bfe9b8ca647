#pragma once
// What the viewer shows: loaded layers and events with their styles and filters. Panels edit it;
// the renderers draw it. GL-free: the GPU objects hang off each item as shared_ptrs to types only the
// renderer defines (map_renderer.hpp) — the deleter is bound where the renderer makes them, so the
// document compiles, links and is tested without GL.
#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/density.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "viewer/colormap.hpp"
#include "viewer/heat_range.hpp"
#include "viewer/layer_mesh.hpp"
#include "viewer/provenance_view.hpp"
#include "viewer/time_model.hpp"

namespace nexusmap::viewer {

using Color = std::array<float, 4>;

struct GpuLayer;  // map_renderer.hpp
struct GpuEvents; // map_renderer.hpp

struct LayerStyle {
    bool visible = true;
    float opacity = 1.f;
    bool fill = true;
    Color fill_color{0.95f, 0.94f, 0.91f, 1.f};
    bool outline = true;
    Color line_color{0.45f, 0.45f, 0.45f, 1.f};
    float line_width = 1.f;  // pixels
    float point_size = 4.f;  // radius, pixels
    int category_field = -1; // index into the layer's fields; -1 = one colour
};

struct MapLayer {
    std::string title;
    VectorLayer data;
    LayerStyle style;
    std::shared_ptr<GpuLayer> gpu; // triangulated in the display CRS (data stays in the analysis CRS)
    int display_gen = 0; // App's display generation the GPU mesh was built for
    Categories cats;   // of style.category_field
    int cats_for = -2; // field the categories/colours were built for
    double fill_area_m2 = 0;
    std::shared_ptr<PolygonIndex> index; // polygons only: feature under the cursor (built by the loader)
};

struct EventStyle {
    bool visible = true;
    float radius_px = 1.6f;
    float opacity = 0.7f;
    bool color_by_type = true;
    Color color{0.15f, 0.15f, 0.15f, 1.f};
};

struct EventSet {
    std::string title;
    EventTable table;
    double ox = 0, oy = 0; // origin of the GPU positions
    std::vector<bool> type_on;
    TimeWindow window;
    EventStyle style;
    std::shared_ptr<GpuEvents> gpu; // analysis-CRS positions (relative to ox, oy): the heat splat, and the points
                   // when the display CRS is the analysis CRS
    // Point sprites in another display CRS (positions relative to dox, doy; same instance order as
    // `gpu`, whose keep texture they share). Not uploaded (count 0) for the equal-area display.
    std::shared_ptr<GpuEvents> display_gpu;
    double dox = 0, doy = 0;
    int display_gen = 0; // App's display generation these positions were built for
    bool synthetic = false;
    std::string source_note;

    // Attribute filters (Time panel): countries, actors, minimum fatalities. rebuild_keep() turns
    // them into `keep` (per table row; empty = every row passes), which the GPU gets as a per-
    // instance texture (events.vert, heat_splat.vert) and passes() applies on the CPU, so points,
    // heatmap, exact KDE, hot spots and spillover all see the same events.
    std::vector<bool> country_on;        // per table.country_names entry; empty = all
    std::vector<std::string> actors_on;  // selected actors; empty = all
    float min_fatalities = 0;
    // Location precision (Heatmap panel): 0 every event at its recorded point, 1 precise only
    // (code <= 2, a filter like the others), 2 imprecise spread over their polygons (the table is
    // replaced by apply_precision's; `original` keeps the loaded one to go back).
    int precision_mode = 0;
    std::shared_ptr<const EventTable> original;
    std::string precision_summary; // what was done, per precision level
    std::vector<uint8_t> keep;
    uint32_t filter_version = 0;         // bumped by rebuild_keep()
    std::vector<uint32_t> instance_row;  // GPU instance -> table row (rows without coordinates are not uploaded)
    bool keep_dirty = false;             // keep changed; GPU copy not yet updated
    void rebuild_keep() {
        const bool by_country = std::find(country_on.begin(), country_on.end(), false) != country_on.end();
        const bool by_actor = !actors_on.empty(), by_fat = min_fatalities > 0;
        const bool by_prec = precision_mode == 1 && table.precision.size() == table.size();
        keep.clear();
        if (by_country || by_actor || by_fat || by_prec) {
            keep.assign(table.size(), 1);
            for (size_t i = 0; i < table.size(); ++i) {
                if (by_prec && table.precision[i] > 2)
                    keep[i] = 0;
                else if (by_country && !table.country.empty() && table.country[i] < country_on.size() &&
                    !country_on[table.country[i]])
                    keep[i] = 0;
                else if (by_actor && (i >= table.actor.size() ||
                                      !std::binary_search(actors_on.begin(), actors_on.end(), table.actor[i])))
                    keep[i] = 0;
                else if (by_fat && (table.fatalities.empty() || !(table.fatalities[i] >= min_fatalities)))
                    keep[i] = 0;
            }
        }
        ++filter_version;
        keep_dirty = true;
    }

    // CPU mirror of the shader's filter (for the chart and the exact KDE).
    bool passes(size_t i) const {
        if (!keep.empty() && i < keep.size() && !keep[i]) return false;
        const uint16_t t = table.type.empty() ? 0 : table.type[i];
        if (t < type_on.size() && !type_on[t]) return false;
        return window.contains(table.day.empty() ? kNoDay : table.day[i]);
    }
};

enum class WeightMode { Count, WeightColumn, Fatalities };

struct HeatParams {
    bool visible = true;
    Kernel kernel = Kernel::Quartic;
    float bandwidth_km = 50.f;
    WeightMode weight = WeightMode::Count;
    Ramp ramp = Ramp::YlOrRd;
    Scale scale = Scale::Linear;
    HeatRangeMode range = HeatRangeMode::FixedAllPeriods; // heat_range.hpp
    float lo = 0.f, hi = 0.01f; // fixed range, per km^2
    float opacity = 0.75f;
    float threshold = 0.03f; // fraction of the range's top below which cells stay transparent
};

struct Document {
    Crs analysis;
    std::vector<std::unique_ptr<MapLayer>> layers; // drawn first to last
    std::unique_ptr<EventSet> events;
    HeatParams heat;
    std::vector<std::string> messages; // load warnings shown in the status panel

    BBox extent() const {
        BBox b = BBox::inverted();
        for (auto& l : layers) {
            const BBox lb = l->data.bbox();
            if (lb.xmax >= lb.xmin) {
                b.expand(lb.xmin, lb.ymin);
                b.expand(lb.xmax, lb.ymax);
            }
        }
        if (events)
            for (size_t i = 0; i < events->table.x.size(); ++i)
                if (std::isfinite(events->table.x[i])) b.expand(events->table.x[i], events->table.y[i]);
        return b;
    }
    // The inputs currently in the document, each with its own provenance (recomputed on every
    // call, so adding, removing or replacing a layer changes banner, status bar and exports).
    // visible_only: layers hidden in the Layers panel are left out (they are not drawn).
    std::vector<InputProvenance> inputs(bool visible_only = false) const {
        std::vector<InputProvenance> v;
        if (events) {
            InputProvenance p = events->table.prov;
            if (p.path.empty()) p = detect_provenance(events->table);
            p.synthetic = p.synthetic || events->synthetic;
            v.push_back(p);
        }
        for (auto& l : layers) {
            if (visible_only && !l->style.visible) continue;
            InputProvenance p = l->data.prov;
            if (p.path.empty()) p = detect_provenance(l->data);
            v.push_back(p);
        }
        return v;
    }
    // True only when a synthetic input is loaded (illustrative routes are not synthetic).
    bool synthetic() const { return data_banner(inputs()).synthetic; }
    bool illustrative() const { return data_banner(inputs()).illustrative; }
};

} // namespace nexusmap::viewer
