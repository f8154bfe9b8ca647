// Attribute filters of the events (Time and event types panel): countries and actors
// (multi-select), minimum fatalities and the weights used by the heatmap and hot spots. The
// selection becomes EventSet::keep (CPU) and a per-instance texture (GPU), see document.hpp.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "viewer/analysis_layers.hpp"
#include "viewer/ui_widgets.hpp"

namespace nexusmap::viewer {

void sync_event_keep(EventSet& ev) {
    if (!ev.keep_dirty || !uploaded(ev.gpu)) return;
    ev.keep_dirty = false;
    if (ev.keep.empty()) {
        ev.gpu->set_keep({});
        return;
    }
    // Instances are the rows with finite coordinates, in order (App::load_events).
    std::vector<uint8_t> inst;
    inst.reserve(ev.gpu->count);
    const EventTable& t = ev.table;
    for (size_t i = 0; i < t.size(); ++i)
        if (std::isfinite(t.x[i]) && std::isfinite(t.y[i])) inst.push_back(ev.keep[i]);
    inst.resize(ev.gpu->count, 1);
    ev.gpu->set_keep(inst);
}

void draw_attribute_filters(EventSet& ev, HeatParams& heat, EventFilterUi& ui) {
    const EventTable& t = ev.table;
    ImGui::Separator();
    ImGui::TextUnformatted("Filters");
    bool changed = false;
    // Countries.
    if (!t.country_names.empty()) {
        if (ev.country_on.size() != t.country_names.size()) ev.country_on.assign(t.country_names.size(), true);
        const size_t on = size_t(std::count(ev.country_on.begin(), ev.country_on.end(), true));
        char preview[64];
        std::snprintf(preview, sizeof preview, on == ev.country_on.size() ? "all %zu" : "%zu of %zu", on,
                      ev.country_on.size());
        ImGui::SetNextItemWidth(200);
        if (ImGui::BeginCombo("countries", preview, ImGuiComboFlags_HeightLarge)) {
            if (ImGui::SmallButton("all##c")) std::fill(ev.country_on.begin(), ev.country_on.end(), true), changed = true;
            ImGui::SameLine();
            if (ImGui::SmallButton("none##c")) std::fill(ev.country_on.begin(), ev.country_on.end(), false), changed = true;
            for (size_t c = 0; c < t.country_names.size(); ++c) {
                bool v = ev.country_on[c];
                if (ImGui::Checkbox(t.country_names[c].c_str(), &v)) {
                    ev.country_on[c] = v;
                    changed = true;
                }
            }
            ImGui::EndCombo();
        }
    }
    // Actors (multi-select with a search box; most frequent first).
    if (!t.actor.empty()) {
        if (ui.actors_for != t.actor.data()) {
            std::map<std::string, size_t> n;
            for (auto& a : t.actor)
                if (!a.empty()) ++n[a];
            ui.actors.assign(n.begin(), n.end());
            std::stable_sort(ui.actors.begin(), ui.actors.end(), [](auto& a, auto& b) { return a.second > b.second; });
            ui.actors_for = t.actor.data();
        }
        char preview[64];
        std::snprintf(preview, sizeof preview, ev.actors_on.empty() ? "all %zu" : "%zu selected",
                      ev.actors_on.empty() ? ui.actors.size() : ev.actors_on.size());
        ImGui::SetNextItemWidth(200);
        if (ImGui::BeginCombo("actors", preview, ImGuiComboFlags_HeightLarge)) {
            ImGui::InputText("search", ui.query, sizeof ui.query);
            if (ImGui::SmallButton("all (clear)")) ev.actors_on.clear(), changed = true;
            std::string q = ui.query;
            std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return char(std::tolower(c)); });
            int shown = 0;
            for (auto& [name, count] : ui.actors) {
                if (!q.empty()) {
                    std::string l = name;
                    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return char(std::tolower(c)); });
                    if (l.find(q) == std::string::npos) continue;
                }
                if (++shown > 300) break;
                const bool sel = std::binary_search(ev.actors_on.begin(), ev.actors_on.end(), name);
                char label[160];
                std::snprintf(label, sizeof label, "%s (%zu)", name.c_str(), count);
                if (ImGui::Selectable(label, sel, ImGuiSelectableFlags_DontClosePopups)) {
                    if (sel)
                        ev.actors_on.erase(std::lower_bound(ev.actors_on.begin(), ev.actors_on.end(), name));
                    else
                        ev.actors_on.insert(std::upper_bound(ev.actors_on.begin(), ev.actors_on.end(), name), name);
                    changed = true;
                }
            }
            ImGui::EndCombo();
        }
    }
    // Minimum fatalities.
    ImGui::SetNextItemWidth(120);
    if (ImGui::InputFloat("min fatalities", &ev.min_fatalities, 1, 10, "%.0f")) {
        ev.min_fatalities = std::max(0.f, ev.min_fatalities);
        changed = true;
    }
    // Weights: the heatmap's weight mode, also used by hot spots when on.
    bool weighted = heat.weight != WeightMode::Count;
    if (ImGui::Checkbox("weight by fatalities", &weighted))
        heat.weight = weighted ? WeightMode::Fatalities : WeightMode::Count;
    if (ImGui::IsItemHovered())
        tooltip("Heatmap and hot spots sum fatalities instead of counting events\n(the Heatmap panel "
                          "also offers the table's weight column)");
    if (changed) ev.rebuild_keep();
    if (!ev.keep.empty()) {
        const size_t n = size_t(std::count(ev.keep.begin(), ev.keep.end(), uint8_t(1)));
        ImGui::TextDisabled("%zu of %zu events pass the attribute filters", n, ev.keep.size());
    }
}

} // namespace nexusmap::viewer
