#include "csv.hpp"

#include <algorithm>
#include <cstring>

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

std::vector<CsvSlice> split_records(std::string_view t, char d, size_t first_line, size_t parts) {
    const char* s = t.data();
    const size_t n = t.size();
    if (parts < 2 || n == 0) return {};
    // Lone CRs end records too but are not counted by a count of LFs: leave such files whole.
    for (const char* p = s; (p = static_cast<const char*>(std::memchr(p, '\r', size_t(s + n - p)))); ++p)
        if (p + 1 == s + n || p[1] != '\n') return {};
    // Quoted fields holding a line end, as [open, close] offsets: a cut may not fall inside one.
    // A quote opens a field only at its start (after a delimiter or line end), as in next().
    std::vector<std::pair<size_t, size_t>> spans;
    for (size_t pos = 0;;) {
        const char* q = static_cast<const char*>(std::memchr(s + pos, '"', n - pos));
        if (!q) break;
        const size_t qi = size_t(q - s);
        if (qi > 0 && s[qi - 1] != d && s[qi - 1] != '\n' && s[qi - 1] != '\r') {
            pos = qi + 1; // an ordinary character
            continue;
        }
        size_t j = qi + 1, close = 0;
        for (;;) {
            const char* c = static_cast<const char*>(std::memchr(s + j, '"', n - j));
            if (!c) return {}; // never closes: the reader's recovery needs the whole text
            const size_t ci = size_t(c - s);
            if (ci + 1 < n && s[ci + 1] == '"') {
                j = ci + 2;
                continue;
            }
            close = ci;
            break;
        }
        if (std::memchr(s + qi, '\n', close - qi)) spans.emplace_back(qi, close);
        pos = close + 1;
    }
    std::vector<CsvSlice> out;
    size_t begin = 0, line = first_line, span = 0;
    for (size_t k = 1; k < parts; ++k) {
        size_t cut = std::max(begin, n * k / parts);
        for (;;) { // the first LF at or after `cut` that is outside every quoted field
            const char* nl = cut < n ? static_cast<const char*>(std::memchr(s + cut, '\n', n - cut)) : nullptr;
            if (!nl) {
                cut = n;
                break;
            }
            cut = size_t(nl - s);
            while (span < spans.size() && spans[span].second < cut) ++span;
            if (span < spans.size() && spans[span].first < cut) {
                cut = spans[span].second + 1; // inside a quoted field: look after it
                continue;
            }
            ++cut; // the record starts after the LF
            break;
        }
        if (cut >= n) break;
        if (cut <= begin) continue;
        out.push_back({t.substr(begin, cut - begin), line});
        line += size_t(std::count(s + begin, s + cut, '\n'));
        begin = cut;
    }
    out.push_back({t.substr(begin), line});
    return out;
}

void CsvReader::finish(std::vector<std::string_view>& fields) {
    // Fields in scratch_ were pushed as placeholders: point them at the (now final) buffer.
    const std::string_view sc(scratch_);
    for (const Span& sp : spans_) fields[sp.field] = sc.substr(sp.begin, sp.size);
}

