#include "nexusmap/events.hpp"
#include "nexusmap/output.hpp"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <atomic>
#include <exception>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "csv.hpp"
#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap {
using detail::CsvReader;

double EventTable::weight_total() const {
    double s = 0;
    for (float w : weight) s += w;
    return s;
}

std::array<int32_t, 2> EventTable::day_range() const {
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (int32_t d : day)
        if (d != kNoDay) lo = std::min(lo, d), hi = std::max(hi, d);
    if (lo > hi) return {kNoDay, kNoDay};
    return {lo, hi};
}

EventTable EventTable::subset(const std::vector<bool>& keep) const {
    EventTable o;
    o.type_names = type_names;
    o.country_names = country_names;
    o.crs = crs;
    o.source = source;
    o.schema = schema;
    o.synthetic = synthetic;
    o.prov = prov;
    o.metadata = metadata;
    // Columns a table built in code may leave empty stay empty (a loader fills them all). Column by
    // column, sized once (issue #17: a row-by-row push_back of a million events cost ~0.2 s).
    const size_t n = size();
    auto kept = [&](size_t i) { return !(i < keep.size() && !keep[i]); };
    size_t nk = 0;
    for (size_t i = 0; i < n; ++i) nk += kept(i);
    auto copy = [&](const auto& src, auto& dst) {
        if (src.size() != n) return;
        if (nk == n) {
            dst = src;
            return;
        }
        dst.reserve(nk);
        for (size_t i = 0; i < n; ++i)
            if (kept(i)) dst.push_back(src[i]);
    };
    copy(lon, o.lon);
    copy(lat, o.lat);
    copy(x, o.x);
    copy(y, o.y);
    copy(day, o.day);
    copy(weight, o.weight);
    copy(fatalities, o.fatalities);
    copy(type, o.type);
    copy(precision, o.precision);
    copy(row, o.row);
    copy(country, o.country);
    copy(admin1, o.admin1);
    copy(actor, o.actor);
    copy(share, o.share);
    return o;
}

std::string LoadReport::summary(size_t max_rows) const {
    std::ostringstream o;
    o << path << ": " << loaded << " of " << records << " records loaded (" << schema << " columns";
    for (auto& [role, col] : columns) o << ", " << role << "=" << col;
    o << ")\n";
    if (!bad.empty()) {
        o << "  " << bad.size() << " rows not loaded:\n";
        for (auto& [r, n] : by_reason) o << "    " << n << " x " << r << "\n";
        for (size_t i = 0; i < bad.size() && i < max_rows; ++i)
            o << "    " << (bad[i].where.empty() ? "line " + std::to_string(bad[i].line) : bad[i].where) << ": " << bad[i].reason << (bad[i].detail.empty() ? "" : " (" + bad[i].detail + ")")
              << "\n";
        if (bad.size() > max_rows) o << "    ... and " << bad.size() - max_rows << " more\n";
    }
    for (auto& w : warnings) o << "  warning: " << w << "\n";
    return o.str();
}

namespace {

std::string lower_trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t a = 0;
    while (a < s.size() && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    s = s.substr(a);
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<double> parse_number(std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    if (v.empty()) return std::nullopt;
    if (v.front() == '+') v.remove_prefix(1);
    double d = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), d);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
        // Decimal comma ("12,5") from European exports with ; delimiters.
        std::string t(v);
        if (std::count(t.begin(), t.end(), ',') == 1 && t.find('.') == std::string::npos) {
            std::replace(t.begin(), t.end(), ',', '.');
            r = std::from_chars(t.data(), t.data() + t.size(), d);
            if (r.ec == std::errc() && r.ptr == t.data() + t.size()) return d;
        }
        return std::nullopt;
    }
    return d;
}

// Finds a column by a list of candidate names (case-insensitive); -1 if none.
int find_col(const std::vector<std::string>& hdr, std::initializer_list<const char*> names) {
    for (const char* n : names)
        for (size_t i = 0; i < hdr.size(); ++i)
            if (hdr[i] == n) return static_cast<int>(i);
    return -1;
}
int named_col(const std::vector<std::string>& hdr, const std::string& want, const std::string& file,
              const char* role) {
    if (want.empty()) return -1;
    std::string w = lower_trim(want);
    for (size_t i = 0; i < hdr.size(); ++i)
        if (hdr[i] == w) return static_cast<int>(i);
    std::string all;
    for (auto& h : hdr) all += (all.empty() ? "" : ", ") + h;
    throw GeoError(file, "header", std::string("no column '") + want + "' for " + role + " (columns: " + all + ")");
}

const char* ucdp_violence_label(std::string_view code) {
    if (code == "1") return "State-based violence";
    if (code == "2") return "Non-state violence";
    if (code == "3") return "One-sided violence";
    return nullptr;
}

struct SvHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Interner {
    explicit Interner(std::vector<std::string>* n) : names(n) {}
    std::vector<std::string>* names;
    std::unordered_map<std::string, uint16_t, SvHash, std::equal_to<>> map; // looked up by string_view
    std::string last; // the previous name and its id: files repeat one type or country row after row
    uint16_t last_id = 0;
    bool has_last = false;
    uint16_t get(std::string_view s) {
        if (has_last && s == last) return last_id;
        uint16_t id = 65534;
        if (auto it = map.find(s); it != map.end()) {
            id = it->second;
        } else if (names->size() < 65535) {
            id = static_cast<uint16_t>(names->size());
            names->emplace_back(s);
            map.emplace(std::string(s), id);
        }
        last.assign(s), last_id = id, has_last = true;
        return id;
    }
};

