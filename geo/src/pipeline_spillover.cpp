// Spillover and corridors pipelines (pipeline/spillover.hpp): settings, validation, the border,
// and the folder products with their summaries, shared by `nexusmap spillover|corridors` and the
// viewer's Spillover panel.
#include "nexusmap/pipeline/spillover.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::pipeline {

namespace {

std::string na(std::string s) { return s.empty() ? "n/a" : s; }

std::string line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string line(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

std::pair<std::string, std::string> key_value(const std::string& kv, const char* what) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
        throw GeoError("", std::string(what) + " '" + kv + "'", "expected KEY=VALUE (e.g. period=quarter)");
    return {ascii_lower(kv.substr(0, eq)), kv.substr(eq + 1)};
}

double number(const std::string& key, const std::string& v) {
    const auto n = parse_numbers(v, key.c_str());
    if (n.size() != 1) throw GeoError("", key + "=" + v, "expected one number");
    return n[0];
}

bool flag(const std::string& key, const std::string& v) {
    const std::string l = ascii_lower(v);
    if (l == "1" || l == "true" || l == "yes" || l == "on") return true;
    if (l == "0" || l == "false" || l == "no" || l == "off") return false;
    throw GeoError("", key + "=" + v, "expected 0 or 1");
}

} // namespace

// ---- settings and validation ------------------------------------------------------------------

std::string BorderGroups::admin0_file(const std::string& data_dir) const {
    return admin0.empty() ? data_dir + "/basemap/west_africa.gpkg" : split_layer_spec(admin0).first;
}

void BorderGroups::validate() const {
    if (split_list(sahel, ", ", true).empty()) throw GeoError("", "--sahel '" + sahel + "'", "needs at least one ISO alpha-3 code");
    if (split_list(coastal, ", ", true).empty())
        throw GeoError("", "--coastal '" + coastal + "'", "needs at least one ISO alpha-3 code");
    for (const auto& s : split_list(sahel, ", ", true))
        for (const auto& c : split_list(coastal, ", ", true))
            if (s == c) throw GeoError("", "--sahel/--coastal", s + " is in both groups");
}

void SpilloverRun::set(const std::string& kv) {
    auto [k, v] = key_value(kv, "--spill-param");
    SpilloverParams& a = analysis;
    if (k == "sahel") groups.sahel = v;
    else if (k == "coastal") groups.coastal = v;
    else if (k == "admin0") groups.admin0 = v;
    else if (k == "bands") a.bands_km = parse_numbers(v, "--bands");
    else if (k == "period") a.period = parse_period_unit(v);
    else if (k == "x-km") a.x_km = number(k, v);
    else if (k == "quantile") a.quantile = number(k, v);
    else if (k == "window-km") a.window_km = number(k, v);
    else if (k == "lags") a.lags = int(number(k, v));
    else if (k == "permutations") a.permutations = int(number(k, v));
    else if (k == "seed") a.seed = uint64_t(number(k, v));
    else if (k == "circular-shift") a.permutation = flag(k, v) ? PermutationKind::CircularShift : PermutationKind::Shuffle;
    else if (k == "lead-lag-levels") a.difference = !flag(k, v);
    else
        throw GeoError("", "--spill-param " + kv,
                       "unknown key '" + k + "' (sahel, coastal, admin0, bands, period, x-km, quantile, window-km, lags, "
                       "permutations, seed, circular-shift, lead-lag-levels)");
}

void SpilloverRun::validate() const {
    groups.validate();
    const SpilloverParams& a = analysis;
    // Caps (issue #19): both multiply the run time; beyond them nothing reported changes.
    if (a.lags < 0 || a.lags > kMaxLags)
        throw GeoError("", "--lags " + std::to_string(a.lags), "must be between 0 and " + std::to_string(kMaxLags) + " periods");
    if (a.permutations < 0 || a.permutations > kMaxPermutations)
        throw GeoError("", "--permutations " + std::to_string(a.permutations),
                       "must be between 0 and " + std::to_string(kMaxPermutations) +
                           " (999 or 9999 are usual; more does not change a reported digit)");
    if (a.bands_km.size() < 2 || !std::is_sorted(a.bands_km.begin(), a.bands_km.end()) ||
        std::adjacent_find(a.bands_km.begin(), a.bands_km.end()) != a.bands_km.end())
        throw GeoError("", "--bands", "needs at least two edges in signed km, strictly ascending (e.g. -200,-100,0,100,200)");
    if (!(a.x_km > 0)) throw GeoError("", "--x-km " + fmt_num(a.x_km), "must be positive");
    if (!(a.window_km > 0)) throw GeoError("", "--window-km " + fmt_num(a.window_km), "must be positive");
    if (!(a.quantile > 0 && a.quantile < 1)) throw GeoError("", "--quantile " + fmt_num(a.quantile), "must be between 0 and 1");
}

