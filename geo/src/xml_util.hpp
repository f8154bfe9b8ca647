#pragma once
// XML text escaping for the hand-written XML outputs (QGIS .qml, KML). Private to geo/.
#include <string>

namespace nexusmap::detail {

inline std::string xml_escape(const std::string& s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

} // namespace nexusmap::detail
