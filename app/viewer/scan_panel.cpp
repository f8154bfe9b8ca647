// Scan and Nexus panels (see scan_panel.hpp): parameters on geo's ScanParams / NexusParams, runs
// on worker threads, cluster circles and the route highlight drawn over the map, tables, the
// distance-response chart, exports and the batch summary.
#include "viewer/scan_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <sstream>

#include "nexusmap/error.hpp"
#include "nexusmap/provenance.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::viewer {

namespace {

std::string lower(std::string_view s) { return ascii_lower(s); }

double to_num(const std::string& key, const std::string& v) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || end == v.c_str() || *end) throw GeoError("", key, "expects a number, not '" + v + "'");
    return d;
}

std::pair<std::string, std::string> split_kv(const std::string& kv, const char* what) {
    const auto e = kv.find('=');
    if (e == std::string::npos || e == 0)
        throw GeoError("", what, "expects KEY=VALUE (the command's flag without --), not '" + kv + "'");
    return {kv.substr(0, e), kv.substr(e + 1)};
}

std::vector<double> parse_km_list(const std::string& s) {
    std::vector<double> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(to_num("curve-km", item));
    if (out.empty()) throw GeoError("", "curve-km", "needs at least one distance");
    return out;
}

std::string km_list(const std::vector<double>& v) {
    std::string s;
    for (double d : v) {
        if (!s.empty()) s += ",";
        char b[32];
        std::snprintf(b, sizeof b, "%g", d);
        s += b;
    }
    return s;
}

// Events the analyses see: those passing the viewer's filters, precise only (where_prec /
// geo_precision <= 2; unknown 0 kept), as `nexusmap scan` / `nexus` do by default.
std::shared_ptr<EventTable> analysed_events(const EventSet& ev) {
    std::vector<bool> keep(ev.table.size());
    const bool has_prec = ev.table.precision.size() == keep.size();
    for (size_t i = 0; i < keep.size(); ++i)
        keep[i] = ev.passes(i) && (!has_prec || ev.table.precision[i] <= 2);
    return std::make_shared<EventTable>(ev.table.subset(keep));
}

// Analysis-CRS point -> window pixels.
ImVec2 screen_of(const PanelContext& ctx, double x, double y) {
    if (ctx.lonlat) ctx.lonlat->from_analysis(x, y);
    const ScreenPt s = ctx.view.to_screen(x, y);
    return ImVec2(float(s.x), float(s.y));
}

} // namespace

void apply_scan_setting(ScanParams& p, const std::string& kv) {
    auto [k, v] = split_kv(kv, "--scan-param");
    if (k == "period") p.period = parse_period_unit(v);
    else if (k == "model") {
        if (v == "permutation") p.model = ScanModel::Permutation;
        else if (v == "bernoulli") p.model = ScanModel::Bernoulli;
        else throw GeoError("", "model", "must be permutation or bernoulli in the viewer, not '" + v +
                                             "' (the Poisson model needs a population raster: `nexusmap scan --model poisson`)");
    } else if (k == "cases") {
        p.case_types.clear();
        std::stringstream ss(v);
        for (std::string t; std::getline(ss, t, ',');)
            if (!t.empty()) p.case_types.push_back(t);
    }
    else if (k == "centres") {
        if (v == "grid") p.centres = ScanCentres::Grid;
        else if (v == "events") p.centres = ScanCentres::Events;
        else throw GeoError("", "centres", "must be grid or events, not '" + v + "'");
    } else if (k == "centre-cell-km") p.centre_cell_km = to_num(k, v);
    else if (k == "location-cell-km") p.location_cell_km = to_num(k, v);
    else if (k == "max-share") p.max_share = to_num(k, v);
    else if (k == "max-radius-km") p.max_radius_km = to_num(k, v);
    else if (k == "max-window-share") p.max_window_share = to_num(k, v);
    else if (k == "max-window") p.max_window_periods = int(to_num(k, v));
    else if (k == "prospective") p.prospective = v == "1" || v == "true" || v == "yes";
    else if (k == "elliptic") p.elliptic = v == "1" || v == "true" || v == "yes";
    else if (k == "ellipse-penalty") p.ellipse_penalty = to_num(k, v);
    else if (k == "replications") p.replications = int(to_num(k, v));
    else if (k == "seed") p.seed = uint64_t(to_num(k, v));
    else if (k == "max-clusters") p.max_clusters = int(to_num(k, v));
    else if (k == "report-p") p.report_p = to_num(k, v);
    else if (k == "threads") p.threads = int(to_num(k, v));
    else throw GeoError("", "--scan-param", "unknown key '" + k + "' (use the `nexusmap scan` flag names)");
}

