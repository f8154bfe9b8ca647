// Spillover panel (issue #5, viewer part): derives the Sahel / coastal border from the admin-0
// layer, runs analyse_spillover (and analyse_corridors on the routes) on the filtered events on a
// worker thread, draws the border segments and distance bands on the map, and charts the band
// rates per period, the front over time with its Theil-Sen trend, the lead-lag correlations per
// segment and a route's event profile with its border crossings.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/precision.hpp"
#include "viewer/analysis_inputs.hpp"
#include "viewer/analysis_layers.hpp"
#include "viewer/spillover_panel.hpp"
#include "viewer/colormap.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::viewer {

namespace {

ImU32 col(const Rgb& c, int a = 255) {
    return IM_COL32(int(c.r * 255 + 0.5f), int(c.g * 255 + 0.5f), int(c.b * 255 + 0.5f), a);
}

// A plot frame in window pixels with data ranges; draws axes, a few ticks and a title.
struct Chart {
    ImDrawList* dl;
    ImVec2 p0, p1; // plot area
    double x0, x1, y0, y1;
    ImVec2 at(double x, double y) const {
        return ImVec2(p0.x + float((x - x0) / (x1 - x0)) * (p1.x - p0.x),
                      p1.y - float((y - y0) / (y1 - y0)) * (p1.y - p0.y));
    }
};

// Reserves `height` pixels in the current window and returns a chart with margins for labels.
Chart begin_chart(const char* title, float height, double x0, double x1, double y0, double y1, bool x_ticks = true,
                  const char* yfmt = "%.0f") {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    ImGui::Dummy(ImVec2(w, height));
    if (!(x1 > x0)) x1 = x0 + 1;
    if (!(y1 > y0)) y1 = y0 + 1;
    Chart c{dl, ImVec2(o.x + 44, o.y + 18), ImVec2(o.x + w - 8, o.y + height - (x_ticks ? 20 : 6)), x0, x1, y0, y1};
    dl->AddRectFilled(o, ImVec2(o.x + w, o.y + height), IM_COL32(250, 250, 248, 255), 3);
    dl->AddText(ImVec2(o.x + 6, o.y + 2), IM_COL32(30, 30, 30, 255), title);
    dl->AddRect(c.p0, c.p1, IM_COL32(160, 160, 160, 255));
    for (int k = 0; k <= 4; ++k) {
        const double y = y0 + (y1 - y0) * k / 4;
        const ImVec2 p = c.at(x0, y);
        dl->AddLine(ImVec2(c.p0.x, p.y), ImVec2(c.p1.x, p.y), IM_COL32(225, 225, 225, 255));
        char buf[32];
        std::snprintf(buf, sizeof buf, yfmt, y);
        const float tw = ImGui::CalcTextSize(buf).x;
        dl->AddText(ImVec2(c.p0.x - tw - 4, p.y - 7), IM_COL32(80, 80, 80, 255), buf);
    }
    return c;
}

} // namespace

void SpilloverUiParams::to_text() {
    std::snprintf(sahel, sizeof sahel, "%s", spill.groups.sahel.c_str());
    std::snprintf(coastal, sizeof coastal, "%s", spill.groups.coastal.c_str());
    std::string b;
    for (double e : spill.analysis.bands_km) b += (b.empty() ? "" : ",") + fmt_num(e);
    std::snprintf(bands, sizeof bands, "%s", b.c_str());
}

void SpilloverUiParams::from_text() {
    spill.groups.sahel = sahel;
    spill.groups.coastal = coastal;
    spill.analysis.bands_km = parse_numbers(bands, "bands");
    corridors.groups = spill.groups;
    corridors.analysis.period = spill.analysis.period;
}

