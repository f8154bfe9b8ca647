// `nexusmap corridors`: events along trafficking-route corridors, profiles along each route with the
// Sahel–coastal border crossings marked, and rankings by recent activity and change -> CSV/GeoJSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "nexusmap/corridors.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/export.hpp"

namespace nexusmap::cli {

// From cmd_spillover.cpp.
Border load_border(const std::string& admin0_spec, const std::string& sahel, const std::string& coastal, const Crs& crs);
std::string admin0_file(const std::string& admin0_spec);

void add_corridors(CLI::App& app) {
    auto* cmd = app.add_subcommand("corridors", "Events along trafficking-route corridors, profiles and border crossings");
    struct Args {
        EventArgs ev;
        std::string routes, admin0, sahel = "MLI,BFA,NER", coastal = "CIV,GHA,TGO,BEN", period = "year", out;
        std::string commodity_field = "commodity", name_field = "name";
        double half_width_km = 25, bin_km = 25, crossing_radius_km = 0;
        int recent = 3;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    a->ev.add_to(cmd);
    // Distances to borders and routes need point locations: precise events unless asked otherwise.
    a->ev.precise_by_default("corridors");
    cmd->add_option("--routes", a->routes, "Route lines FILE[:LAYER] with a commodity attribute (default: bundled illustrative routes)");
    cmd->add_option("--commodity-field", a->commodity_field, "Route attribute holding the commodity")->capture_default_str();
    cmd->add_option("--name-field", a->name_field, "Route attribute holding the name")->capture_default_str();
    cmd->add_option("--half-width-km", a->half_width_km, "Corridor half-width")->capture_default_str();
    cmd->add_option("--bin-km", a->bin_km, "Profile bin length along the route")->capture_default_str();
    cmd->add_option("--crossing-radius-km", a->crossing_radius_km, "Events counted around a crossing (default: the half-width)");
    cmd->add_option("--period", a->period, "year | quarter | month")->capture_default_str();
    cmd->add_option("--recent", a->recent, "Ranking: the last N periods, change against the N before")->capture_default_str();
    cmd->add_option("--admin0", a->admin0, "Admin-0 polygons FILE[:LAYER] for the border (default: bundled basemap:admin0)");
    cmd->add_option("--sahel", a->sahel, "Sahel group, ISO alpha-3 codes")->capture_default_str();
    cmd->add_option("--coastal", a->coastal, "Coastal group, ISO alpha-3 codes")->capture_default_str();
    cmd->add_option("-o,--out", a->out, "Output folder (created)")->required();
    cmd->add_flag("--force", a->force, "Overwrite outputs already in the folder");
    cmd->callback([a] {
        namespace fs = std::filesystem;
        if (a->ev.precision == "spread")
            throw GeoError("", "--precision spread", "not for this analysis: it measures distances of event points (use --max-precision N)");
        const std::string rspec = a->routes.empty() ? data_dir() + "/demo/routes_illustrative.geojson" : a->routes;
        auto [rfile, rlayer] = split_layer_spec(rspec);
        CorridorParams cp;
        cp.half_width_km = a->half_width_km, cp.bin_km = a->bin_km, cp.crossing_radius_km = a->crossing_radius_km;
        cp.period = parse_period_unit(a->period);
        cp.recent_periods = a->recent;
        cp.commodity_field = a->commodity_field, cp.name_field = a->name_field;
        const std::vector<std::string> inputs = {a->ev.file, rfile, admin0_file(a->admin0)};
        const char* names[] = {"corridor_routes.csv", "corridor_periods.csv", "corridor_profiles.csv", "corridor_crossings.csv",
                               "corridors.geojson", "crossings.geojson", "corridors.gpkg"};
        check_output_stem(a->out, "a folder of CSV, GeoJSON and corridors.gpkg");
        fs::create_directories(a->out);
        auto path = [&](const char* n) { return (fs::path(a->out) / n).string(); };
        for (auto* n : names) {
            const FormatInfo* fi = format_for_path(n);
            check_output(path(n), fi->format == OutputFormat::Csv ? ProductKind::Table : ProductKind::Vector, a->force, inputs);
        }

        EventTable ev = a->ev.load();
        std::printf("location precision: %s%s\n", ev.metadata["precision_mode"].c_str(),
                    a->ev.max_precision < 0 ? " (default here: precise events only; --max-precision 7 uses all)" : "");
        ReadLayerOptions ro;
        ro.layer = rlayer;
        VectorLayer routes = read_layer(rfile, ro);
        for (auto& w : routes.warnings) std::cerr << "  warning: " << w << "\n";
        if (routes.field_index(cp.commodity_field) < 0)
            std::cerr << "  warning: " << rspec << " has no '" << cp.commodity_field << "' attribute; commodity 'unknown'\n";
        Border border = load_border(a->admin0, a->sahel, a->coastal, ev.crs);
        cp.analysis_crs = ev.crs;
        ProgressBar bar("corridors");
        CorridorResult r = analyse_corridors(ev, routes, &border, cp, ProgressFn([&](double f, std::string_view s) { return bar.update(f, s); }));
        const Metadata& md = r.metadata;
        write_csv(corridor_route_table(r), path("corridor_routes.csv"), md);
        write_csv(corridor_period_table(r), path("corridor_periods.csv"), md);
        write_csv(corridor_profile_table(r), path("corridor_profiles.csv"), md);
        write_csv(corridor_crossing_table(r), path("corridor_crossings.csv"), md);
        // simplestyle: by commodity, the routes' colours in the viewer and on the maps (style.hpp).
        VectorLayer corr_l = corridor_layer(r), cross_l = crossing_layer(r);
        style::style_by_category(corr_l, "commodity", 0.3);
        style::style_by_category(cross_l, "commodity");
        Metadata smd = md;
        smd["style"] = "simplestyle by commodity: Tableau 10 over the sorted commodity values (as the routes are drawn)";
        write_geojson(corr_l, path("corridors.geojson"), smd);
        write_geojson(cross_l, path("crossings.geojson"), smd);
        // Every layer and table in one styled GeoPackage.
        {
            const Table tb[] = {corridor_route_table(r), corridor_period_table(r), corridor_profile_table(r),
                                corridor_crossing_table(r)};
            const char* tn[] = {"corridor_routes", "corridor_periods", "corridor_profiles", "corridor_crossings"};
            std::vector<GpkgItem> items{{&corr_l, nullptr, "corridors", ""}, {&cross_l, nullptr, "crossings", ""}};
            for (size_t i = 0; i < std::size(tb); ++i) items.push_back({nullptr, &tb[i], tn[i], ""});
            write_gpkg_items(items, path("corridors.gpkg"), WriteOptions{smd});
        }

        std::printf("corridors: %s%zu events, %zu routes (half-width %g km), %zu border crossings\n",
                    ev.synthetic ? "SYNTHETIC events, " : "", ev.size(), r.routes.size(), cp.half_width_km, r.crossings.size());
        if (routes.illustrative() || routes.synthetic() || md.count("routes_illustrative")) std::printf("  routes are ILLUSTRATIVE, not an intelligence product\n");
        const std::string rw = md.count("recent_window") ? md.at("recent_window") : "";
        const std::string pw = md.count("previous_window") ? md.at("previous_window") : "";
        auto top_routes = [&](bool by_change) {
            std::vector<const RouteResult*> v;
            for (auto& R : r.routes) v.push_back(&R);
            std::sort(v.begin(), v.end(), [&](auto* x, auto* y) {
                return by_change ? x->rank_change < y->rank_change : x->rank_recent < y->rank_recent;
            });
            for (size_t i = 0; i < std::min<size_t>(5, v.size()); ++i)
                std::printf("    %2zu. %-58s %-8s recent %5.0f  change %+5.0f\n", i + 1, v[i]->name.c_str(),
                            v[i]->commodity.c_str(), v[i]->recent, v[i]->change);
        };
        std::printf("  routes by recent activity (%s):\n", rw.c_str());
        top_routes(false);
        std::printf("  routes by change (%s vs %s):\n", rw.c_str(), pw.c_str());
        top_routes(true);
        std::vector<const Crossing*> c;
        for (auto& x : r.crossings) c.push_back(&x);
        std::sort(c.begin(), c.end(), [](auto* x, auto* y) { return x->rank_recent < y->rank_recent; });
        std::printf("  crossings by recent activity (events within %s km):\n", md.at("crossing_radius_km").c_str());
        for (size_t i = 0; i < std::min<size_t>(5, c.size()); ++i)
            std::printf("    %2zu. %-10s %8.3f,%7.3f  %-50s recent %4.0f change %+4.0f\n", i + 1, c[i]->segment.c_str(),
                        c[i]->lon, c[i]->lat, c[i]->route_name.c_str(), c[i]->recent, c[i]->change);
        std::printf("  outputs in %s\n", a->out.c_str());
    });
}

} // namespace nexusmap::cli
