#pragma once
// Draw panel: areas of interest (polygons) and routes (polylines) drawn by clicking on the map and
// edited by dragging their vertices; saved as GeoJSON (geo's atomic vector writer) for the command
// line's --study-area / --mask (areas) and --routes (routes), and in the project file. Every edit,
// like the measuring line's and the bookmarks', is undone with Ctrl+Z and redone with Ctrl+Y.
#include <string>

#include "viewer/edits.hpp"
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

class SketchPanel : public Panel {
  public:
    explicit SketchPanel(Edits& e) : edits_(e) {}
    const char* name() const override { return "sketches"; }
    void draw(PanelContext& ctx) override;
    void map_input(PanelContext& ctx) override;
    void draw_overlay(PanelContext& ctx) override;
    void menu(PanelContext& ctx) override;
    nlohmann::json save_state() const override;
    std::string load_state(const nlohmann::json& j) override;
    bool open = false;

  private:
    void undo_keys();
    Edits& edits_;
    char path_[512] = "nexusmap_area.geojson";
    std::string status_;
    bool status_error_ = false;
    int drag_vertex_ = -1; // vertex of the active sketch being dragged
    EditState drag_before_;
};

} // namespace nexusmap::viewer
