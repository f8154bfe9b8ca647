// Time-lapse export (animation.hpp, video_pipe.hpp): the GIF read back with giflib's own decoder
// (frame count = periods, frame size, delays, one global palette, the hot cell in the top ramp
// colour only in its own period and at half the scale in a period with half the events: one fixed
// scale), the palette, the frame cap, and the ffmpeg wrapper driven with a stand-in encoder.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gif_lib.h>

#include "nexusmap/animation.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/video_pipe.hpp"
#include "test_util.hpp"

using namespace nexusmap;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    Crs crs = Crs::laea(2, 12);
    VectorLayer admin0;
    EventTable ev;
    GridSpec grid;
    std::array<double, 2> hot_jan{}, hot_mar{}; // projected event locations (cell centres)
    AnimationSpec spec;

    Fixture() {
        ReadLayerOptions ro;
        ro.layer = "admin0";
        ro.target_crs = crs;
        admin0 = read_layer(std::string(NEXUSMAP_SOURCE_DIR) + "/data/basemap/west_africa.gpkg", ro);
        Transformer t(Crs::wgs84(), crs);
        // Cells of 20 km are > 6 px in a 600 px frame of this extent: drawn unsmoothed (map_render
        // smooths smaller cells), so a cell's pixels carry its own value.
        const BBox b = t.forward_bbox({-3, 8, 9, 18});
        grid = GridSpec::covering(b, 20e3);
        // Snap the two places to cell centres so their cells hold the exact peaks.
        auto centre = [&](double lon, double lat) {
            t.forward(lon, lat);
            const int c = int((lon - grid.xmin) / grid.cell), r = int((grid.ymax - lat) / grid.cell);
            return std::array<double, 2>{grid.col_center_x(c), grid.row_center_y(r)};
        };
        hot_jan = centre(0.5, 14.5); // 20 events in January 2020
        hot_mar = centre(5.0, 11.0); // 10 events in March 2020; February: none
        auto add = [&](std::array<double, 2> p, const char* date, int n) {
            for (int i = 0; i < n; ++i) {
                ev.x.push_back(p[0]), ev.y.push_back(p[1]);
                double lon = p[0], lat = p[1];
                t.inverse(lon, lat);
                ev.lon.push_back(lon), ev.lat.push_back(lat);
                ev.day.push_back(*parse_date(date));
                ev.weight.push_back(1.f);
            }
        };
        add(hot_jan, "2020-01-15", 20);
        add(hot_mar, "2020-03-02", 10);
        ev.crs = crs;
        ev.source = "fixture";
        spec.base.crs = crs;
        spec.base.extent = b;
        spec.base.admin0 = &admin0;
        spec.base.inset = false;
        spec.base.density_style.opacity = 1;
        spec.base.density_style.fade_t = 0;
        spec.base.density_style.ramp = style::Ramp::Viridis;
        spec.events = &ev;
        spec.grid = grid;
        spec.kde.bandwidth_m = 100e3;
        spec.kde.cell_m = 20e3;
        spec.kde.method = KdeMethod::Exact;
        spec.by = PeriodUnit::Month;
        spec.width = 600, spec.height = 400;
        spec.delay_cs = 50, spec.last_delay_cs = 150;
    }
};

using GifPtr = std::unique_ptr<GifFileType, void (*)(GifFileType*)>;
GifPtr slurp_gif(const std::string& path) {
    int err = 0;
    GifFileType* g = DGifOpenFileName(path.c_str(), &err);
    REQUIRE(g != nullptr);
    GifPtr p(g, [](GifFileType* x) {
        int e = 0;
        DGifCloseFile(x, &e);
    });
    REQUIRE(DGifSlurp(g) == GIF_OK);
    return p;
}
std::array<int, 3> pixel(const GifFileType* g, int frame, double dx, double dy) {
    const SavedImage& im = g->SavedImages[frame];
    const int x = int(dx), y = int(dy);
    const GifByteType i = im.RasterBits[size_t(y) * size_t(im.ImageDesc.Width) + size_t(x)];
    const GifColorType c = g->SColorMap->Colors[i];
    return {c.Red, c.Green, c.Blue};
}
int dist(std::array<int, 3> p, style::Rgb c) {
    return std::max({std::abs(p[0] - style::channel8(c.r)), std::abs(p[1] - style::channel8(c.g)),
                     std::abs(p[2] - style::channel8(c.b))});
}

} // namespace

