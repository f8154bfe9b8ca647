// The App's side of the panels (panel.hpp): the context they get each frame, the requests they
// make (fit, go to a bookmark, UI scale/theme), and the scripted analyst tools of the command line
// (--measure, --graticule, --draw-area/--draw-route, --save-sketch, --attribute-table, --select-at).
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "nexusmap/error.hpp"
#include "viewer/app.hpp"

namespace nexusmap::viewer {

PanelContext App::panel_context() {
    PanelContext ctx{doc_, jobs_, heat_, view_, lonlat_.get(), false, std::nullopt};
    int w = 0, h = 0;
    glfwGetWindowSize(window_, &w, &h);
    ctx.window_w = w;
    ctx.window_h = h;
    ctx.hover = &hover_;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ctx.status_rect = {vp->Pos.x + sidebar_w_, vp->Pos.y + vp->Size.y - status_h_, vp->Size.x - sidebar_w_,
                       status_h_};
    ctx.ui_scale = ui_scale_;
    return ctx;
}

void App::apply_requests(PanelContext& ctx) {
    if (ctx.request_precision >= 0) set_event_precision(ctx.request_precision);
    if (ctx.request_fit_all) fit_all();
    if (ctx.request_fit) view_.fit(to_display(*ctx.request_fit), 24);
    if (ctx.request_view) go_to_view(*ctx.request_view);
    if (ctx.request_fit_all || ctx.request_fit || ctx.request_view) user_moved_ = true;
    if (ctx.request_ui) apply_ui(*ctx.request_ui);
    map_drag_held_ = ctx.map_drag_taken;
}

void App::go_to_view(const ViewRequest& v) {
    if (auto k = display_from_name(v.display_crs); k && *k != lonlat_->kind()) set_display(*k);
    double x = v.lon, y = v.lat;
    lonlat_->forward(x, y);
    if (!std::isfinite(x) || !std::isfinite(y)) return;
    view_.cx = x;
    view_.cy = y;
    const double ground = lonlat_->identity() ? 1.0 : lonlat_->ground_per_display(x, y);
    view_.m_per_px = std::clamp(v.km_per_px * 1000 / ground, view_.min_m_per_px, view_.max_m_per_px);
    user_moved_ = true;
}

void App::apply_ui(const UiSettings& s, bool initial) {
    const float scale = effective_ui_scale(s, display_panel_.content_scale);
    ImGuiIO& io = ImGui::GetIO();
    if (initial && std::abs(scale - font_scale_) > 1e-3f) {
        // Before the first frame the backend has not built the font atlas yet: rebuild it at the
        // scaled size (crisp), as viewer.cpp's load_font() does at 1x.
        io.Fonts->Clear();
        ImFont* f = nullptr;
        for (const char* path : {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"})
            if (std::filesystem::exists(path)) f = io.Fonts->AddFontFromFileTTF(path, 15.f * scale);
        if (!f) {
            ImFontConfig cfg;
            cfg.SizePixels = 13.f * scale;
            io.Fonts->AddFontDefault(&cfg);
        }
        font_scale_ = scale;
    }
    ImGuiStyle& st = ImGui::GetStyle();
    st = ImGuiStyle();
    if (s.theme == "light") {
        ImGui::StyleColorsLight();
        st.Colors[ImGuiCol_WindowBg].w = 0.97f;
    } else {
        ImGui::StyleColorsDark();
    }
    st.ScaleAllSizes(scale);
    io.FontGlobalScale = scale / font_scale_; // later changes scale the atlas (no rebuild mid-run)
    sidebar_w_ = 370 * scale;
    status_h_ = 26 * scale;
    ui_scale_ = scale;
}

void App::start_tools() {
    tools_started_ = true;
    try {
        if (!opt_.measure.empty()) {
            edits_.state.measure = parse_lonlat_list(opt_.measure);
            measure_panel_.open = true;
        }
        for (const auto* spec : {&opt_.draw_area, &opt_.draw_route}) {
            if (spec->empty()) continue;
            const bool area = spec == &opt_.draw_area;
            Sketch sk{area ? Sketch::Kind::Area : Sketch::Kind::Route, area ? "area_of_interest" : "route",
                      parse_lonlat_list(*spec)};
            edits_.change([&](EditState& s) {
                s.sketches.push_back(sk);
                s.active = int(s.sketches.size()) - 1;
            });
            sketch_panel_.open = true;
        }
    } catch (const std::exception& e) { // the flags were checked; this is a safety net
        std::cerr << "nexusmap: " << e.what() << "\n";
        open_failed_ = true;
    }
    graticule_panel_.on = graticule_panel_.on || opt_.graticule;
    if (!opt_.attribute_table.empty()) {
        PanelContext ctx = panel_context();
        if (!table_panel_.open_layer(ctx, opt_.attribute_table)) {
            std::cerr << "nexusmap: --attribute-table: no layer named \"" << opt_.attribute_table
                      << "\" is loaded\n";
            open_failed_ = true;
        } else if (opt_.select_at) {
            table_panel_.select_at(ctx, (*opt_.select_at)[0], (*opt_.select_at)[1]);
        }
    }
}

bool App::save_sketch_batch(std::ostream& out) {
    const auto& sk = edits_.state.sketches;
    try {
        if (sk.empty()) throw GeoError("--save-sketch: nothing drawn (use --draw-area or --draw-route)");
        std::error_code ec;
        if (!opt_.force && std::filesystem::exists(opt_.save_sketch, ec))
            throw GeoError("--save-sketch " + opt_.save_sketch + ": exists (--force replaces it)");
        save_sketch(sk.back(), opt_.save_sketch);
        out << "save_sketch " << opt_.save_sketch << " "
            << (sk.back().kind == Sketch::Kind::Area ? "area" : "route") << " " << sk.back().pts.size()
            << "\n";
        return true;
    } catch (const std::exception& e) {
        std::cerr << "nexusmap: " << e.what() << "\n";
        return false;
    }
}

void App::print_tools(std::ostream& out) const {
    if (!edits_.state.measure.empty()) {
        const Measurement m = measure(edits_.state.measure);
        char buf[160];
        std::snprintf(buf, sizeof buf, "measure vertices %zu length_km %.6f area_km2 %.6f\n",
                      edits_.state.measure.size(), m.length_km, m.area_km2);
        out << buf;
    }
    if (graticule_panel_.on) out << "graticule_step " << graticule_panel_.last_step << "\n";
    if (const MapLayer* l = table_panel_.layer()) {
        out << "attribute_table " << l->title << " selected " << table_panel_.selection().size();
        for (size_t f : table_panel_.selection())
            out << " " << f << (l->data.field_index("name") >= 0 ? ":" + l->data.attr_string(f, "name") : "");
        out << "\n";
    }
    out << "ui_scale " << ui_scale_ << " theme " << display_panel_.settings.theme << "\n";
}

} // namespace nexusmap::viewer
