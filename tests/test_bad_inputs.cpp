// The bad-input corpus (tests/data/bad/, issue #8): every file has its exact expected outcome in
// the table below. A file either loads (with so many rows/features and so many reported bad rows
// or warnings, one of which names the problem) or throws GeoError whose message names the file and
// the problem. Never a crash, a hang or another exception type. The same files are run through the
// real program by tests/cli/test_bad_corpus_cli.sh (exit 0 or 1, never a signal); the fuzz targets
// in tests/fuzz/ cover the CSV/date/argument parsers on arbitrary bytes (scripts/fuzz.sh).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cfloat>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/resources.hpp"
#include "test_util.hpp"

using namespace nexusmap;
namespace fs = std::filesystem;

namespace {

enum class Api {
    Events,  // load_events (CSV reader, or OGR points mapped to events)
    Layer,   // read_layer
    Inspect, // inspect_dataset (what `nexusmap info` shows for non-CSV files)
    Raster,  // read_raster
};
const char* api_name(Api a) {
    switch (a) {
    case Api::Events: return "load_events";
    case Api::Layer: return "read_layer";
    case Api::Inspect: return "inspect_dataset";
    default: return "read_raster";
    }
}

constexpr long kThrows = -1;

struct Case {
    const char* file; // in tests/data/bad/
    Api api;
    // Rows loaded (Events), features kept (Layer), layers (Inspect), cells (Raster); kThrows = must throw GeoError.
    long count;
    // Events: rows reported as bad. Layer: warnings. Inspect/Raster: unused (0).
    long issues;
    // Throws: a piece of the error message (the file name is always checked too). Loads: a piece of
    // one bad-row reason / warning that must be present ("" = none needed).
    const char* says;
};

// clang-format off
const Case kCases[] = {
    // ---- event CSVs: empty, binary, headers ----------------------------------------------------
    {"empty.csv",                    Api::Events, kThrows, 0, "file is empty (0 bytes)"},
    {"whitespace_only.csv",          Api::Events, kThrows, 0, "no header row"},
    {"comment_only.csv",             Api::Events, kThrows, 0, "no header row"},
    {"header_only.csv",              Api::Events, 0, 0, ""},
    {"binary_garbage.csv",           Api::Events, kThrows, 0, "looks like a binary file"},
    {"utf16le_bom.csv",              Api::Events, kThrows, 0, "looks like a binary file"},
    {"no_coordinate_columns.csv",    Api::Events, kThrows, 0, "no latitude/longitude (or WKT) columns"},
    {"only_delimiters.csv",          Api::Events, kThrows, 0, "no latitude/longitude (or WKT) columns"},
    // ---- event CSVs: encodings, line endings, quoting, shape ---------------------------------
    {"bom_crlf.csv",                 Api::Events, 5, 0, ""},
    {"lone_cr.csv",                  Api::Events, 4, 0, ""},
    {"quoted_newlines.csv",          Api::Events, 3, 0, ""},
    {"unterminated_quote.csv",       Api::Events, 2, 1, "unterminated quote"},  // resumes on the next line (issue #19)
    {"ragged_rows.csv",              Api::Events, 2, 2, "wrong number of fields"},
    {"duplicate_headers.csv",        Api::Events, 2, 0, "duplicate column 'latitude'"},
    {"non_utf8_attributes.csv",      Api::Events, 2, 0, ""},
    {"semicolon_decimal_comma.csv",  Api::Events, 2, 0, ""},
    {"tab_delimited.tsv",            Api::Events, 2, 0, ""},
    {"control_chars.csv",            Api::Events, 1, 2, "unparsable coordinates"},
    // ---- event CSVs: values --------------------------------------------------------------------
    {"mixed_date_formats.csv",       Api::Events, 9, 5, "unparsable date"},
    {"nan_inf_coordinates.csv",      Api::Events, 1, 5, "non-finite coordinates"},
    {"huge_coordinates.csv",         Api::Events, 2, 4, "coordinates out of range"},
    {"null_island.csv",              Api::Events, 1, 2, "null island"},
    {"swapped_latlon.csv",           Api::Events, 30, 3, "latitude/longitude swapped"},
    {"year_month_day_nan.csv",       Api::Events, 1, 4, "unparsable date"},
    {"huge_fatalities.csv",          Api::Events, 1, 3, "invalid fatalities"},
    {"wkt_points.csv",               Api::Events, 2, 3, "unparsable WKT point"},
    {"ucdp_bad_codes.csv",           Api::Events, 2, 1, "invalid fatalities"},
    {"two_digit_years.csv",          Api::Events, 1, 3, "unparsable date"},     // not 20xx (issue #19)
    {"dates_with_bad_suffixes.csv",  Api::Events, 2, 4, "unparsable date"},     // -YYYY, bad time, trailing text
    // ---- GeoJSON -------------------------------------------------------------------------------
    {"zero_byte.geojson",            Api::Layer, kThrows, 0, "file is empty (0 bytes)"},
    {"truncated.geojson",            Api::Layer, kThrows, 0, "not a readable vector dataset"},
    {"invalid_json.geojson",         Api::Layer, kThrows, 0, "not a readable vector dataset"},
    {"not_geojson_array.geojson",    Api::Layer, kThrows, 0, "not a readable vector dataset"},
    {"binary_garbage.geojson",       Api::Layer, kThrows, 0, "not a readable vector dataset"},
    {"deep_nesting.geojson",         Api::Layer, kThrows, 0, "not a readable vector dataset"},
    {"empty_feature_collection.geojson", Api::Layer, 0, 0, ""},
    {"null_geometries.geojson",      Api::Layer, 2, 0, ""},
    {"infinite_coordinates.geojson", Api::Layer, 1, 1, "NaN, infinite or absurd coordinates"},
    {"huge_coordinates.geojson",     Api::Layer, 2, 1, "NaN, infinite or absurd coordinates"},
    {"mixed_geometry_types.geojson", Api::Layer, 3, 2, "like the rest of the layer; skipped"},
    {"self_intersecting_polygon.geojson", Api::Layer, 2, 1, "repaired with GEOS MakeValid"},
    {"unclosed_polygon.geojson",     Api::Layer, 2, 0, ""},
    {"degenerate_polygon.geojson",   Api::Layer, 1, 2, "has no area after repair; skipped"},
    {"non_utf8_properties.geojson",  Api::Layer, 1, 0, ""},
    {"unknown_crs.geojson",          Api::Layer, 1, 0, ""},
    {"swapped_points.geojson",       Api::Events, 20, 1, "latitude/longitude swapped"},
    {"lines_as_events.geojson",      Api::Events, kThrows, 0, "holds lines (1 feature), not points"},
    {"empty_feature_collection.geojson", Api::Events, kThrows, 0, "contains no features (an empty layer)"},
    {"null_geometries.geojson",      Api::Events, kThrows, 0, "none of its 2 features has a geometry"},
    {"points_null_geometry.geojson", Api::Events, 2, 3, "null or empty geometry"},  // counted, by FID (issue #19)
    {"points_null_geometry.geojson", Api::Layer, 5, 0, ""},
    {"infinite_coordinates.geojson", Api::Events, 1, 0, "NaN, infinite or absurd coordinates"},
    // ---- Shapefile, GeoPackage, KML ------------------------------------------------------------
    {"noprj_projected.shp",          Api::Layer, kThrows, 0, "declares no CRS and its coordinates are not lon/lat"},
    {"noprj_lonlat.shp",             Api::Layer, 5, 1, "no CRS declared; coordinates look like lon/lat"},
    {"garbage_prj.shp",              Api::Layer, 2, 1, "no CRS declared"},
    {"truncated_shp.shp",            Api::Layer, 20, 1, "no CRS declared"},  // see the subcase below
    {"zero_byte.gpkg",               Api::Layer, kThrows, 0, "file is empty (0 bytes)"},
    {"garbage.gpkg",                 Api::Layer, kThrows, 0, "not a readable vector dataset"},
    {"malformed.kml",                Api::Layer, kThrows, 0, "not a readable vector dataset"},
    {"empty.kml",                    Api::Layer, kThrows, 0, "contains no vector layer"},
    {"garbage_prj.prj",              Api::Inspect, kThrows, 0, "not a dataset GDAL can read"},
    {"binary_garbage.geojson",       Api::Inspect, kThrows, 0, "not a dataset GDAL can read"},
    {"noprj_projected.shp",          Api::Inspect, 1, 0, ""},
    {"huge_dimensions.tif",          Api::Inspect, 0, 0, ""},
    {"sparse_30000x30000.tif",       Api::Inspect, 0, 0, ""},   // read: see the memory-budget case below
    {"vrt_of_local_tif.vrt",         Api::Inspect, kThrows, 0, "not a dataset GDAL can read"}, // VRT driver not registered
    // ---- rasters -------------------------------------------------------------------------------
    {"good_small.tif",               Api::Raster, 12, 0, ""},
    {"truncated.tif",                Api::Raster, kThrows, 0, "cannot open as a raster"},
    {"garbage.tif",                  Api::Raster, kThrows, 0, "cannot open as a raster"},
    {"rotated.tif",                  Api::Raster, kThrows, 0, "only north-up rasters with square cells"},
    {"rectangular_cells.tif",        Api::Raster, kThrows, 0, "only north-up rasters with square cells"},
    {"no_geotransform.tif",          Api::Raster, kThrows, 0, "has no geotransform"},
    {"huge_dimensions.tif",          Api::Raster, kThrows, 0, "too large to read"},
    {"huge_geotransform.tif",        Api::Raster, kThrows, 0, "unusable geotransform"}, // 1e-5 cells at 1e20 (issue #19)
    {"vrt_of_local_tif.vrt",         Api::Raster, kThrows, 0, "cannot open as a raster"},
    {"empty.csv",                    Api::Raster, kThrows, 0, "cannot open as a raster"},
};
// clang-format on

struct Outcome {
    bool threw = false;
    std::string message;
    long count = 0, issues = 0;
    std::vector<std::string> notes; // bad-row reasons or warnings
};

Outcome run_case(const std::string& path, Api api) {
    Outcome o;
    try {
        switch (api) {
        case Api::Events: {
            auto r = load_events(path);
            o.count = static_cast<long>(r.events.size());
            o.issues = static_cast<long>(r.report.bad.size());
            for (auto& b : r.report.bad) o.notes.push_back(b.reason);
            for (auto& w : r.report.warnings) o.notes.push_back(w);
            // Whatever loads is usable: finite, in range, columns parallel.
            for (size_t i = 0; i < r.events.size(); ++i) {
                CHECK(std::isfinite(r.events.lat[i]));
                CHECK(std::isfinite(r.events.lon[i]));
                CHECK(std::fabs(r.events.lat[i]) <= 90);
                CHECK(std::isfinite(r.events.fatalities[i]));
                CHECK(std::isfinite(r.events.weight[i]));
            }
            CHECK(r.events.day.size() == r.events.size());
            (void)r.report.summary(); // must not throw
            break;
        }
        case Api::Layer: {
            auto l = read_layer(path);
            o.count = static_cast<long>(l.features.size());
            o.issues = static_cast<long>(l.warnings.size());
            o.notes = l.warnings;
            CHECK(l.crs.valid());
            for (auto& f : l.features)
                for (auto& p : f.geom.points) CHECK((std::isfinite(p.x) && std::isfinite(p.y)));
            break;
        }
        case Api::Inspect: {
            auto i = inspect_dataset(path);
            o.count = static_cast<long>(i.layers.size());
            break;
        }
        case Api::Raster: {
            auto r = read_raster(path);
            o.count = static_cast<long>(r.data.size());
            CHECK(r.data.size() == r.grid.size());
            break;
        }
        }
    } catch (const GeoError& e) {
        o.threw = true;
        o.message = e.what();
    }
    // Any other exception type escapes and fails the test case: that is the point.
    return o;
}

std::string bad(const std::string& f) { return testutil::data("bad/" + f); }

} // namespace