void CorridorRun::set(const std::string& kv) {
    auto [k, v] = key_value(kv, "--corridor-param");
    CorridorParams& a = analysis;
    if (k == "sahel") groups.sahel = v;
    else if (k == "coastal") groups.coastal = v;
    else if (k == "admin0") groups.admin0 = v;
    else if (k == "routes") routes = v;
    else if (k == "half-width-km") a.half_width_km = number(k, v);
    else if (k == "bin-km") a.bin_km = number(k, v);
    else if (k == "crossing-radius-km") a.crossing_radius_km = number(k, v);
    else if (k == "period") a.period = parse_period_unit(v);
    else if (k == "recent") a.recent_periods = int(number(k, v));
    else if (k == "commodity-field") a.commodity_field = v;
    else if (k == "name-field") a.name_field = v;
    else
        throw GeoError("", "--corridor-param " + kv,
                       "unknown key '" + k + "' (routes, half-width-km, bin-km, crossing-radius-km, period, recent, "
                       "commodity-field, name-field, sahel, coastal, admin0)");
}

void CorridorRun::validate() const {
    groups.validate();
    const CorridorParams& a = analysis;
    if (!(a.half_width_km > 0)) throw GeoError("", "--half-width-km " + fmt_num(a.half_width_km), "must be positive");
    if (!(a.bin_km > 0)) throw GeoError("", "--bin-km " + fmt_num(a.bin_km), "must be positive");
    if (a.recent_periods < 1) throw GeoError("", "--recent " + std::to_string(a.recent_periods), "must be at least 1 period");
}

std::string CorridorRun::routes_spec(const std::string& data_dir) const {
    return routes.empty() ? data_dir + "/demo/routes_illustrative.geojson" : routes;
}

// ---- the border ---------------------------------------------------------------------------------

Border load_border(const VectorLayer& admin0, const BorderGroups& g, const Crs& crs) {
    g.validate();
    BorderParams bp;
    bp.sahel = split_list(g.sahel, ", ", true);
    bp.coastal = split_list(g.coastal, ", ", true);
    bp.analysis_crs = crs;
    return derive_border(admin0, bp);
}

Border load_border(const BorderGroups& g, const std::string& data_dir, const Crs& crs, std::vector<std::string>* warnings) {
    const std::string spec = g.admin0.empty() ? data_dir + "/basemap/west_africa.gpkg:admin0" : g.admin0;
    auto [file, layer] = split_layer_spec(spec);
    ReadLayerOptions ro;
    ro.layer = layer;
    VectorLayer a0 = read_layer(file, ro);
    if (warnings) warnings->insert(warnings->end(), a0.warnings.begin(), a0.warnings.end());
    return load_border(a0, g, crs);
}

// ---- products -----------------------------------------------------------------------------------

std::vector<std::string> spillover_files() {
    return {"border_segments.csv",    "spillover_bands.csv",    "spillover_segments.csv", "spillover_countries.csv",
            "spillover_periods.csv",  "spillover_trends.csv",   "spillover_leadlag.csv",  "border_segments.geojson",
            "bands.geojson",          "spillover.gpkg"};
}

std::vector<std::string> corridor_files() {
    return {"corridor_routes.csv", "corridor_periods.csv", "corridor_profiles.csv", "corridor_crossings.csv",
            "corridors.geojson",   "crossings.geojson",    "corridors.gpkg"};
}

