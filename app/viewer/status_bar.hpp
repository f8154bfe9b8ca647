#pragma once
// Status bar along the bottom of the map: the hover read-out (PanelContext::hover) and job progress.
#include "viewer/panel.hpp"

namespace nexusmap::viewer {

class StatusBar : public Panel {
  public:
    const char* name() const override { return "status"; }
    Dock dock() const override { return Dock::Bottom; }
    // Draws in PanelContext::status_rect.
    void draw(PanelContext& ctx) override;
};

} // namespace nexusmap::viewer
