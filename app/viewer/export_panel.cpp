// Files, exports and batch mode: the "Files, export and project" panel, GLFW drag and drop, the
// offscreen PNG export (map layers, heatmap and the ImGui map overlay rendered into a framebuffer
// at 1-4x the window size), the density GeoTIFF (geo's exact kernel_density on a worker, then
// write_geotiff) and GeoJSON layers (write_geojson). All files are written atomically.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <utility>

#include "gl/gl.hpp"
#include "nexusmap/animation.hpp"
#include "nexusmap/atomic_file.hpp"
#include "nexusmap/density.hpp"
#include "nexusmap/hotspot_pipeline.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/pipeline/density.hpp"
#include "nexusmap/precision.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/pipeline/contours_zonal.hpp"
#include "viewer/analysis_inputs.hpp"
#include "viewer/app.hpp"
#include "viewer/kernel_shapes.hpp"
#include "viewer/offscreen.hpp"
#include "viewer/png_io.hpp"
#include "viewer/project.hpp"

namespace nexusmap::viewer {

// The events' provenance, with the viewer's own synthetic label (metadata mentions) folded in.
static InputProvenance events_provenance(const EventSet& ev) {
    InputProvenance p = ev.table.prov.path.empty() ? detect_provenance(ev.table) : ev.table.prov;
    p.synthetic = p.synthetic || ev.synthetic;
    return p;
}

namespace fs = std::filesystem;

namespace {

// "Routes (illustrative)" -> "Routes_illustrative"
std::string safe_name(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_')
            out += char(c);
        else if (!out.empty() && out.back() != '_')
            out += '_';
    }
    while (!out.empty() && out.back() == '_')
        out.pop_back();
    return out.empty() ? "layer" : out;
}

std::string window_label(const EventSet& ev) {
    if (ev.window.all) return "all dates";
    return month_label(ev.window.start) + " + " + std::to_string(ev.window.length) + " months";
}

std::string hidden_types(const EventSet& ev) {
    std::string out;
    for (size_t t = 0; t < ev.type_on.size() && t < ev.table.type_names.size(); ++t)
        if (!ev.type_on[t]) out += (out.empty() ? "" : "; ") + ev.table.type_names[t];
    return out;
}

// The attribute filters (countries, actors, minimum fatalities) as metadata entries.
void filter_metadata(const EventSet& ev, std::map<std::string, std::string>& md) {
    std::string countries, actors;
    for (size_t c = 0; c < ev.country_on.size() && c < ev.table.country_names.size(); ++c)
        if (!ev.country_on[c]) countries += (countries.empty() ? "" : "; ") + ev.table.country_names[c];
    for (const auto& a : ev.actors_on)
        actors += (actors.empty() ? "" : "; ") + a;
    if (!countries.empty()) md["hidden_countries"] = countries;
    if (!actors.empty()) md["actors"] = actors;
    if (ev.min_fatalities > 0) md["min_fatalities"] = std::to_string(ev.min_fatalities);
}

const char* weight_name(WeightMode w) {
    return w == WeightMode::Fatalities ? "fatalities" : (w == WeightMode::WeightColumn ? "weight" : "count");
}

// simplestyle properties of a viewer layer as it is drawn: fill and outline colours, opacity, line
// width (pixels), categorical colours (fills of polygons, strokes of lines), the point colour.
std::vector<style::SimpleStyle> layer_simplestyle(const MapLayer& l) {
    const LayerStyle& s = l.style;
    Categories cats;
    if (s.category_field >= 0 && size_t(s.category_field) < l.data.fields.size())
        cats = categorize(l.data, l.data.fields[size_t(s.category_field)]);
    const bool polygons = l.data.type == GeomType::Polygon;
    std::vector<style::SimpleStyle> out;
    out.reserve(l.data.features.size());
    for (size_t f = 0; f < l.data.features.size(); ++f) {
        style::SimpleStyle st;
        st.fill = {s.fill_color[0], s.fill_color[1], s.fill_color[2]};
        st.fill_opacity = s.fill ? double(s.fill_color[3] * s.opacity) : 0.0;
        st.stroke = {s.line_color[0], s.line_color[1], s.line_color[2]};
        st.stroke_width = polygons && !s.outline ? 0.0 : double(s.line_width);
        st.stroke_opacity = double(s.line_color[3] * s.opacity);
        if (f < cats.of_feature.size() && cats.of_feature[f] >= 0) {
            const style::Rgb c = style::category_color(cats.of_feature[f]);
            (polygons ? st.fill : st.stroke) = c;
        }
        if (l.data.type == GeomType::Point) st.fill = st.stroke; // points are drawn in the line colour
        out.push_back(st);
    }
    return out;
}

void section(const char* title) {
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextDisabled("%s", title);
}

void path_row(const char* label, char* buf, size_t n, FileDialog& dialog, FileDialog::Mode mode, int purpose,
              const char* title) {
    ImGui::PushID(label);
    ImGui::SetNextItemWidth(-90);
    ImGui::InputText(label, buf, n);
    ImGui::SameLine();
    if (ImGui::SmallButton("...")) dialog.open(title, mode, buf, purpose);
    ImGui::PopID();
}

} // namespace

