// Analysis layers in the viewer: GL layers of hot spot cells, spillover bands and border
// segments; country/admin-1 labels (labels.hpp); event picking (picking.hpp) with its window;
// the hover tooltip (hot spot cell, signed distance to the border, nearest route, nearest event).
#include "viewer/analysis_layers.hpp"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "nexusmap/style.hpp"
#include "viewer/labels.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::viewer {

namespace {

std::string lower(std::string_view s) { return ascii_lower(s); }

double ring_area(const Ring& r) {
    double a = 0;
    for (size_t i = 0; i + 1 < r.size(); ++i)
        a += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y;
    return std::abs(a) / 2;
}

// Anchor of a label: the area-weighted centroid of the largest part (a centroid of all parts
// can fall in the sea between islands), and the geometry's total area.
bool label_anchor(const Geometry& g, double& x, double& y, double& area) {
    area = 0;
    double best = -1;
    for (const Polygon& p : g.polygons) {
        if (p.rings.empty()) continue;
        const double a = ring_area(p.rings[0]);
        area += a;
        for (size_t h = 1; h < p.rings.size(); ++h)
            area -= ring_area(p.rings[h]);
        if (a <= best) continue;
        const Ring& r = p.rings[0];
        double cx = 0, cy = 0, s = 0;
        for (size_t i = 0; i + 1 < r.size(); ++i) {
            const double c = r[i].x * r[i + 1].y - r[i + 1].x * r[i].y;
            s += c;
            cx += (r[i].x + r[i + 1].x) * c;
            cy += (r[i].y + r[i + 1].y) * c;
        }
        if (std::abs(s) < 1e-9) continue;
        best = a;
        x = cx / (3 * s);
        y = cy / (3 * s);
    }
    return best > 0;
}

void text_halo(ImDrawList* dl, ImFont* font, float size, ImVec2 p, ImU32 col, const char* s) {
    for (int dx = -1; dx <= 1; ++dx)
        for (int dy = -1; dy <= 1; ++dy)
            if (dx || dy) dl->AddText(font, size, ImVec2(p.x + dx, p.y + dy), IM_COL32(255, 255, 255, 190), s);
    dl->AddText(font, size, p, col, s);
}

std::string date_string(int32_t day) {
    if (day == kNoDay) return "undated";
    int y = 0, m = 0, d = 0;
    civil_from_days(day, y, m, d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
}

} // namespace

AnalysisUi::AnalysisUi() = default;
AnalysisUi::~AnalysisUi() = default;

void AnalysisUi::draw_map(MapRenderer& map, const ViewTransform& view) {
    if (!display_identity_) return; // meshed in the analysis CRS (docs/viewer.md, Not done yet)
    if (bands_layer_ && show_bands_) map.draw_layer(*bands_layer_, view);
    if (hot_layer_ && show_hot_) {
        hot_layer_->style.opacity = hot_opacity_;
        map.draw_layer(*hot_layer_, view);
    }
    if (border_layer_ && show_border_) map.draw_layer(*border_layer_, view);
}

void AnalysisUi::draw_overlay(PanelContext& ctx) {
    if (show_labels) draw_labels(ctx);
    draw_hotspot_legend(ctx);
    scan_nexus.draw_overlay(ctx);
    // Marker on the picked event.
    if (picked_ >= 0 && show_event_window_ && ctx.doc.events && size_t(picked_) < ctx.doc.events->table.size()) {
        const EventTable& t = ctx.doc.events->table;
        double px = t.x[size_t(picked_)], py = t.y[size_t(picked_)];
        if (ctx.lonlat) ctx.lonlat->from_analysis(px, py);
        const ScreenPt s = ctx.view.to_screen(px, py);
        if (ctx.view.in_canvas(s.x, s.y)) {
            ImDrawList* dl = ImGui::GetBackgroundDrawList();
            dl->AddCircle(ImVec2(float(s.x), float(s.y)), 9, IM_COL32(255, 255, 255, 255), 20, 4);
            dl->AddCircle(ImVec2(float(s.x), float(s.y)), 9, IM_COL32(20, 20, 20, 255), 20, 2);
        }
    }
}

void AnalysisUi::ensure_label_cache(PanelContext& ctx) {
    size_t key = ctx.doc.layers.size();
    for (auto& l : ctx.doc.layers)
        key = key * 31 + reinterpret_cast<size_t>(l.get());
    if (key == labels_for_layers_) return;
    labels_for_layers_ = key;
    labels_.clear();
    for (auto& l : ctx.doc.layers) {
        if (l->data.type != GeomType::Polygon || l->data.field_index("name") < 0) continue;
        LabelCache c;
        c.layer = l.get();
        const std::string n = lower(l->data.name);
        c.kind = (n == "admin1" || l->data.field_index("adm0_name") >= 0) ? 1 : 0;
        for (size_t f = 0; f < l->data.features.size(); ++f) {
            double x = 0, y = 0, a = 0;
            if (!label_anchor(l->data.features[f].geom, x, y, a)) continue;
            const std::string name = l->data.attr_string(f, "name");
            if (name.empty()) continue;
            c.x.push_back(x);
            c.y.push_back(y);
            c.area.push_back(a);
            c.text.push_back(c.kind == 0 ? name : name);
        }
        labels_.push_back(std::move(c));
    }
}

void AnalysisUi::draw_labels(PanelContext& ctx) {
    ensure_label_cache(ctx);
    ImFont* font = ImGui::GetFont();
    const float size0 = 16.f, size1 = 13.f;
    const ViewTransform& v = ctx.view;
    std::vector<LabelCandidate> cand;
    std::vector<std::pair<size_t, size_t>> which; // cache, feature
    for (size_t c = 0; c < labels_.size(); ++c) {
        const LabelCache& lc = labels_[c];
        const MapLayer* layer = nullptr;
        for (auto& l : ctx.doc.layers)
            if (l.get() == lc.layer) layer = l.get();
        if (!layer || !layer->style.visible) continue;
        if (lc.kind == 1 && !show_admin1_labels) continue;
        const float fs = lc.kind == 0 ? size0 : size1;
        for (size_t f = 0; f < lc.x.size(); ++f) {
            double dx = lc.x[f], dy = lc.y[f];
            if (ctx.lonlat) ctx.lonlat->from_analysis(dx, dy);
            const ScreenPt s = v.to_screen(dx, dy);
            if (!v.in_canvas(s.x, s.y)) continue;
            // Analysis (equal-area) metres per pixel at the label.
            const double apx = v.m_per_px * (ctx.lonlat ? ctx.lonlat->analysis_per_display(dx, dy) : 1.0);
            const ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0, lc.text[f].c_str());
            // A unit must be big enough on screen to hold its name (countries: a quarter of it).
            const double px_area = lc.area[f] / (apx * apx);
            if (px_area < (lc.kind == 0 ? 0.25 : 1.5) * double(ts.x) * double(ts.y)) continue;
            cand.push_back({float(s.x), float(s.y), ts.x, ts.y, label_priority(lc.kind, lc.area[f])});
            which.emplace_back(c, f);
        }
    }
    const LabelBox canvas{float(v.vx), float(v.vy) + 40, float(v.vx + v.vw), float(v.vy + v.vh) - 24};
    const std::vector<size_t> placed = place_labels(cand, canvas, 3.f);
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    for (size_t i : placed) {
        const LabelCache& lc = labels_[which[i].first];
        const LabelBox b = cand[i].box();
        if (lc.kind == 0)
            text_halo(dl, font, size0, ImVec2(b.x0, b.y0), IM_COL32(40, 40, 40, 255), lc.text[which[i].second].c_str());
        else
            text_halo(dl, font, size1, ImVec2(b.x0, b.y0), IM_COL32(100, 100, 100, 255),
                      lc.text[which[i].second].c_str());
    }
    last_labels_placed_ = placed.size();
    last_labels_candidates_ = cand.size();
}

