// Heatmap panel: kernel and bandwidth (ground km), weights, colour ramp and scaling, range,
// opacity, threshold; and an exact KDE computed by geo on a worker thread to check the GPU grid.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "viewer/kernel_shapes.hpp"
#include "viewer/heatmap_panel.hpp"
#include "viewer/ui_widgets.hpp"

namespace nexusmap::viewer {

namespace {
const char* weight_label(WeightMode w) {
    switch (w) {
    case WeightMode::Count:
        return "events";
    case WeightMode::WeightColumn:
        return "weight";
    case WeightMode::Fatalities:
        return "fatalities";
    }
    return "events";
}
} // namespace

ExactKdeInput exact_kde_input(const EventSet& ev, const HeatParams& p, const GridSpec& grid) {
    ExactKdeInput in;
    in.xs = std::make_shared<std::vector<double>>();
    in.ys = std::make_shared<std::vector<double>>();
    in.ws = std::make_shared<std::vector<float>>();
    for (size_t i = 0; i < ev.table.size(); ++i) {
        if (!ev.passes(i) || !std::isfinite(ev.table.x[i]) || !std::isfinite(ev.table.y[i])) continue;
        in.xs->push_back(ev.table.x[i]);
        in.ys->push_back(ev.table.y[i]);
        if (p.weight == WeightMode::WeightColumn) in.ws->push_back(ev.table.weight.empty() ? 1.f : ev.table.weight[i]);
        if (p.weight == WeightMode::Fatalities)
            in.ws->push_back(ev.table.fatalities.empty() ? 0.f : ev.table.fatalities[i]);
    }
    KdeParams& kp = in.params;
    kp.kernel = p.kernel;
    kp.bandwidth_m = p.bandwidth_km * 1000.0;
    kp.cell_m = grid.cell;
    kp.units = DensityUnits::PerKm2;
    kp.use_weights = p.weight != WeightMode::Count;
    kp.method = KdeMethod::Exact;
    kp.threads = int(std::max(1u, std::thread::hardware_concurrency() - 1));
    in.grid = grid;
    return in;
}

KdeResult ExactKdeInput::run(const Crs& crs, Progress& progress) const {
    KdeInput in{xs.get(), ys.get(), ws->empty() ? nullptr : ws.get()};
    return kernel_density(in, grid, crs, params, progress);
}

std::vector<double> exact_kde_key(const EventSet& ev, const HeatParams& p) {
    std::vector<double> key = {double(kernel_code(p.kernel)), p.bandwidth_km,          double(int(p.weight)),
                               double(ev.window.all),         double(ev.window.start), double(ev.window.length),
                               double(ev.filter_version)};
    for (bool on : ev.type_on)
        key.push_back(on);
    return key;
}

const Raster* HeatmapPanel::current_exact(const Document& doc, const GridSpec& grid) const {
    if (!exact || !doc.events || exact_kde_key(*doc.events, doc.heat) != exact_key_) return nullptr;
    const GridSpec& g = exact->grid;
    if (g.width != grid.width || g.height != grid.height || std::fabs(g.xmin - grid.xmin) > 1e-6 * grid.cell ||
        std::fabs(g.ymax - grid.ymax) > 1e-6 * grid.cell || std::fabs(g.cell - grid.cell) > 1e-9 * grid.cell)
        return nullptr;
    return &*exact;
}

void HeatmapPanel::start_exact(PanelContext& ctx) {
    const EventSet& ev = *ctx.doc.events;
    const HeatParams& p = ctx.doc.heat;
    const ExactKdeInput kin = exact_kde_input(ev, p, ctx.heat.grid());
    const Crs crs = ctx.doc.analysis;
    exact_key_ = exact_kde_key(ev, p);
    exact.reset();
    exact_summary.clear();
    exact_job_ = &ctx.jobs.start<KdeResult>(
        "exact KDE (geo)",
        [kin, crs](Progress& progress) { return kin.run(crs, progress); },
        [this, &heat = ctx.heat](KdeResult&& r) {
            // Compare cell by cell with the GPU grid (same GridSpec, row 0 north), read back from
            // the GPU texture now (glGetTexImage; this runs on the main thread with the context
            // current), not from the splat-time copy.
            double max_diff = 0, max_v = 0, gpu_max = 0;
            size_t cells = 0;
            const std::vector<float> gpu = heat.read_texture(); // bottom row first
            const GridSpec& hg = heat.grid();
            if (heat.valid() && hg.width == r.raster.grid.width && hg.height == r.raster.grid.height &&
                gpu.size() == size_t(hg.width) * size_t(hg.height)) {
                for (int row = 0; row < r.raster.grid.height; ++row)
                    for (int col = 0; col < r.raster.grid.width; ++col) {
                        const double e = r.raster.at(col, row);
                        if (r.raster.is_nodata(float(e))) continue;
                        const double g = gpu[size_t(hg.height - 1 - row) * size_t(hg.width) + size_t(col)];
                        max_v = std::max(max_v, e);
                        gpu_max = std::max(gpu_max, g);
                        max_diff = std::max(max_diff, std::abs(e - g));
                        ++cells;
                    }
            }
            exact_cells = cells;
            exact_max = max_v;
            exact_gpu_max = gpu_max;
            exact_max_diff = max_diff;
            char buf[256];
            std::snprintf(buf, sizeof buf,
                          "exact: %zu pts, max %.4g, integral %.1f; GPU max |diff| %.2g (%.2g%% of max)",
                          r.n_points, max_v, r.raster.integral() / 1e6, max_diff,
                          max_v > 0 ? 100 * max_diff / max_v : 0.0);
            exact_summary = buf;
            exact = std::move(r.raster);
        });
}

void HeatmapPanel::draw(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Heatmap (kernel density)", ImGuiTreeNodeFlags_DefaultOpen)) return;
    HeatParams& p = ctx.doc.heat;
    if (!ctx.doc.events) {
        ImGui::TextDisabled("Load an event table (.csv) to see its density.");
        return;
    }
    ImGui::Checkbox("show heatmap", &p.visible);
    int k = kernel_code(p.kernel);
    if (ImGui::Combo("kernel", &k, kKernelNames, IM_ARRAYSIZE(kKernelNames))) p.kernel = Kernel(k);
    // The slider drags; the typed value goes through its own field, committed on Enter (issue #14:
    // typing into the slider's text mode applied every keystroke and "15" became "215").
    ImGui::SetNextItemWidth(ImGui::CalcItemWidth() - 70.f);
    ImGui::SliderFloat("##bandwidth", &p.bandwidth_km, 2.f, 300.f, "%.0f km",
                       ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_NoInput);
    ImGui::SameLine(0, 4);
    ImGui::SetNextItemWidth(66.f);
    input_number("bandwidth", bandwidth_edit_, p.bandwidth_km, 0.5, 5000, "%.4g");
    if (ImGui::IsItemHovered())
        tooltip("Ground distance in the equal-area analysis CRS.\nCompact kernels: search radius; "
                          "gaussian: standard deviation (cut at 4 sigma).");
    {
        // Location precision: UCDP where_prec / ACLED geo_precision (precision.hpp).
        EventSet& ev = *ctx.doc.events;
        int m = ev.precision_mode;
        const char* modes[] = {"all events at their points", "precise only (code <= 2)", "spread imprecise over polygons"};
        if (ImGui::Combo("location precision", &m, modes, 3) && m != ev.precision_mode) ctx.request_precision = m;
        if (ImGui::IsItemHovered())
            tooltip("UCDP where_prec 1 exact .. 7 international waters; ACLED geo_precision 1..3.\n"
                              "spread: each imprecise event's weight is spread evenly over its admin-2 (UCDP 3),\n"
                              "admin-1 (UCDP 4, ACLED 3) or country (UCDP 6) polygon; UCDP 5 and 7 excluded.\n"
                              "Totals are kept without false peaks at centroids.");
        if (!ev.precision_summary.empty()) ImGui::TextWrapped("%s", ev.precision_summary.c_str());
    }
    int w = int(p.weight);
    const char* weights[] = {"count (1 per event)", "weight column", "fatalities"};
    if (ImGui::Combo("weight", &w, weights, 3)) p.weight = WeightMode(w);
    int r = int(p.ramp);
    if (ImGui::Combo("ramp", &r, kRampNames.data(), int(kRampNames.size()))) p.ramp = Ramp(r);
    int sc = int(p.scale);
    if (ImGui::Combo("scale", &sc, kScaleNames.data(), int(kScaleNames.size()))) p.scale = Scale(sc);
    int rm = int(p.range);
    const char* modes[] = {"fixed over all periods", "fit to view", "typed range"};
    if (ImGui::Combo("range", &rm, modes, 3)) p.range = HeatRangeMode(rm);
    if (ImGui::IsItemHovered())
        tooltip("fixed: 0 .. the largest density over every position of the time window (Play\n"
                          "and time-lapse frames share one scale); fit to view: the largest cell in view;\n"
                          "typed: the min and max below.");
    if (p.range == HeatRangeMode::Typed) {
        ImGui::InputFloat("min", &p.lo, 0, 0, "%.4g");
        ImGui::InputFloat("max", &p.hi, 0, 0, "%.4g");
        if (ImGui::Button("use current max")) {
            p.lo = 0;
            p.hi = float(ctx.heat.max_value());
        }
    }
    ImGui::SliderFloat("opacity##heat", &p.opacity, 0.f, 1.f);
    ImGui::SliderFloat("threshold", &p.threshold, 0.f, 0.5f, "%.2f of max");
    if (ImGui::IsItemHovered())
        tooltip("Cells below this fraction of the range's top are transparent.");

    if (ctx.heat.valid()) {
        const GridSpec& g = ctx.heat.grid();
        ImGui::TextDisabled("grid %dx%d, cell %.1f km, %s %.0f ms", g.width, g.height, g.cell / 1000,
                            ctx.heat.cpu_backend() ? "geo KDE on the CPU" : ctx.heat.cpu_splat() ? "CPU sums" : "GPU splat", ctx.heat.splat_ms());
        if (ctx.heat.cpu_backend() && ImGui::IsItemHovered())
            tooltip("Software OpenGL: the heat is geo's kernel density (auto method, within 1e-3 of\n"
                              "the peak) computed on a worker thread, not splatted (--heat-backend).");
        ImGui::TextDisabled("max %.4g %s per km2; integral %.1f", ctx.heat.max_value(),
                            weight_label(p.weight), ctx.heat.integral());
    }

    // Exact KDE through geo, on a worker thread, on the GPU's grid.
    const bool running = ctx.jobs.running(exact_job_);
    if (!running) {
        if (ImGui::Button("Exact KDE (geo) for comparison") && ctx.heat.valid()) start_exact(ctx);
    } else {
        ImGui::ProgressBar(float(exact_job_->fraction()), ImVec2(-70, 0), exact_job_->stage().c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) exact_job_->cancel();
    }
    if (exact) {
        if (exact_kde_key(*ctx.doc.events, p) != exact_key_) {
            exact.reset(); // stale: parameters changed since
            exact_summary.clear();
            if (ctx.heat.showing_raster()) ctx.heat.invalidate();
        } else {
            ImGui::TextWrapped("%s", exact_summary.c_str());
            // Export-grade view: draw geo's exact raster instead of the GPU splat (same grid).
            bool show = ctx.heat.showing_raster();
            if (ImGui::Checkbox("show the exact raster", &show)) {
                if (show) ctx.heat.show_raster(*exact);
                else ctx.heat.invalidate();
            }
        }
    }
}

} // namespace nexusmap::viewer
