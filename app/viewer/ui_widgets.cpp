#include "viewer/ui_widgets.hpp"

#include <imgui.h>

#include <cstdarg>

namespace nexusmap::viewer {

void tooltip(const char* fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const float max_w = std::min(560.f, 0.45f * ImGui::GetIO().DisplaySize.x);
    const auto lines =
        wrap_words(buf, max_w, [](const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x; });
    ImGui::BeginTooltip();
    for (const auto& l : lines)
        ImGui::TextUnformatted(l.c_str());
    ImGui::EndTooltip();
}

bool input_number(const char* label, NumericEdit& e, float& value, double lo, double hi, const char* fmt) {
    e.sync(value, fmt);
    ImGui::InputText(label, e.buf, sizeof e.buf,
                     ImGuiInputTextFlags_CharsScientific | ImGuiInputTextFlags_AutoSelectAll);
    if (ImGui::IsItemActive()) e.editing = true;
    if (!ImGui::IsItemDeactivated()) return false;
    // Enter and a click elsewhere both deactivate the field (Escape first restores its text).
    if (const auto v = e.commit(lo, hi)) {
        value = float(*v);
        return true;
    }
    return false;
}

namespace {
float g_stable_y0 = 0;
}

void begin_stable() {
    ImGui::BeginGroup();
    g_stable_y0 = ImGui::GetCursorPosY();
}

void end_stable(StableHeight& s) {
    const float used = ImGui::GetCursorPosY() - g_stable_y0;
    const float pad = s.pad(used, ImGui::GetFrameHeightWithSpacing() + 1.f);
    if (pad > 0.5f) ImGui::Dummy(ImVec2(1.f, pad));
    ImGui::EndGroup();
}

} // namespace nexusmap::viewer
