// libFuzzer target: the date parser (issue #8). Any accepted date must lie in 1800..2200 and
// survive a round trip through format_date (the canonical ISO form).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nexusmap/events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view s(reinterpret_cast<const char*>(data), size);
    for (bool day_first : {true, false}) {
        auto d = nexusmap::parse_date(s, day_first);
        if (!d) continue;
        int y, m, dd;
        nexusmap::civil_from_days(*d, y, m, dd);
        if (y < 1800 || y > 2200 || m < 1 || m > 12 || dd < 1 || dd > 31) std::abort();
        if (nexusmap::days_from_civil(y, m, dd) != *d) std::abort();
        auto again = nexusmap::parse_date(nexusmap::format_date(*d));
        if (!again || *again != *d) std::abort();
    }
    return 0;
}
