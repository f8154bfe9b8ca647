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

// write_csv() lives in output.cpp (the output registry).

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
