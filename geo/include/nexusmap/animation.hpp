#pragma once
// Time-lapse of the event density: one map per month, quarter or year, all on ONE colour scale
// (the maximum over every period of the run, or a typed range), each titled with its period, as an
// animated GIF (giflib, one palette shared by all frames so colours do not flicker) or as MP4/WebM
// through an `ffmpeg` found on PATH (video_pipe.hpp). Frames are drawn by the print-map renderer
// (map_render.hpp), so they carry the same legend, labels, attribution and SYNTHETIC mark as
// `nexusmap map`. Used by `nexusmap animate` and the viewer's Export > Time-lapse.
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "nexusmap/density.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/map_render.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/spillover.hpp" // PeriodUnit, period_index, period_label

namespace nexusmap {

enum class AnimationFormat { Gif, Mp4, WebM };
// By extension (.gif, .mp4, .webm; case-insensitive); nullopt otherwise.
std::optional<AnimationFormat> animation_format_for(const std::string& path);

struct AnimationSpec {
    // Everything but the density: base layers, labels, styles (density_style: ramp, opacity,
    // fade, units), attribution, synthetic mark, extent. Its pointers must outlive the call.
    MapSpec base;
    // Events with x/y in base.crs and dates; rows without a date are left out (and counted).
    const EventTable* events = nullptr;
    const std::vector<bool>* keep = nullptr; // optional row filter (the viewer's filters)
    GridSpec grid;                           // the density grid (one for all periods)
    KdeParams kde;                           // a fixed bandwidth (resolve automatic rules first)
    const VectorLayer* mask = nullptr;       // cells outside become nodata (optional)

    PeriodUnit by = PeriodUnit::Month;
    int32_t from_day = kNoDay, to_day = kNoDay; // the run of periods (default: the events' dates)
    // The colour scale: NaN = fixed over the whole run (0 .. max over all periods); typed values
    // replace either end. Never per frame: frames must be comparable.
    style::Scale scale = style::Scale::Linear;
    double vmin = std::numeric_limits<double>::quiet_NaN(), vmax = std::numeric_limits<double>::quiet_NaN();

    std::string title = "Conflict event density";
    std::string source_line;    // footer: "Source: file (schema) · kernel ..." (the window is added)
    int width = 1200, height = 800; // frame size in pixels (MP4/WebM round them up to even)
    int delay_cs = 70;              // per frame, in 1/100 s (GIF's unit)
    int last_delay_cs = 200;        // hold the last frame a little longer (GIF only)
    size_t max_frames = 240;        // refuse longer runs (before any KDE) with a clear message
    bool loop = true;               // GIF: loop forever
};

struct AnimationResult {
    std::vector<int64_t> periods;  // one per frame, in order
    std::vector<size_t> counts;    // events per frame
    std::vector<double> frame_max; // each period's own maximum (the scale is shared; this says how it compares)
    style::ValueScale scale;       // the one scale every frame was drawn with
    bool fixed_scale = true;       // false when vmin/vmax were typed
    size_t undated = 0;            // rows left out for lack of a date
    int width = 0, height = 0;     // frame size written
    std::string path;
    AnimationFormat format = AnimationFormat::Gif;
    size_t palette_size = 0;       // GIF: colours in the shared palette
    MapRenderResult layout;        // the last frame's layout (every frame has the same map frame)
};

// The contiguous run of periods the animation shows: from the first to the last period of the
// events (or of from_day/to_day when given); empty periods are frames too ("nothing happened" is
// news). Throws GeoError when there are no dated events, or more than spec.max_frames periods
// (the message names the count, the run and the fixes).
std::vector<int64_t> animation_periods(const AnimationSpec& spec);

// The text a frame's legend carries about its scale ("fixed scale over all 84 months (2018-01 –
// 2024-12): 0 – 0.0123 ...") — the viewer's legend uses the same words.
std::string fixed_scale_note(size_t n_periods, PeriodUnit by, int64_t first, int64_t last, const style::ValueScale& vs);

// Computes one density per period on spec.grid, draws every frame and writes `path` atomically
// (GIF, MP4 or WebM by extension; `overwrite` false refuses an existing file). Cancellable through
// `progress`. MP4/WebM need an ffmpeg executable on PATH (GeoError naming it otherwise).
AnimationResult write_animation(const AnimationSpec& spec, const std::string& path, bool overwrite = true,
                                Progress progress = {});

// ---- building blocks (tested on their own) -----------------------------------------------------

// One shared 256-colour palette for all frames: the given key colours first (kept exactly: the
// ramp and the base-map colours), then median-cut colours of `sample` (RGBA images; alpha ignored)
// for the rest. Deterministic.
struct Palette {
    std::vector<std::array<uint8_t, 3>> colors; // at most 256
    // Index of the nearest colour (squared RGB distance; exact colours map to themselves).
    uint8_t index_of(uint8_t r, uint8_t g, uint8_t b) const;
    // RGBA image -> palette indices (row-major).
    std::vector<uint8_t> map(const RgbaImage& im) const;

  private:
    mutable std::vector<uint8_t> lut_;  // 2^24 entries, filled lazily
    mutable std::vector<uint64_t> have_; // bitset over the 2^24 colours
};
Palette make_palette(const std::vector<std::array<uint8_t, 3>>& keys, const std::vector<const RgbaImage*>& sample,
                     size_t size = 256);
// The key colours of a frame style: `levels` ramp colours at full and at the density's opacity
// over the land fill and the sea, greys, the base colours and the SYNTHETIC red.
std::vector<std::array<uint8_t, 3>> animation_key_colors(const MapSpec& base, int levels = 48);

// Animated GIF writer over giflib, one global palette, written to a temp file and moved into place
// by commit() (nothing appears if the writer is destroyed without commit).
class GifWriter {
  public:
    GifWriter(const std::string& path, int width, int height, const Palette& palette, bool loop = true,
              bool overwrite = true);
    ~GifWriter();
    GifWriter(const GifWriter&) = delete;
    GifWriter& operator=(const GifWriter&) = delete;
    void add_frame(const std::vector<uint8_t>& indices, int delay_cs);
    void commit();
    size_t frames() const { return frames_; }

  private:
    struct Impl;
    Impl* impl_ = nullptr;
    size_t frames_ = 0;
};

} // namespace nexusmap
