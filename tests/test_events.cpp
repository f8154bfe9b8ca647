// Event loading: header detection (ACLED, UCDP GED, generic), bad rows with line numbers and
// reasons, quoting/BOM/CRLF, the date parser.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/provenance.hpp"
#include "test_util.hpp"
// The private CSV tokenizer (its two implementations are compared below).
#include "../geo/src/csv.hpp"
#include <map>

using namespace nexusmap;

TEST_CASE("date parser: formats and calendar checks against days_from_civil") {
    // 1970-01-01 is day 0; 2000-03-01 is 11017 days later (hand count: 30 years * 365 + 7 leap days + 59).
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(2000, 3, 1) == 30 * 365 + 7 + 31 + 29);
    const int32_t d = days_from_civil(2020, 3, 12);
    CHECK(parse_date("2020-03-12") == d);
    CHECK(parse_date("2020/03/12") == d);
    CHECK(parse_date("2020-03-12T10:30:00Z") == d);
    CHECK(parse_date("12 March 2020") == d);
    CHECK(parse_date("March 12, 2020") == d);
    CHECK(parse_date("12-Mar-2020") == d);
    CHECK(parse_date("12/03/2020") == d);        // day first by default
    CHECK(parse_date("03/12/2020", false) == d); // month first when asked
    CHECK(parse_date("13/03/2020", false) == days_from_civil(2020, 3, 13)); // 13 cannot be a month
    CHECK(parse_date("20200312") == d);
    CHECK(parse_date("2020-02-29").has_value());
    CHECK_FALSE(parse_date("2021-02-29").has_value()); // not a leap year
    CHECK_FALSE(parse_date("2020-13-01").has_value());
    CHECK_FALSE(parse_date("").has_value());
    CHECK_FALSE(parse_date("yesterday").has_value());
    CHECK_FALSE(parse_date("12/03/20").has_value()); // two-digit years are refused
    int y, m, dd;
    civil_from_days(d, y, m, dd);
    CHECK(y == 2020);
    CHECK(m == 3);
    CHECK(dd == 12);
    CHECK(format_date(d) == "2020-03-12");
}

TEST_CASE("ACLED header is recognised and malformed rows are reported, not dropped silently") {
    auto r = load_events_csv(testutil::data("acled_small.csv"));
    CHECK(r.report.schema == "ACLED");
    CHECK(r.report.columns.at("date") == "event_date");
    CHECK(r.report.columns.at("lat") == "latitude");
    CHECK(r.report.columns.at("fatalities") == "fatalities");
    CHECK(r.report.records == 12);
    CHECK(r.report.loaded == 5);
    CHECK(r.report.bad.size() == 7);
    auto reason_at = [&](size_t line) {
        for (auto& b : r.report.bad)
            if (b.line == line) return b.reason;
        return std::string("(none)");
    };
    // Line numbers count the header as line 1.
    CHECK(reason_at(5) == "missing date");
    CHECK(reason_at(6) == "missing coordinates");
    CHECK(reason_at(7) == "unparsable coordinates");
    CHECK(reason_at(8) == "unparsable date");
    CHECK(reason_at(9) == "latitude out of range (latitude/longitude swapped?)");
    CHECK(reason_at(12) == "invalid fatalities");
    CHECK(reason_at(13) == "wrong number of fields");
    CHECK(r.report.by_reason.at("missing date") == 1);
    const std::string s = r.report.summary();
    CHECK(s.find("7 rows not loaded") != std::string::npos);
    CHECK(s.find("line 5: missing date") != std::string::npos);
    // The loaded rows keep their values.
    CHECK(r.events.lat[0] == doctest::Approx(14.49));
    CHECK(r.events.lon[0] == doctest::Approx(-4.19));
    CHECK(r.events.fatalities[0] == 3);
    CHECK(r.events.weight[0] == 1); // fatalities are not weights unless asked
    CHECK(r.events.day[1] == days_from_civil(2021, 3, 12));
    CHECK(r.events.type_names[r.events.type[0]] == "Battles");
    CHECK(r.events.row[4] == 11); // CIV1, quoted "Battles"
}

TEST_CASE("rows with latitude and longitude swapped are flagged against the bulk of a regional file") {
    auto r = load_events_csv(testutil::data("swapped_latlon.csv"));
    CHECK(r.report.records == 42);
    CHECK(r.report.loaded == 40);
    REQUIRE(r.report.bad.size() == 2);
    CHECK(r.report.bad[0].line == 12);
    CHECK(r.report.bad[1].line == 26);
    CHECK(r.report.bad[0].reason == "latitude/longitude swapped");
    EventCsvOptions o;
    o.swap_check = false; // an analyst can turn the heuristic off
    CHECK(load_events_csv(testutil::data("swapped_latlon.csv"), o).report.loaded == 42);
}

