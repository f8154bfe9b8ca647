// Hot spots panel (issues #4, #15): Gi*, LISA or emerging hot spots on a fishnet of the currently
// filtered events (time window, event types and the other filters). The panel edits geo's
// parameter structs and its job runs geo's pipeline (hotspot_pipeline.hpp), the same as
// `nexusmap hotspots | lisa | emerging`; the result comes back as a layer of coloured cells and
// its exports are geo's product files (export_panel.cpp).
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "nexusmap/precision.hpp"
#include "viewer/app.hpp"

#include "viewer/analysis_inputs.hpp"
#include "viewer/analysis_layers.hpp"
#include "viewer/hotspot_panel.hpp"
#include "viewer/ui_widgets.hpp"

namespace nexusmap::viewer {

namespace {

} // namespace

std::vector<double> hotspot_filter_key(const EventSet& ev, WeightMode w) {
    std::vector<double> k = {double(ev.window.all), double(ev.window.start), double(ev.window.length),
                             double(ev.table.size()), double(ev.filter_version), double(int(w))};
    for (bool b : ev.type_on)
        k.push_back(b);
    return k;
}

pipeline::EventInputs hotspot_inputs(const EventSet& ev, WeightMode w, EventTable& table) {
    table = analysis_events(ev);
    pipeline::EventInputs in;
    if (w == WeightMode::Fatalities) table.weight = table.fatalities;
    in.weighted = w != WeightMode::Count; // the same weights as the heatmap
    in.weight_name = w == WeightMode::Fatalities ? "fatalities" : w == WeightMode::WeightColumn ? "weight" : "";
    if (table.fatalities.empty() && w == WeightMode::Fatalities) table.weight.assign(table.size(), 0.f);
    if (!ev.window.all) {
        in.date_from = format_date(ev.window.day_lo());
        in.date_to = format_date(ev.window.day_hi() - 1);
    }
    in.events = &table;
    return in;
}

pipeline::Product run_hotspot_panel(const HotspotPanelParams& p, const pipeline::EventInputs& in, Progress progress) {
    switch (p.mode) {
    case pipeline::Analysis::GiStar: return pipeline::run_hotspots(in, p.gi, progress);
    case pipeline::Analysis::Lisa: return pipeline::run_lisa(in, p.lisa, progress);
    default: return pipeline::run_emerging(in, p.em, progress);
    }
}

bool HotspotPanelParams::apply(const std::string& kv, std::string& error) {
    const auto eq = kv.find('=');
    const std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    auto num = [&](double& out) {
        char* end = nullptr;
        out = std::strtod(v.c_str(), &end);
        if (v.empty() || *end) error = "--hot-param " + k + ": '" + v + "' is not a number";
        return error.empty();
    };
    auto flag = [&]() { return v.empty() || v == "1" || v == "true" || v == "yes"; };
    double d = 0;
    for (pipeline::UnitParams* u : {&gi.units, &lisa.units, &em.units}) {
        if (k == "units") u->units = v;
        else if (k == "cell-km" && num(d)) u->cell_km = d;
        else if (k == "band-km" && num(d)) u->band_km = d;
        else if (k == "band-rule") u->band_rule = v;
        else if (k == "knn" && num(d)) u->knn = int(d);
        else if (k == "queen") u->queen = flag();
        else if (k == "study-area") u->study_area = v;
        else if (k == "study-countries") u->study_countries = v;
        else if (k == "drop-isolated") u->drop_isolated = flag();
    }
    if (k == "permutations" && num(d)) gi.permutations = lisa.permutations = int(d);
    else if (k == "seed" && num(d)) gi.seed = lisa.seed = uint64_t(d);
    else if (k == "fdr") gi.fdr = lisa.fdr = em.fdr = flag();
    else if (k == "alpha" && num(d)) lisa.alpha = em.alpha = d;
    else if (k == "time-window" && num(d)) em.time_window = int(d);
    else if (k == "period") {
        try {
            em.period = parse_period_unit(v);
        } catch (const std::exception& e) {
            error = std::string("--hot-param period: ") + e.what();
        }
    } else if (!(k == "units" || k == "cell-km" || k == "band-km" || k == "band-rule" || k == "knn" || k == "queen" ||
                 k == "study-area" || k == "study-countries" || k == "drop-isolated" || k == "permutations" ||
                 k == "seed" || k == "alpha" || k == "time-window"))
        error = "--hot-param: unknown setting '" + k + "'";
    return error.empty();
}

void AnalysisUi::start_hotspots(PanelContext& ctx) {
    hot_attempted_ = true;
    if (!ctx.doc.events || (hot_job_ && ctx.jobs.alive(hot_job_))) return;
    const EventSet& ev = *ctx.doc.events;
    HotspotPanelParams hp = hot_params;
    hp.units().data_dir = data_dir();
    auto table = std::make_shared<EventTable>();
    const pipeline::EventInputs in = hotspot_inputs(ev, ctx.doc.heat.weight, *table);
    std::vector<double> key = hotspot_filter_key(ev, ctx.doc.heat.weight);
    hot_error_.clear();
    static constexpr const char* kNames[3] = {"hot spots (Gi*)", "LISA clusters", "emerging hot spots"};
    hot_job_ = &ctx.jobs.start<std::unique_ptr<HotspotOutput>>(
        kNames[int(hp.mode)],
        [table, in, hp, key](Progress& progress) {
            const auto t0 = std::chrono::steady_clock::now();
            auto out = std::make_unique<HotspotOutput>();
            out->params = hp;
            out->key = key;
            out->n_events = table->size();
            Progress sub([&progress](double f, std::string_view s) {
                try {
                    progress(0.02 + 0.93 * std::clamp(f, 0.0, 1.0), s);
                    return true;
                } catch (const Cancelled&) {
                    return false;
                }
            });
            auto product = std::make_shared<pipeline::Product>(run_hotspot_panel(hp, in, sub));
            const pipeline::Product& pr = *product;
            // Cells of the map: the class of each fishnet cell's unit (none for other units).
            if (pr.fishnet()) {
                const GridSpec& g = pr.units.grid;
                std::vector<int> cls(g.size(), -1);
                out->unit_of_cell.assign(g.size(), -1);
                for (size_t u = 0; u < pr.units.size(); ++u) {
                    const size_t c = pr.units.raw_of[u];
                    out->unit_of_cell[c] = int32_t(u);
                    if (hp.mode == pipeline::Analysis::GiStar) cls[c] = pr.gi.bin[u] ? pr.gi.bin[u] + 3 : -1;
                    else if (hp.mode == pipeline::Analysis::Lisa) cls[c] = pr.lisa.cls[u] != LisaClass::NotSignificant ? int(pr.lisa.cls[u]) : -1;
                    else cls[c] = pr.em.pattern[u] != EmergingPattern::NoPattern ? int(pr.em.pattern[u]) : -1;
                }
                progress(0.97, "cells");
                out->mesh = cells_mesh(g, cls);
            }
            for (auto b : pr.gi.bin)
                ++out->bin_count[size_t(std::clamp(int(b), -3, 3) + 3)];
            for (auto c : pr.lisa.cls)
                ++out->class_count[size_t(c)];
            out->pattern_count.assign(17, 0);
            for (auto p : pr.em.pattern)
                ++out->pattern_count[size_t(p)];
            out->product = std::move(product);
            out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return out;
        },
        [this, &doc = ctx.doc](std::unique_ptr<HotspotOutput>&& r) {
            std::vector<std::array<float, 4>> colors;
            auto rgba = [](std::array<unsigned char, 3> c, float a) {
                return std::array<float, 4>{c[0] / 255.f, c[1] / 255.f, c[2] / 255.f, a};
            };
            if (r->mode() == pipeline::Analysis::GiStar) {
                for (int k = 0; k < 7; ++k)
                    colors.push_back(rgba({kHotspotRgb[k][0], kHotspotRgb[k][1], kHotspotRgb[k][2]}, k == 3 ? 0.f : 1.f));
            } else if (r->mode() == pipeline::Analysis::Lisa) {
                for (int k = 0; k < 5; ++k)
                    colors.push_back(rgba(lisa_color(k), k == 0 ? 0.f : 1.f));
            } else {
                for (int k = 0; k < 17; ++k)
                    colors.push_back(rgba(emerging_color(k), k == 0 ? 0.f : 1.f));
            }
            hot_layer_ = make_gpu_layer(r->mesh, colors);
            r->mesh = {};
            hot_ = std::move(r);
            show_hot_ = true;
            if (hide_heat_) doc.heat.visible = false;
            hot_job_ = nullptr;
        });
}

void AnalysisUi::draw_hotspot_panel(PanelContext& ctx) {
    using pipeline::Analysis;
    if (!ImGui::CollapsingHeader("Hot spots", open_hotspots_ ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
    ImGui::PushID("hotspots");
    if (!ctx.doc.events) {
        ImGui::TextDisabled("No event table loaded.");
        ImGui::PopID();
        return;
    }
    HotspotPanelParams& p = hot_params;
    int mode = int(p.mode);
    ImGui::RadioButton("Gi*", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("LISA", &mode, 1);
    ImGui::SameLine();
    ImGui::RadioButton("Emerging", &mode, 2);
    p.mode = Analysis(mode);
    // geo's parameter structs, as the command line's flags fill them (fishnet units here).
    pipeline::UnitParams& u = p.units();
    u.units = "fishnet";
    float cell = float(u.cell_km), band = float(u.band_km.value_or(0));
    ImGui::SetNextItemWidth(140);
    if (ImGui::SliderFloat("cell km", &cell, 2, 100, "%.0f")) u.cell_km = std::round(cell);
    ImGui::SetNextItemWidth(140);
    if (ImGui::SliderFloat("band km", &band, 0, 200, band <= 0 ? "auto" : "%.0f")) {
        if (band > 0) u.band_km = std::max<double>(std::round(band), u.cell_km);
        else u.band_km.reset();
    }
    if (ImGui::IsItemHovered())
        tooltip("Distance band of the binary weights (--band-km).\n0 = auto: the smallest band giving "
                          "every cell a neighbour (--band-rule min-neighbour).");
    bool* fdr = p.mode == Analysis::GiStar ? &p.gi.fdr : p.mode == Analysis::Lisa ? &p.lisa.fdr : &p.em.fdr;
    ImGui::Checkbox("FDR", fdr);
    if (ImGui::IsItemHovered()) tooltip("Bins/classes from Benjamini-Hochberg adjusted p-values");
    ImGui::SameLine();
    static constexpr const char* kAreas[3] = {"countries", "nonempty", "all"};
    int area = u.study_area == "all" ? 2 : u.study_area == "nonempty" ? 1 : 0;
    ImGui::SetNextItemWidth(110);
    if (ImGui::Combo("study area", &area, kAreas, 3)) u.study_area = kAreas[area];
    if (ImGui::IsItemHovered())
        tooltip("As the CLI's --study-area: countries = cells whose centre is on land in %s (bundled "
                          "admin-0) plus any cell holding an event; nonempty = cells holding an event; all = every "
                          "cell of the bounding box (sea included; inflates z).",
                          u.study_countries.c_str());
    ImGui::TextDisabled("weights: as the heatmap (%s)", ctx.doc.heat.weight == WeightMode::Count ? "count" :
                        ctx.doc.heat.weight == WeightMode::Fatalities ? "fatalities" : "weight column");
    if (p.mode == Analysis::Emerging) {
        int step = int(p.em.period);
        ImGui::SetNextItemWidth(140);
        if (ImGui::Combo("time step", &step, "year\0quarter\0month\0")) p.em.period = PeriodUnit(step);
    }
    const bool running = ctx.jobs.running(hot_job_);
    if (hot_job_ && !ctx.jobs.alive(hot_job_)) hot_job_ = nullptr;
    if (!running) {
        if (ImGui::Button("Run on filtered events")) start_hotspots(ctx);
        if (hot_job_ && hot_job_->state() == Job::State::Failed) {
            ImGui::SameLine();
            ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.3f, 1), "failed");
            if (ImGui::IsItemHovered()) tooltip("%s", hot_job_->error().c_str());
        }
    } else {
        ImGui::ProgressBar(float(hot_job_->fraction()), ImVec2(-70, 0), hot_job_->stage().c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) hot_job_->cancel();
    }
    if (hot_) {
        ImGui::Checkbox("show", &show_hot_);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(100);
        ImGui::SliderFloat("opacity##hot", &hot_opacity_, 0.1f, 1.f, "%.2f");
        ImGui::SameLine();
        if (ImGui::SmallButton("clear")) {
            hot_.reset();
            hot_layer_.reset();
            ImGui::PopID();
            return;
        }
        ImGui::Checkbox("hide the heatmap with the result", &hide_heat_);
        const pipeline::Product& pr = *hot_->product;
        ImGui::TextDisabled("%zu events, %.2f s", hot_->n_events, hot_->seconds);
        // The command line's summary lines (units, study area, weights, counts per class).
        ImGui::TextWrapped("%s", pr.summary.c_str());
        if (hot_->mode() == Analysis::Emerging)
            for (size_t k = 1; k < hot_->pattern_count.size(); ++k)
                if (hot_->pattern_count[k]) {
                    const auto c = emerging_color(int(k));
                    ImGui::ColorButton("##pc", ImVec4(c[0] / 255.f, c[1] / 255.f, c[2] / 255.f, 1),
                                       ImGuiColorEditFlags_NoTooltip, ImVec2(10, 10));
                    ImGui::SameLine();
                    ImGui::TextDisabled("%s: %zu", emerging_pattern_name(EmergingPattern(k)), hot_->pattern_count[k]);
                }
        for (auto& w : pr.warnings)
            ImGui::TextWrapped("warning: %s", w.c_str());
        if (hot_->key != hotspot_filter_key(*ctx.doc.events, ctx.doc.heat.weight))
            ImGui::TextColored(ImVec4(0.95f, 0.6f, 0.2f, 1), "filters changed since this run");
    }
    ImGui::PopID();
}

void HotspotPanel::draw(PanelContext& ctx) {
    ui_.draw_hotspot_panel(ctx);
}

// The labels' section (AnalysisUi is the "labels" panel, after the analyses' panels).
void AnalysisUi::draw(PanelContext& ctx) {
    if (!display_identity_ && (hot_layer_ || border_layer_ || bands_layer_))
        ImGui::TextColored(ImVec4(0.9f, 0.6f, 0.2f, 1.f),
                           "Hot spot cells and spillover layers are drawn in the\n"
                           "equal-area display only (switch the display CRS).");
    if (ImGui::CollapsingHeader("Labels")) {
        ImGui::Checkbox("country and admin-1 labels", &show_labels);
        ImGui::Checkbox("admin-1 labels (when they fit)", &show_admin1_labels);
        ImGui::TextDisabled("%zu of %zu labels placed without overlap", last_labels_placed_, last_labels_candidates_);
    }
}

VectorLayer hotspot_cells_layer(const HotspotOutput& h) {
    VectorLayer v;
    v.name = "hotspots_gistar";
    v.type = GeomType::Polygon;
    v.fields = {"z", "p", "bin", "value"};
    if (!h.product || h.mode() != pipeline::Analysis::GiStar) return v;
    const pipeline::Product& pr = *h.product;
    v.crs = pr.crs;
    const std::vector<double>& p = pr.gi.p_perm.empty() ? pr.gi.p : pr.gi.p_perm;
    for (size_t u = 0; u < pr.units.size(); ++u) {
        if (pr.gi.bin[u] == 0) continue;
        Feature f;
        f.geom = pr.layer.features[u].geom;
        f.attrs = {pr.gi.z[u], p[u], int64_t(pr.gi.bin[u]), AttrValue{pr.units.weighted[u]}};
        v.features.push_back(std::move(f));
    }
    return v;
}

} // namespace nexusmap::viewer
