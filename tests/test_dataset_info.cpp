// `info` as gdalinfo / ogrinfo -so (issue #16): CRS identified to EPSG, extent, pixel size, bands,
// layers with typed fields and feature counts; JSON that parses.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "nexusmap/dataset_info.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/raster.hpp"
#include "test_util.hpp"

using namespace nexusmap;

TEST_CASE("a GeoTIFF in EPSG:31028 says EPSG:31028, with its extent, pixel size, bands and nodata") {
    auto dir = testutil::tmpdir("dataset_info");
    GridSpec g;
    g.xmin = 300000, g.ymax = 1600000, g.cell = 1000, g.width = 4, g.height = 3;
    std::vector<RasterBand> bands = {{"z", std::vector<float>(12, 1.f)}, {"p", std::vector<float>(12, 0.5f)}};
    const std::string path = (dir / "utm.tif").string();
    write_geotiff_bands(g, Crs::from_user("EPSG:31028"), bands, -9999.f, {{"analysis", "test"}}, path);
    const DatasetDescription d = describe_dataset(path);
    CHECK(d.driver == "GTiff");
    REQUIRE(d.raster);
    CHECK(d.raster->crs.epsg == "EPSG:31028");
    CHECK(d.raster->crs.confidence == 100);
    CHECK(d.raster->width == 4);
    CHECK(d.raster->height == 3);
    CHECK(d.raster->pixel_width == 1000);
    CHECK(d.raster->pixel_height == -1000);
    // Extent by hand: x 300000 .. 300000 + 4 km, y 1600000 - 3 km .. 1600000.
    CHECK(d.raster->extent.xmin == 300000);
    CHECK(d.raster->extent.xmax == 304000);
    CHECK(d.raster->extent.ymin == 1597000);
    CHECK(d.raster->extent.ymax == 1600000);
    REQUIRE(d.raster->bands.size() == 2);
    CHECK(d.raster->bands[0].type == "Float32");
    CHECK(d.raster->bands[0].description == "z");
    CHECK(d.raster->bands[1].description == "p");
    REQUIRE(d.raster->bands[0].nodata);
    CHECK(*d.raster->bands[0].nodata == -9999);
    CHECK(d.metadata.at("analysis") == "test");
    CHECK(d.text().find("crs: EPSG:31028") != std::string::npos);
    const auto j = nlohmann::json::parse(d.json());
    CHECK(j["raster"]["crs"]["epsg"] == "EPSG:31028");
    CHECK(j["raster"]["pixel_size"][0] == 1000.0);
    CHECK(j["raster"]["bands"][1]["description"] == "p");
}

TEST_CASE("CRS given without a code is matched as gdalsrsinfo -e does; an ad-hoc one is not") {
    CHECK(describe_crs("EPSG:31028").epsg == "EPSG:31028");
    const CrsDescription ll = describe_crs("+proj=longlat +datum=WGS84 +no_defs");
    CHECK(ll.epsg == "EPSG:4326");
    CHECK(ll.confidence == 70);
    CHECK(ll.label().find("matched, 70% confidence") != std::string::npos);
    CHECK(describe_crs("+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs").epsg == "EPSG:32631");
    const CrsDescription laea = describe_crs("+proj=laea +lon_0=2 +lat_0=12 +datum=WGS84 +units=m");
    CHECK(laea.present);
    CHECK(laea.epsg.empty());
    CHECK(laea.label().find("no EPSG") != std::string::npos);
}

TEST_CASE("a Shapefile: point layer, feature count, typed fields (ogrinfo -so)") {
    const DatasetDescription d = describe_dataset(testutil::data("acled_inputs/acled_truncated.shp"));
    CHECK(!d.raster);
    REQUIRE(d.layers.size() == 1);
    const LayerDescription& l = d.layers[0];
    CHECK(l.geometry_type == "Point");
    CHECK(l.feature_count == 7);
    CHECK(l.crs.epsg == "EPSG:4326");
    CHECK(l.has_extent);
    CHECK(l.extent.xmin == doctest::Approx(-4.3));
    CHECK(l.extent.ymax == doctest::Approx(14.1));
    auto type_of = [&](const std::string& n) {
        for (auto& f : l.fields)
            if (f.name == n) return f.type;
        return std::string("?");
    };
    CHECK(type_of("event_date") == "Date");
    CHECK(type_of("fatalities") == "Integer");
    CHECK(type_of("geo_precis") == "Integer");
    CHECK(type_of("country") == "String");
}

TEST_CASE("a file GDAL cannot read is named in the error") {
    CHECK_THROWS_WITH_AS(describe_dataset(testutil::data("garbage.bin")), doctest::Contains("garbage.bin"), GeoError);
}
