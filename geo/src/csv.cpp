#include "csv.hpp"

namespace nexusmap::detail {

std::string_view strip_bom(std::string_view t) {
    if (t.size() >= 3 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB && (unsigned char)t[2] == 0xBF)
        t.remove_prefix(3);
    return t;
}

char detect_delimiter(std::string_view t) {
    const char cands[] = {',', ';', '\t', '|'};
    size_t counts[4] = {0, 0, 0, 0};
    bool q = false;
    for (size_t i = 0; i < t.size() && i < 65536; ++i) {
        char c = t[i];
        if (c == '"') q = !q;
        if (!q && (c == '\n' || c == '\r')) break;
        if (!q)
            for (int k = 0; k < 4; ++k)
                if (c == cands[k]) counts[k]++;
    }
    int best = 0;
    for (int k = 1; k < 4; ++k)
        if (counts[k] > counts[best]) best = k;
    return cands[best];
}

CsvReader::CsvReader(std::string_view text, char delim) : s_(strip_bom(text)), d_(delim) {}

bool CsvReader::next(std::vector<std::string>& fields, size_t& line, std::string& error) {
    fields.clear();
    error.clear();
    if (pos_ >= s_.size()) return false;
    line = line_;
    std::string cur;
    bool in_quotes = false, was_quoted = false;
    while (pos_ < s_.size()) {
        char c = s_[pos_];
        if (in_quotes) {
            if (c == '"') {
                if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
                    cur += '"';
                    pos_ += 2;
                    continue;
                }
                in_quotes = false;
                ++pos_;
                continue;
            }
            if (c == '\n') ++line_;
            cur += c;
            ++pos_;
            continue;
        }
        if (c == '"' && cur.empty() && !was_quoted) {
            in_quotes = was_quoted = true;
            ++pos_;
            continue;
        }
        if (c == d_) {
            fields.push_back(std::move(cur));
            cur.clear();
            was_quoted = false;
            ++pos_;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ++pos_;
            ++pos_;
            ++line_;
            fields.push_back(std::move(cur));
            return true;
        }
        cur += c;
        ++pos_;
    }
    if (in_quotes) error = "unterminated quoted field";
    fields.push_back(std::move(cur));
    return true;
}

} // namespace nexusmap::detail
