#include "viewer/app.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "gl/gl.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/precision.hpp"
#include "nexusmap/text.hpp"
#include "viewer/input.hpp"
#include "viewer/ui_widgets.hpp"

namespace nexusmap::viewer {

namespace fs = std::filesystem;

std::string data_dir() {
    if (const char* env = std::getenv("NEXUSMAP_DATA_DIR")) return env;
    return std::string(NEXUSMAP_SOURCE_DIR) + "/data";
}

namespace {

std::string lower(std::string_view s) { return ascii_lower(s); }

// A layer with its CPU mesh, produced by a loader thread.
struct LoadedLayer {
    VectorLayer layer;
    LayerMesh mesh;
    std::shared_ptr<PolygonIndex> index;
};

struct LoadedEvents {
    EventTable table;
    LoadReport report;
    std::vector<float> instances;
    double ox = 0, oy = 0;
    std::vector<float> display_instances; // another display CRS only
    double dox = 0, doy = 0;
};

// Event instances (kEventStride floats each, rows without coordinates skipped) with positions
// (xs, ys) relative to the centre of their bounding box, returned in (ox, oy).
std::vector<float> event_instances(const EventTable& t, const std::vector<double>& xs, const std::vector<double>& ys,
                                   double& ox, double& oy) {
    BBox b = BBox::inverted();
    for (size_t i = 0; i < xs.size(); ++i)
        if (std::isfinite(xs[i]) && std::isfinite(ys[i])) b.expand(xs[i], ys[i]);
    ox = oy = 0;
    if (b.xmax >= b.xmin) {
        ox = 0.5 * (b.xmin + b.xmax);
        oy = 0.5 * (b.ymin + b.ymax);
    }
    std::vector<float> out;
    out.reserve(t.size() * kEventStride);
    for (size_t i = 0; i < t.size(); ++i) {
        // The instance set is decided by the analysis-CRS coordinates, so every display keeps
        // the same instance order as the splat buffer (and its keep texture).
        if (!std::isfinite(t.x[i]) || !std::isfinite(t.y[i])) continue;
        const int32_t day = t.day.empty() ? kNoDay : t.day[i];
        const bool ok = std::isfinite(xs[i]) && std::isfinite(ys[i]);
        out.insert(out.end(), {ok ? float(xs[i] - ox) : 3e38f, ok ? float(ys[i] - oy) : 3e38f,
                               day == kNoDay ? -1e9f : float(day), t.type.empty() ? 0.f : float(t.type[i]),
                               t.weight.empty() ? 1.f : t.weight[i],
                               t.fatalities.empty() ? 0.f : t.fatalities[i]});
    }
    return out;
}

// The event positions in the display CRS (a copy of the analysis-CRS ones, transformed).
void display_positions(const EventTable& t, const Crs& analysis, const Crs& display, std::vector<double>& xs,
                       std::vector<double>& ys) {
    xs = t.x;
    ys = t.y;
    Transformer tr(analysis, display); // this thread's PROJ context
    tr.forward(xs.data(), ys.data(), xs.size());
}

// Progress of step i of n, mapped into [i/n, (i+1)/n]. Returns false (cancel) when the outer
// progress says stop, instead of throwing through geo's code.
Progress sub_progress(Progress& outer, size_t i, size_t n) {
    return Progress([&outer, i, n](double f, std::string_view stage) {
        try {
            outer((double(i) + f) / double(n), stage);
            return true;
        } catch (const Cancelled&) {
            return false;
        }
    });
}

void default_style(MapLayer& l, int polygon_layers_before) {
    LayerStyle& s = l.style;
    const std::string name = lower(l.data.name);
    switch (l.data.type) {
    case GeomType::Polygon:
        // Finer subdivisions (admin1) as thin lines over the coarse layer's land fill.
        if (name == "admin1" || polygon_layers_before > 0) {
            s.fill = false;
            s.line_color = {0.55f, 0.55f, 0.55f, 1.f};
            s.line_width = 0.7f;
        } else {
            s.fill_color = {0.96f, 0.95f, 0.92f, 1.f};
            s.line_color = {0.25f, 0.25f, 0.25f, 1.f};
            s.line_width = 1.4f;
        }
        break;
    case GeomType::Line:
        s.line_width = 2.5f;
        s.line_color = {0.2f, 0.3f, 0.6f, 0.9f};
        s.opacity = 0.9f;
        for (const char* f : {"commodity", "type", "category"})
            if (int fi = l.data.field_index(f); fi >= 0) {
                s.category_field = fi;
                break;
            }
        break;
    case GeomType::Point:
        s.line_color = {0.1f, 0.1f, 0.4f, 1.f};
        s.point_size = 3.5f;
        break;
    default:
        break;
    }
}

int draw_rank(const MapLayer& l) {
    switch (l.data.type) {
    case GeomType::Polygon:
        return 0;
    case GeomType::Line:
        return 1;
    default:
        return 2;
    }
}

// Bilinear value of a north-up raster at a map point, like the GPU grid's read-out (NaN outside).
double sample_bilinear(const Raster& r, double x, double y) {
    const GridSpec& g = r.grid;
    const double fx = (x - g.xmin) / g.cell - 0.5, fy = (g.ymax - y) / g.cell - 0.5;
    if (g.width < 1 || g.height < 1 || fx < -0.5 || fy < -0.5 || fx > g.width - 0.5 || fy > g.height - 0.5)
        return std::nan("");
    const double cx = std::clamp(fx, 0.0, double(g.width - 1)),
                 cy = std::clamp(fy, 0.0, double(g.height - 1));
    const int x0 = int(cx), y0 = int(cy), x1 = std::min(x0 + 1, g.width - 1),
              y1 = std::min(y0 + 1, g.height - 1);
    const double tx = cx - x0, ty = cy - y0;
    auto at = [&](int c, int row) {
        const float v = r.at(c, row);
        return r.is_nodata(v) ? 0.0 : double(v);
    };
    return (at(x0, y0) * (1 - tx) + at(x1, y0) * tx) * (1 - ty) +
           (at(x0, y1) * (1 - tx) + at(x1, y1) * tx) * ty;
}

bool mentions_synthetic(const std::map<std::string, std::string>& md) {
    for (const auto& [k, v] : md)
        if (lower(k).find("synthetic") != std::string::npos && lower(v) != "false")
            return true;
        else if (lower(v).find("synthetic") != std::string::npos)
            return true;
    return false;
}

} // namespace

App::App(GLFWwindow* window, const ViewerOptions& opt) : window_(window), opt_(opt) {
    doc_.analysis = Crs::default_analysis();
    if (const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER))) {
        std::string name(r);
        for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        for (const char* sw : {"llvmpipe", "softpipe", "swiftshader", "swrast"})
            if (name.find(sw) != std::string::npos) software_gl_ = true;
    }
    // PROJ reads its database here, once, before the first frame (not during one).
    lonlat_ = std::make_unique<DisplayChain>(
        doc_.analysis, display_from_name(opt_.display_crs).value_or(DisplayKind::EqualArea));
    analysis_.set_display(lonlat_.get(), display_gen_);
    map_.init();
    heat_.init();
    analysis_.show_hover = opt_.screenshot.empty(); // the pointer position is arbitrary in screenshots
    if (auto k = kernel_from_name(opt_.kernel))
        doc_.heat.kernel = *k;
    else
        std::cerr << "nexusmap: unknown kernel '" << opt_.kernel << "', using quartic\n";
    doc_.heat.bandwidth_km = float(opt_.bandwidth_km);
    for (size_t r = 0; r < kRampNames.size(); ++r)
        if (lower(kRampNames[r]).rfind(lower(opt_.ramp), 0) == 0) doc_.heat.ramp = Ramp(r);
    // The sidebar's order; overlays are drawn in this order too (graticule, labels, then the tools).
    panels_ = {&layers_panel_,    &heatmap_panel_, &time_panel_,   &export_panel_,    &hotspot_panel_,
               &spillover_panel_, &scan_panel_,    &nexus_panel_,  &graticule_panel_, &analysis_,
               &measure_panel_,   &table_panel_,   &sketch_panel_, &bookmarks_panel_, &display_panel_,
               &status_bar_};
    // UI scale (--ui-scale, else the monitor's content scale) and theme, before the first frame.
    float csx = 1, csy = 1;
    glfwGetWindowContentScale(window_, &csx, &csy);
    display_panel_.content_scale = std::max(csx, csy);
    display_panel_.settings.scale = float(opt_.ui_scale);
    display_panel_.settings.theme = opt_.theme;
    apply_ui(display_panel_.settings, true);
    // Initial view: the study area (West Africa and the Sahel) until data arrive.
    int w = 0, h = 0;
    glfwGetWindowSize(window_, &w, &h);
    view_.set_viewport(sidebar_w_, 0, w - sidebar_w_, h - status_h_);
    view_.fit(lonlat_->forward_bbox(BBox{-18, 3, 24, 24}));
    if (opt_.real && !opt_.view) {
        // The seven countries of the study (MLI BFA NER CIV GHA TGO BEN), not the whole basemap
        // (which reaches into Algeria); loads keep this framing.
        view_.fit(lonlat_->forward_bbox(BBox{-12.3, 4.2, 16.1, 25.1}));
        user_moved_ = true;
    }
    if (opt_.view) {
        double x = (*opt_.view)[0], y = (*opt_.view)[1];
        lonlat_->forward(x, y);
        view_.cx = x;
        view_.cy = y;
        const double ground = lonlat_->identity() ? 1.0 : lonlat_->ground_per_display(x, y);
        view_.m_per_px = std::clamp((*opt_.view)[2] * 1000 / ground, view_.min_m_per_px, view_.max_m_per_px);
        user_moved_ = true; // keep it: loads must not re-fit
    }
}

