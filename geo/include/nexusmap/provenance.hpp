#pragma once
// Provenance of each input (events, vector layers, rasters): where it came from, its licence,
// the attribution to print, and whether it is synthetic (fabricated) or illustrative (schematic
// routes). Outputs state exactly the inputs that produced them: merge each input used with
// add_input_provenance(), never a global flag.
#include <map>
#include <string>
#include <vector>

namespace nexusmap {

struct InputProvenance {
    std::string path;        // file the input came from
    std::string role;        // "events", "routes", "polygons", "basemap", "population", ...
    std::string source;      // what it is, e.g. "UCDP Georeferenced Event Dataset (GED)"
    std::string licence;     // e.g. "CC BY 4.0"; empty when unknown
    std::string attribution; // the line to print on maps and write to metadata; empty when none
    bool synthetic = false;    // fabricated data: outputs say synthetic=true
    bool illustrative = false; // schematic (the demo routes): outputs say "illustrative routes"
    bool ucdp() const { return source.rfind("UCDP", 0) == 0; }
};

// Attribution the UCDP licence (CC BY 4.0) asks for, printed whenever UCDP events were used.
inline constexpr const char* kUcdpAttribution =
    "UCDP GED (Sundberg & Melander 2013, JPR 50(4); Davies et al. 2024, JPR 61(4)), CC BY 4.0";

struct EventTable;
struct VectorLayer;

// From the table's schema and the file's own labels ("# source:/licence:/attribution:/synthetic:"
// comment lines, a source_note column saying SYNTHETIC). Filled in by the event loaders as
// EventTable::prov; call again only after changing `metadata` yourself.
InputProvenance detect_provenance(const EventTable& ev);
// From the layer's metadata (GPKG layer or dataset SOURCE/LICENSE/ATTRIBUTION items, GeoJSON
// "metadata" member, synthetic/illustrative labels). Filled in by read_layer() as VectorLayer::prov.
InputProvenance detect_provenance(const VectorLayer& layer, const std::string& role = "layer");
// From a raster's metadata items (GeoTIFF tags SOURCE/LICENSE/ATTRIBUTION/synthetic).
InputProvenance detect_provenance(const std::map<std::string, std::string>& metadata, const std::string& path,
                                  const std::string& role);

// Merges one input used by an output into that output's metadata: appends to "inputs",
// "input_sources", "attribution", "licences"; ORs "synthetic" (written "true"/"false"); sets
// "illustrative_routes" and the notes. Idempotent for the same input.
void add_input_provenance(std::map<std::string, std::string>& md, const InputProvenance& p);
// The same over a list, starting from empty metadata (synthetic=false when none is synthetic).
std::map<std::string, std::string> provenance_metadata(const std::vector<InputProvenance>& inputs);
// One line for map footers and status bars: "Data: UCDP GED (...) | Natural Earth | ILLUSTRATIVE routes".
std::string attribution_line(const std::vector<InputProvenance>& inputs);

} // namespace nexusmap