void AnalysisUi::start_spillover(PanelContext& ctx) {
    spill_attempted_ = true;
    if (!ctx.doc.events || (spill_job_ && ctx.jobs.alive(spill_job_))) return;
    const MapLayer* admin0 = nullptr;
    const MapLayer* routes = nullptr;
    for (auto& l : ctx.doc.layers) {
        if (l->data.type == GeomType::Polygon && l->data.field_index("iso_a3") >= 0 &&
            (ascii_lower(l->data.name) == "admin0" || (!admin0 && l->data.field_index("adm0_name") < 0)))
            admin0 = l.get();
        if (l->data.type == GeomType::Line && !routes) routes = l.get();
    }
    if (!admin0) {
        spill_error_ = "no admin-0 layer with iso_a3 codes loaded";
        return;
    }
    try {
        spill_params.from_text();
        spill_params.spill.validate();
        spill_params.corridors.validate();
    } catch (const std::exception& e) {
        spill_error_ = e.what();
        return;
    }
    // The events as `nexusmap spillover` / `corridors` load them by default: precise locations only.
    auto events = std::make_shared<EventTable>(point_events(*ctx.doc.events, "spillover"));
    auto a0 = std::make_shared<VectorLayer>(admin0->data);
    std::shared_ptr<VectorLayer> rl = routes ? std::make_shared<VectorLayer>(routes->data) : nullptr;
    const pipeline::BorderGroups groups = spill_params.spill.groups;
    const SpilloverParams sp = spill_params.spill.analysis;
    CorridorParams cp = spill_params.corridors.analysis;
    cp.analysis_crs = ctx.doc.analysis;
    const Crs crs = ctx.doc.analysis;
    spill_error_.clear();
    spill_job_ = &ctx.jobs.start<std::unique_ptr<SpilloverOutput>>(
        "spillover", [events, a0, rl, groups, sp, cp, crs](Progress& progress) {
            const auto t0 = std::chrono::steady_clock::now();
            auto out = std::make_unique<SpilloverOutput>();
            auto sub = [&progress](double lo, double hi) {
                return Progress([&progress, lo, hi](double f, std::string_view s) {
                    try {
                        progress(lo + (hi - lo) * f, s);
                        return true;
                    } catch (const Cancelled&) {
                        return false;
                    }
                });
            };
            progress(0.01, "deriving the border");
            Border border = pipeline::load_border(*a0, groups, crs);
            progress(0.1, "spillover");
            out->sp = analyse_spillover(*events, border, sp, sub(0.1, 0.7));
            out->spill_product = pipeline::spillover_product(out->sp, *events);
            if (rl && !rl->features.empty()) {
                progress(0.7, "corridors");
                // The same events, recorded as `nexusmap corridors` records them.
                EventTable cev = *events;
                cev.metadata["precision_default"] = precise_default_reason("corridors");
                out->cor = analyse_corridors(cev, *rl, &out->sp.border, cp, sub(0.7, 0.9));
                out->cor_product = pipeline::corridor_product(out->cor, cev, *rl);
                out->have_corridors = true;
            }
            progress(0.92, "layers");
            out->border_layer = border_layer(out->sp.border, &out->sp);
            out->bands_layer = bands_layer(out->sp);
            out->border_mesh = build_layer_mesh(out->border_layer);
            out->bands_mesh = build_layer_mesh(out->bands_layer);
            out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return out;
        },
        [this](std::unique_ptr<SpilloverOutput>&& r) {
            std::vector<std::array<float, 4>> seg;
            // Colours from geo's shared style model, so the GeoJSON exports' simplestyle
            // properties (style::style_border_segments / style_spillover_bands) match the screen.
            for (size_t i = 0; i < std::max<size_t>(r->border_layer.features.size(), 1); ++i) {
                const style::Rgb c = style::border_segment_color(i);
                seg.push_back({c.r, c.g, c.b, 1.f});
            }
            border_layer_ = make_gpu_layer(r->border_mesh, seg);
            border_layer_->style.fill = false;
            border_layer_->style.line_width = float(style::kBorderSegmentWidth);
            // Bands: warm on the Sahel side, cool on the coastal side, stronger near the border.
            std::vector<std::array<float, 4>> bands;
            const auto& B = r->sp.bands;
            double far = 1;
            for (auto& b : B)
                for (double e : {b.lo_km, b.hi_km})
                    if (std::isfinite(e)) far = std::max(far, std::abs(e));
            for (size_t i = 0; i < std::max<size_t>(r->bands_layer.features.size(), 1); ++i) {
                if (i >= B.size()) {
                    bands.push_back({0.5f, 0.5f, 0.5f, 0.2f});
                    continue;
                }
                const style::Rgba c = style::spillover_band_color(B[i].lo_km, B[i].hi_km, far);
                bands.push_back({c.r, c.g, c.b, c.a});
            }
            bands_layer_ = make_gpu_layer(r->bands_mesh, bands);
            bands_layer_->style.outline = true;
            bands_layer_->style.line_color = {style::kBandOutline.r, style::kBandOutline.g, style::kBandOutline.b,
                                              style::kBandOutline.a};
            bands_layer_->style.line_width = float(style::kBandOutlineWidth);
            r->border_mesh = {};
            r->bands_mesh = {};
            spill_ = std::move(r);
            leadlag_segment_ = 0;
            route_ = 0;
            spill_job_ = nullptr;
        });
}

