#pragma once
// Time panel: time window slider, play button, event-type filter, events-per-month chart, and the
// attribute filters (countries, actors, fatalities, weights; event_filters.cpp).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "viewer/panel.hpp"

namespace nexusmap::viewer {

struct EventFilterUi {
    char query[64] = "";
    const void* actors_for = nullptr;
    std::vector<std::pair<std::string, size_t>> actors; // distinct actors with counts
};

class TimePanel : public Panel {
  public:
    const char* name() const override { return "time"; }
    void draw(PanelContext& ctx) override;
    bool playing() const { return playing_; }

  private:
    bool playing_ = false;
    float seconds_per_step_ = 0.6f;
    std::chrono::steady_clock::time_point last_step_{};
    std::vector<float> chart_;      // events per month under the current type filter
    std::vector<double> chart_key_; // what chart_ was computed for
    EventFilterUi filters_;         // countries, actors, min fatalities, weights (event_filters.cpp)
};

} // namespace nexusmap::viewer
