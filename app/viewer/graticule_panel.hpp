#pragma once
// Graticule panel: meridians and parallels over the map, every N degrees chosen from the zoom
// (or a fixed step), labelled along the canvas's left and bottom edges; bends with the display CRS.
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

class GraticulePanel : public Panel {
  public:
    const char* name() const override { return "graticule"; }
    void draw(PanelContext& ctx) override;
    void draw_overlay(PanelContext& ctx) override;
    void menu(PanelContext& ctx) override;
    nlohmann::json save_state() const override { return {{"on", on}, {"step", step_}}; }
    std::string load_state(const nlohmann::json& j) override;
    bool on = false;
    double last_step = 0; // the step drawn last (screenshot mode prints it)

  private:
    int step_ = 0; // index into kSteps; 0: by zoom
};

} // namespace nexusmap::viewer