ExportRequest ExportPanel::draw_request(PanelContext& ctx, int window_w, int window_h) {
    ExportRequest req;
    // Purposes for the shared dialog.
    enum { kOpen = 1, kPng, kTif, kDir, kProject, kPrint, kTimelapse };
    if (auto picked = dialog_.draw()) {
        switch (dialog_.purpose()) {
        case kOpen:
            req.kind = ExportRequest::Kind::Open;
            req.path = *picked;
            break;
        case kPng:
            std::snprintf(png_, sizeof png_, "%s", picked->c_str());
            break;
        case kTif:
            std::snprintf(tif_, sizeof tif_, "%s", picked->c_str());
            break;
        case kDir:
            std::snprintf(geojson_dir_, sizeof geojson_dir_, "%s", picked->c_str());
            break;
        case kProject:
            std::snprintf(project_, sizeof project_, "%s", picked->c_str());
            break;
        case kTimelapse:
            std::snprintf(timelapse_, sizeof timelapse_, "%s", picked->c_str());
            break;
        case kPrint:
            std::snprintf(print_, sizeof print_, "%s", picked->c_str());
            break;
        }
    }
    if (!ImGui::CollapsingHeader("Files, export and project")) return req;

    // "FILE exists. Overwrite?" under the button that asked for it.
    bool confirmed = false;
    auto confirm_row = [&](ExportRequest::Kind kind) {
        if (!confirm_ || confirm_->kind != kind) return;
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.f, 0.8f, 0.3f, 1.f));
        ImGui::TextWrapped("%s exists. Overwrite it? (replaced only once the new file is complete)",
                           confirm_->path.c_str());
        ImGui::PopStyleColor();
        ImGui::PushID(int(kind));
        if (ImGui::Button("Overwrite")) {
            req = *std::exchange(confirm_, std::nullopt);
            confirmed = true;
        }
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) confirm_.reset();
        ImGui::PopID();
    };

    if (ImGui::Button("Open file...")) dialog_.open("Open a layer, event table or project", FileDialog::Mode::Open, "", kOpen);
    ImGui::SameLine();
    ImGui::TextDisabled("(or drop files on the window)");

    section("Map image (PNG)");
    path_row("##png", png_, sizeof png_, dialog_, FileDialog::Mode::Save, kPng, "Export the map as PNG");
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("scale", &scale_, 1, 4, "%dx");
    ImGui::SameLine();
    ImGui::TextDisabled("%d x %d px", window_w * scale_, window_h * scale_);
    if (ImGui::Button("Export PNG")) req = {ExportRequest::Kind::Png, png_, scale_, 0};
    confirm_row(ExportRequest::Kind::Png);

    section("Print map (PNG / PDF / SVG)");
    path_row("##print", print_, sizeof print_, dialog_, FileDialog::Mode::Save, kPrint,
             "Print map: .png, .pdf or .svg");
    static constexpr const char* kPapers[] = {"A4", "A3", "letter"};
    ImGui::SetNextItemWidth(90);
    ImGui::Combo("paper", &paper_, kPapers, IM_ARRAYSIZE(kPapers));
    ImGui::SameLine();
    ImGui::Checkbox("landscape", &landscape_);
    const auto print_fmt = image_format_for(print_);
    if (print_fmt == ImageFormat::Png) {
        ImGui::SetNextItemWidth(120);
        ImGui::SliderInt("dpi", &dpi_, 72, 300);
    }
    if (!print_fmt) ImGui::TextDisabled("the file name must end in .png, .pdf or .svg");
    if (ctx.jobs.running(print_job)) {
        ImGui::ProgressBar(float(print_job->fraction()), ImVec2(-70, 0), print_job->stage().c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel##print")) print_job->cancel();
    } else {
        const bool can = print_fmt && ctx.doc.layers.size() + (ctx.doc.events ? 1 : 0) > 0;
        if (!can) ImGui::BeginDisabled();
        if (ImGui::Button("Print map")) {
            req = {ExportRequest::Kind::PrintMap, print_, 1, 0};
            req.paper = kPapers[std::clamp(paper_, 0, 2)];
            req.landscape = landscape_;
            req.dpi = dpi_;
        }
        if (!can) ImGui::EndDisabled();
        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
            ImGui::SetTooltip("geo's map renderer (as `nexusmap map`): the current view, the visible base layers\n"
                              "and routes, geo's exact KDE with the heatmap's ramp, scale and range, hot spots and\n"
                              "events when shown, legend, scale bar, north arrow, inset and provenance footer.");
    }
    confirm_row(ExportRequest::Kind::PrintMap);

    section("Time-lapse (animated GIF; MP4/WebM with ffmpeg)");
    path_row("##timelapse", timelapse_, sizeof timelapse_, dialog_, FileDialog::Mode::Save, kTimelapse,
             "Time-lapse: .gif (or .mp4/.webm with ffmpeg)");
    static constexpr const char* kPeriods[] = {"month", "quarter", "year"};
    ImGui::SetNextItemWidth(110);
    ImGui::Combo("one frame per", &timelapse_period_, kPeriods, IM_ARRAYSIZE(kPeriods));
    const bool tl_ok = animation_format_for(timelapse_).has_value();
    if (!tl_ok) ImGui::TextDisabled("the file name must end in .gif, .mp4 or .webm");
    if (ctx.jobs.running(timelapse_job)) {
        ImGui::ProgressBar(float(timelapse_job->fraction()), ImVec2(-70, 0), timelapse_job->stage().c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel##timelapse")) timelapse_job->cancel();
    } else {
        const bool can = tl_ok && ctx.doc.events && ctx.heat.valid();
        if (!can) ImGui::BeginDisabled();
        if (ImGui::Button("Time-lapse (GIF)...")) {
            req = {ExportRequest::Kind::Timelapse, timelapse_, 1, 0};
            req.period = timelapse_period_;
        }
        if (!can) ImGui::EndDisabled();
        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
            ImGui::SetTooltip("One map per period (the time window's months when it is on, else all dates) with\n"
                              "the heat's kernel, filters and ramp on ONE colour scale fixed over all frames\n"
                              "(or the typed range), drawn by geo's map renderer as `nexusmap animate` does.");
    }
    confirm_row(ExportRequest::Kind::Timelapse);

    section("Density (GeoTIFF, exact KDE by geo)");
    path_row("##tif", tif_, sizeof tif_, dialog_, FileDialog::Mode::Save, kTif, "Export the density as GeoTIFF");
    ImGui::SetNextItemWidth(120);
    ImGui::InputFloat("cell km", &cell_km_, 0, 0, "%.2f");
    cell_km_ = std::max(0.f, cell_km_);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("0 = the heat grid's cell (the GPU grid, cell for cell)");
    if (ctx.jobs.running(tif_job)) {
        ImGui::ProgressBar(float(tif_job->fraction()), ImVec2(-70, 0), tif_job->stage().c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel##tif")) tif_job->cancel();
    } else {
        if (!ctx.doc.events) ImGui::BeginDisabled();
        if (ImGui::Button("Export density GeoTIFF")) req = {ExportRequest::Kind::Tif, tif_, 1, cell_km_};
        if (!ctx.doc.events) ImGui::EndDisabled();
    }
    confirm_row(ExportRequest::Kind::Tif);

    section("Layers (GeoJSON, WGS 84)");
    path_row("##dir", geojson_dir_, sizeof geojson_dir_, dialog_, FileDialog::Mode::Folder, kDir,
             "Folder for the GeoJSON layers");
    if (ctx.jobs.running(geojson_job)) {
        ImGui::ProgressBar(float(geojson_job->fraction()), ImVec2(-1, 0), geojson_job->stage().c_str());
    } else if (ImGui::Button("Export layers as GeoJSON")) {
        req = {ExportRequest::Kind::GeoJson, geojson_dir_, 1, 0};
    }

    section("Project (JSON)");
    path_row("##project", project_, sizeof project_, dialog_, FileDialog::Mode::Save, kProject,
             "Save the session as a project");
    if (ImGui::Button("Save project")) req = {ExportRequest::Kind::SaveProject, project_, 1, 0};
    ImGui::SameLine();
    if (ImGui::Button("Open project...")) dialog_.open("Open a project", FileDialog::Mode::Open, project_, kOpen);
    confirm_row(ExportRequest::Kind::SaveProject);

    // Files that exist are overwritten only after a confirmation (atomic writes either way).
    const bool writes_file = req.kind == ExportRequest::Kind::Png || req.kind == ExportRequest::Kind::Tif ||
                             req.kind == ExportRequest::Kind::SaveProject || req.kind == ExportRequest::Kind::PrintMap ||
                             req.kind == ExportRequest::Kind::Timelapse;
    if (std::error_code ec; writes_file && !confirmed && fs::exists(req.path, ec)) {
        confirm_ = req;
        req = {};
    }
    if (!status_.empty()) {
        if (status_error_)
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.f, 0.45f, 0.4f, 1.f));
        ImGui::TextWrapped("%s", status_.c_str());
        if (status_error_) ImGui::PopStyleColor();
    }
    return req;
}