App::~App() {
    jobs_.cancel_all();
}

void App::start_loading() {
    loads_started_ = true;
    std::vector<std::string> files = opt_.files;
    if (opt_.real) {
        const std::string d = data_dir();
        for (const char* f : {"/basemap/west_africa.gpkg", "/real/ucdp_ged241_uemoa6.csv"}) files.push_back(d + f);
    }
    if (opt_.demo) {
        const std::string d = data_dir();
        for (const char* f :
             {"/basemap/west_africa.gpkg", "/demo/routes_illustrative.geojson", "/demo/events_synthetic.csv"})
            files.push_back(d + f);
    }
    // Event tables alone would float on an empty sea: put the bundled basemap (countries, admin-1,
    // admin-2) under them, as the command line's maps do, unless asked not to.
    const bool only_events = !files.empty() && std::all_of(files.begin(), files.end(), [](const std::string& f) {
        const std::string e = ascii_lower(fs::path(f).extension().string());
        return e == ".csv" || e == ".tsv" || e == ".txt" || e == ".xlsx";
    });
    if (only_events && !opt_.no_basemap && !opt_.real && !opt_.demo) {
        const std::string base = data_dir() + "/basemap/west_africa.gpkg";
        if (fs::exists(base)) {
            files.insert(files.begin(), base);
            doc_.messages.push_back("basemap: the bundled west_africa.gpkg under the events (--no-basemap: none)");
        }
    }
    for (const auto& f : files)
        open_file(f); // by extension or content: events, project, vector (export_panel.cpp)
}

void App::load_vector(const std::string& path) {
    const Crs analysis = doc_.analysis, display = lonlat_->crs();
    const bool identity = lonlat_->identity();
    const int gen = display_gen_;
    jobs_.start<std::vector<LoadedLayer>>(
        "loading " + fs::path(path).filename().string(),
        [path, analysis, display, identity](Progress& progress) {
            std::vector<LoadedLayer> out;
            std::vector<std::string> names = list_layers(path);
            if (names.empty()) names.push_back("");
            for (size_t i = 0; i < names.size(); ++i) {
                ReadLayerOptions ro;
                ro.layer = names[i];
                ro.target_crs = analysis;
                LoadedLayer l;
                l.layer = read_layer(path, ro, sub_progress(progress, i, names.size()));
                // Triangulate here, on the worker, in the display CRS; the main thread only
                // uploads. The layer itself stays in the analysis CRS.
                l.mesh = build_layer_mesh(identity ? l.layer : reproject(l.layer, display), [&] {
                    progress((double(i) + 0.95) / double(names.size()), "triangulating");
                    return false;
                });
                if (l.layer.type == GeomType::Polygon) l.index = std::make_shared<PolygonIndex>(l.layer);
                out.push_back(std::move(l));
            }
            return out;
        },
        [this, path, gen, identity](std::vector<LoadedLayer>&& loaded) {
            for (auto& ll : loaded) {
                auto l = std::make_unique<MapLayer>();
                l->title = ll.layer.name.empty() ? fs::path(path).stem().string() : ll.layer.name;
                l->fill_area_m2 = identity ? ll.mesh.fill_area : 0; // equal-area metres only
                l->display_gen = gen;
                made(l->gpu).upload(ll.mesh, ll.layer.features.size());
                l->data = std::move(ll.layer);
                l->index = std::move(ll.index);
                for (const auto& w : l->data.warnings)
                    doc_.messages.push_back(l->title + ": " + w);
                add_layer(std::move(l));
            }
            // The display changed meanwhile: rebuild after poll() (Jobs::poll must not get a new
            // job from inside a finish callback).
            if (gen != display_gen_) display_rebuild_pending_ = true;
        });
}