void AnalysisUi::draw_hotspot_legend(PanelContext& ctx) {
    hot_legend_.reset();
    if (!hot_ || !hot_layer_ || !show_hot_) return;
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    const ViewTransform& v = ctx.view;
    const float row = 17, pad = 8;
    using pipeline::Analysis;
    const Analysis mode = hot_->mode();
    const pipeline::UnitParams& up = hot_->params.units();
    std::vector<std::pair<std::array<unsigned char, 3>, std::string>> rows;
    char buf[128];
    if (mode == Analysis::GiStar) {
        for (int k = 6; k >= 0; --k) {
            if (k == 3) continue;
            std::snprintf(buf, sizeof buf, "%s (%zu)", kHotspotLabels[k], hot_->bin_count[size_t(k)]);
            rows.push_back({{kHotspotRgb[k][0], kHotspotRgb[k][1], kHotspotRgb[k][2]}, buf});
        }
    } else if (mode == Analysis::Lisa) {
        static constexpr const char* names[5] = {"", "High-High", "Low-Low", "Low-High", "High-Low"};
        for (int k = 1; k <= 4; ++k) {
            std::snprintf(buf, sizeof buf, "%s (%zu)", names[k], hot_->class_count[size_t(k)]);
            rows.push_back({lisa_color(k), buf});
        }
    } else {
        for (size_t p = 1; p < hot_->pattern_count.size(); ++p) {
            if (!hot_->pattern_count[p]) continue;
            std::snprintf(buf, sizeof buf, "%s (%zu)", emerging_pattern_name(EmergingPattern(p)), hot_->pattern_count[p]);
            rows.push_back({emerging_color(int(p)), buf});
        }
    }
    const pipeline::Product& pr = *hot_->product;
    char title[160];
    if (mode == Analysis::GiStar)
        std::snprintf(title, sizeof title, "Gi* hot spots, %s km cells, %s band%s", fmt_num(up.cell_km, 6).c_str(),
                      pipeline::km(pr.gi.distance_m).c_str(), hot_->params.gi.fdr ? ", FDR" : "");
    else if (mode == Analysis::Lisa)
        std::snprintf(title, sizeof title, "LISA clusters, %s km cells%s", fmt_num(up.cell_km, 6).c_str(),
                      hot_->params.lisa.fdr ? ", FDR" : "");
    else
        std::snprintf(title, sizeof title, "Emerging hot spots, %s km cells, %s steps", fmt_num(up.cell_km, 6).c_str(),
                      period_unit_name(hot_->params.em.period).c_str());
    float w = ImGui::CalcTextSize(title).x;
    for (auto& r : rows)
        w = std::max(w, 26 + ImGui::CalcTextSize(r.second.c_str()).x);
    const float x0 = float(v.vx) + 16, y0 = float(v.vy) + 48, x1 = x0 + w + 2 * pad,
                y1 = y0 + 2 * pad + row * float(rows.size() + 1);
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), IM_COL32(255, 255, 255, 225), 4);
    dl->AddRect(ImVec2(x0, y0), ImVec2(x1, y1), IM_COL32(150, 150, 150, 255), 4);
    dl->AddText(ImVec2(x0 + pad, y0 + pad), IM_COL32(30, 30, 30, 255), title);
    for (size_t i = 0; i < rows.size(); ++i) {
        const float yy = y0 + pad + row * float(i + 1);
        const auto& c = rows[i].first;
        dl->AddRectFilled(ImVec2(x0 + pad, yy + 2), ImVec2(x0 + pad + 18, yy + row - 3), IM_COL32(c[0], c[1], c[2], 255));
        dl->AddText(ImVec2(x0 + pad + 26, yy), IM_COL32(30, 30, 30, 255), rows[i].second.c_str());
    }
    hot_legend_ = std::array<float, 4>{x0, y0, x1, y1};
}

