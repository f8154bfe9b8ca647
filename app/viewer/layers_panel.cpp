// Layers panel: one row per layer (visibility, order, zoom-to), the selected layer's style, and
// the legend of its categorical colours.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "viewer/layers_panel.hpp"

namespace nexusmap::viewer {

namespace {
void legend_swatch(const std::array<float, 3>& c, const std::string& label) {
    ImGui::ColorButton(("##" + label).c_str(), ImVec4(c[0], c[1], c[2], 1.f),
                       ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoDragDrop, ImVec2(12, 12));
    ImGui::SameLine();
    ImGui::TextUnformatted(label.empty() ? "(empty)" : label.c_str());
}

const char* geom_label(GeomType t) {
    switch (t) {
    case GeomType::Point:
        return "points";
    case GeomType::Line:
        return "lines";
    case GeomType::Polygon:
        return "polygons";
    default:
        return "empty";
    }
}
} // namespace

void LayersPanel::draw(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Layers", ImGuiTreeNodeFlags_DefaultOpen)) return;
    auto& layers = ctx.doc.layers;
    if (ImGui::Button("Zoom to all")) ctx.request_fit_all = true;

    // Drawn first to last: the list shows the top layer first, like GIS layer trees.
    int move_from = -1, move_to = -1;
    ImGui::BeginChild("layer_list", ImVec2(0, std::min(140.f, 24.f * float(layers.size() + 1) + 8)), true);
    if (ctx.doc.events) {
        EventSet& ev = *ctx.doc.events;
        ImGui::PushID("events");
        ImGui::Checkbox("##vis", &ev.style.visible);
        ImGui::SameLine();
        if (ImGui::Selectable(ev.title.c_str(), selected_ == -1)) selected_ = -1;
        ImGui::PopID();
    }
    for (int i = int(layers.size()) - 1; i >= 0; --i) {
        MapLayer& l = *layers[size_t(i)];
        ImGui::PushID(i);
        ImGui::Checkbox("##vis", &l.style.visible);
        ImGui::SameLine();
        if (ImGui::Selectable(l.title.c_str(), selected_ == i, 0,
                              ImVec2(ImGui::GetContentRegionAvail().x - 50, 0)))
            selected_ = i;
        ImGui::SameLine();
        if (ImGui::ArrowButton("up", ImGuiDir_Up) && i + 1 < int(layers.size()))
            move_from = i, move_to = i + 1;
        ImGui::SameLine();
        if (ImGui::ArrowButton("dn", ImGuiDir_Down) && i > 0) move_from = i, move_to = i - 1;
        ImGui::PopID();
    }
    ImGui::EndChild();
    if (move_from >= 0) {
        std::swap(layers[size_t(move_from)], layers[size_t(move_to)]);
        if (selected_ == move_from) selected_ = move_to;
    }

    if (selected_ == -1 && ctx.doc.events) {
        EventSet& ev = *ctx.doc.events;
        EventStyle& s = ev.style;
        ImGui::Text("%zu events, %s schema", ev.table.size(), ev.table.schema.c_str());
        ImGui::SliderFloat("point radius", &s.radius_px, 0.5f, 10.f, "%.1f px");
        ImGui::SliderFloat("opacity##ev", &s.opacity, 0.f, 1.f);
        ImGui::Checkbox("colour by event type", &s.color_by_type);
        if (!s.color_by_type)
            ImGui::ColorEdit3("colour##ev", s.color.data(), ImGuiColorEditFlags_NoInputs);
        else
            for (size_t t = 0; t < ev.table.type_names.size(); ++t)
                legend_swatch(category_color(int(t)), ev.table.type_names[t]);
        return;
    }
    if (selected_ < 0 || selected_ >= int(layers.size())) {
        if (layers.empty()) ImGui::TextDisabled("No layers loaded yet.");
        return;
    }
    MapLayer& l = *layers[size_t(selected_)];
    LayerStyle& s = l.style;
    ImGui::Text("%zu %s, %zu fields", l.data.features.size(), geom_label(l.data.type), l.data.fields.size());
    if (l.fill_area_m2 > 0) ImGui::Text("area %.0f km2 (triangulated)", l.fill_area_m2 / 1e6);
    if (ImGui::Button("Zoom to layer")) {
        const BBox b = l.data.bbox();
        if (b.xmax >= b.xmin) ctx.request_fit = b;
    }
    ImGui::SliderFloat("opacity", &s.opacity, 0.f, 1.f);
    if (l.data.type == GeomType::Polygon) {
        ImGui::Checkbox("fill", &s.fill);
        ImGui::SameLine();
        ImGui::ColorEdit4("##fill", s.fill_color.data(),
                          ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_AlphaBar);
        ImGui::SameLine();
        ImGui::Checkbox("outline", &s.outline);
        ImGui::SameLine();
        ImGui::ColorEdit4("##line", s.line_color.data(),
                          ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_AlphaBar);
    } else {
        ImGui::ColorEdit4("colour", s.line_color.data(),
                          ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_AlphaBar);
    }
    if (l.data.type != GeomType::Point) ImGui::SliderFloat("line width", &s.line_width, 0.5f, 8.f, "%.1f px");
    if (l.data.type == GeomType::Point) ImGui::SliderFloat("point size", &s.point_size, 1.f, 12.f, "%.1f px");

    if (l.data.type != GeomType::Point) {
        // Categorical colours: polygons colour their fill, lines their strokes.
        const char* preview =
            s.category_field >= 0 ? l.data.fields[size_t(s.category_field)].c_str() : "(single colour)";
        if (ImGui::BeginCombo("colour by", preview)) {
            if (ImGui::Selectable("(single colour)", s.category_field < 0)) s.category_field = -1;
            for (size_t f = 0; f < l.data.fields.size(); ++f)
                if (ImGui::Selectable(l.data.fields[f].c_str(), s.category_field == int(f)))
                    s.category_field = int(f);
            ImGui::EndCombo();
        }
        if (s.category_field >= 0 && l.cats_for == s.category_field) {
            const size_t shown = std::min<size_t>(l.cats.names.size(), 24);
            for (size_t c = 0; c < shown; ++c)
                legend_swatch(category_color(int(c)), l.cats.names[c]);
            if (l.cats.names.size() > shown) ImGui::TextDisabled("... %zu more", l.cats.names.size() - shown);
        }
    }
    for (const auto& w : l.data.warnings)
        ImGui::TextColored(ImVec4(0.8f, 0.5f, 0.1f, 1), "%s", w.c_str());
}

} // namespace nexusmap::viewer