void SpilloverPanel::draw(PanelContext& ctx) {
    ui_.draw_spillover_panel(ctx);
}

void AnalysisUi::draw_spillover_panel(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Spillover", open_spillover_ ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
    ImGui::PushID("spillover");
    if (!ctx.doc.events) {
        ImGui::TextDisabled("No event table loaded.");
        ImGui::PopID();
        return;
    }
    SpilloverUiParams& p = spill_params;
    SpilloverParams& a = p.spill.analysis;
    ImGui::SetNextItemWidth(200);
    ImGui::InputText("Sahel", p.sahel, sizeof p.sahel);
    ImGui::SetNextItemWidth(200);
    ImGui::InputText("coastal", p.coastal, sizeof p.coastal);
    ImGui::SetNextItemWidth(200);
    ImGui::InputText("bands km", p.bands, sizeof p.bands);
    int period = a.period == PeriodUnit::Year ? 0 : a.period == PeriodUnit::Quarter ? 1 : 2;
    ImGui::SetNextItemWidth(120);
    if (ImGui::Combo("period", &period, "year\0quarter\0month\0"))
        a.period = period == 0 ? PeriodUnit::Year : period == 1 ? PeriodUnit::Quarter : PeriodUnit::Month;
    const double x_lo = 10, x_hi = 300, w_lo = 50, w_hi = 600, q_lo = 0.5, q_hi = 0.99;
    const int perm_lo = 99, perm_hi = 9999;
    ImGui::SetNextItemWidth(120);
    ImGui::SliderScalar("X km (share)", ImGuiDataType_Double, &a.x_km, &x_lo, &x_hi, "%.0f");
    ImGui::SetNextItemWidth(120);
    ImGui::SliderScalar("window km (front)", ImGuiDataType_Double, &a.window_km, &w_lo, &w_hi, "%.0f");
    ImGui::SetNextItemWidth(120);
    ImGui::SliderScalar("quantile (front)", ImGuiDataType_Double, &a.quantile, &q_lo, &q_hi, "%.2f");
    ImGui::SetNextItemWidth(120);
    ImGui::SliderScalar("permutations", ImGuiDataType_S32, &a.permutations, &perm_lo, &perm_hi, "%d",
                        ImGuiSliderFlags_Logarithmic);
    const bool running = spill_job_ && ctx.jobs.running(spill_job_);
    if (spill_job_ && !ctx.jobs.alive(spill_job_)) spill_job_ = nullptr;
    if (!running) {
        if (ImGui::Button("Run on filtered events##spill")) start_spillover(ctx);
        if (spill_job_ && spill_job_->state() == Job::State::Failed) spill_error_ = spill_job_->error();
    } else {
        ImGui::ProgressBar(float(spill_job_->fraction()), ImVec2(-70, 0), spill_job_->stage().c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) spill_job_->cancel();
    }
    if (!spill_error_.empty()) ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.3f, 1), "%s", spill_error_.c_str());
    if (spill_) {
        const SpilloverResult& r = spill_->sp;
        const auto& ts = r.front_trend.ts;
        if (r.front_trend.withheld) {
            ImGui::TextColored(ImVec4(0.95f, 0.6f, 0.2f, 1), "front velocity withheld");
            ImGui::TextWrapped("%s", r.front_trend.note.c_str());
        } else {
            ImGui::Text("front velocity %+.1f km/yr", ts.slope);
            ImGui::SameLine();
            ImGui::TextDisabled("(95%% CI %+.1f .. %+.1f)", ts.slope_lo, ts.slope_hi);
            ImGui::TextDisabled("Mann-Kendall tau %.2f p %.3g; positive = toward the coast", r.front_trend.mk.tau,
                                r.front_trend.mk.p);
            ImGui::TextWrapped("%s", r.front_trend.note.c_str());
        }
        if (r.share_trend.withheld) ImGui::TextWrapped("share trend %s", r.share_trend.note.c_str());
        ImGui::TextDisabled("border %.0f km in %zu segments, %.1f s", r.border.length_km(), r.border.segments.size(),
                            spill_->seconds);
        ImGui::Checkbox("border", &show_border_);
        ImGui::SameLine();
        ImGui::Checkbox("bands", &show_bands_);
        ImGui::SameLine();
        ImGui::Checkbox("charts", &show_spill_window_);
        ImGui::SameLine();
        if (ImGui::SmallButton("clear##spill")) {
            spill_.reset();
            border_layer_.reset();
            bands_layer_.reset();
        }
        if (ImGui::TreeNode("summary (as nexusmap spillover prints it)")) {
            for (auto& l : spill_->spill_product.summary) ImGui::TextUnformatted(l.c_str());
            if (spill_->have_corridors)
                for (auto& l : spill_->cor_product.summary) ImGui::TextUnformatted(l.c_str());
            ImGui::TreePop();
        }
        // The folders `nexusmap spillover -o DIR` / `nexusmap corridors -o DIR` write, same files.
        const bool writing = folder_job_ && ctx.jobs.running(folder_job_);
        auto folder_row = [&](const char* label, char* buf, size_t n, bool corridors) {
            ImGui::SetNextItemWidth(160);
            ImGui::InputText(label, buf, n);
            ImGui::SameLine();
            ImGui::BeginDisabled(writing || (corridors && !spill_->have_corridors));
            if (ImGui::SmallButton(corridors ? "write##cor" : "write##spill")) {
                try {
                    start_folder_export(ctx, buf, corridors, false, "folder");
                } catch (const std::exception& e) {
                    folder_status_ = e.what();
                }
            }
            ImGui::EndDisabled();
        };
        folder_row("spillover folder", spill_dir_, sizeof spill_dir_, false);
        folder_row("corridors folder", cor_dir_, sizeof cor_dir_, true);
        if (!folder_status_.empty()) ImGui::TextWrapped("%s", folder_status_.c_str());
    }
    ImGui::PopID();
}