// --- App: files ------------------------------------------------------------------------------

void App::open_file(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        doc_.messages.push_back("missing file: " + path);
        std::cerr << "nexusmap: " << path << ": no such file\n";
        return;
    }
    if (fs::is_directory(path, ec)) {
        doc_.messages.push_back(path + ": is a folder, not a file");
        export_panel_.set_status(path + ": is a folder, not a file", true);
        std::cerr << "nexusmap: " << path << ": is a folder, not a file\n";
        open_failed_ = true;
        return;
    }
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".csv") {
        load_events(path);
        return;
    }
    if (ext == ".json") {
        // A project, unless it is plain GeoJSON: look for the project marker in the first MB.
        std::ifstream in(path, std::ios::binary);
        std::string head(1 << 20, '\0');
        in.read(head.data(), std::streamsize(head.size()));
        head.resize(size_t(std::max<std::streamsize>(0, in.gcount())));
        if (looks_like_project(head)) {
            open_project(path);
            return;
        }
    }
    load_vector(path);
}

void App::pre_frame() {
    if (!drop_installed_) {
        drop_installed_ = true;
        glfwSetWindowUserPointer(window_, this);
        glfwSetDropCallback(window_, [](GLFWwindow* w, int n, const char** paths) {
            if (auto* app = static_cast<App*>(glfwGetWindowUserPointer(w)))
                for (int i = 0; i < n; ++i)
                    if (paths[i]) app->dropped_.emplace_back(paths[i]);
        });
    }
    // Dropped files load on worker threads like any other (errors end up in the status bar).
    for (const auto& p : std::exchange(dropped_, {})) {
        loads_started_ = true;
        open_file(p);
        export_panel_.set_status("opening " + fs::path(p).filename().string(), false);
    }
    if (pending_project_ && loads_started_ && !jobs_.busy()) apply_pending_project();
    if (pending_png_) {
        const ExportRequest r = *std::exchange(pending_png_, std::nullopt);
        try {
            const auto sz = export_png(r.path, r.scale);
            export_panel_.set_status("saved " + r.path + " (" + std::to_string(sz[0]) + " x " +
                                         std::to_string(sz[1]) + " px)",
                                     false);
        } catch (const std::exception& e) {
            export_panel_.set_status("PNG export failed: " + std::string(e.what()), true);
        }
    }
}