TEST_CASE("--strict stops at the first bad row with file and line") {
    EventCsvOptions o;
    o.strict = true;
    try {
        load_events_csv(testutil::data("acled_small.csv"), o);
        FAIL("expected a GeoError");
    } catch (const GeoError& e) {
        std::string w = e.what();
        CHECK(w.find("acled_small.csv") != std::string::npos);
        CHECK(w.find("line 5") != std::string::npos);
        CHECK(w.find("missing date") != std::string::npos);
    }
}

TEST_CASE("weights: 'auto' uses fatalities, a named column is used as is") {
    EventCsvOptions o;
    o.weight = "auto";
    auto r = load_events_csv(testutil::data("acled_small.csv"), o);
    CHECK(r.report.columns.at("weight") == "fatalities");
    CHECK(r.events.weight_total() == doctest::Approx(3 + 0 + 5 + 4));
}

TEST_CASE("UCDP GED header is recognised; violence codes become labels; quoted quotes survive") {
    auto r = load_events_csv(testutil::data("ucdp_small.csv"));
    CHECK(r.report.schema == "UCDP GED");
    CHECK(r.report.loaded == 3);
    CHECK(r.report.columns.at("date") == "date_start");
    CHECK(r.report.columns.at("fatalities") == "best");
    CHECK(r.events.type_names[r.events.type[0]] == "State-based violence");
    CHECK(r.events.type_names[r.events.type[1]] == "One-sided violence");
    CHECK(r.events.admin1[2] == "Sahel region, \"North\"");
    CHECK(r.events.precision[1] == 2);
    CHECK(r.events.fatalities[1] == 10);
}

TEST_CASE("CRLF, BOM, semicolons, decimal commas and quoted newlines") {
    auto a = load_events_csv(testutil::data("crlf.csv"));
    CHECK(a.report.loaded == 2);
    CHECK(a.events.lat[1] == doctest::Approx(12.5));
    auto b = load_events_csv(testutil::data("bom_semicolon_multiline.csv"));
    CHECK(b.report.loaded == 2);
    CHECK(b.events.lat[0] == doctest::Approx(12.0));
    CHECK(b.events.day[0] == days_from_civil(2020, 2, 1)); // 01/02/2020 day-first
    CHECK(b.events.row[1] == 4); // the quoted newline makes the second record start on line 4
}

TEST_CASE("empty, binary and header-less inputs give clear errors") {
    CHECK_THROWS_WITH_AS(load_events_csv(testutil::data("empty.csv")), doctest::Contains("empty"), GeoError);
    CHECK_THROWS_WITH_AS(load_events_csv(testutil::data("garbage.bin")), doctest::Contains("binary"), GeoError);
    CHECK_THROWS_WITH_AS(load_events_csv(testutil::data("no_such_file.csv")), doctest::Contains("no such file"), GeoError);
    CHECK_THROWS_WITH_AS(parse_events_csv("a,b,c\n1,2,3\n", "x.csv"), doctest::Contains("no latitude/longitude"), GeoError);
    EventCsvOptions o;
    o.lat = "nope";
    CHECK_THROWS_WITH_AS(parse_events_csv("lat,lon\n1,2\n", "x.csv", o), doctest::Contains("no column 'nope'"), GeoError);
}

TEST_CASE("unterminated quote is reported with its line") {
    auto r = parse_events_csv("latitude,longitude,date\n12,1,2020-01-01\n13,\"2,2020-01-02\n", "q.csv");
    CHECK(r.report.loaded == 1);
    REQUIRE(r.report.bad.size() == 1);
    CHECK(r.report.bad[0].line == 3);
    CHECK(r.report.bad[0].reason == "unterminated quote");
}

TEST_CASE("real UCDP GED 21.1 West Africa extract loads completely (skips when absent)") {
    const std::string p = testutil::shared_real("ucdp_ged_211_juanr/ged211_prec12_bbox_wafrica.csv");
    if (p.empty()) return; // shared data not present
    auto r = load_events_csv(p);
    // SOURCE.md: 8,909 rows, 1989-04-01..2020-12-31, best deaths total 107,495.
    CHECK(r.report.loaded == 8909);
    CHECK(r.report.bad.empty());
    auto dr = r.events.day_range();
    CHECK(format_date(dr[0]) == "1989-04-01");
    CHECK(format_date(dr[1]) == "2020-12-31");
    double fat = 0;
    for (float f : r.events.fatalities) fat += f;
    CHECK(fat == doctest::Approx(107495).epsilon(1e-9));
}

TEST_CASE("real UCDP GED 23.1 full-schema sample: 1000 rows with quoted multi-line text (skips when absent)") {
    const std::string p = testutil::shared_real("ucdp_ged_231_sample_uncertainUCDP/ged231_sample1000_fullschema.csv");
    if (p.empty()) return;
    auto r = load_events_csv(p);
    CHECK(r.report.schema == "UCDP GED");
    CHECK(r.report.records == 1000);
    CHECK(r.report.loaded == 1000); // global data: the swap heuristic must not fire
    // SOURCE.md: where_prec 1:475 2:232 ...
    size_t p1 = 0;
    for (auto v : r.events.precision) p1 += v == 1;
    CHECK(p1 == 475);
}

