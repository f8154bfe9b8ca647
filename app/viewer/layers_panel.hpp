#pragma once
// Layers panel: visibility, opacity, colours, widths, categorical colours with legend.
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

class LayersPanel : public Panel {
  public:
    const char* name() const override { return "layers"; }
    void draw(PanelContext& ctx) override;

  private:
    int selected_ = 0;
};

} // namespace nexusmap::viewer
