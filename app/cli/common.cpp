#include "cli/common.hpp"
#include "nexusmap/pipeline/spillover.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/habits.hpp"
#include "nexusmap/atomic_file.hpp"
#include "nexusmap/countries.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/precision.hpp"
#include "nexusmap/text.hpp"

namespace fs = std::filesystem;
namespace nexusmap::cli {

void EventArgs::add_to(CLI::App* cmd, bool positional) {
    if (positional) cmd->add_option("EVENTS", file, "Event file: ACLED/UCDP/any CSV, or any OGR point layer")->required();
    auto* g = cmd->add_option_group("Event columns and filters");
    g->add_option("--lat", lat, "Latitude column (default: detected)");
    g->add_option("--lon", lon, "Longitude column (default: detected)");
    g->add_option("--date-col", date, "Date column (default: detected)");
    g->add_option("--weight", weight, "Weight column, or 'auto' for fatalities/best (default: every event counts 1)");
    g->add_option("--type-col", type, "Event type column (default: detected)");
    g->add_option("--from", from, "First date to keep (YYYY-MM-DD)");
    g->add_option("--to", to, "Last date to keep (YYYY-MM-DD, inclusive)");
    g->add_option("--type", types, "Keep only these event types (repeatable)");
    g->add_option("--country", countries,
                  "Keep only these countries (repeatable): ISO alpha-3 code, English or French name, UCDP/ACLED "
                  "spelling (CIV, \"Côte d'Ivoire\", \"Ivory Coast\"); case and accents ignored");
    g->add_flag("--strict", strict, "Fail on the first bad row instead of reporting and skipping it");
    g->add_flag("--month-first", month_first, "Read ambiguous dates as MM/DD/YYYY (default DD/MM/YYYY)");
    g->add_option("--max-precision", max_precision,
                  "Drop events whose location precision code is above N (UCDP where_prec 1-7, ACLED geo_precision 1-3; "
                  "2 keeps point locations only)");
    g->add_option("--precision", precision,
                  "keep: every event at its recorded point (default); spread: each imprecise event's weight spread "
                  "evenly over its admin-2 (UCDP 3), admin-1 (UCDP 4, ACLED 3) or country (UCDP 6) polygon; UCDP 5 and 7 "
                  "excluded")
        ->check(CLI::IsMember({"keep", "spread"}));
    g->add_option("--precision-polygons", precision_polygons,
                  "GeoPackage with admin0/admin1/admin2 layers for --precision spread (default: the bundled basemap)");
    cmd->add_option("--crs", crs, "Analysis CRS: EPSG code, PROJ string, WKT, or laea:LON0,LAT0 (metric, equal-area advised)")
        ->capture_default_str();
}

EventTable EventArgs::load() const {
    EventCsvOptions o;
    o.lat = lat, o.lon = lon, o.date = date, o.weight = weight, o.type = type, o.country = country;
    o.strict = strict;
    o.day_first = !month_first;
    ProgressBar bar("loading");
    auto r = load_events(file, o, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
    if (!quiet) print_summary(r.report.summary());
    EventTable ev = std::move(r.events);
    // The column actually used (e.g. "best" for --weight auto), for outputs' metadata.
    if (auto it = r.report.columns.find("weight"); it != r.report.columns.end()) ev.metadata["weight_column"] = it->second;
    // Filters.
    std::optional<int32_t> d0, d1;
    if (!from.empty()) {
        d0 = parse_date(from);
        if (!d0) throw GeoError("", "--from '" + from + "'", "is not a date (use YYYY-MM-DD)");
    }
    if (!to.empty()) {
        d1 = parse_date(to);
        if (!d1) throw GeoError("", "--to '" + to + "'", "is not a date (use YYYY-MM-DD)");
    }
    if (d0 && d1 && *d1 < *d0) throw GeoError("", "--from/--to", "the window ends before it starts");
    if (d0 || d1 || !types.empty() || !countries.empty()) {
        std::vector<bool> keep(ev.size(), true), country_ok;
        if (!countries.empty()) // any spelling: ISO3, English, French, UCDP/ACLED
            country_ok = match_countries(ev.country_names, countries, CountryTable::load(data_dir() + "/countries/countries.csv"));
        for (size_t i = 0; i < ev.size(); ++i) {
            if ((d0 || d1) && ev.day[i] == kNoDay) keep[i] = false;
            if (d0 && ev.day[i] < *d0) keep[i] = false;
            if (d1 && ev.day[i] > *d1) keep[i] = false;
            if (!types.empty() && std::find(types.begin(), types.end(), ev.type_names[ev.type[i]]) == types.end()) keep[i] = false;
            if (!countries.empty() && !country_ok[ev.country[i]]) keep[i] = false;
        }
        ev = ev.subset(keep);
        if (!quiet) std::cout << "  " << ev.size() << " events after filters\n";
    }
    if (ev.size() == 0) throw GeoError(file, "", "no events left to analyse (check the file and the filters)");
    const Crs acrs = Crs::from_user(crs);
    // Distances, bandwidths and cells are in metres: degrees would give 5000-degree pixels.
    if (acrs.is_geographic())
        throw GeoError("", "--crs '" + crs + "'",
                       "is a geographic CRS (degrees); the analysis needs a projected CRS in metres: use laea:LON,LAT "
                       "centred on the data (e.g. laea:2,12 for the Sahel) or a UTM EPSG code");
    project_events(ev, acrs);
    // Points the CRS cannot represent (outside an orthographic hemisphere, say) come back NaN:
    // counted and reported, then left out, never dropped silently further down.
    std::vector<bool> ok(ev.size(), true);
    size_t nbad = 0, first = 0;
    for (size_t i = 0; i < ev.size(); ++i)
        if (!std::isfinite(ev.x[i]) || !std::isfinite(ev.y[i])) {
            if (!nbad++) first = i;
            ok[i] = false;
        }
    if (nbad) {
        char buf[160];
        std::snprintf(buf, sizeof buf, " (the first: row %u, lon %.6g lat %.6g)", unsigned(ev.row[first]), ev.lon[first], ev.lat[first]);
        const std::string what = std::to_string(nbad) + " of " + std::to_string(ev.size()) +
                                 " events cannot be projected to the analysis CRS '" + crs + "'" + buf;
        if (nbad == ev.size() || strict)
            throw GeoError(file, "", what + "; choose a CRS that covers the data (laea:LON,LAT centred on it)");
        std::cerr << "  warning: " << what << "; they are left out (" << ev.size() - nbad << " events kept)\n";
        ev = ev.subset(ok);
    }
    // Location precision: what the user asked for, else the command's default (precise events).
    PrecisionParams pp;
    pp.max_precision = max_precision >= 0 ? max_precision : default_max_precision;
    pp.spread = precision == "spread";
    std::vector<VectorLayer> polys;
    if (pp.spread) {
        const std::string gpkg = precision_polygons.empty() ? data_dir() + "/basemap/west_africa.gpkg" : precision_polygons;
        const auto names = list_layers(gpkg);
        polys.resize(3);
        for (int l = 0; l < 3; ++l) {
            const std::string nm = "admin" + std::to_string(l);
            if (std::find(names.begin(), names.end(), nm) == names.end()) continue;
            ReadLayerOptions ro;
            ro.layer = nm;
            ro.target_crs = Crs::wgs84();
            polys[size_t(l)] = read_layer(gpkg, ro);
        }
        pp.admin0 = &polys[0], pp.admin1 = &polys[1], pp.admin2 = &polys[2];
    }
    PrecisionResult pr = apply_precision(std::move(ev), pp); // moved, not copied, when all rows stay
    if (!quiet) {
        if (max_precision < 0 && default_max_precision > 0 && !default_precision_reason.empty())
            std::cout << "  " << default_precision_reason << "\n";
        print_summary("  " + pr.summary());
    }
    ev = std::move(pr.events);
    for (auto& [k, v] : pr.metadata()) ev.metadata[k] = v;
    if (max_precision < 0 && default_max_precision > 0) ev.metadata["precision_default"] = default_precision_reason;
    if (ev.size() == 0) throw GeoError(file, "", "no events left after the location-precision rule (" + pr.mode + ")");
    return ev;
}

void old_name_note(const std::string& old_name, const std::string& new_name) {
    std::cerr << "nexusmap: warning: " << old_name << " is an old name of " << new_name
              << " (kept for one release; see the flag table in README.md)\n";
}

CLI::Option* add_old_flag(CLI::App* cmd, const std::string& old_name, const std::string& new_name, bool& target, bool value) {
    return cmd
        ->add_flag_callback(old_name,
                            [&target, value, old_name, new_name] {
                                target = value;
                                old_name_note(old_name, new_name);
                            })
        ->group("");
}

void print_summary(const std::string& text) {
    end_progress_line();
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const std::string low = ascii_lower(line);
        (low.find("warning") != std::string::npos ? std::cerr : std::cout) << line << "\n";
    }
    std::cout.flush(); // seen as it happens, also when stdout is a file or a pipe
}

void check_output(const std::string& out, bool force, const std::vector<std::string>& inputs) {
    // geo compares the files behind FILE:LAYER and layer:FILE:LAYER specs, and every file loaded so far.
    check_output_path(out, force, inputs);
}

OutputFormat check_output(const std::string& out, ProductKind kind, bool force, const std::vector<std::string>& inputs,
                          const std::string& option) {
    const OutputFormat f = check_output_for(out, kind, force, inputs, option);
    if (is_stdout(out)) {
        std::cout.rdbuf(std::cerr.rdbuf()); // restored by run()
        set_stdout_fd(real_stdout_fd() >= 0 ? real_stdout_fd() : 1); // past --quiet/--json capture
    }
    return f;
}

void check_output_stem(const std::string& out, const std::string& what_it_makes, const std::string& option) {
    if (is_stdout(out))
        throw GeoError("", option + " -", "this command writes several files (" + what_it_makes + "); only single-product commands stream to stdout");
    if (const FormatInfo* f = format_for_path(out))
        throw GeoError("", option + " '" + out + "'",
                       std::string("is a ") + f->name + " file name, but this command writes several files (" + what_it_makes +
                           "): give a stem without an extension");
}

BBox parse_bbox(const std::string& s) {
    auto v = parse_numbers(s, "bbox");
    if (v.size() != 4) throw GeoError("", "bbox '" + s + "'", "needs 4 numbers: xmin,ymin,xmax,ymax");
    BBox b{v[0], v[1], v[2], v[3]};
    if (!(b.xmax > b.xmin && b.ymax > b.ymin)) throw GeoError("", "bbox '" + s + "'", "xmax must exceed xmin and ymax exceed ymin");
    return b;
}

// The border group flags, shared with `nexusmap corridors`.
void add_border_groups(CLI::App* cmd, pipeline::BorderGroups& g) {
    cmd->add_option("--admin0", g.admin0, "Admin-0 polygons FILE[:LAYER] with ISO codes (default: bundled basemap:admin0)");
    cmd->add_option("--sahel", g.sahel, "Sahel group, ISO alpha-3 codes")->capture_default_str();
    cmd->add_option("--coastal", g.coastal, "Coastal group, ISO alpha-3 codes (add NGA if wanted)")->capture_default_str();
}

// Distances to borders and routes need event points: precise events unless asked otherwise.
EventTable load_point_events(const EventArgs& ev) {
    if (ev.precision == "spread")
        throw GeoError("", "--precision spread", "not for this analysis: it measures distances of event points (use --max-precision N)");
    EventTable t = ev.load();
    std::printf("location precision: %s%s\n", t.metadata["precision_mode"].c_str(),
                ev.max_precision < 0 ? " (default here: precise events only; --max-precision 7 uses all)" : "");
    return t;
}

} // namespace nexusmap::cli
