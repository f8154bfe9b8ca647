// Lists in flags, settings and project files (text.hpp): one parser for every front end.
#include "nexusmap/text.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "nexusmap/error.hpp"

namespace nexusmap {

std::vector<std::string> split_list(const std::string& s, std::string_view seps, bool upper) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + std::string(1, seps.empty() ? ',' : seps.front())) {
        if (seps.find(c) != std::string_view::npos) {
            if (!cur.empty()) out.push_back(cur), cur.clear();
        } else {
            cur += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        }
    }
    return out;
}

std::vector<double> parse_numbers(const std::string& s, const char* what) {
    std::vector<double> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find(',', i);
        if (j == std::string::npos) j = s.size();
        std::string tok = s.substr(i, j - i);
        while (!tok.empty() && tok.front() == ' ') tok.erase(tok.begin());
        while (!tok.empty() && tok.back() == ' ') tok.pop_back();
        double v = 0;
        auto r = std::from_chars(tok.data(), tok.data() + tok.size(), v);
        if (tok.empty() || r.ec != std::errc() || r.ptr != tok.data() + tok.size() || !std::isfinite(v))
            throw GeoError("", std::string(what) + " '" + s + "'", "'" + tok + "' is not a number");
        out.push_back(v);
        i = j + 1;
    }
    return out;
}

} // namespace nexusmap
