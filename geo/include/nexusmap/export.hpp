#pragma once
// Tables as CSV (atomic; one plain header row, metadata in the sidecar NAME.csv.json) and provenance
// records. The writers of every format are in output.hpp.
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

// RFC 4180 CSV with one header row; `metadata` goes to the sidecar NAME.csv.json and the column
// types to NAME.csvt, all three in one OutputSet (output.hpp). "-" writes the CSV to stdout.
void write_csv(const Table& t, const std::string& path, const Metadata& metadata = {});

// The provenance every output carries: tool version, inputs, synthetic flag, date window.
Metadata provenance(const EventTable& ev, const std::string& date_from = "", const std::string& date_to = "");

std::string fmt_num(double v, int sig = 10);

} // namespace nexusmap
