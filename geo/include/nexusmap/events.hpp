#pragma once
// Event tables (ACLED, UCDP GED, or any CSV / OGR point source) as columns.
#include <array>
#include <cstdint>
#include <string_view>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nexusmap/crs.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/provenance.hpp"

namespace nexusmap {

inline constexpr int32_t kNoDay = INT32_MIN;

// Days since 1970-01-01 (proleptic Gregorian) and back.
int32_t days_from_civil(int y, int m, int d);
void civil_from_days(int32_t days, int& y, int& m, int& d);
std::string format_date(int32_t days); // YYYY-MM-DD
// Parses ISO (YYYY-MM-DD, YYYY/MM/DD, with an optional time that must be a valid hh:mm[:ss]),
// "12 March 2020", "March 12, 2020", "12-Mar-2020", DD/MM/YYYY (when unambiguous or `day_first`),
// bare YYYY-MM. nullopt on failure, including two-digit years and trailing text.
std::optional<int32_t> parse_date(std::string_view s, bool day_first = true);

struct EventTable {
    // Coordinates as read (WGS 84 lon/lat) and projected into `crs` by project_events().
    std::vector<double> lon, lat;
    std::vector<double> x, y;
    std::vector<int32_t> day;     // kNoDay when the source has no dates
    std::vector<float> weight;    // 1 when no weight column (fatalities are not weights unless asked)
    std::vector<float> fatalities;
    std::vector<uint16_t> type;   // index into type_names
    std::vector<uint8_t> precision; // source's location precision code, 0 when unknown
    std::vector<uint32_t> row;    // 1-based line number in the source (for messages)
    // Empty, or per row the part of one event it carries: rows made by apply_precision(spread)
    // carry 1/K of an imprecise event each (K a power of two, so exact in float). Count with it.
    std::vector<float> share;
    std::vector<uint16_t> country; // index into country_names
    std::vector<std::string> admin1;
    std::vector<std::string> actor;
    std::vector<std::string> type_names, country_names;
    Crs crs;                       // CRS of x/y (empty until projected)
    std::string source;            // file path
    std::string schema;            // "ACLED", "UCDP GED", "generic", "OGR"
    bool synthetic = false;        // read from the file's own label
    std::map<std::string, std::string> metadata;
    InputProvenance prov;          // source, licence, attribution, flags (set by the loaders)

    size_t size() const { return lon.size(); }
    double weight_total() const;
    std::array<int32_t, 2> day_range() const; // {kNoDay,kNoDay} when undated
    // A copy holding only rows where keep[i] is true.
    EventTable subset(const std::vector<bool>& keep) const;
};

struct BadRow {
    size_t line = 0;       // 1-based line in the file where the record starts
    std::string reason;    // short category, e.g. "missing latitude"
    std::string detail;    // the offending text
    std::string where;     // OGR sources: "feature 3 (fid 2)", shown instead of the line
};

struct LoadReport {
    std::string path;
    std::string schema;
    size_t records = 0, loaded = 0;
    std::vector<BadRow> bad;
    std::map<std::string, size_t> by_reason;
    std::map<std::string, std::string> columns; // role -> column name used
    std::vector<std::string> warnings;
    std::string summary(size_t max_rows = 5) const;
};

struct EventCsvOptions {
    // Column overrides (header names); empty = detect.
    std::string lat, lon, date, weight, type, country, admin1, actor, precision, wkt;
    bool day_first = true;       // DD/MM/YYYY vs MM/DD/YYYY when ambiguous
    bool strict = false;         // throw GeoError on the first bad row
    bool swap_check = true;      // flag rows whose lat/lon look swapped against the bulk of the file
    // Threads that parse a CSV's records: 0 = as many as the machine has, for files of 4 MB and
    // more; 1 = one piece; N > 1 = N slices whatever the size (tests compare it with 1).
    int threads = 0;
    std::optional<BBox> valid_lonlat; // rows outside are "out of range"; default the whole globe
    char delimiter = 0;          // 0 = detect among , ; \t |
};

struct EventLoadResult {
    EventTable events;
    LoadReport report;
};

// CSV reader with RFC 4180 quoting (quoted newlines, doubled quotes), BOM, CRLF.
EventLoadResult load_events_csv(const std::string& path, const EventCsvOptions& opt = {},
                                Progress progress = {});
// Same, from a string already in memory (used by tests and fuzzers).
EventLoadResult parse_events_csv(std::string_view text, const std::string& name,
                                 const EventCsvOptions& opt = {}, Progress progress = {});
// An event CSV read from standard input (the name "-" on the command line), named kStdinName in
// reports and provenance.
inline constexpr const char* kStdinName = "(standard input)";
EventLoadResult load_events_stdin(const EventCsvOptions& opt = {}, Progress progress = {});
// Points from any OGR source (GeoJSON, GPKG, ...), attributes mapped with the same header rules.
// "-" reads a CSV from standard input. Layers without geometry (XLSX sheets, CSV-like layers) and
// ACLED API JSON ({"data": [{...}]}) get the CSV column detection (latitude/longitude columns).
EventLoadResult load_events(const std::string& path, const EventCsvOptions& opt = {},
                            Progress progress = {});

// Fill x/y in `crs`; points that fail to project get NaN coordinates (analyses skip them).
void project_events(EventTable& ev, const Crs& crs);
// Event positions in `crs`: the table's own x/y when already in that CRS, else lon/lat projected.
void event_positions(const EventTable& ev, const Crs& crs, std::vector<double>& x, std::vector<double>& y);

} // namespace nexusmap