Job& AnalysisUi::start_folder_export(PanelContext& ctx, const std::string& dir, bool corridors, bool overwrite,
                                     const std::string& option) {
    if (!spill_) throw std::runtime_error("no spillover result to export (run the Spillover panel first)");
    if (corridors && !spill_->have_corridors)
        throw std::runtime_error("no corridors result to export (load a route layer and run the Spillover panel)");
    std::shared_ptr<const pipeline::FolderProduct> product = std::make_shared<pipeline::FolderProduct>(
        corridors ? spill_->cor_product : spill_->spill_product);
    std::vector<std::string> inputs;
    if (ctx.doc.events) inputs.push_back(ctx.doc.events->table.source);
    pipeline::prepare_folder(dir, product->files(), overwrite, inputs, option); // before any work
    folder_status_.clear();
    folder_job_ = &ctx.jobs.start<size_t>(
        std::string(corridors ? "corridors " : "spillover ") + dir,
        [product, dir, overwrite](Progress& progress) {
            progress(0.1, "writing");
            OutputSet set(overwrite); // the folder's files appear together or not at all
            const size_t n = pipeline::write_folder(*product, dir).size();
            set.commit();
            return n;
        },
        [this, dir](size_t&& n) { folder_status_ = "wrote " + std::to_string(n) + " files to " + dir; });
    return *folder_job_;
}

