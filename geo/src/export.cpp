#include "nexusmap/export.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/version.hpp"

namespace nexusmap {

std::string fmt_num(double v, int sig) {
    if (!std::isfinite(v)) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", sig, v);
    return buf;
}

static std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}

void write_csv(const Table& t, const std::string& path, const Metadata& metadata) {
    std::string s;
    for (auto& [k, v] : metadata) {
        std::string one = v;
        for (auto& c : one)
            if (c == '\n' || c == '\r') c = ' ';
        s += "# " + k + ": " + one + "\n";
    }
    for (size_t i = 0; i < t.columns.size(); ++i) s += (i ? "," : "") + csv_field(t.columns[i]);
    s += "\n";
    for (auto& r : t.rows) {
        for (size_t i = 0; i < r.size(); ++i) s += (i ? "," : "") + csv_field(r[i]);
        s += "\n";
    }
    write_text_atomic(path, s);
}

Metadata provenance(const EventTable& ev, const std::string& from, const std::string& to) {
    Metadata m;
    m["tool"] = std::string("nexusmap ") + kVersion;
    std::time_t now = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    m["created"] = buf;
    m["event_schema"] = ev.schema;
    // The events' own provenance (source, licence, attribution, synthetic); callers add the other
    // inputs they used (routes, polygons) with add_input_provenance().
    InputProvenance p = ev.prov;
    if (p.path.empty()) p = detect_provenance(ev); // a table built in code, not by a loader
    p.synthetic = p.synthetic || ev.synthetic;
    m["synthetic"] = "false";
    add_input_provenance(m, p);
    if (m["inputs"].empty()) m["inputs"] = ev.source;
    // What was done with imprecise locations (apply_precision), when anything was.
    for (auto& [k, v] : ev.metadata)
        if (k.rfind("precision_", 0) == 0) m[k] = v;
    auto dr = ev.day_range();
    m["date_from"] = !from.empty() ? from : format_date(dr[0]);
    m["date_to"] = !to.empty() ? to : format_date(dr[1]);
    m["n_events"] = std::to_string(ev.size());
    if (ev.crs.valid()) m["analysis_crs"] = ev.crs.definition();
    return m;
}

} // namespace nexusmap
