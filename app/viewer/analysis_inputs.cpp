// Inputs of the analysis panels (analysis_inputs.hpp).
#include "viewer/analysis_inputs.hpp"

#include "nexusmap/precision.hpp"

namespace nexusmap::viewer {

EventTable filtered_events(const EventSet& ev) {
    const EventTable& t = ev.table;
    const size_t n = t.size();
    std::vector<bool> keep(n);
    for (size_t i = 0; i < n; ++i)
        keep[i] = ev.passes(i);
    // subset() copies every column: pad the ones a table built elsewhere may lack.
    const bool complete = t.day.size() == n && t.weight.size() == n && t.fatalities.size() == n && t.type.size() == n &&
                          t.precision.size() == n && t.row.size() == n && t.country.size() == n &&
                          t.admin1.size() == n && t.actor.size() == n;
    EventTable out;
    if (complete) {
        out = t.subset(keep);
    } else {
        EventTable full = t;
        full.day.resize(n, kNoDay), full.weight.resize(n, 1.f), full.fatalities.resize(n, 0.f);
        full.type.resize(n, 0), full.precision.resize(n, 0), full.row.resize(n, 0), full.country.resize(n, 0);
        full.admin1.resize(n), full.actor.resize(n);
        out = full.subset(keep);
    }
    out.synthetic = out.synthetic || ev.synthetic;
    return out;
}

EventTable analysis_events(const EventSet& ev) {
    EventTable t = filtered_events(ev);
    if (t.metadata.count("precision_mode")) return t;
    PrecisionParams pp;
    if (ev.precision_mode == 1) pp.max_precision = precise_max(precision_scheme(t));
    PrecisionResult pr = apply_precision(t, pp);
    EventTable out = std::move(pr.events);
    for (auto& [k, v] : pr.metadata()) out.metadata[k] = v;
    return out;
}

EventTable point_events(const EventSet& ev, const std::string& analysis) {
    EventTable t = filtered_events(ev);
    PrecisionParams pp;
    pp.max_precision = precise_max(precision_scheme(t));
    PrecisionResult pr = apply_precision(t, pp);
    EventTable out = std::move(pr.events);
    for (auto& [k, v] : pr.metadata()) out.metadata[k] = v;
    out.metadata["precision_default"] = precise_default_reason(analysis);
    return out;
}

} // namespace nexusmap::viewer