FolderProduct spillover_product(const SpilloverResult& r, const EventTable& ev) {
    FolderProduct p;
    const Border& border = r.border;
    const SpilloverParams& sp = r.params;
    p.metadata = r.metadata;
    p.tables = {{"border_segments", "border_segments_table", border_segment_table(border)},
                {"spillover_bands", "spillover_bands", spillover_band_table(r)},
                {"spillover_segments", "spillover_segments", spillover_segment_table(r)},
                {"spillover_countries", "spillover_countries", spillover_country_table(r)},
                {"spillover_periods", "spillover_periods", spillover_period_table(r)},
                {"spillover_trends", "spillover_trends", spillover_trend_table(r)},
                {"spillover_leadlag", "spillover_leadlag", spillover_leadlag_table(r)}};
    // simplestyle colours as the viewer draws these layers (style.hpp).
    VectorLayer border_l = border_layer(border, &r), bands_l = bands_layer(r);
    style::style_border_segments(border_l);
    style::style_spillover_bands(bands_l);
    p.layers = {{"border_segments", std::move(border_l)}, {"bands", std::move(bands_l)}};
    p.gpkg = "spillover.gpkg";
    p.layer_metadata = r.metadata;
    p.layer_metadata["style"] = "simplestyle as in the viewer: border segments in the categorical palette (segment order); "
                                "bands warm on the Sahel side, cool on the coastal side, more opaque near the border";

    // The summary.
    const Metadata& md = r.metadata;
    auto& s = p.summary;
    auto at = [&](const char* k) { return md.count(k) ? md.at(k) : std::string(); };
    const auto& f = r.front_trend;
    const int ci = int(100 * (1 - sp.alpha) + 0.5);
    s.push_back(line("spillover: %s%zu events; Sahel %s | coastal %s; border %.0f km in %zu segments; %zu events outside both groups",
                     ev.synthetic ? "SYNTHETIC data, " : "", ev.size(), at("sahel_group").c_str(), at("coastal_group").c_str(),
                     border.length_km(), border.segments.size(), r.dist.outside));
    if (!r.labels.empty())
        s.push_back(line("  periods %s..%s (%s)", r.labels.front().c_str(), r.labels.back().c_str(),
                         period_unit_name(sp.period).c_str()));
    if (!r.front_km.empty())
        s.push_back(line("  front (p%g of signed km within %g km): %s -> %s km", sp.quantile * 100, sp.window_km,
                         na(fmt_num(r.front_km.front(), 4)).c_str(), na(fmt_num(r.front_km.back(), 4)).c_str()));
    if (f.withheld)
        s.push_back("  front velocity: " + f.note);
    else
        s.push_back(line("  front velocity %+.1f km/yr (%d%% CI %+.1f .. %+.1f; positive = toward the coast), Mann-Kendall tau "
                         "%.2f p %.3g; %s",
                         f.ts.slope, ci, f.ts.slope_lo, f.ts.slope_hi, f.mk.tau, f.mk.p, f.note.c_str()));
    if (!r.share.empty()) {
        std::string l = line("  spillover share within %g km: %s -> %s; ", sp.x_km, na(fmt_num(r.share.front(), 3)).c_str(),
                             na(fmt_num(r.share.back(), 3)).c_str());
        if (r.share_trend.withheld)
            l += "trend " + r.share_trend.note;
        else
            l += line("trend %+.4f/yr (CI %+.4f .. %+.4f), MK p %.3g; %s", r.share_trend.ts.slope, r.share_trend.ts.slope_lo,
                      r.share_trend.ts.slope_hi, r.share_trend.mk.p, r.share_trend.note.c_str());
        s.push_back(l);
    }
    if (!r.centroid_lat.empty()) {
        std::string l = line("  centroid latitude %s -> %s; ", fmt_num(r.centroid_lat.front(), 4).c_str(),
                             fmt_num(r.centroid_lat.back(), 4).c_str());
        if (r.centroid_trend.withheld)
            l += "trend " + r.centroid_trend.note;
        else
            l += line("trend %+.3f deg/yr, MK p %.3g; %s", r.centroid_trend.ts.slope, r.centroid_trend.mk.p,
                      r.centroid_trend.note.c_str());
        s.push_back(l);
    }
    // Top segments by coastal-side activity within X over the whole span.
    std::vector<size_t> o(r.leadlag.size());
    for (size_t i = 0; i < o.size(); ++i) o[i] = i;
    std::sort(o.begin(), o.end(), [&](size_t x, size_t y) { return r.leadlag[x].coastal_total > r.leadlag[y].coastal_total; });
    s.push_back(line("  top segments (coastal-side events within %g km; lead-lag best k):", sp.x_km));
    for (size_t j = 0; j < std::min<size_t>(5, o.size()); ++j) {
        const auto& l = r.leadlag[o[j]];
        const double len = o[j] < border.segments.size() ? border.segments[o[j]].length_km : 0;
        if (l.withheld)
            s.push_back(line("    %-10s %6.0f km  coastal %6.0f  sahel %6.0f  lead-lag %s", l.segment.c_str(), len,
                             l.coastal_total, l.sahel_total, l.note.c_str()));
        else
            s.push_back(line("    %-10s %6.0f km  coastal %6.0f  sahel %6.0f  best k=%d r=%s p=%s (%s)", l.segment.c_str(), len,
                             l.coastal_total, l.sahel_total, l.best_k, fmt_num(l.best_r, 3).c_str(),
                             fmt_num(l.p_best, 3).c_str(), l.note.c_str()));
    }
    return p;
}

