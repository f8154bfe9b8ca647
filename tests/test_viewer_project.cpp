// The viewer's JSON project (app/viewer/project.hpp, header-only, no GL): save -> load round trip,
// and clear errors (file name + what is wrong) for malformed files, never an exception.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "viewer/options.hpp"
#include "viewer/project.hpp"

using namespace nexusmap::viewer;

namespace {
Project sample_project() {
    Project p;
    ProjectLayer a;
    a.path = "/data/basemap/west_africa.gpkg";
    a.layer = "admin1";
    a.title = "admin1";
    a.style.fill = false;
    a.style.line_color = {0.55f, 0.55f, 0.55f, 1.f};
    a.style.line_width = 0.7f;
    ProjectLayer b;
    b.path = "routes.geojson";
    b.title = "Routes (illustrative)";
    b.style.opacity = 0.9f;
    b.style.line_width = 2.5f;
    b.style.line_color = {0.2f, 0.3f, 0.6f, 0.9f};
    b.style.category_field = "commodity";
    b.style.visible = false;
    p.layers = {a, b};
    ProjectEvents e;
    e.path = "/data/demo/events_synthetic.csv";
    e.radius_px = 2.25f;
    e.opacity = 0.333f;
    e.color_by_type = false;
    e.color = {0.1f, 0.2f, 0.3f, 0.4f};
    e.all_dates = false;
    e.window_start = "2021-03";
    e.window_months = 6;
    e.hidden_types = {"Protests", "Riots"};
    e.hidden_countries = {"Niger"};
    e.actors = {"Actor A", "Actor \"B\""};
    e.min_fatalities = 2.5f;
    p.events = e;
    p.heat.kernel = "gaussian";
    p.heat.bandwidth_km = 17.3f;
    p.heat.weight = "fatalities";
    p.heat.ramp = "magma";
    p.heat.scale = "sqrt";
    p.heat.auto_range = false;
    p.heat.range_mode = "typed";
    p.heat.lo = 0.001f;
    p.heat.hi = 0.0731f;
    p.heat.opacity = 0.6f;
    p.heat.threshold = 0.1f;
    p.heat.visible = true;
    p.view = ProjectView{0.512345678901, 14.487654321, 0.8125};
    return p;
}

std::string error_of(const std::string& text) {
    const ProjectParse r = parse_project(text, "bad.json");
    CHECK_FALSE(r.project.has_value());
    CHECK(r.error.rfind("bad.json: ", 0) == 0);
    return r.error;
}
} // namespace

TEST_CASE("project: save -> load gives the same project") {
    const Project p = sample_project();
    const std::string text = project_to_json(p);
    CHECK(looks_like_project(text));
    const ProjectParse r = parse_project(text, "session.json");
    REQUIRE_MESSAGE(r.project.has_value(), r.error);
    CHECK(r.error.empty());
    CHECK(*r.project == p);
    // Saving again is byte-identical.
    CHECK(project_to_json(*r.project) == text);

    // Through a file.
    const auto path = std::filesystem::temp_directory_path() / "nexusmap_test_project.json";
    {
        std::ofstream(path) << text;
    }
    const ProjectParse f = load_project_file(path.string());
    REQUIRE_MESSAGE(f.project.has_value(), f.error);
    CHECK(*f.project == p);
    std::filesystem::remove(path);

    // The display CRS (view.display_crs; the default equal-area is not written).
    CHECK(text.find("display_crs") == std::string::npos);
    for (const char* d : {"mercator", "lonlat"}) {
        Project q = p;
        q.view->display_crs = d;
        const std::string t = project_to_json(q);
        CHECK(t.find(std::string("\"display_crs\": \"") + d + "\"") != std::string::npos);
        const ProjectParse rq = parse_project(t, "session.json");
        REQUIRE_MESSAGE(rq.project.has_value(), rq.error);
        CHECK(*rq.project == q);
        CHECK(project_to_json(*rq.project) == t);
    }
}

