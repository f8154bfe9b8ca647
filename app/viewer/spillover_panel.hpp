#pragma once
// Spillover panel: geo's spillover across the Sahel / coastal border with route corridors, as a
// background job. State and result live in AnalysisUi (analysis_layers.hpp); this panel is its
// sidebar section (the charts window is AnalysisUi::draw_windows).
#include "viewer/analysis_layers.hpp"

namespace nexusmap::viewer {

class SpilloverPanel : public Panel {
  public:
    explicit SpilloverPanel(AnalysisUi& ui) : ui_(ui) {}
    const char* name() const override { return "spillover"; }
    void draw(PanelContext& ctx) override;

  private:
    AnalysisUi& ui_;
};

} // namespace nexusmap::viewer
