#include "nexusmap/countries.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "csv.hpp"
#include "nexusmap/error.hpp"

namespace nexusmap {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

namespace {
// Latin-1 supplement letters (U+00C0..U+00FF) without their accents; 0 for the two non-letters.
constexpr const char* kLatin1 = "AAAAAAACEEEEIIII"  // C0..CF
                                "DNOOOOO\0OUUUUYTs"  // D0..DF (D7 multiplication sign)
                                "aaaaaaaceeeeiiii"  // E0..EF
                                "dnooooo\0ouuuuyty"; // F0..FF (F7 division sign)
} // namespace

std::string normalize_name(std::string_view s) {
    std::string out;
    bool space = false;
    auto put = [&](char c) {
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    };
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (std::isalnum(c)) put(static_cast<char>(std::tolower(c)));
            else space = true;
        } else if ((c == 0xC3) && i + 1 < s.size()) { // U+00C0..U+00FF
            const unsigned char d = static_cast<unsigned char>(s[++i]);
            const char m = (d >= 0x80 && d <= 0xBF) ? kLatin1[d - 0x80 + 0x00] : 0;
            if (m) put(static_cast<char>(std::tolower(static_cast<unsigned char>(m))));
            else space = true;
        } else if (c == 0xC5 && i + 1 < s.size() && (s[i + 1] == '\x92' || s[i + 1] == '\x93')) { // Œ œ
            ++i, put('o'), put('e');
        } else {
            // Other multi-byte characters (’, «, non-Latin letters): a separator.
            while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) ++i;
            space = true;
        }
    }
    if (out.rfind("the ", 0) == 0) out.erase(0, 4);
    return out;
}

CountryTable CountryTable::parse(std::string_view csv, const std::string& name) {
    CountryTable t;
    detail::CsvReader rd(detail::strip_bom(csv), ',');
    std::vector<std::string_view> f;
    std::string err;
    size_t line = 0;
    if (!rd.next(f, line, err) || f.size() < 4 || f[0] != "iso3")
        throw GeoError(name, "line 1", "not a country table (header iso3,name_en,name_fr,names expected)");
    while (rd.next(f, line, err)) {
        if (!err.empty()) throw GeoError(name, "line " + std::to_string(line), err);
        if (f.size() == 1 && f[0].empty()) continue;
        if (f.size() < 4 || f[0].size() != 3) throw GeoError(name, "line " + std::to_string(line), "expected iso3,name_en,name_fr,names");
        Country c;
        c.iso3 = std::string(f[0]);
        c.name_en = std::string(f[1]);
        c.name_fr = std::string(f[2]);
        c.names.push_back(c.iso3);
        for (auto s : {f[1], f[2]})
            if (!s.empty()) c.names.emplace_back(s);
        std::string_view ns = f[3];
        while (!ns.empty()) {
            const size_t bar = ns.find('|');
            std::string_view n = ns.substr(0, bar);
            if (!n.empty() && std::find(c.names.begin(), c.names.end(), n) == c.names.end()) c.names.emplace_back(n);
            ns = bar == std::string_view::npos ? std::string_view() : ns.substr(bar + 1);
        }
        t.countries_.push_back(std::move(c));
    }
    for (size_t i = 0; i < t.countries_.size(); ++i)
        for (const auto& n : t.countries_[i].names) t.index_.emplace_back(normalize_name(n), i);
    return t;
}

CountryTable CountryTable::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw GeoError(path, "", "country table cannot be opened (set NEXUSMAP_DATA_DIR to the data folder)");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

std::optional<std::string> CountryTable::iso3(std::string_view name) const {
    const std::string n = normalize_name(name);
    if (n.empty()) return std::nullopt;
    for (auto& [k, i] : index_)
        if (k == n) return countries_[i].iso3;
    return std::nullopt;
}

const Country* CountryTable::find(std::string_view iso3) const {
    for (auto& c : countries_)
        if (c.iso3 == iso3) return &c;
    return nullptr;
}

std::string CountryTable::suggest(std::string_view name) const {
    const std::string n = normalize_name(name);
    size_t best = SIZE_MAX;
    std::string out;
    for (auto& [k, i] : index_) {
        const size_t d = edit_distance(n, k);
        if (d < best) best = d, out = countries_[i].name_en + " (" + countries_[i].iso3 + ")";
    }
    return best <= std::max<size_t>(2, n.size() / 3) ? out : std::string();
}

std::vector<bool> match_countries(const std::vector<std::string>& data_names, const std::vector<std::string>& wanted,
                                  const CountryTable& table) {
    std::vector<std::string> want_iso, want_raw;
    std::vector<std::string> data_norm;
    for (auto& d : data_names) data_norm.push_back(normalize_name(d));
    for (const auto& w : wanted) {
        if (auto i = table.iso3(w)) {
            want_iso.push_back(*i);
            continue;
        }
        const std::string n = normalize_name(w);
        if (!n.empty() && std::find(data_norm.begin(), data_norm.end(), n) != data_norm.end()) {
            want_raw.push_back(n);
            continue;
        }
        std::string hint = table.suggest(w);
        if (hint.empty()) { // a close spelling among the data's own names
            size_t best = SIZE_MAX;
            for (size_t k = 0; k < data_norm.size(); ++k)
                if (const size_t d = edit_distance(n, data_norm[k]); d < best && d <= std::max<size_t>(2, n.size() / 3))
                    best = d, hint = data_names[k];
        }
        throw GeoError("", "--country '" + w + "'",
                       "unknown country" + (hint.empty() ? std::string() : "; did you mean " + hint + "?") +
                           " (give an ISO alpha-3 code, or an English or French name)");
    }
    std::vector<bool> keep(data_names.size(), false);
    for (size_t k = 0; k < data_names.size(); ++k) {
        const auto iso = table.iso3(data_names[k]);
        keep[k] = (iso && std::find(want_iso.begin(), want_iso.end(), *iso) != want_iso.end()) ||
                  std::find(want_raw.begin(), want_raw.end(), data_norm[k]) != want_raw.end();
    }
    return keep;
}

} // namespace nexusmap