std::string str(std::string_view a) { return std::string(a); }
std::string join3(std::string_view a, const char* sep, std::string_view b) {
    std::string r;
    r.reserve(a.size() + b.size() + 1);
    r.append(a).append(sep).append(b);
    return r;
}

// k-th smallest value (0-based) of v, which is reordered (std::nth_element: exact, whatever the
// order it starts from).
double kth(std::vector<double>& v, size_t k) {
    std::nth_element(v.begin(), v.begin() + long(k), v.end());
    return v[k];
}
// The k25-th, k50-th and k75-th smallest values (k25 <= k50 <= k75) into q: the outer two are
// looked for only on their side of the median (the same exact values as three kth() calls).
void quartiles(std::vector<double>& v, size_t k25, size_t k50, size_t k75, double q[3]) {
    q[1] = kth(v, k50);
    const auto b = v.begin(), m = b + long(k50);
    if (k25 < k50) std::nth_element(b, b + long(k25), m);
    q[0] = v[k25];
    if (k75 > k50) std::nth_element(m + 1, b + long(k75), v.end());
    q[2] = v[k75];
}

// ACLED/UCDP column names cut to 10 characters by the Shapefile (dBase) format, and the shorter
// cuts some converters make: renamed back when the full name is not also present.
void restore_truncated_names(std::vector<std::string>& hdr) {
    static const std::pair<const char*, const char*> kCuts[] = {
        {"geo_precis", "geo_precision"},   {"geo_preci", "geo_precision"},   {"event_dat", "event_date"},
        {"event_da", "event_date"},        {"time_preci", "time_precision"}, {"sub_event_", "sub_event_type"},
        {"type_of_vi", "type_of_violence"}, {"type_of_vio", "type_of_violence"}, {"assoc_acto", "assoc_actor_1"},
        {"event_id_c", "event_id_cnty"},   {"source_sca", "source_scale"},   {"civilian_t", "civilian_targeting"},
        {"interactio", "interaction"},     {"fatalitie", "fatalities"},      {"latitud", "latitude"},
        {"longitud", "longitude"},         {"event_typ", "event_type"},      {"best_deat", "best"},
    };
    for (auto& h : hdr)
        for (auto& [cut, full] : kCuts)
            if (h == cut && std::find(hdr.begin(), hdr.end(), full) == hdr.end()) {
                h = full;
                break;
            }
}

} // namespace

