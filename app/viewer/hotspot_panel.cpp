// Hot spots panel (issue #4, viewer part): Getis-Ord Gi* on a fishnet of the currently filtered
// events (time window, event types and the other filters), or emerging hot spots over yearly or
// quarterly steps. Runs on a worker thread (Jobs) and comes back as a layer of coloured cells.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "viewer/analysis_layers.hpp"

namespace nexusmap::viewer {

namespace {

bool job_alive(const Jobs& jobs, const Job* j) {
    return j && std::any_of(jobs.all().begin(), jobs.all().end(), [j](auto& p) { return p.get() == j; });
}

// The study-area index: the admin-0 layer (or the coarsest polygon layer with an index).
std::shared_ptr<PolygonIndex> study_area(const Document& doc) {
    std::shared_ptr<PolygonIndex> best;
    size_t best_n = SIZE_MAX;
    for (auto& l : doc.layers) {
        if (!l->index) continue;
        std::string n = l->data.name;
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (n == "admin0") return l->index;
        if (l->data.features.size() < best_n) {
            best_n = l->data.features.size();
            best = l->index;
        }
    }
    return best;
}

std::vector<double> filter_key(const EventSet& ev) {
    std::vector<double> k = {double(ev.window.all), double(ev.window.start), double(ev.window.length),
                             double(ev.table.size())};
    for (bool b : ev.type_on)
        k.push_back(b);
    return k;
}

} // namespace

void AnalysisUi::start_hotspots(PanelContext& ctx) {
    hot_attempted_ = true;
    if (!ctx.doc.events || (hot_job_ && job_alive(ctx.jobs, hot_job_))) return;
    const EventSet& ev = *ctx.doc.events;
    const EventTable& t = ev.table;
    auto xs = std::make_shared<std::vector<double>>(), ys = std::make_shared<std::vector<double>>();
    auto ws = std::make_shared<std::vector<float>>();
    auto days = std::make_shared<std::vector<int32_t>>();
    BBox all = BBox::inverted();
    for (size_t i = 0; i < t.size(); ++i) {
        if (!std::isfinite(t.x[i]) || !std::isfinite(t.y[i])) continue;
        all.expand(t.x[i], t.y[i]);
        if (!ev.passes(i)) continue;
        xs->push_back(t.x[i]);
        ys->push_back(t.y[i]);
        ws->push_back(ctx.doc.heat.weight == WeightMode::Fatalities
                          ? (t.fatalities.empty() ? 0.f : t.fatalities[i])
                          : (t.weight.empty() ? 1.f : t.weight[i]));
        days->push_back(t.day.empty() ? kNoDay : t.day[i]);
    }
    if (all.xmax < all.xmin) return;
    HotspotParams hp = hot_params;
    hp.weighted = ctx.doc.heat.weight != WeightMode::Count; // the same weights as the heatmap
    double cell = std::max(0.5, double(hp.cell_km)) * 1000;
    // At most ~1M cells: coarser cells for a very large extent.
    while ((all.width() / cell + 1) * (all.height() / cell + 1) > 1e6)
        cell *= 1.5;
    hp.cell_km = float(cell / 1000);
    const GridSpec grid = GridSpec::covering(all, cell);
    std::shared_ptr<PolygonIndex> area = hp.land_only ? study_area(ctx.doc) : nullptr;
    hot_error_.clear();
    hot_key_ = filter_key(ev);
    hot_job_ = &ctx.jobs.start<std::unique_ptr<HotspotOutput>>(
        hp.mode == 0 ? "hot spots (Gi*)" : "emerging hot spots",
        [xs, ys, ws, days, hp, grid, area](Progress& progress) {
            const auto t0 = std::chrono::steady_clock::now();
            auto out = std::make_unique<HotspotOutput>();
            out->params = hp;
            out->grid = grid;
            out->n_events = xs->size();
            const size_t n = grid.size();
            progress(0.02, "study area");
            std::span<const float> w;
            if (hp.weighted) w = *ws;
            const UnitAggregate agg = fishnet_aggregate(grid, *xs, *ys, w);
            out->value = agg.value;
            // The CLI's rule (geo select_study_area): cells whose centre is on land (admin-0) plus any
            // cell holding an event; without an admin-0 layer, only cells holding an event.
            {
                StudyArea sa;
                sa.mode = area ? StudyAreaMode::Polygons : (hp.land_only ? StudyAreaMode::NonEmpty : StudyAreaMode::All);
                if (!hp.land_only) sa.mode = StudyAreaMode::All;
                sa.polygons = area.get();
                sa.label = "the admin-0 layer";
                const UnitAggregate cnt = fishnet_aggregate(grid, *xs, *ys);
                StudyAreaSelection sel = select_study_area(fishnet_centroids(grid), cnt.value, sa);
                out->study_rule = sel.rule;
                if (sel.left_out) out->mask = std::move(sel.keep);
            }
            std::vector<int> cls(n, -1);
            Progress sub([&progress](double f, std::string_view s) {
                try {
                    progress(0.2 + 0.75 * f, s);
                    return true;
                } catch (const Cancelled&) {
                    return false;
                }
            });
            if (hp.mode == 0) {
                GiStarParams gp;
                gp.distance_m = double(hp.band_km) * 1000;
                gp.fdr = hp.fdr;
                // Conditional permutations, as the CLI (a lower cap keeps the panel interactive).
                size_t n_in = 0;
                for (size_t i = 0; i < n; ++i) n_in += out->mask.empty() || out->mask[i];
                const PermutationPlan plan = plan_permutations(n_in, 0.05, hp.fdr, 2, 0, 19999);
                gp.permutations = plan.permutations;
                out->gi = gi_star_fishnet(grid, out->value, out->mask, gp, sub);
                if (!plan.warning.empty()) out->gi.warnings.push_back(plan.warning);
                for (size_t i = 0; i < n; ++i) {
                    const int b = out->gi.bin[i];
                    if (out->mask.empty() || out->mask[i]) ++out->bin_count[size_t(b + 3)];
                    if (b != 0) cls[i] = b + 3;
                }
            } else {
                // Units: cells (in the study area) with at least one dated event; steps: years or quarters.
                const PeriodUnit pu = hp.step == 0 ? PeriodUnit::Year : PeriodUnit::Quarter;
                int64_t p0 = INT64_MAX, p1 = INT64_MIN;
                for (int32_t d : *days)
                    if (d != kNoDay) p0 = std::min(p0, period_index(d, pu)), p1 = std::max(p1, period_index(d, pu));
                if (p0 > p1) throw GeoError("emerging hot spots need dated events");
                const size_t steps = size_t(p1 - p0 + 1);
                std::vector<int64_t> cell_of(xs->size(), -1);
                std::vector<double> total(n, 0);
                for (size_t i = 0; i < xs->size(); ++i) {
                    if ((*days)[i] == kNoDay) continue;
                    const int c = int(std::floor(((*xs)[i] - grid.xmin) / grid.cell)),
                              r = int(std::floor((grid.ymax - (*ys)[i]) / grid.cell));
                    if (c < 0 || r < 0 || c >= grid.width || r >= grid.height) continue;
                    const size_t k = size_t(r) * size_t(grid.width) + size_t(c);
                    if (!out->mask.empty() && !out->mask[k]) continue;
                    cell_of[i] = int64_t(k);
                    total[k] += 1;
                }
                out->unit_of_cell.assign(n, -1);
                UnitCentroids uc;
                for (size_t k = 0; k < n; ++k)
                    if (out->mask.empty() ? total[k] > 0 : out->mask[k] != 0) {
                        out->unit_of_cell[k] = int32_t(uc.x.size());
                        uc.x.push_back(grid.col_center_x(int(k % size_t(grid.width))));
                        uc.y.push_back(grid.row_center_y(int(k / size_t(grid.width))));
                    }
                const size_t units = uc.size();
                std::vector<double> counts(units * steps, 0);
                for (size_t i = 0; i < xs->size(); ++i)
                    if (cell_of[i] >= 0)
                        counts[size_t(period_index((*days)[i], pu) - p0) * units +
                               size_t(out->unit_of_cell[size_t(cell_of[i])])] += hp.weighted ? (*ws)[i] : 1.0;
                for (int64_t p = p0; p <= p1; ++p)
                    out->step_labels.push_back(period_label(p, pu));
                EmergingParams ep;
                ep.distance_m = double(hp.band_km) * 1000;
                ep.fdr = hp.fdr;
                out->em = emerging_hot_spots(uc, counts, ep, sub);
                out->pattern_count.assign(17, 0);
                for (size_t k = 0; k < n; ++k)
                    if (out->unit_of_cell[k] >= 0) {
                        const int pat = int(out->em.pattern[size_t(out->unit_of_cell[k])]);
                        ++out->pattern_count[size_t(pat)];
                        if (pat != 0) cls[k] = pat;
                    }
            }
            progress(0.97, "cells");
            out->mesh = cells_mesh(grid, cls);
            out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return out;
        },
        [this, &doc = ctx.doc](std::unique_ptr<HotspotOutput>&& r) {
            std::vector<std::array<float, 4>> colors;
            if (r->params.mode == 0) {
                for (int k = 0; k < 7; ++k)
                    colors.push_back({kHotspotRgb[k][0] / 255.f, kHotspotRgb[k][1] / 255.f, kHotspotRgb[k][2] / 255.f,
                                      k == 3 ? 0.f : 1.f});
            } else {
                for (int k = 0; k < 17; ++k) {
                    const auto c = emerging_color(k);
                    colors.push_back({c[0] / 255.f, c[1] / 255.f, c[2] / 255.f, k == 0 ? 0.f : 1.f});
                }
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
    if (!ImGui::CollapsingHeader("Hot spots", open_hotspots_ ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
    ImGui::PushID("hotspots");
    if (!ctx.doc.events) {
        ImGui::TextDisabled("No event table loaded.");
        ImGui::PopID();
        return;
    }
    HotspotParams& p = hot_params;
    ImGui::RadioButton("Gi* (Getis-Ord)", &p.mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("Emerging", &p.mode, 1);
    ImGui::SetNextItemWidth(140);
    ImGui::SliderFloat("cell km", &p.cell_km, 2, 50, "%.0f");
    ImGui::SetNextItemWidth(140);
    ImGui::SliderFloat("band km", &p.band_km, 0, 150, p.band_km <= 0 ? "auto" : "%.0f");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Distance band of the binary weights (self included).\n0 = auto: the smallest band giving "
                          "every cell a neighbour.");
    ImGui::Checkbox("FDR", &p.fdr);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Bins from Benjamini-Hochberg adjusted p-values");
    ImGui::SameLine();
    ImGui::Checkbox("study area", &p.land_only);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Cells whose centre is on land (admin-0 layer) plus any cell holding an event, as the CLI's "
                          "--study-area.\nOff: every cell of the bounding box (sea included; inflates z).");
    ImGui::TextDisabled("weights: as the heatmap (%s)", ctx.doc.heat.weight == WeightMode::Count ? "count" :
                        ctx.doc.heat.weight == WeightMode::Fatalities ? "fatalities" : "weight column");
    if (p.mode == 1) {
        ImGui::SetNextItemWidth(140);
        ImGui::Combo("time step", &p.step, "year\0quarter\0");
    }
    const bool running = hot_job_ && job_alive(ctx.jobs, hot_job_) && hot_job_->state() == Job::State::Running;
    if (hot_job_ && !job_alive(ctx.jobs, hot_job_)) hot_job_ = nullptr;
    if (!running) {
        if (ImGui::Button("Run on filtered events")) start_hotspots(ctx);
        if (hot_job_ && hot_job_->state() == Job::State::Failed) {
            ImGui::SameLine();
            ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.3f, 1), "failed");
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", hot_job_->error().c_str());
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
        if (hot_->params.mode == 0) {
            ImGui::TextDisabled("%zu events, %zu cells of %.0f km, band %.0f km (%s), %.2f s", hot_->n_events,
                                hot_->gi.n, double(hot_->params.cell_km), hot_->gi.distance_m / 1000,
                                hot_->gi.distance_rule.c_str(), hot_->seconds);
            ImGui::TextDisabled("hot 99/95/90%%: %zu/%zu/%zu  cold: %zu/%zu/%zu", hot_->bin_count[6],
                                hot_->bin_count[5], hot_->bin_count[4], hot_->bin_count[0], hot_->bin_count[1],
                                hot_->bin_count[2]);
            ImGui::TextDisabled("%s", hot_->gi.p_source == "permutation" ? "conditional permutation p" : "normal p");
            ImGui::TextWrapped("study area: %s", hot_->study_rule.c_str());
            for (auto& w : hot_->gi.warnings)
                ImGui::TextWrapped("%s", w.c_str());
        } else {
            ImGui::TextDisabled("%zu units x %zu steps (%s..%s), band %.0f km, %.2f s", hot_->em.n_units,
                                hot_->em.n_steps, hot_->step_labels.empty() ? "" : hot_->step_labels.front().c_str(),
                                hot_->step_labels.empty() ? "" : hot_->step_labels.back().c_str(),
                                hot_->em.distance_m / 1000, hot_->seconds);
            for (size_t k = 1; k < hot_->pattern_count.size(); ++k)
                if (hot_->pattern_count[k]) {
                    const auto c = emerging_color(int(k));
                    ImGui::ColorButton("##pc", ImVec4(c[0] / 255.f, c[1] / 255.f, c[2] / 255.f, 1),
                                       ImGuiColorEditFlags_NoTooltip, ImVec2(10, 10));
                    ImGui::SameLine();
                    ImGui::TextDisabled("%s: %zu", emerging_pattern_name(EmergingPattern(k)), hot_->pattern_count[k]);
                }
            ImGui::TextWrapped("study area: %s", hot_->study_rule.c_str());
            for (auto& w : hot_->em.warnings)
                ImGui::TextWrapped("%s", w.c_str());
        }
        if (hot_key_ != filter_key(*ctx.doc.events))
            ImGui::TextColored(ImVec4(0.95f, 0.6f, 0.2f, 1), "filters changed since this run");
    }
    ImGui::PopID();
}

void AnalysisUi::draw_panels(PanelContext& ctx) {
    if (ctx.doc.events) sync_event_keep(*ctx.doc.events);
    draw_hotspot_panel(ctx);
    draw_spillover_panel(ctx);
    scan_nexus.draw_panels(ctx);
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

VectorLayer hotspot_cells_layer(const HotspotOutput& h, const Crs& crs) {
    VectorLayer v;
    v.name = "hotspots_gistar";
    v.crs = crs;
    v.type = GeomType::Polygon;
    v.fields = {"z", "p", "bin", "value"};
    if (h.params.mode != 0 || h.gi.bin.size() != h.grid.size()) return v;
    const GridSpec& g = h.grid;
    for (int row = 0; row < g.height; ++row)
        for (int col = 0; col < g.width; ++col) {
            const size_t i = size_t(row) * g.width + col;
            if (h.gi.bin[i] == 0) continue;
            const double x0 = g.xmin + col * g.cell, y1 = g.ymax - row * g.cell;
            Feature f;
            f.geom.type = GeomType::Polygon;
            f.geom.polygons.push_back(
                {{{{x0, y1 - g.cell}, {x0 + g.cell, y1 - g.cell}, {x0 + g.cell, y1}, {x0, y1}, {x0, y1 - g.cell}}}});
            f.attrs = {h.gi.z[i], h.gi.p[i], int64_t(h.gi.bin[i]), i < h.value.size() ? AttrValue{h.value[i]} : AttrValue{}};
            v.features.push_back(std::move(f));
        }
    return v;
}

} // namespace nexusmap::viewer
