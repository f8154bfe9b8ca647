// The density pipeline (pipeline/density.hpp): moved out of the command line so the viewer's
// GeoTIFF export writes the same raster with the same metadata (issue #15).
#include "nexusmap/pipeline/density.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>

#include "nexusmap/crs.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap::pipeline {

namespace {
std::string fmt(const char* f, double a, double b = 0, double c = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c);
    return buf;
}
} // namespace

void DensityParams::validate() const {
    if (kde.rule == BandwidthRule::Fixed && !(kde.bandwidth_m > 0 && std::isfinite(kde.bandwidth_m)))
        throw GeoError("", "--bandwidth-km", "must be a positive number of km, 'silverman', 'scott' or 'lcv'");
    if (!(kde.cell_m > 0) || !std::isfinite(kde.cell_m)) throw GeoError("", "--cell-km", "must be a positive number of km");
    if (extent == Extent::LonLatBox && !(lonlat_box.xmax > lonlat_box.xmin && lonlat_box.ymax > lonlat_box.ymin))
        throw GeoError("", "--extent", "the box is empty (LON0,LAT0,LON1,LAT1 with LON0 < LON1 and LAT0 < LAT1)");
    if (extent == Extent::Grid && (grid.width <= 0 || grid.height <= 0 || !(grid.cell > 0)))
        throw GeoError("", "density grid", "is empty");
}

void check_density_grid(const GridSpec& g, double max_cells) {
    const double cells = double(g.width) * double(g.height);
    if (cells > max_cells) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "grid of %d x %d = %.3g cells (%.1f GB as float32) exceeds the cap of %.3g cells; use a larger "
                      "--cell-km, a smaller --extent, or raise --max-cells",
                      g.width, g.height, cells, cells * 4 / 1e9, max_cells);
        throw GeoError("", "density grid", buf);
    }
    // The float32 result plus the KDE's working tiles (the FFT path keeps them within ~2x the grid).
    check_memory(3 * raster_bytes(g.width, g.height),
                 "density grid of " + std::to_string(g.width) + " x " + std::to_string(g.height) + " cells",
                 "use a larger --cell-km or a smaller --extent");
}

DensityProduct run_density(const DensityInputs& in, DensityParams params, Progress progress) {
    if (!in.events) throw GeoError("", "density", "no events");
    params.validate();
    const EventTable& ev = *in.events;
    DensityProduct out;
    KdeParams& p = params.kde;
    const std::vector<float>* w = params.weighted ? &ev.weight : nullptr;
    out.bandwidth_rule = bandwidth_rule_name(p.rule);
    // An automatic bandwidth first: the grid's padding depends on it.
    std::string bw_note;
    if (p.rule == BandwidthRule::Lcv) {
        const LcvBandwidth lcv = lcv_bandwidth(ev.x, ev.y, w, p.kernel);
        p.bandwidth_m = lcv.radius_m;
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "likelihood cross-validation (Gaussian sigma %.4g km, %zu-value grid %.4g..%.4g km, %zu points "
                      "evaluated; normal-reference sigma %.4g km)",
                      lcv.sigma_m / 1000, lcv.sigma_grid.size(), lcv.sigma_grid.front() / 1000,
                      lcv.sigma_grid.back() / 1000, lcv.n_eval, lcv.normal_reference_sigma_m / 1000);
        bw_note = buf;
        out.notes.push_back("automatic bandwidth (lcv): " + fmt("%.6g", p.bandwidth_m / 1000) + " km, " + bw_note);
        if (lcv.at_edge) {
            const std::string w2 = std::string("the likelihood is highest at the ") +
                                   (lcv.best == 0 ? "smallest" : "largest") +
                                   " bandwidth tried: the choice is a bound, not an optimum (many duplicated "
                                   "locations pull it down; a smooth, unclustered pattern pushes it up)";
            out.warnings.push_back(w2);
            bw_note += "; WARNING: " + w2;
        }
        p.rule = BandwidthRule::Fixed;
    } else if (p.rule != BandwidthRule::Fixed) {
        try {
            p.bandwidth_m = auto_bandwidth(ev.x, ev.y, w, p.rule, p.kernel);
        } catch (const GeoError& e) {
            throw GeoError(ev.source, "--bandwidth-km " + out.bandwidth_rule, e.what_ + " with --bandwidth-km KM");
        }
        out.notes.push_back("automatic bandwidth (" + out.bandwidth_rule + "): " + fmt("%.6g", p.bandwidth_m / 1000) + " km");
        // The normal reference assumes one Gaussian blob; on clustered events it oversmooths.
        const double dn = median_nn_distance(ev.x, ev.y);
        if (std::isfinite(dn) && dn > 0 && p.bandwidth_m > 10 * dn) {
            const std::string w2 =
                fmt("the normal-reference radius %.4g km is %.0fx the median nearest-neighbour distance between event "
                    "locations (%.4g km): ",
                    p.bandwidth_m / 1000, p.bandwidth_m / dn, dn / 1000) +
                "on clustered events it smooths clusters away; consider --bandwidth-km lcv or a fixed radius";
            out.warnings.push_back(w2);
            bw_note = "WARNING: " + w2;
        }
        p.rule = BandwidthRule::Fixed;
    }
    const double pad = kernel_support(p.kernel, p.bandwidth_m);
    switch (params.extent) {
    case DensityParams::Extent::Data: out.grid = grid_for_points(ev.x, ev.y, pad, p.cell_m); break;
    case DensityParams::Extent::LonLatBox: {
        Transformer t(Crs::wgs84(), ev.crs);
        out.grid = GridSpec::covering(t.forward_bbox(params.lonlat_box), p.cell_m);
        break;
    }
    case DensityParams::Extent::Layer:
        if (!in.extent_layer) throw GeoError("", "--extent", "no layer given");
        out.grid = GridSpec::covering(in.extent_layer->bbox(), p.cell_m);
        break;
    case DensityParams::Extent::Grid: out.grid = params.grid; break;
    }
    check_density_grid(out.grid, params.max_cells);
    // A kernel narrower than two cells is sampled at one or two cell centres: the raster no longer
    // integrates to the weight total (too much or almost nothing, depending on where points fall).
    const bool undersampled = p.bandwidth_m < 2 * out.grid.cell;
    if (undersampled)
        out.warnings.push_back(fmt("bandwidth %.4g km is under 2 cells (cell %.4g km): the kernel is undersampled and "
                                   "the density will not integrate to the weight total; use --cell-km %.4g or less",
                                   p.bandwidth_m / 1000, out.grid.cell / 1000, p.bandwidth_m / 2000));
    KdeInput kin{&ev.x, &ev.y, &ev.weight};
    p.use_weights = w != nullptr;
    out.kde = kernel_density(kin, out.grid, ev.crs, p, progress);
    Raster& r = out.kde.raster;
    if (in.mask) {
        apply_mask(r, *in.mask);
        r.metadata["mask"] = params.mask_name.empty() ? in.mask->source : params.mask_name;
    }
    for (auto& [k, v] : provenance(ev, params.date_from, params.date_to))
        r.metadata[k] = v;
    if (params.weight_option.empty()) {
        r.metadata["weight_field"] = params.weighted ? "(none: every event counts 1, spread events as equal fractions)"
                                                     : "(none: every event counts 1)";
    } else {
        // The resolved column, not the option's text ("auto" says nothing once written to a file).
        auto it = ev.metadata.find("weight_column");
        const std::string col = it != ev.metadata.end() ? it->second : params.weight_option;
        r.metadata["weight_field"] = col;
        if (col != params.weight_option) r.metadata["weight_field_option"] = params.weight_option;
    }
    r.metadata["bandwidth_rule"] = out.bandwidth_rule;
    if (!bw_note.empty()) r.metadata["bandwidth_note"] = bw_note;
    out.integral = r.integral() / (p.units == DensityUnits::PerKm2 ? 1e6 : 1.0);
    // With the data extent and no mask nothing should be cut off: say so when the total is not kept.
    const double total = out.kde.weight_total;
    if (p.units == DensityUnits::PerKm2 && params.extent == DensityParams::Extent::Data && !in.mask && total > 0 &&
        std::fabs(out.integral - total) > 0.01 * total)
        out.warnings.push_back(fmt("the raster integrates to %.6g, not the weight total %.6g (%+.1f%%)", out.integral,
                                   total, 100 * (out.integral / total - 1)) +
                               (undersampled ? ": the bandwidth is too small for the cell size" : ""));
    out.params = p;
    return out;
}

