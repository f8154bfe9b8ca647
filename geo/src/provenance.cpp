#include "nexusmap/provenance.hpp"

#include <algorithm>
#include <filesystem>

#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap {
namespace {

std::string low(std::string_view s) { return ascii_lower(s); }
bool truthy(const std::string& v) {
    const std::string l = low(v);
    return l == "true" || l == "1" || l == "yes";
}
// Case-insensitive lookup among several key spellings.
std::string get(const std::map<std::string, std::string>& md, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        for (auto& [kk, v] : md)
            if (low(kk) == k && !v.empty()) return v;
    return {};
}
std::string fname(const std::string& p) { return std::filesystem::path(p).filename().string(); }

void append_unique(std::string& list, const std::string& item, const char* sep) {
    if (item.empty()) return;
    size_t pos = 0;
    const std::string s(sep);
    while (pos <= list.size()) {
        size_t e = list.find(s, pos);
        if (e == std::string::npos) e = list.size();
        if (list.compare(pos, e - pos, item) == 0 && e - pos == item.size()) return;
        pos = e + s.size();
    }
    list += (list.empty() ? "" : s) + item;
}

} // namespace

InputProvenance detect_provenance(const EventTable& ev) {
    InputProvenance p;
    p.path = ev.source;
    p.role = "events";
    const auto& md = ev.metadata;
    // The file's own label decides (EventTable::synthetic comes from it); never the file name.
    p.synthetic = ev.synthetic || truthy(get(md, {"synthetic"}));
    p.illustrative = truthy(get(md, {"illustrative"}));
    const bool ucdp = ev.schema.find("UCDP") != std::string::npos;
    const bool acled = ev.schema.find("ACLED") != std::string::npos;
    if (p.synthetic) {
        p.source = "SYNTHETIC events (" + ev.schema + " columns), not real incidents";
    } else if (ucdp) {
        p.source = "UCDP Georeferenced Event Dataset (GED)";
        p.licence = "CC BY 4.0";
        p.attribution = kUcdpAttribution;
    } else if (acled) {
        p.source = "ACLED-format events";
        p.licence = "ACLED terms of use (redistribution restricted)";
        p.attribution = "ACLED (acleddata.com)";
    } else {
        p.source = "events from " + fname(ev.source) + " (" + ev.schema + ")";
    }
    // Labels written by the file itself (our CSV outputs, or an analyst's) take precedence, except
    // that the UCDP attribution stays whenever UCDP-schema events were read.
    if (auto s = get(md, {"source", "data_source"}); !s.empty() && !ucdp) p.source = s;
    if (auto s = get(md, {"licence", "license"}); !s.empty()) p.licence = s;
    if (auto s = get(md, {"attribution"}); !s.empty() && !(ucdp && !p.synthetic)) p.attribution = s;
    return p;
}

InputProvenance detect_provenance(const std::map<std::string, std::string>& md, const std::string& path,
                                  const std::string& role) {
    InputProvenance p;
    p.path = path;
    p.role = role;
    p.synthetic = truthy(get(md, {"synthetic"}));
    p.illustrative = truthy(get(md, {"illustrative"}));
    p.source = get(md, {"source", "data_source"});
    p.licence = get(md, {"license", "licence"});
    p.attribution = get(md, {"attribution"});
    if (p.attribution.empty() && p.source.find("Natural Earth") != std::string::npos) p.attribution = "Natural Earth";
    if (p.source.empty()) p.source = fname(path);
    if (p.illustrative && p.attribution.empty()) p.attribution = "ILLUSTRATIVE routes (schematic, not an intelligence product)";
    if (p.synthetic && p.attribution.empty()) p.attribution = "SYNTHETIC data";
    return p;
}

InputProvenance detect_provenance(const VectorLayer& l, const std::string& role) {
    InputProvenance p = detect_provenance(l.metadata, l.source, role);
    if (!l.name.empty() && p.source == fname(l.source)) p.source += ":" + l.name;
    return p;
}

void add_input_provenance(std::map<std::string, std::string>& md, const InputProvenance& p) {
    append_unique(md["inputs"], p.path, "; ");
    append_unique(md["input_sources"], p.source, "; ");
    append_unique(md["attribution"], p.attribution, "; ");
    append_unique(md["licences"], p.licence, "; ");
    for (const char* k : {"attribution", "licences", "input_sources"})
        if (md[k].empty()) md.erase(k);
    const bool syn = p.synthetic || md["synthetic"] == "true";
    md["synthetic"] = syn ? "true" : "false";
    if (p.synthetic) md["data_note"] = "SYNTHETIC demo data used: illustrative only, not real incidents";
    if (p.illustrative) {
        md["illustrative_routes"] = "true";
        md["routes_note"] = "ILLUSTRATIVE routes: schematic, approximate, not an intelligence product";
    }
    if (p.ucdp() && !p.synthetic) md["ucdp_citation"] = kUcdpAttribution;
}

std::map<std::string, std::string> provenance_metadata(const std::vector<InputProvenance>& inputs) {
    std::map<std::string, std::string> md;
    md["synthetic"] = "false";
    for (auto& p : inputs) add_input_provenance(md, p);
    return md;
}

std::string attribution_line(const std::vector<InputProvenance>& inputs) {
    std::string s;
    bool syn = false;
    for (auto& p : inputs) {
        append_unique(s, p.attribution, " | ");
        syn |= p.synthetic;
    }
    if (syn) append_unique(s, "SYNTHETIC data: not real events", " | ");
    return s;
}

} // namespace nexusmap
