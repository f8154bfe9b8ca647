// simplestyle properties (Mapbox simplestyle-spec 1.1.0) on the GeoJSON outputs: the helpers in
// geo/include/nexusmap/style.hpp, and the files written by `nexusmap contours`, `zonal`,
// `spillover` and `corridors` on the bundled demo, parsed back with nlohmann-json. Expected colours
// are computed here from the ramp stops (own interpolation and rounding), the viewer's band formula
// and the categorical palette order.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/raster.hpp"
#include "nexusmap/style.hpp"
#include "test_util.hpp"

using namespace nexusmap;
using json = nlohmann::json;

namespace {

int run_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "nexusmap");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return cli::run(static_cast<int>(argv.size()), argv.data());
}

json read_json(const std::filesystem::path& p) {
    std::ifstream in(p);
    REQUIRE(in.good());
    return json::parse(in);
}

std::array<int, 3> hex_rgb(const std::string& h) {
    std::array<int, 3> c{-1, -1, -1};
    REQUIRE(h.size() == 7);
    REQUIRE(std::sscanf(h.c_str(), "#%02x%02x%02x", &c[0], &c[1], &c[2]) == 3);
    return c;
}

// Independent ramp lookup: linear between evenly spaced stops, channels rounded to 0..255.
std::array<int, 3> expect_ramp(style::Ramp r, double t) {
    const auto s = style::ramp_stops(r);
    t = std::clamp(t, 0.0, 1.0) * double(s.size() - 1);
    const size_t i = std::min(size_t(std::floor(t)), s.size() - 2);
    const double f = t - double(i);
    auto ch = [&](float a, float b) { return int(std::lround((double(a) + (double(b) - double(a)) * f) * 255)); };
    return {ch(s[i].r, s[i + 1].r), ch(s[i].g, s[i + 1].g), ch(s[i].b, s[i + 1].b)};
}

void check_close(const std::array<int, 3>& got, const std::array<int, 3>& want, int tol = 1) {
    for (int k = 0; k < 3; ++k) CHECK(std::abs(got[k] - want[k]) <= tol);
}

std::array<int, 3> rgb8(float r, float g, float b) {
    return {int(std::lround(r * 255)), int(std::lround(g * 255)), int(std::lround(b * 255))};
}

const std::array<const char*, 5> kPolygonKeys = {"fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity"};

void check_polygon_keys(const json& props) {
    for (const char* k : kPolygonKeys) CHECK_MESSAGE(props.contains(k), k);
    CHECK(props["fill"].is_string());
    CHECK(props["fill-opacity"].is_number());
    CHECK(props["stroke"].is_string());
    CHECK(props["stroke-width"].is_number());
    CHECK(props["stroke-opacity"].is_number());
}

std::string demo(const std::string& rel) { return std::string(NEXUSMAP_SOURCE_DIR) + "/data/" + rel; }

} // namespace

TEST_CASE("add_simplestyle: keys by geometry type, replacing earlier ones") {
    VectorLayer poly;
    poly.type = GeomType::Polygon;
    poly.fields = {"name", "fill", "value"};
    Feature f;
    f.attrs = {std::string("a"), std::string("#000000"), 2.5};
    poly.features = {f, f};
    style::add_simplestyle(poly, {{style::rgb8(255, 0, 0), 0.25, style::rgb8(0, 0, 255), 2.0, 0.5},
                                  {style::rgb8(0, 128, 0), 1.0, style::rgb8(0, 0, 0), 0.0, 1.0}});
    REQUIRE(poly.fields == std::vector<std::string>{"name", "value", "fill", "fill-opacity", "stroke", "stroke-width",
                                                    "stroke-opacity"});
    REQUIRE(poly.features[0].attrs.size() == 7);
    CHECK(std::get<double>(poly.features[0].attrs[1]) == 2.5); // the old "fill" column is gone
    CHECK(std::get<std::string>(poly.features[0].attrs[2]) == "#ff0000");
    CHECK(std::get<double>(poly.features[0].attrs[3]) == 0.25);
    CHECK(std::get<std::string>(poly.features[0].attrs[4]) == "#0000ff");
    CHECK(std::get<double>(poly.features[0].attrs[5]) == 2.0);
    CHECK(std::get<double>(poly.features[0].attrs[6]) == 0.5);
    CHECK(std::get<std::string>(poly.features[1].attrs[2]) == "#008000");

    VectorLayer line;
    line.type = GeomType::Line;
    line.features = {Feature{}};
    style::add_simplestyle(line, {{style::rgb8(1, 2, 3), 0.3, style::rgb8(16, 32, 48), 4, 0.9}});
    CHECK(line.fields == std::vector<std::string>{"stroke", "stroke-width", "stroke-opacity"});
    CHECK(std::get<std::string>(line.features[0].attrs[0]) == "#102030");

    VectorLayer pts;
    pts.type = GeomType::Point;
    pts.features = {Feature{}};
    style::add_simplestyle(pts, {{style::rgb8(255, 255, 0)}});
    CHECK(pts.fields == std::vector<std::string>{"marker-color", "marker-size"});
    CHECK(std::get<std::string>(pts.features[0].attrs[0]) == "#ffff00");

    CHECK_THROWS(style::add_simplestyle(pts, {}));
    CHECK(style::is_simplestyle_key("stroke-opacity"));
    CHECK_FALSE(style::is_simplestyle_key("value"));
}

