#include "viewer/png_io.hpp"

#include "nexusmap/atomic_file.hpp"

#include <png.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace nexusmap::viewer {

namespace {
struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};
} // namespace

void write_png(const std::string& path, const Image& img) {
    if (img.width <= 0 || img.height <= 0 || img.rgba.size() != size_t(img.width) * img.height * 4)
        throw std::runtime_error("write_png: bad image");
    // Write to a temporary beside the target and move it into place, so a reader never sees half
    // a PNG (and never a PNG over an input: geo's AtomicFile refuses those).
    nexusmap::AtomicFile out(path);
    const std::string& tmp = out.temp_path();
    {
        std::unique_ptr<FILE, FileCloser> f(std::fopen(tmp.c_str(), "wb"));
        if (!f) throw std::runtime_error("cannot write " + path);
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
        png_infop info = png ? png_create_info_struct(png) : nullptr;
        if (!png || !info) {
            png_destroy_write_struct(&png, &info);
            throw std::runtime_error("libpng: out of memory");
        }
        if (setjmp(png_jmpbuf(png))) {
            png_destroy_write_struct(&png, &info);
            throw std::runtime_error("libpng failed writing " + path);
        }
        png_init_io(png, f.get());
        png_set_IHDR(png, info, png_uint_32(img.width), png_uint_32(img.height), 8, PNG_COLOR_TYPE_RGBA,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        for (int y = 0; y < img.height; ++y)
            png_write_row(png, img.rgba.data() + size_t(y) * img.width * 4);
        png_write_end(png, nullptr);
        png_destroy_write_struct(&png, &info);
    }
    out.commit();
}

Image read_png(const std::string& path) {
    png_image im{};
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path.c_str()))
        throw std::runtime_error("cannot read PNG " + path + ": " + im.message);
    im.format = PNG_FORMAT_RGBA;
    Image out;
    out.width = int(im.width);
    out.height = int(im.height);
    out.rgba.resize(PNG_IMAGE_SIZE(im));
    if (!png_image_finish_read(&im, nullptr, out.rgba.data(), 0, nullptr)) {
        png_image_free(&im);
        throw std::runtime_error("cannot decode PNG " + path + ": " + im.message);
    }
    return out;
}

} // namespace nexusmap::viewer
