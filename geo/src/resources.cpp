#include "nexusmap/resources.hpp"
#include "nexusmap/text.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>

namespace nexusmap {

namespace {
std::atomic<uint64_t> g_budget{0}; // 0: default

std::string lower(std::string_view s) { return ascii_lower(s); }

std::optional<uint64_t> env_budget() {
    if (const char* e = std::getenv("NEXUSMAP_MAX_MEMORY"); e && *e) return parse_byte_size(e);
    return std::nullopt;
}
} // namespace

uint64_t physical_memory_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return 0;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

uint64_t memory_budget() {
    if (const uint64_t b = g_budget.load()) return b;
    if (auto e = env_budget()) return *e;
    const uint64_t phys = physical_memory_bytes();
    return phys ? static_cast<uint64_t>(double(phys) * kDefaultMemoryFraction) : (uint64_t(4) << 30);
}

void set_memory_budget(uint64_t bytes) { g_budget.store(bytes); }

std::string memory_budget_origin() {
    if (g_budget.load()) return "--max-memory";
    if (env_budget()) return "NEXUSMAP_MAX_MEMORY";
    const uint64_t phys = physical_memory_bytes();
    if (!phys) return "default (physical memory unknown)";
    return "default: " + std::to_string(int(kDefaultMemoryFraction * 100)) + "% of " + format_bytes(double(phys)) +
           " physical memory";
}

std::optional<uint64_t> parse_byte_size(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || !std::isfinite(v) || !(v > 0)) return std::nullopt;
    std::string unit = lower(std::string_view(r.ptr, static_cast<size_t>(s.data() + s.size() - r.ptr)));
    while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
    double mult = 1;
    if (unit == "%") {
        const uint64_t phys = physical_memory_bytes();
        if (!phys || v > 100) return std::nullopt;
        mult = double(phys) / 100.0;
    } else {
        if (!unit.empty() && unit.back() == 'b') unit.pop_back(); // "GB", "GiB", "B"
        if (unit.size() == 2 && unit[1] == 'i') unit.pop_back();  // "Gi"
        if (unit.empty()) mult = 1;
        else if (unit == "k") mult = 1024.0;
        else if (unit == "m") mult = 1024.0 * 1024;
        else if (unit == "g") mult = 1024.0 * 1024 * 1024;
        else if (unit == "t") mult = 1024.0 * 1024 * 1024 * 1024;
        else return std::nullopt;
    }
    const double b = v * mult;
    if (!(b >= 1) || b > 1.8e19) return std::nullopt;
    return static_cast<uint64_t>(b);
}

std::string format_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    while (b >= 1024 && i < 5) b /= 1024, ++i;
    char buf[48];
    std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s" : "%.3g %s", b, units[i]);
    return buf;
}

void check_memory(double bytes, const std::string& what, const std::string& fix, const std::string& file) {
    const double budget = double(memory_budget());
    if (!(bytes > budget) && std::isfinite(bytes)) return;
    std::string msg = "needs about " + format_bytes(bytes) + " of memory, more than the budget of " +
                      format_bytes(budget) + " (" + memory_budget_origin() + "); " + fix +
                      (fix.empty() ? "" : ", ") + "or raise --max-memory (e.g. --max-memory 16G)";
    throw MemoryBudgetError(file, what, msg, bytes);
}

double raster_bytes(double width, double height) { return std::max(0.0, width) * std::max(0.0, height) * 4.0; }

double weights_bytes(double n_units, double neighbours) {
    const double n = std::max(0.0, n_units), k = std::max(1.0, neighbours);
    return n * k * (4.0 + 8.0) + n * 8.0 + n * 16.0 * 8.0;
}

double hotspot_memory_bytes(double units, double neighbours, double steps) {
    const double n = std::max(0.0, units);
    constexpr double kOutputPerUnit = 1536; // Feature + 5-point ring + ~12 AttrValues + a CSV row
    return weights_bytes(n, neighbours) + n * kOutputPerUnit + n * std::max(1.0, steps) * 6 * 8;
}

double band_neighbours(double band, double spacing, bool hexagons) {
    if (!(spacing > 0) || !(band > 0)) return 1;
    const double area = hexagons ? spacing * spacing * std::sqrt(3.0) / 2.0 : spacing * spacing;
    return 1.0 + std::numbers::pi * band * band / area;
}

// ---- inputs ----------------------------------------------------------------------------------

bool is_remote_path(std::string_view path) {
    const std::string p = lower(path);
    // Any of GDAL's network file systems, also when nested (/vsizip//vsicurl/...).
    static const char* const kVsiRemote[] = {"/vsicurl", "/vsis3",   "/vsigs",   "/vsiaz",       "/vsiadls",
                                             "/vsioss",  "/vsiswift", "/vsihdfs", "/vsiwebhdfs", "/vsihttp"};
    for (const char* v : kVsiRemote)
        if (p.find(v) != std::string::npos) return true;
    if (p.find("://") != std::string::npos) return true; // http://, https://, ftp://, file://, s3:// ...
    // URL schemes without // and GDAL connection strings: "WMS:", "WFS:", "PG:", "http:" ...
    static const char* const kPrefixes[] = {"http:", "https:", "ftp:", "ftps:", "file:", "wms:", "wfs:", "wcs:",
                                            "wmts:", "pg:", "postgresql:", "mysql:", "oci:", "odbc:", "mssql:",
                                            "couchdb:", "es:", "elasticsearch:", "mongodb:", "mongodbv3:",
                                            "ngw:", "plscenes:", "eeda:", "ogcapi:", "daas:", "sentinel2:",
                                            "gdal_wms:", "vicar:", "carto:", "amigocloud:", "hana:", "airtable:"};
    for (const char* v : kPrefixes)
        if (p.rfind(v, 0) == 0) return true;
    // Inline WMS/WFS service descriptions.
    if (p.rfind("<gdal_wms", 0) == 0 || p.rfind("<ogrwfsdatasource", 0) == 0) return true;
    return false;
}

void check_input_path(const std::string& path, const std::string& role, bool allow_directory) {
    const std::string where = role;
    if (path.empty()) throw GeoError("", where.empty() ? "input" : where, "empty path");
    if (is_remote_path(path))
        throw GeoError(path, where,
                       "is a remote or network source; nexusmap reads local files only (network access is "
                       "disabled): download it first and give the local path");
    const std::string l = lower(path);
    if (l.rfind("/vsistdin", 0) == 0)
        throw GeoError(path, where, "reading from standard input is not supported; save the data to a file first");
    // Other /vsi prefixes (/vsizip/, /vsigzip/, /vsitar/, /vsimem/) are GDAL's own readers of local
    // archives: allowed; GDAL reports a missing member itself.
    if (l.rfind("/vsi", 0) == 0) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw GeoError(path, where, "no such file");
    if (S_ISREG(st.st_mode)) return;
    if (S_ISDIR(st.st_mode)) {
        if (allow_directory) return;
        throw GeoError(path, where, "is a folder, not a file");
    }
    const char* kind = S_ISFIFO(st.st_mode)  ? "a FIFO (named pipe)"
                       : S_ISCHR(st.st_mode) ? "a character device"
                       : S_ISBLK(st.st_mode) ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    throw GeoError(path, where,
                   std::string("is ") + kind +
                       "; nexusmap reads regular files only (a pipe or device could block or stream without end): "
                       "save the data to a file first");
}

} // namespace nexusmap