TEST_CASE("bad-input corpus: every file has its exact expected outcome") {
    std::set<std::string> covered;
    for (const Case& c : kCases) {
        covered.insert(c.file);
        const std::string path = bad(c.file);
        const std::string file = c.file, api = api_name(c.api);
        CAPTURE(file);
        CAPTURE(api);
        REQUIRE(fs::exists(path));
        Outcome o = run_case(path, c.api);
        std::string notes;
        for (auto& n : o.notes) notes += "\n    " + n;
        INFO("outcome: ", (o.threw ? "threw: " + o.message : "loaded " + std::to_string(o.count) + ", issues " + std::to_string(o.issues) + notes));
        if (c.count == kThrows) {
            CHECK(o.threw);
            CHECK(o.message.find(c.file) != std::string::npos);  // names the file
            CHECK(o.message.find(c.says) != std::string::npos);  // and the problem
        } else {
            REQUIRE_FALSE(o.threw);
            CHECK(o.count == c.count);
            if (c.api == Api::Events || c.api == Api::Layer) CHECK(o.issues == c.issues);
            if (*c.says) {
                bool found = false;
                for (auto& n : o.notes) found = found || n.find(c.says) != std::string::npos;
                CHECK(found);
            }
        }
    }
    // Every corpus file (companion files of a shapefile aside) appears in the table.
    size_t n = 0;
    for (auto& e : fs::directory_iterator(testutil::data("bad"))) {
        ++n;
        const std::string name = e.path().filename().string(), ext = e.path().extension().string();
        if (ext == ".shx" || ext == ".dbf" || (ext == ".prj" && name != "garbage_prj.prj")) continue;
        CAPTURE(name);
        CHECK(covered.count(name) == 1);
    }
    CHECK(n >= 40);
}