TEST_CASE("project: minimal and default projects") {
    const ProjectParse r = parse_project(R"({"nexusmap_project": 1})", "min.json");
    REQUIRE(r.project.has_value());
    CHECK(r.project->layers.empty());
    CHECK_FALSE(r.project->events.has_value());
    CHECK_FALSE(r.project->view.has_value());
    CHECK(*r.project == Project{});
    const Project empty;
    const ProjectParse e = parse_project(project_to_json(empty), "e.json");
    REQUIRE(e.project.has_value());
    CHECK(*e.project == empty);
    // RGB colours get alpha 1.
    const ProjectParse c = parse_project(
        R"({"nexusmap_project":1,"layers":[{"path":"a.gpkg","style":{"fill_color":[1,0,0.5]}}]})", "c.json");
    REQUIRE(c.project.has_value());
    CHECK(c.project->layers[0].style.fill_color == std::array<float, 4>{1.f, 0.f, 0.5f, 1.f});
}

TEST_CASE("project: malformed JSON gives the file name and the problem") {
    std::string e = error_of("{\"nexusmap_project\": 1,");
    CHECK(e.find("invalid JSON") != std::string::npos);
    CHECK(e.find("line") != std::string::npos);
    e = error_of("");
    CHECK(e.find("invalid JSON") != std::string::npos);
    e = error_of("{\"nexusmap_project\": 1, \"layers\": [ {\"path\": \"a\"} ");
    CHECK(e.find("invalid JSON") != std::string::npos);
    e = error_of("\xff\xfe{}");
    CHECK(e.find("invalid JSON") != std::string::npos);
}

TEST_CASE("project: wrong types and values name the member") {
    CHECK(error_of("[1, 2]").find("expected an object") != std::string::npos);
    CHECK(error_of(R"({"type": "FeatureCollection", "features": []})").find("not a nexusmap project") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": "one"})").find("version") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 99})").find("newer") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "layers": {}})").find("layers: expected an array") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "layers": [{"title": "x"}]})").find("layers[0].path") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "layers": [{"path": "a", "style": {"opacity": "high"}}]})")
              .find("layers[0].style.opacity: expected a number, got string") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "layers": [{"path": "a", "style": {"opacity": 3}}]})")
              .find("between 0 and 1") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "layers": [{"path": "a", "style": {"line_color": [1, 2]}}]})")
              .find("layers[0].style.line_color") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "layers": [{"path": "a", "style": {"line_color": [1, 2, 0]}}]})")
              .find("line_color[1]") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "heat": {"bandwidth_km": -5}})").find("heat.bandwidth_km") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "heat": {"bandwidth_km": null}})")
              .find("heat.bandwidth_km: expected a number, got null") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "heat": {"weight": "deaths"}})").find("heat.weight") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "heat": {"visible": 1}})").find("heat.visible: expected true") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "view": {"lon": 0, "lat": 95, "km_per_px": 1}})")
              .find("view.lat") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "view": {"km_per_px": 0}})").find("view.km_per_px") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "view": {"display_crs": "utm"}})").find("view.display_crs") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "view": {"display_crs": 3857}})").find("view.display_crs") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"start": "2021-13"}}})")
              .find("events.time_window.start") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"months": 0}}})")
              .find("events.time_window.months") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "hidden_types": [1]}})")
              .find("events.hidden_types[0]") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "actors": "x"}})")
              .find("events.actors") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "min_fatalities": -1}})")
              .find("events.min_fatalities") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {}})").find("events.path") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "heat": {"lo": 1e300}})").find("heat.lo") != std::string::npos);
}

// Regression tests for inputs found with tests/fuzz/fuzz_project.cpp (issue #8); each was loaded
// as a different project than the file says. Seeds in tests/fuzz/corpus_project/regress_*.json.
TEST_CASE("project: time-window start with numbers beyond int was wrapped by sscanf (4294969297-01 loaded as 2001-01)") {
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"start": "4294969297-01"}}})")
              .find("events.time_window.start: expected YYYY-MM") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"start": "2021-4294967299"}}})")
              .find("events.time_window.start") != std::string::npos);
    CHECK_FALSE(parse_month("4294969297-01").has_value());
    CHECK_FALSE(parse_month("2021-4294967299").has_value());
}