EventLoadResult parse_events_csv(std::string_view text, const std::string& name, const EventCsvOptions& opt,
                                 Progress progress) {
    EventLoadResult res;
    EventTable& ev = res.events;
    LoadReport& rep = res.report;
    rep.path = name;
    ev.source = name;
    text = detail::strip_bom(text);

    // Leading comment lines ("# ...") carry provenance in our own CSV outputs.
    size_t comment_lines = 0;
    while (!text.empty() && text.front() == '#') {
        size_t nl = text.find('\n');
        std::string_view c = text.substr(0, nl);
        std::string low = lower_trim(std::string(c));
        auto colon = c.find(':');
        // "# synthetic: false" (our own outputs) is not a label; a free-text "# SYNTHETIC ..." is.
        const std::string key = colon != std::string_view::npos && colon > 2 ? lower_trim(std::string(c.substr(1, colon - 1))) : "";
        if (key == "synthetic") {
            if (low.find("true") != std::string::npos) ev.synthetic = true;
        } else if (key.empty() || key.find(' ') != std::string::npos) {
            if (low.find("synthetic") != std::string::npos) ev.synthetic = true;
        }
        if (colon != std::string_view::npos && colon > 2) {
            std::string k = lower_trim(std::string(c.substr(1, colon - 1)));
            std::string v = std::string(c.substr(colon + 1));
            while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
            while (!v.empty() && v.front() == ' ') v.erase(v.begin());
            if (!k.empty() && k.find(' ') == std::string::npos) ev.metadata[k] = v;
        }
        ++comment_lines;
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw GeoError(name, "", "no header row (the file is empty)");
    // Binary garbage is refused up front rather than reported row by row.
    {
        size_t probe = std::min<size_t>(text.size(), 4096), ctrl = 0;
        for (size_t i = 0; i < probe; ++i) {
            unsigned char c = static_cast<unsigned char>(text[i]);
            if (c == 0 || (c < 32 && c != '\n' && c != '\r' && c != '\t')) ++ctrl;
        }
        if (ctrl > probe / 50 + 1) throw GeoError(name, "", "looks like a binary file, not CSV text");
    }

    const char delim = opt.delimiter ? opt.delimiter : detail::detect_delimiter(text);
    CsvReader rd(text, delim);
    std::vector<std::string_view> f;
    std::string err;
    size_t line = 0;
    rd.next(f, line, err);
    if (!err.empty()) throw GeoError(name, "line " + std::to_string(line + comment_lines), "header: " + err);
    std::vector<std::string> hdr;
    for (auto& h : f) hdr.push_back(lower_trim(std::string(h)));
    restore_truncated_names(hdr);
    {
        std::unordered_map<std::string, int> seen;
        for (auto& h : hdr)
            if (!h.empty() && ++seen[h] == 2) rep.warnings.push_back("duplicate column '" + h + "': the first one is used");
    }

    // Schema detection.
    const bool acled = find_col(hdr, {"event_date"}) >= 0 && find_col(hdr, {"latitude"}) >= 0 &&
                       (find_col(hdr, {"fatalities"}) >= 0 || find_col(hdr, {"event_type"}) >= 0);
    const bool ucdp = !acled && find_col(hdr, {"latitude"}) >= 0 &&
                      (find_col(hdr, {"type_of_violence"}) >= 0 || find_col(hdr, {"where_prec"}) >= 0) &&
                      (find_col(hdr, {"best", "best_death", "best_est"}) >= 0);
    rep.schema = ev.schema = acled ? "ACLED" : ucdp ? "UCDP GED" : "generic";

    int c_lat = opt.lat.empty() ? find_col(hdr, {"latitude", "lat", "y", "lat_dd", "decimallatitude"}) : named_col(hdr, opt.lat, name, "latitude");
    int c_lon = opt.lon.empty() ? find_col(hdr, {"longitude", "lon", "lng", "long", "x", "lon_dd", "decimallongitude"}) : named_col(hdr, opt.lon, name, "longitude");
    int c_wkt = opt.wkt.empty() ? find_col(hdr, {"geom_wkt", "wkt", "geometry", "the_geom"}) : named_col(hdr, opt.wkt, name, "WKT geometry");
    int c_date = opt.date.empty() ? find_col(hdr, {"event_date", "date_start", "date", "event date", "datetime", "timestamp", "day"})
                                  : named_col(hdr, opt.date, name, "date");
    int c_year = find_col(hdr, {"year"}), c_month = find_col(hdr, {"month"}), c_dom = find_col(hdr, {"day"});
    if (c_date == c_dom && c_dom >= 0 && c_year >= 0 && c_month >= 0) c_date = -1; // "day" is day-of-month here
    int c_fat = find_col(hdr, {"fatalities", "best", "best_death", "best_est", "deaths", "killed"});
    int c_weight = -1;
    if (!opt.weight.empty()) {
        if (lower_trim(opt.weight) == "auto") {
            if (c_fat < 0) throw GeoError(name, "header", "--weight auto: no fatalities/best column to use as weight");
            c_weight = c_fat;
        } else {
            c_weight = named_col(hdr, opt.weight, name, "weight");
        }
    }
    int c_type = opt.type.empty() ? find_col(hdr, {"event_type", "type_of_violence", "type", "category"}) : named_col(hdr, opt.type, name, "type");
    int c_country = opt.country.empty() ? find_col(hdr, {"country", "adm0", "admin0", "adm0name"}) : named_col(hdr, opt.country, name, "country");
    int c_adm1 = opt.admin1.empty() ? find_col(hdr, {"admin1", "adm_1", "adm1", "admin_1"}) : named_col(hdr, opt.admin1, name, "admin-1");
    int c_actor = opt.actor.empty() ? find_col(hdr, {"actor1", "side_a", "actor"}) : named_col(hdr, opt.actor, name, "actor");
    int c_prec = opt.precision.empty() ? find_col(hdr, {"geo_precision", "where_prec", "precision"}) : named_col(hdr, opt.precision, name, "precision");
    int c_note = find_col(hdr, {"source_note", "synthetic"});

    if ((c_lat < 0 || c_lon < 0) && c_wkt < 0) {
        std::string all;
        for (auto& h : hdr) all += (all.empty() ? "" : ", ") + h;
        throw GeoError(name, "header", "no latitude/longitude (or WKT) columns found; name them with --lat/--lon (columns: " + all + ")");
    }
    auto role = [&](const char* r, int c) {
        if (c >= 0) rep.columns[r] = hdr[c];
    };
    if (c_lat >= 0 && c_lon >= 0) role("lat", c_lat), role("lon", c_lon);
    else role("wkt", c_wkt);
    if (c_date >= 0) role("date", c_date);
    else if (c_year >= 0) rep.columns["date"] = c_month >= 0 ? (c_dom >= 0 ? "year/month/day" : "year/month") : "year";
    role("weight", c_weight);
    role("fatalities", c_fat);
    role("type", c_type);
    role("country", c_country);
    role("admin1", c_adm1);
    role("precision", c_prec);
    const bool has_dates = c_date >= 0 || c_year >= 0;
    if (!has_dates) rep.warnings.push_back("no date column: events are undated (time filters will not apply)");

    const bool ucdp_codes = ucdp && c_type >= 0 && hdr[c_type] == "type_of_violence";
    // The records are parsed in slices cut on record boundaries, one thread each (issue #17: a
    // large file loads at memory speed); each slice keeps its own bad rows and names, merged below
    // in file order, so messages and line numbers are those of a one-piece read.
    struct Part {
        EventTable ev;
        LoadReport rep;
        size_t rec = 0;
        std::exception_ptr error;
    };
    const std::string_view body = text.substr(rd.offset());
    std::vector<detail::CsvSlice> slices;
    if (!opt.strict) {
        const size_t want = opt.threads > 1 ? size_t(opt.threads)
                            : opt.threads == 1 || body.size() < (size_t(4) << 20)
                                ? 1
                                : std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), body.size() >> 21);
        if (want > 1) slices = detail::split_records(body, delim, rd.line(), want);
    }
    if (slices.empty()) slices.push_back({body, rd.line()});
    std::vector<Part> parts(slices.size());
    // Rows of the whole body, bounded from the lines between cuts (split_records counted them) and
    // the last slice's size; for the first slice's reservation.
    size_t first_rows = 0;
    for (size_t k = 0; k + 1 < slices.size(); ++k) first_rows += slices[k + 1].first_line - slices[k].first_line;
    {
        const std::string_view last = slices.back().text;
        const size_t last_rows = slices.size() == 1 ? size_t(std::count(last.begin(), last.end(), '\n')) + 1 : last.size() / 4 + 1;
        first_rows = std::min(first_rows + last_rows, body.size() / 4 + 1 + first_rows);
    }
    std::atomic<size_t> first_fail{SIZE_MAX};
    auto parse_part = [&](size_t pi) {
        Part& P = parts[pi];
        const detail::CsvSlice& slice = slices[pi];
        try {
            Interner types{&P.ev.type_names}, countries{&P.ev.country_names};
            auto bad = [&](size_t ln, std::string reason, std::string detail) {
                if (opt.strict) throw GeoError(name, "line " + std::to_string(ln), reason + (detail.empty() ? "" : " ('" + detail + "')"));
                if (detail.size() > 80) detail = detail.substr(0, 77) + "...";
                P.rep.by_reason[reason]++;
                P.rep.bad.push_back({ln, std::move(reason), std::move(detail), {}});
            };
            CsvReader rd(slice.text, delim, slice.first_line);
            std::vector<std::string_view> f;
            std::string err;
            size_t line = 0, &rec = P.rec;
            {
                // Room for every line (records are at most one per line); a few bytes per row at least.
                // The first slice's columns become the table's (merge below): room for all slices.
                const size_t rows = pi == 0 ? first_rows
                                            : std::min(size_t(std::count(slice.text.begin(), slice.text.end(), '\n')) + 1,
                                                       slice.text.size() / 4 + 1);
                EventTable& e = P.ev;
                e.lat.reserve(rows), e.lon.reserve(rows), e.day.reserve(rows), e.weight.reserve(rows);
                e.fatalities.reserve(rows), e.type.reserve(rows), e.precision.reserve(rows), e.row.reserve(rows);
                e.country.reserve(rows);
                if (c_adm1 >= 0) e.admin1.reserve(rows);
                if (c_actor >= 0) e.actor.reserve(rows);
            }
            while (rd.next(f, line, err)) {
                const size_t ln = line + comment_lines;
                if (f.size() == 1 && f[0].find_first_not_of(" \t\r") == std::string::npos) continue; // blank line
                if ((++rec & 8191) == 0) {
                    if (pi > first_fail.load(std::memory_order_relaxed)) return; // an earlier slice failed
                    if (pi == 0) progress(double(rd.offset()) / double(slice.text.size()), "parsing CSV");
                }
                if (!err.empty()) {
                    // The reader resumed on the next line: one row lost, and the message says how much a
                    // quote that never closes would have taken with it.
                    const size_t nl = rd.runaway_lines();
                    const std::string take = "it would take the " + std::to_string(nl) + (nl == 1 ? " line" : " lines") +
                                             " to the end of the file into one field";
                    if (opt.strict)
                        throw GeoError(name, "line " + std::to_string(ln),
                                       "unterminated quote: the quote opened on this line never closes (" + take + ")");
                    const std::string what = "the quote never closes: " + take + "; row skipped, reading resumed on the next line";
                    P.rep.by_reason["unterminated quote"]++;
                    P.rep.bad.push_back({ln, "unterminated quote", what, {}});
                    continue;
                }
                if (f.size() != hdr.size()) {
                    // Ragged rows: short rows are reported; the fields we need must still be present.
                    std::string d = std::to_string(f.size()) + " fields, header has " + std::to_string(hdr.size());
                    // A quote that closes far away makes one record of many lines: say which.
                    if (rd.line() > line + 1)
                        d += "; record spans lines " + std::to_string(ln) + "-" + std::to_string(rd.line() - 1 + comment_lines) +
                             " (a quote closing late?)";
                    bad(ln, "wrong number of fields", d);
                    continue;
                }
                auto get = [&](int c) -> std::string_view {
                    return c >= 0 && static_cast<size_t>(c) < f.size() ? f[size_t(c)] : std::string_view();
                };
                double la = NAN, lo = NAN;
                if (c_lat >= 0 && c_lon >= 0) {
                    const std::string_view sl = get(c_lat), so = get(c_lon);
                    if (sl.find_first_not_of(" \t") == std::string_view::npos || so.find_first_not_of(" \t") == std::string_view::npos) {
                        bad(ln, "missing coordinates", join3(sl, ",", so));
                        continue;
                    }
                    auto pl = parse_number(sl), po = parse_number(so);
                    if (!pl || !po) {
                        bad(ln, "unparsable coordinates", join3(sl, ",", so));
                        continue;
                    }
                    la = *pl;
                    lo = *po;
                } else {
                    const std::string w(get(c_wkt));
                    double a = 0, b = 0;
                    char tail = 0;
                    if (std::sscanf(w.c_str(), " POINT ( %lf %lf )%c", &a, &b, &tail) < 2) {
                        bad(ln, "unparsable WKT point", w);
                        continue;
                    }
                    lo = a;
                    la = b;
                }
                if (!std::isfinite(la) || !std::isfinite(lo)) {
                    bad(ln, "non-finite coordinates", c_lat >= 0 && c_lon >= 0 ? join3(get(c_lat), ",", get(c_lon)) : str(get(c_wkt)));
                    continue;
                }
                if (std::fabs(la) > 90 || std::fabs(lo) > 180) {
                    if (std::fabs(la) > 90 && std::fabs(la) <= 180 && std::fabs(lo) <= 90)
                        bad(ln, "latitude out of range (latitude/longitude swapped?)", join3(get(c_lat), ",", get(c_lon)));
                    else bad(ln, "coordinates out of range", join3(get(c_lat), ",", get(c_lon)));
                    continue;
                }
                if (la == 0 && lo == 0) {
                    bad(ln, "coordinates at 0,0 (null island)", "");
                    continue;
                }
                int32_t day = kNoDay;
                if (c_date >= 0) {
                    const std::string_view ds = get(c_date);
                    if (ds.find_first_not_of(" \t") == std::string_view::npos) {
                        bad(ln, "missing date", "");
                        continue;
                    }
                    auto d = parse_date(ds, opt.day_first);
                    if (!d) {
                        bad(ln, "unparsable date", str(ds));
                        continue;
                    }
                    day = *d;
                } else if (c_year >= 0) {
                    auto y = parse_number(get(c_year));
                    auto m = c_month >= 0 ? parse_number(get(c_month)) : std::optional<double>(1);
                    auto dd = c_dom >= 0 ? parse_number(get(c_dom)) : std::optional<double>(1);
                    // Written as !(in range) so that NaN ("nan" parses as a number) is refused too.
                    if (!y || !m || !dd || !(*y >= 1800 && *y <= 2200 && *m >= 1 && *m <= 12 && *dd >= 1 && *dd <= 31)) {
                        bad(ln, "unparsable date", join3(join3(get(c_year), "-", get(c_month)), "-", get(c_dom)));
                        continue;
                    }
                    char buf[32];
                    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", int(*y), int(*m), int(*dd));
                    auto d = parse_date(buf);
                    if (!d) {
                        bad(ln, "unparsable date", buf);
                        continue;
                    }
                    day = *d;
                }
                float fat = 0;
                if (c_fat >= 0 && get(c_fat).find_first_not_of(" \t") != std::string_view::npos) {
                    auto v = parse_number(get(c_fat));
                    if (!v || !std::isfinite(*v) || *v < 0 || *v > FLT_MAX) {
                        bad(ln, "invalid fatalities", str(get(c_fat)));
                        continue;
                    }
                    fat = static_cast<float>(*v);
                }
                float w = 1;
                if (c_weight >= 0) {
                    auto v = parse_number(get(c_weight));
                    if (!v || !std::isfinite(*v) || std::fabs(*v) > FLT_MAX) {
                        bad(ln, "unparsable weight", str(get(c_weight)));
                        continue;
                    }
                    if (*v < 0) {
                        bad(ln, "negative weight", str(get(c_weight)));
                        continue;
                    }
                    w = static_cast<float>(*v);
                }
                std::string_view ty = get(c_type);
                if (ucdp_codes)
                    if (const char* l = ucdp_violence_label(ty)) ty = l;
                uint8_t prec = 0;
                if (c_prec >= 0) {
                    auto v = parse_number(get(c_prec));
                    if (v && *v >= 0 && *v < 256) prec = static_cast<uint8_t>(*v);
                }
                if (c_note >= 0 && !P.ev.synthetic) {
                    std::string low = lower_trim(str(get(c_note)));
                    if (low.find("synthetic") != std::string::npos || low == "true") P.ev.synthetic = true;
                }
                P.ev.lat.push_back(la);
                P.ev.lon.push_back(lo);
                P.ev.day.push_back(day);
                P.ev.weight.push_back(w);
                P.ev.fatalities.push_back(fat);
                P.ev.type.push_back(types.get(ty.empty() ? "(unspecified)" : ty));
                P.ev.precision.push_back(prec);
                P.ev.row.push_back(static_cast<uint32_t>(ln));
                P.ev.country.push_back(countries.get(get(c_country)));
                // Text columns the file does not have stay empty (a column of 10M empty strings is 320 MB).
                if (c_adm1 >= 0) P.ev.admin1.emplace_back(get(c_adm1));
                if (c_actor >= 0) P.ev.actor.emplace_back(get(c_actor));
            }
        } catch (...) {
            P.error = std::current_exception();
            size_t cur = first_fail.load();
            while (pi < cur && !first_fail.compare_exchange_weak(cur, pi)) {
            }
        }
    };
    {
        std::vector<std::thread> pool;
        for (size_t pi = 1; pi < parts.size(); ++pi) pool.emplace_back(parse_part, pi);
        parse_part(0);
        for (auto& t : pool) t.join();
    }
    for (Part& P : parts) // the first failure in file order, as a one-piece read would report
        if (P.error) std::rethrow_exception(P.error);

    Interner types{&ev.type_names}, countries{&ev.country_names};
    size_t rec = 0;
    // The first slice's columns move in (reserved for every slice's rows), the others are appended
    // (issue #17: copying every slice into fresh columns was ~15 % of loading a large file).
    auto append = [](auto& to, auto& from) {
        if (to.empty()) to = std::move(from);
        else to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
        from = {}; // the slice's memory goes back now, not at the end of the merge
    };
    for (Part& P : parts) {
        std::vector<uint16_t> tmap, cmap;
        for (const auto& nm : P.ev.type_names) tmap.push_back(types.get(nm));
        for (const auto& nm : P.ev.country_names) cmap.push_back(countries.get(nm));
        for (auto& v : P.ev.type) v = v < tmap.size() ? tmap[v] : uint16_t(65534);
        for (auto& v : P.ev.country) v = v < cmap.size() ? cmap[v] : uint16_t(65534);
        append(ev.lat, P.ev.lat), append(ev.lon, P.ev.lon), append(ev.day, P.ev.day), append(ev.weight, P.ev.weight);
        append(ev.fatalities, P.ev.fatalities), append(ev.type, P.ev.type), append(ev.precision, P.ev.precision);
        append(ev.row, P.ev.row), append(ev.country, P.ev.country), append(ev.admin1, P.ev.admin1);
        append(ev.actor, P.ev.actor);
        for (auto& [k, v] : P.rep.by_reason) rep.by_reason[k] += v;
        append(rep.bad, P.rep.bad);
        rec += P.rec;
        ev.synthetic = ev.synthetic || P.ev.synthetic;
    }
    // Later checks (swapped coordinates) report through the same rules.
    auto bad = [&](size_t ln, std::string reason, std::string detail) {
        if (opt.strict) throw GeoError(name, "line " + std::to_string(ln), reason + (detail.empty() ? "" : " ('" + detail + "')"));
        if (detail.size() > 80) detail = detail.substr(0, 77) + "...";
        rep.by_reason[reason]++;
        rep.bad.push_back({ln, std::move(reason), std::move(detail), {}});
    };
    rep.records = rec;

    // Rows whose swapped coordinates land in the bulk of the data, while the originals are far
    // outside it, are flagged as swapped (a frequent spreadsheet error).
    if (opt.swap_check && ev.size() >= 10) {
        // Robust centre and spread (median, inter-quartile range) of the bulk of the data.
        // Quartiles of one copy of each column (nth_element finds the exact k-th value from any order).
        const size_t k25 = static_cast<size_t>(0.25 * double(ev.size() - 1)), k50 = static_cast<size_t>(0.5 * double(ev.size() - 1)),
                     k75 = static_cast<size_t>(0.75 * double(ev.size() - 1));
        std::vector<double> v = ev.lat;
        double q[3];
        quartiles(v, k25, k50, k75, q);
        const double mla = q[1], ila = q[2] - q[0];
        v = ev.lon;
        quartiles(v, k25, k50, k75, q);
        const double mlo = q[1], ilo = q[2] - q[0];
        v = {};
        // Only for regional data: in a global file a swapped pair is as plausible as any other.
        const bool regional = ila < 30 && ilo < 30;
        auto far = [&](double lo, double la) { return std::fabs(la - mla) > 2 * ila + 3 || std::fabs(lo - mlo) > 2 * ilo + 3; };
        auto near = [&](double lo, double la) { return std::fabs(la - mla) <= 1.5 * ila + 1 && std::fabs(lo - mlo) <= 1.5 * ilo + 1; };
        // Counts of events per 1-degree cell: a swapped row is isolated where it is recorded and
        // lands among many events once swapped back. Clustered outliers (a real cluster far from
        // the bulk) are left alone.
        // Built only when some row is a candidate (far from the bulk, near it once swapped): most
        // files have none, and a million-entry count costs more than the rest of this check.
        std::vector<size_t> cand;
        if (regional)
            for (size_t i = 0; i < ev.size(); ++i)
                if (far(ev.lon[i], ev.lat[i]) && near(ev.lat[i], ev.lon[i])) cand.push_back(i);
        std::unordered_map<int64_t, int> cells;
        auto key = [](double lo, double la) {
            return (int64_t(std::floor(la)) + 1000) * 4000 + (int64_t(std::floor(lo)) + 1000);
        };
        if (!cand.empty())
            for (size_t i = 0; i < ev.size(); ++i) cells[key(ev.lon[i], ev.lat[i])]++;
        auto around = [&](double lo, double la) {
            int n = 0;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    auto it = cells.find(key(lo + dx, la + dy));
                    if (it != cells.end()) n += it->second;
                }
            return n;
        };
        const int crowd = std::max<int>(3, static_cast<int>(ev.size() / 200));
        std::vector<bool> keep(ev.size(), true);
        size_t nswap = 0;
        for (size_t i : cand) {
            if (around(ev.lon[i], ev.lat[i]) <= 2 && around(ev.lat[i], ev.lon[i]) >= crowd) {
                keep[i] = false;
                ++nswap;
                char buf[96];
                std::snprintf(buf, sizeof buf, "%.6g,%.6g", ev.lat[i], ev.lon[i]);
                bad(ev.row[i], "latitude/longitude swapped", buf);
            }
        }
        if (nswap) ev = ev.subset(keep);
    }
    std::sort(rep.bad.begin(), rep.bad.end(), [](const BadRow& a, const BadRow& b) { return a.line < b.line; });
    rep.loaded = ev.size();
    if (ev.synthetic) ev.metadata["synthetic"] = "true";
    ev.metadata["schema"] = rep.schema;
    ev.prov = detect_provenance(ev);
    progress(1.0, "parsed");
    return res;
}