void apply_nexus_setting(NexusParams& p, bool& clq, const std::string& kv) {
    auto [k, v] = split_kv(kv, "--nexus-param");
    if (k == "d-km") p.d_km = to_num(k, v);
    else if (k == "curve-km") p.curve_km = parse_km_list(v);
    else if (k == "smooth-km") p.smooth_bandwidth_km = to_num(k, v);
    else if (k == "smooth-cell-km") p.smooth_cell_km = to_num(k, v);
    else if (k == "simulations") p.simulations = int(to_num(k, v));
    else if (k == "seed") p.seed = uint64_t(to_num(k, v));
    else if (k == "alpha") p.alpha = to_num(k, v);
    else if (k == "threads") p.threads = int(to_num(k, v));
    else if (k == "clq") clq = v == "1" || v == "true" || v == "yes";
    else throw GeoError("", "--nexus-param", "unknown key '" + k + "' (use the `nexusmap nexus` flag names)");
}

ScanNexusUi::ScanNexusUi() { sync_curve_text(); }

void ScanNexusUi::sync_curve_text() {
    std::snprintf(curve_km_, sizeof curve_km_, "%s", km_list(nexus_params.curve_km).c_str());
}

void ScanNexusUi::start_scan(PanelContext& ctx) {
    scan_attempted_ = true;
    if (!ctx.doc.events || (scan_job_ && ctx.jobs.alive(scan_job_))) return;
    auto events = analysed_events(*ctx.doc.events);
    ScanParams p = scan_params;
    p.analysis_crs = ctx.doc.analysis;
    scan_error_.clear();
    scan_job_ = &ctx.jobs.start<std::unique_ptr<ScanOutput>>(
        "scan",
        [events, p](Progress& progress) {
            auto out = std::make_unique<ScanOutput>();
            out->n_input = events->size();
            out->r = space_time_permutation_scan(*events, p, progress);
            out->clusters = scan_cluster_layer(out->r);
            return out;
        },
        [this](std::unique_ptr<ScanOutput>&& r) {
            scan_ = std::move(r);
            hovered_cluster_ = -1;
            scan_job_ = nullptr;
        });
}

void ScanNexusUi::start_nexus(PanelContext& ctx) {
    nexus_attempted_ = true;
    if (!ctx.doc.events || (nexus_job_ && ctx.jobs.alive(nexus_job_))) return;
    const MapLayer* routes = nullptr;
    const MapLayer* admin1 = nullptr;
    for (auto& l : ctx.doc.layers) {
        if (l->data.type == GeomType::Line && !routes) routes = l.get();
        if (l->data.type == GeomType::Polygon && !admin1 &&
            (lower(l->data.name) == "admin1" || l->data.field_index("adm0_name") >= 0))
            admin1 = l.get();
    }
    if (!routes) {
        nexus_error_ = "no line layer (routes) loaded: open a routes or hubs layer first";
        return;
    }
    if (nexus_null == 1 && !admin1) {
        nexus_error_ = "the admin-1 null needs an admin-1 polygon layer (the basemap's admin1)";
        return;
    }
    try {
        nexus_params.curve_km = parse_km_list(curve_km_);
    } catch (const std::exception& e) {
        nexus_error_ = e.what();
        return;
    }
    auto events = analysed_events(*ctx.doc.events);
    auto rl = std::make_shared<VectorLayer>(routes->data);
    auto a1 = admin1 && nexus_null == 1 ? std::make_shared<VectorLayer>(admin1->data) : nullptr;
    NexusParams p = nexus_params;
    p.null_model = nexus_null == 1 ? NexusNull::Admin1 : NexusNull::Smoothed;
    p.analysis_crs = ctx.doc.analysis;
    const bool clq = nexus_clq;
    const int clq_sims = 199; // as `nexusmap nexus --clq` (its --clq-simulations default)
    const std::string title = routes->title;
    nexus_error_.clear();
    nexus_job_ = &ctx.jobs.start<std::unique_ptr<NexusOutput>>(
        "nexus",
        [events, rl, a1, p, clq, clq_sims, title](Progress& progress) {
            auto out = std::make_unique<NexusOutput>();
            out->n_input = events->size();
            out->routes_title = title;
            NexusNullInputs ni;
            ni.admin1 = a1.get();
            out->r = nexus_route_test(*events, *rl, p, ni, progress);
            out->routes = nexus_route_layer(out->r, *rl);
            if (clq) {
                progress(0.97, "co-location quotients");
                const EventTable& ev = *events;
                std::vector<std::string> labels(ev.size());
                for (size_t i = 0; i < ev.size(); ++i)
                    labels[i] = ev.type_names.empty() ? "" : ev.type_names[ev.type[i]];
                out->clq = colocation_quotient(ev.x, ev.y, labels, {}, clq_sims, p.seed);
                out->clq_md = provenance(ev);
                for (auto& [k, v] : out->clq->metadata) out->clq_md[k] = v;
            }
            return out;
        },
        [this](std::unique_ptr<NexusOutput>&& r) {
            nexus_ = std::move(r);
            selected_unit_ = 0;
            show_nexus_window_ = true;
            nexus_job_ = nullptr;
        });
}

