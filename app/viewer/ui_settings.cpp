#include "viewer/ui_settings.hpp"

#include <algorithm>
#include <cmath>

namespace nexusmap::viewer {

float effective_ui_scale(const UiSettings& s, float content_scale) {
    float v =
        s.scale > 0 ? s.scale : (std::isfinite(content_scale) && content_scale > 0 ? content_scale : 1.f);
    return std::clamp(v, kMinUiScale, kMaxUiScale);
}

nlohmann::json ui_settings_to_json(const UiSettings& s) {
    return {{"ui_scale", s.scale}, {"theme", s.theme}};
}

std::string ui_settings_from_json(const nlohmann::json& j, UiSettings& out) {
    if (!j.is_object()) return std::string("expected an object, got ") + j.type_name();
    UiSettings s = out;
    if (j.contains("ui_scale")) {
        if (!j["ui_scale"].is_number())
            return std::string("ui_scale: expected a number, got ") + j["ui_scale"].type_name();
        const double v = j["ui_scale"].get<double>();
        if (!(v == 0 || (v >= kMinUiScale && v <= kMaxUiScale)))
            return "ui_scale: must be within 0.5..4 (or 0 for the monitor's content scale)";
        s.scale = float(v);
    }
    if (j.contains("theme")) {
        if (!j["theme"].is_string())
            return std::string("theme: expected a string, got ") + j["theme"].type_name();
        s.theme = j["theme"].get<std::string>();
        if (s.theme != "dark" && s.theme != "light")
            return "theme: expected dark or light, got \"" + s.theme + "\"";
    }
    out = s;
    return {};
}

} // namespace nexusmap::viewer
