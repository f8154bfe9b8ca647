#pragma once
// Measure panel: click vertices on the map; the geodesic length of the line (and, from three
// vertices, the area and perimeter of the closed polygon) on the WGS 84 ellipsoid, shown on the map
// and in the panel. Vertices are part of the undoable edit state (edits.hpp).
#include "viewer/edits.hpp"
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

class MeasurePanel : public Panel {
  public:
    explicit MeasurePanel(Edits& e) : edits_(e) {}
    const char* name() const override { return "measure"; }
    void draw(PanelContext& ctx) override;
    void map_input(PanelContext& ctx) override;
    void draw_overlay(PanelContext& ctx) override;
    void menu(PanelContext& ctx) override;
    bool open = false; // start with the section open (--measure)

  private:
    Edits& edits_;
};

} // namespace nexusmap::viewer