TEST_CASE("project_events fills x/y in the analysis CRS") {
    auto r = load_events_csv(testutil::data("crlf.csv"));
    project_events(r.events, Crs::default_analysis());
    REQUIRE(r.events.x.size() == 2);
    // LAEA centred at (2E, 12N): a point at (1E, 12N) lies ~108.9 km west (1 degree of longitude
    // at 12N on the ellipsoid is 108.9 km; the LAEA scale near the centre is ~1).
    CHECK(r.events.x[0] == doctest::Approx(-108'900).epsilon(0.003));
    CHECK(std::abs(r.events.y[0]) < 1'000);
}

TEST_CASE("events from any OGR point source map their attributes by the same header rules") {
    for (const char* f : {"points.shp", "points.fgb", "points.gpkg", "points.geojson", "points.kml", "points_wkt.csv"}) {
        CAPTURE(std::string(f));
        auto r = load_events(testutil::data(std::string("formats/") + f));
        REQUIRE(r.report.loaded == 3);
        // FlatGeobuf returns features in its spatial-index order: find the Fada N'Gourma point.
        size_t k = 0;
        while (k < 3 && std::abs(r.events.lon[k] - 0.35) > 1e-9) ++k;
        REQUIRE(k < 3);
        CHECK(r.events.lat[k] == doctest::Approx(12.06));
        // KML keeps only name/description, so dates survive only in the other formats.
        if (std::string(f) != "points.kml") {
            CHECK(r.events.day[k] == days_from_civil(2021, 4, 1));
            CHECK(r.events.fatalities[k] == 5);
        }
    }
}

// ---- Loader speed-ups (issue #7) against the code they replaced ---------------------------------

TEST_CASE("CSV tokenizer: the scanning reader gives the character-by-character reader's records") {
    // CsvReader::next() finds quotes and line ends with memchr and returns views;
    // next_general() is the original reader. Random texts over the characters that matter.
    const std::string alphabet = "ab,;|\"\"\r\n ";
    std::mt19937_64 rng(5);
    size_t records = 0, quoted_tricks = 0, mismatches = 0;
    std::string first_mismatch;
    for (int iter = 0; iter < 60000; ++iter) {
        std::string t;
        const size_t len = rng() % 40;
        for (size_t i = 0; i < len; ++i) t += alphabet[rng() % alphabet.size()];
        if (iter % 7 == 0) t = "\xEF\xBB\xBF" + t; // BOM
        for (char delim : {',', ';', '|'}) {
            detail::CsvReader fast(t, delim), slow(t, delim);
            std::vector<std::string_view> ff, fs;
            size_t lf = 0, ls = 0;
            std::string ef, es;
            for (;;) {
                const bool a = fast.next(ff, lf, ef), b = slow.next_general(fs, ls, es);
                const bool same = a == b && (!a || (std::vector<std::string>(ff.begin(), ff.end()) ==
                                                        std::vector<std::string>(fs.begin(), fs.end()) &&
                                                    lf == ls && ef == es && fast.offset() == slow.offset()));
                if (!same) {
                    if (!mismatches++) first_mismatch = t + " (delimiter " + delim + ")";
                    break;
                }
                if (!a) break;
                ++records;
                quoted_tricks += t.find("\"\"") != std::string::npos;
            }
        }
    }
    CHECK_MESSAGE(mismatches == 0, "first differing text: " << first_mismatch);
    CHECK(records > 100000);
    CHECK(quoted_tricks > 1000);
}

TEST_CASE("CSV slices: every cut falls on a record boundary the one-piece reader also finds") {
    // split_records() must cut only where CsvReader starts a record, with the right line number:
    // random texts with quoted line ends, doubled quotes and ordinary mid-field quotes.
    const std::string alphabet = "ab,,\"\"\n\n x";
    std::mt19937_64 rng(11);
    size_t cuts = 0, wrong = 0, refused = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string t;
        const size_t len = 5 + rng() % 60;
        for (size_t i = 0; i < len; ++i) t += alphabet[rng() % alphabet.size()];
        if (iter % 5 == 0) t += "\r\n1,2\r\n"; // CRLF is allowed, a lone CR is refused below
        std::map<size_t, size_t> starts; // offset -> line, from the one-piece reader
        {
            detail::CsvReader rd(t, ',');
            std::vector<std::string_view> f;
            std::string e;
            size_t line = 0;
            for (size_t at = rd.offset(); rd.next(f, line, e); at = rd.offset()) starts[at] = line;
        }
        const auto slices = detail::split_records(t, ',', 1, 2 + rng() % 4);
        if (slices.empty()) {
            ++refused;
            continue;
        }
        size_t at = 0;
        for (size_t k = 0; k < slices.size(); ++k) {
            if (k > 0) {
                ++cuts;
                auto it = starts.find(at);
                wrong += it == starts.end() || it->second != slices[k].first_line;
            }
            at += slices[k].text.size();
        }
        wrong += at != t.size();
    }
    CHECK(wrong == 0);
    CHECK(cuts > 10000);
    CHECK(refused > 100); // unterminated quotes are left to the one-piece reader
    CHECK(detail::split_records("a,b\rc,d\re,f\r", ',', 1, 2).empty());
}

TEST_CASE("threaded CSV parse: same events, bad rows and line numbers as the one-piece parse") {
    // Rows with quoted notes spanning lines, bad coordinates and dates, many types and countries.
    std::mt19937_64 rng(3);
    std::string t = "latitude,longitude,event_date,event_type,country,notes,fatalities\n";
    for (int i = 0; i < 5000; ++i) {
        const double la = 5 + double(rng() % 10000) / 1000, lo = -5 + double(rng() % 10000) / 1000;
        std::string note = i % 7 == 0 ? "\"two\nlines, \"\"quoted\"\"\"" : "plain";
        std::string lat = i % 97 == 0 ? "north" : std::to_string(la);
        std::string date = i % 89 == 0 ? "2020-13-01" : "2020-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 9);
        t += lat + "," + std::to_string(lo) + "," + date + ",type" + std::to_string(i % 13) + ",C" +
             std::to_string((i * 7) % 11) + "," + note + "," + std::to_string(i % 5) + "\n";
    }
    EventCsvOptions one, four;
    one.threads = 1;
    four.threads = 4;
    const auto a = parse_events_csv(t, "slices.csv", one), b = parse_events_csv(t, "slices.csv", four);
    REQUIRE(a.events.size() > 4000);
    CHECK(a.events.size() == b.events.size());
    CHECK(a.report.records == b.report.records);
    CHECK(a.report.by_reason == b.report.by_reason);
    REQUIRE(a.report.bad.size() == b.report.bad.size());
    CHECK(a.report.bad.size() > 100);
    bool same_bad = true;
    for (size_t i = 0; i < a.report.bad.size(); ++i)
        same_bad = same_bad && a.report.bad[i].line == b.report.bad[i].line && a.report.bad[i].reason == b.report.bad[i].reason &&
                   a.report.bad[i].detail == b.report.bad[i].detail;
    CHECK(same_bad);
    bool same_rows = a.events.type_names.size() == b.events.type_names.size();
    for (size_t i = 0; same_rows && i < a.events.size(); ++i)
        same_rows = a.events.lat[i] == b.events.lat[i] && a.events.lon[i] == b.events.lon[i] && a.events.day[i] == b.events.day[i] &&
                    a.events.row[i] == b.events.row[i] &&
                    a.events.type_names[a.events.type[i]] == b.events.type_names[b.events.type[i]] &&
                    a.events.country_names[a.events.country[i]] == b.events.country_names[b.events.country[i]] &&
                    a.events.fatalities[i] == b.events.fatalities[i];
    CHECK(same_rows);
    // A bad row's line is where its record starts in the file (rows after multi-line notes included).
    CHECK(a.report.bad.front().line == 2); // i = 0: "north"
}

TEST_CASE("date parser: ISO fast path and the three-token limit agree with the calendar") {
    // Every day 1800..2200 through its canonical form (the YYYY-MM-DD fast path).
    size_t bad = 0;
    for (int32_t d = days_from_civil(1800, 1, 1); d <= days_from_civil(2200, 12, 31); ++d)
        bad += parse_date(format_date(d)) != std::optional<int32_t>(d);
    CHECK(bad == 0);
    for (const char* no : {"2021-02-29", "2021-00-10", "2021-13-01", "2021-04-31", "1799-12-31", "2201-01-01", "0000-01-01",
                           "2021-1a-01", "2021-01-0x", "1 2 3 4", "2020 03 12 9", "12 March 2020 x",
                           "2020-03-12-1", "2020-03-12#"})
        CHECK_MESSAGE(!parse_date(no).has_value(), std::string(no));
    // Shapes near the fast path still go through the general one.
    CHECK(parse_date(" 2021-03-12 ") == days_from_civil(2021, 3, 12));
    CHECK(parse_date("2021-3-12") == days_from_civil(2021, 3, 12));
    CHECK(parse_date("2021/03/12") == days_from_civil(2021, 3, 12));
    CHECK(parse_date("2021-03-12-") == days_from_civil(2021, 3, 12)); // a trailing separator is dropped
}

// ---- Silent wrong answers (issue #19) -----------------------------------------------------------

TEST_CASE("regression: one unterminated quote does not drop the rest of a CSV") {
    // 1000 rows; row 4 (line 5) opens a quote that never closes. It used to take the 997 lines to
    // the end of the file with it and report "1 row not loaded".
    std::string t = "latitude,longitude,notes\n";
    for (int i = 1; i <= 1000; ++i) t += "13.1,-1.5," + std::string(i == 4 ? "\"never closed" : "ok") + "\n";
    auto r = parse_events_csv(t, "runaway.csv");
    CHECK(r.events.size() == 999);
    CHECK(r.report.records == 1000);
    REQUIRE(r.report.bad.size() == 1);
    CHECK(r.report.bad[0].line == 5);
    CHECK(r.report.bad[0].reason == "unterminated quote");
    CHECK(r.report.bad[0].detail.find("997 lines") != std::string::npos);
    // Line numbers after the resync still count physical lines.
    CHECK(r.events.row[3] == 6);
    CHECK(r.events.row.back() == 1001);
    CHECK(r.report.summary().find("line 5: unterminated quote") != std::string::npos);
    EventCsvOptions strict;
    strict.strict = true;
    CHECK_THROWS_WITH_AS(parse_events_csv(t, "runaway.csv", strict),
                         doctest::Contains("runaway.csv: line 5: unterminated quote: the quote opened on this line never closes (it would take the 997 lines"), GeoError);
    // CRLF and a quote on the last line: nothing after it, one line swallowed.
    auto r2 = parse_events_csv("latitude,longitude,notes\r\n13.1,-1.5,ok\r\n13.2,-1.6,\"x\r\n", "crlf.csv");
    CHECK(r2.events.size() == 1);
    REQUIRE(r2.report.bad.size() == 1);
    CHECK(r2.report.bad[0].detail.find("take the 1 line to the end") != std::string::npos);
}

TEST_CASE("regression: a quote that closes far away says which lines its record spans") {
    auto r = parse_events_csv("latitude,longitude,notes\n13.1,-1.5,\"a\n13.2,-1.6,b\n13.3,-1.7,c\",x\n13.4,-1.8,ok\n", "late.csv");
    CHECK(r.events.size() == 1);
    REQUIRE(r.report.bad.size() == 1);
    CHECK(r.report.bad[0].reason == "wrong number of fields");
    CHECK(r.report.bad[0].detail.find("record spans lines 2-4") != std::string::npos);
}

TEST_CASE("regression: two-digit years are reported, not turned into 20xx") {
    for (const char* s : {"15-Jan-98", "12-Mar-21", "12/03/21", "3/12/98"}) CHECK_MESSAGE(!parse_date(s).has_value(), s);
    CHECK(parse_date("15-Jan-1998") == days_from_civil(1998, 1, 15));
}

TEST_CASE("regression: a sign, an invalid time or trailing text is not a date") {
    for (const char* s : {"-2020-01-01", "/2020-01-01", "2020-01-01T25:61", "2020-01-01T24:00", "2020-01-01 10:60",
                          "2020-01-01 garbage", "2020-01-01T", "2020-01-01T10", "2020-01-01T10:00 garbage",
                          "2020-01-01T10:00:61", "2020-01-01T10:00+25:00", "2020-01-01T10:00:00.", "2020/01/01 x"})
        CHECK_MESSAGE(!parse_date(s).has_value(), s);
    const auto d = days_from_civil(2020, 1, 1);
    for (const char* s : {"2020-01-01T00:00", "2020-01-01 23:59:59", "2020-01-01T23:59:60Z", "2020-01-01 00:00:00.000",
                          "2020-01-01T10:00+01:00", "2020-01-01T10:00:00-0530", "2020-01-01T10:00:00+05", "2020/01/01 10:15 UTC"})
        CHECK_MESSAGE(parse_date(s) == d, s);
}

TEST_CASE("regression: OGR features with null or empty geometry are counted and reported by FID") {
    // 5 features (FIDs 10..14): two without geometry, one with an impossible date.
    auto r = load_events(testutil::data("bad/points_null_geometry.geojson"));
    CHECK(r.events.size() == 2);
    CHECK(r.report.records == 5);
    CHECK(r.report.loaded == 2);
    REQUIRE(r.report.bad.size() == 3);
    CHECK(r.report.by_reason["null or empty geometry"] == 2);
    CHECK(r.report.bad[0].where == "feature 2 (fid 11)");
    CHECK(r.report.bad[0].reason == "null or empty geometry");
    CHECK(r.report.bad[1].where == "feature 4 (fid 13)"); // not "line 4" of the internal CSV
    CHECK(r.report.bad[1].reason == "unparsable date");
    CHECK(r.report.bad[2].where == "feature 5 (fid 14)");
    const std::string s = r.report.summary();
    CHECK(s.find("2 of 5 records loaded") != std::string::npos);
    CHECK(s.find("feature 4 (fid 13): unparsable date") != std::string::npos);
    CHECK(s.find("line ") == std::string::npos);
    EventCsvOptions strict;
    strict.strict = true;
    CHECK_THROWS_WITH_AS(load_events(testutil::data("bad/points_null_geometry.geojson"), strict),
                         doctest::Contains("feature 2 (fid 11): null or empty geometry"), GeoError);
}

TEST_CASE("regression: a strict OGR load names the feature of a bad row, not a CSV line") {
    // Only geometry-bearing features, one with a bad date: the error names its FID.
    auto dir = testutil::tmpdir("ogr_strict");
    const std::string p = (dir / "pts.geojson").string();
    std::ofstream(p) << R"({"type":"FeatureCollection","features":[
{"type":"Feature","id":7,"properties":{"event_date":"2021-03-12"},"geometry":{"type":"Point","coordinates":[-1.5,13.1]}},
{"type":"Feature","id":8,"properties":{"event_date":"2021-02-30"},"geometry":{"type":"Point","coordinates":[-1.6,13.2]}}]})";
    EventCsvOptions strict;
    strict.strict = true;
    CHECK_THROWS_WITH_AS(load_events(p, strict), doctest::Contains("pts.geojson: feature 2 (fid 8): unparsable date"), GeoError);
}

