#pragma once
// Every panel of the sidebar (one file each; the interface is panel.hpp) and the map furniture.
#include "viewer/heatmap_panel.hpp"
#include "viewer/layers_panel.hpp"
#include "viewer/map_overlay.hpp"
#include "viewer/panel.hpp"
#include "viewer/status_bar.hpp"
#include "viewer/time_panel.hpp"