void App::add_layer(std::unique_ptr<MapLayer> layer) {
    int polygons_before = 0;
    for (auto& l : doc_.layers)
        polygons_before += l->data.type == GeomType::Polygon;
    default_style(*layer, layer->data.type == GeomType::Polygon && lower(layer->data.name) == "admin0"
                              ? 0
                              : polygons_before);
    // The synthetic demo keeps its admin-0/1 look (its screenshots and probes); admin-2 is there,
    // hidden, for the Layers panel. The real default view shows it.
    if (opt_.demo && layer->data.type == GeomType::Polygon && lower(layer->data.name) == "admin2")
        layer->style.visible = false;
    doc_.layers.push_back(std::move(layer));
    // Polygons, then lines, then points; among polygons the finer (more features) first so
    // coarse borders are drawn over fine ones in the outline pass.
    std::stable_sort(doc_.layers.begin(), doc_.layers.end(), [](auto& a, auto& b) {
        if (draw_rank(*a) != draw_rank(*b)) return draw_rank(*a) < draw_rank(*b);
        if (draw_rank(*a) == 0) return a->data.features.size() > b->data.features.size();
        return false;
    });
    if (!user_moved_) fit_default();
}

void App::load_events(const std::string& path) {
    const Crs analysis = doc_.analysis, display = lonlat_->crs();
    const bool identity = lonlat_->identity();
    const int gen = display_gen_;
    jobs_.start<LoadedEvents>(
        "loading " + fs::path(path).filename().string(),
        [path, analysis, display, identity](Progress& progress) {
            LoadedEvents out;
            EventLoadResult r = load_events_csv(path, {}, sub_progress(progress, 0, 2));
            out.table = std::move(r.events);
            out.report = std::move(r.report);
            progress(0.6, "projecting");
            project_events(out.table, analysis);
            progress(0.9, "building buffers");
            const EventTable& t = out.table;
            out.instances = event_instances(t, t.x, t.y, out.ox, out.oy);
            if (!identity) {
                std::vector<double> xs, ys;
                display_positions(t, analysis, display, xs, ys);
                out.display_instances = event_instances(t, xs, ys, out.dox, out.doy);
            }
            return out;
        },
        [this, path, gen](LoadedEvents&& le) {
            auto ev = std::make_unique<EventSet>();
            ev->title = fs::path(path).filename().string();
            ev->ox = le.ox;
            ev->oy = le.oy;
            made(ev->gpu).upload(le.instances);
            if (!le.display_instances.empty()) {
                made(ev->display_gpu).upload(le.display_instances);
                ev->dox = le.dox;
                ev->doy = le.doy;
            }
            ev->display_gen = gen;
            ev->table = std::move(le.table);
            ev->type_on.assign(std::max<size_t>(ev->table.type_names.size(), 1), true);
            ev->synthetic = ev->table.synthetic || mentions_synthetic(ev->table.metadata);
            const auto dr = ev->table.day_range();
            if (dr[0] != kNoDay) {
                ev->window.set_range(month_index(dr[0]), month_index(dr[1]));
                ev->window.length = 12;
                ev->window.start = ev->window.first;
                ev->window.clamp();
            }
            ev->window.all = true;
            if (int y = 0, m = 0, n = 0;
                !opt_.window.empty() && std::sscanf(opt_.window.c_str(), "%d-%d,%d", &y, &m, &n) == 3) {
                ev->window.all = false;
                ev->window.start = y * 12 + m - 1;
                ev->window.length = n;
                ev->window.clamp();
            }
            if (!le.report.bad.empty())
                doc_.messages.push_back(ev->title + ": " + std::to_string(le.report.bad.size()) +
                                        " rows skipped");
            for (const auto& w : le.report.warnings)
                doc_.messages.push_back(ev->title + ": " + w);
            // A software OpenGL draws a million point sprites in seconds per frame: start with
            // the points off there (the heat shows the density; Layers turns them back on).
            if (software_gl_ && ev->table.size() > kSoftwarePointLimit) {
                ev->style.visible = false;
                doc_.messages.push_back(ev->title + ": " + std::to_string(ev->table.size()) +
                                        " events on a software OpenGL renderer: event points start hidden "
                                        "(Layers panel to show them)");
            }
            doc_.events = std::move(ev);
            heat_.invalidate();
            if (!user_moved_) fit_default();
            // The display changed meanwhile: rebuild after poll() (Jobs::poll must not get a new
            // job from inside a finish callback).
            if (gen != display_gen_) display_rebuild_pending_ = true;
        });
}

