#pragma once
// The events an analysis panel runs on, as the command line would load them: the rows passing the
// viewer's filters (time window, types, countries, actors, fatalities), with every column present,
// and for analyses that measure distances of event points the command line's precision default
// (precise events only) applied with the same metadata. GL-free (nexusmap_viewer_core).
#include <string>

#include "nexusmap/events.hpp"
#include "viewer/document.hpp"

namespace nexusmap::viewer {

// The rows passing the filters; columns a table built elsewhere lacks are padded first.
EventTable filtered_events(const EventSet& ev);

// filtered_events() with the viewer's location-precision choice applied as the command line records
// it (points kept, or precise only), unless spreading already did.
EventTable analysis_events(const EventSet& ev);

// filtered_events() with precise locations only (UCDP where_prec / ACLED geo_precision <= 2, unknown
// kept), recorded as `nexusmap <analysis>` records it (precision_mode, precision_default, ...).
EventTable point_events(const EventSet& ev, const std::string& analysis);

} // namespace nexusmap::viewer
