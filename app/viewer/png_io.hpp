#pragma once
// Minimal PNG read/write (libpng) for screenshots and the screenshot test's pixel probes.
#include <cstdint>
#include <string>
#include <vector>

namespace nexusmap::viewer {

struct Image {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba; // top row first
};

// Writes RGBA8 (top row first). Throws std::runtime_error.
void write_png(const std::string& path, const Image& img);
// Reads any PNG as RGBA8 (top row first). Throws std::runtime_error.
Image read_png(const std::string& path);

} // namespace nexusmap::viewer
