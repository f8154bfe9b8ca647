#pragma once
// Tables as CSV (atomic, provenance as "# key: value" header comments) and provenance records.
#include <map>
#include <string>
#include <vector>

#include "nexusmap/events.hpp"

namespace nexusmap {

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
};

using Metadata = std::map<std::string, std::string>;

// RFC 4180 CSV; metadata goes first as "# key: value" lines (our loader skips them).
void write_csv(const Table& t, const std::string& path, const Metadata& metadata = {});

// The provenance every output carries: tool version, inputs, synthetic flag, date window.
Metadata provenance(const EventTable& ev, const std::string& date_from = "", const std::string& date_to = "");

std::string fmt_num(double v, int sig = 10);

} // namespace nexusmap