TEST_CASE("regression: an empty FeatureCollection or a layer of lines says so, not 'is not a point layer'") {
    CHECK_THROWS_WITH_AS(load_events(testutil::data("bad/empty_feature_collection.geojson")),
                         doctest::Contains("contains no features (an empty layer)"), GeoError);
    CHECK_THROWS_WITH_AS(load_events(testutil::data("bad/lines_as_events.geojson")),
                         doctest::Contains("holds lines (1 feature), not points"), GeoError);
    CHECK_THROWS_WITH_AS(load_events(testutil::data("bad/null_geometries.geojson")),
                         doctest::Contains("none of its 2 features has a geometry"), GeoError);
}

// Provenance is per input and comes from the file itself, not from its name.
TEST_CASE("provenance: UCDP schema gets the UCDP attribution; a SYNTHETIC label, not the file name, sets synthetic") {
    auto u = parse_events_csv("id,latitude,longitude,type_of_violence,where_prec,best,date_start\n1,12,-1,1,1,3,2020-01-01\n",
                              "events_synthetic.csv"); // a real-looking file with a misleading name
    CHECK(u.events.prov.ucdp());
    CHECK_FALSE(u.events.prov.synthetic);
    CHECK(u.events.prov.attribution == kUcdpAttribution);
    CHECK(u.events.prov.licence == "CC BY 4.0");
    auto s = parse_events_csv("event_date,latitude,longitude,event_type,fatalities,source_note\n"
                              "2020-01-01,12,-1,Battles,0,SYNTHETIC demo data\n",
                              "real_looking.csv");
    CHECK(s.events.synthetic);
    CHECK(s.events.prov.synthetic);
    CHECK(s.events.prov.attribution.empty());
    // Our own CSV outputs: "# synthetic: false" is a value, not a label.
    auto o = parse_events_csv("# synthetic: false\n# attribution: somebody\nlatitude,longitude\n12,-1\n", "out.csv");
    CHECK_FALSE(o.events.synthetic);
    CHECK(o.events.prov.attribution == "somebody");
    auto t = parse_events_csv("# synthetic: true\nlatitude,longitude\n12,-1\n", "out2.csv");
    CHECK(t.events.prov.synthetic);
    // provenance() for outputs: exactly these inputs.
    Metadata md = provenance(u.events);
    CHECK(md.at("synthetic") == "false");
    CHECK(md.at("attribution").find("UCDP GED") != std::string::npos);
    CHECK(md.count("illustrative_routes") == 0);
    InputProvenance routes;
    routes.path = "routes.geojson";
    routes.illustrative = true;
    add_input_provenance(md, routes);
    CHECK(md.at("synthetic") == "false");
    CHECK(md.at("illustrative_routes") == "true");
    add_input_provenance(md, s.events.prov);
    CHECK(md.at("synthetic") == "true");
    CHECK(md.at("attribution").find("UCDP GED") != std::string::npos); // mixed: both stated
}