EventLoadResult load_events_csv(const std::string& path, const EventCsvOptions& opt, Progress progress) {
    check_input_path(path, "", false); // local regular files only: no URL, FIFO or device (issue #19)
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw GeoError(path, "", "no such file");
    if (std::filesystem::is_directory(path, ec)) throw GeoError(path, "", "is a folder, not a CSV file");
    // Mapped, not copied (issue #17: the copy of a large file into a string was ~10 % of loading it);
    // read into memory where mapping is refused.
    struct Mapped {
        int fd = -1;
        void* p = MAP_FAILED;
        size_t n = 0;
        ~Mapped() {
            if (p != MAP_FAILED) munmap(p, n);
            if (fd >= 0) close(fd);
        }
    } m;
    m.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m.fd < 0) throw GeoError(path, "", "cannot be opened for reading");
    note_input(path); // never written over (atomic_file.hpp)
    struct stat st {};
    std::string copy;
    std::string_view text;
    if (fstat(m.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        m.n = size_t(st.st_size);
        m.p = mmap(nullptr, m.n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, m.fd, 0);
        if (m.p != MAP_FAILED) text = std::string_view(static_cast<const char*>(m.p), m.n);
    }
    if (m.p == MAP_FAILED) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw GeoError(path, "", "cannot be opened for reading");
        std::vector<char> buf(size_t(1) << 20);
        while (in.read(buf.data(), std::streamsize(buf.size())) || in.gcount() > 0)
            copy.append(buf.data(), size_t(in.gcount()));
        text = copy;
    }
    if (text.empty()) throw GeoError(path, "", "file is empty (0 bytes)");
    EventLoadResult r = parse_events_csv(text, path, opt, std::move(progress));
    // Our own CSV outputs keep their metadata in the sidecar NAME.csv.json (output.hpp); older
    // ones in "# key: value" lines, read above. The file's own lines win.
    if (const Metadata side = read_csv_sidecar(path); !side.empty()) {
        for (const char* k : {"source", "licence", "license", "attribution"}) // labels, not the old run's parameters
            if (auto it = side.find(k); it != side.end()) r.events.metadata.emplace(k, it->second);
        if (auto it = side.find("synthetic"); it != side.end() && it->second == "true") {
            r.events.synthetic = true;
            r.events.metadata["synthetic"] = "true";
        }
        r.events.prov = detect_provenance(r.events);
    }
    return r;
}

