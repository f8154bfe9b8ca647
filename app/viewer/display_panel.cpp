#include "viewer/display_panel.hpp"

#include <imgui.h>

namespace nexusmap::viewer {

std::string DisplayPanel::load_state(const nlohmann::json& j) {
    const UiSettings before = settings;
    std::string err = ui_settings_from_json(j, settings);
    pending = pending || !(settings == before);
    return err;
}

void DisplayPanel::draw(PanelContext& ctx) {
    if (pending) {
        ctx.request_ui = settings;
        pending = false;
    }
    if (!ImGui::CollapsingHeader("Display (UI scale, theme)")) return;
    ImGui::PushID(this);
    UiSettings s = settings;
    bool monitor = s.scale <= 0;
    if (ImGui::Checkbox("monitor's scale", &monitor))
        s.scale = monitor ? 0.f : effective_ui_scale(s, content_scale);
    ImGui::SameLine();
    ImGui::TextDisabled("(%.2g)", content_scale);
    if (!monitor) {
        ImGui::SetNextItemWidth(160 * ctx.ui_scale);
        float v = s.scale;
        // Applied on release: re-laying out the sidebar under the pointer while dragging jumps.
        ImGui::SliderFloat("UI scale", &v, kMinUiScale, 3.f, "%.2f");
        if (ImGui::IsItemDeactivatedAfterEdit())
            s.scale = v;
        else if (ImGui::IsItemActive())
            ImGui::SetTooltip("%.2f", v);
    }
    int theme = s.theme == "light" ? 1 : 0;
    static constexpr const char* kThemes[] = {"dark", "light (projector)"};
    ImGui::SetNextItemWidth(160 * ctx.ui_scale);
    if (ImGui::Combo("theme", &theme, kThemes, 2)) s.theme = theme ? "light" : "dark";
    if (!(s == settings)) {
        settings = s;
        ctx.request_ui = s;
    }
    ImGui::PopID();
}

void DisplayPanel::menu(PanelContext& ctx) {
    if (ImGui::MenuItem("Light theme", nullptr, settings.theme == "light")) {
        settings.theme = settings.theme == "light" ? "dark" : "light";
        ctx.request_ui = settings;
    }
}

} // namespace nexusmap::viewer