// The rules (those of the original character-by-character reader, kept in next_general()):
//  * a field that starts with '"' is quoted: up to the next lone '"', with "" standing for one
//    quote; delimiters and line ends inside are text; text after the closing quote (up to the
//    delimiter or line end) is appended as is;
//  * any other '"' is an ordinary character;
//  * a record ends at LF, CR or CRLF outside quotes, or at the end of the text; line numbers count
//    those, plus the LFs inside quoted fields;
//  * an unterminated quoted field (no closing quote before the end of the text) is cut at the end
//    of the line where it opened, `error` is set and reading resumes on the next line (runaway()):
//    one stray quote costs one record, not the rest of the file.
// This scanner finds the same boundaries with memchr/find instead of appending one character at a
// time, and returns views instead of copies.
bool CsvReader::next(std::vector<std::string_view>& fields, size_t& line, std::string& error) {
    if (d_ == '"' || d_ == '\r' || d_ == '\n') return next_general(fields, line, error);
    fields.clear();
    error.clear();
    scratch_.clear();
    spans_.clear();
    const size_t n = s_.size();
    if (pos_ >= n) return false;
    line = line_;
    const char* s = s_.data();
    const char d = d_;
    for (;;) {
        if (pos_ < n && s[pos_] == '"') {
            const size_t open = pos_, open_line = line_;
            ++pos_;
            size_t piece = pos_;
            bool in_scratch = false;
            size_t sbegin = 0;
            for (;;) {
                const char* q = static_cast<const char*>(std::memchr(s + pos_, '"', n - pos_));
                if (!q) { // unterminated
                    runaway(open, open_line, fields, error);
                    finish(fields);
                    return true;
                }
                const size_t qi = size_t(q - s);
                line_ += size_t(std::count(s + pos_, s + qi, '\n'));
                if (qi + 1 < n && s[qi + 1] == '"') { // doubled quote: one '"' of text
                    if (!in_scratch) in_scratch = true, sbegin = scratch_.size();
                    scratch_.append(s + piece, qi + 1 - piece);
                    pos_ = qi + 2;
                    piece = pos_;
                    continue;
                }
                pos_ = qi + 1; // closing quote
                const size_t tail = pos_;
                while (pos_ < n && s[pos_] != d && s[pos_] != '\r' && s[pos_] != '\n') ++pos_;
                if (!in_scratch && tail == pos_) {
                    fields.emplace_back(s + piece, qi - piece);
                } else {
                    if (!in_scratch) in_scratch = true, sbegin = scratch_.size();
                    scratch_.append(s + piece, qi - piece);
                    scratch_.append(s + tail, pos_ - tail);
                    spans_.push_back({fields.size(), sbegin, scratch_.size() - sbegin});
                    fields.emplace_back();
                }
                break;
            }
        } else {
            const size_t start = pos_;
            while (pos_ < n && s[pos_] != d && s[pos_] != '\r' && s[pos_] != '\n') ++pos_;
            fields.emplace_back(s + start, pos_ - start);
        }
        if (pos_ >= n) break;
        const char c = s[pos_];
        if (c == d) {
            ++pos_;
            continue;
        }
        // Line end.
        if (c == '\r' && pos_ + 1 < n && s[pos_ + 1] == '\n') ++pos_;
        ++pos_;
        ++line_;
        break;
    }
    finish(fields);
    return true;
}

void CsvReader::runaway(size_t open, size_t open_line, std::vector<std::string_view>& fields, std::string& error) {
    const size_t n = s_.size();
    size_t e = open + 1;
    while (e < n && s_[e] != '\n' && s_[e] != '\r') ++e;
    fields.emplace_back(s_.substr(open + 1, e - open - 1)); // the raw rest of the line
    // Physical lines from the opening one to the end of the text (LF, CRLF or CR each end one).
    size_t lines = 1;
    for (size_t i = open; i < n; ++i)
        if ((s_[i] == '\n' || (s_[i] == '\r' && (i + 1 >= n || s_[i + 1] != '\n'))) && i + 1 < n) ++lines;
    runaway_lines_ = lines;
    pos_ = e;
    if (pos_ < n && s_[pos_] == '\r' && pos_ + 1 < n && s_[pos_ + 1] == '\n') ++pos_;
    if (pos_ < n) ++pos_;
    line_ = open_line + 1;
    error = "unterminated quoted field";
}

bool CsvReader::next_general(std::vector<std::string_view>& fields, size_t& line, std::string& error) {
    fields.clear();
    error.clear();
    scratch_.clear();
    spans_.clear();
    if (pos_ >= s_.size()) return false;
    line = line_;
    size_t begin = 0; // start of the current field in scratch_
    auto push = [&] {
        spans_.push_back({fields.size(), begin, scratch_.size() - begin});
        fields.emplace_back();
        begin = scratch_.size();
    };
    bool in_quotes = false, was_quoted = false;
    size_t open = 0, open_line = 0; // where the current quoted field opened
    while (pos_ < s_.size()) {
        char c = s_[pos_];
        const bool empty = scratch_.size() == begin;
        if (in_quotes) {
            if (c == '"') {
                if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
                    scratch_ += '"';
                    pos_ += 2;
                    continue;
                }
                in_quotes = false;
                ++pos_;
                continue;
            }
            if (c == '\n') ++line_;
            scratch_ += c;
            ++pos_;
            continue;
        }
        if (c == '"' && empty && !was_quoted) {
            in_quotes = was_quoted = true;
            open = pos_, open_line = line_;
            ++pos_;
            continue;
        }
        if (c == d_) {
            push();
            was_quoted = false;
            ++pos_;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ++pos_;
            ++pos_;
            ++line_;
            push();
            finish(fields);
            return true;
        }
        scratch_ += c;
        ++pos_;
    }
    if (in_quotes) {
        scratch_.resize(begin);
        std::vector<std::string_view> f;
        runaway(open, open_line, f, error);
        scratch_.append(f[0]);
    }
    push();
    finish(fields);
    return true;
}

} // namespace nexusmap::detail
