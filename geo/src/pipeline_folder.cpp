// Folder products (pipeline/folder.hpp): the tables and layers of spillover and corridors, written
// the same way by every front end.
#include "nexusmap/pipeline/folder.hpp"

#include <filesystem>

#include "nexusmap/error.hpp"
#include "nexusmap/output.hpp"

namespace nexusmap::pipeline {

namespace fs = std::filesystem;

std::vector<std::string> FolderProduct::files() const {
    std::vector<std::string> f;
    for (auto& t : tables) f.push_back(t.file + ".csv");
    for (auto& l : layers) f.push_back(l.name + ".geojson");
    if (!gpkg.empty()) f.push_back(gpkg);
    return f;
}

void prepare_folder(const std::string& dir, const std::vector<std::string>& names, bool overwrite,
                    const std::vector<std::string>& inputs, const std::string& option) {
    if (is_stdout(dir))
        throw GeoError("", option + " -", "this analysis writes a folder of files; give a folder name");
    if (const FormatInfo* f = format_for_path(dir))
        throw GeoError("", option + " '" + dir + "'",
                       std::string("is a ") + f->name + " file name, but this analysis writes a folder of files: give a stem (a folder name) without an extension");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir)) throw GeoError(dir, "", "cannot create the output folder" + (ec ? ": " + ec.message() : ""));
    for (const auto& n : names) {
        const FormatInfo* fi = format_for_path(n);
        const ProductKind kind = fi && fi->format == OutputFormat::Csv ? ProductKind::Table : ProductKind::Vector;
        check_output_for((fs::path(dir) / n).string(), kind, overwrite, inputs, option);
    }
}

std::vector<std::string> write_folder(const FolderProduct& p, const std::string& dir) {
    std::vector<std::string> written;
    auto path = [&](const std::string& n) { return (fs::path(dir) / n).string(); };
    for (auto& t : p.tables) {
        write_csv(t.table, path(t.file + ".csv"), p.metadata);
        written.push_back(path(t.file + ".csv"));
    }
    for (auto& l : p.layers) {
        write_geojson(l.layer, path(l.name + ".geojson"), p.layer_metadata);
        written.push_back(path(l.name + ".geojson"));
    }
    if (!p.gpkg.empty()) {
        // Every layer and table in one styled GeoPackage (QGIS opens it with the viewer's colours).
        std::vector<GpkgItem> items;
        for (auto& l : p.layers) items.push_back({&l.layer, nullptr, l.name, ""});
        for (auto& t : p.tables) items.push_back({nullptr, &t.table, t.gpkg_name, ""});
        WriteOptions wo;
        wo.metadata = p.layer_metadata;
        write_gpkg_items(items, path(p.gpkg), wo);
        written.push_back(path(p.gpkg));
    }
    return written;
}

} // namespace nexusmap::pipeline
