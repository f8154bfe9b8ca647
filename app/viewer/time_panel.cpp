// Time panel: window of N months with a slider and a play button, event-type filter, and the
// events-per-month chart (the current window highlighted by the slider beneath it).
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "viewer/analysis_layers.hpp"
#include "viewer/time_panel.hpp"

namespace nexusmap::viewer {

void TimePanel::draw(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Time and event types", ImGuiTreeNodeFlags_DefaultOpen)) return;
    if (!ctx.doc.events) {
        ImGui::TextDisabled("No event table loaded.");
        return;
    }
    EventSet& ev = *ctx.doc.events;
    TimeWindow& w = ev.window;
    const bool dated = ev.table.day_range()[0] != kNoDay;

    if (dated) {
        if (ImGui::Checkbox("all dates", &w.all) && !w.all) w.clamp();
        if (!w.all) {
            ImGui::SameLine();
            if (ImGui::Button(playing_ ? "Pause" : "Play")) {
                playing_ = !playing_;
                last_step_ = std::chrono::steady_clock::now();
            }
            ImGui::SameLine();
            ImGui::SetNextItemWidth(90);
            ImGui::SliderFloat("s/step", &seconds_per_step_, 0.1f, 2.f, "%.1f");
            int len = w.length;
            if (ImGui::SliderInt("window", &len, 1, std::max(1, w.last - w.first + 1), "%d months")) {
                w.length = len;
                w.clamp();
            }
            int start = w.start - w.first;
            const int max_start = std::max(0, w.last - w.length + 1 - w.first);
            const std::string label = month_label(w.start) + " .. " + month_label(w.start + w.length - 1);
            if (ImGui::SliderInt("start", &start, 0, max_start, label.c_str())) {
                w.start = w.first + start;
                w.clamp();
            }
            if (playing_) {
                const auto now = std::chrono::steady_clock::now();
                if (std::chrono::duration<float>(now - last_step_).count() >= seconds_per_step_) {
                    w.step();
                    last_step_ = now;
                }
            }
        } else {
            playing_ = false;
        }
    } else {
        ImGui::TextDisabled("Events have no dates: time filter off.");
    }

    // Events per month under the type filter (recomputed only when the filter changes).
    if (dated) {
        std::vector<double> key = {double(w.first), double(w.last), double(ev.table.size())};
        for (bool on : ev.type_on)
            key.push_back(on);
        key.push_back(double(ev.filter_version));
        if (key != chart_key_) {
            chart_ = events_per_month(ev.table.day, ev.table.type, ev.type_on, w.first, w.last - w.first + 1);
            for (size_t i = 0; i < ev.keep.size() && i < ev.table.day.size(); ++i) // attribute filters
                if (!ev.keep[i] && ev.table.day[i] != kNoDay &&
                    (ev.table.type.empty() || ev.table.type[i] >= ev.type_on.size() || ev.type_on[ev.table.type[i]]))
                    if (const int m = month_index(ev.table.day[i]) - w.first; m >= 0 && m < int(chart_.size()))
                        chart_[size_t(m)] -= 1.f;
            chart_key_ = std::move(key);
        }
        const float peak = chart_.empty() ? 1.f : *std::max_element(chart_.begin(), chart_.end());
        char overlay[64];
        std::snprintf(overlay, sizeof overlay, "events/month (peak %.0f)", peak);
        const ImVec2 pos = ImGui::GetCursorScreenPos();
        const float width = ImGui::GetContentRegionAvail().x, height = 70;
        ImGui::PlotHistogram("##per_month", chart_.data(), int(chart_.size()), 0, overlay, 0.f, peak * 1.1f,
                             ImVec2(width, height));
        if (!w.all && !chart_.empty()) {
            // Shade the current window over the chart.
            const float n = float(chart_.size());
            const float x0 = pos.x + width * float(w.start - w.first) / n;
            const float x1 = pos.x + width * float(w.start - w.first + w.length) / n;
            ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(x0, pos.y), ImVec2(x1, pos.y + height),
                                                      IM_COL32(255, 120, 0, 60));
        }
        ImGui::TextDisabled("%s .. %s", month_label(w.first).c_str(), month_label(w.last).c_str());
    }

    ImGui::Separator();
    ImGui::TextUnformatted("Event types");
    if (ImGui::SmallButton("all")) std::fill(ev.type_on.begin(), ev.type_on.end(), true);
    ImGui::SameLine();
    if (ImGui::SmallButton("none")) std::fill(ev.type_on.begin(), ev.type_on.end(), false);
    for (size_t t = 0; t < ev.table.type_names.size() && t < ev.type_on.size(); ++t) {
        const auto c = category_color(int(t));
        ImGui::PushID(int(t));
        bool on = ev.type_on[t];
        ImGui::ColorButton("##c", ImVec4(c[0], c[1], c[2], 1), ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
        ImGui::SameLine();
        if (ImGui::Checkbox(ev.table.type_names[t].c_str(), &on)) ev.type_on[t] = on;
        ImGui::PopID();
    }
    draw_attribute_filters(ev, ctx.doc.heat, filters_); // event_filters.cpp
}

} // namespace nexusmap::viewer