TEST_CASE("provenance: the bundled files carry their own (UCDP events, Natural Earth / COD-AB layers, illustrative routes)") {
    const std::string src = NEXUSMAP_SOURCE_DIR;
    auto ev = load_events_csv(src + "/data/real/ucdp_ged241_uemoa6.csv");
    CHECK(ev.events.prov.ucdp());
    CHECK_FALSE(ev.events.prov.synthetic);
    auto demo = load_events_csv(src + "/data/demo/events_synthetic.csv");
    CHECK(demo.events.prov.synthetic);
    VectorLayer routes = read_layer(src + "/data/demo/routes_illustrative.geojson");
    CHECK(routes.prov.illustrative);
    CHECK_FALSE(routes.prov.synthetic);
    CHECK_FALSE(routes.synthetic());
    CHECK(routes.illustrative());
    for (const char* name : {"admin0", "admin1", "admin2"}) {
        ReadLayerOptions ro;
        ro.layer = name;
        VectorLayer l = read_layer(src + "/data/basemap/west_africa.gpkg", ro);
        CAPTURE(name);
        CHECK_FALSE(l.prov.synthetic);
        CHECK_FALSE(l.prov.licence.empty());
        CHECK(l.prov.attribution.find(std::string(name) == "admin2" ? "OCHA" : "Natural Earth") != std::string::npos);
    }
}