TEST_CASE("style_by_value: ramp colours at the field's value; spillover band colours") {
    VectorLayer l;
    l.type = GeomType::Polygon;
    l.fields = {"v"};
    for (double v : {0.0, 1.0, 2.5, 4.0}) {
        Feature f;
        f.attrs = {v};
        l.features.push_back(f);
    }
    const style::ValueScale vs = style::field_scale(l, "v");
    CHECK(vs.lo == 0);
    CHECK(vs.hi == 4);
    style::style_by_value(l, "v", style::Ramp::Inferno, vs, 0.5);
    for (size_t i = 0; i < l.features.size(); ++i) {
        const double v = std::get<double>(l.features[i].attrs[0]);
        check_close(hex_rgb(std::get<std::string>(l.features[i].attrs[1])), expect_ramp(style::Ramp::Inferno, v / 4));
        CHECK(std::get<double>(l.features[i].attrs[2]) == 0.5);
    }
    CHECK_THROWS(style::style_by_value(l, "missing", style::Ramp::Viridis, vs));

    // Bands: warm (red > blue) on the Sahel side, cool on the coastal side, opaquer near the border.
    const auto s_near = style::spillover_band_color(-50, 0, 200), s_far = style::spillover_band_color(-200, -100, 200);
    const auto c_near = style::spillover_band_color(0, 50, 200);
    CHECK(s_near.r > s_near.b);
    CHECK(c_near.b > c_near.r);
    CHECK(s_near.a > s_far.a);
    CHECK(s_near.a == doctest::Approx(0.12 + 0.22 * (1 - 25.0 / 200)));
}

TEST_CASE("`nexusmap contours` and `zonal` GeoJSON: fill and stroke are the ramp colour of each feature's value") {
    const auto dir = testutil::tmpdir("simplestyle_contours");
    const std::string ev = demo("demo/events_synthetic.csv");
    const std::string tif = (dir / "d.tif").string(), hot = (dir / "hot.geojson").string();
    REQUIRE(run_cli({"density", ev, "-o", tif, "--cell-km", "20", "--bandwidth-km", "60"}) == 0);
    REQUIRE(run_cli({"contours", tif, "-o", hot, "--percent", "50,75,90", "--ramp", "magma"}) == 0);
    const Raster r = read_raster(tif);
    double mx = 0;
    for (float v : r.data)
        if (!r.is_nodata(v)) mx = std::max(mx, double(v));
    REQUIRE(mx > 0);
    const json j = read_json(hot);
    REQUIRE(j["features"].size() == 3);
    std::set<std::string> fills;
    for (const auto& f : j["features"]) {
        const json& p = f["properties"];
        check_polygon_keys(p);
        const double level = p["level"].get<double>();
        const auto want = expect_ramp(style::Ramp::Magma, level / mx);
        check_close(hex_rgb(p["fill"]), want);
        check_close(hex_rgb(p["stroke"]), want);
        fills.insert(p["fill"].get<std::string>());
    }
    CHECK(fills.size() == 3); // three levels, three colours
    CHECK(j["metadata"]["style"].get<std::string>().find("magma") != std::string::npos);

    const std::string zj = (dir / "adm1.geojson").string(), zc = (dir / "adm1.csv").string();
    REQUIRE(run_cli({"zonal", ev, "-o", zj, "--csv", zc}) == 0);
    const json z = read_json(zj);
    REQUIRE(z["features"].size() > 10);
    double zmax = 0;
    for (const auto& f : z["features"])
        if (f["properties"]["events_per_10k_km2"].is_number())
            zmax = std::max(zmax, f["properties"]["events_per_10k_km2"].get<double>());
    REQUIRE(zmax > 0);
    for (const auto& f : z["features"]) {
        const json& p = f["properties"];
        check_polygon_keys(p);
        const double v = p["events_per_10k_km2"].is_number() ? p["events_per_10k_km2"].get<double>() : 0.0;
        check_close(hex_rgb(p["fill"]), expect_ramp(style::Ramp::Viridis, v / zmax));
        CHECK(p["fill-opacity"].get<double>() == doctest::Approx(0.7));
    }
    // The CSV keeps its columns free of style fields.
    std::ifstream csv(zc);
    std::string all((std::istreambuf_iterator<char>(csv)), std::istreambuf_iterator<char>());
    CHECK(all.find("fill-opacity") == std::string::npos);
    // A field that does not exist is refused before anything is written.
    CHECK(run_cli({"zonal", ev, "-o", (dir / "bad.geojson").string(), "--style-field", "nope"}) != 0);
    CHECK_FALSE(std::filesystem::exists(dir / "bad.geojson"));
}

