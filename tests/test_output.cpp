// The output registry (output.hpp): the extension picks the writer, mismatches are refused before
// any work, every format reopens through OGR/GDAL with the right fields, types, geometry type, CRS
// and provenance, CSVs have one plain header row and a sidecar.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/qml.hpp"
#include "nexusmap/style.hpp"
#include "test_util.hpp"

using namespace nexusmap;
namespace fs = std::filesystem;

namespace {
using testutil::slurp;
// Two squares in the default analysis CRS: one single polygon, one with two parts, so a writer
// that does not promote to Multi* mixes geometry types.
VectorLayer two_units(bool synthetic) {
    VectorLayer l;
    l.name = "units";
    l.crs = Crs::default_analysis();
    l.type = GeomType::Polygon;
    l.fields = {"unit", "count", "z"};
    auto sq = [](double x, double y, double s) { return Polygon{{Ring{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}}; };
    Feature a;
    a.geom.type = GeomType::Polygon;
    a.geom.polygons = {sq(0, 0, 25000)};
    a.attrs = {std::string("u1"), int64_t(3), 1.5};
    Feature b;
    b.geom.type = GeomType::Polygon;
    b.geom.polygons = {sq(50000, 0, 25000), sq(100000, 0, 25000)};
    b.attrs = {std::string("u2"), int64_t(0), -2.25};
    l.features = {a, b};
    style::add_simplestyle(l, {{style::rgb8(0xd6, 0x2f, 0x27), 0.75, style::rgb8(128, 128, 128), 0.3, 1.0},
                               {style::rgb8(0x45, 0x75, 0xb5), 0.75, style::rgb8(128, 128, 128), 0.3, 1.0}});
    if (synthetic) l.metadata["synthetic"] = "true";
    return l;
}
Metadata prov(bool synthetic) {
    return {{"tool", "nexusmap test"}, {"synthetic", synthetic ? "true" : "false"}, {"analysis", "unit test"}};
}
} // namespace

TEST_CASE("the extension picks the format; mismatches and unknown extensions are refused with the fix") {
    auto dir = testutil::tmpdir("output_check");
    const std::string d = dir.string() + "/";
    CHECK(check_output_for(d + "a.tif", ProductKind::Raster, true) == OutputFormat::GeoTiff);
    CHECK(check_output_for(d + "a.TIFF", ProductKind::Raster, true) == OutputFormat::GeoTiff);
    CHECK(check_output_for(d + "a.gpkg", ProductKind::Vector, true) == OutputFormat::GeoPackage);
    CHECK(check_output_for(d + "a.json", ProductKind::Vector, true) == OutputFormat::GeoJson);
    CHECK(check_output_for(d + "a.fgb", ProductKind::Vector, true) == OutputFormat::FlatGeobuf);
    CHECK(check_output_for(d + "a.kmz", ProductKind::Vector, true) == OutputFormat::Kmz);
    CHECK(check_output_for(d + "a.csv", ProductKind::Table, true) == OutputFormat::Csv);
    CHECK(check_output_for(d + "a.gpkg", ProductKind::Table, true) == OutputFormat::GeoPackage);
    CHECK(check_output_for("-", ProductKind::Vector, true) == OutputFormat::GeoJson);
    CHECK(check_output_for("-", ProductKind::Table, true) == OutputFormat::Csv);
    auto refused = [](const std::string& p, ProductKind k, const char* needle) {
        try {
            check_output_for(p, k, true, {}, "-o");
        } catch (const GeoError& e) {
            const std::string msg = e.what();
            INFO(msg);
            CHECK(msg.find(needle) != std::string::npos);
            return;
        }
        FAIL("accepted " << p);
    };
    refused(d + "x.png", ProductKind::Raster, ".tif, .tiff");          // density -o x.png
    refused(d + "c.shp", ProductKind::Vector, "no Shapefile");  // contours -o c.shp
    refused(d + "z.gpkg", ProductKind::Raster, "is a GeoPackage name"); // a raster into a vector format
    refused(d + "z.tif", ProductKind::Vector, "is a GeoTIFF name");
    refused(d + "z.geojson", ProductKind::Table, ".csv");
    refused(d + "noext", ProductKind::Vector, "has no extension");
    refused("-", ProductKind::Raster, "cannot be streamed");
    refused(d + "missing/x.tif", ProductKind::Raster, "does not exist");
    // Companions are checked too: an existing sidecar without overwrite is refused up front.
    std::ofstream(d + "t.csv.json") << "{}";
    CHECK_THROWS_AS(check_output_for(d + "t.csv", ProductKind::Table, false), GeoError);
    // Every format is listed with its extensions.
    CHECK(extensions_for(ProductKind::Vector) == ".gpkg, .geojson, .json, .fgb, .csv, .kml, .kmz");
}

TEST_CASE("CSV: one plain header row, metadata in the sidecar, types in .csvt, geometry as WKT") {
    auto dir = testutil::tmpdir("output_csv");
    const VectorLayer l = two_units(true);
    Table t;
    t.columns = {"unit", "count", "z"};
    t.rows = {{"u1", "3", "1.5"}, {"u2", "0", "-2.25"}};
    const Table tg = table_with_geometry(t, l, prov(true));
    REQUIRE(tg.columns.size() == 5);
    CHECK(tg.columns[3] == "data_kind");
    CHECK(tg.columns[4] == "WKT");
    CHECK(tg.rows[0][3] == "synthetic");
    CHECK(tg.rows[1][4].rfind("MULTIPOLYGON ((", 0) == 0);
    const std::string csv = (dir / "units.csv").string();
    write_table(tg, csv, WriteOptions{prov(true)});
    const std::string text = slurp(csv);
    CHECK(text.rfind("unit,count,z,data_kind,WKT\n", 0) == 0); // no "# key: value" lines
    CHECK(text.find("\n#") == std::string::npos);
    CHECK(slurp(dir / "units.csvt") == "\"String\",\"Integer64\",\"Real\",\"String\",\"WKT\"\n");
    const auto side = nlohmann::json::parse(slurp(csv + ".json"));
    CHECK(side["file"] == "units.csv");
    CHECK(side["metadata"]["synthetic"] == "true");
    CHECK(side["columns"][1]["type"] == "Integer64");
    CHECK(side["geometry"]["crs"] == "EPSG:4326");
    CHECK(read_csv_sidecar(csv).at("analysis") == "unit test");
    // OGR opens it as a layer: WKT geometry in lon/lat, typed fields from the .csvt.
    const DatasetInfo info = inspect_dataset(csv);
    REQUIRE(info.layers.size() == 1);
    CHECK(info.layers[0].feature_count == 2);
    const auto& f = info.layers[0].fields;
    REQUIRE(f.size() >= 4);
    CHECK(f[1] == std::pair<std::string, std::string>{"count", "Integer64"});
    CHECK(f[2] == std::pair<std::string, std::string>{"z", "Real"});
    // The WKT coordinates are lon/lat near the LAEA origin (2E, 12N), within a degree or two.
    const VectorLayer back = read_layer(csv);
    CHECK(back.type == GeomType::Polygon);
    const BBox bb = back.bbox();
    CHECK(bb.xmin == doctest::Approx(2.0).epsilon(0.01));
    CHECK(bb.ymin == doctest::Approx(12.0).epsilon(0.01));
    CHECK(bb.xmax < 4.0);
}

TEST_CASE("the event loader reads both old '#' CSVs and new CSVs with a sidecar") {
    auto dir = testutil::tmpdir("output_loader");
    // Old: provenance in "# key: value" lines.
    const fs::path old_csv = dir / "old.csv";
    std::ofstream(old_csv) << "# synthetic: true\n# tool: nexusmap 0.1\nlatitude,longitude\n12,-1\n13,-2\n";
    auto o = load_events(old_csv.string());
    CHECK(o.events.size() == 2);
    CHECK(o.events.synthetic);
    // New: a plain CSV whose sidecar says synthetic.
    Table t;
    t.columns = {"latitude", "longitude"};
    t.rows = {{"12", "-1"}, {"13", "-2"}, {"14", "-3"}};
    const std::string csv = (dir / "new.csv").string();
    write_csv(t, csv, prov(true));
    auto n = load_events(csv);
    CHECK(n.events.size() == 3);
    CHECK(n.events.synthetic);
    CHECK(n.events.prov.synthetic);
}

TEST_CASE("GeoPackage: MultiPolygon, CRS, provenance metadata, data_kind and a QGIS layer_styles row") {
    auto dir = testutil::tmpdir("output_gpkg");
    const std::string gpkg = (dir / "units.gpkg").string();
    write_vector(two_units(true), gpkg, WriteOptions{prov(true)});
    const DatasetInfo info = inspect_dataset(gpkg);
    CHECK(info.driver == "GPKG");
    CHECK(info.metadata.at("synthetic") == "true"); // gpkg_metadata through GDAL
    const LayerInfo* units = nullptr;
    bool styles = false;
    for (auto& l : info.layers) {
        if (l.name == "units") units = &l;
        styles = styles || l.name == "layer_styles";
    }
    REQUIRE(units);
    CHECK(styles);
    CHECK(units->geometry_type == "Multi Polygon");
    CHECK(units->feature_count == 2);
    CHECK(units->crs_name.find("Lambert") != std::string::npos); // named, not "unnamed"
    auto has = [&](const char* n, const char* ty) {
        return std::find(units->fields.begin(), units->fields.end(), std::pair<std::string, std::string>{n, ty}) !=
               units->fields.end();
    };
    CHECK(has("count", "Integer64"));
    CHECK(has("z", "Real"));
    CHECK(has("data_kind", "String"));
    // The layer reads back with its metadata and data_kind on every feature.
    ReadLayerOptions ro;
    ro.layer = "units";
    const VectorLayer back = read_layer(gpkg, ro);
    CHECK(back.synthetic());
    REQUIRE(back.field_index("data_kind") >= 0);
    for (size_t i = 0; i < back.features.size(); ++i) CHECK(back.attr_string(i, "data_kind") == "synthetic");
}

TEST_CASE("qml_vector: categorized by the simplestyle colour, labelled from the class field") {
    VectorLayer l = two_units(false);
    l.fields.push_back("bin");
    l.features[0].attrs.push_back(int64_t(3));
    l.features[1].attrs.push_back(int64_t(-3));
    const std::string q = qml_vector(l);
    CHECK(q.find("type=\"categorizedSymbol\" attr=\"fill\"") != std::string::npos);
    CHECK(q.find("value=\"#d62f27\" label=\"+3 Hot spot, 99% confidence\"") != std::string::npos);
    CHECK(q.find("value=\"#4575b5\" label=\"-3 Cold spot, 99% confidence\"") != std::string::npos);
    CHECK(q.find("214,47,39,191") != std::string::npos); // #d62f27 at fill-opacity 0.75
    CHECK(q.find("<layerGeometryType>2</layerGeometryType>") != std::string::npos);
}

TEST_CASE("GeoJSON, FlatGeobuf and KML reopen with one geometry type and data_kind") {
    auto dir = testutil::tmpdir("output_vec");
    const VectorLayer l = two_units(false);
    for (const char* name : {"u.geojson", "u.fgb", "u.kml"}) {
        const std::string p = (dir / name).string();
        write_vector(l, p, WriteOptions{prov(false)});
        const DatasetInfo info = inspect_dataset(p);
        REQUIRE(info.layers.size() >= 1);
        INFO(name);
        if (std::string(name) != "u.kml") CHECK(info.layers[0].geometry_type == "Multi Polygon");
        const VectorLayer back = read_layer(p);
        CHECK(back.features.size() == 2);
        REQUIRE(back.field_index("data_kind") >= 0);
        CHECK(back.attr_string(0, "data_kind") == "real");
    }
    const std::string kml = slurp(dir / "u.kml");
    CHECK(kml.find("<Style id=\"s0\">") != std::string::npos);
    CHECK(kml.find("<PolyStyle><color>bf272fd6</color>") != std::string::npos); // aabbggrr of #d62f27 @ 0.75
    CHECK(kml.find("<Data name=\"synthetic\"><value>false</value>") != std::string::npos);
    // KMZ: a zip holding doc.kml, which OGR opens.
    const std::string kmz = (dir / "u.kmz").string();
    write_vector(l, kmz, WriteOptions{prov(false)});
    CHECK(slurp(kmz).rfind("PK", 0) == 0);
    CHECK(read_layer(kmz).features.size() == 2);
}

TEST_CASE("class raster: byte band, colour table and attribute table beside it") {
    auto dir = testutil::tmpdir("output_class");
    ClassRaster c;
    c.grid = GridSpec::covering({0, 0, 100000, 50000}, 25000);
    c.crs = Crs::default_analysis();
    c.band_name = "bin";
    c.classes = gi_bin_classes();
    c.codes.assign(c.grid.size(), ClassRaster::kNoData);
    c.codes[0] = 6; // bin +3
    c.codes[1] = 0; // bin -3
    const std::string tif = (dir / "bins.tif").string();
    write_class_raster(c, tif, WriteOptions{prov(false)});
    CHECK(fs::exists(tif + ".aux.xml"));
    const std::string aux = slurp(tif + ".aux.xml");
    CHECK(aux.find("Hot spot, 99% confidence") != std::string::npos);
    CHECK(aux.find("#d62f27") != std::string::npos);
    const Raster r = read_raster(tif);
    CHECK(r.nodata == 255.0f);
    CHECK(r.at(0, 0) == 6.0f);
    CHECK(r.at(1, 0) == 0.0f);
    CHECK(r.crs.name().find("Lambert azimuthal equal-area") != std::string::npos);
    CHECK(r.metadata.at("synthetic") == "false");
    // Wrong extension refused by the writer too.
    CHECK_THROWS_AS(write_class_raster(c, (dir / "bins.png").string()), GeoError);
}

TEST_CASE("a GeoPackage with several layers and tables holds one layer_styles row per layer") {
    auto dir = testutil::tmpdir("output_multi");
    const VectorLayer a = two_units(false);
    VectorLayer b = two_units(false);
    b.name = "other";
    Table t;
    t.columns = {"period", "events"};
    t.rows = {{"2020", "4"}, {"2021", "7"}};
    const std::string p = (dir / "all.gpkg").string();
    write_gpkg_items({{&a, nullptr, "", ""}, {&b, nullptr, "", ""}, {nullptr, &t, "periods", ""}}, p, WriteOptions{prov(false)});
    const auto names = list_layers(p);
    for (const char* n : {"units", "other", "periods", "layer_styles"})
        CHECK(std::find(names.begin(), names.end(), n) != names.end());
    const DatasetInfo info = inspect_dataset(p);
    for (auto& l : info.layers)
        if (l.name == "layer_styles") {
            CHECK(l.feature_count == 2);
            std::vector<std::string> cols;
            for (auto& f : l.fields) cols.push_back(f.first);
            CHECK(cols == std::vector<std::string>{"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
                                                   "styleName", "styleQML", "styleSLD", "useAsDefault", "description",
                                                   "owner", "ui", "update_time"});
        } else if (l.name == "periods") {
            CHECK(l.feature_count == 2);
            CHECK(l.fields[1] == std::pair<std::string, std::string>{"events", "Integer64"});
        }
}

TEST_CASE("an unnamed projected CRS gets a name in GeoTIFF and GeoPackage; the numbers stay") {
    auto dir = testutil::tmpdir("output_crs_name");
    const Crs c = Crs::from_user("+proj=laea +lat_0=10 +lon_0=0 +datum=WGS84 +units=m +no_defs +type=crs");
    Raster r(GridSpec::covering({0, 0, 20000, 20000}, 10000), c, 1.0f);
    const std::string tif = (dir / "r.tif").string();
    write_raster(r, tif, WriteOptions{prov(false)});
    const Raster back = read_raster(tif);
    CHECK(back.crs.name().find("nexusmap +proj=laea") != std::string::npos);
    CHECK(back.crs.same_as(c)); // same parameters, only the name added
    VectorLayer l = two_units(false);
    l.crs = c;
    const std::string gpkg = (dir / "l.gpkg").string();
    write_vector(l, gpkg, WriteOptions{prov(false)});
    const DatasetInfo info = inspect_dataset(gpkg);
    CHECK(info.layers.at(0).crs_name.find("nexusmap +proj=laea") != std::string::npos);
}
