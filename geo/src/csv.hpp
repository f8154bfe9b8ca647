#pragma once
// A small RFC 4180 CSV tokenizer: quoted fields with doubled quotes and embedded newlines,
// CRLF or LF, optional UTF-8 BOM. Private to geo/.
#include <string>
#include <string_view>
#include <vector>

namespace nexusmap::detail {

class CsvReader {
  public:
    CsvReader(std::string_view text, char delim);
    // A reader over one slice of a larger text that starts on a record boundary at `first_line`.
    CsvReader(std::string_view text, char delim, size_t first_line) : s_(text), line_(first_line), d_(delim) {}
    // Reads the next record into `fields`; returns false at end of input. `line` is the 1-based
    // line where the record started. `error` is set for an unterminated quote: that field holds the
    // rest of the line where the quote opened, and reading resumes on the next line.
    // The views point into the text, or (for quoted fields with doubled quotes or text after the
    // closing quote) into the reader's own buffer: they are valid until the next call.
    bool next(std::vector<std::string_view>& fields, size_t& line, std::string& error);
    size_t offset() const { return pos_; }
    // After an unterminated quote: the physical lines from the one where it opened to the end of
    // the text (what the quoted field would have swallowed).
    size_t runaway_lines() const { return runaway_lines_; }
    // The line the next record starts on.
    size_t line() const { return line_; }
    // The character-by-character tokenizer (the original implementation, same rules): next() uses
    // it for delimiters that are themselves a quote or a line end; tests compare the two.
    bool next_general(std::vector<std::string_view>& fields, size_t& line, std::string& error);

  private:
    // A field whose text is in scratch_ (unescaped quotes): its view is set at the end of the
    // record, as scratch_ may grow meanwhile.
    struct Span {
        size_t field, begin, size;
    };
    void finish(std::vector<std::string_view>& fields);
    void runaway(size_t open, size_t open_line, std::vector<std::string_view>& fields, std::string& error);
    std::string_view s_;
    size_t pos_ = 0, line_ = 1, runaway_lines_ = 0;
    char d_;
    std::string scratch_;
    std::vector<Span> spans_;
};

// Picks the delimiter among , ; TAB | from the first line, outside quotes.
char detect_delimiter(std::string_view text);
std::string_view strip_bom(std::string_view text);

// Cuts `text` (records only, no header) into at most `parts` slices that each start on a record
// boundary, by the reader's own quote rules, with the line each slice starts on (`first_line` is
// the line of text[0]). Returns an empty list when the text cannot be cut safely (a quote that never
// closes, or lone-CR line ends, where line numbers would need the full reader): read it in one piece.
struct CsvSlice {
    std::string_view text;
    size_t first_line;
};
std::vector<CsvSlice> split_records(std::string_view text, char delim, size_t first_line, size_t parts);

} // namespace nexusmap::detail