void App::set_event_precision(int mode) {
    if (!doc_.events) return;
    EventSet& ev = *doc_.events;
    const int gen = display_gen_;
    auto install = [this](EventTable table, int mode_now, std::vector<float> inst, double ox, double oy,
                          std::vector<float> dinst, double dox, double doy, int g, std::string summary) {
        if (!doc_.events) return;
        EventSet& e = *doc_.events;
        e.table = std::move(table);
        e.gpu = std::make_shared<GpuEvents>();
        e.gpu->upload(inst);
        e.ox = ox, e.oy = oy;
        e.display_gpu.reset();
        if (!dinst.empty()) made(e.display_gpu).upload(dinst), e.dox = dox, e.doy = doy;
        e.display_gen = g;
        e.precision_mode = mode_now;
        e.precision_summary = std::move(summary);
        e.rebuild_keep();
        heat_.invalidate();
        if (g != display_gen_) display_rebuild_pending_ = true;
    };
    // Back to the loaded table first (from a spread one), then filter or spread.
    if (mode != 2 && ev.original) {
        const bool identity = lonlat_->identity();
        EventTable t = *ev.original;
        ev.original.reset();
        double ox = 0, oy = 0, dox = 0, doy = 0;
        std::vector<float> inst = event_instances(t, t.x, t.y, ox, oy), dinst;
        if (!identity) {
            std::vector<double> xs, ys;
            display_positions(t, doc_.analysis, lonlat_->crs(), xs, ys);
            dinst = event_instances(t, xs, ys, dox, doy);
        }
        install(std::move(t), mode, std::move(inst), ox, oy, std::move(dinst), dox, doy, gen, "");
    }
    if (mode != 2) {
        ev.precision_mode = mode;
        size_t dropped = 0;
        if (mode == 1)
            for (auto c : ev.table.precision) dropped += c > 2;
        ev.precision_summary = mode == 1 ? std::to_string(dropped) + " events with precision code > 2 filtered out" : "";
        ev.rebuild_keep();
        heat_.invalidate();
        return;
    }
    // Spread: on a worker, over the admin layers loaded (by name), else the bundled basemap's.
    auto base = std::make_shared<EventTable>(ev.original ? *ev.original : ev.table);
    auto polys = std::make_shared<std::vector<VectorLayer>>(3);
    for (auto& l : doc_.layers)
        for (int k = 0; k < 3; ++k)
            if (l->data.type == GeomType::Polygon && lower(l->data.name) == "admin" + std::to_string(k))
                (*polys)[size_t(k)] = l->data;
    const std::string basemap = data_dir() + "/basemap/west_africa.gpkg";
    const Crs analysis = doc_.analysis, display = lonlat_->crs();
    const bool identity = lonlat_->identity();
    struct Out {
        EventTable table;
        std::vector<float> inst, dinst;
        double ox = 0, oy = 0, dox = 0, doy = 0;
        std::string summary;
    };
    jobs_.start<Out>(
        "spreading imprecise events",
        [base, polys, basemap, analysis, display, identity](Progress& progress) {
            Out out;
            for (int k = 0; k < 3; ++k)
                if ((*polys)[size_t(k)].features.empty() && std::filesystem::exists(basemap)) {
                    const auto names = list_layers(basemap);
                    const std::string nm = "admin" + std::to_string(k);
                    if (std::find(names.begin(), names.end(), nm) == names.end()) continue;
                    ReadLayerOptions ro;
                    ro.layer = nm;
                    (*polys)[size_t(k)] = read_layer(basemap, ro);
                }
            progress(0.3, "spreading");
            PrecisionParams pp;
            pp.spread = true;
            pp.admin0 = &(*polys)[0], pp.admin1 = &(*polys)[1], pp.admin2 = &(*polys)[2];
            PrecisionResult r = apply_precision(*base, pp);
            out.summary = r.summary();
            out.table = std::move(r.events);
            for (auto& [k, v] : r.metadata()) out.table.metadata[k] = v;
            if (!out.table.crs.valid()) project_events(out.table, analysis);
            progress(0.8, "building buffers");
            out.inst = event_instances(out.table, out.table.x, out.table.y, out.ox, out.oy);
            if (!identity) {
                std::vector<double> xs, ys;
                display_positions(out.table, analysis, display, xs, ys);
                out.dinst = event_instances(out.table, xs, ys, out.dox, out.doy);
            }
            return out;
        },
        [this, base, gen, install](Out&& out) {
            if (!doc_.events) return;
            if (!doc_.events->original) doc_.events->original = base;
            // Spread rows carry fractions in the weight column: count with it, so totals stay.
            if (doc_.heat.weight == WeightMode::Count) {
                doc_.heat.weight = WeightMode::WeightColumn;
                doc_.messages.push_back("precision spread: the heat counts events by their spread fractions "
                                        "(weight column = 1 per event, split over the polygon)");
            }
            install(std::move(out.table), 2, std::move(out.inst), out.ox, out.oy, std::move(out.dinst), out.dox,
                    out.doy, gen, std::move(out.summary));
        });
}

BBox App::to_display(const BBox& b) const {
    if (lonlat_->identity() || !(b.xmax >= b.xmin)) return b;
    std::vector<double> xs, ys;
    const int n = 32;
    for (int i = 0; i <= n; ++i)
        for (int j = 0; j <= n; ++j) {
            xs.push_back(b.xmin + b.width() * i / n);
            ys.push_back(b.ymin + b.height() * j / n);
        }
    lonlat_->from_analysis(xs.data(), ys.data(), xs.size());
    BBox out = BBox::inverted();
    for (size_t k = 0; k < xs.size(); ++k)
        if (std::isfinite(xs[k]) && std::isfinite(ys[k])) out.expand(xs[k], ys[k]);
    return out;
}

void App::set_display(DisplayKind k) {
    if (k == lonlat_->kind()) return;
    // Keep the canvas centre (lon/lat) and the ground size of a pixel there.
    double lon = view_.cx, lat = view_.cy;
    lonlat_->inverse(lon, lat);
    const double ground_px = view_.m_per_px * lonlat_->ground_per_display(view_.cx, view_.cy);
    retired_chain_ = std::move(lonlat_); // panels of this frame may still hold a pointer to it
    lonlat_ = std::make_unique<DisplayChain>(doc_.analysis, k);
    ++display_gen_;
    double x = lon, y = lat;
    lonlat_->forward(x, y);
    if (std::isfinite(x) && std::isfinite(y)) {
        view_.cx = x;
        view_.cy = y;
        view_.m_per_px =
            std::clamp(ground_px / lonlat_->ground_per_display(x, y), view_.min_m_per_px, view_.max_m_per_px);
    } else {
        fit_all();
    }
    display_rebuild_pending_ = true; // started at the top of the next frame, after poll()
    analysis_.set_display(lonlat_.get(), display_gen_);
}

void App::start_display_rebuild() {
    // Copies for the worker (it must not touch the document): each layer's analysis-CRS data and
    // the events' analysis-CRS positions.
    struct Out {
        std::vector<std::pair<const MapLayer*, LayerMesh>> meshes;
        std::vector<float> instances;
        double dox = 0, doy = 0;
        const EventSet* events = nullptr;
    };
    auto layers = std::make_shared<std::vector<std::pair<const MapLayer*, VectorLayer>>>();
    for (auto& l : doc_.layers)
        layers->emplace_back(l.get(), l->data);
    auto table = std::make_shared<EventTable>();
    const EventSet* ev = doc_.events.get();
    if (ev) {
        table->x = ev->table.x;
        table->y = ev->table.y;
        table->day = ev->table.day;
        table->type = ev->table.type;
        table->weight = ev->table.weight;
        table->fatalities = ev->table.fatalities;
    }
    const Crs analysis = doc_.analysis, display = lonlat_->crs();
    const bool identity = lonlat_->identity();
    const int gen = display_gen_;
    jobs_.start<Out>(
        std::string("display CRS: ") + display_name(lonlat_->kind()),
        [layers, table, ev, analysis, display, identity](Progress& progress) {
            Out out;
            for (size_t i = 0; i < layers->size(); ++i) {
                progress(double(i) / double(layers->size() + 1), "re-projecting layers");
                const VectorLayer& vl = (*layers)[i].second;
                out.meshes.emplace_back((*layers)[i].first, build_layer_mesh(identity ? vl : reproject(vl, display)));
            }
            if (ev && !identity) {
                progress(double(layers->size()) / double(layers->size() + 1), "re-projecting events");
                std::vector<double> xs, ys;
                display_positions(*table, analysis, display, xs, ys);
                out.instances = event_instances(*table, xs, ys, out.dox, out.doy);
            }
            out.events = ev;
            return out;
        },
        [this, gen, identity](Out&& out) {
            if (gen != display_gen_) return; // a newer switch is under way
            for (auto& [which, mesh] : out.meshes)
                for (auto& l : doc_.layers)
                    if (l.get() == which) {
                        l->gpu = std::make_shared<GpuLayer>();
                        l->gpu->upload(mesh, l->data.features.size());
                        l->cats_for = -2; // re-upload the categorical colours
                        l->fill_area_m2 = identity ? mesh.fill_area : 0;
                        l->display_gen = gen;
                    }
            if (doc_.events && doc_.events.get() == out.events) {
                doc_.events->display_gpu.reset();
                if (!identity && !out.instances.empty()) {
                    made(doc_.events->display_gpu).upload(out.instances);
                    doc_.events->dox = out.dox;
                    doc_.events->doy = out.doy;
                }
                doc_.events->display_gen = gen;
            }
        });
}