void AnalysisUi::ensure_pick_grid(PanelContext& ctx) {
    if (!ctx.doc.events) {
        pick_table_ = nullptr;
        pick_grid_ = PointGrid();
        return;
    }
    const EventTable& t = ctx.doc.events->table;
    const void* key = t.x.data();
    if (key == pick_table_ && pick_size_ == t.x.size()) return;
    pick_table_ = key;
    pick_size_ = t.x.size();
    pick_grid_ = PointGrid(t.x, t.y);
    picked_ = -1;
}

void AnalysisUi::handle_click(PanelContext& ctx) {
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 m = io.MousePos;
    if (!ImGui::IsMouseReleased(ImGuiMouseButton_Left) || io.WantCaptureMouse || !ctx.view.in_canvas(m.x, m.y))
        return;
    if (io.MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] > 9) return; // a drag, not a click
    if (ctx.map_click_taken) return;                                    // a map tool's click
    ensure_pick_grid(ctx);
    if (!ctx.doc.events) return;
    const EventSet& ev = *ctx.doc.events;
    // screen -> display -> analysis; the radius in analysis metres at that point.
    ScreenPt p = ctx.view.to_map(m.x, m.y);
    const double scale = ctx.lonlat ? ctx.lonlat->analysis_per_display(p.x, p.y) : 1.0;
    if (ctx.lonlat) ctx.lonlat->to_analysis(p.x, p.y);
    const double r = kPickRadiusPx * ctx.view.m_per_px * scale;
    const long i = pick_grid_.nearest(p.x, p.y, r, [&ev](size_t k) { return ev.passes(k); });
    picked_ = i;
    show_event_window_ = i >= 0;
}