TEST_CASE("animated GIF: one frame per month on one fixed scale, read back with giflib") {
    Fixture fx;
    const auto dir = testutil::tmpdir("animation_gif");
    const std::string out = (dir / "t.gif").string();
    const AnimationResult r = write_animation(fx.spec, out, false);
    REQUIRE(r.periods.size() == 3); // January, an empty February, March
    CHECK(r.counts == std::vector<size_t>{20, 0, 10});
    CHECK(r.fixed_scale);
    // The scale is the maximum over all periods (January's), and March's own maximum is half of it
    // (10 vs 20 events at one point, same kernel): ratio checked to float precision.
    CHECK(r.scale.hi == doctest::Approx(r.frame_max[0]).epsilon(1e-12));
    CHECK(r.frame_max[1] == 0);
    CHECK(r.frame_max[2] / r.frame_max[0] == doctest::Approx(0.5).epsilon(1e-5));

    GifPtr g = slurp_gif(out);
    CHECK(g->ImageCount == 3);
    CHECK(g->SWidth == r.width);
    CHECK(g->SHeight == r.height);
    CHECK(r.width == 600);
    REQUIRE(g->SColorMap != nullptr);
    for (int i = 0; i < g->ImageCount; ++i) {
        CHECK(g->SavedImages[i].ImageDesc.ColorMap == nullptr); // no local palettes: the global one is shared
        CHECK(g->SavedImages[i].ImageDesc.Width == r.width);
        GraphicsControlBlock gcb{};
        REQUIRE(DGifSavedExtensionToGCB(g.get(), i, &gcb) == GIF_OK);
        CHECK(gcb.DelayTime == (i == 2 ? 150 : 50));
    }
    const style::Rgb top = style::ramp_color(style::Ramp::Viridis, 1.0);
    const style::Rgb mid = style::ramp_color(style::Ramp::Viridis, 0.5);
    const auto lf = fx.spec.base.admin0_style.fill_color;
    const style::Rgb land{lf.r, lf.g, lf.b};
    const auto jan = r.layout.to_device(fx.hot_jan[0], fx.hot_jan[1]);
    const auto mar = r.layout.to_device(fx.hot_mar[0], fx.hot_mar[1]);
    CHECK(dist(pixel(g.get(), 0, jan[0], jan[1]), top) == 0); // exact: the key colours are kept
    CHECK(dist(pixel(g.get(), 1, jan[0], jan[1]), land) <= 2); // nothing in February
    CHECK(dist(pixel(g.get(), 2, jan[0], jan[1]), land) <= 2); // January's spot is gone in March
    // March's spot sits at half the fixed scale (a per-frame scale would make it the top colour).
    CHECK(dist(pixel(g.get(), 2, mar[0], mar[1]), mid) <= 12);
    CHECK(dist(pixel(g.get(), 2, mar[0], mar[1]), top) > 60);
    CHECK(dist(pixel(g.get(), 0, mar[0], mar[1]), land) <= 2);
    // Looping: the NETSCAPE2.0 block is there.
    const std::string bytes = testutil::slurp(out);
    CHECK(bytes.find("NETSCAPE2.0") != std::string::npos);
    // No overwrite without asking; nothing left behind.
    CHECK_THROWS_AS(write_animation(fx.spec, out, false), GeoError);
    size_t files = 0;
    for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
    CHECK(files == 1);
}

TEST_CASE("animation: the frame cap refuses long runs before any work, naming the count and the fixes") {
    Fixture fx;
    fx.spec.from_day = *parse_date("2000-01-01");
    fx.spec.to_day = *parse_date("2020-12-31");
    fx.spec.max_frames = 100;
    try {
        animation_periods(fx.spec);
        FAIL("no error");
    } catch (const GeoError& e) {
        const std::string m = e.what();
        CHECK(m.find("252 months") != std::string::npos); // 21 years x 12
        CHECK(m.find("--max-frames") != std::string::npos);
        CHECK(m.find("quarter") != std::string::npos);
    }
    fx.spec.by = PeriodUnit::Year;
    CHECK(animation_periods(fx.spec).size() == 21);
    fx.spec.from_day = fx.spec.to_day = kNoDay;
    fx.spec.by = PeriodUnit::Quarter;
    CHECK(animation_periods(fx.spec).size() == 1); // Jan and Mar 2020: one quarter
}

