#pragma once
// Attribute table panel: any vector layer's attributes in a window, sorted by a column (click its
// header), filtered by text; selected rows are outlined on the map and "Zoom to selection" frames
// them. With "select on the map", a click selects the feature under the pointer and a window lists
// all its attributes. The logic is attribute_table.hpp (GL-free, tested).
#include <string>
#include <vector>

#include "viewer/edits.hpp"
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

class AttributeTablePanel : public Panel {
  public:
    explicit AttributeTablePanel(Edits& e) : edits_(e) {}
    const char* name() const override { return "attribute_table"; }
    void draw(PanelContext& ctx) override;
    void map_input(PanelContext& ctx) override;
    void draw_windows(PanelContext& ctx) override;
    void draw_overlay(PanelContext& ctx) override;
    void menu(PanelContext& ctx) override;
    // Batch / screenshot: open the table of the layer titled (or named) `title`, select the feature
    // under lon/lat when given. False when no such layer is loaded (yet).
    bool open_layer(PanelContext& ctx, const std::string& title);
    void select_at(PanelContext& ctx, double lon, double lat);
    const std::vector<size_t>& selection() const { return selected_; }
    const MapLayer* layer() const { return layer_; }

  private:
    const MapLayer* current(const PanelContext& ctx) const; // layer_ if still loaded
    void refresh_rows(const MapLayer& l);
    Edits& edits_;
    const MapLayer* layer_ = nullptr;
    bool show_table_ = false, show_feature_ = false;
    char filter_[128] = "";
    int sort_col_ = -1;
    bool ascending_ = true;
    std::vector<size_t> rows_, selected_;
    std::string rows_key_; // what rows_ were computed for
    long feature_ = -1;    // last feature selected (its attributes window)
};

} // namespace nexusmap::viewer
