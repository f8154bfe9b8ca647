// `nexusmap info FILE`: what gdalinfo / ogrinfo -so report (driver, CRS identified to EPSG, extent,
// size, pixel size, bands with type/nodata/description, layers with geometry type, feature count
// and typed fields), and for event sources what the event loader makes of them. `-` reads an event
// CSV from standard input. --json: the same as one JSON object.
#include <filesystem>
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "cli/habits.hpp"
#include "nexusmap/dataset_info.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::cli {

namespace {
std::string events_json(const EventLoadResult& r) {
    nlohmann::ordered_json j;
    j["schema"] = r.report.schema;
    j["records"] = r.report.records;
    j["loaded"] = r.report.loaded;
    j["columns"] = r.report.columns;
    j["rows_not_loaded"] = r.report.by_reason;
    j["warnings"] = r.report.warnings;
    const auto dr = r.events.day_range();
    j["dates"] = dr[0] == kNoDay ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json({format_date(dr[0]), format_date(dr[1])});
    j["event_types"] = r.events.type_names;
    j["countries"] = r.events.country_names;
    j["synthetic"] = r.events.synthetic;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_events(const EventLoadResult& r) {
    std::cout << r.report.summary(10);
    auto dr = r.events.day_range();
    if (dr[0] != kNoDay) std::cout << "dates: " << format_date(dr[0]) << " .. " << format_date(dr[1]) << "\n";
    std::cout << "event types: " << r.events.type_names.size() << "; countries: " << r.events.country_names.size()
              << "; synthetic: " << (r.events.synthetic ? "yes (SYNTHETIC DATA)" : "no") << "\n";
}
} // namespace

void add_info(CLI::App& app) {
    auto* cmd = app.add_subcommand("info", "Describe a raster, vector or event file (as gdalinfo / ogrinfo -so), with "
                                           "the event columns found; '-' reads an event CSV from standard input");
    auto file = std::make_shared<std::string>();
    cmd->add_option("FILE", *file, "File to describe ('-': an event CSV on standard input)")->required();
    cmd->callback([file] {
        const bool json = habits().json;
        const std::string ext = ascii_lower(std::filesystem::path(*file).extension().string());
        const bool csv = *file == "-" || ext == ".csv" || ext == ".tsv" || ext == ".txt";
        // The file as GDAL sees it (CSV event files are described by the event loader only: OGR's
        // CSV driver would type every column as String).
        std::optional<DatasetDescription> d;
        std::optional<GeoError> gdal_error;
        if (!csv) {
            try {
                d = describe_dataset(*file);
            } catch (const GeoError& e) {
                gdal_error = e;
            }
        }
        if (d) {
            if (json) json_field("dataset", d->json());
            else std::cout << d->text();
        }
        // Event-schema detection: for CSVs, standard input, ACLED JSON/XLSX and point layers.
        const bool maybe_events = csv || !d || !d->raster;
        if (!maybe_events) return;
        try {
            const EventLoadResult r = load_events(*file);
            if (json) json_field("events", events_json(r));
            else print_events(r);
        } catch (const GeoError& e) {
            if (!d && gdal_error) throw *gdal_error; // GDAL's reason, not the event loader's
            if (!d) throw;
            if (json) json_field("events", "null");
            else std::cout << "events: not an event layer (" << e.what_ << ")\n";
        }
    });
}

} // namespace nexusmap::cli
