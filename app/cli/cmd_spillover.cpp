// `nexusmap spillover`: signed distance of events to the Sahel–coastal border, distance bands,
// spillover share, the front and its velocity, lead–lag per border segment -> CSV/GeoJSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/spillover.hpp"
#include "nexusmap/style.hpp"

namespace nexusmap::cli {

namespace {
std::string na(std::string s) { return s.empty() ? "n/a" : s; }
} // namespace

// Shared with cmd_corridors.cpp: the border from an admin-0 FILE[:LAYER] and two ISO lists.
Border load_border(const std::string& admin0_spec, const std::string& sahel, const std::string& coastal, const Crs& crs) {
    const std::string spec = admin0_spec.empty() ? data_dir() + "/basemap/west_africa.gpkg:admin0" : admin0_spec;
    auto [file, layer] = split_layer_spec(spec);
    ReadLayerOptions ro;
    ro.layer = layer;
    VectorLayer a0 = read_layer(file, ro);
    for (auto& w : a0.warnings) std::cerr << "  warning: " << w << "\n";
    BorderParams bp;
    bp.sahel = split_list(sahel, ", ", true);
    bp.coastal = split_list(coastal, ", ", true);
    bp.analysis_crs = crs;
    return derive_border(a0, bp);
}

std::string admin0_file(const std::string& admin0_spec) {
    return admin0_spec.empty() ? data_dir() + "/basemap/west_africa.gpkg" : split_layer_spec(admin0_spec).first;
}

void add_spillover(CLI::App& app) {
    auto* cmd = app.add_subcommand("spillover",
                                   "Spillover across the Sahel/coastal border: signed distance, bands, share, front velocity, lead-lag");
    struct Args {
        EventArgs ev;
        std::string admin0, sahel = "MLI,BFA,NER", coastal = "CIV,GHA,TGO,BEN";
        std::string bands = "-200,-100,-50,0,50,100,200", period = "year", out;
        double x_km = 100, quantile = 0.9, window_km = 300;
        int lags = 4, permutations = 999;
        uint64_t seed = 20240101;
        bool circular = false, levels = false, force = false;
    };
    auto a = std::make_shared<Args>();
    a->ev.add_to(cmd);
    // Distances to borders and routes need point locations: precise events unless asked otherwise.
    a->ev.precise_by_default("spillover");
    cmd->add_option("--admin0", a->admin0, "Admin-0 polygons FILE[:LAYER] with ISO codes (default: bundled basemap:admin0)");
    cmd->add_option("--sahel", a->sahel, "Sahel group, ISO alpha-3 codes")->capture_default_str();
    cmd->add_option("--coastal", a->coastal, "Coastal group, ISO alpha-3 codes (add NGA if wanted)")->capture_default_str();
    cmd->add_option("--bands", a->bands, "Band edges in signed km, ascending (write --bands=-200,...)")->capture_default_str();
    cmd->add_option("--period", a->period, "year | quarter | month")->capture_default_str();
    cmd->add_option("--x-km", a->x_km, "Share and lead-lag: events within X km of the border")->capture_default_str();
    cmd->add_option("--quantile", a->quantile, "Front: quantile of signed distance")->capture_default_str();
    cmd->add_option("--window-km", a->window_km, "Front: among events within W km of the border")->capture_default_str();
    cmd->add_option("--lags", a->lags, "Lead-lag: k = 0..LAGS periods (at most " + std::to_string(kMaxLags) + ")")
        ->capture_default_str();
    cmd->add_option("--permutations", a->permutations,
                    "Lead-lag permutation count (at most " + std::to_string(kMaxPermutations) + ")")
        ->capture_default_str();
    cmd->add_option("--seed", a->seed, "Permutation seed")->capture_default_str();
    cmd->add_flag("--circular-shift", a->circular, "Lead-lag null by circular shifts instead of shuffles");
    cmd->add_flag("--lead-lag-levels", a->levels, "Lead-lag on the counts themselves (default: first differences)");
    add_old_flag(cmd, "--levels", "--lead-lag-levels", a->levels); // --levels is a list of levels in contours
    cmd->add_option("-o,--out", a->out, "Output folder (created)")->required();
    cmd->add_flag("--force", a->force, "Overwrite outputs already in the folder");
    cmd->callback([a] {
        namespace fs = std::filesystem;
        // Caps (issue #19): both multiply the run time; beyond them nothing reported changes.
        if (a->lags < 0 || a->lags > kMaxLags)
            throw GeoError("", "--lags " + std::to_string(a->lags),
                           "must be between 0 and " + std::to_string(kMaxLags) + " periods");
        if (a->permutations < 0 || a->permutations > kMaxPermutations)
            throw GeoError("", "--permutations " + std::to_string(a->permutations),
                           "must be between 0 and " + std::to_string(kMaxPermutations) +
                               " (999 or 9999 are usual; more does not change a reported digit)");
        if (a->ev.precision == "spread")
            throw GeoError("", "--precision spread", "not for this analysis: it measures distances of event points (use --max-precision N)");
        SpilloverParams sp;
        sp.bands_km = parse_numbers(a->bands, "bands");
        sp.period = parse_period_unit(a->period);
        sp.x_km = a->x_km, sp.quantile = a->quantile, sp.window_km = a->window_km;
        sp.lags = a->lags, sp.permutations = a->permutations, sp.seed = a->seed;
        sp.permutation = a->circular ? PermutationKind::CircularShift : PermutationKind::Shuffle;
        sp.difference = !a->levels;
        const std::vector<std::string> inputs = {a->ev.file, admin0_file(a->admin0)};
        const char* names[] = {"border_segments.csv", "border_segments.geojson", "bands.geojson", "spillover_bands.csv",
                               "spillover_segments.csv", "spillover_countries.csv", "spillover_periods.csv",
                               "spillover_trends.csv", "spillover_leadlag.csv", "spillover.gpkg"};
        check_output_stem(a->out, "a folder of CSV, GeoJSON and spillover.gpkg");
        fs::create_directories(a->out);
        auto path = [&](const char* n) { return (fs::path(a->out) / n).string(); };
        for (auto* n : names) {
            const FormatInfo* fi = format_for_path(n);
            check_output(path(n), fi->format == OutputFormat::Csv ? ProductKind::Table : ProductKind::Vector, a->force, inputs);
        }

        EventTable ev = a->ev.load();
        std::printf("location precision: %s%s\n", ev.metadata["precision_mode"].c_str(),
                    a->ev.max_precision < 0 ? " (default here: precise events only; --max-precision 7 uses all)" : "");
        Border border = load_border(a->admin0, a->sahel, a->coastal, ev.crs);
        ProgressBar bar("spillover");
        SpilloverResult r = analyse_spillover(ev, border, sp, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        const Metadata& md = r.metadata;
        write_csv(border_segment_table(border), path("border_segments.csv"), md);
        // simplestyle colours as the viewer draws these layers (style.hpp).
        VectorLayer border_l = border_layer(border, &r), bands_l = bands_layer(r);
        style::style_border_segments(border_l);
        style::style_spillover_bands(bands_l);
        Metadata smd = md;
        smd["style"] = "simplestyle as in the viewer: border segments in the categorical palette (segment order); bands "
                       "warm on the Sahel side, cool on the coastal side, more opaque near the border";
        write_geojson(border_l, path("border_segments.geojson"), smd);
        write_geojson(bands_l, path("bands.geojson"), smd);
        write_csv(spillover_band_table(r), path("spillover_bands.csv"), md);
        write_csv(spillover_segment_table(r), path("spillover_segments.csv"), md);
        write_csv(spillover_country_table(r), path("spillover_countries.csv"), md);
        write_csv(spillover_period_table(r), path("spillover_periods.csv"), md);
        write_csv(spillover_trend_table(r), path("spillover_trends.csv"), md);
        write_csv(spillover_leadlag_table(r), path("spillover_leadlag.csv"), md);
        // Every layer and table in one styled GeoPackage (QGIS opens it with the viewer's colours).
        {
            const Table tb[] = {border_segment_table(border), spillover_band_table(r), spillover_segment_table(r),
                                spillover_country_table(r), spillover_period_table(r), spillover_trend_table(r),
                                spillover_leadlag_table(r)};
            const char* tn[] = {"border_segments_table", "spillover_bands", "spillover_segments", "spillover_countries",
                                "spillover_periods", "spillover_trends", "spillover_leadlag"};
            std::vector<GpkgItem> items{{&border_l, nullptr, "border_segments", ""}, {&bands_l, nullptr, "bands", ""}};
            for (size_t i = 0; i < std::size(tb); ++i) items.push_back({nullptr, &tb[i], tn[i], ""});
            write_gpkg_items(items, path("spillover.gpkg"), WriteOptions{smd});
        }

        // Terminal summary.
        const auto& f = r.front_trend;
        const int ci = int(100 * (1 - sp.alpha) + 0.5);
        std::printf("spillover: %s%zu events; Sahel %s | coastal %s; border %.0f km in %zu segments; %zu events outside both groups\n",
                    ev.synthetic ? "SYNTHETIC data, " : "", ev.size(), md.at("sahel_group").c_str(),
                    md.at("coastal_group").c_str(), border.length_km(), border.segments.size(), r.dist.outside);
        std::printf("  periods %s..%s (%s)\n", r.labels.front().c_str(), r.labels.back().c_str(), a->period.c_str());
        std::printf("  front (p%g of signed km within %g km): %s -> %s km\n", sp.quantile * 100, sp.window_km,
                    na(fmt_num(r.front_km.front(), 4)).c_str(), na(fmt_num(r.front_km.back(), 4)).c_str());
        if (f.withheld)
            std::printf("  front velocity: %s\n", f.note.c_str());
        else
            std::printf("  front velocity %+.1f km/yr (%d%% CI %+.1f .. %+.1f; positive = toward the coast), Mann-Kendall tau %.2f p %.3g; %s\n",
                        f.ts.slope, ci, f.ts.slope_lo, f.ts.slope_hi, f.mk.tau, f.mk.p, f.note.c_str());
        std::printf("  spillover share within %g km: %s -> %s; ", sp.x_km, na(fmt_num(r.share.front(), 3)).c_str(),
                    na(fmt_num(r.share.back(), 3)).c_str());
        if (r.share_trend.withheld)
            std::printf("trend %s\n", r.share_trend.note.c_str());
        else
            std::printf("trend %+.4f/yr (CI %+.4f .. %+.4f), MK p %.3g; %s\n", r.share_trend.ts.slope,
                        r.share_trend.ts.slope_lo, r.share_trend.ts.slope_hi, r.share_trend.mk.p, r.share_trend.note.c_str());
        std::printf("  centroid latitude %s -> %s; ", fmt_num(r.centroid_lat.front(), 4).c_str(),
                    fmt_num(r.centroid_lat.back(), 4).c_str());
        if (r.centroid_trend.withheld)
            std::printf("trend %s\n", r.centroid_trend.note.c_str());
        else
            std::printf("trend %+.3f deg/yr, MK p %.3g; %s\n", r.centroid_trend.ts.slope, r.centroid_trend.mk.p,
                        r.centroid_trend.note.c_str());
        // Top segments by coastal-side activity within X over the whole span.
        std::vector<size_t> o(r.leadlag.size());
        for (size_t i = 0; i < o.size(); ++i) o[i] = i;
        std::sort(o.begin(), o.end(), [&](size_t x, size_t y) { return r.leadlag[x].coastal_total > r.leadlag[y].coastal_total; });
        std::printf("  top segments (coastal-side events within %g km; lead-lag best k):\n", sp.x_km);
        for (size_t j = 0; j < std::min<size_t>(5, o.size()); ++j) {
            const auto& l = r.leadlag[o[j]];
            if (l.withheld)
                std::printf("    %-10s %6.0f km  coastal %6.0f  sahel %6.0f  lead-lag %s\n", l.segment.c_str(),
                            border.segments[o[j]].length_km, l.coastal_total, l.sahel_total, l.note.c_str());
            else
                std::printf("    %-10s %6.0f km  coastal %6.0f  sahel %6.0f  best k=%d r=%s p=%s (%s)\n",
                            l.segment.c_str(), border.segments[o[j]].length_km, l.coastal_total, l.sahel_total, l.best_k,
                            fmt_num(l.best_r, 3).c_str(), fmt_num(l.p_best, 3).c_str(), l.note.c_str());
        }
        std::printf("  outputs in %s\n", a->out.c_str());
    });
}

} // namespace nexusmap::cli
