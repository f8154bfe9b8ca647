// geo/src/resources.cpp (issue #19): the memory budget (parse, estimate, refuse with size, budget
// and fix), the hot spot estimate counting neighbour weights, the iteration caps, and the input
// path policy (remote paths and non-regular files; the readers' use of it is tested with the
// bad-input corpus in test_bad_inputs.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"

using namespace nexusmap;

namespace {
struct BudgetGuard {
    explicit BudgetGuard(uint64_t b) { set_memory_budget(b); }
    ~BudgetGuard() { set_memory_budget(0); }
};
} // namespace

TEST_CASE("--max-memory sizes: 2G, 512M, 1.5GiB, 800MB, 4096, 25%") {
    CHECK(parse_byte_size("2G") == (uint64_t(2) << 30));
    CHECK(parse_byte_size("512M") == (uint64_t(512) << 20));
    CHECK(parse_byte_size("1.5GiB") == uint64_t(1.5 * (1 << 30)));
    CHECK(parse_byte_size("800MB") == (uint64_t(800) << 20));
    CHECK(parse_byte_size(" 64k ") == uint64_t(64 * 1024));
    CHECK(parse_byte_size("4096") == uint64_t(4096));
    if (physical_memory_bytes() > 0)
        CHECK(parse_byte_size("25%") == uint64_t(double(physical_memory_bytes()) * 0.25));
    for (const char* bad : {"", "G", "-1G", "0", "2X", "nan", "inf", "1e30T", "200%", "2 G B"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_byte_size(bad).has_value());
    }
    CHECK(format_bytes(1536.0 * 1024 * 1024) == "1.5 GiB");
    CHECK(format_bytes(100) == "100 B");
}

TEST_CASE("memory budget: default is half of physical memory; --max-memory overrides it") {
    if (physical_memory_bytes() > 0 && !std::getenv("NEXUSMAP_MAX_MEMORY")) {
        CHECK(memory_budget() == uint64_t(double(physical_memory_bytes()) * kDefaultMemoryFraction));
        CHECK(memory_budget_origin().find("50%") != std::string::npos);
    }
    BudgetGuard g(uint64_t(3) << 20);
    CHECK(memory_budget() == (uint64_t(3) << 20));
    CHECK(memory_budget_origin() == "--max-memory");
}

TEST_CASE("memory budget: refused above the budget with the estimate, the budget and the fix") {
    BudgetGuard g(uint64_t(1) << 20); // 1 MiB
    CHECK_NOTHROW(check_memory(1000.0 * 1024, "small", "fix it"));
    try {
        check_memory(3.0 * 1024 * 1024, "a grid of 1000 x 786 cells", "use a larger --cell-km", "ev.csv");
        FAIL("not refused");
    } catch (const MemoryBudgetError& e) {
        const std::string m = e.what();
        CHECK(m.find("ev.csv") != std::string::npos);
        CHECK(m.find("a grid of 1000 x 786 cells") != std::string::npos);
        CHECK(m.find("3 MiB") != std::string::npos);
        CHECK(m.find("budget of 1 MiB (--max-memory)") != std::string::npos);
        CHECK(m.find("use a larger --cell-km") != std::string::npos);
        CHECK(m.find("raise --max-memory") != std::string::npos);
    }
    // Not a number is never "within budget".
    CHECK_THROWS_AS(check_memory(std::nan(""), "x", ""), MemoryBudgetError);
}

TEST_CASE("hot spot memory estimate counts neighbour weights, not only units") {
    // Independent arithmetic: CSR weights = n*k*(int32 + double) + (n+1) int64 offsets (n*8 here),
    // plus 16 doubles of per-unit statistics.
    CHECK(weights_bytes(1000, 10) == doctest::Approx(1000.0 * 10 * 12 + 1000.0 * 8 + 1000.0 * 128));
    // A band of 5 cells on a fishnet: pi 25 neighbours + self.
    CHECK(band_neighbours(5000, 1000, false) == doctest::Approx(1 + std::numbers::pi * 25));
    // Hexagons s apart cover s^2 sqrt(3)/2 each: more neighbours in the same band.
    CHECK(band_neighbours(5000, 1000, true) == doctest::Approx(1 + std::numbers::pi * 25 / (std::sqrt(3.0) / 2)));
    // The case: --cell-km 0.5 over the demo extent is ~1e7 cells; with a 5 km band (~315
    // neighbours) the weights alone are ~38 GB: the estimate must see that, the units alone do not.
    const double n = 1e7, nb = band_neighbours(5000, 500, false);
    CHECK(hotspot_memory_bytes(n, nb) > 3.5e10);
    BudgetGuard g(uint64_t(2) << 30);
    CHECK_THROWS_AS(check_memory(hotspot_memory_bytes(n, nb), "units", "use a larger --cell-km"), MemoryBudgetError);
}

TEST_CASE("caps: permutations and lags") {
    CHECK(kMaxPermutations >= 9999);
    CHECK(kMaxPermutations < 1000000);
    CHECK(kMaxLags >= 100);
}