void App::fit_all() {
    const BBox b = to_display(doc_.extent());
    if (b.xmax > b.xmin) view_.fit(b, 24);
}

// The first frame shows the events, the subject of the session, not the whole basemap (a West
// Africa basemap framed alone is 40% Sahara); without events, every layer.
void App::fit_default() {
    if (doc_.events) {
        BBox e = BBox::inverted();
        const auto& t = doc_.events->table;
        for (size_t i = 0; i < t.x.size() && i < t.y.size(); ++i)
            if (std::isfinite(t.x[i]) && std::isfinite(t.y[i])) e.expand(t.x[i], t.y[i]);
        if (e.xmax > e.xmin && e.ymax > e.ymin) {
            const BBox b = to_display(e);
            if (b.xmax > b.xmin) return view_.fit(b, 24);
        }
    }
    fit_all();
}

bool App::animating() const {
    // map_cache_.stale_view(): a moved picture still to be drawn for the view once it settles.
    return jobs_.busy() || time_panel_.playing() || dragging_ || map_cache_.stale_view();
}

bool App::ready() const {
    if (!loads_started_ || jobs_.busy()) return false;
    if (pending_project_) return false; // its styles/filters are not applied yet
    if (display_rebuild_pending_) return false; // a display CRS rebuild is about to start
    if (doc_.events && count_of(doc_.events->gpu) > 0 && doc_.heat.visible && (!heat_.valid() || heat_.cpu_pending()))
        return false;
    if (opt_.precision_mode > 0 && doc_.events && !precision_started_) return false;
    if (opt_.compare_exact && doc_.events && !heatmap_panel_.exact) return false;
    if (opt_.show_exact && doc_.events && !heat_.showing_raster()) return false;
    if ((opt_.run_hotspots || opt_.run_emerging || opt_.run_lisa) && doc_.events && !analysis_.has_hotspots() &&
        !analysis_.hotspots_attempted())
        return false;
    if (opt_.run_spillover && doc_.events && !analysis_.has_spillover() && !analysis_.spillover_attempted())
        return false;
    if (opt_.run_scan && doc_.events && !analysis_.scan_nexus.scan() && !analysis_.scan_nexus.scan_attempted())
        return false;
    if (opt_.run_nexus && doc_.events && !analysis_.scan_nexus.nexus() && !analysis_.scan_nexus.nexus_attempted())
        return false;
    if (!tools_started_) return false; // --attribute-table / --select-at wait for the layers
    return true;
}

std::vector<std::string> App::error_messages() const {
    std::vector<std::string> out;
    for (auto& j : jobs_.all())
        if (j->state() == Job::State::Failed) out.push_back(j->error());
    return out;
}

bool App::had_errors() const {
    return open_failed_ ||
           std::any_of(jobs_.all().begin(), jobs_.all().end(),
                       [](auto& j) { return j->state() == Job::State::Failed; }) ||
           std::any_of(doc_.messages.begin(), doc_.messages.end(),
                       [](const std::string& m) { return m.rfind("missing file", 0) == 0; });
}

void App::handle_input() {
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 m = io.MousePos;
    const bool over_canvas = view_.in_canvas(m.x, m.y) && !io.WantCaptureMouse;
    bool moved = false;
    if (over_canvas && io.MouseWheel != 0) {
        view_.zoom_at(m.x, m.y, std::pow(1.25, double(io.MouseWheel)));
        moved = true;
    }
    // From the press position (the button event's own, input.cpp), not the last frame's cursor.
    const ImVec2 p = io.MouseClickedPos[ImGuiMouseButton_Left];
    const auto [dx, dy] = drag_.update(over_canvas && ImGui::IsMouseClicked(ImGuiMouseButton_Left), p.x, p.y,
                                       ImGui::IsMouseDown(ImGuiMouseButton_Left), m.x, m.y);
    dragging_ = drag_.active();
    if ((dx != 0 || dy != 0) && !map_drag_held_) { // a map tool holding the drag (moving a vertex) does not pan
        view_.pan_pixels(dx, dy);
        moved = true;
    }
    if (over_canvas && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        view_.zoom_at(m.x, m.y, 2.0);
        moved = true;
    }
    // ImGui 1.86 indexes keys by the backend's (GLFW) key codes; taps arrive one per frame.
    if (!io.WantCaptureKeyboard) {
        if (ImGui::IsKeyPressed(GLFW_KEY_R)) fit_all(), moved = true;
        const double cx = view_.vx + view_.vw / 2, cy = view_.vy + view_.vh / 2;
        if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD))
            view_.zoom_at(cx, cy, 1.5), moved = true;
        if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT))
            view_.zoom_at(cx, cy, 1 / 1.5), moved = true;
    }
    if (moved) {
        user_moved_ = true;
        view_input_t_ = glfwGetTime(); // the map cache shows the moved picture until the view settles
    }
}

void App::update_hover() {
    const ImVec2 m = ImGui::GetIO().MousePos;
    hover_ = {};
    if (!view_.in_canvas(m.x, m.y) || ImGui::GetIO().WantCaptureMouse) return;
    // screen -> display -> lon/lat, and -> analysis CRS (x/y read-out, density, region).
    const ScreenPt d = view_.to_map(m.x, m.y);
    ScreenPt p = d;
    lonlat_->to_analysis(p.x, p.y);
    hover_.x = p.x;
    hover_.y = p.y;
    double lon = d.x, lat = d.y;
    lonlat_->inverse(lon, lat);
    hover_.lon = lon;
    hover_.lat = lat;
    hover_.valid = std::isfinite(lon) && std::isfinite(lat);
    hover_.density = doc_.events && doc_.heat.visible ? heat_.sample(p.x, p.y) : std::nan("");
    // Name of the finest polygon under the cursor (admin1 before admin0: finer layers sort first).
    for (const auto& l : doc_.layers) {
        if (!l->index || !l->style.visible) continue;
        const int name = l->data.field_index("name");
        if (name < 0) continue;
        const int f = l->index->locate(p.x, p.y);
        if (f < 0) continue;
        hover_.region = l->data.attr_string(size_t(f), "name");
        if (const int adm0 = l->data.field_index("adm0_name"); adm0 >= 0)
            hover_.region += " (" + l->data.attr_string(size_t(f), "adm0_name") + ")";
        break;
    }
    hover_.exact = heatmap_panel_.exact ? sample_bilinear(*heatmap_panel_.exact, p.x, p.y) : std::nan("");
}

