#pragma once
// Products written as a folder (spillover, corridors): every table as CSV (with its .csv.json
// metadata and .csvt), every layer as GeoJSON with simplestyle colours, and all of them in one
// styled GeoPackage. The command line and the viewer write a product through write_folder(), so
// their folders hold the same files with the same bytes (but the `created` stamp).
#include <string>
#include <vector>

#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"

namespace nexusmap::pipeline {

struct FolderProduct {
    struct Layer {
        std::string name; // NAME.geojson and the GeoPackage layer NAME
        VectorLayer layer; // styled (simplestyle properties)
    };
    struct TableItem {
        std::string file;      // FILE.csv
        std::string gpkg_name; // its table in the GeoPackage
        Table table;
    };
    std::vector<TableItem> tables;
    std::vector<Layer> layers;
    std::string gpkg;        // "spillover.gpkg"
    Metadata metadata;       // of the tables: provenance and every parameter as run
    Metadata layer_metadata; // of the layers: the same plus a "style" note
    std::vector<std::string> summary; // what a front end prints or shows (one line each)
    std::vector<std::string> files() const; // file names, in writing order
};

// Checks every FILE of `names` in `dir` before any work (output registry: the extension fits the
// kind, nothing existing is replaced without `overwrite`, no input is a target); creates `dir`.
void prepare_folder(const std::string& dir, const std::vector<std::string>& names, bool overwrite,
                    const std::vector<std::string>& inputs, const std::string& option);

// Writes every file atomically (open an OutputSet around it for an all-or-nothing folder);
// returns the paths written.
std::vector<std::string> write_folder(const FolderProduct& p, const std::string& dir);

} // namespace nexusmap::pipeline