TEST_CASE("project: time-window start accepted signs, spaces and text after a NUL") {
    for (const char* bad : {" 2021-03", "+2021-03", "2021-+3", "2021- 3", "2021-03 ", "2021-03x", "02021-03", "2021-003",
                            "0-01", "2021-00", "2021-13", "-2021-03", "2021", "2021-", "-03", ""})
        CHECK_MESSAGE(!parse_month(bad).has_value(), bad);
    // "2021-03" + NUL + "xyz": the C string stops at the NUL, so sscanf saw only "2021-03".
    CHECK(error_of("{\"nexusmap_project\": 1, \"events\": {\"path\": \"e.csv\", \"time_window\": "
                   "{\"start\": \"2021-03\\u0000xyz\"}}}")
              .find("events.time_window.start") != std::string::npos);
    // What the viewer writes, and the short forms, still load.
    CHECK(parse_month("2021-03") == 2021 * 12 + 2);
    CHECK(parse_month("2021-3") == 2021 * 12 + 2);
    CHECK(parse_month("1-12") == 1 * 12 + 11);
    CHECK(parse_month("9999-12") == 9999 * 12 + 11);
    const ProjectParse ok =
        parse_project(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"start": "2021-3"}}})", "ok.json");
    REQUIRE_MESSAGE(ok.project.has_value(), ok.error);
    CHECK(ok.project->events->window_start == "2021-3");
}

TEST_CASE("project: format version above INT64_MAX wrapped to -1 and loaded") {
    CHECK(error_of(R"({"nexusmap_project": 18446744073709551615})").find("newer than this viewer") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 9223372036854775808})").find("newer than this viewer") != std::string::npos);
    // Versions below 1 were accepted too.
    CHECK(error_of(R"({"nexusmap_project": 0})").find("nexusmap_project: version 0 is not a valid format version") !=
          std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": -3})").find("not a valid format version") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1.0})").find("expected the format version") != std::string::npos);
    CHECK(parse_project(R"({"nexusmap_project": 1})", "v1.json").project.has_value());
}

TEST_CASE("project: integers above INT64_MAX wrapped to negative numbers") {
    // Was "must be at least 1" (read as -1); the number is out of range.
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"months": 18446744073709551615}}})")
              .find("events.time_window.months: integer out of range") != std::string::npos);
    CHECK(error_of(R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"months": 1000001}}})")
              .find("integer out of range") != std::string::npos);
    const ProjectParse ok = parse_project(
        R"({"nexusmap_project": 1, "events": {"path": "e.csv", "time_window": {"months": 1000000}}})", "ok.json");
    REQUIRE_MESSAGE(ok.project.has_value(), ok.error);
    CHECK(ok.project->events->window_months == 1000000);
}

TEST_CASE("project: the fuzz seed corpus loads or fails as its file name says") {
    // tests/fuzz/corpus_project/: valid_* are projects the viewer writes (save -> load -> save gives
    // the same bytes); broken_* and regress_* are refused with the file name in the message.
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(NEXUSMAP_SOURCE_DIR) / "tests/fuzz/corpus_project";
    REQUIRE(fs::is_directory(dir));
    int valid = 0, refused = 0;
    for (const auto& f : fs::directory_iterator(dir)) {
        const std::string name = f.path().filename().string();
        const ProjectParse r = load_project_file(f.path().string());
        if (name.rfind("valid_", 0) == 0) {
            REQUIRE_MESSAGE(r.project.has_value(), r.error);
            const std::string saved = project_to_json(*r.project);
            const ProjectParse again = parse_project(saved, name);
            REQUIRE_MESSAGE(again.project.has_value(), again.error);
            CHECK(*again.project == *r.project);
            ++valid;
        } else {
            CHECK_MESSAGE(!r.project.has_value(), name);
            CHECK_MESSAGE(r.error.find(name) != std::string::npos, r.error);
            ++refused;
        }
    }
    CHECK(valid >= 5);
    CHECK(refused >= 10);
}

TEST_CASE("project: missing file") {
    const ProjectParse r = load_project_file("/nonexistent/dir/p.json");
    CHECK_FALSE(r.project.has_value());
    CHECK(r.error.find("/nonexistent/dir/p.json") != std::string::npos);
}

TEST_CASE("project: detection by marker") {
    CHECK(looks_like_project(R"({ "nexusmap_project" : 1 })"));
    CHECK_FALSE(looks_like_project(R"({"type":"FeatureCollection","features":[]})"));
}