TEST_CASE("ACLED exports: XLSX sheet, API JSON and a Shapefile with truncated names load like the CSV") {
    const EventLoadResult ref = load_events(testutil::data("acled_inputs/acled_clean.csv"));
    REQUIRE(ref.events.size() == 7);
    CHECK(ref.report.schema == "ACLED");
    for (const char* f : {"acled_clean.xlsx", "acled_api.json", "acled_truncated.shp"}) {
        CAPTURE(f);
        const EventLoadResult r = load_events(testutil::data(std::string("acled_inputs/") + f));
        CHECK(r.report.schema.find("ACLED") != std::string::npos);
        CHECK(r.report.loaded == 7);
        CHECK(r.report.bad.empty());
        CHECK(r.report.columns.at("precision") == "geo_precision");
        CHECK(r.report.columns.at("date") == "event_date");
        REQUIRE(r.events.size() == 7);
        // Row by row the same coordinates, dates, precision codes and fatalities as the CSV.
        for (size_t i = 0; i < 7; ++i) {
            CHECK(r.events.lon[i] == doctest::Approx(ref.events.lon[i]).epsilon(1e-9));
            CHECK(r.events.lat[i] == doctest::Approx(ref.events.lat[i]).epsilon(1e-9));
            CHECK(r.events.day[i] == ref.events.day[i]);
            CHECK(int(r.events.precision[i]) == int(ref.events.precision[i]));
            CHECK(r.events.fatalities[i] == ref.events.fatalities[i]);
            CHECK(r.events.country_names[r.events.country[i]] == ref.events.country_names[ref.events.country[i]]);
        }
    }
}