// The Files panel's request of this frame (it was drawn with the other panels).
void App::handle_export_request() {
    const ExportRequest r = export_panel_.take_request();
    try {
        switch (r.kind) {
        case ExportRequest::Kind::None:
            break;
        case ExportRequest::Kind::Open:
            loads_started_ = true;
            open_file(r.path);
            export_panel_.set_status("opening " + fs::path(r.path).filename().string(), false);
            break;
        case ExportRequest::Kind::Png:
            pending_png_ = r; // rendered before the next frame, outside the ImGui frame
            break;
        case ExportRequest::Kind::Tif:
            export_panel_.tif_job = &start_export_tif(r.path, r.cell_km);
            export_panel_.set_status("computing the exact density for " + r.path, false);
            break;
        case ExportRequest::Kind::GeoJson:
            export_panel_.geojson_job = &start_export_geojson(r.path);
            export_panel_.set_status("writing GeoJSON to " + r.path, false);
            break;
        case ExportRequest::Kind::SaveProject:
            save_project(r.path);
            export_panel_.set_status("saved project " + r.path, false);
            break;
        case ExportRequest::Kind::PrintMap:
            export_panel_.print_job = &start_print_map(r.path, r.paper, r.dpi, r.landscape);
            export_panel_.set_status("printing the map to " + r.path, false);
            break;
        case ExportRequest::Kind::Timelapse: {
            const PeriodUnit by = r.period == 2 ? PeriodUnit::Year : r.period == 1 ? PeriodUnit::Quarter : PeriodUnit::Month;
            export_panel_.timelapse_job = &start_print_map(r.path, "A4", 150, true, by);
            export_panel_.set_status("drawing the time-lapse " + r.path, false);
            break;
        }
        }
    } catch (const std::exception& e) {
        export_panel_.set_status(e.what(), true);
    }
}

// --- App: PNG ----------------------------------------------------------------------------------

std::array<int, 2> App::export_png(const std::string& path, int scale) {
    scale = std::clamp(scale, 1, 4);
    int w = 0, h = 0;
    glfwGetWindowSize(window_, &w, &h);
    if (w < 1 || h < 1) throw std::runtime_error("the window has no size");
    const int W = w * scale, H = h * scale;
    // 4x multisampling like the window, unless the image is huge (memory on software GL).
    Offscreen target(W, H, double(W) * H <= 8.0e6 ? 4 : 0);
    if (doc_.events) heat_.update(*doc_.events, doc_.heat);

    // The map fills the whole image: same centre and ground resolution as the canvas, the image
    // covering the window's size (so it shows a little more than the canvas beside the sidebar).
    const ViewTransform saved = view_;
    view_.set_viewport(0, 0, w, h);
    target.bind();
    try {
        draw_map(W, H, double(scale));

        // The map overlay (legend, scale bar, north arrow, attribution, SYNTHETIC banner) into
        // our own ImGui draw list, rendered by the OpenGL3 backend at `scale` x into the target.
        const ImGuiIO& io = ImGui::GetIO();
        const ImGuiStyle& style = ImGui::GetStyle();
        ImDrawList dl(ImGui::GetDrawListSharedData());
        dl._ResetForNewFrame();
        if (style.AntiAliasedLines) dl.Flags |= ImDrawListFlags_AntiAliasedLines;
        if (style.AntiAliasedLinesUseTex && !(io.Fonts->Flags & ImFontAtlasFlags_NoBakedLines))
            dl.Flags |= ImDrawListFlags_AntiAliasedLinesUseTex;
        if (style.AntiAliasedFill) dl.Flags |= ImDrawListFlags_AntiAliasedFill;
        dl.PushTextureID(io.Fonts->TexID);
        dl.PushClipRect(ImVec2(0, 0), ImVec2(float(w), float(h)));
        PanelContext ctx{doc_, jobs_, heat_, view_, lonlat_.get(), false, std::nullopt};
        MapOverlay overlay;
        overlay.draw(ctx, &dl);
        dl.PopClipRect();
        dl.PopTextureID();
        dl._PopUnusedDrawCmd();
        ImDrawList* lists[] = {&dl};
        ImDrawData dd;
        dd.Valid = true;
        dd.CmdLists = lists;
        dd.CmdListsCount = 1;
        dd.TotalVtxCount = dl.VtxBuffer.Size;
        dd.TotalIdxCount = dl.IdxBuffer.Size;
        dd.DisplayPos = ImVec2(0, 0);
        dd.DisplaySize = ImVec2(float(w), float(h));
        dd.FramebufferScale = ImVec2(float(scale), float(scale));
        ImGui_ImplOpenGL3_RenderDrawData(&dd);
    } catch (...) {
        target.unbind();
        view_ = saved;
        throw;
    }
    view_ = saved;
    const Image img = target.read();
    target.unbind();
    if (const std::string err = gl::drain_errors(); !err.empty())
        throw std::runtime_error("OpenGL error while rendering the export: " + err);
    AtomicFile out(path);
    write_png(out.temp_path(), img);
    out.commit();
    doc_.messages.push_back("exported " + path);
    return {W, H};
}

// --- App: GeoTIFF ------------------------------------------------------------------------------