void AnalysisUi::draw_windows(PanelContext& ctx) {
    handle_click(ctx);
    draw_hover(ctx);
    if (spill_ && show_spill_window_) draw_spillover_window(ctx);
    scan_nexus.draw_windows(ctx);
    if (show_event_window_) draw_event_window(ctx);
}

void AnalysisUi::draw_event_window(PanelContext& ctx) {
    if (!ctx.doc.events || picked_ < 0 || size_t(picked_) >= ctx.doc.events->table.size()) {
        show_event_window_ = false;
        return;
    }
    const EventTable& t = ctx.doc.events->table;
    const size_t i = size_t(picked_);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x - 360, vp->Pos.y + 60), ImGuiCond_Appearing);
    ImGui::SetNextWindowSize(ImVec2(340, 0), ImGuiCond_Appearing);
    if (!ImGui::Begin("Event", &show_event_window_, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    auto row = [](const char* k, const std::string& v) {
        ImGui::TextDisabled("%-11s", k);
        ImGui::SameLine(100);
        ImGui::TextWrapped("%s", v.empty() ? "-" : v.c_str());
    };
    char buf[64];
    row("date", t.day.empty() ? "undated" : date_string(t.day[i]));
    row("type", !t.type.empty() && t.type[i] < t.type_names.size() ? t.type_names[t.type[i]] : "");
    std::snprintf(buf, sizeof buf, "%g", t.fatalities.empty() ? 0.0 : double(t.fatalities[i]));
    row("fatalities", buf);
    row("country", !t.country.empty() && t.country[i] < t.country_names.size() ? t.country_names[t.country[i]] : "");
    row("admin1", i < t.admin1.size() ? t.admin1[i] : "");
    row("actor", i < t.actor.size() ? t.actor[i] : "");
    std::snprintf(buf, sizeof buf, "%d", t.precision.empty() ? 0 : int(t.precision[i]));
    row("precision", buf);
    std::snprintf(buf, sizeof buf, "%u", t.row.empty() ? 0u : unsigned(t.row[i]));
    row("source row", buf);
    std::snprintf(buf, sizeof buf, "%.4f, %.4f", t.lon[i], t.lat[i]);
    row("lon, lat", buf);
    if (!t.weight.empty() && t.weight[i] != 1.f) {
        std::snprintf(buf, sizeof buf, "%g", double(t.weight[i]));
        row("weight", buf);
    }
    ImGui::TextDisabled("%s", ctx.doc.events->title.c_str());
    ImGui::End();
}

void AnalysisUi::draw_hover(PanelContext& ctx) {
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 m = io.MousePos;
    if (!show_hover || io.WantCaptureMouse || !ctx.view.in_canvas(m.x, m.y) ||
        ImGui::IsMouseDown(ImGuiMouseButton_Left))
        return;
    ScreenPt p = ctx.view.to_map(m.x, m.y); // display, then analysis CRS (everything below)
    const double px_scale = ctx.lonlat ? ctx.lonlat->analysis_per_display(p.x, p.y) : 1.0;
    if (ctx.lonlat) ctx.lonlat->to_analysis(p.x, p.y);
    std::vector<std::string> lines;
    char buf[256];

    // Hot spot cell under the cursor.
    if (hot_ && show_hot_) {
        const GridSpec& g = hot_->product->units.grid;
        const int col = int(std::floor((p.x - g.xmin) / g.cell)), row = int(std::floor((g.ymax - p.y) / g.cell));
        if (col >= 0 && row >= 0 && col < g.width && row < g.height) {
            const size_t c = size_t(row) * size_t(g.width) + size_t(col);
            const int32_t u = c < hot_->unit_of_cell.size() ? hot_->unit_of_cell[c] : -1;
            const pipeline::Product& pr = *hot_->product;
            if (u >= 0 && hot_->mode() == pipeline::Analysis::GiStar) {
                const size_t k = size_t(u);
                const int bin = pr.gi.bin[k];
                const bool fdr = hot_->params.gi.fdr;
                const double pv = fdr ? pr.gi.p_fdr[k] : (pr.gi.p_perm.empty() ? pr.gi.p[k] : pr.gi.p_perm[k]);
                std::snprintf(buf, sizeof buf, "Gi* z %.2f  p %.3g%s  bin %+d (%s)  count %.0f", pr.gi.z[k], pv,
                              fdr ? " (FDR)" : "", bin, kHotspotLabels[bin + 3], pr.units.count[k]);
                lines.emplace_back(buf);
            } else if (u >= 0 && hot_->mode() == pipeline::Analysis::Lisa) {
                const size_t k = size_t(u);
                std::snprintf(buf, sizeof buf, "local Moran's I %.3f  p %.3g  %s  count %.0f", pr.lisa.i[k],
                              pr.lisa.p_sim[k], lisa_class_name(pr.lisa.cls[k]), pr.units.count[k]);
                lines.emplace_back(buf);
            } else if (u >= 0) {
                const size_t k = size_t(u);
                std::snprintf(buf, sizeof buf, "%s: hot in %d, cold in %d of %zu steps; trend tau %.2f p %.3g",
                              emerging_pattern_name(pr.em.pattern[k]), pr.em.hot_steps[k], pr.em.cold_steps[k],
                              pr.em.n_steps, pr.em.trend_tau[k], pr.em.trend_p[k]);
                lines.emplace_back(buf);
            }
        }
    }
    // Signed distance to the spillover border.
    if (spill_ && !spill_->sp.border.segments.empty()) {
        const Border& b = spill_->sp.border;
        std::vector<const Geometry*> segs;
        for (auto& s : b.segments)
            segs.push_back(&s.line);
        const NearestGeometry ng = nearest_geometry(p.x, p.y, segs);
        int side = 0;
        std::string country;
        for (auto& c : b.countries)
            if (point_in_geometry(p.x, p.y, c.polygon)) {
                side = c.side;
                country = c.iso;
                break;
            }
        if (ng.index >= 0 && side != 0) {
            std::snprintf(buf, sizeof buf, "signed distance %+.1f km (%s side, %s), nearest segment %s",
                          side * ng.distance / 1000, side < 0 ? "Sahel" : "coastal", country.c_str(),
                          ascii_dash(b.segments[size_t(ng.index)].name).c_str());
            lines.emplace_back(buf);
        } else if (ng.index >= 0) {
            std::snprintf(buf, sizeof buf, "%.1f km from the border (outside both groups), nearest segment %s",
                          ng.distance / 1000, ascii_dash(b.segments[size_t(ng.index)].name).c_str());
            lines.emplace_back(buf);
        }
    }
    // Nearest route.
    {
        double best = INFINITY;
        std::string name;
        for (auto& l : ctx.doc.layers) {
            if (l->data.type != GeomType::Line || !l->style.visible) continue;
            for (size_t f = 0; f < l->data.features.size(); ++f) {
                const double d = point_geometry_distance(p.x, p.y, l->data.features[f].geom);
                if (d < best) {
                    best = d;
                    name = l->data.attr_string(f, "name");
                    const std::string com = l->data.attr_string(f, "commodity");
                    if (!com.empty()) name += " (" + com + ")";
                }
            }
        }
        if (std::isfinite(best)) {
            std::snprintf(buf, sizeof buf, "nearest route %.1f km: %s", best / 1000, name.c_str());
            lines.emplace_back(buf);
        }
    }
    // Nearest event within the pick radius.
    if (ctx.doc.events) {
        ensure_pick_grid(ctx);
        const EventSet& ev = *ctx.doc.events;
        const long i = pick_grid_.nearest(p.x, p.y, kPickRadiusPx * ctx.view.m_per_px * px_scale,
                                          [&ev](size_t k) { return ev.passes(k); });
        if (i >= 0) {
            const EventTable& t = ev.table;
            std::snprintf(buf, sizeof buf, "event: %s, %s, %g fatalities (click for details)",
                          t.day.empty() ? "undated" : date_string(t.day[size_t(i)]).c_str(),
                          !t.type.empty() && t.type[size_t(i)] < t.type_names.size()
                              ? t.type_names[t.type[size_t(i)]].c_str()
                              : "",
                          t.fatalities.empty() ? 0.0 : double(t.fatalities[size_t(i)]));
            lines.emplace_back(buf);
        }
    }
    if (lines.empty()) return;
    ImGui::BeginTooltip();
    for (auto& l : lines)
        ImGui::TextUnformatted(l.c_str());
    ImGui::EndTooltip();
}

void AnalysisUi::print(std::ostream& out, double s) const {
    if (hot_) {
        const pipeline::Product& pr = *hot_->product;
        if (hot_->mode() == pipeline::Analysis::GiStar) {
            out << "hotspots cells " << pr.gi.n << " band_km " << pr.gi.distance_m / 1000 << " bins";
            for (size_t k = 0; k < 7; ++k)
                out << " " << hot_->bin_count[k];
            out << "\n";
        } else if (hot_->mode() == pipeline::Analysis::Lisa) {
            out << "lisa units " << pr.units.size() << " classes";
            for (size_t k = 0; k < 5; ++k)
                out << " " << hot_->class_count[k];
            out << "\n";
        } else {
            out << "emerging units " << pr.em.n_units << " steps " << pr.em.n_steps << "\n";
        }
        if (hot_legend_) {
            const auto& b = *hot_legend_;
            out << "hotspot_legend " << std::lround(b[0] * s) << " " << std::lround(b[1] * s) << " "
                << std::lround(b[2] * s) << " " << std::lround(b[3] * s) << "\n";
        }
    }
    if (spill_) {
        const auto& ts = spill_->sp.front_trend.ts;
        char buf[256];
        std::snprintf(buf, sizeof buf, "spillover front_velocity_km_per_year %.2f ci %.2f %.2f mk_p %.3g segments %zu\n",
                      ts.slope, ts.slope_lo, ts.slope_hi, spill_->sp.front_trend.mk.p,
                      spill_->sp.border.segments.size());
        out << buf;
        if (spill_window_) {
            const auto& b = *spill_window_;
            out << "spillover_window " << std::lround(b[0] * s) << " " << std::lround(b[1] * s) << " "
                << std::lround(b[2] * s) << " " << std::lround(b[3] * s) << "\n";
        }
    }
    scan_nexus.print(out);
    out << "labels " << last_labels_placed_ << " of " << last_labels_candidates_ << "\n";
}

// ---- Layers from worker results -------------------------------------------------------------

// geo's table (style.hpp), as the command line's files.
std::array<unsigned char, 3> emerging_color(int pattern) {
    const style::Rgb c = style::from_hex(style::emerging_pattern_hex(pattern)).value_or(style::Rgb{0.5f, 0.5f, 0.5f});
    return {(unsigned char)style::channel8(c.r), (unsigned char)style::channel8(c.g), (unsigned char)style::channel8(c.b)};
}
std::array<unsigned char, 3> lisa_color(int cls) {
    const style::Rgb c = style::from_hex(style::lisa_class_hex(cls)).value_or(style::Rgb{0.5f, 0.5f, 0.5f});
    return {(unsigned char)style::channel8(c.r), (unsigned char)style::channel8(c.g), (unsigned char)style::channel8(c.b)};
}

LayerMesh cells_mesh(const GridSpec& g, const std::vector<int>& cls) {
    LayerMesh m;
    m.ox = g.xmin + g.cell * g.width / 2;
    m.oy = g.ymax - g.cell * g.height / 2;
    for (int r = 0; r < g.height; ++r) {
        int c = 0;
        while (c < g.width) {
            const int k = cls[size_t(r) * size_t(g.width) + size_t(c)];
            int e = c + 1;
            while (e < g.width && cls[size_t(r) * size_t(g.width) + size_t(e)] == k)
                ++e;
            if (k >= 0) {
                const float x0 = float(g.xmin + g.cell * c - m.ox), x1 = float(g.xmin + g.cell * e - m.ox);
                const float y0 = float(g.ymax - g.cell * r - m.oy), y1 = float(g.ymax - g.cell * (r + 1) - m.oy);
                const uint32_t base = uint32_t(m.fill_verts.size() / kFillStride);
                const float fk = float(k);
                m.fill_verts.insert(m.fill_verts.end(), {x0, y0, fk, x1, y0, fk, x1, y1, fk, x0, y1, fk});
                for (uint32_t i : {0u, 1u, 2u, 0u, 2u, 3u})
                    m.fill_idx.push_back(base + i);
            }
            c = e;
        }
    }
    return m;
}

std::unique_ptr<MapLayer> make_gpu_layer(const LayerMesh& mesh, const std::vector<std::array<float, 4>>& colors) {
    auto l = std::make_unique<MapLayer>();
    made(l->gpu).upload(mesh, colors.size());
    std::vector<float> rgba;
    for (auto& c : colors)
        rgba.insert(rgba.end(), c.begin(), c.end());
    if (rgba.empty()) rgba.assign(4, 0.f);
    l->gpu->set_feature_colors(rgba);
    l->style.category_field = 0; // per-feature colours
    l->cats_for = 0;
    l->style.fill = true;
    l->style.outline = false;
    l->style.fill_color = {1, 1, 1, 1};
    return l;
}

} // namespace nexusmap::viewer
