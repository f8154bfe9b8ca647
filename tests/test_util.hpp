#pragma once
// Small helpers shared by the test files.
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "nexusmap/layers.hpp"

namespace testutil {
inline std::string data(const std::string& rel) { return std::string(NEXUSMAP_TEST_DATA) + "/" + rel; }
// ../shared/data/real beside the checkout; empty when absent (tests then skip).
inline std::string shared_real(const std::string& rel) {
    std::filesystem::path p = std::filesystem::path(NEXUSMAP_SOURCE_DIR).parent_path() / "shared/data/real" / rel;
    return std::filesystem::exists(p) ? p.string() : std::string();
}
// A whole file as bytes.
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
inline std::filesystem::path tmpdir(const std::string& name) {
    auto p = std::filesystem::temp_directory_path() / ("nexusmap_test_" + name);
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}
// The bundled basemap's admin0, admin1 and admin2 layers (always present in the repository).
inline std::array<nexusmap::VectorLayer, 3> basemap_admin_layers() {
    const std::string gpkg = std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg";
    std::array<nexusmap::VectorLayer, 3> l;
    for (int k = 0; k < 3; ++k) {
        nexusmap::ReadLayerOptions ro;
        ro.layer = "admin" + std::to_string(k);
        l[size_t(k)] = nexusmap::read_layer(gpkg, ro);
    }
    return l;
}
} // namespace testutil