TEST_CASE("Shapefile-truncated ACLED/UCDP names are recognised; a full name present wins") {
    const std::string csv = "event_id_c,event_dat,latitude,longitude,event_typ,geo_precis,fatalitie,time_preci\n"
                            "X1,2023-01-05,14.1,-0.3,Battles,2,3,1\n";
    const EventLoadResult r = parse_events_csv(csv, "t.csv");
    CHECK(r.report.schema == "ACLED");
    CHECK(r.report.columns.at("precision") == "geo_precision");
    CHECK(r.report.columns.at("date") == "event_date");
    CHECK(r.report.columns.at("type") == "event_type");
    REQUIRE(r.events.size() == 1);
    CHECK(int(r.events.precision[0]) == 2);
    CHECK(r.events.fatalities[0] == 3);
    const std::string ucdp = "type_of_vi,best,latitude,longitude,where_prec,date_start\n1,4,12,1,3,2020-01-01\n";
    const EventLoadResult u = parse_events_csv(ucdp, "u.csv");
    CHECK(u.report.schema == "UCDP GED");
    CHECK(u.events.type_names[u.events.type[0]] == "State-based violence");
    // Both the cut and the full name: the full one is used, the cut left as it is.
    const EventLoadResult b = parse_events_csv("latitude,longitude,geo_precis,geo_precision\n12,1,5,2\n", "b.csv");
    CHECK(int(b.events.precision[0]) == 2);
}

TEST_CASE("JSON records: an empty data array and non-record members are refused clearly") {
    auto dir = testutil::tmpdir("events_json");
    { std::ofstream(dir / "empty.json") << R"({"status":200,"success":true,"count":0,"data":[]})"; }
    CHECK_THROWS_WITH_AS(load_events((dir / "empty.json").string()), doctest::Contains("no records"), GeoError);
    { std::ofstream(dir / "bad.json") << R"({"data":[1,2,3]})"; }
    CHECK_THROWS_WITH_AS(load_events((dir / "bad.json").string()), doctest::Contains("not an array of records"), GeoError);
    // A bare array of records, numbers as numbers.
    { std::ofstream(dir / "arr.json") << R"([{"latitude":12.5,"longitude":1.5,"event_date":"2021-02-03","fatalities":2}])"; }
    const EventLoadResult r = load_events((dir / "arr.json").string());
    REQUIRE(r.events.size() == 1);
    CHECK(r.events.lat[0] == 12.5);
    CHECK(r.events.fatalities[0] == 2);
}

