#include "viewer/sketch_panel.hpp"

#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "viewer/map_tool_ui.hpp"

namespace nexusmap::viewer {

nlohmann::json SketchPanel::save_state() const {
    nlohmann::json j = edits_to_json(edits_.state);
    j.erase("bookmarks");
    return j;
}

std::string SketchPanel::load_state(const nlohmann::json& j) {
    EditState s = edits_.state;
    nlohmann::json only = j;
    if (only.is_object()) only.erase("bookmarks");
    if (std::string err = edits_from_json(only, s); !err.empty()) return err;
    edits_.state.sketches = s.sketches;
    edits_.state.active = -1;
    return {};
}

void SketchPanel::draw(PanelContext& ctx) {
    if (open) ImGui::SetNextItemOpen(true, ImGuiCond_Appearing);
    if (!ImGui::CollapsingHeader("Draw (area of interest / route)")) return;
    ImGui::PushID(this);
    EditState& st = edits_.state;
    auto start = [&](Sketch::Kind k) {
        edits_.change([k](EditState& s) {
            const int n = int(s.sketches.size()) + 1;
            s.sketches.push_back({k, (k == Sketch::Kind::Area ? "area_" : "route_") + std::to_string(n), {}});
            s.active = int(s.sketches.size()) - 1;
        });
        edits_.tool = MapTool::Draw;
        std::snprintf(path_, sizeof path_, "%s.geojson", st.sketches.back().name.c_str());
    };
    if (ImGui::Button("New area")) start(Sketch::Kind::Area);
    ImGui::SameLine();
    if (ImGui::Button("New route")) start(Sketch::Kind::Route);
    ImGui::SameLine();
    if (!edits_.history.can_undo()) ImGui::BeginDisabled();
    if (ImGui::Button("Undo")) edits_.history.undo(edits_.state);
    if (!edits_.history.can_undo()) ImGui::EndDisabled();
    ImGui::SameLine();
    if (!edits_.history.can_redo()) ImGui::BeginDisabled();
    if (ImGui::Button("Redo")) edits_.history.redo(edits_.state);
    if (!edits_.history.can_redo()) ImGui::EndDisabled();
    for (size_t i = 0; i < st.sketches.size(); ++i) {
        const Sketch& s = st.sketches[i];
        const Measurement m = measure(s.pts);
        char label[160];
        std::snprintf(label, sizeof label, "%s  (%zu vertices, %s)", s.name.c_str(), s.pts.size(),
                      s.kind == Sketch::Kind::Area ? format_area_km2(m.area_km2).c_str()
                                                   : format_length_km(m.length_km).c_str());
        ImGui::PushID(int(i));
        if (ImGui::Selectable(label, int(i) == st.active)) {
            st.active = int(i);
            std::snprintf(path_, sizeof path_, "%s.geojson", s.name.c_str());
        }
        ImGui::PopID();
    }
    if (st.active >= 0 && size_t(st.active) < st.sketches.size()) {
        const Sketch& s = st.sketches[size_t(st.active)];
        bool drawing = edits_.tool == MapTool::Draw;
        if (ImGui::Checkbox("add vertices by clicking", &drawing))
            edits_.tool = drawing ? MapTool::Draw : MapTool::None;
        ImGui::TextDisabled("drag a vertex to move it; right click: stop");
        const size_t a = size_t(st.active);
        if (!s.pts.empty() && ImGui::Button("Remove last vertex"))
            edits_.change([a](EditState& e) { e.sketches[a].pts.pop_back(); });
        ImGui::SameLine();
        if (ImGui::Button("Delete")) {
            edits_.change([a](EditState& e) {
                e.sketches.erase(e.sketches.begin() + std::ptrdiff_t(a));
                e.active = -1;
            });
        } else {
            ImGui::SetNextItemWidth(-90 * ctx.ui_scale);
            ImGui::InputText("##path", path_, sizeof path_);
            ImGui::SameLine();
            if (ImGui::Button("Save GeoJSON")) {
                try {
                    save_sketch(s, path_);
                    status_ = "saved " + std::string(path_) +
                              (s.kind == Sketch::Kind::Area
                                   ? "  (nexusmap hotspots --study-area FILE, density --mask FILE)"
                                   : "  (nexusmap nexus --routes FILE)");
                    status_error_ = false;
                } catch (const std::exception& e) {
                    status_ = e.what();
                    status_error_ = true;
                }
            }
        }
    }
    if (!status_.empty())
        ImGui::TextColored(status_error_ ? ImVec4(1, 0.45f, 0.4f, 1) : ImVec4(0.6f, 0.85f, 0.6f, 1), "%s",
                           status_.c_str());
    ImGui::PopID();
}

void SketchPanel::undo_keys() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput || !io.KeyCtrl) return;
    // ImGui 1.86 indexes keys by GLFW key codes, which are ASCII for letters.
    if (ImGui::IsKeyPressed('Z', false)) {
        if (io.KeyShift)
            edits_.history.redo(edits_.state);
        else
            edits_.history.undo(edits_.state);
    } else if (ImGui::IsKeyPressed('Y', false)) {
        edits_.history.redo(edits_.state);
    }
}