void AnalysisUi::draw_spillover_window(PanelContext& ctx) {
    const SpilloverResult& r = spill_->sp;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x - 470, vp->Pos.y + 44), ImGuiCond_Appearing);
    ImGui::SetNextWindowSize(ImVec2(456, std::min(vp->Size.y - 90, 880.f)), ImGuiCond_Appearing);
    if (!ImGui::Begin("Spillover charts", &show_spill_window_, ImGuiWindowFlags_NoSavedSettings)) {
        spill_window_.reset();
        ImGui::End();
        return;
    }
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    spill_window_ = std::array<float, 4>{wp.x, wp.y, wp.x + ws.x, wp.y + ws.y};
    const size_t np = r.periods.size(), nb = r.bands.size();

    // 1. Band chart: rate per 10,000 km^2 per band, one line per period (early = dark, late = yellow).
    if (nb && np) {
        double ymax = 0;
        std::vector<std::vector<double>> rate(np, std::vector<double>(nb, 0));
        for (size_t t = 0; t < np; ++t)
            for (size_t b = 0; b < nb; ++b) {
                rate[t][b] = r.bands[b].area_km2 > 0 ? r.band_n[t][b] / r.bands[b].area_km2 * 1e4 : 0;
                ymax = std::max(ymax, rate[t][b]);
            }
        Chart c = begin_chart("Events per 10,000 km\xc2\xb2 by band (signed km; <0 Sahel)", 190, -0.5,
                              double(nb) - 0.5, 0, ymax * 1.05, true, "%.0f");
        // The border between the bands that straddle 0.
        for (size_t b = 0; b + 1 < nb; ++b)
            if (r.bands[b].hi_km == 0) {
                const ImVec2 a = c.at(double(b) + 0.5, c.y0), e = c.at(double(b) + 0.5, c.y1);
                c.dl->AddLine(a, e, IM_COL32(200, 30, 30, 160), 1.5f);
            }
        for (size_t t = 0; t < np; ++t) {
            const ImU32 lc = col(ramp_color(Ramp::Viridis, np > 1 ? double(t) / double(np - 1) : 1), 230);
            for (size_t b = 0; b + 1 < nb; ++b)
                c.dl->AddLine(c.at(double(b), rate[t][b]), c.at(double(b + 1), rate[t][b + 1]), lc, 1.6f);
        }
        for (size_t b = 0; b < nb; ++b) {
            char buf[24];
            std::snprintf(buf, sizeof buf, "%.0f", 0.5 * (r.bands[b].lo_km + r.bands[b].hi_km));
            const ImVec2 p = c.at(double(b), c.y0);
            c.dl->AddText(ImVec2(p.x - ImGui::CalcTextSize(buf).x / 2, p.y + 3), IM_COL32(80, 80, 80, 255), buf);
        }
        const std::string lg = r.labels.front() + " (dark) .. " + r.labels.back() + " (yellow)";
        c.dl->AddText(ImVec2(c.p0.x + 6, c.p0.y + 2), IM_COL32(90, 90, 90, 255), lg.c_str());
    }

    // 2. Front over time with the Theil-Sen line.
    if (np) {
        double lo = 0, hi = 0;
        for (double f : r.front_km)
            if (std::isfinite(f)) lo = std::min(lo, f), hi = std::max(hi, f);
        const double pad = 0.08 * (hi - lo + 1);
        const double tx0 = r.t_mid.front() - 0.5 / periods_per_year(r.params.period),
                     tx1 = r.t_mid.back() + 0.5 / periods_per_year(r.params.period);
        const auto& ts = r.front_trend.ts;
        char title[160];
        if (r.front_trend.withheld)
            std::snprintf(title, sizeof title, "Front (p%.0f of signed km): trend withheld, %zu periods of >= %.0f events",
                          r.params.quantile * 100, r.front_trend.periods_used, r.params.min_period_events);
        else
            std::snprintf(title, sizeof title, "Front (p%.0f of signed km): %+.1f km/yr, CI %+.1f..%+.1f (n=%zu periods)",
                          r.params.quantile * 100, ts.slope, ts.slope_lo, ts.slope_hi, r.front_trend.periods_used);
        Chart c = begin_chart(title, 170, tx0, tx1, lo - pad, hi + pad, true, "%.0f");
        c.dl->AddLine(c.at(tx0, 0), c.at(tx1, 0), IM_COL32(200, 30, 30, 200), 1.5f); // the border
        if (std::isfinite(ts.slope) && std::isfinite(ts.intercept)) {
            // CI fan around the median line through the data's centre.
            c.dl->PushClipRect(c.p0, c.p1, true);
            double mx = 0, n = 0;
            for (size_t t = 0; t < np; ++t)
                if (std::isfinite(r.front_km[t])) mx += r.t_mid[t], n += 1;
            mx = n ? mx / n : 0.5 * (tx0 + tx1);
            const double my = ts.intercept + ts.slope * mx;
            for (double s : {ts.slope_lo, ts.slope_hi})
                if (std::isfinite(s))
                    c.dl->AddLine(c.at(tx0, my + s * (tx0 - mx)), c.at(tx1, my + s * (tx1 - mx)),
                                  IM_COL32(40, 90, 200, 110), 1.f);
            c.dl->AddLine(c.at(tx0, ts.intercept + ts.slope * tx0), c.at(tx1, ts.intercept + ts.slope * tx1),
                          IM_COL32(40, 90, 200, 255), 2.f);
            c.dl->PopClipRect();
        }
        for (size_t t = 0; t < np; ++t)
            if (std::isfinite(r.front_km[t])) c.dl->AddCircleFilled(c.at(r.t_mid[t], r.front_km[t]), 3.5f, IM_COL32(30, 30, 30, 255));
        const int step = std::max<int>(1, int(np / 6));
        for (size_t t = 0; t < np; t += size_t(step)) {
            const ImVec2 p = c.at(r.t_mid[t], c.y0);
            c.dl->AddText(ImVec2(p.x - ImGui::CalcTextSize(r.labels[t].c_str()).x / 2, p.y + 3), IM_COL32(80, 80, 80, 255),
                          r.labels[t].c_str());
        }
    }

    // 3. Lead-lag per segment.
    if (!r.leadlag.empty()) {
        leadlag_segment_ = std::clamp(leadlag_segment_, 0, int(r.leadlag.size()) - 1);
        ImGui::SetNextItemWidth(160);
        if (ImGui::BeginCombo("segment (lead-lag)", ascii_dash(r.leadlag[size_t(leadlag_segment_)].segment).c_str())) {
            for (size_t s = 0; s < r.leadlag.size(); ++s)
                if (ImGui::Selectable(ascii_dash(r.leadlag[s].segment).c_str(), int(s) == leadlag_segment_))
                    leadlag_segment_ = int(s);
            ImGui::EndCombo();
        }
        const LeadLag& ll = r.leadlag[size_t(leadlag_segment_)];
        char title[160];
        if (ll.withheld)
            std::snprintf(title, sizeof title, "lead-lag withheld: %zu periods of >= %.0f events near this segment",
                          ll.periods_used, r.params.min_period_events);
        else
            std::snprintf(title, sizeof title, "r(Sahel t, coastal t+k)%s: best k=%d r=%.2f p=%.3g (n=%zu periods)",
                          r.params.difference ? " of differences" : "", ll.best_k, ll.best_r, ll.p_best, ll.periods_used);
        const size_t nk = ll.r.size();
        Chart c = begin_chart(title, 150, -0.5, double(nk) - 0.5, -1, 1, true, "%.1f");
        c.dl->AddLine(c.at(-0.5, 0), c.at(double(nk) - 0.5, 0), IM_COL32(100, 100, 100, 255));
        for (size_t k = 0; k < nk; ++k) {
            if (!std::isfinite(ll.r[k])) continue;
            const bool sig = k < ll.p.size() && ll.p[k] <= 0.05;
            const ImVec2 a = c.at(double(k) - 0.3, 0), b = c.at(double(k) + 0.3, ll.r[k]);
            c.dl->AddRectFilled(ImVec2(a.x, std::min(a.y, b.y)), ImVec2(b.x, std::max(a.y, b.y)),
                                sig ? IM_COL32(214, 47, 39, 255) : IM_COL32(132, 158, 186, 255));
            char buf[40];
            std::snprintf(buf, sizeof buf, "k=%zu", k);
            const ImVec2 q = c.at(double(k), c.y0);
            c.dl->AddText(ImVec2(q.x - ImGui::CalcTextSize(buf).x / 2, q.y + 3), IM_COL32(80, 80, 80, 255), buf);
            std::snprintf(buf, sizeof buf, "p=%.2f", k < ll.p.size() ? ll.p[k] : NAN);
            const ImVec2 t = c.at(double(k), ll.r[k] >= 0 ? -0.05 : 0.05);
            c.dl->AddText(ImVec2(t.x - ImGui::CalcTextSize(buf).x / 2, ll.r[k] >= 0 ? t.y : t.y - 15),
                          IM_COL32(60, 60, 60, 255), buf);
        }
    }

    // 4. Route profile.
    if (spill_->have_corridors && !spill_->cor.routes.empty()) {
        const auto& routes = spill_->cor.routes;
        route_ = std::clamp(route_, 0, int(routes.size()) - 1);
        ImGui::SetNextItemWidth(220);
        if (ImGui::BeginCombo("route", routes[size_t(route_)].name.c_str())) {
            for (size_t i = 0; i < routes.size(); ++i) {
                const std::string lab = routes[i].name + " (" + routes[i].commodity + ")";
                if (ImGui::Selectable(lab.c_str(), int(i) == route_)) route_ = int(i);
            }
            ImGui::EndCombo();
        }
        const RouteResult& rt = routes[size_t(route_)];
        double ymax = 0;
        for (auto& b : rt.profile)
            ymax = std::max(ymax, b.events_per_km);
        char title[200];
        std::snprintf(title, sizeof title, "%s: events/km within %.0f km, %.0f km long, rank %d", rt.commodity.c_str(),
                      spill_->cor.params.half_width_km, rt.length_km, rt.rank_recent);
        Chart c = begin_chart(title, 160, 0, std::max(1.0, rt.length_km), 0, ymax * 1.1 + 1e-9, true, "%.2f");
        for (auto& b : rt.profile) {
            const ImVec2 a = c.at(b.from_km, 0), e = c.at(b.to_km, b.events_per_km);
            c.dl->AddRectFilled(ImVec2(a.x, e.y), ImVec2(e.x, a.y), IM_COL32(237, 117, 81, 220));
        }
        for (auto& x : spill_->cor.crossings) {
            if (x.route != size_t(route_)) continue;
            const ImVec2 a = c.at(x.along_km, c.y0), e = c.at(x.along_km, c.y1);
            c.dl->AddLine(a, e, IM_COL32(40, 40, 160, 255), 2.f);
            c.dl->AddText(ImVec2(e.x + 3, e.y + 2), IM_COL32(40, 40, 160, 255), ascii_dash(x.segment).c_str());
        }
        for (double km = 0; km <= rt.length_km; km += std::max(100.0, std::round(rt.length_km / 5 / 100) * 100)) {
            char buf[24];
            std::snprintf(buf, sizeof buf, "%.0f km", km);
            const ImVec2 p = c.at(km, c.y0);
            c.dl->AddText(ImVec2(p.x - ImGui::CalcTextSize(buf).x / 2, p.y + 3), IM_COL32(80, 80, 80, 255), buf);
        }
    }
    ImGui::TextDisabled("Precise events only (where_prec / geo_precision <= 2).");
    // Real events are never called synthetic (they were, in this window, on the UCDP data).
    if (ctx.doc.events && ctx.doc.events->synthetic)
        ImGui::TextColored(ImVec4(0.85f, 0.15f, 0.15f, 1), "SYNTHETIC demo data: they show the method, not facts.");
    ImGui::End();
}

} // namespace nexusmap::viewer
