// libFuzzer target: the event CSV reader on arbitrary bytes (issue #8).
// Every input must either load (with bad rows reported) or throw GeoError; nothing else.
// The first byte picks reader options so that strict mode, month-first dates and forced
// delimiters are explored too; the rest is the file text.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    nexusmap::EventCsvOptions o;
    const uint8_t sel = data[0];
    o.strict = sel & 1;
    o.day_first = !(sel & 2);
    o.swap_check = !(sel & 4);
    static const char delims[] = {0, ',', ';', '\t'};
    o.delimiter = delims[(sel >> 3) & 3];
    if (sel & 32) o.weight = "auto";
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        auto r = nexusmap::parse_events_csv(text, "fuzz.csv", o);
        const auto& ev = r.events;
        // Invariants: parallel columns (admin1/actor are empty when the file has no such column),
        // every loaded row has finite in-range lon/lat.
        if (ev.lat.size() != ev.size() || ev.day.size() != ev.size() || ev.weight.size() != ev.size() ||
            ev.type.size() != ev.size() || ev.row.size() != ev.size() ||
            (!ev.admin1.empty() && ev.admin1.size() != ev.size()) || (!ev.actor.empty() && ev.actor.size() != ev.size()))
            std::abort();
        if (r.report.loaded != ev.size()) std::abort();
        for (size_t i = 0; i < ev.size(); ++i) {
            if (!std::isfinite(ev.lat[i]) || !std::isfinite(ev.lon[i]) || std::fabs(ev.lat[i]) > 90 ||
                std::fabs(ev.lon[i]) > 180)
                std::abort();
            if (ev.type[i] >= ev.type_names.size() || ev.country[i] >= ev.country_names.size()) std::abort();
            if (!std::isfinite(ev.weight[i]) || ev.weight[i] < 0) std::abort();
        }
        (void)r.report.summary();
    } catch (const nexusmap::GeoError&) {
    }
    return 0;
}