void App::draw_ui() {
    PanelContext ctx = panel_context();
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(ImVec2(sidebar_w_, vp->Size.y));
    ImGui::Begin("nexusmap", nullptr,
                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_MenuBar);
    // The panels' commands (Panel::menu).
    if (ImGui::BeginMenuBar()) {
        if (ImGui::BeginMenu("Edit")) {
            sketch_panel_.menu(ctx);
            ImGui::EndMenu();
        }
        if (ImGui::BeginMenu("Tools")) {
            for (Panel* p : panels_)
                if (p != &sketch_panel_ && p != &bookmarks_panel_) p->menu(ctx);
            ImGui::EndMenu();
        }
        bookmarks_panel_.menu(ctx);
        ImGui::EndMenuBar();
    }
    ImGui::TextDisabled("Sahel conflict events -> Gulf of Guinea");
    {
        int k = int(lonlat_->kind());
        if (ImGui::Combo("display CRS", &k, kDisplayLabels.data(), int(kDisplayLabels.size())))
            requested_display_ = DisplayKind(k);
        if (ImGui::IsItemHovered())
            tooltip("Drawing only: analyses, the heat grid and hover values stay in the\n"
                              "equal-area analysis CRS (the heat texture is warped to the display).");
    }
    // Sections keep their height when their content shrinks (ui_logic.hpp), so what is below the
    // pointer stays there after a click (issue #14).
    stable_.resize(panels_.size());
    for (size_t i = 0; i < panels_.size(); ++i)
        if (panels_[i]->dock() == Panel::Dock::Sidebar) begin_stable(), panels_[i]->draw(ctx), end_stable(stable_[i]);
    // Filter changes of this frame reach the GPU's keep texture before the map is drawn.
    if (doc_.events) sync_event_keep(*doc_.events);
    if (!doc_.messages.empty() && ImGui::CollapsingHeader("Messages")) {
        for (const auto& msg : doc_.messages)
            ImGui::TextWrapped("%s", msg.c_str());
    }
    ImGui::End();
    for (Panel* p : panels_)
        if (p->dock() == Panel::Dock::Bottom) p->draw(ctx);
    overlay_.draw(ctx);
    for (Panel* p : panels_) p->draw_overlay(ctx);
    for (Panel* p : panels_) p->map_input(ctx);
    for (Panel* p : panels_) p->draw_windows(ctx);
    handle_export_request(); // files, export and project (export_panel.cpp)
    apply_requests(ctx);
}

namespace {
// The canvas rectangle in framebuffer pixels (GL's origin is bottom-left) as viewport and scissor.
void set_canvas(const ViewTransform& view, int fb_h, double s) {
    const int cx = int(std::lround(view.vx * s)), cw = int(std::lround(view.vw * s));
    const int ch = int(std::lround(view.vh * s)), cy = fb_h - int(std::lround((view.vy + view.vh) * s));
    glEnable(GL_SCISSOR_TEST);
    glScissor(cx, cy, cw, ch);
    glViewport(cx, cy, cw, ch);
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_CULL_FACE);
}
} // namespace

void App::draw_map(int fb_w, int fb_h, double s) {
    draw_map_layers(fb_w, fb_h, s);
    draw_map_over(fb_w, fb_h, s);
}