TEST_CASE("viewer options: export and project flags") {
    const char* argv[] = {"nexusmap",      "view",           "p.json",        "--screenshot", "s.png",
                          "--export-png",  "m.png",          "--export-scale", "3",           "--export-tif",
                          "d.tif",         "--save-project", "out.json",      "--export-geojson", "dir"};
    const ViewerOptions o = parse_viewer_args(int(std::size(argv)), const_cast<char**>(argv));
    CHECK(o.error.empty());
    CHECK(o.files == std::vector<std::string>{"p.json"});
    CHECK(o.export_png == "m.png");
    CHECK(o.export_scale == 3);
    CHECK(o.export_tif == "d.tif");
    CHECK(o.save_project == "out.json");
    CHECK(o.export_geojson == "dir");
    CHECK(o.batch());
    const char* bad[] = {"nexusmap", "--export-scale", "5"};
    CHECK_FALSE(parse_viewer_args(3, const_cast<char**>(bad)).error.empty());
    const char* bad2[] = {"nexusmap", "--export-scale", "x"};
    CHECK_FALSE(parse_viewer_args(3, const_cast<char**>(bad2)).error.empty());
}

// Issue #19: a project received from someone else resolves its paths against its own folder, and
// says when a path leads out of it (the file still opens: a shared basemap folder is legitimate).
TEST_CASE("project paths resolve against the project's folder; leaving it is a warning") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "nexusmap_project_paths" / "proj";
    fs::create_directories(dir / "data");
    fs::create_directories(dir.parent_path() / "elsewhere");
    { std::ofstream(dir / "data" / "a.geojson") << "{}"; }
    { std::ofstream(dir.parent_path() / "elsewhere" / "b.geojson") << "{}"; }
    std::error_code ec;
    fs::remove(dir / "link.geojson", ec);
    fs::create_symlink(dir.parent_path() / "elsewhere" / "b.geojson", dir / "link.geojson", ec);
    const bool have_link = !ec;
    Project p;
    p.layers.push_back({"data/a.geojson", "", "inside", {}});
    p.layers.push_back({"../elsewhere/b.geojson", "", "up and out", {}});
    p.layers.push_back({"/etc/hostname", "", "absolute elsewhere", {}});
    p.layers.push_back({(dir / "data" / "a.geojson").string(), "", "absolute inside", {}});
    if (have_link) p.layers.push_back({"link.geojson", "", "symlink out", {}});
    ProjectEvents e;
    e.path = "./data/../data/a.geojson";
    p.events = e;
    const std::string file = (dir / "session.json").string();
    { std::ofstream(file) << project_to_json(p); }

    const ProjectParse r = open_project_file(file);
    REQUIRE_MESSAGE(r.project.has_value(), r.error);
    const Project& q = *r.project;
    const fs::path base = fs::weakly_canonical(dir);
    CHECK(q.layers[0].path == (base / "data" / "a.geojson").string());
    CHECK(q.layers[1].path == (base.parent_path() / "elsewhere" / "b.geojson").string());
    CHECK(q.events->path == (base / "data" / "a.geojson").string());
    // One warning per path that leaves the folder, naming the member, the path and where it leads.
    REQUIRE(r.warnings.size() == (have_link ? 3u : 2u));
    CHECK(r.warnings[0].find("layers[1].path \"../elsewhere/b.geojson\" leaves the project's folder") != std::string::npos);
    CHECK(r.warnings[0].find("session.json") != std::string::npos);
    CHECK(r.warnings[0].find("elsewhere/b.geojson") != std::string::npos);
    CHECK(r.warnings[1].find("layers[2].path \"/etc/hostname\"") != std::string::npos);
    if (have_link) CHECK(r.warnings[2].find("layers[4].path \"link.geojson\"") != std::string::npos);
    // Parsing alone (load_project_file) keeps the paths as written and warns about nothing.
    const ProjectParse raw = load_project_file(file);
    REQUIRE(raw.project.has_value());
    CHECK(raw.project->layers[1].path == "../elsewhere/b.geojson");
    CHECK(raw.warnings.empty());
    fs::remove_all(dir.parent_path());
}

TEST_CASE("viewer options: --max-memory is checked and kept") {
    const char* ok[] = {"nexusmap", "view", "--max-memory", "2G"};
    const ViewerOptions o = parse_viewer_args(4, const_cast<char**>(ok));
    CHECK(o.error.empty());
    CHECK(o.max_memory == "2G");
    const char* bad[] = {"nexusmap", "view", "--max-memory", "lots"};
    CHECK(parse_viewer_args(4, const_cast<char**>(bad)).error.find("--max-memory") != std::string::npos);
    CHECK(std::string(viewer_usage()).find("--max-memory") != std::string::npos);
}
