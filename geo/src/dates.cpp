#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "nexusmap/events.hpp"

namespace nexusmap {

// Howard Hinnant's civil-date algorithms (public-domain formulas, written out here).
int32_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_days(int32_t z, int& y, int& m, int& d) {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
}

std::string format_date(int32_t days) {
    if (days == kNoDay) return "";
    int y, m, d;
    civil_from_days(days, y, m, d);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
}

namespace {
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}
std::optional<int32_t> make(int y, int m, int d) {
    if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
    return days_from_civil(y, m, d);
}
int month_from_name(std::string_view w) {
    static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    static const char* fr[] = {"janv", "fevr", "mars", "avr", "mai", "juin", "juil", "aout", "sept", "oct", "nov", "dec"};
    if (w.size() < 3) return 0;
    std::string low;
    for (char c : w) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i < 12; ++i)
        if (low.compare(0, 3, names[i]) == 0) return i + 1;
    for (int i = 0; i < 12; ++i)
        if (low.rfind(fr[i], 0) == 0) return i + 1;
    return 0;
}
// "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff", then optionally "Z", " UTC" or an offset (+HH, +HHMM,
// +HH:MM, or -), with hours 0-23, minutes 0-59, seconds 0-60 (a leap second).
bool valid_time(std::string_view t) {
    size_t i = 0;
    auto two = [&](int hi) {
        if (i + 2 > t.size() || !std::isdigit(static_cast<unsigned char>(t[i])) ||
            !std::isdigit(static_cast<unsigned char>(t[i + 1])))
            return false;
        const int v = (t[i] - '0') * 10 + (t[i + 1] - '0');
        i += 2;
        return v <= hi;
    };
    if (!two(23) || i >= t.size() || t[i++] != ':' || !two(59)) return false;
    if (i < t.size() && t[i] == ':') {
        ++i;
        if (!two(60)) return false;
        if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
            const size_t f = ++i;
            while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
            if (i == f || i - f > 9) return false;
        }
    }
    std::string_view z = t.substr(i);
    if (z.empty() || z == "Z" || z == " UTC" || z == " GMT" || z == "UTC") return true;
    if (z[0] != '+' && z[0] != '-') return false;
    i = 1;
    t = z;
    if (!two(14)) return false;
    if (i == t.size()) return true;
    if (t[i] == ':') ++i;
    return two(59) && i == t.size();
}

// Splits into tokens: runs of digits, runs of letters; separators dropped.
struct Tok {
    std::string_view s;
    bool digits;
};
} // namespace

std::optional<int32_t> parse_date(std::string_view s, bool day_first) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    if (s.empty() || s.size() > 64) return std::nullopt;
    auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
    // Fast path, same answer as the general one below: "YYYY-MM-DD" tokenizes to three digit
    // runs with a 4-digit first one, which the general path reads as make(Y, M, D).
    if (s.size() == 10 && s[4] == '-' && s[7] == '-' && digit(0) && digit(1) && digit(2) && digit(3) && digit(5) &&
        digit(6) && digit(8) && digit(9))
        return make((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'),
                    (s[5] - '0') * 10 + (s[6] - '0'), (s[8] - '0') * 10 + (s[9] - '0'));
    // A leading separator is not a date's: "-2020-01-01" is a negative year, not 2020.
    if (s.front() == '-' || s.front() == '/' || s.front() == '.' || s.front() == ',') return std::nullopt;
    // A time part after YYYY-MM-DD / YYYY/MM/DD ("2020-03-12T10:00:00Z", "2020-03-12 10:00") must
    // be a valid time; the date is kept, the time dropped. Anything else after the date fails.
    if (s.size() > 10 && (s[10] == 'T' || s[10] == ' ') && std::isdigit(static_cast<unsigned char>(s[0])) &&
        (s[4] == '-' || s[4] == '/')) {
        if (!valid_time(s.substr(11))) return std::nullopt;
        s = s.substr(0, 10);
    }
    // At most 3 tokens are ever accepted, so a 4th ends the parse (no allocation: a fixed array).
    // Characters other than digits, letters, bytes >= 0x80 and - / . space , still fail the whole
    // string, as before, wherever they are: the rest is scanned for them before giving up.
    struct Toks {
        Tok v[3];
        size_t n = 0;
        size_t size() const { return n; }
        const Tok& operator[](size_t k) const { return v[k]; }
    } t;
    bool too_many = false;
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (std::isdigit(c)) {
            size_t j = i;
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
            if (t.n < 3) t.v[t.n++] = {s.substr(i, j - i), true};
            else too_many = true;
            i = j;
        } else if (std::isalpha(c) || c >= 0x80) {
            size_t j = i;
            while (j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) || static_cast<unsigned char>(s[j]) >= 0x80)) ++j;
            if (t.n < 3) t.v[t.n++] = {s.substr(i, j - i), false};
            else too_many = true;
            i = j;
        } else if (c == '-' || c == '/' || c == '.' || c == ' ' || c == ',') {
            ++i;
        } else {
            return std::nullopt;
        }
    }
    if (too_many) return std::nullopt;
    auto num = [](std::string_view v) {
        int x = 0;
        auto r = std::from_chars(v.data(), v.data() + v.size(), x);
        return r.ec == std::errc() ? x : -1;
    };
    if (t.size() == 1 && t[0].digits && t[0].s.size() == 8) { // 20200312
        return make(num(t[0].s.substr(0, 4)), num(t[0].s.substr(4, 2)), num(t[0].s.substr(6, 2)));
    }
    if (t.size() == 2 && t[0].digits && t[1].digits && t[0].s.size() == 4) // 2020-03 (first of month)
        return make(num(t[0].s), num(t[1].s), 1);
    if (t.size() != 3) return std::nullopt;
    // Month names: "12 March 2020", "March 12, 2020", "12-Mar-2020".
    if (!t[1].digits && t[0].digits && t[2].digits) {
        int m = month_from_name(t[1].s);
        if (!m) return std::nullopt;
        int a = num(t[0].s), c = num(t[2].s);
        if (t[2].s.size() == 4) return make(c, m, a);
        if (t[0].s.size() == 4) return make(a, m, c);
        return std::nullopt; // two-digit years ("15-Jan-98") are too ambiguous: reported, not guessed
    }
    if (!t[0].digits && t[1].digits && t[2].digits) {
        int m = month_from_name(t[0].s);
        if (!m || t[2].s.size() != 4) return std::nullopt;
        return make(num(t[2].s), m, num(t[1].s));
    }
    if (!(t[0].digits && t[1].digits && t[2].digits)) return std::nullopt;
    int a = num(t[0].s), b = num(t[1].s), c = num(t[2].s);
    if (t[0].s.size() == 4) return make(a, b, c); // ISO Y-M-D
    if (t[2].s.size() != 4) return std::nullopt;  // two-digit years are too ambiguous
    // D/M/Y or M/D/Y: decide by value when one is > 12, else by preference.
    if (a > 12 && b <= 12) return make(c, b, a);
    if (b > 12 && a <= 12) return make(c, a, b);
    return day_first ? make(c, b, a) : make(c, a, b);
}

} // namespace nexusmap