TEST_CASE("bad-input corpus: specific outcomes") {
    SUBCASE("mixed date formats: which ones are read and as what") {
        auto r = load_events(bad("mixed_date_formats.csv"));
        std::vector<std::string> got;
        for (int32_t d : r.events.day) got.push_back(format_date(d));
        // ISO, day-month-name, month-name-day, dd-Mon-yyyy, dd/mm (day first), mm/dd (unambiguous),
        // ISO with slashes and a time, yyyymmdd, yyyy-mm (first of month).
        CHECK(got == std::vector<std::string>{"2021-03-12", "2021-03-12", "2021-03-12", "2021-03-12", "2021-03-12",
                                              "2021-03-15", "2021-03-12", "2021-03-12", "2021-03-01"});
    }
    SUBCASE("BOM + CRLF: the BOM is not part of the first column name, no \\r in values") {
        auto r = load_events(bad("bom_crlf.csv"));
        CHECK(r.report.schema == "ACLED");
        CHECK(r.report.columns.at("date") == "event_date");
        for (auto& a : r.events.admin1) CHECK(a.find('\r') == std::string::npos);
    }
    SUBCASE("quoted newlines stay inside their field; line numbers count physical lines") {
        auto r = load_events(bad("quoted_newlines.csv"));
        REQUIRE(r.events.size() == 3);
        CHECK(r.events.row == std::vector<uint32_t>{2, 4, 6});
    }
    SUBCASE("non-UTF-8 attribute bytes are kept as they are") {
        auto r = load_events(bad("non_utf8_attributes.csv"));
        REQUIRE(r.events.size() == 2);
        CHECK(r.events.admin1[0] == "S\xe9gou");
    }
    SUBCASE("self-intersecting polygon: repaired, valid, area of the two triangles") {
        auto l = read_layer(bad("self_intersecting_polygon.geojson"));
        REQUIRE(l.features.size() == 2);
        CHECK(is_valid(l.features[0].geom));
        CHECK(area(l.features[0].geom) == doctest::Approx(2.0));
    }
    SUBCASE("unclosed polygon ring is closed on load") {
        auto l = read_layer(bad("unclosed_polygon.geojson"));
        REQUIRE(l.features.size() == 2);
        const Ring& r = l.features[0].geom.polygons.at(0).rings.at(0);
        CHECK(r.front().x == r.back().x);
        CHECK(r.front().y == r.back().y);
        CHECK(area(l.features[0].geom) == doctest::Approx(1.0));
    }
    SUBCASE("truncated .shp: the records past the end come back without geometry (GDAL reads the .shx)") {
        auto l = read_layer(bad("truncated_shp.shp"));
        REQUIRE(l.features.size() == 20);
        size_t with_geom = 0;
        for (auto& f : l.features) with_geom += !f.geom.empty();
        CHECK(with_geom == 1);
        CHECK(l.features[0].geom.points.at(0).x == doctest::Approx(-1.5));
    }
    SUBCASE("shapefile without .prj and projected coordinates: usable once a CRS is given") {
        ReadLayerOptions o;
        o.assume_crs = Crs::from_user("EPSG:32630");
        o.target_crs = Crs::wgs84();
        auto l = read_layer(bad("noprj_projected.shp"), o);
        REQUIRE(l.features.size() == 5);
        CHECK(l.features[0].geom.points[0].x == doctest::Approx(-3.0).epsilon(0.01)); // 500 km E in UTM 30N
    }
}