void App::draw_map_layers(int fb_w, int fb_h, double s) {
    glViewport(0, 0, fb_w, fb_h);
    glDisable(GL_SCISSOR_TEST);
    glClearColor(0.13f, 0.14f, 0.16f, 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    set_canvas(view_, fb_h, s);
    glClearColor(map_cache_.sea[0], map_cache_.sea[1], map_cache_.sea[2], 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    for (auto& l : doc_.layers)
        sync_categories(*l);
    // Two passes: every fill, then every outline/line/point, so borders are never hidden.
    for (auto& l : doc_.layers) {
        if (l->data.type != GeomType::Polygon) continue;
        const bool outline = l->style.outline;
        l->style.outline = false;
        map_.draw_layer(*l, view_);
        l->style.outline = outline;
    }
    for (auto& l : doc_.layers) {
        if (l->data.type == GeomType::Polygon) {
            const bool fill = l->style.fill;
            l->style.fill = false;
            map_.draw_layer(*l, view_);
            l->style.fill = fill;
        } else {
            map_.draw_layer(*l, view_);
        }
    }
    glDisable(GL_SCISSOR_TEST);
    glViewport(0, 0, fb_w, fb_h);
}

void App::draw_map_over(int fb_w, int fb_h, double s) {
    draw_map_events(fb_w, fb_h, s);
    draw_map_heat(fb_w, fb_h, s);
}

void App::draw_map_events(int fb_w, int fb_h, double s) {
    // Points under the heat: isolated events stay visible, hotspots read as colour.
    if (!doc_.events) return;
    set_canvas(view_, fb_h, s);
    map_.draw_events(*doc_.events, view_);
    glDisable(GL_SCISSOR_TEST);
    glViewport(0, 0, fb_w, fb_h);
}

void App::draw_map_heat(int fb_w, int fb_h, double s) {
    set_canvas(view_, fb_h, s);
    if (doc_.events) heat_.draw(view_, doc_.heat, lonlat_.get(), display_gen_);
    analysis_.draw_map(map_, view_);
    glDisable(GL_SCISSOR_TEST);
    glViewport(0, 0, fb_w, fb_h);
}

// What the layer level shows (besides the view, which the cache compares itself).
uint64_t App::map_layers_key() const {
    KeyHash k;
    k.add(display_gen_).add(doc_.layers.size());
    for (const auto& l : doc_.layers) {
        const LayerStyle& st = l->style;
        k.add(l.get()).add(l->gpu.get()).add(l->gpu && l->gpu->uploaded).add(l->display_gen);
        k.add(st.visible).add(st.opacity).add(st.fill).add(st.outline).add(st.line_width).add(st.point_size);
        k.add(st.category_field).add(l->cats_for);
        for (float c : st.fill_color) k.add(c);
        for (float c : st.line_color) k.add(c);
    }
    return k.h;
}

// What the event level shows.
uint64_t App::map_events_key() const {
    KeyHash k;
    if (const EventSet* ev = doc_.events.get()) {
        const EventStyle& st = ev->style;
        k.add(ev).add(ev->gpu.get()).add(count_of(ev->gpu)).add(ev->display_gpu.get()).add(ev->display_gen);
        k.add(st.visible).add(st.radius_px).add(st.opacity).add(st.color_by_type);
        for (float c : st.color) k.add(c);
        k.add(ev->window.all).add(ev->window.start).add(ev->window.length).add(ev->filter_version);
        k.add(ev->keep_dirty).add(ev->precision_mode);
        for (bool on : ev->type_on) k.add(on);
    }
    return k.h;
}

// What the heat/analysis level shows; map_gen_ stands for what is not listed here (panel edits,
// finished jobs, playing).
uint64_t App::map_heat_key() const {
    KeyHash k;
    k.add(map_gen_).add(display_gen_);
    if (doc_.events) {
        const HeatParams& p = doc_.heat;
        k.add(p.visible).add(p.kernel).add(p.bandwidth_km).add(p.weight).add(p.ramp).add(p.scale).add(p.range);
        k.add(p.lo).add(p.hi).add(p.opacity).add(p.threshold);
        k.add(heat_.valid()).add(heat_.uploads()).add(heat_.showing_raster());
        if (heat_.valid()) {
            const ValueScale vs = heat_.value_scale(p);
            k.add(vs.effective_lo()).add(vs.hi);
        }
    }
    return k.h;
}

namespace {
// What ImGui will draw this frame, hashed (vertices, indices, commands): equal hashes, equal pixels.
uint64_t hash_draw_data(const ImDrawData* dd) {
    KeyHash k;
    if (!dd) return k.h;
    auto bytes = [&](const void* p, size_t n) {
        k.add(std::hash<std::string_view>{}(std::string_view(static_cast<const char*>(p), n)));
    };
    k.add(dd->CmdListsCount).add(dd->DisplaySize.x).add(dd->DisplaySize.y);
    for (int i = 0; i < dd->CmdListsCount; ++i) {
        const ImDrawList* l = dd->CmdLists[i];
        bytes(l->VtxBuffer.Data, size_t(l->VtxBuffer.Size) * sizeof(ImDrawVert));
        bytes(l->IdxBuffer.Data, size_t(l->IdxBuffer.Size) * sizeof(ImDrawIdx));
        for (const ImDrawCmd& c : l->CmdBuffer) {
            k.add(c.ClipRect.x).add(c.ClipRect.y).add(c.ClipRect.z).add(c.ClipRect.w).add(c.TextureId);
            k.add(c.VtxOffset).add(c.IdxOffset).add(c.ElemCount).add(c.UserCallback != nullptr);
        }
    }
    return k.h;
}
} // namespace

void App::draw_map_cached(int fb_w, int fb_h, double s, bool interacted) {
    if (interacted) ++map_gen_;
    // A view moved by the user within the last moments: show the cached picture moved, draw the
    // map for the view once it has been still for a little while (the loop keeps polling until).
    const bool moving = dragging_ || (view_input_t_ >= 0 && glfwGetTime() - view_input_t_ < 0.25);
    ImDrawData* dd = ImGui::GetDrawData();
    const std::array<MapCache::Level, MapCache::kLevels> levels = {
        MapCache::Level{map_layers_key(), [&] { draw_map_layers(fb_w, fb_h, s); }},
        MapCache::Level{map_events_key(), [&] { draw_map_events(fb_w, fb_h, s); }},
        MapCache::Level{map_heat_key(), [&] { draw_map_heat(fb_w, fb_h, s); }}};
    map_cache_.present_window(view_, fb_w, fb_h, s, levels, moving && !opt_.batch(), hash_draw_data(dd),
                              [&] { ImGui_ImplOpenGL3_RenderDrawData(dd); });
}

void App::frame() {
    const uint64_t finished_before = jobs_.finished();
    jobs_.poll();
    if (display_rebuild_pending_) {
        display_rebuild_pending_ = false;
        start_display_rebuild();
    }
    pre_frame(); // drops, pending project, requested PNG export (export_panel.cpp)
    int w = 0, h = 0, fb_w = 0, fb_h = 0;
    glfwGetWindowSize(window_, &w, &h);
    glfwGetFramebufferSize(window_, &fb_w, &fb_h);
    const double s = w > 0 ? double(fb_w) / w : 1.0;
    view_.set_viewport(sidebar_w_, 0, std::max(1.f, float(w) - sidebar_w_),
                       std::max(1.f, float(h) - status_h_));

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    feed_queued_input(); // this frame's share of the queued keys/buttons (input.hpp)
    ImGui::NewFrame();
    finish_queued_input();
    handle_input();
    update_hover();
    retired_chain_.reset(); // no panel holds the previous display chain any more
    draw_ui();
    ImGui::Render();
    if (requested_display_) {
        set_display(*requested_display_);
        requested_display_.reset();
    }

    // Re-splat (only when kernel, bandwidth or filters changed) before drawing; with the CPU
    // backend, start geo's KDE on the new grid instead.
    if (doc_.events) {
        heat_.set_cpu_backend(use_cpu_heat());
        heat_.set_cpu_splat(software_gl_ && opt_.heat_backend == "auto"); // heatmap.hpp
        heat_.update(*doc_.events, doc_.heat);
        if (heat_.cpu_pending() && cpu_heat_gen_ != heat_.cpu_generation()) start_cpu_heat();
        update_heat_range();
    }
    if (opt_.precision_mode > 0 && !precision_started_ && loads_started_ && !jobs_.busy() && doc_.events) {
        set_event_precision(opt_.precision_mode);
        precision_started_ = true;
    }
    if (opt_.compare_exact && !exact_started_ && loads_started_ && !jobs_.busy() && doc_.events &&
        heat_.valid()) {
        PanelContext ctx{doc_, jobs_, heat_, view_, lonlat_.get(), false, std::nullopt};
        heatmap_panel_.start_exact(ctx);
        exact_started_ = true;
    }
    if (opt_.show_exact && heatmap_panel_.exact && !heat_.showing_raster()) heat_.show_raster(*heatmap_panel_.exact);
    if (!analyses_started_ && (opt_.run_hotspots || opt_.run_emerging || opt_.run_lisa || opt_.run_spillover || opt_.run_scan || opt_.run_nexus) && loads_started_ &&
        !jobs_.busy() && doc_.events) {
        PanelContext ctx{doc_, jobs_, heat_, view_, lonlat_.get(), false, std::nullopt};
        if (opt_.run_hotspots || opt_.run_emerging || opt_.run_lisa) {
            using pipeline::Analysis;
            HotspotPanelParams& hp = analysis_.hot_params;
            hp.mode = opt_.run_hotspots ? Analysis::GiStar : opt_.run_lisa ? Analysis::Lisa : Analysis::Emerging;
            analysis_.open_hotspots_ = true;
            std::string err;
            for (const auto& kv : opt_.hot_settings)
                if (!hp.apply(kv, err)) break;
            if (err.empty()) {
                analysis_.start_hotspots(ctx);
            } else { // a bad setting is a bad command line: fail the batch rather than run defaults
                std::cerr << "nexusmap: " << err << "\n";
                open_failed_ = true;
                analysis_.hot_attempted_ = true;
            }
        }
        if (opt_.run_spillover) {
            analysis_.open_spillover_ = true;
            try {
                for (const auto& kv : opt_.spill_settings) analysis_.spill_params.set_spill(kv);
                for (const auto& kv : opt_.corridor_settings) analysis_.spill_params.set_corridor(kv);
                analysis_.start_spillover(ctx);
            } catch (const std::exception& e) { // a bad setting is a bad command line: fail the batch
                std::cerr << "nexusmap: " << e.what() << "\n";
                open_failed_ = true;
                analysis_.spill_attempted_ = true;
            }
        }
        start_scan_nexus(ctx);
        analyses_started_ = true;
    }
    if (!tools_started_ && loads_started_ && !jobs_.busy() && !pending_project_) start_tools();
    // Anything but hovering and moving the view may have changed what the map shows: a widget in
    // use, a click or key in a panel, a job's result, playing, a project or display switch.
    const ImGuiIO& io = ImGui::GetIO();
    bool map_interacted = jobs_.finished() != finished_before || time_panel_.playing() || ImGui::IsAnyItemActive() ||
                          pending_project_.has_value() || display_rebuild_pending_;
    for (int b = 0; b < 5 && io.WantCaptureMouse; ++b)
        map_interacted |= io.MouseDown[b] || io.MouseReleased[b];
    draw_map_cached(fb_w, fb_h, s, map_interacted); // the map and the UI (ImGui's draw data)
    if (const std::string err = gl::drain_errors(); !err.empty())
        std::cerr << "nexusmap: GL: " << err << "\n";
}

void App::start_scan_nexus(PanelContext& ctx) {
    ScanNexusUi& sn = analysis_.scan_nexus;
    try {
        for (const auto& kv : opt_.scan_settings) apply_scan_setting(sn.scan_params, kv);
        for (const auto& kv : opt_.nexus_settings) apply_nexus_setting(sn.nexus_params, sn.nexus_clq, kv);
    } catch (const std::exception& e) {
        // A bad setting is a bad command line: say so and fail the batch rather than run defaults.
        sn.setting_error = e.what();
        std::cerr << "nexusmap: " << e.what() << "\n";
        open_failed_ = true;
        sn.mark_attempted();
        return;
    }
    if (opt_.run_scan) {
        sn.open_scan = true;
        sn.start_scan(ctx);
    }
    if (opt_.run_nexus) {
        sn.open_nexus = true;
        // The curve distances are edited as text in the panel; start from the settings.
        sn.sync_curve_text();
        sn.start_nexus(ctx);
    }
}

bool App::use_cpu_heat() const {
    if (opt_.heat_backend == "cpu") return true;
    if (opt_.heat_backend == "gpu" || !doc_.events) return false;
    return software_gl_ && count_of(doc_.events->gpu) >= 100'000;
}

void App::start_cpu_heat() {
    const bool alive = std::any_of(jobs_.all().begin(), jobs_.all().end(),
                                   [this](auto& j) { return j.get() == cpu_heat_job_; });
    if (alive) cpu_heat_job_->cancel(); // superseded: its result would be dropped anyway
    ExactKdeInput kin = exact_kde_input(*doc_.events, doc_.heat, heat_.pending_grid());
    kin.params.method = KdeMethod::Auto; // the faster path within 1e-3 of the peak
    kin.params.threads = 0;              // all cores: the UI thread waits on nothing here
    const Crs crs = doc_.analysis;
    const uint64_t gen = heat_.cpu_generation();
    cpu_heat_gen_ = gen;
    cpu_heat_job_ = &jobs_.start<KdeResult>(
        "heat (geo KDE on the CPU)", [kin, crs](Progress& progress) { return kin.run(crs, progress); },
        [this, gen](KdeResult&& r) { heat_.show_cpu_raster(r.raster, gen); });
}

void App::print_probes(std::ostream& out, double s) const {
    for (auto [lon, lat] : opt_.probes) {
        double x = lon, y = lat;
        lonlat_->forward(x, y);
        const ScreenPt p = view_.to_screen(x, y);
        out << "probe " << lon << " " << lat << " " << std::lround(p.x * s) << " " << std::lround(p.y * s)
            << (view_.in_canvas(p.x, p.y) ? "" : " outside") << "\n";
        // The GPU grid's density at the probe's analysis-CRS point (lets tests check that the
        // heat is drawn where it belongs in any display CRS).
        double ax = lon, ay = lat;
        lonlat_->lonlat_to_analysis(ax, ay);
        if (heat_.valid()) out << "probe_density " << lon << " " << lat << " " << heat_.sample(ax, ay) << "\n";
    }
    if (overlay_.legend_bar) {
        const auto& b = *overlay_.legend_bar;
        out << "legend " << std::lround(b[0] * s) << " " << std::lround(b[1] * s) << " "
            << std::lround(b[2] * s) << " " << std::lround(b[3] * s) << "\n";
    }
    out << "canvas " << std::lround(view_.vx * s) << " " << std::lround(view_.vy * s) << " "
        << std::lround((view_.vx + view_.vw) * s) << " " << std::lround((view_.vy + view_.vh) * s) << "\n";
    if (heat_.valid()) out << "heat_max " << heat_.max_value() << " integral " << heat_.integral() << "\n";
    if (!heatmap_panel_.exact_summary.empty()) {
        out << "exact " << heatmap_panel_.exact_summary << "\n";
        // Machine-readable: the GPU values compared were read back from the heat texture with
        // glGetTexImage when the exact result arrived (HeatmapRenderer::read_texture).
        char buf[200];
        std::snprintf(buf, sizeof buf, "exact_check cells %zu exact_max %.9g gpu_max %.9g max_abs_diff %.9g rel %.9g\n",
                      heatmap_panel_.exact_cells, heatmap_panel_.exact_max, heatmap_panel_.exact_gpu_max,
                      heatmap_panel_.exact_max_diff,
                      heatmap_panel_.exact_max > 0 ? heatmap_panel_.exact_max_diff / heatmap_panel_.exact_max : -1.0);
        out << buf;
    }
    out << "display_crs " << display_name(lonlat_->kind()) << " heat_mesh " << heat_.mesh_side() << "\n";
    out << "heat_backend " << (heat_.cpu_backend() ? "cpu" : "gpu") << "\n";
    out << "synthetic " << (doc_.synthetic() ? 1 : 0) << "\n";
    out << "illustrative " << (doc_.illustrative() ? 1 : 0) << "\n";
    if (doc_.events) {
        double shares = 0;
        const EventTable& t = doc_.events->table;
        for (size_t i = 0; i < t.size(); ++i) shares += t.share.size() == t.size() ? double(t.share[i]) : 1.0;
        out << "precision_mode " << doc_.events->precision_mode << " rows " << t.size() << " events " << shares << "\n";
    }
    out << "attribution " << attribution_line(doc_.inputs()) << "\n";
    analysis_.print(out, s);
    print_tools(out);
}

} // namespace nexusmap::viewer