FolderProduct corridor_product(const CorridorResult& r, const EventTable& ev, const VectorLayer& routes) {
    FolderProduct p;
    p.metadata = r.metadata;
    p.tables = {{"corridor_routes", "corridor_routes", corridor_route_table(r)},
                {"corridor_periods", "corridor_periods", corridor_period_table(r)},
                {"corridor_profiles", "corridor_profiles", corridor_profile_table(r)},
                {"corridor_crossings", "corridor_crossings", corridor_crossing_table(r)}};
    // simplestyle: by commodity, the routes' colours in the viewer and on the maps (style.hpp).
    VectorLayer corr_l = corridor_layer(r), cross_l = crossing_layer(r);
    style::style_by_category(corr_l, "commodity", 0.3);
    style::style_by_category(cross_l, "commodity");
    p.layers = {{"corridors", std::move(corr_l)}, {"crossings", std::move(cross_l)}};
    p.gpkg = "corridors.gpkg";
    p.layer_metadata = r.metadata;
    p.layer_metadata["style"] = "simplestyle by commodity: Tableau 10 over the sorted commodity values (as the routes are drawn)";

    const Metadata& md = r.metadata;
    auto at = [&](const char* k) { return md.count(k) ? md.at(k) : std::string(); };
    auto& s = p.summary;
    s.push_back(line("corridors: %s%zu events, %zu routes (half-width %g km), %zu border crossings",
                     ev.synthetic ? "SYNTHETIC events, " : "", ev.size(), r.routes.size(), r.params.half_width_km,
                     r.crossings.size()));
    if (routes.illustrative() || routes.synthetic() || md.count("routes_illustrative"))
        s.push_back("  routes are ILLUSTRATIVE, not an intelligence product");
    auto top_routes = [&](bool by_change) {
        std::vector<const RouteResult*> v;
        for (auto& R : r.routes) v.push_back(&R);
        std::sort(v.begin(), v.end(),
                  [&](auto* x, auto* y) { return by_change ? x->rank_change < y->rank_change : x->rank_recent < y->rank_recent; });
        for (size_t i = 0; i < std::min<size_t>(5, v.size()); ++i)
            s.push_back(line("    %2zu. %-58s %-8s recent %5.0f  change %+5.0f", i + 1, v[i]->name.c_str(),
                             v[i]->commodity.c_str(), v[i]->recent, v[i]->change));
    };
    s.push_back("  routes by recent activity (" + at("recent_window") + "):");
    top_routes(false);
    s.push_back("  routes by change (" + at("recent_window") + " vs " + at("previous_window") + "):");
    top_routes(true);
    std::vector<const Crossing*> c;
    for (auto& x : r.crossings) c.push_back(&x);
    std::sort(c.begin(), c.end(), [](auto* x, auto* y) { return x->rank_recent < y->rank_recent; });
    s.push_back("  crossings by recent activity (events within " + at("crossing_radius_km") + " km):");
    for (size_t i = 0; i < std::min<size_t>(5, c.size()); ++i)
        s.push_back(line("    %2zu. %-10s %8.3f,%7.3f  %-50s recent %4.0f change %+4.0f", i + 1, c[i]->segment.c_str(),
                         c[i]->lon, c[i]->lat, c[i]->route_name.c_str(), c[i]->recent, c[i]->change));
    return p;
}

} // namespace nexusmap::pipeline
