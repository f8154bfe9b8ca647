#pragma once
// UI scale and theme (Display panel; `nexusmap view --ui-scale X --theme light|dark`): the scale
// multiplies fonts and widget sizes, by default the monitor's content scale (GLFW's
// glfwGetWindowContentScale, 2 on a typical high-DPI screen); the light theme is for projectors in
// briefing rooms. Saved in the project file. GL-free (nexusmap_viewer_core).
#include <string>

#include <nlohmann/json.hpp>

namespace nexusmap::viewer {

struct UiSettings {
    float scale = 0;            // 0: the monitor's content scale
    std::string theme = "dark"; // dark | light
    bool operator==(const UiSettings&) const = default;
};

inline constexpr float kMinUiScale = 0.5f, kMaxUiScale = 4.f;

// The scale in effect: `s.scale` when set, else the content scale (1 when unknown), clamped.
float effective_ui_scale(const UiSettings& s, float content_scale);

nlohmann::json ui_settings_to_json(const UiSettings& s);
// "" or an error naming the member ("ui_scale: must be within 0.5..4 (or 0 for the monitor's)").
std::string ui_settings_from_json(const nlohmann::json& j, UiSettings& out);

} // namespace nexusmap::viewer
