// `nexusmap animate`: a time-lapse of the event density, one frame per month, quarter or year, on ONE
// colour scale (the maximum over all frames) with the period in each title, as an animated GIF, or
// MP4/WebM through an ffmpeg on PATH. Frames and encoders live in geo (animation.hpp); this file maps
// the flags and gathers the base layers, as `map` does.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "cli/density_job.hpp"
#include "nexusmap/animation.hpp"
#include "nexusmap/basemap.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/labels.hpp"
#include "nexusmap/provenance.hpp"
#include "nexusmap/video_pipe.hpp"

namespace fs = std::filesystem;

namespace nexusmap::cli {

namespace {

struct AnimateArgs {
    DensityArgs d;
    std::string out, period = "month", ramp = "viridis", scale = "linear", title = "Conflict event density";
    double vmin = std::nan(""), vmax = std::nan(""), opacity = 0.85, min_t = 0.02, delay_s = 0.7;
    int width = 1200, height = 800;
    size_t max_frames = 240;
    std::string bbox, study = "MLI,BFA,NER,CIV,GHA,TGO,BEN", basemap, places;
    bool no_labels = false, no_admin1 = false, force = false;
};

// The study countries' extent padded by 3% (as `map`), or --bbox.
BBox animate_extent(const AnimateArgs& a, const VectorLayer& admin0, const Crs& crs) {
    if (!a.bbox.empty()) return Transformer(Crs::wgs84(), crs).forward_bbox(parse_bbox(a.bbox));
    return study_extent(admin0, split_list(a.study, ", ", true));
}

} // namespace

void add_animate(CLI::App& app) {
    auto* cmd = app.add_subcommand("animate", "Time-lapse of event density by month, quarter or year on one fixed colour scale "
                                              "(animated GIF; MP4/WebM with ffmpeg)");
    auto a = std::make_shared<AnimateArgs>();
    a->d.add_to(cmd);
    auto* g = cmd->add_option_group("Animation");
    g->add_option("-o,--out", a->out, "Output .gif (or .mp4/.webm when ffmpeg is on PATH)")->required();
    g->add_option("--period,--by", a->period, "month | quarter | year: one frame per period")->capture_default_str();
    g->add_option("--delay", a->delay_s, "Seconds per frame (the last frame is held at least 2 s)")->capture_default_str();
    g->add_option("--max-frames", a->max_frames, "Refuse runs with more frames than this")->capture_default_str();
    g->add_option("--width", a->width, "Frame width in pixels")->capture_default_str();
    g->add_option("--height", a->height, "Frame height in pixels")->capture_default_str();
    g->add_option("--title", a->title, "Title (each frame adds its period)")->capture_default_str();
    g->add_option("--ramp", a->ramp, "viridis | magma | inferno | ylorrd | rdylbu")->capture_default_str();
    g->add_option("--scale", a->scale, "linear | sqrt | log")->capture_default_str();
    g->add_option("--vmin", a->vmin, "Bottom of the colour scale (default 0)");
    g->add_option("--vmax", a->vmax, "Top of the colour scale (default: the maximum over ALL frames, fixed)");
    g->add_option("--opacity", a->opacity, "Density opacity")->capture_default_str();
    g->add_option("--fade-below", a->min_t, "Leave cells below this fraction of the scale transparent")->capture_default_str();
    g->add_option("--bbox", a->bbox, "Map extent LON0,LAT0,LON1,LAT1 (default: the --study countries)");
    g->add_option("--study", a->study, "ISO codes whose extent is the default map extent")->capture_default_str();
    g->add_option("--basemap", a->basemap, "GeoPackage with admin0 (and admin1) layers (default: bundled Natural Earth)");
    g->add_option("--places", a->places, "Point layer FILE[:LAYER] of places to label (default: bundled populated places)");
    g->add_flag("--no-labels", a->no_labels, "No names on the map");
    g->add_flag("--no-admin1", a->no_admin1, "Do not draw admin-1 boundaries");
    cmd->add_flag("--force", a->force, "Overwrite an existing output");
    cmd->callback([a, cmd] {
        auto refuse = [](const std::string& flag, const std::string& why) { throw GeoError("", flag, why); };
        const auto fmt = animation_format_for(a->out);
        if (!fmt) refuse("-o/--out " + a->out, "unknown animation format (use .gif, or .mp4/.webm with ffmpeg)");
        const PeriodUnit by = parse_period_unit(a->period);
        if (!(a->delay_s >= 0.02 && a->delay_s <= 60)) refuse("--delay", "must be 0.02 to 60 seconds per frame");
        if (a->max_frames < 1) refuse("--max-frames", "must be 1 or more");
        if (!(a->width >= 200 && a->width <= 8000 && a->height >= 150 && a->height <= 8000))
            refuse("--width/--height", "must be 200..8000 x 150..8000 pixels");
        if (!(a->opacity >= 0 && a->opacity <= 1)) refuse("--opacity", "must be a number from 0 to 1");
        if (!(a->min_t >= 0 && a->min_t <= 1)) refuse("--fade-below", "must be a number from 0 to 1");
        if (cmd->count("--vmin") && !std::isfinite(a->vmin)) refuse("--vmin", "must be a finite number");
        if (cmd->count("--vmax") && !std::isfinite(a->vmax)) refuse("--vmax", "must be a finite number");
        auto ramp = style::ramp_from_name(a->ramp);
        if (!ramp) refuse("--ramp '" + a->ramp + "'", "unknown (viridis, magma, inferno, ylorrd, rdylbu)");
        auto scale = style::scale_from_name(a->scale);
        if (!scale) refuse("--scale '" + a->scale + "'", "unknown (linear, sqrt, log)");
        // The output before any work: format, folder, inputs, --force; the encoder for video.
        check_output(a->out, a->force, {a->d.events.file, a->d.mask, a->d.extent, a->basemap, a->places});
        if (*fmt != AnimationFormat::Gif && find_on_path("ffmpeg").empty())
            throw GeoError(a->out, "", "MP4/WebM need the `ffmpeg` program on PATH, which was not found (Debian: apt-get "
                                       "install ffmpeg); write a .gif instead, which needs nothing else");

        // The events, the grid and a resolved bandwidth (the whole window's density is the summary).
        DensityJob job = run_density(a->d);
        const EventTable& ev = job.ev;
        const Crs crs = ev.crs;
        BasemapOptions bo;
        bo.data_dir = data_dir();
        bo.basemap = a->basemap;
        bo.places = a->places;
        bo.admin1 = !a->no_admin1;
        bo.labels = !a->no_labels;
        const Basemap base = load_basemap(bo, crs);
        const VectorLayer &admin0 = base.admin0, &admin1 = base.admin1, &places = base.places;

        AnimationSpec s;
        MapSpec& m = s.base;
        m.crs = crs;
        m.extent = animate_extent(*a, admin0, crs);
        m.admin0 = &admin0;
        m.locator = &admin0;
        if (!admin1.features.empty()) m.admin1 = &admin1;
        if (!a->no_labels)
            m.labels = default_map_labels(&admin0, m.admin1, places.features.empty() ? nullptr : &places, m.extent,
                                          crs.is_geographic() ? 111.32 : 0.001);
        m.density_style.ramp = *ramp;
        m.density_style.opacity = a->opacity;
        m.density_style.min_t = a->min_t;
        m.density_style.units = job.kde.raster.units;
        for (auto q = m.density_style.units.find("km^2"); q != std::string::npos; q = m.density_style.units.find("km^2"))
            m.density_style.units.replace(q, 4, "km\u00b2");
        if (!a->d.events.weighted() && m.density_style.units.rfind("weight ", 0) == 0) m.density_style.units.replace(0, 6, "events");
        m.density_title = "Kernel density";
        std::vector<InputProvenance> used = {ev.prov, admin0.prov};
        if (m.admin1) used.push_back(admin1.prov);
        if (!places.features.empty()) used.push_back(places.prov);
        bool synthetic = ev.synthetic;
        for (auto& p : used) synthetic |= p.synthetic;
        m.synthetic = synthetic;
        const std::string src = fs::path(ev.source).filename().string();
        m.attribution = {"Events: " + src + " (" + ev.schema + ")" + (synthetic ? " \u2014 SYNTHETIC DEMO DATA, not real events." : "."),
                         "Data: " + attribution_line(used)};
        s.source_line = "Source: " + src + " (" + ev.schema + ")  \u00b7  synthetic=" + (synthetic ? "true" : "false") +
                        "  \u00b7  kernel " + kernel_name(job.params.kernel) + ", bandwidth " + short_num(job.params.bandwidth_m / 1000) +
                        " km, cell " + short_num(job.params.cell_m / 1000) + " km";
        s.events = &ev;
        s.grid = job.kde.raster.grid;
        s.kde = job.params;
        s.kde.use_weights = a->d.events.weighted();
        VectorLayer mask;
        if (!a->d.mask.empty()) {
            auto [mf, ml] = split_layer_spec(a->d.mask);
            ReadLayerOptions ro;
            ro.layer = ml;
            ro.target_crs = crs;
            mask = read_layer(mf, ro);
            s.mask = &mask;
        }
        s.by = by;
        if (!a->d.events.from.empty()) s.from_day = *parse_date(a->d.events.from);
        if (!a->d.events.to.empty()) s.to_day = *parse_date(a->d.events.to);
        s.scale = *scale;
        s.vmin = a->vmin, s.vmax = a->vmax;
        s.title = a->title;
        s.width = a->width, s.height = a->height;
        s.delay_cs = int(std::lround(a->delay_s * 100));
        s.max_frames = a->max_frames;
        ProgressBar bar("frames");
        const AnimationResult r = write_animation(s, a->out, a->force, ProgressFn([&](double f, std::string_view st) {
                                                      return bar.update(f, st);
                                                  }));
        std::printf("wrote %s (%zu frames, one per %s, %s to %s, %d x %d px%s)\n", a->out.c_str(), r.periods.size(),
                    period_unit_name(by).c_str(), period_label(r.periods.front(), by).c_str(),
                    period_label(r.periods.back(), by).c_str(), r.width, r.height,
                    r.palette_size ? (", " + std::to_string(r.palette_size) + "-colour shared palette").c_str() : "");
        std::printf("  %s scale %s..%s %s (%s)\n", style::scale_name(r.scale.scale), short_num(r.scale.effective_lo()).c_str(),
                    short_num(r.scale.hi).c_str(), m.density_style.units.c_str(),
                    r.fixed_scale ? "fixed over all frames: the maximum of every period" : "typed");
        if (r.undated) std::fprintf(stderr, "  warning: %zu undated events are in no frame\n", r.undated);
        if (synthetic) std::printf("  NOTE: SYNTHETIC demo data (marked on every frame)\n");
    });
}

} // namespace nexusmap::cli