TEST_CASE("`nexusmap spillover` and `corridors` GeoJSON carry the viewer's colours") {
    const auto dir = testutil::tmpdir("simplestyle_spill");
    const std::string ev = demo("demo/events_synthetic.csv");
    REQUIRE(run_cli({"spillover", ev, "--out", (dir / "sp").string(), "--permutations", "19"}) == 0);
    const json bands = read_json(dir / "sp" / "bands.geojson");
    REQUIRE(bands["features"].size() >= 2);
    double far = 1;
    for (const auto& f : bands["features"])
        for (const char* k : {"lo_km", "hi_km"})
            if (f["properties"][k].is_number()) far = std::max(far, std::abs(f["properties"][k].get<double>()));
    bool warm = false, cool = false;
    for (const auto& f : bands["features"]) {
        const json& p = f["properties"];
        check_polygon_keys(p);
        const double lo = p["lo_km"].get<double>(), hi = p["hi_km"].get<double>(), mid = (lo + hi) / 2;
        const double t = 1 - std::min(1.0, std::abs(mid) / far);
        const auto want = mid < 0 ? rgb8(0.93f, float(0.55 - 0.2 * t), 0.2f) : rgb8(0.15f, float(0.5 + 0.1 * t), 0.75f);
        check_close(hex_rgb(p["fill"]), want);
        CHECK(p["fill-opacity"].get<double>() == doctest::Approx(0.12 + 0.22 * t).epsilon(0.01));
        CHECK(p["stroke"] == "#595959"); // 0.35 grey, the viewer's band outline
        warm = warm || mid < 0;
        cool = cool || mid > 0;
    }
    CHECK(warm);
    CHECK(cool);
    const json border = read_json(dir / "sp" / "border_segments.geojson");
    REQUIRE(border["features"].size() >= 2);
    for (size_t i = 0; i < border["features"].size(); ++i) {
        const json& p = border["features"][i]["properties"];
        REQUIRE(p.contains("stroke"));
        CHECK_FALSE(p.contains("fill")); // lines: stroke properties only
        const auto c = style::category_color(int(i));
        check_close(hex_rgb(p["stroke"]), rgb8(c.r, c.g, c.b));
        CHECK(p["stroke-width"].get<double>() == 4.0);
        CHECK(p["stroke-opacity"].get<double>() == 1.0);
    }

    REQUIRE(run_cli({"corridors", ev, "--out", (dir / "co").string()}) == 0);
    const json corr = read_json(dir / "co" / "corridors.geojson");
    REQUIRE(corr["features"].size() >= 2);
    std::set<std::string> commodities;
    for (const auto& f : corr["features"]) commodities.insert(f["properties"]["commodity"].get<std::string>());
    const std::vector<std::string> sorted(commodities.begin(), commodities.end());
    for (const auto& f : corr["features"]) {
        const json& p = f["properties"];
        check_polygon_keys(p);
        const size_t k = size_t(std::find(sorted.begin(), sorted.end(), p["commodity"].get<std::string>()) - sorted.begin());
        const auto c = style::category_color(int(k));
        check_close(hex_rgb(p["fill"]), rgb8(c.r, c.g, c.b));
        CHECK(p["fill-opacity"].get<double>() == doctest::Approx(0.3));
    }
    const json cross = read_json(dir / "co" / "crossings.geojson");
    for (const auto& f : cross["features"]) CHECK(f["properties"].contains("marker-color"));
}
