#pragma once
// ImGui helpers for issue #14 (logic in ui_logic.hpp): tooltips wrapped between words, a number
// field committed on Enter / leaving it, and sidebar sections of stable height.
#include "viewer/ui_logic.hpp"

namespace nexusmap::viewer {

// As ImGui::SetTooltip, wrapped at word boundaries to at most ~560 px (or 45 % of the window).
void tooltip(const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
// A text field for a number; writes `value` only on commit. Returns true when it did.
bool input_number(const char* label, NumericEdit& e, float& value, double lo, double hi,
                  const char* fmt = "%g");
// Around a sidebar section: begin_stable() ... end_stable(s) pads the section to StableHeight.
void begin_stable();
void end_stable(StableHeight& s);

} // namespace nexusmap::viewer