// Regressions for what the corpus and the fuzzers found (named after what broke).
TEST_CASE("regression: year/month/day columns holding NaN are unparsable dates, not INT_MIN") {
    auto r = parse_events_csv("latitude,longitude,year,month,day\n13,-1,nan,3,12\n13,-1,2021,NaN,1\n13,-1,2021,3,nan\n",
                              "ymd.csv");
    CHECK(r.events.size() == 0);
    REQUIRE(r.report.bad.size() == 3);
    for (auto& b : r.report.bad) {
        CHECK(b.reason == "unparsable date");
        CHECK(b.detail.find("2147483648") == std::string::npos);
    }
}

TEST_CASE("regression: fatalities or weights beyond float range are rejected, not turned into inf") {
    auto r = parse_events_csv("latitude,longitude,fatalities\n13,-1,1e300\n13,-1,3.5e38\n13,-1,5\n", "fat.csv");
    CHECK(r.events.size() == 1);
    CHECK(r.report.by_reason["invalid fatalities"] == 2);
    EventCsvOptions o;
    o.weight = "w";
    auto r2 = parse_events_csv("latitude,longitude,w\n13,-1,1e39\n13,-1,2\n", "w.csv", o);
    CHECK(r2.events.size() == 1);
    CHECK(r2.report.by_reason["unparsable weight"] == 1);
}

