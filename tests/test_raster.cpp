// GeoTIFF round trip (CRS, geotransform, nodata, metadata), COG, atomic writes.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/raster.hpp"
#include "test_util.hpp"

using namespace nexusmap;

static Raster sample_raster() {
    GridSpec g;
    g.xmin = -150'000, g.ymax = 90'000, g.cell = 5'000, g.width = 37, g.height = 23;
    Raster r(g, Crs::default_analysis(), 0.0f);
    for (int row = 0; row < g.height; ++row)
        for (int col = 0; col < g.width; ++col) r.at(col, row) = static_cast<float>(row * 100 + col) / 7.0f;
    r.at(3, 4) = r.nodata;
    r.units = "weight per km^2";
    r.metadata["kernel"] = "quartic";
    r.metadata["synthetic"] = "true";
    return r;
}

TEST_CASE("GeoTIFF written then read back: CRS, geotransform, nodata, metadata, pixels") {
    auto dir = testutil::tmpdir("raster");
    for (bool cog : {false, true}) {
        const std::string path = (dir / (cog ? "a_cog.tif" : "a.tif")).string();
        Raster r = sample_raster();
        GeoTiffOptions o;
        o.cog = cog;
        write_geotiff(r, path, o);
        Raster b = read_raster(path);
        CHECK(b.crs.same_as(r.crs));
        CHECK(b.grid.xmin == r.grid.xmin);
        CHECK(b.grid.ymax == r.grid.ymax);
        CHECK(b.grid.cell == r.grid.cell);
        CHECK(b.grid.width == r.grid.width);
        CHECK(b.grid.height == r.grid.height);
        CHECK(b.has_nodata);
        CHECK(b.nodata == r.nodata);
        CHECK(b.is_nodata(b.at(3, 4)));
        CHECK(b.units == "weight per km^2");
        CHECK(b.metadata.at("kernel") == "quartic");
        CHECK(b.metadata.at("synthetic") == "true");
        CHECK(b.data == r.data); // float32 is stored losslessly
        // sample() agrees with the geotransform: centre of cell (10, 5)
        CHECK(b.sample(r.grid.col_center_x(10), r.grid.row_center_y(5)) == doctest::Approx(r.at(10, 5)));
    }
}

TEST_CASE("writes are atomic: a failed write leaves the old file and no temp file") {
    auto dir = testutil::tmpdir("atomic");
    const std::string path = (dir / "keep.txt").string();
    write_text_atomic(path, "old");
    {
        AtomicFile f(path);
        std::ofstream(f.temp_path()) << "half";
        // destroyed without commit(): as if the writer threw halfway
    }
    std::ifstream in(path);
    std::string s;
    in >> s;
    CHECK(s == "old");
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) (void)e, ++n;
    CHECK(n == 1);
    CHECK_THROWS_WITH_AS(write_text_atomic((dir / "nope" / "x.txt").string(), "x"), doctest::Contains("does not exist"), GeoError);
    CHECK_THROWS_WITH_AS(write_text_atomic(path, "new", false), doctest::Contains("--force"), GeoError);
}

TEST_CASE("grid covering a bbox snaps outwards to whole cells") {
    GridSpec g = GridSpec::covering({-12'345, 1'000, 7'777, 20'001}, 1'000);
    CHECK(g.xmin == -13'000);
    CHECK(g.ymax == 21'000);
    CHECK(g.xmax() >= 7'777);
    CHECK(g.ymin() <= 1'000);
    CHECK(g.width == 21);
    CHECK(g.height == 20);
    CHECK_THROWS_AS(GridSpec::covering({0, 0, 1, 1}, 0), GeoError);
}

TEST_CASE("reading a non-raster gives a clear error") {
    CHECK_THROWS_WITH_AS(read_raster(testutil::data("acled_small.csv")), doctest::Contains("acled_small.csv"), GeoError);
}