void SketchPanel::map_input(PanelContext& ctx) {
    undo_keys();
    EditState& st = edits_.state;
    if (edits_.tool != MapTool::Draw || st.active < 0 || size_t(st.active) >= st.sketches.size()) {
        drag_vertex_ = -1;
        return;
    }
    const size_t a = size_t(st.active);
    const ImGuiIO& io = ImGui::GetIO();
    const ImVec2 m = io.MousePos;
    // Start dragging a vertex under the pointer (the App's pan is held off by map_drag_taken).
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && !io.WantCaptureMouse &&
        ctx.view.in_canvas(m.x, m.y)) {
        const auto& pts = st.sketches[a].pts;
        for (size_t i = 0; i < pts.size(); ++i) {
            const ImVec2 s = screen_of(ctx, pts[i]);
            if (finite(s) && std::hypot(s.x - m.x, s.y - m.y) < 7 * ctx.ui_scale) {
                drag_vertex_ = int(i);
                drag_before_ = st; // one undo step for the whole drag, if it moved
                break;
            }
        }
    }
    if (drag_vertex_ >= 0) {
        ctx.map_drag_taken = true;
        if (const auto p = lonlat_of(ctx, m.x, m.y); p && size_t(drag_vertex_) < st.sketches[a].pts.size())
            st.sketches[a].pts[size_t(drag_vertex_)] = *p;
        if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
            drag_vertex_ = -1;
            ctx.map_click_taken = true;
            if (!(drag_before_ == st)) edits_.history.record(drag_before_);
        }
        return;
    }
    if (const auto p = vertex_click(ctx, edits_.tool))
        edits_.change([&](EditState& s) { s.sketches[a].pts.push_back(*p); });
}

void SketchPanel::draw_overlay(PanelContext& ctx) {
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    const EditState& st = edits_.state;
    for (size_t i = 0; i < st.sketches.size(); ++i) {
        const Sketch& s = st.sketches[i];
        const bool area = s.kind == Sketch::Kind::Area, active = int(i) == st.active;
        const ImU32 col = area ? IM_COL32(20, 110, 40, 255) : IM_COL32(230, 120, 0, 255);
        std::vector<ImVec2> pts;
        for (const auto& p : s.pts)
            if (const ImVec2 q = screen_of(ctx, p); finite(q)) pts.push_back(q);
        if (pts.size() >= 2)
            dl->AddPolyline(pts.data(), int(pts.size()), col,
                            area && pts.size() >= 3 ? ImDrawFlags_Closed : 0,
                            (active ? 3.f : 2.f) * ctx.ui_scale);
        if (active)
            for (const auto& q : pts) {
                dl->AddCircleFilled(q, 4.5f * ctx.ui_scale, IM_COL32(255, 255, 255, 255));
                dl->AddCircle(q, 4.5f * ctx.ui_scale, col, 12, 2);
            }
        if (!pts.empty()) halo_text(dl, ImVec2(pts[0].x + 6, pts[0].y - 18 * ctx.ui_scale), col, s.name);
    }
}

void SketchPanel::menu(PanelContext&) {
    if (ImGui::MenuItem("Undo", "Ctrl+Z", false, edits_.history.can_undo()))
        edits_.history.undo(edits_.state);
    if (ImGui::MenuItem("Redo", "Ctrl+Y", false, edits_.history.can_redo()))
        edits_.history.redo(edits_.state);
}

} // namespace nexusmap::viewer