TEST_CASE("regression: ISO dates with slashes keep working when a time follows") {
    CHECK(parse_date("2021/03/12 10:15") == parse_date("2021-03-12"));
    CHECK(parse_date("2021/03/12T10:15:00Z") == parse_date("2021-03-12"));
}

TEST_CASE("regression: a raster whose header claims 1e10 cells is refused before allocating") {
    CHECK_THROWS_WITH_AS(read_raster(bad("huge_dimensions.tif")), doctest::Contains("too large to read"), GeoError);
}

TEST_CASE("a 1 MB single-line file (generated here, not committed)") {
    auto dir = testutil::tmpdir("bad_one_line");
    const std::string path = (dir / "one_line_1mb.csv").string();
    {
        std::ofstream o(path, std::ios::binary);
        std::string s;
        for (int i = 0; s.size() < (1u << 20); ++i) s += (i ? "," : "") + std::string("col") + std::to_string(i);
        s.resize(1u << 20);
        o << s;
    }
    REQUIRE(fs::file_size(path) == (1u << 20));
    CHECK_THROWS_WITH_AS(load_events(path), doctest::Contains("one_line_1mb.csv: header: no latitude/longitude"), GeoError);
    // The same size with real columns and one enormous quoted field: one row, loaded.
    {
        std::ofstream o(path, std::ios::binary);
        o << "latitude,longitude,notes\n13.1,-1.5,\"" << std::string((1u << 20) - 40, 'x') << "\"";
    }
    auto r = load_events(path);
    CHECK(r.events.size() == 1);
    CHECK(r.events.lat[0] == doctest::Approx(13.1));
    // As an OGR source it is a table of one row without geometry: read, not refused.
    CHECK(read_layer(path).features.size() == 1);
}

TEST_CASE("CLI argument parsers refuse bad numbers, boxes and CRSs with GeoError") {
    using namespace nexusmap::cli;
    CHECK(parse_numbers("1, 2 ,3", "x") == std::vector<double>{1, 2, 3});
    for (const char* s : {"", ",", "1,,2", "nan", "inf", "1e999", "0x10", "1 2", "--1", "1,2,"})
        CHECK_THROWS_AS(parse_numbers(s, "x"), GeoError);
    CHECK_THROWS_WITH_AS(parse_bbox("1,2,3"), doctest::Contains("needs 4 numbers"), GeoError);
    CHECK_THROWS_WITH_AS(parse_bbox("1,2,1,3"), doctest::Contains("xmax must exceed xmin"), GeoError);
    for (const char* s : {"", "   ", "EPSG:999999", "laea:", "laea:nan,0", "laea:1,2,3", "laea:200,0", "+proj=nonsense",
                          "GEOGCRS[", "not a crs", "+proj=pipeline +step +proj=unitconvert"})
        CHECK_THROWS_AS(Crs::from_user(s), GeoError);
    CHECK(Crs::from_user(" 4326 ").is_geographic());
}

// ---- issue #19: bounded resources and local-only inputs -----------------------------------------

// Restores the default memory budget when a test that lowered it ends (also on failure).
struct BudgetGuard {
    explicit BudgetGuard(uint64_t b) { set_memory_budget(b); }
    ~BudgetGuard() { set_memory_budget(0); }
};

