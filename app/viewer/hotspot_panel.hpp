#pragma once
// Hot spots panel: Gi*, LISA and emerging hot spots on a fishnet (geo's hot-spot pipelines) as a
// background job. The state and the result live in AnalysisUi (analysis_layers.hpp), which the
// map, the exports and the batch mode share; this panel is its sidebar section.
#include "viewer/analysis_layers.hpp"

namespace nexusmap::viewer {

class HotspotPanel : public Panel {
  public:
    explicit HotspotPanel(AnalysisUi& ui) : ui_(ui) {}
    const char* name() const override { return "hotspots"; }
    void draw(PanelContext& ctx) override;

  private:
    AnalysisUi& ui_;
};

} // namespace nexusmap::viewer