namespace {
std::string csv_quote(const std::string& v) {
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// A layer's attributes as CSV text (header row of field names), for tables without geometry.
std::string attributes_as_csv(const VectorLayer& l) {
    std::string csv;
    for (size_t i = 0; i < l.fields.size(); ++i) csv += (i ? "," : "") + csv_quote(l.fields[i]);
    csv += "\n";
    for (auto& f : l.features) {
        for (size_t i = 0; i < l.fields.size(); ++i) csv += (i ? "," : "") + csv_quote(attr_to_string(f.attrs[i]));
        csv += "\n";
    }
    return csv;
}

// ACLED API JSON ({"status":..,"data":[{...},...]}) or a bare array of records: no geometry, the
// coordinates in latitude/longitude members. nullopt when the file is not of that shape (GeoJSON
// goes to OGR).
std::optional<EventLoadResult> load_events_json_records(const std::string& path, const EventCsvOptions& opt,
                                                        Progress& progress) {
    check_input_path(path, "", false);
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) return std::nullopt; // let OGR give its own message
    const nlohmann::json* rows = nullptr;
    if (j.is_object() && !j.contains("type") && j.contains("data") && j["data"].is_array()) rows = &j["data"];
    else if (j.is_array()) rows = &j;
    if (!rows) return std::nullopt;
    note_input(path);
    if (rows->empty()) throw GeoError(path, "\"data\"", "holds no records: there are no events to load");
    std::vector<std::string> cols;
    for (auto& r : *rows) {
        if (!r.is_object()) throw GeoError(path, "\"data\"", "is not an array of records (objects)");
        for (auto it = r.begin(); it != r.end(); ++it)
            if (std::find(cols.begin(), cols.end(), it.key()) == cols.end()) cols.push_back(it.key());
    }
    std::string csv;
    for (size_t i = 0; i < cols.size(); ++i) csv += (i ? "," : "") + csv_quote(cols[i]);
    csv += "\n";
    for (auto& r : *rows) {
        for (size_t i = 0; i < cols.size(); ++i) {
            auto it = r.find(cols[i]);
            std::string v;
            if (it != r.end() && !it->is_null()) v = it->is_string() ? it->get<std::string>() : it->dump();
            csv += (i ? "," : "") + csv_quote(v);
        }
        csv += "\n";
    }
    EventLoadResult res = parse_events_csv(csv, path, opt, std::move(progress));
    res.report.schema = res.events.schema = "JSON records (" + res.report.schema + " columns)";
    res.events.prov = detect_provenance(res.events);
    return res;
}
} // namespace