Job& App::start_export_tif(const std::string& path, double cell_km, const std::string& contours) {
    if (!doc_.events) throw std::runtime_error("no event table loaded: nothing to export as density");
    // The output registry decides before any work: a GeoTIFF name (.tif/.tiff), or a clear refusal.
    if (const FormatInfo* f = format_for_path(path); !path.empty() && (!f || !f->raster))
        throw std::runtime_error(path + ": a density raster is written as GeoTIFF: use " + extensions_for(ProductKind::Raster));
    // Contours of that density (geo's contours pipeline, as `nexusmap contours DENSITY.tif`).
    pipeline::ContourRun crun;
    for (const auto& kv : opt_.contour_settings) crun.set(kv);
    crun.validate();
    if (!contours.empty()) {
        std::vector<std::string> inputs;
        inputs.push_back(doc_.events->table.source);
        check_output_for(contours, ProductKind::Vector, !opt_.batch() || opt_.force, inputs, "--export-contours");
    }
    const EventSet& ev = *doc_.events;
    const HeatParams& p = doc_.heat;
    // geo's density pipeline, as `nexusmap density` runs it: same parameters, same raster, same
    // metadata. The events passing the filters are copied (the worker never touches the document).
    auto table = std::make_shared<EventTable>(analysis_events(ev));
    if (p.weight == WeightMode::Fatalities)
        table->weight.assign(table->fatalities.begin(), table->fatalities.end());
    table->weight.resize(table->size(), 1.f);
    pipeline::DensityParams dp;
    dp.kde.kernel = p.kernel;
    dp.kde.bandwidth_m = p.bandwidth_km * 1000.0;
    dp.weighted = p.weight != WeightMode::Count || ev.precision_mode == 2;
    dp.weight_option = p.weight == WeightMode::Fatalities ? "fatalities" : p.weight == WeightMode::WeightColumn ? "weight" : "";
    if (!ev.window.all) {
        dp.date_from = format_date(ev.window.day_lo());
        dp.date_to = format_date(ev.window.day_hi() - 1);
    }
    // The heat grid cell for cell (what the map shows); with a cell size, the events' extent padded
    // by the kernel support (`nexusmap density --extent data --cell-km`).
    if (heat_.valid() && cell_km <= 0) {
        dp.extent = pipeline::DensityParams::Extent::Grid;
        dp.grid = heat_.grid();
        dp.kde.cell_m = dp.grid.cell;
    } else {
        dp.extent = pipeline::DensityParams::Extent::Data;
        dp.kde.cell_m = cell_km > 0 ? cell_km * 1000 : (heat_.valid() ? heat_.grid().cell : dp.kde.bandwidth_m / 8);
    }
    dp.max_cells = 64e6;
    dp.validate();
    // What only the viewer can filter on, said in the file when used.
    Metadata extra;
    if (const std::string hidden = hidden_types(ev); !hidden.empty()) extra["hidden_event_types"] = hidden;
    filter_metadata(ev, extra);
    if (!ev.source_note.empty()) extra["source_note"] = ev.source_note;
    const std::string name = fs::path(path.empty() ? contours : path).filename().string();
    return jobs_.start<std::string>(
        (path.empty() ? "contours " : "GeoTIFF ") + name,
        [table, dp, extra, path, contours, crun, overwrite = !opt_.batch() || opt_.force](Progress& progress) {
            pipeline::DensityProduct prod = pipeline::run_density({table.get()}, dp, progress);
            Raster& r = prod.kde.raster;
            for (const auto& [k, v] : extra)
                r.metadata[k] = v;
            progress(0.99, "writing");
            if (!path.empty()) { // atomic (geo's output registry), in place before its contours read it
                OutputSet set(overwrite);
                write_raster(r, path);
                set.commit();
            }
            if (!contours.empty()) {
                OutputSet set(overwrite);
                // From the written GeoTIFF, as `nexusmap contours` reads it, when there is one.
                const Raster density = path.empty() ? r : read_raster(path);
                const pipeline::LayerProduct c = pipeline::run_contours(
                    density, crun, path.empty() ? "density (viewer, not written)" : fs::path(path).filename().string());
                WriteOptions wo;
                wo.metadata = c.metadata;
                write_vector(c.layer, contours, wo);
                set.commit();
            }
            char buf[160];
            std::snprintf(buf, sizeof buf, "%dx%d cells of %.2f km, %zu points", prod.grid.width, prod.grid.height,
                          prod.grid.cell / 1000, prod.kde.n_points);
            std::string summary = buf;
            for (const auto& w : prod.warnings)
                summary += "; warning: " + w;
            return summary;
        },
        [this, path](std::string&& summary) {
            export_panel_.set_status("saved " + path + " (" + summary + ")", false);
            doc_.messages.push_back("exported " + path + ": " + summary);
        });
}

// --- App: zonal statistics ----------------------------------------------------------------------