// A running / failed job's line: progress bar and cancel, or the error.
static void job_line(PanelContext& ctx, Job*& job, std::string& error, const char* run_label, bool& start) {
    const bool running = ctx.jobs.running(job);
    if (job && !ctx.jobs.alive(job)) job = nullptr;
    if (!running) {
        start = ImGui::Button(run_label);
        if (job && job->state() == Job::State::Failed) error = job->error();
    } else {
        ImGui::ProgressBar(float(job->fraction()), ImVec2(-70, 0), job->stage().c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) job->cancel();
    }
    if (!error.empty()) ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.3f, 1), "%s", error.c_str());
}

void ScanNexusUi::draw_scan_panel(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Space-time scan", open_scan ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
    ImGui::PushID("scan");
    if (!ctx.doc.events) {
        ImGui::TextDisabled("No event table loaded.");
        ImGui::PopID();
        return;
    }
    ScanParams& p = scan_params;
    int model = p.model == ScanModel::Bernoulli ? 1 : 0;
    ImGui::SetNextItemWidth(160);
    if (ImGui::Combo("model", &model, "permutation\0Bernoulli (cases vs rest)\0"))
        p.model = model == 1 ? ScanModel::Bernoulli : ScanModel::Permutation;
    if (p.model == ScanModel::Bernoulli) {
        // Cases: event types picked from the loaded table; every other event is a control.
        const auto& names = ctx.doc.events->table.type_names;
        for (const auto& n : names) {
            bool on = std::find(p.case_types.begin(), p.case_types.end(), n) != p.case_types.end();
            if (ImGui::Checkbox((n + "##case").c_str(), &on)) {
                if (on) p.case_types.push_back(n);
                else std::erase(p.case_types, n);
            }
        }
        if (p.case_types.empty()) ImGui::TextColored(ImVec4(0.95f, 0.6f, 0.2f, 1), "tick the event types that are cases");
    }
    int per = int(p.period), cen = p.centres == ScanCentres::Grid ? 0 : 1;
    ImGui::SetNextItemWidth(120);
    if (ImGui::Combo("period", &per, "year\0quarter\0month\0")) p.period = PeriodUnit(per);
    ImGui::SetNextItemWidth(120);
    if (ImGui::Combo("centres", &cen, "grid cells\0event locations\0"))
        p.centres = cen == 0 ? ScanCentres::Grid : ScanCentres::Events;
    auto dbl = [](const char* label, double& v, double lo, double hi, const char* fmt) {
        float f = float(v);
        ImGui::SetNextItemWidth(120);
        if (ImGui::SliderFloat(label, &f, float(lo), float(hi), fmt)) v = f;
    };
    if (p.centres == ScanCentres::Grid) dbl("centre cell km", p.centre_cell_km, 10, 200, "%.0f");
    dbl("location cell km (0 exact)", p.location_cell_km, 0, 100, "%.0f");
    dbl("max share of events", p.max_share, 0.01, 0.5, "%.2f");
    dbl("max radius km (0 none)", p.max_radius_km, 0, 500, "%.0f");
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("max window (periods, 0: share)", &p.max_window_periods);
    p.max_window_periods = std::max(0, p.max_window_periods);
    if (p.max_window_periods == 0) dbl("max window share", p.max_window_share, 0.05, 0.9, "%.2f");
    ImGui::Checkbox("prospective (windows end in the last period)", &p.prospective);
    if (p.model == ScanModel::Permutation) ImGui::Checkbox("elliptic windows too (penalized)", &p.elliptic);
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("replications", &p.replications, 9, 9999);
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("max clusters", &p.max_clusters);
    p.max_clusters = std::clamp(p.max_clusters, 1, 100);
    bool start = false;
    job_line(ctx, scan_job_, scan_error_, "Run on filtered events##scan", start);
    if (start) start_scan(ctx);
    if (scan_) {
        const ScanResult& r = scan_->r;
        ImGui::TextDisabled("%zu events, %zu locations, %zu %ss, %zu circles, %d replications, %.1f s", r.n, r.n_locations,
                            r.n_periods, period_unit_name(r.params.period).c_str(), r.n_bases, r.params.replications,
                            r.seconds);
        for (auto& w : r.warnings) ImGui::TextColored(ImVec4(0.95f, 0.6f, 0.2f, 1), "%s", w.c_str());
        if (ImGui::BeginTable("clusters", 8, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
            for (const char* h : {"#", "window", "km", "obs", "exp", "RR", "LLR", "p"}) ImGui::TableSetupColumn(h);
            ImGui::TableHeadersRow();
            for (const auto& c : r.clusters) {
                ImGui::TableNextRow();
                if (int(c.rank) - 1 == hovered_cluster_)
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(255, 230, 120, 120));
                ImGui::TableNextColumn(), ImGui::Text("%d", c.rank);
                ImGui::TableNextColumn(), ImGui::Text("%s..%s", c.start_label.c_str(), c.end_label.c_str());
                ImGui::TableNextColumn(), ImGui::Text("%.0f", c.radius_km);
                ImGui::TableNextColumn(), ImGui::Text("%.0f", c.observed);
                ImGui::TableNextColumn(), ImGui::Text("%.1f", c.expected);
                ImGui::TableNextColumn(), ImGui::Text("%.2f", c.relative_risk);
                ImGui::TableNextColumn(), ImGui::Text("%.1f", c.llr);
                ImGui::TableNextColumn(), ImGui::Text("%.3g", c.p_mc);
            }
            ImGui::EndTable();
        }
        ImGui::Checkbox("circles on the map", &show_clusters_);
        ImGui::SameLine();
        if (ImGui::SmallButton("clear##scan")) scan_.reset();
        ImGui::TextDisabled("Clusters are space-time interactions (more events\nthan the place's own history predicts in that\n"
                            "window), not high rates. Precise events only.");
    }
    ImGui::PopID();
}

