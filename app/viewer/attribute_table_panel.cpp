#include "viewer/attribute_table_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "viewer/attribute_table.hpp"
#include "viewer/map_tool_ui.hpp"

namespace nexusmap::viewer {

const MapLayer* AttributeTablePanel::current(const PanelContext& ctx) const {
    for (const auto& l : ctx.doc.layers)
        if (l.get() == layer_) return layer_;
    return nullptr;
}

void AttributeTablePanel::refresh_rows(const MapLayer& l) {
    const std::string key = std::to_string(reinterpret_cast<uintptr_t>(&l)) + "|" +
                            std::to_string(l.data.features.size()) + "|" + std::to_string(sort_col_) +
                            (ascending_ ? "a|" : "d|") + filter_;
    if (key == rows_key_) return;
    rows_key_ = key;
    rows_ = attribute_rows(l.data, sort_col_, ascending_, filter_);
}

bool AttributeTablePanel::open_layer(PanelContext& ctx, const std::string& title) {
    for (const auto& l : ctx.doc.layers)
        if (l->title == title || l->data.name == title) {
            if (layer_ != l.get()) selected_.clear();
            layer_ = l.get();
            show_table_ = true;
            return true;
        }
    return false;
}

void AttributeTablePanel::select_at(PanelContext& ctx, double lon, double lat) {
    const MapLayer* l = current(ctx);
    if (!l || !ctx.lonlat) return;
    double x = lon, y = lat, dx = lon, dy = lat;
    ctx.lonlat->lonlat_to_analysis(x, y);
    ctx.lonlat->forward(dx, dy);
    // Points and lines: within 6 pixels of the pointer (in analysis metres there).
    const double r = 6 * ctx.view.m_per_px * ctx.lonlat->analysis_per_display(dx, dy);
    feature_ = feature_at(l->data, l->index.get(), x, y, r);
    if (feature_ >= 0) {
        if (!ImGui::GetIO().KeyCtrl) selected_.clear();
        if (std::find(selected_.begin(), selected_.end(), size_t(feature_)) == selected_.end())
            selected_.push_back(size_t(feature_));
        show_feature_ = true;
    }
}

void AttributeTablePanel::draw(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Attribute table")) return;
    ImGui::PushID(this);
    const MapLayer* l = current(ctx);
    if (ImGui::BeginCombo("layer", l ? l->title.c_str() : "(choose a vector layer)")) {
        for (const auto& c : ctx.doc.layers)
            if (ImGui::Selectable(c->title.c_str(), c.get() == l)) {
                if (layer_ != c.get()) selected_.clear();
                layer_ = c.get();
                show_table_ = true;
            }
        ImGui::EndCombo();
    }
    if (l) {
        ImGui::Checkbox("table window", &show_table_);
        ImGui::SameLine();
        bool sel = edits_.tool == MapTool::Select;
        if (ImGui::Checkbox("select on the map", &sel)) edits_.tool = sel ? MapTool::Select : MapTool::None;
        ImGui::Text("%zu of %zu features selected", selected_.size(), l->data.features.size());
        if (!selected_.empty()) {
            if (ImGui::Button("Zoom to selection")) {
                const BBox b = selection_bbox(l->data, selected_);
                if (b.xmax >= b.xmin) {
                    // A point alone gets a little room around it.
                    const double pad = std::max({b.width(), b.height(), 20000.0}) * 0.05;
                    ctx.request_fit = BBox{b.xmin - pad, b.ymin - pad, b.xmax + pad, b.ymax + pad};
                }
            }
            ImGui::SameLine();
            if (ImGui::Button("Clear selection")) selected_.clear();
        }
    }
    ImGui::PopID();
}

void AttributeTablePanel::map_input(PanelContext& ctx) {
    if (edits_.tool != MapTool::Select || !current(ctx)) return;
    if (const auto c = map_click(ctx)) {
        if (const auto p = lonlat_of(ctx, c->x, c->y)) select_at(ctx, p->lon, p->lat);
        ctx.map_click_taken = true;
    }
}

void AttributeTablePanel::draw_windows(PanelContext& ctx) {
    const MapLayer* l = current(ctx);
    if (!l) return;
    const VectorLayer& d = l->data;
    const float s = ctx.ui_scale;
    if (show_table_) {
        ImGui::SetNextWindowPos(
            ImVec2(float(ctx.view.vx) + 10 * s, float(ctx.view.vy + ctx.view.vh) - 262 * s),
            ImGuiCond_Appearing);
        ImGui::SetNextWindowSize(ImVec2(560 * s, 230 * s), ImGuiCond_Appearing);
        const std::string title = "Attributes: " + l->title + "###attribute_table";
        if (ImGui::Begin(title.c_str(), &show_table_, ImGuiWindowFlags_NoSavedSettings)) {
            ImGui::SetNextItemWidth(200 * s);
            ImGui::InputTextWithHint("##filter", "filter (any column)", filter_, sizeof filter_);
            refresh_rows(*l);
            ImGui::SameLine();
            ImGui::TextDisabled("%zu rows", rows_.size());
            const int ncol = int(std::min<size_t>(d.fields.size(), 63)) + 1;
            const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollX |
                                          ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                          ImGuiTableFlags_Borders | ImGuiTableFlags_Resizable;
            if (ImGui::BeginTable("attrs", ncol, flags)) {
                ImGui::TableSetupScrollFreeze(1, 1);
                ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_DefaultSort);
                for (int c = 1; c < ncol; ++c)
                    ImGui::TableSetupColumn(d.fields[size_t(c - 1)].c_str());
                ImGui::TableHeadersRow();
                if (ImGuiTableSortSpecs* spec = ImGui::TableGetSortSpecs(); spec && spec->SpecsDirty) {
                    if (spec->SpecsCount > 0) {
                        sort_col_ = spec->Specs[0].ColumnIndex - 1; // "#" is layer order
                        ascending_ = spec->Specs[0].SortDirection != ImGuiSortDirection_Descending;
                        if (sort_col_ < 0 && !ascending_) sort_col_ = -1;
                    }
                    spec->SpecsDirty = false;
                    refresh_rows(*l);
                }
                ImGuiListClipper clip;
                clip.Begin(int(rows_.size()));
                while (clip.Step())
                    for (int r = clip.DisplayStart; r < clip.DisplayEnd; ++r) {
                        const size_t f = rows_[size_t(r)];
                        ImGui::TableNextRow();
                        ImGui::TableSetColumnIndex(0);
                        const bool sel = std::find(selected_.begin(), selected_.end(), f) != selected_.end();
                        char id[32];
                        std::snprintf(id, sizeof id, "%zu", f + 1);
                        if (ImGui::Selectable(id, sel, ImGuiSelectableFlags_SpanAllColumns)) {
                            if (!ImGui::GetIO().KeyCtrl) selected_.clear();
                            if (sel && ImGui::GetIO().KeyCtrl)
                                selected_.erase(std::find(selected_.begin(), selected_.end(), f));
                            else
                                selected_.push_back(f);
                            feature_ = long(f);
                        }
                        for (int c = 1; c < ncol; ++c) {
                            ImGui::TableSetColumnIndex(c);
                            const auto& a = d.features[f].attrs;
                            const std::string v =
                                size_t(c - 1) < a.size() ? attr_to_string(a[size_t(c - 1)]) : "";
                            ImGui::TextUnformatted(v.c_str());
                        }
                    }
                ImGui::EndTable();
            }
        }
        ImGui::End();
    }
    if (show_feature_ && feature_ >= 0 && size_t(feature_) < d.features.size()) {
        ImGui::SetNextWindowPos(
            ImVec2(float(ctx.view.vx + ctx.view.vw) - 330 * s, float(ctx.view.vy) + 10 * s),
            ImGuiCond_Appearing);
        ImGui::SetNextWindowSize(ImVec2(320 * s, 0), ImGuiCond_Appearing);
        if (ImGui::Begin("Feature###feature_attrs", &show_feature_,
                         ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize)) {
            ImGui::TextDisabled("%s, feature %ld", l->title.c_str(), feature_ + 1);
            if (ImGui::BeginTable("feature", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
                const auto& a = d.features[size_t(feature_)].attrs;
                for (size_t c = 0; c < d.fields.size(); ++c) {
                    ImGui::TableNextRow();
                    ImGui::TableSetColumnIndex(0);
                    ImGui::TextDisabled("%s", d.fields[c].c_str());
                    ImGui::TableSetColumnIndex(1);
                    ImGui::TextUnformatted(c < a.size() ? attr_to_string(a[c]).c_str() : "");
                }
                ImGui::EndTable();
            }
        }
        ImGui::End();
    }
}

void AttributeTablePanel::draw_overlay(PanelContext& ctx) {
    const MapLayer* l = current(ctx);
    if (!l || selected_.empty()) return;
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    const ImU32 col = IM_COL32(0, 230, 255, 255);
    const float w = 2.5f * ctx.ui_scale;
    std::vector<ImVec2> s;
    auto path = [&](const std::vector<Vec2>& pts, bool closed) {
        s.clear();
        for (const auto& p : pts)
            s.push_back(screen_of_analysis(ctx, p.x, p.y));
        if (s.size() >= 2) dl->AddPolyline(s.data(), int(s.size()), col, closed ? ImDrawFlags_Closed : 0, w);
    };
    for (size_t f : selected_) {
        if (f >= l->data.features.size()) continue;
        const Geometry& g = l->data.features[f].geom;
        for (const auto& poly : g.polygons)
            for (const auto& r : poly.rings)
                path(r, true);
        for (const auto& line : g.lines)
            path(line, false);
        for (const auto& p : g.points)
            dl->AddCircle(screen_of_analysis(ctx, p.x, p.y), 7 * ctx.ui_scale, col, 16, w);
    }
}

void AttributeTablePanel::menu(PanelContext&) {
    if (ImGui::MenuItem("Select features on the map", nullptr, edits_.tool == MapTool::Select))
        edits_.tool = edits_.tool == MapTool::Select ? MapTool::None : MapTool::Select;
}

} // namespace nexusmap::viewer
