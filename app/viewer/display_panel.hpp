#pragma once
// Display panel: UI scale (fonts and widgets; by default the monitor's content scale from GLFW) and
// the dark or light theme (light for projectors in briefing rooms). Saved in the project file; set
// from the command line with --ui-scale / --theme. The App applies a change (App::apply_ui).
#include "viewer/panel.hpp"
#include "viewer/ui_settings.hpp"

namespace nexusmap::viewer {

class DisplayPanel : public Panel {
  public:
    const char* name() const override { return "display"; }
    void draw(PanelContext& ctx) override;
    void menu(PanelContext& ctx) override;
    nlohmann::json save_state() const override { return ui_settings_to_json(settings); }
    std::string load_state(const nlohmann::json& j) override;
    UiSettings settings;       // as chosen (scale 0: the monitor's)
    float content_scale = 1.f; // the monitor's, from GLFW
    bool pending = false;      // load_state changed them: the App applies them
};

} // namespace nexusmap::viewer