void ScanNexusUi::draw_nexus_panel(PanelContext& ctx) {
    if (!ImGui::CollapsingHeader("Nexus test (routes)", open_nexus ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
    ImGui::PushID("nexus");
    if (!ctx.doc.events) {
        ImGui::TextDisabled("No event table loaded.");
        ImGui::PopID();
        return;
    }
    NexusParams& p = nexus_params;
    float d = float(p.d_km), sk = float(p.smooth_bandwidth_km);
    ImGui::SetNextItemWidth(120);
    if (ImGui::SliderFloat("within km", &d, 1, 200, "%.0f")) p.d_km = d;
    ImGui::SetNextItemWidth(200);
    ImGui::InputText("curve km", curve_km_, sizeof curve_km_);
    ImGui::SetNextItemWidth(120);
    ImGui::Combo("null", &nexus_null, "smoothed intensity\0within admin-1\0");
    if (nexus_null == 0) {
        ImGui::SetNextItemWidth(120);
        if (ImGui::SliderFloat("smoothing km", &sk, 25, 500, "%.0f")) p.smooth_bandwidth_km = sk;
    }
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("simulations", &p.simulations, 19, 999);
    ImGui::Checkbox("co-location quotients (event types)", &nexus_clq);
    bool start = false;
    job_line(ctx, nexus_job_, nexus_error_, "Run on filtered events##nexus", start);
    if (start) start_nexus(ctx);
    if (nexus_) {
        const NexusResult& r = nexus_->r;
        ImGui::TextDisabled("%zu events vs '%s', null %s, %d simulations", r.n, nexus_->routes_title.c_str(),
                            nexus_null_name(r.params.null_model), r.params.simulations);
        for (const auto& u : r.units)
            if (u.kind == "all")
                ImGui::Text("all routes: %.0f within %.0f km, expected %.1f (x%.2f), p %.3g", u.observed, r.params.d_km,
                            u.expected, u.ratio, u.p);
        for (auto& w : r.warnings) ImGui::TextColored(ImVec4(0.95f, 0.6f, 0.2f, 1), "%s", w.c_str());
        ImGui::Checkbox("routes and curves window", &show_nexus_window_);
        ImGui::SameLine();
        if (ImGui::SmallButton("clear##nexus")) nexus_.reset();
    }
    ImGui::PopID();
}

void ScanNexusUi::draw_windows(PanelContext& ctx) {
    if (nexus_ && show_nexus_window_) draw_nexus_window(ctx);
    // Hover over a cluster circle: its numbers.
    hovered_cluster_ = -1;
    if (!scan_ || !show_clusters_ || ImGui::GetIO().WantCaptureMouse) return;
    const ImVec2 m = ImGui::GetIO().MousePos;
    if (!ctx.view.in_canvas(m.x, m.y)) return;
    ScreenPt q = ctx.view.to_map(m.x, m.y);
    if (ctx.lonlat) ctx.lonlat->to_analysis(q.x, q.y);
    // The smallest circle under the cursor (secondary clusters may sit inside a large one's area).
    double best = INFINITY;
    for (size_t i = 0; i < scan_->r.clusters.size(); ++i) {
        const auto& c = scan_->r.clusters[i];
        // Inside the circle or ellipse (major semi-axis radius_km along angle_deg, minor / shape).
        const double rad = std::max(c.radius_km, 1.0) * 1000, th = c.angle_deg * M_PI / 180;
        const double dx = q.x - c.cx, dy = q.y - c.cy;
        const double u = dx * std::cos(th) + dy * std::sin(th), v = (-dx * std::sin(th) + dy * std::cos(th)) * c.shape;
        if (std::hypot(u, v) <= rad && rad < best) best = rad, hovered_cluster_ = int(i);
    }
    if (hovered_cluster_ < 0) return;
    const auto& c = scan_->r.clusters[size_t(hovered_cluster_)];
    ImGui::BeginTooltip();
    ImGui::Text("scan cluster #%d: %s .. %s", c.rank, c.start_date.c_str(), c.end_date.c_str());
    if (c.shape > 1)
        ImGui::Text("ellipse %.0f x %.0f km (semi-axes), %.0f deg, %zu locations; penalized LLR %.2f", c.radius_km,
                    c.radius_km / c.shape, c.angle_deg, c.locations, c.score);
    else
        ImGui::Text("radius %.0f km, %zu locations", c.radius_km, c.locations);
    ImGui::Text("observed %.0f, expected %.1f (obs/exp %.2f), RR %.2f", c.observed, c.expected, c.observed / c.expected,
                c.relative_risk);
    ImGui::Text("LLR %.2f, p %.3g (Gumbel %.3g)", c.llr, c.p_mc, c.p_gumbel);
    ImGui::EndTooltip();
}

void ScanNexusUi::draw_overlay(PanelContext& ctx) {
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    if (nexus_ && show_nexus_window_ && selected_unit_ >= 0 && size_t(selected_unit_) < nexus_->r.units.size() &&
        nexus_->r.units[size_t(selected_unit_)].kind == "route" && size_t(selected_unit_) < nexus_->routes.features.size()) {
        // Route units come first, in the order of the route features (nexus_route_layer).
        for (const auto& line : nexus_->routes.features[size_t(selected_unit_)].geom.lines) {
            std::vector<ImVec2> pts;
            for (const auto& v : line) pts.push_back(screen_of(ctx, v.x, v.y));
            if (pts.size() >= 2) {
                dl->AddPolyline(pts.data(), int(pts.size()), IM_COL32(255, 255, 255, 220), 0, 7.f);
                dl->AddPolyline(pts.data(), int(pts.size()), IM_COL32(170, 30, 160, 255), 0, 4.f);
            }
        }
    }
    if (!scan_ || !show_clusters_) return;
    const auto& cl = scan_->r.clusters;
    for (size_t i = cl.size(); i-- > 0;) { // most likely cluster drawn last (on top)
        const auto& c = cl[i];
        if (i >= scan_->clusters.features.size() || scan_->clusters.features[i].geom.polygons.empty()) continue;
        const Ring& ring = scan_->clusters.features[i].geom.polygons[0].rings[0];
        std::vector<ImVec2> pts;
        for (size_t k = 0; k + 1 < ring.size(); ++k) pts.push_back(screen_of(ctx, ring[k].x, ring[k].y));
        const bool sig = c.p_mc <= 0.05;
        const ImU32 colr = c.rank == 1 ? IM_COL32(200, 20, 30, 255) : sig ? IM_COL32(235, 120, 20, 255) : IM_COL32(90, 90, 90, 220);
        const float w = int(i) == hovered_cluster_ ? 4.f : (c.rank == 1 ? 3.f : 2.f);
        if (int(i) == hovered_cluster_) dl->AddConvexPolyFilled(pts.data(), int(pts.size()), IM_COL32(255, 200, 60, 60));
        dl->AddPolyline(pts.data(), int(pts.size()), IM_COL32(255, 255, 255, 200), ImDrawFlags_Closed, w + 2);
        dl->AddPolyline(pts.data(), int(pts.size()), colr, ImDrawFlags_Closed, w);
        const ImVec2 top = screen_of(ctx, c.cx, c.cy + std::max(c.radius_km, 1.0) * 1000);
        char buf[96];
        std::snprintf(buf, sizeof buf, "#%d %s..%s", c.rank, c.start_label.c_str(), c.end_label.c_str());
        const ImVec2 ts = ImGui::CalcTextSize(buf);
        const ImVec2 at(top.x - ts.x / 2, top.y - ts.y - 2);
        dl->AddRectFilled(ImVec2(at.x - 2, at.y - 1), ImVec2(at.x + ts.x + 2, at.y + ts.y + 1), IM_COL32(255, 255, 255, 200), 2);
        dl->AddText(at, colr, buf);
    }
}

void ScanNexusUi::draw_nexus_window(PanelContext& ctx) {
    (void)ctx;
    const NexusResult& r = nexus_->r;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x - 540, vp->Pos.y + 60), ImGuiCond_Appearing);
    ImGui::SetNextWindowSize(ImVec2(520, std::min(vp->Size.y - 100, 720.f)), ImGuiCond_Appearing);
    if (!ImGui::Begin("Nexus: routes and distance-response", &show_nexus_window_, ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::End();
        return;
    }
    // Ranked: smallest p first, then the largest ratio.
    std::vector<size_t> order(r.units.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (r.units[a].p != r.units[b].p) return r.units[a].p < r.units[b].p;
        return r.units[a].ratio > r.units[b].ratio;
    });
    if (ImGui::BeginTable("units", 8,
                          ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable,
                          ImVec2(0, 230))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("unit", ImGuiTableColumnFlags_WidthStretch, 3.f);
        for (const char* h : {"commodity", "obs", "exp", "ratio", "p", "q (BH)", "curve p"})
            ImGui::TableSetupColumn(h, ImGuiTableColumnFlags_WidthStretch, 1.f);
        ImGui::TableHeadersRow();
        for (size_t i : order) {
            const NexusUnit& u = r.units[i];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            if (ImGui::Selectable((u.name + "##" + std::to_string(i)).c_str(), int(i) == selected_unit_,
                                  ImGuiSelectableFlags_SpanAllColumns))
                selected_unit_ = int(i);
            ImGui::TableNextColumn(), ImGui::TextUnformatted(u.commodity.c_str());
            ImGui::TableNextColumn(), ImGui::Text("%.0f", u.observed);
            ImGui::TableNextColumn(), ImGui::Text("%.1f", u.expected);
            ImGui::TableNextColumn(), ImGui::Text("%.2f", u.ratio);
            ImGui::TableNextColumn(), ImGui::Text("%.3g", u.p);
            ImGui::TableNextColumn(), ImGui::Text("%.3g", u.q);
            ImGui::TableNextColumn(), ImGui::Text("%.3g", u.p_global);
        }
        ImGui::EndTable();
    }
    selected_unit_ = std::clamp(selected_unit_, 0, std::max(0, int(r.units.size()) - 1));
    if (!r.units.empty() && !r.curve_km.empty()) {
        const NexusUnit& u = r.units[size_t(selected_unit_)];
        const size_t K = r.curve_km.size();
        double ymax = 1;
        for (size_t k = 0; k < K; ++k)
            for (double v : {u.curve_obs[k], u.curve_hi[k], k < u.global_hi.size() ? u.global_hi[k] : 0.0})
                if (std::isfinite(v)) ymax = std::max(ymax, v);
        ImGui::Text("%s: events within d km", u.name.c_str());
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const ImVec2 o = ImGui::GetCursorScreenPos();
        const float W = ImGui::GetContentRegionAvail().x, H = 230;
        ImGui::Dummy(ImVec2(W, H));
        const ImVec2 p0(o.x + 48, o.y + 8), p1(o.x + W - 10, o.y + H - 22);
        const double x1 = r.curve_km.back() > 0 ? r.curve_km.back() : 1;
        auto at = [&](double x, double y) {
            return ImVec2(p0.x + float(x / x1) * (p1.x - p0.x), p1.y - float(y / (ymax * 1.05)) * (p1.y - p0.y));
        };
        dl->AddRectFilled(o, ImVec2(o.x + W, o.y + H), IM_COL32(250, 250, 248, 255), 3);
        dl->AddRect(p0, p1, IM_COL32(160, 160, 160, 255));
        for (int k = 0; k <= 4; ++k) {
            const double y = ymax * 1.05 * k / 4;
            char b[32];
            std::snprintf(b, sizeof b, "%.0f", y);
            const ImVec2 q = at(0, y);
            dl->AddLine(ImVec2(p0.x, q.y), ImVec2(p1.x, q.y), IM_COL32(225, 225, 225, 255));
            dl->AddText(ImVec2(p0.x - ImGui::CalcTextSize(b).x - 4, q.y - 7), IM_COL32(80, 80, 80, 255), b);
        }
        for (size_t k = 0; k < K; ++k) {
            char b[32];
            std::snprintf(b, sizeof b, "%g", r.curve_km[k]);
            const ImVec2 q = at(r.curve_km[k], 0);
            dl->AddText(ImVec2(q.x - ImGui::CalcTextSize(b).x / 2, p1.y + 3), IM_COL32(80, 80, 80, 255), b);
        }
        // Pointwise envelope as a band, global envelope dashed, null mean grey, observed red.
        for (size_t k = 0; k + 1 < K; ++k) {
            const ImVec2 a = at(r.curve_km[k], u.curve_lo[k]), b = at(r.curve_km[k + 1], u.curve_lo[k + 1]);
            const ImVec2 c = at(r.curve_km[k + 1], u.curve_hi[k + 1]), e = at(r.curve_km[k], u.curve_hi[k]);
            dl->AddQuadFilled(a, b, c, e, IM_COL32(150, 170, 200, 90));
        }
        auto line = [&](const std::vector<double>& v, ImU32 c, float w, bool dashed) {
            for (size_t k = 0; k + 1 < K && k + 1 < v.size(); ++k) {
                const ImVec2 a = at(r.curve_km[k], v[k]), b = at(r.curve_km[k + 1], v[k + 1]);
                if (!dashed) {
                    dl->AddLine(a, b, c, w);
                    continue;
                }
                for (float t = 0; t < 1; t += 0.2f)
                    dl->AddLine(ImVec2(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t),
                                ImVec2(a.x + (b.x - a.x) * (t + 0.1f), a.y + (b.y - a.y) * (t + 0.1f)), c, w);
            }
        };
        line(u.global_lo, IM_COL32(40, 70, 160, 255), 1.5f, true);
        line(u.global_hi, IM_COL32(40, 70, 160, 255), 1.5f, true);
        line(u.curve_mean, IM_COL32(100, 100, 100, 255), 1.5f, false);
        line(u.curve_obs, IM_COL32(200, 30, 30, 255), 2.5f, false);
        for (size_t k = 0; k < K; ++k) dl->AddCircleFilled(at(r.curve_km[k], u.curve_obs[k]), 3, IM_COL32(200, 30, 30, 255));
        ImGui::TextDisabled("red observed, grey null mean, band pointwise %g%%, dashed global (MAD) envelope;",
                            100 * (1 - r.params.alpha));
        ImGui::TextDisabled("curve p %.3g (whole curve, MAD test), d km on the x axis", u.p_global);
    }
    if (nexus_->clq && ImGui::CollapsingHeader("Co-location quotients")) {
        if (ImGui::BeginTable("clq", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
            for (const char* h : {"A", "B", "CLQ A->B", "p high", "p low"}) ImGui::TableSetupColumn(h);
            ImGui::TableHeadersRow();
            for (const auto& e : nexus_->clq->entries) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn(), ImGui::TextUnformatted(e.a.c_str());
                ImGui::TableNextColumn(), ImGui::TextUnformatted(e.b.c_str());
                ImGui::TableNextColumn(), ImGui::Text("%.2f", e.clq);
                ImGui::TableNextColumn(), ImGui::Text("%.3g", e.p_high);
                ImGui::TableNextColumn(), ImGui::Text("%.3g", e.p_low);
            }
            ImGui::EndTable();
        }
    }
    if (r.metadata.count("routes_illustrative")) ImGui::TextDisabled("Routes are ILLUSTRATIVE, not an intelligence product.");
    ImGui::End();
}

