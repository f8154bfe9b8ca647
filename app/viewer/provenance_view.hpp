#pragma once
// What the viewer says about its data (banner, status bar, attribution line), from the inputs
// loaded right now, each with its own provenance. Pure logic (tested without a display):
// Document::inputs() is recomputed every frame, so adding, removing or replacing a layer updates it.
#include <string>
#include <vector>

#include "nexusmap/provenance.hpp"

namespace nexusmap::viewer {

struct DataBanner {
    bool synthetic = false;    // a synthetic input is loaded: the red banner
    bool illustrative = false; // illustrative routes are loaded
    bool ucdp = false;         // UCDP events are loaded: their attribution is shown
    std::string banner;        // "" or the red banner's text
    std::string status;        // status bar: "real inputs | UCDP GED (...) | Natural Earth"
    std::string attribution;   // attribution_line()
};

inline DataBanner data_banner(const std::vector<InputProvenance>& inputs) {
    DataBanner b;
    for (const auto& p : inputs) {
        b.synthetic = b.synthetic || p.synthetic;
        b.illustrative = b.illustrative || p.illustrative;
        b.ucdp = b.ucdp || (p.ucdp() && !p.synthetic);
    }
    if (b.synthetic) b.banner = "SYNTHETIC DEMO DATA - not real events";
    b.attribution = attribution_line(inputs);
    if (!inputs.empty())
        b.status = std::string(b.synthetic ? "SYNTHETIC input loaded" : "real inputs") +
                   (b.illustrative ? ", illustrative routes" : "") + (b.attribution.empty() ? "" : "  |  " + b.attribution);
    return b;
}

} // namespace nexusmap::viewer