std::vector<int64_t> dated_period_range(const EventTable& ev, PeriodUnit by) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < ev.size(); ++i)
        if (i < ev.day.size() && ev.day[i] != kNoDay) {
            const int64_t p = period_index(ev.day[i], by);
            lo = std::min(lo, p), hi = std::max(hi, p);
        }
    if (lo > hi) throw GeoError(ev.source, "", "no dated events: a map per period needs dates");
    std::vector<int64_t> out;
    for (int64_t p = lo; p <= hi; ++p) out.push_back(p);
    return out;
}

PeriodDensities density_by_period(const EventTable& ev, const std::vector<int64_t>& periods, PeriodUnit by,
                                  const GridSpec& grid, const KdeParams& kde, const VectorLayer* mask,
                                  const std::vector<bool>* keep, const Metadata* base_metadata, Progress progress) {
    PeriodDensities out;
    std::map<int64_t, size_t> slot;
    for (size_t i = 0; i < periods.size(); ++i)
        slot[periods[i]] = i;
    std::vector<std::vector<bool>> in(periods.size(), std::vector<bool>(ev.size(), false));
    out.counts.assign(periods.size(), 0);
    for (size_t i = 0; i < ev.size(); ++i) {
        if (keep && !(i < keep->size() && (*keep)[i])) continue; // rows beyond the mask: not kept
        if (ev.day[i] == kNoDay) {
            ++out.undated;
            continue;
        }
        auto it = slot.find(period_index(ev.day[i], by));
        if (it == slot.end()) continue;
        in[it->second][i] = true;
        out.counts[it->second] += 1;
    }
    out.rasters.reserve(periods.size());
    for (size_t k = 0; k < periods.size(); ++k) {
        // Only what the kernel reads (EventTable::subset would copy every column per period).
        std::vector<double> x, y;
        std::vector<float> w;
        for (size_t i = 0; i < ev.size(); ++i)
            if (in[k][i]) x.push_back(ev.x[i]), y.push_back(ev.y[i]), w.push_back(i < ev.weight.size() ? ev.weight[i] : 1.f);
        KdeInput kin{&x, &y, &w};
        const double f0 = double(k) / double(periods.size()), f1 = double(k + 1) / double(periods.size());
        KdeResult r = kernel_density(kin, grid, ev.crs, kde, ProgressFn([&](double f, std::string_view s) {
                                         progress(f0 + (f1 - f0) * f, s); // throws Cancelled when asked
                                         return true;
                                     }));
        if (mask) apply_mask(r.raster, *mask);
        if (base_metadata) {
            Metadata md = *base_metadata;
            for (auto& [key, v] : provenance(ev.subset(in[k])))
                md[key] = v;
            md["period"] = period_label(periods[k], by);
            r.raster.metadata = std::move(md);
        }
        out.rasters.push_back(std::move(r.raster));
        in[k].clear(), in[k].shrink_to_fit();
    }
    return out;
}

} // namespace nexusmap::pipeline
