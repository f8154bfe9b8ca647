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
    // Reads the next record into `fields`; returns false at end of input. `line` is the 1-based
    // line where the record started. `error` is set for an unterminated quote.
    bool next(std::vector<std::string>& fields, size_t& line, std::string& error);
    size_t offset() const { return pos_; }

  private:
    std::string_view s_;
    size_t pos_ = 0, line_ = 1;
    char d_;
};

// Picks the delimiter among , ; TAB | from the first line, outside quotes.
char detect_delimiter(std::string_view text);
std::string_view strip_bom(std::string_view text);

} // namespace nexusmap::detail