EventLoadResult load_events_stdin(const EventCsvOptions& opt, Progress progress) {
    std::string text;
    std::vector<char> buf(size_t(1) << 20);
    for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), stdin)) > 0;) text.append(buf.data(), n);
    if (std::ferror(stdin)) throw GeoError(kStdinName, "", "cannot read standard input");
    if (text.empty()) throw GeoError(kStdinName, "", "standard input is empty (0 bytes): pipe an event CSV into it");
    return parse_events_csv(text, kStdinName, opt, std::move(progress));
}

EventLoadResult load_events(const std::string& path, const EventCsvOptions& opt, Progress progress) {
    if (path == "-") return load_events_stdin(opt, std::move(progress));
    const std::string ext = ascii_lower(std::filesystem::path(path).extension().string());
    if (ext == ".csv" || ext == ".tsv" || ext == ".txt") return load_events_csv(path, opt, std::move(progress));
    // Any OGR point source: read as a layer, then map attributes by the same header rules by
    // writing a minimal CSV view (keeps one code path for column detection and validation).
    if (ext == ".json") {
        if (auto r = load_events_json_records(path, opt, progress)) return std::move(*r);
    }
    ReadLayerOptions ro;
    ro.target_crs = Crs::wgs84();
    VectorLayer l = read_layer(path, ro, progress);
    // Say what the layer holds when it cannot give events (not just "not a point layer").
    size_t n_geom = 0;
    for (auto& f : l.features) n_geom += !f.geom.empty();
    if (l.features.empty())
        throw GeoError(path, "layer '" + l.name + "'", "contains no features (an empty layer): there are no events to load");
    if (n_geom == 0) {
        // A table without geometry (an XLSX sheet, a CSV-like layer): latitude/longitude columns, as
        // in a CSV. When it has none, say that the features have no geometry either.
        std::string csv = attributes_as_csv(l);
        try {
            EventLoadResult r = parse_events_csv(csv, path, opt, {});
            r.report.schema = r.events.schema = "OGR table (" + r.report.schema + " columns)";
            r.events.prov = detect_provenance(r.events);
            return r;
        } catch (const GeoError& e) {
            if (e.where != "header" || e.what_.find("no latitude/longitude") == std::string::npos) throw;
        }
        throw GeoError(path, "layer '" + l.name + "'",
                       "none of its " + std::to_string(l.features.size()) +
                           " features has a geometry (all null or empty), and it has no latitude/longitude columns: no "
                           "events to load");
    }
    if (l.type != GeomType::Point)
        throw GeoError(path, "layer '" + l.name + "'",
                       "holds " + std::string(l.type == GeomType::Line ? "lines" : "polygons") + " (" + std::to_string(n_geom) +
                           (n_geom == 1 ? " feature" : " features") + "), not points; events must be points (convert them to points, e.g. centroids, first)");
    std::string csv = "longitude,latitude";
    for (auto& fld : l.fields) {
        std::string low = lower_trim(fld);
        if (low == "latitude" || low == "longitude" || low == "lat" || low == "lon") continue;
        csv += ",\"" + fld + "\"";
    }
    csv += "\n";
    // Bad rows of the internal CSV are reported by feature, not by its line: CSV line -> feature.
    std::unordered_map<size_t, size_t> feature_of_line;
    size_t csv_line = 2, nmulti = 0, idx = 0;
    std::vector<BadRow> no_geom;
    auto where = [&](size_t i) { return "feature " + std::to_string(i + 1) + " (fid " + std::to_string(l.features[i].fid) + ")"; };
    for (auto& f : l.features) {
        const size_t i = idx++;
        if (f.geom.points.empty()) {
            BadRow b;
            b.line = i + 1;
            b.reason = "null or empty geometry";
            b.where = where(i);
            no_geom.push_back(std::move(b));
            continue;
        }
        if (f.geom.points.size() > 1) ++nmulti;
        feature_of_line[csv_line] = i;
        const size_t row_start = csv.size();
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9f,%.9f", f.geom.points[0].x, f.geom.points[0].y);
        csv += buf;
        for (size_t i = 0; i < l.fields.size(); ++i) {
            std::string low = lower_trim(l.fields[i]);
            if (low == "latitude" || low == "longitude" || low == "lat" || low == "lon") continue;
            std::string v = attr_to_string(f.attrs[i]);
            std::string q;
            for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            csv += ",\"" + q + "\"";
        }
        csv += "\n";
        csv_line += size_t(std::count(csv.begin() + long(row_start), csv.end(), '\n'));
    }
    if (opt.strict && !no_geom.empty()) throw GeoError(path, no_geom[0].where, "null or empty geometry");
    EventCsvOptions o2 = opt;
    o2.lat = "latitude";
    o2.lon = "longitude";
    o2.delimiter = ',';
    EventLoadResult r;
    try {
        r = parse_events_csv(csv, path, o2, {});
    } catch (const GeoError& e) {
        // --strict: name the feature, not a line of the internal CSV.
        if (e.where.rfind("line ", 0) != 0) throw;
        auto it = feature_of_line.find(std::strtoull(e.where.c_str() + 5, nullptr, 10));
        if (it == feature_of_line.end()) throw;
        throw GeoError(path, where(it->second), e.what_);
    }
    for (auto& b : r.report.bad) {
        auto it = feature_of_line.find(b.line);
        if (it != feature_of_line.end()) b.line = it->second + 1, b.where = where(it->second);
    }
    for (size_t i = 0; i < r.events.size(); ++i) {
        auto it = feature_of_line.find(r.events.row[i]);
        if (it != feature_of_line.end()) r.events.row[i] = static_cast<uint32_t>(it->second + 1); // feature number
    }
    for (auto& b : no_geom) {
        r.report.by_reason[b.reason]++;
        r.report.bad.push_back(std::move(b));
    }
    r.report.records += no_geom.size();
    std::sort(r.report.bad.begin(), r.report.bad.end(), [](const BadRow& a, const BadRow& b) { return a.line < b.line; });
    r.report.schema = r.events.schema = "OGR (" + r.report.schema + " columns)";
    if (l.synthetic()) r.events.synthetic = true, r.events.metadata["synthetic"] = "true";
    for (const char* k : {"SOURCE", "LICENSE", "ATTRIBUTION", "source", "license", "licence", "attribution"})
        if (auto it = l.metadata.find(k); it != l.metadata.end()) r.events.metadata[k] = it->second;
    r.events.prov = detect_provenance(r.events);
    for (auto& w : l.warnings) r.report.warnings.push_back(w);
    if (nmulti) r.report.warnings.push_back(std::to_string(nmulti) + " multipoint features: only their first point was used");
    return r;
}

void event_positions(const EventTable& ev, const Crs& crs, std::vector<double>& x, std::vector<double>& y) {
    const size_t n = ev.size();
    if (ev.crs.valid() && ev.crs.same_as(crs) && ev.x.size() == n && ev.y.size() == n) {
        x = ev.x, y = ev.y;
        return;
    }
    x = ev.lon, y = ev.lat;
    Transformer t(Crs::wgs84(), crs);
    t.forward(x.data(), y.data(), n);
}

void project_events(EventTable& ev, const Crs& crs) {
    Transformer t(Crs::wgs84(), crs);
    ev.x = ev.lon;
    ev.y = ev.lat;
    t.forward(ev.x.data(), ev.y.data(), ev.size());
    ev.crs = crs;
}

} // namespace nexusmap
