// Status bar under the map: hover read-out (lon/lat, analysis x/y, density with units) and the
// progress of background jobs with a cancel button each.
#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "viewer/status_bar.hpp"
#include "viewer/ui_widgets.hpp"

namespace nexusmap::viewer {

void StatusBar::draw(PanelContext& ctx) {
    static const Hover kNone{};
    const Hover& hover = ctx.hover ? *ctx.hover : kNone;
    const auto [x, y, w, h] = ctx.status_rect;
    ImGui::SetNextWindowPos(ImVec2(x, y));
    ImGui::SetNextWindowSize(ImVec2(w, h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8, 4));
    ImGui::Begin("##status", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus);
    // Jobs first: while loading they matter more than the cursor.
    bool any_job = false;
    for (const auto& j : ctx.jobs.all()) {
        ImGui::PushID(j.get());
        if (j->state() == Job::State::Running) {
            any_job = true;
            ImGui::TextUnformatted(j->label().c_str());
            ImGui::SameLine();
            ImGui::ProgressBar(float(j->fraction()), ImVec2(160, 0), j->stage().c_str());
            ImGui::SameLine();
            if (ImGui::SmallButton("cancel")) j->cancel();
            ImGui::SameLine();
        } else if (j->state() == Job::State::Failed) {
            any_job = true;
            ImGui::TextColored(ImVec4(0.9f, 0.2f, 0.2f, 1), "%s failed: %s", j->label().c_str(),
                               j->error().c_str());
            if (ImGui::IsItemHovered()) tooltip("%s", j->error().c_str());
            ImGui::SameLine();
            if (ImGui::SmallButton("dismiss")) ctx.jobs.dismiss_failed();
            ImGui::SameLine();
        } else if (j->state() == Job::State::Cancelled) {
            ImGui::TextDisabled("%s cancelled", j->label().c_str());
            ImGui::SameLine();
        }
        ImGui::PopID();
    }
    if (any_job) ImGui::TextUnformatted("|");
    ImGui::SameLine();
    if (hover.valid) {
        char buf[320];
        int n = std::snprintf(buf, sizeof buf, "%.4f%c %.4f%c   x %.1f km  y %.1f km", std::abs(hover.lon),
                              hover.lon >= 0 ? 'E' : 'W', std::abs(hover.lat), hover.lat >= 0 ? 'N' : 'S',
                              hover.x / 1000, hover.y / 1000);
        if (std::isfinite(hover.density) && n > 0 && n < int(sizeof buf))
            n += std::snprintf(buf + n, sizeof buf - size_t(n), "   density %.4g %s per km\xc2\xb2",
                               hover.density,
                               ctx.doc.heat.weight == WeightMode::Fatalities ? "fatalities" : "events");
        if (std::isfinite(hover.exact) && n > 0 && n < int(sizeof buf))
            n += std::snprintf(buf + n, sizeof buf - size_t(n), " (exact %.4g)", hover.exact);
        ImGui::TextUnformatted(buf);
        if (!hover.region.empty()) {
            ImGui::SameLine();
            ImGui::TextDisabled("  %s", hover.region.c_str());
        }
    } else {
        ImGui::TextDisabled("drag to pan, wheel to zoom, R to reset; analysis CRS: LAEA 2E 12N (metres)");
    }
    // What the loaded inputs are, recomputed every frame from the document's layers.
    if (const DataBanner b = data_banner(ctx.doc.inputs()); !b.status.empty()) {
        ImGui::SameLine();
        if (b.synthetic) ImGui::TextColored(ImVec4(0.85f, 0.1f, 0.1f, 1), "  |  %s", b.status.c_str());
        else ImGui::TextDisabled("  |  %s", b.status.c_str());
    }
    ImGui::End();
    ImGui::PopStyleVar();
}

} // namespace nexusmap::viewer