std::vector<AnalysisExport> ScanNexusUi::exports(const Metadata& events_md) const {
    std::vector<AnalysisExport> out;
    auto with = [&](Metadata md) {
        for (auto& [k, v] : events_md) md[k] = v;
        md["events_rule"] = "the viewer's filtered events (time window, types, countries, actors, fatalities), precise "
                            "only: where_prec / geo_precision <= 2, as nexusmap scan / nexus by default";
        return md;
    };
    if (scan_) {
        const Metadata md = with(scan_->r.metadata);
        out.push_back({"scan_clusters", scan_->clusters, std::nullopt, md});
        out.push_back({"scan_clusters", std::nullopt, scan_cluster_table(scan_->r), md});
        Table reps;
        reps.columns = {"replica", "max_llr"};
        for (size_t i = 0; i < scan_->r.replica_max.size(); ++i)
            reps.rows.push_back({std::to_string(i + 1), fmt_num(scan_->r.replica_max[i], 10)});
        out.push_back({"scan_replicas", std::nullopt, std::move(reps), md});
    }
    if (nexus_) {
        const Metadata md = with(nexus_->r.metadata);
        out.push_back({"nexus_routes", nexus_->routes, std::nullopt, md});
        out.push_back({"nexus_routes", std::nullopt, nexus_unit_table(nexus_->r), md});
        out.push_back({"nexus_curves", std::nullopt, nexus_curve_table(nexus_->r), md});
        if (nexus_->clq) out.push_back({"nexus_clq", std::nullopt, clq_table(*nexus_->clq), with(nexus_->clq_md)});
    }
    return out;
}

void ScanNexusUi::print(std::ostream& out) const {
    if (!setting_error.empty()) out << "analysis_setting_error " << setting_error << "\n";
    if (scan_) {
        const ScanResult& r = scan_->r;
        char buf[256];
        if (r.clusters.empty()) {
            std::snprintf(buf, sizeof buf, "scan clusters 0 events %zu\n", r.n);
        } else {
            const auto& c = r.clusters.front();
            std::snprintf(buf, sizeof buf, "scan clusters %zu events %zu mlc %s %s llr %.6f p %.4g\n", r.clusters.size(), r.n,
                          c.start_label.c_str(), c.end_label.c_str(), c.llr, c.p_mc);
        }
        out << buf;
    }
    if (nexus_) {
        for (const auto& u : nexus_->r.units)
            if (u.kind == "all") {
                char buf[200];
                std::snprintf(buf, sizeof buf, "nexus units %zu observed %.0f expected %.4f p %.4g\n", nexus_->r.units.size(),
                              u.observed, u.expected, u.p);
                out << buf;
            }
    }
}

} // namespace nexusmap::viewer