// Issue #17: the mapped file, split on many threads, with a BOM, comment lines, CRLF line ends,
// quoted fields holding line ends and bad rows on both sides of every cut (the slices are small:
// 7 threads over ~40 KB) reads exactly as the one-piece parse of the same bytes.
TEST_CASE("mapped, threaded CSV load: BOM, comments, CRLF, quoted line ends and bad rows as one piece") {
    std::mt19937_64 rng(17);
    std::string t = "\xEF\xBB\xBF# source: test\r\n# licence: none\r\nlatitude;longitude;event_date;notes;fatalities\r\n";
    for (int i = 0; i < 1500; ++i) {
        const double la = 4 + double(rng() % 9000) / 1000, lo = -6 + double(rng() % 9000) / 1000;
        std::string note = i % 5 == 0 ? "\"a\r\nb; \"\"c\"\"\r\nd\"" : i % 11 == 0 ? "\"x;y\"" : "n";
        std::string lat = i % 31 == 0 ? "" : i % 37 == 0 ? "12,5,1" : std::to_string(la);
        std::string date = i % 41 == 0 ? "yesterday" : "12/0" + std::to_string(1 + i % 9) + "/2021";
        std::string row = lat + ";" + std::to_string(lo) + ";" + date + ";" + note + ";" + std::to_string(i % 4);
        if (i % 53 == 1) row += ";extra";
        t += row + "\r\n";
    }
    const auto dir = testutil::tmpdir("mapped_threads");
    const std::string path = (dir / "events.csv").string();
    std::ofstream(path, std::ios::binary) << t;
    EventCsvOptions one;
    one.threads = 1;
    const auto a = parse_events_csv(t, path, one);
    REQUIRE(a.events.size() > 1000);
    REQUIRE(a.report.bad.size() > 80);
    CHECK(a.events.metadata.at("source") == "test");
    for (int threads : {1, 2, 7}) {
        CAPTURE(threads);
        EventCsvOptions o;
        o.threads = threads;
        const auto b = load_events_csv(path, o); // mapped
        CHECK(b.events.size() == a.events.size());
        CHECK(b.report.records == a.report.records);
        CHECK(b.report.by_reason == a.report.by_reason);
        REQUIRE(b.report.bad.size() == a.report.bad.size());
        size_t diff = 0;
        for (size_t i = 0; i < a.report.bad.size(); ++i)
            diff += a.report.bad[i].line != b.report.bad[i].line || a.report.bad[i].reason != b.report.bad[i].reason ||
                    a.report.bad[i].detail != b.report.bad[i].detail;
        for (size_t i = 0; i < a.events.size() && i < b.events.size(); ++i)
            diff += a.events.lat[i] != b.events.lat[i] || a.events.lon[i] != b.events.lon[i] || a.events.day[i] != b.events.day[i] ||
                    a.events.row[i] != b.events.row[i] || a.events.fatalities[i] != b.events.fatalities[i];
        CHECK(diff == 0);
        CHECK(b.report.summary() == a.report.summary());
    }
    // Line numbers count the BOM line's comments and the CRLF/quoted line ends: row i = 0 has an
    // empty latitude and starts on line 4 (two comments, the header).
    CHECK(a.report.bad.front().line == 4);
    CHECK(a.report.bad.front().reason == "missing coordinates");
}

TEST_CASE("EventTable::subset keeps the rows asked for, in order, in every filled column") {
    EventTable e;
    for (int i = 0; i < 50; ++i) {
        e.lon.push_back(i), e.lat.push_back(-i), e.day.push_back(i * 3), e.weight.push_back(float(i) / 2);
        e.fatalities.push_back(float(i % 7)), e.type.push_back(uint16_t(i % 3)), e.precision.push_back(uint8_t(i % 4));
        e.row.push_back(uint32_t(i + 2)), e.country.push_back(uint16_t(i % 5));
        e.admin1.push_back("a" + std::to_string(i)), e.actor.push_back("b" + std::to_string(i));
    }
    std::vector<bool> keep(50);
    for (int i = 0; i < 50; ++i) keep[size_t(i)] = i % 3 != 1;
    const EventTable s = e.subset(keep);
    std::vector<int> want;
    for (int i = 0; i < 50; ++i)
        if (i % 3 != 1) want.push_back(i);
    REQUIRE(s.size() == want.size());
    size_t diff = 0;
    for (size_t k = 0; k < want.size(); ++k) {
        const int i = want[k];
        diff += s.lon[k] != i || s.lat[k] != -i || s.day[k] != i * 3 || s.weight[k] != float(i) / 2 || s.row[k] != uint32_t(i + 2) ||
                s.admin1[k] != "a" + std::to_string(i) || s.actor[k] != "b" + std::to_string(i) || s.country[k] != i % 5;
    }
    CHECK(diff == 0);
    CHECK(s.x.empty()); // columns left empty stay empty
    const EventTable all = e.subset(std::vector<bool>(50, true));
    CHECK(all.size() == 50);
    CHECK(all.actor[49] == "b49");
    CHECK(e.subset(std::vector<bool>(50, false)).size() == 0);
    CHECK(e.subset({}).size() == 50); // rows past the mask are kept
}

TEST_CASE("text columns a CSV lacks stay empty; those it has are filled on every row") {
    const std::string plain = "latitude,longitude,event_date\n12.5,-1.5,2020-01-02\n13.5,-2.5,2020-01-03\n";
    const auto a = parse_events_csv(plain, "plain.csv");
    REQUIRE(a.events.size() == 2);
    CHECK(a.events.admin1.empty()); // not 10M empty strings for a lat/lon/date file (issue #17)
    CHECK(a.events.actor.empty());
    CHECK(a.events.country.size() == 2);
    const std::string full = "latitude,longitude,event_date,admin1,actor1\n12.5,-1.5,2020-01-02,Mopti,A\n13.5,-2.5,2020-01-03,,B\n";
    for (int threads : {1, 2}) {
        EventCsvOptions o;
        o.threads = threads;
        const auto b = parse_events_csv(full, "full.csv", o);
        REQUIRE(b.events.admin1.size() == 2);
        CHECK(b.events.admin1[0] == "Mopti");
        CHECK(b.events.admin1[1].empty());
        REQUIRE(b.events.actor.size() == 2);
        CHECK(b.events.actor[1] == "B");
    }
}