// Events per polygon of the filtered events, as `nexusmap zonal EVENTS -o PATH` writes it (geo's
// zonal pipeline; polygons from --zonal-param polygons=FILE[:LAYER], default the bundled admin-1).
Job& App::start_export_zonal(const std::string& path) {
    if (!doc_.events) throw std::runtime_error("no event table loaded: nothing to count per polygon");
    pipeline::ZonalRun run;
    for (const auto& kv : opt_.zonal_settings) run.set(kv);
    run.validate();
    const std::string spec = run.polygon_spec(data_dir());
    check_output_for(path, ProductKind::Vector, !opt_.batch() || opt_.force,
                     {doc_.events->table.source, split_layer_spec(spec).first}, "--export-zonal");
    const EventSet& ev = *doc_.events;
    auto table = std::make_shared<EventTable>(analysis_events(ev));
    std::string from, to;
    if (!ev.window.all) from = format_date(ev.window.day_lo()), to = format_date(ev.window.day_hi() - 1);
    return jobs_.start<std::string>(
        "zonal " + fs::path(path).filename().string(),
        [table, run, spec, from, to, path](Progress& progress) {
            progress(0.1, "polygons");
            auto [file, layer] = split_layer_spec(spec);
            ReadLayerOptions ro;
            ro.layer = layer;
            const VectorLayer polys = read_layer(file, ro);
            progress(0.4, "counting");
            const pipeline::LayerProduct p = pipeline::run_zonal(*table, polys, run, spec, from, to);
            WriteOptions wo;
            wo.metadata = p.metadata;
            write_vector(p.layer, path, wo); // atomic (geo's output registry)
            return p.summary.empty() ? std::string() : p.summary.back();
        },
        [this, path](std::string&& summary) { doc_.messages.push_back("exported " + path + ": " + summary); });
}

// --- App: GeoJSON ------------------------------------------------------------------------------

Job& App::start_export_geojson(const std::string& dir) {
    struct Item {
        VectorLayer layer;
        std::string file;
        std::map<std::string, std::string> md;
        std::optional<Table> csv; // set: written as CSV (+ metadata) to `file` instead of the layer
    };
    auto items = std::make_shared<std::vector<Item>>();
    std::map<std::string, int> used;
    auto file_for = [&](const std::string& title) {
        std::string base = safe_name(title);
        if (int n = used[base]++; n > 0) base += "_" + std::to_string(n + 1);
        return (fs::path(dir) / (base + ".geojson")).string();
    };
    for (const auto& l : doc_.layers) {
        Item it{l->data, file_for(l->title), l->data.metadata};
        style::add_simplestyle(it.layer, layer_simplestyle(*l)); // as drawn in the viewer
        it.md["synthetic"] = "false";
        add_input_provenance(it.md, l->data.prov);
        it.md["source"] = fs::path(l->data.source).filename().string();
        it.md["style"] = "simplestyle properties: the layer's colours, opacity and width in the viewer";
        items->push_back(std::move(it));
    }
    if (doc_.events) {
        // The events that pass the current time window and type filter, as points.
        const EventSet& ev = *doc_.events;
        const EventTable& t = ev.table;
        VectorLayer v;
        v.name = "events";
        v.source = t.source;
        v.crs = doc_.analysis;
        v.type = GeomType::Point;
        v.fields = {"date", "event_type", "fatalities", "weight"};
        for (size_t i = 0; i < t.size(); ++i) {
            if (!ev.passes(i) || !std::isfinite(t.x[i]) || !std::isfinite(t.y[i])) continue;
            Feature f;
            f.geom.type = GeomType::Point;
            f.geom.points.push_back({t.x[i], t.y[i]});
            f.fid = int64_t(i);
            const int32_t d = t.day.empty() ? kNoDay : t.day[i];
            f.attrs.emplace_back(d == kNoDay ? AttrValue{} : AttrValue{format_date(d)});
            const uint16_t ty = t.type.empty() ? 0 : t.type[i];
            f.attrs.emplace_back(ty < t.type_names.size() ? AttrValue{t.type_names[ty]} : AttrValue{});
            f.attrs.emplace_back(t.fatalities.empty() ? AttrValue{} : AttrValue{double(t.fatalities[i])});
            f.attrs.emplace_back(t.weight.empty() ? AttrValue{} : AttrValue{double(t.weight[i])});
            v.features.push_back(std::move(f));
        }
        // marker-color: the event's colour on screen (by type, or the one point colour).
        std::vector<style::SimpleStyle> est;
        for (const auto& f : v.features) {
            style::SimpleStyle st;
            const size_t row = size_t(f.fid);
            const int ty = t.type.empty() ? 0 : int(t.type[row]);
            st.fill = ev.style.color_by_type ? style::category_color(ty)
                                             : style::Rgb{ev.style.color[0], ev.style.color[1], ev.style.color[2]};
            est.push_back(st);
        }
        style::add_simplestyle(v, est);
        Item it{std::move(v), file_for("events_filtered"), t.metadata};
        it.md["synthetic"] = "false";
        add_input_provenance(it.md, events_provenance(ev));
        it.md["source"] = fs::path(t.source).filename().string();
        it.md["time_window"] = window_label(ev);
        if (const std::string hidden = hidden_types(ev); !hidden.empty()) it.md["hidden_event_types"] = hidden;
        filter_metadata(ev, it.md);
        items->push_back(std::move(it));
    }
    // Analysis results as layers too: significant Gi* cells (with simplestyle fill colours) and
    // the spillover border segments and bands.
    if (const HotspotOutput* h = analysis_.hotspots(); h && h->mode() == pipeline::Analysis::GiStar) {
        VectorLayer v = hotspot_cells_layer(*h);
        std::vector<style::SimpleStyle> st;
        for (const auto& f : v.features) {
            const int bin = int(std::get<int64_t>(f.attrs[2]));
            const style::Rgb c = style::gi_bin_color(bin);
            st.push_back({c, 0.8, c, 0.0, 1.0});
        }
        style::add_simplestyle(v, st);
        // The product's one metadata record (provenance and parameters, as `nexusmap hotspots`).
        Item it{std::move(v), file_for("hotspots_gistar"), h->product->metadata};
        it.md["note"] = "cells with a non-zero Gi* confidence bin (-3..3; 99/95/90%)";
        it.md["style"] = "simplestyle fill by bin (ArcGIS colours, as in the viewer and nexusmap map)";
        items->push_back(std::move(it));
    }
    if (const SpilloverOutput* sp = analysis_.spillover()) {
        // simplestyle colours as drawn on the map (geo's style model, like `nexusmap spillover`).
        for (const VectorLayer* l : {&sp->border_layer, &sp->bands_layer}) {
            if (l->features.empty()) continue;
            Item it{*l, file_for(l->name.empty() ? "spillover" : l->name), l->metadata};
            if (l == &sp->border_layer)
                style::style_border_segments(it.layer);
            else
                style::style_spillover_bands(it.layer);
            it.md["synthetic"] = "false";
            if (doc_.events) add_input_provenance(it.md, events_provenance(*doc_.events));
            items->push_back(std::move(it));
        }
        if (sp->have_corridors && !sp->cor.routes.empty()) {
            Item it{corridor_layer(sp->cor), file_for("corridors"), sp->cor.metadata};
            style::style_by_category(it.layer, "commodity", 0.3);
            it.md["synthetic"] = "false";
            if (doc_.events) add_input_provenance(it.md, events_provenance(*doc_.events));
            items->push_back(std::move(it));
        }
    }
    // Scan and nexus results: layers as GeoJSON and their tables as CSV, as `nexusmap scan` /
    // `nexusmap nexus` write them (same names, same columns), with the events' provenance.
    {
        Metadata emd;
        emd["synthetic"] = "false";
        if (doc_.events) add_input_provenance(emd, events_provenance(*doc_.events));
        for (auto& e : analysis_.scan_nexus.exports(emd)) {
            if (e.layer) {
                items->push_back(Item{std::move(*e.layer), file_for(e.name), e.md, std::nullopt});
            } else if (e.table) {
                std::string f = safe_name(e.name);
                if (int n = used[f + ".csv"]++; n > 0) f += "_" + std::to_string(n + 1);
                items->push_back(Item{VectorLayer{}, (fs::path(dir) / (f + ".csv")).string(), e.md, std::move(e.table)});
            }
        }
    }
    return jobs_.start<size_t>(
        "GeoJSON " + dir,
        [items, dir, overwrite = !opt_.batch() || opt_.force](Progress& progress) {
            std::error_code ec;
            fs::create_directories(dir, ec);
            if (!fs::is_directory(dir)) throw std::runtime_error("cannot create the folder " + dir);
            // The folder's files appear together or not at all; in batch mode existing ones need --force.
            OutputSet set(overwrite);
            for (size_t i = 0; i < items->size(); ++i) {
                progress(double(i) / double(items->size()), fs::path((*items)[i].file).filename().string());
                if ((*items)[i].csv)
                    write_csv(*(*items)[i].csv, (*items)[i].file, (*items)[i].md); // atomic (geo)
                else
                    write_geojson((*items)[i].layer, (*items)[i].file, (*items)[i].md); // atomic (geo)
            }
            set.commit();
            return items->size();
        },
        [this, dir](size_t&& n) {
            export_panel_.set_status("wrote " + std::to_string(n) + " GeoJSON files to " + dir, false);
            doc_.messages.push_back("exported " + std::to_string(n) + " GeoJSON layers to " + dir);
        });
}

