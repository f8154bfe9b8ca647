// libFuzzer target: --crs definitions through Crs::from_user (issue #8). Must return a valid CRS
// or throw GeoError. Byte 0 even: our own "laea:LON0,LAT0" syntax; odd: any CRS text.
// PROJ is not instrumented; what is checked is our handling of its answers. This target is slow
// (PROJ builds and prints each CRS: tens of executions per second), so it is kept apart from the
// fast argument parsers in fuzz_cli_args.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "nexusmap/crs.hpp"
#include "nexusmap/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1 || size > 4096) return 0;
    std::string s(reinterpret_cast<const char*>(data + 1), size - 1);
    if (s.find('\0') != std::string::npos) return 0; // a C string cannot carry it anyway
    try {
        if (data[0] % 2 == 0) {
            auto c = nexusmap::Crs::from_user("laea:" + s);
            if (!c.valid() || c.is_geographic()) std::abort();
            return 0;
        }
        // Free text that is none of EPSG code / PROJ string / WKT makes PROJ search its whole name
        // table (~0.5 s per input), which would starve the fuzzer: those inputs are left out.
        size_t k = s.find_first_not_of(" \t\r\n");
        if (k == std::string::npos) k = s.size();
        const bool fast = k == s.size() || s[k] == '+' || (s[k] >= '0' && s[k] <= '9') ||
                          s.compare(k, 5, "EPSG:") == 0 || s.compare(k, 5, "laea:") == 0 ||
                          s.find('[') != std::string::npos;
        if (!fast) return 0;
        auto c = nexusmap::Crs::from_user(s);
        if (!c.valid()) std::abort();
        (void)c.name();
    } catch (const nexusmap::GeoError&) {
    }
    return 0;
}
