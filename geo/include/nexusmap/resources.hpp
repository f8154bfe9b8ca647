#pragma once
// Bounded resources (issue #19): a process-wide memory budget that analyses check *before* they
// allocate, the caps on iteration counts, and the checks every input path goes through
// (no network, no FIFOs/devices).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nexusmap/error.hpp"

namespace nexusmap {

// ---- memory budget ---------------------------------------------------------------------------

// Physical memory of the machine in bytes (0 when unknown).
uint64_t physical_memory_bytes();
// The budget: set_memory_budget()'s value, else NEXUSMAP_MAX_MEMORY from the environment, else
// kDefaultMemoryFraction of physical memory (4 GiB when that is unknown).
uint64_t memory_budget();
// 0 restores the default.
void set_memory_budget(uint64_t bytes);
// Where the budget came from, for messages: "--max-memory", "NEXUSMAP_MAX_MEMORY" or "default: 50% of 31.2 GiB".
std::string memory_budget_origin();
inline constexpr double kDefaultMemoryFraction = 0.5;

// "2G", "512M", "1.5GiB", "800MB", "4096" (bytes), "25%" (of physical memory). Binary units
// (K = 1024). nullopt when not understood or not positive.
std::optional<uint64_t> parse_byte_size(std::string_view s);
// "1.5 GiB", "640 MiB", "12 KiB", "100 B".
std::string format_bytes(double bytes);

// Thrown when an estimate exceeds the budget. A GeoError so every caller's handler reports it.
struct MemoryBudgetError : GeoError {
    MemoryBudgetError(const std::string& file, const std::string& where, const std::string& what, double need)
        : GeoError(file, where, what), bytes_needed(need) {}
    double bytes_needed;
};

// Refuses (MemoryBudgetError) when `bytes` exceeds the budget. The message names `what` (e.g.
// "hot spot units and neighbour weights"), the estimate, the budget and `fix` (e.g. "use a
// larger --cell-km") plus "or raise --max-memory". `file` names the input where there is one.
void check_memory(double bytes, const std::string& what, const std::string& fix, const std::string& file = "");

// Estimates (bytes) for the allocations that grow with the request. Deliberately simple upper
// bounds; they count the big arrays, not small bookkeeping.
// A float32 raster of width x height cells.
double raster_bytes(double width, double height);
// n units, each with about `neighbours` neighbours in a CSR SpatialWeights (int32 index + double
// weight per link, int64 offset per row) plus the per-unit arrays the statistics keep (about 16
// doubles per unit: values, lag, z, p, bins, centroids ...).
double weights_bytes(double n_units, double neighbours);
// Hot spot analyses (hotspots, lisa, emerging): `units` analysis units with about `neighbours`
// neighbours each, `steps` time steps (emerging), written as an output layer and table (a polygon,
// ~12 attributes and a CSV row per unit, about 1.5 KiB). The 6.4 GB `hotspots --cell-km 0.5` run
// of issue #19 was mostly these per-unit outputs and the weights.
double hotspot_memory_bytes(double units, double neighbours, double steps = 1);
// Expected neighbours of a unit under a distance band of `band` on units `spacing` apart
// (square fishnet: pi b^2 / s^2; hexagons: pi b^2 / (s^2 sqrt(3)/2)), plus the unit itself.
double band_neighbours(double band, double spacing, bool hexagons);

// ---- iteration caps --------------------------------------------------------------------------
// Beyond these the answer does not change in any digit a report shows, but the run time grows
// without bound (permutations), or the output is meaningless (lags far beyond the series).
inline constexpr int kMaxPermutations = 99999;
inline constexpr int kMaxLags = 1000;

// ---- inputs ----------------------------------------------------------------------------------

// Refuses (GeoError naming `path`) an input nexusmap must not read:
//  - remote or network paths: /vsicurl/, /vsis3/, /vsigs/, /vsiaz/, /vsiadls/, /vsioss/,
//    /vsiswift/, /vsihdfs/, /vsiwebhdfs/, /vsicurl_streaming/ ... (also nested inside /vsizip/),
//    URLs (http:, https:, ftp:, file: ...) and GDAL connection strings (WMS:, WFS:, PG:, ...);
//  - /vsistdin/ and non-regular files: FIFOs, character/block devices, sockets (a FIFO would
//    block or stream without limit), directories unless `allow_directory` (a shapefile folder).
// A missing file gets "no such file". `role` (e.g. "--mask") is added to the message when given.
void check_input_path(const std::string& path, const std::string& role = "", bool allow_directory = true);
// True when `path` names a remote/network resource or a GDAL connection string (no filesystem check).
bool is_remote_path(std::string_view path);

} // namespace nexusmap