// --- App: hot spot products ------------------------------------------------------------------

// The Hot spots panel's result as geo writes it for `nexusmap hotspots | lisa | emerging`:
// STEM_gistar.tif/.csv/.gpkg/... through the same product writer (an all-or-nothing set).
Job& App::start_export_hotspots(const std::string& stem) {
    const HotspotOutput* h = analysis_.hotspots();
    if (!h || !h->product) throw std::runtime_error("no hot spot result to export (run the Hot spots panel first)");
    const bool overwrite = !opt_.batch() || opt_.force;
    std::vector<std::string> inputs;
    if (doc_.events) inputs.push_back(doc_.events->table.source);
    for (auto& f : pipeline::product_files(h->mode(), h->product->fishnet(), stem))
        check_output_for(f.path, f.kind, overwrite, inputs, "--export-hotspots"); // before any work
    std::shared_ptr<const pipeline::Product> product = h->product;
    return jobs_.start<size_t>(
        "hot spots " + fs::path(stem).filename().string(),
        [product, stem, overwrite](Progress& progress) {
            progress(0.1, "writing");
            OutputSet set(overwrite);
            const size_t n = pipeline::write_product(*product, stem).size();
            set.commit();
            return n;
        },
        [this, stem](size_t&& n) {
            export_panel_.set_status("wrote " + std::to_string(n) + " hot spot files " + stem + "_*", false);
            doc_.messages.push_back("exported hot spots to " + stem + "_*");
        });
}

// --- App: batch mode ---------------------------------------------------------------------------