TEST_CASE("shared palette: key colours kept exactly, median cut fills the rest, nearest mapping") {
    RgbaImage im;
    im.width = 64, im.height = 4;
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 64; ++x) im.rgba.insert(im.rgba.end(), {uint8_t(x * 4), uint8_t(255 - x * 4), uint8_t(y * 60), 255});
    const std::vector<std::array<uint8_t, 3>> keys = {{10, 20, 30}, {250, 250, 250}};
    const Palette p = make_palette(keys, {&im}, 32);
    REQUIRE(p.colors.size() <= 32);
    CHECK(p.colors.size() > 16);
    CHECK(p.colors[0] == keys[0]);
    CHECK(p.index_of(10, 20, 30) == 0);
    CHECK(p.index_of(250, 250, 250) == 1);
    // Every pixel maps to a colour within a median-cut box's reach (brute-force nearest check).
    const auto idx = p.map(im);
    for (size_t i = 0; i < idx.size(); ++i) {
        const uint8_t* px = &im.rgba[i * 4];
        long best = LONG_MAX;
        for (auto& c : p.colors) {
            const long d = 2L * (c[0] - px[0]) * (c[0] - px[0]) + 4L * (c[1] - px[1]) * (c[1] - px[1]) + 3L * (c[2] - px[2]) * (c[2] - px[2]);
            best = std::min(best, d);
        }
        const auto& c = p.colors[idx[i]];
        CHECK(2L * (c[0] - px[0]) * (c[0] - px[0]) + 4L * (c[1] - px[1]) * (c[1] - px[1]) + 3L * (c[2] - px[2]) * (c[2] - px[2]) == best);
    }
    // Deterministic.
    CHECK(make_palette(keys, {&im}, 32).colors == p.colors);
}

TEST_CASE("video pipe: frames go to the encoder's stdin and the file appears only on success") {
    const auto dir = testutil::tmpdir("video_pipe");
    // A stand-in for ffmpeg: copies stdin to its last argument (the temp file).
    const fs::path fake = dir / "fake-ffmpeg";
    std::ofstream(fake) << "#!/bin/sh\nfor a; do last=$a; done\ncat > \"$last\"\n";
    fs::permissions(fake, fs::perms::owner_all);
    const fs::path failing = dir / "failing-ffmpeg";
    std::ofstream(failing) << "#!/bin/sh\necho 'Unknown encoder libx264' >&2\ncat > /dev/null\nexit 1\n";
    fs::permissions(failing, fs::perms::owner_all);
    const std::string out = (dir / "v.mp4").string();
    {
        VideoPipe v(out, 4, 2, 10, false, false, fake.string());
        for (int k = 0; k < 3; ++k) v.add_frame(std::vector<uint8_t>(4 * 2 * 3, uint8_t(k)));
        CHECK_FALSE(fs::exists(out)); // not before commit
        v.commit();
    }
    REQUIRE(fs::exists(out));
    const std::string b = testutil::slurp(out);
    CHECK(b.size() == 3 * 4 * 2 * 3);
    CHECK(b[0] == 0);
    CHECK(b.back() == 2);
    const std::string out2 = (dir / "w.webm").string();
    {
        VideoPipe v(out2, 4, 2, 10, true, false, failing.string());
        v.add_frame(std::vector<uint8_t>(24, 0));
        try {
            v.commit();
            FAIL("no error");
        } catch (const GeoError& e) {
            CHECK(std::string(e.what()).find("Unknown encoder libx264") != std::string::npos);
        }
    }
    CHECK_FALSE(fs::exists(out2));
    size_t files = 0;
    for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
    CHECK(files == 3); // the two scripts and v.mp4: no temp or log left
    CHECK_THROWS_AS(VideoPipe(out2, 5, 2, 10, false, true, fake.string()), GeoError); // odd width
    const auto args = ffmpeg_args("ffmpeg", 640, 480, 2, true, "/tmp/x");
    CHECK(std::find(args.begin(), args.end(), "640x480") != args.end());
    CHECK(std::find(args.begin(), args.end(), "webm") != args.end());
}

TEST_CASE("video pipe: without ffmpeg on PATH the error names it and suggests GIF") {
    const auto dir = testutil::tmpdir("video_nopath");
    const char* old = std::getenv("PATH");
    const std::string saved = old ? old : "";
    setenv("PATH", dir.c_str(), 1);
    CHECK(find_on_path("ffmpeg").empty());
    try {
        VideoPipe v((dir / "x.mp4").string(), 4, 2, 10, false);
        FAIL("no error");
    } catch (const GeoError& e) {
        const std::string m = e.what();
        CHECK(m.find("ffmpeg") != std::string::npos);
        CHECK(m.find(".gif") != std::string::npos);
    }
    setenv("PATH", saved.c_str(), 1);
    CHECK_FALSE(find_on_path("sh").empty());
}
