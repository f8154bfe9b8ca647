// libFuzzer target: command-line number parsing (issue #8): comma-separated number lists
// (--percent, --bandwidth-km, ...) and bounding boxes (--extent bbox:..., --bbox). Each must
// return finite values or throw GeoError. Byte 0 picks the parser. (--crs: fuzz_crs.cpp.)
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/common.hpp"
#include "nexusmap/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1 || size > 4096) return 0;
    std::string s(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        if (data[0] % 2 == 0) {
            auto v = nexusmap::parse_numbers(s, "--fuzz");
            if (v.empty()) std::abort();
            for (double x : v)
                if (!std::isfinite(x)) std::abort();
        } else {
            auto b = nexusmap::cli::parse_bbox(s);
            if (!(b.xmax > b.xmin && b.ymax > b.ymin) || !std::isfinite(b.xmin) || !std::isfinite(b.ymax)) std::abort();
        }
    } catch (const nexusmap::GeoError&) {
    }
    return 0;
}
