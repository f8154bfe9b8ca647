#pragma once
// Scale bar, north arrow, attribution, SYNTHETIC mark and heatmap legend over the map canvas. Map
// furniture rather than a panel: the PNG export draws it too.
#include <array>
#include <optional>

#include "viewer/panel.hpp"

struct ImDrawList;

namespace nexusmap::viewer {

class MapOverlay {
  public:
    // Draws into ImGui's background list, or into `target` (the offscreen PNG export).
    void draw(PanelContext& ctx, ImDrawList* target = nullptr);
    // Colour bar of the legend, window pixels (x0, y0, x1, y1); empty when no legend is shown.
    std::optional<std::array<float, 4>> legend_bar;
};

} // namespace nexusmap::viewer