bool App::run_batch_exports(std::ostream& out) {
    bool ok = true;
    auto failed = [&](const std::string& what, const std::string& why) {
        std::cerr << "nexusmap: " << (why.find(what) == std::string::npos ? what + ": " : "") << why << "\n";
        ok = false;
    };
    if (!opt_.save_sketch.empty()) ok = save_sketch_batch(out) && ok; // app_tools.cpp
    if (!opt_.export_png.empty()) {
        try {
            const auto sz = export_png(opt_.export_png, opt_.export_scale);
            out << "export_png " << opt_.export_png << " " << sz[0] << " " << sz[1] << "\n";
        } catch (const std::exception& e) {
            failed(opt_.export_png, e.what());
        }
    }
    std::vector<std::pair<std::string, Job*>> jobs;
    auto start = [&](const std::string& what, auto&& fn) {
        try {
            jobs.emplace_back(what, &fn());
        } catch (const std::exception& e) {
            failed(what, e.what());
        }
    };
    if (!opt_.export_tif.empty() || !opt_.export_contours.empty()) {
        const std::string& what = opt_.export_tif.empty() ? opt_.export_contours : opt_.export_tif;
        start(what, [&]() -> Job& {
            return start_export_tif(opt_.export_tif, opt_.export_tif_cell_km, opt_.export_contours);
        });
    }
    if (!opt_.export_zonal.empty())
        start(opt_.export_zonal, [&]() -> Job& { return start_export_zonal(opt_.export_zonal); });
    if (!opt_.export_geojson.empty())
        start(opt_.export_geojson, [&]() -> Job& { return start_export_geojson(opt_.export_geojson); });
    if (!opt_.export_hotspots.empty())
        start(opt_.export_hotspots, [&]() -> Job& { return start_export_hotspots(opt_.export_hotspots); });
    for (const auto* dir : {&opt_.export_spillover, &opt_.export_corridors}) {
        if (dir->empty()) continue;
        start(*dir, [&]() -> Job& {
            PanelContext ctx{doc_, jobs_, heat_, view_, lonlat_.get(), false, std::nullopt};
            const bool cor = dir == &opt_.export_corridors;
            return analysis_.start_folder_export(ctx, *dir, cor, opt_.force,
                                                 cor ? "--export-corridors" : "--export-spillover");
        });
    }
    if (!opt_.export_map.empty()) {
        if (doc_.events && heat_.valid()) {
            const ValueScale vs = heat_.value_scale(doc_.heat);
            char buf[160];
            std::snprintf(buf, sizeof buf, "heat_range %.9g %.9g %s\n", vs.effective_lo(), vs.hi, style::scale_name(vs.scale));
            out << buf;
        }
        start(opt_.export_map, [&]() -> Job& {
            return start_print_map(opt_.export_map, opt_.export_map_page, opt_.export_map_dpi);
        });
    }
    if (!opt_.export_timelapse.empty()) {
        if (doc_.events && heat_.valid()) out << "heat_range_mode " << heat_range_id(doc_.heat.range) << "\n";
        start(opt_.export_timelapse, [&]() -> Job& {
            return start_print_map(opt_.export_timelapse, "A4", 150, true, parse_period_unit(opt_.timelapse_period));
        });
    }
    if (!opt_.save_project.empty()) {
        try {
            save_project(opt_.save_project);
            out << "project " << opt_.save_project << "\n";
        } catch (const std::exception& e) {
            failed(opt_.save_project, e.what());
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    while (jobs_.busy()) {
        jobs_.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (std::chrono::steady_clock::now() - t0 > std::chrono::minutes(10)) {
            jobs_.cancel_all();
            break;
        }
    }
    jobs_.poll();
    for (auto& [what, j] : jobs) {
        if (j->state() != Job::State::Done) {
            failed(what, j->state() == Job::State::Failed ? j->error() : "cancelled");
        } else if (what == opt_.export_map && last_print_) {
            // The print's page size and the legend range it states (NaN without a density).
            const MapRenderResult& r = *last_print_;
            char buf[512];
            std::snprintf(buf, sizeof buf, "export_map %s %d %d legend %.9g %.9g %s %s\n", what.c_str(), r.device_width,
                          r.device_height, r.legend_lo, r.legend_hi, r.legend_scale.empty() ? "-" : r.legend_scale.c_str(),
                          r.legend_ramp.empty() ? "-" : r.legend_ramp.c_str());
            out << buf;
            if (!r.colorbar.empty())
                out << "export_map_colorbar " << std::lround(r.colorbar.x0) << " " << std::lround(r.colorbar.y0) << " "
                    << std::lround(r.colorbar.x1) << " " << std::lround(r.colorbar.y1) << "\n";
            out << "export_map_frame " << std::lround(r.frame.x0) << " " << std::lround(r.frame.y0) << " "
                << std::lround(r.frame.x1) << " " << std::lround(r.frame.y1) << " margin " << std::lround(r.margin)
                << " events " << r.events_drawn << " hot99 " << r.hotspot_bins[6] << "\n";
            // --probe LON,LAT: where those points are on the printed page (device pixels).
            for (auto [lon, lat] : opt_.probes) {
                double x = lon, y = lat;
                lonlat_->lonlat_to_analysis(x, y);
                const auto d = r.to_device(x, y);
                out << "export_map_probe " << lon << " " << lat << " " << std::lround(d[0]) << " " << std::lround(d[1])
                    << (r.frame.contains(d[0], d[1]) ? "" : " outside") << "\n";
            }
        } else if (what == opt_.export_timelapse) {
            out << "export_timelapse " << what << " " << (doc_.messages.empty() ? "" : doc_.messages.back()) << "\n";
        } else {
            out << (what == opt_.export_tif         ? "export_tif "
                    : what == opt_.export_hotspots   ? "export_hotspots "
                    : what == opt_.export_spillover  ? "export_spillover "
                    : what == opt_.export_corridors  ? "export_corridors "
                    : what == opt_.export_contours   ? "export_contours "
                    : what == opt_.export_zonal      ? "export_zonal "
                                                     : "export_geojson ")
                << what << "\n";
        }
    }
    return ok;
}

} // namespace nexusmap::viewer
