// Time-lapse maps (animation.hpp): periods, one density per period, one colour scale, frames drawn
// by map_render, a shared palette and the GIF writer (giflib).
#include "nexusmap/animation.hpp"

#include "nexusmap/pipeline/density.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <gif_lib.h>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/version.hpp"
#include "nexusmap/video_pipe.hpp"

namespace nexusmap {

std::optional<AnimationFormat> animation_format_for(const std::string& path) {
    std::string e = path.size() >= 5 ? path.substr(path.size() - 5) : path;
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (e.ends_with(".gif")) return AnimationFormat::Gif;
    if (e.ends_with(".mp4")) return AnimationFormat::Mp4;
    if (e.ends_with(".webm")) return AnimationFormat::WebM;
    return std::nullopt;
}

namespace {

const char* unit_plural(PeriodUnit u) {
    return u == PeriodUnit::Year ? "years" : u == PeriodUnit::Quarter ? "quarters" : "months";
}

bool kept(const AnimationSpec& s, size_t i) { return !s.keep || (i < s.keep->size() && (*s.keep)[i]); }

} // namespace

std::vector<int64_t> animation_periods(const AnimationSpec& spec) {
    if (!spec.events) throw GeoError("", "animation", "no events");
    const EventTable& ev = *spec.events;
    int32_t d0 = spec.from_day, d1 = spec.to_day;
    if (d0 == kNoDay || d1 == kNoDay) {
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        for (size_t i = 0; i < ev.size(); ++i)
            if (ev.day[i] != kNoDay && kept(spec, i)) lo = std::min(lo, ev.day[i]), hi = std::max(hi, ev.day[i]);
        if (lo > hi) throw GeoError(ev.source, "", "no dated events: a time-lapse needs event dates");
        if (d0 == kNoDay) d0 = lo;
        if (d1 == kNoDay) d1 = hi;
    }
    if (d1 < d0) throw GeoError(ev.source, "--from/--to", "the window ends before it starts");
    const int64_t p0 = period_index(d0, spec.by), p1 = period_index(d1, spec.by);
    const size_t n = size_t(p1 - p0 + 1);
    if (spec.max_frames > 0 && n > spec.max_frames) {
        char buf[400];
        std::snprintf(buf, sizeof buf,
                      "%zu %s from %s to %s would make %zu frames, more than the cap of %zu: use a coarser period "
                      "(quarter or year), a shorter --from/--to window, or raise --max-frames",
                      n, unit_plural(spec.by), period_label(p0, spec.by).c_str(), period_label(p1, spec.by).c_str(), n,
                      spec.max_frames);
        throw GeoError(ev.source, "", buf);
    }
    std::vector<int64_t> out(n);
    std::iota(out.begin(), out.end(), p0);
    return out;
}

std::string fixed_scale_note(size_t n_periods, PeriodUnit by, int64_t first, int64_t last, const style::ValueScale& vs) {
    return "fixed scale over all " + std::to_string(n_periods) + " " + unit_plural(by) + " (" + period_label(first, by) +
           " \u2013 " + period_label(last, by) + "): " + short_num(vs.effective_lo()) + " \u2013 " + short_num(vs.hi);
}

// ---- palette --------------------------------------------------------------------------------------

uint8_t Palette::index_of(uint8_t r, uint8_t g, uint8_t b) const {
    if (lut_.empty()) lut_.assign(size_t(1) << 24, 0), have_.assign((size_t(1) << 24) / 64, 0);
    const uint32_t key = (uint32_t(r) << 16) | (uint32_t(g) << 8) | b;
    if (have_[key >> 6] >> (key & 63) & 1) return lut_[key];
    int best = 0;
    long bd = LONG_MAX;
    for (size_t i = 0; i < colors.size(); ++i) {
        const long dr = long(colors[i][0]) - r, dg = long(colors[i][1]) - g, db = long(colors[i][2]) - b;
        const long d = 2 * dr * dr + 4 * dg * dg + 3 * db * db; // rough perceptual weights
        if (d < bd) bd = d, best = int(i);
    }
    lut_[key] = uint8_t(best);
    have_[key >> 6] |= uint64_t(1) << (key & 63);
    return uint8_t(best);
}

namespace {
// Straight-alpha RGBA over white (the page is opaque, but stay safe at the edges).
inline std::array<uint8_t, 3> over_white(const uint8_t* p) {
    const int a = p[3];
    auto c = [&](int v) { return uint8_t((v * a + 255 * (255 - a) + 127) / 255); };
    return {c(p[0]), c(p[1]), c(p[2])};
}
} // namespace

std::vector<uint8_t> Palette::map(const RgbaImage& im) const {
    std::vector<uint8_t> out(size_t(im.width) * size_t(im.height));
    for (size_t i = 0; i < out.size(); ++i) {
        const auto c = over_white(&im.rgba[i * 4]);
        out[i] = index_of(c[0], c[1], c[2]);
    }
    return out;
}

Palette make_palette(const std::vector<std::array<uint8_t, 3>>& keys, const std::vector<const RgbaImage*>& sample, size_t size) {
    Palette p;
    size = std::min<size_t>(size, 256);
    for (auto& k : keys) {
        if (p.colors.size() >= size) break;
        if (std::find(p.colors.begin(), p.colors.end(), k) == p.colors.end()) p.colors.push_back(k);
    }
    // Median cut over a 5-bit-per-channel histogram of the sample, leaving out bins a key colour
    // already sits in (those pixels map to the key).
    std::vector<uint32_t> hist(1 << 15, 0);
    auto bin = [](uint8_t r, uint8_t g, uint8_t b) { return (uint32_t(r >> 3) << 10) | (uint32_t(g >> 3) << 5) | (b >> 3); };
    for (const RgbaImage* im : sample)
        for (size_t i = 0; im && i + 3 < im->rgba.size(); i += 4) {
            const auto c = over_white(&im->rgba[i]);
            ++hist[bin(c[0], c[1], c[2])];
        }
    for (auto& k : p.colors) hist[bin(k[0], k[1], k[2])] = 0;
    struct Box {
        std::vector<uint32_t> bins;
        uint64_t n = 0;
    };
    Box all;
    for (uint32_t b = 0; b < hist.size(); ++b)
        if (hist[b]) all.bins.push_back(b), all.n += hist[b];
    std::vector<Box> boxes;
    if (!all.bins.empty()) boxes.push_back(std::move(all));
    const size_t room = size - p.colors.size();
    auto ch = [](uint32_t b, int c) { return int((b >> (10 - 5 * c)) & 31); };
    while (boxes.size() < room) {
        // Split the most populous box that can be split (ties: the first, so the result is stable).
        size_t bi = SIZE_MAX;
        for (size_t i = 0; i < boxes.size(); ++i)
            if (boxes[i].bins.size() > 1 && (bi == SIZE_MAX || boxes[i].n > boxes[bi].n)) bi = i;
        if (bi == SIZE_MAX) break;
        Box& bx = boxes[bi];
        int axis = 0, span = -1;
        for (int c = 0; c < 3; ++c) {
            int lo = 31, hi = 0;
            for (uint32_t b : bx.bins) lo = std::min(lo, ch(b, c)), hi = std::max(hi, ch(b, c));
            if (hi - lo > span) span = hi - lo, axis = c;
        }
        std::sort(bx.bins.begin(), bx.bins.end(), [&](uint32_t a, uint32_t b) {
            return ch(a, axis) != ch(b, axis) ? ch(a, axis) < ch(b, axis) : a < b;
        });
        uint64_t acc = 0;
        size_t cut = 1;
        for (size_t i = 0; i + 1 < bx.bins.size(); ++i) {
            acc += hist[bx.bins[i]];
            cut = i + 1;
            if (2 * acc >= bx.n) break;
        }
        Box other;
        other.bins.assign(bx.bins.begin() + long(cut), bx.bins.end());
        bx.bins.resize(cut);
        bx.n = 0;
        for (uint32_t b : bx.bins) bx.n += hist[b];
        for (uint32_t b : other.bins) other.n += hist[b];
        boxes.push_back(std::move(other));
    }
    for (const Box& bx : boxes) {
        double s[3] = {0, 0, 0};
        for (uint32_t b : bx.bins)
            for (int c = 0; c < 3; ++c) s[c] += double(hist[b]) * (ch(b, c) * 8 + 4);
        std::array<uint8_t, 3> c{};
        for (int k = 0; k < 3; ++k) c[size_t(k)] = uint8_t(std::clamp(std::lround(s[k] / double(bx.n)), 0L, 255L));
        if (std::find(p.colors.begin(), p.colors.end(), c) == p.colors.end()) p.colors.push_back(c);
    }
    if (p.colors.empty()) p.colors.push_back({255, 255, 255});
    return p;
}

std::vector<std::array<uint8_t, 3>> animation_key_colors(const MapSpec& base, int levels) {
    std::vector<std::array<uint8_t, 3>> k;
    auto u8 = [](double v) { return uint8_t(std::clamp(std::lround(v * 255), 0L, 255L)); };
    auto add = [&](double r, double g, double b) { k.push_back({u8(r), u8(g), u8(b)}); };
    const auto& ds = base.density_style;
    const auto land = base.admin0_style.fill_color;
    const auto sea = base.sea_color;
    const double op = std::clamp(ds.opacity, 0.0, 1.0);
    // The top of the ramp first: the hottest colour must come through exactly.
    for (int i = levels - 1; i >= 0; --i) {
        const style::Rgb c = style::ramp_color(ds.ramp, double(i) / std::max(1, levels - 1));
        add(c.r, c.g, c.b);
        add(c.r * op + land.r * (1 - op), c.g * op + land.g * (1 - op), c.b * op + land.b * (1 - op));
        add(c.r * op + sea.r * (1 - op), c.g * op + sea.g * (1 - op), c.b * op + sea.b * (1 - op));
    }
    add(1, 1, 1), add(0, 0, 0);
    add(land.r, land.g, land.b), add(sea.r, sea.g, sea.b);
    for (const auto* st : {&base.admin0_style, &base.admin1_style, &base.routes_style, &base.events_style})
        add(st->stroke_color.r, st->stroke_color.g, st->stroke_color.b);
    add(200 / 255.0, 20 / 255.0, 30 / 255.0); // the SYNTHETIC mark (map_render kRed)
    for (int i = 1; i < 16; ++i) add(i / 16.0, i / 16.0, i / 16.0);
    return k;
}

// ---- GIF ----------------------------------------------------------------------------------------

struct GifWriter::Impl {
    std::unique_ptr<AtomicFile> file;
    GifFileType* gif = nullptr;
    int w = 0, h = 0;
    std::string fail(int err) const { return std::string("GIF writer: ") + (GifErrorString(err) ? GifErrorString(err) : "error"); }
    ~Impl() {
        if (gif) {
            int err = 0;
            EGifCloseFile(gif, &err);
        }
    }
};

GifWriter::GifWriter(const std::string& path, int width, int height, const Palette& palette, bool loop, bool overwrite) {
    if (width <= 0 || height <= 0 || width > 65535 || height > 65535) throw GeoError(path, "", "GIF frames must be 1 to 65535 pixels");
    auto im = std::make_unique<Impl>();
    im->file = std::make_unique<AtomicFile>(path, overwrite);
    im->w = width, im->h = height;
    int err = 0;
    // Our own open(): giflib's EGifOpenFileName creates files 0600, other outputs follow the umask.
    const int fd = ::open(im->file->temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw GeoError(path, "", std::string("cannot create: ") + std::strerror(errno));
    im->gif = EGifOpenFileHandle(fd, &err); // owns fd from here (closed by EGifCloseFile, or on failure)
    if (!im->gif) throw GeoError(path, "", im->fail(err));
    // giflib wants a power-of-two colour map.
    int n = 2;
    while (n < int(palette.colors.size())) n *= 2;
    std::vector<GifColorType> cols(size_t(n), GifColorType{0, 0, 0});
    for (size_t i = 0; i < palette.colors.size(); ++i)
        cols[i] = GifColorType{palette.colors[i][0], palette.colors[i][1], palette.colors[i][2]};
    std::unique_ptr<ColorMapObject, void (*)(ColorMapObject*)> cmap(GifMakeMapObject(n, cols.data()), GifFreeMapObject);
    EGifSetGifVersion(im->gif, true);
    if (EGifPutScreenDesc(im->gif, width, height, 8, 0, cmap.get()) == GIF_ERROR) throw GeoError(path, "", im->fail(im->gif->Error));
    if (loop) { // NETSCAPE2.0 application extension: repeat forever
        const unsigned char app[] = "NETSCAPE2.0", sub[] = {1, 0, 0};
        if (EGifPutExtensionLeader(im->gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
            EGifPutExtensionBlock(im->gif, 11, app) == GIF_ERROR || EGifPutExtensionBlock(im->gif, 3, sub) == GIF_ERROR ||
            EGifPutExtensionTrailer(im->gif) == GIF_ERROR)
            throw GeoError(path, "", im->fail(im->gif->Error));
    }
    impl_ = im.release();
}

GifWriter::~GifWriter() { delete impl_; }

void GifWriter::add_frame(const std::vector<uint8_t>& idx, int delay_cs) {
    Impl& im = *impl_;
    const std::string& path = im.file->target();
    if (idx.size() != size_t(im.w) * size_t(im.h)) throw GeoError(path, "", "GIF frame of the wrong size");
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.UserInputFlag = false;
    gcb.DelayTime = std::clamp(delay_cs, 0, 65535);
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    EGifGCBToExtension(&gcb, ext);
    if (EGifPutExtension(im.gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_ERROR ||
        EGifPutImageDesc(im.gif, 0, 0, im.w, im.h, false, nullptr) == GIF_ERROR)
        throw GeoError(path, "", im.fail(im.gif->Error));
    std::vector<GifPixelType> row(size_t(im.w));
    for (int y = 0; y < im.h; ++y) {
        std::copy_n(idx.begin() + long(size_t(y) * size_t(im.w)), im.w, row.begin());
        if (EGifPutLine(im.gif, row.data(), im.w) == GIF_ERROR) throw GeoError(path, "", im.fail(im.gif->Error));
    }
    ++frames_;
}

void GifWriter::commit() {
    Impl& im = *impl_;
    int err = 0;
    const int rc = EGifCloseFile(im.gif, &err);
    im.gif = nullptr;
    if (rc == GIF_ERROR) throw GeoError(im.file->target(), "", im.fail(err));
    im.file->commit();
}

// ---- the animation --------------------------------------------------------------------------------

AnimationResult write_animation(const AnimationSpec& spec, const std::string& path, bool overwrite, Progress progress) {
    const auto fmt = animation_format_for(path);
    if (!fmt) throw GeoError(path, "", "unknown animation format (use .gif, .mp4 or .webm)");
    AnimationResult res;
    res.path = path;
    res.format = *fmt;
    const std::vector<int64_t> periods = animation_periods(spec);
    const EventTable& ev = *spec.events;
    const PeriodUnit by = spec.by;
    check_memory(double(periods.size() + 1) * raster_bytes(spec.grid.width, spec.grid.height),
                 std::to_string(periods.size()) + " period densities of " + std::to_string(spec.grid.width) + " x " +
                     std::to_string(spec.grid.height) + " cells",
                 "use a larger cell, a smaller extent, a shorter window or a coarser period", ev.source);
    // Frame size: the renderer's minimum, even for video (yuv420p).
    int w = spec.width, h = spec.height;
    if (*fmt != AnimationFormat::Gif) w += w % 2, h += h % 2;
    const PageSetup page = PageSetup::device(w, h);
    res.width = page.device_width(), res.height = page.device_height();

    // Open the encoder first: a missing ffmpeg or an unwritable target fails before the KDE.
    std::unique_ptr<VideoPipe> video;
    if (*fmt != AnimationFormat::Gif)
        video = std::make_unique<VideoPipe>(path, res.width, res.height, 100.0 / std::max(1, spec.delay_cs),
                                            *fmt == AnimationFormat::WebM, overwrite);
    else
        check_output_path(path, overwrite);

    // One density per period on the shared grid (the density pipeline's, as `map --period`).
    pipeline::PeriodDensities pd =
        pipeline::density_by_period(ev, periods, by, spec.grid, spec.kde, spec.mask, spec.keep,
                                    nullptr, ProgressFn([&](double f, std::string_view) {
                                        if (progress) progress(0.5 * f, "density");
                                        return true;
                                    }));
    res.counts = pd.counts;
    res.undated = pd.undated;
    std::vector<Raster> rasters = std::move(pd.rasters);
    for (const Raster& r : rasters)
        res.frame_max.push_back(r.minmax()[1]);
    std::vector<const Raster*> rp;
    for (auto& r : rasters) rp.push_back(&r);
    style::ValueScale vs = shared_scale(rp, spec.scale);
    res.fixed_scale = !std::isfinite(spec.vmin) && !std::isfinite(spec.vmax);
    if (std::isfinite(spec.vmin)) vs.lo = spec.vmin;
    if (std::isfinite(spec.vmax)) vs.hi = spec.vmax;
    if (!(vs.hi > vs.effective_lo())) throw GeoError("", "colour scale", "the top of the scale must exceed the bottom");
    res.scale = vs;
    res.periods = periods;

    const std::string first = period_label(periods.front(), by), last = period_label(periods.back(), by);
    const std::string run = first == last ? first : first + " \u2013 " + last;
    const std::string note = res.fixed_scale ? fixed_scale_note(periods.size(), by, periods.front(), periods.back(), vs)
                                             : "typed scale: " + short_num(vs.effective_lo()) + " \u2013 " + short_num(vs.hi) +
                                                   " (the same in every frame)";
    auto frame_spec = [&](size_t k) {
        MapSpec s = spec.base;
        s.density = &rasters[k];
        s.density_style.scale = vs;
        const std::string lab = period_label(periods[k], by);
        s.title = spec.title + ", " + lab;
        s.subtitle = lab + "  \u00b7  " + std::to_string(res.counts[k]) + " events  \u00b7  frame " + std::to_string(k + 1) +
                     " of " + std::to_string(periods.size()) + " (" + run + ")";
        s.legend_notes = {note};
        s.footer = {spec.source_line + (spec.source_line.empty() ? "" : "  \u00b7  ") + "period " + lab + " of " + run,
                    "one colour scale for all frames  \u00b7  nexusmap " + std::string(kVersion) + " animate"};
        return s;
    };
    auto render = [&](size_t k) {
        RgbaImage im;
        res.layout = render_map_image(frame_spec(k), page, im);
        return im;
    };

    std::unique_ptr<GifWriter> gif;
    Palette pal;
    if (!video) {
        // Palette from the key colours and the hottest frame (the one with the most ramp colours).
        const size_t hot = size_t(std::max_element(res.frame_max.begin(), res.frame_max.end(),
                                                   [](double a, double b) { return !(a >= b) && std::isfinite(b); }) -
                                  res.frame_max.begin());
        const RgbaImage probe = render(hot);
        pal = make_palette(animation_key_colors(spec.base), {&probe});
        res.palette_size = pal.colors.size();
        gif = std::make_unique<GifWriter>(path, res.width, res.height, pal, spec.loop, overwrite);
    }
    std::vector<uint8_t> rgb;
    for (size_t k = 0; k < periods.size(); ++k) {
        progress(0.5 + 0.5 * double(k) / double(periods.size()), "frames");
        const RgbaImage im = render(k);
        if (gif) {
            gif->add_frame(pal.map(im), k + 1 == periods.size() ? std::max(spec.delay_cs, spec.last_delay_cs) : spec.delay_cs);
        } else {
            rgb.resize(size_t(im.width) * size_t(im.height) * 3);
            for (size_t i = 0, n = size_t(im.width) * size_t(im.height); i < n; ++i) {
                const auto c = over_white(&im.rgba[i * 4]);
                rgb[i * 3] = c[0], rgb[i * 3 + 1] = c[1], rgb[i * 3 + 2] = c[2];
            }
            video->add_frame(rgb);
        }
    }
    progress(1.0, "writing");
    if (gif) gif->commit();
    else video->commit();
    return res;
}

} // namespace nexusmap
