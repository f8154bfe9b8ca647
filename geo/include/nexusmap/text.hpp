#pragma once
// ASCII case folding for names, flags and extensions (locale-independent: a Turkish or C locale
// must not change how "GPKG" or "Admin0" compare).
#include <string>
#include <string_view>
#include <vector>

namespace nexusmap {

inline std::string ascii_lower(std::string_view s) {
    std::string o(s);
    for (auto& c : o)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return o;
}

inline bool ascii_iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ascii_lower(a) == ascii_lower(b);
}

inline bool ascii_istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && ascii_lower(s.substr(0, prefix.size())) == ascii_lower(prefix);
}

// "MLI, bfa,NER" -> {"MLI","bfa","NER"} (upper: {"MLI","BFA","NER"}); empty items are skipped.
std::vector<std::string> split_list(const std::string& s, std::string_view seps = ", ", bool upper = false);

// "-200,-100,0" -> {-200,-100,0}; throws GeoError naming `what` and the bad item.
std::vector<double> parse_numbers(const std::string& s, const char* what);

} // namespace nexusmap