TEST_CASE("memory budget: a sparse TIFF declaring 30000x30000 is refused before allocating") {
    // 30000 x 30000 float32 = 3.35 GiB; with a 1 GiB budget the read is refused up front (the test
    // never allocates it). The message names the file, the estimate, the budget and the fix.
    BudgetGuard g(uint64_t(1) << 30);
    try {
        read_raster(bad("sparse_30000x30000.tif"));
        FAIL("not refused");
    } catch (const MemoryBudgetError& e) {
        const std::string m = e.what();
        CHECK(m.find("sparse_30000x30000.tif") != std::string::npos);
        CHECK(m.find("3.35 GiB") != std::string::npos);
        CHECK(m.find("budget of 1 GiB") != std::string::npos);
        CHECK(m.find("--max-memory") != std::string::npos);
        CHECK(e.bytes_needed == doctest::Approx(30000.0 * 30000.0 * 4));
    }
}

TEST_CASE("refuses /vsicurl/ inputs") {
    // Each reader refuses before GDAL sees the path (no network layer is reached), naming it.
    const std::string urls[] = {"/vsicurl/http://example.invalid/a.tif",
                                "/vsizip//vsicurl/http://example.invalid/a.zip/a.shp",
                                "/vsis3/bucket/a.gpkg",
                                "/VSIGS/bucket/a.tif",
                                "/vsiaz/c/a.tif",
                                "https://example.invalid/events.csv",
                                "http://example.invalid/a.geojson",
                                "ftp://example.invalid/a.geojson",
                                "WMS:http://example.invalid/wms?",
                                "WFS:http://example.invalid/wfs",
                                "PG:dbname=x"};
    for (const auto& u : urls) {
        CAPTURE(u);
        CHECK(is_remote_path(u));
        CHECK_THROWS_WITH_AS(read_raster(u), doctest::Contains("remote or network source"), GeoError);
        CHECK_THROWS_WITH_AS(read_layer(u), doctest::Contains("remote or network source"), GeoError);
        CHECK_THROWS_WITH_AS(load_events(u), doctest::Contains("remote or network source"), GeoError);
        CHECK_THROWS_WITH_AS(inspect_dataset(u), doctest::Contains(u.c_str()), GeoError);
    }
    // Local paths and local archives are not remote.
    CHECK_FALSE(is_remote_path(bad("good_small.tif")));
    CHECK_FALSE(is_remote_path("/vsizip/data/a.zip/a.shp"));
    CHECK_FALSE(is_remote_path("relative/dir/events.csv"));
    CHECK_THROWS_WITH_AS(load_events("/vsistdin/"), doctest::Contains("standard input"), GeoError);
}

TEST_CASE("refuses a FIFO as input instead of blocking on it") {
    // Nobody writes to the FIFO: opening it for reading would block forever. Refused up front.
    const fs::path dir = fs::temp_directory_path() / ("nexusmap_fifo_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (const char* name : {"events.csv", "layer.geojson", "raster.tif"}) {
        const std::string p = (dir / name).string();
        REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
        CAPTURE(p);
        CHECK_THROWS_WITH_AS(load_events(p), doctest::Contains("FIFO"), GeoError);
        CHECK_THROWS_WITH_AS(read_layer(p), doctest::Contains("FIFO"), GeoError);
        CHECK_THROWS_WITH_AS(read_raster(p), doctest::Contains("FIFO"), GeoError);
        CHECK_THROWS_WITH_AS(inspect_dataset(p), doctest::Contains("FIFO"), GeoError);
    }
    // A character device (endless zeros) likewise.
    CHECK_THROWS_WITH_AS(load_events("/dev/zero"), doctest::Contains("character device"), GeoError);
    fs::remove_all(dir);
}

TEST_CASE("only the needed GDAL drivers: a VRT (which can point at any file or URL) is not opened") {
    // The VRT names good_small.tif beside it, which opens directly; through the VRT it must not.
    CHECK_NOTHROW(read_raster(bad("good_small.tif")));
    CHECK_THROWS_WITH_AS(read_raster(bad("vrt_of_local_tif.vrt")), doctest::Contains("cannot open as a raster"), GeoError);
}

TEST_CASE("split_list: one list splitter for ISO codes, study countries and category names") {
    using nexusmap::split_list;
    CHECK(split_list("mli, bfa,,NER ") == std::vector<std::string>{"mli", "bfa", "NER"});
    CHECK(split_list("mli, bfa", ", ", true) == std::vector<std::string>{"MLI", "BFA"});
    // Category names keep their spaces when only commas separate.
    CHECK(split_list("Violence against civilians,Battles", ",") ==
          std::vector<std::string>{"Violence against civilians", "Battles"});
    CHECK(split_list(" , ,").empty());
}
