#pragma once
// Small helpers shared by the test files.
#include <filesystem>
#include <string>

namespace testutil {
inline std::string data(const std::string& rel) { return std::string(NEXUSMAP_TEST_DATA) + "/" + rel; }
// ../shared/data/real beside the checkout; empty when absent (tests then skip).
inline std::string shared_real(const std::string& rel) {
    std::filesystem::path p = std::filesystem::path(NEXUSMAP_SOURCE_DIR).parent_path() / "shared/data/real" / rel;
    return std::filesystem::exists(p) ? p.string() : std::string();
}
inline std::filesystem::path tmpdir(const std::string& name) {
    auto p = std::filesystem::temp_directory_path() / ("nexusmap_test_" + name);
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}
} // namespace testutil
