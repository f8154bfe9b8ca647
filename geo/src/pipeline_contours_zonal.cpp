// Contours and zonal pipelines (pipeline/contours_zonal.hpp), shared by `nexusmap contours|zonal`
// and the viewer's exports.
#include "nexusmap/pipeline/contours_zonal.hpp"

#include <cmath>
#include <filesystem>

#include "nexusmap/error.hpp"
#include "nexusmap/map_render.hpp" // shared_scale, short_num
#include "nexusmap/output.hpp"
#include "nexusmap/provenance.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/text.hpp"

namespace nexusmap::pipeline {

namespace {

std::pair<std::string, std::string> key_value(const std::string& kv, const std::string& what) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw GeoError("", what + " '" + kv + "'", "expected KEY=VALUE");
    return {ascii_lower(kv.substr(0, eq)), kv.substr(eq + 1)};
}

style::Ramp ramp_of(const std::string& name) {
    const auto r = style::ramp_from_name(name);
    if (!r) throw GeoError("", "--ramp '" + name + "'", "unknown (viridis, magma, inferno, ylorrd, rdylbu)");
    return *r;
}

style::Scale scale_of(const std::string& name) {
    const auto s = style::scale_from_name(name);
    if (!s) throw GeoError("", "--scale '" + name + "'", "unknown (linear, sqrt, log)");
    return *s;
}

} // namespace

// ---- contours -----------------------------------------------------------------------------------

void ContourRun::set(const std::string& kv) {
    auto [k, v] = key_value(kv, "--contour-param");
    if (k == "levels") levels = parse_numbers(v, "--levels");
    else if (k == "percent") percent = parse_numbers(v, "--percent");
    else if (k == "ramp") ramp = v;
    else if (k == "scale") scale = v;
    else if (k == "fill-opacity") opacity = parse_numbers(v, "--fill-opacity").at(0);
    else throw GeoError("", "--contour-param " + kv, "unknown key '" + k + "' (levels, percent, ramp, scale, fill-opacity)");
}

void ContourRun::validate() const {
    ramp_of(ramp);
    scale_of(scale);
    if (!(opacity >= 0 && opacity <= 1))
        throw GeoError("", "--fill-opacity " + (std::isnan(opacity) ? std::string("nan") : short_num(opacity)),
                       "must be a number from 0 to 1");
    for (double v : percent)
        if (!(v > 0 && v <= 100)) throw GeoError("", "--percent", "values must be in (0, 100]");
}

LayerProduct run_contours(const Raster& r, const ContourRun& run, const std::string& derived_from, Progress progress) {
    run.validate();
    ContourParams p;
    p.levels = run.levels;
    p.percent_volumes = run.percent;
    if (p.levels.empty() && p.percent_volumes.empty()) p.percent_volumes = {50, 75, 90};
    LayerProduct out;
    out.layer = contour_polygons(r, p, progress);
    out.warnings = out.layer.warnings;
    Metadata md = r.metadata;
    md["derived_from"] = derived_from;
    md["contour_method"] = "GDAL contour polygons of {density >= level}; mass_share measured on cell centres";
    // simplestyle: the level's colour on the density's own scale (0 .. max), the map's ramp.
    const style::Ramp ramp = ramp_of(run.ramp);
    const style::Scale scale = scale_of(run.scale);
    const style::ValueScale vs = shared_scale({&r}, scale);
    style::style_by_value(out.layer, "level", ramp, vs, run.opacity);
    md["style"] = std::string("simplestyle fill/stroke: level through ramp ") + style::ramp_id(ramp) + " (" +
                  style::scale_name(scale) + " " + short_num(vs.effective_lo()) + ".." + short_num(vs.hi) + ")";
    out.metadata = md;
    out.table_metadata = md;
    for (auto& f : out.layer.features)
        out.summary.push_back("level " + attr_to_string(f.attrs[0]) +
                              (std::holds_alternative<double>(f.attrs[1]) ? " (" + attr_to_string(f.attrs[1]) + "% volume)" : "") +
                              ": area " + fmt_num(std::get<double>(f.attrs[2]), 6) + " km^2, holds " +
                              fmt_num(100 * std::get<double>(f.attrs[3]), 4) + "% of the mass");
    return out;
}

// ---- zonal --------------------------------------------------------------------------------------

void ZonalRun::set(const std::string& kv) {
    auto [k, v] = key_value(kv, "--zonal-param");
    if (k == "polygons") polygons = v;
    else if (k == "fields") fields = split_list(v, ",");
    else if (k == "per-capita") per_capita = v;
    else if (k == "ramp") ramp = v;
    else if (k == "scale") scale = v;
    else if (k == "style-field") style_field = v;
    else throw GeoError("", "--zonal-param " + kv, "unknown key '" + k + "' (polygons, fields, per-capita, ramp, scale, style-field)");
}

void ZonalRun::validate() const {
    ramp_of(ramp);
    scale_of(scale);
}

std::string ZonalRun::polygon_spec(const std::string& data_dir) const {
    return polygons.empty() ? data_dir + "/basemap/west_africa.gpkg:admin1" : polygons;
}

namespace {
Table zonal_table(const VectorLayer& l) {
    Table t;
    t.columns = l.fields;
    for (auto& f : l.features) {
        std::vector<std::string> row;
        for (auto& v : f.attrs)
            row.push_back(std::holds_alternative<double>(v) ? fmt_num(std::get<double>(v), 8) : attr_to_string(v));
        t.rows.push_back(std::move(row));
    }
    return t;
}
} // namespace

LayerProduct run_zonal(const EventTable& ev, const VectorLayer& polys, const ZonalRun& run, const std::string& spec,
                       const std::string& from, const std::string& to) {
    run.validate();
    ZonalParams zp;
    zp.keep_fields = run.fields;
    zp.area_crs = ev.crs;
    zp.population_field = run.per_capita;
    ZonalResult z = zonal_counts(ev, polys, zp);
    LayerProduct out;
    Metadata md = provenance(ev, from, to);
    add_input_provenance(md, polys.prov);
    md["polygons"] = spec;
    md["rates"] = "events_per_10k_km2 = events / area_km2 * 10000; areas in " + ev.crs.definition();
    md["events_outside_polygons"] = fmt_num(z.outside_events, 10);
    if (!run.per_capita.empty()) {
        md["rates_per_capita"] = "events_per_100k_pop = events / " + run.per_capita + " * 100000";
        // The population's own caveat (the bundled admin2 layer says how rough it is).
        std::string note;
        for (auto& [k, v] : polys.metadata)
            if (k == "POPULATION_NOTE") note = v;
        md["population_note"] = "APPROXIMATE: " + (note.empty() ? "population from '" + run.per_capita + "' as given" : note);
        out.summary.push_back("per-capita rates are APPROXIMATE: " + md["population_note"]);
    }
    if (z.layer.field_index(run.style_field) < 0)
        throw GeoError("", "--style-field", "no field '" + run.style_field + "' in the zonal result");
    // The table: one row per polygon, with its geometry (WKT, lon/lat) so it opens as a layer.
    out.table_metadata = md;
    out.table = table_with_geometry(zonal_table(z.layer), z.layer, md);
    // simplestyle: the zone's value through the ramp on 0 .. the largest value.
    const style::Ramp ramp = ramp_of(run.ramp);
    const style::Scale scale = scale_of(run.scale);
    const style::ValueScale vs = style::field_scale(z.layer, run.style_field, scale);
    style::style_by_value(z.layer, run.style_field, ramp, vs, 0.7);
    md["style"] = "simplestyle fill: " + run.style_field + " through ramp " + style::ramp_id(ramp) + " (" +
                  style::scale_name(scale) + " 0.." + fmt_num(vs.hi, 6) + ")";
    out.metadata = md;
    double total = 0;
    for (size_t i = 0; i < ev.size(); ++i) total += ev.share.size() == ev.size() ? double(ev.share[i]) : 1.0;
    out.summary.push_back(std::to_string(z.layer.features.size()) + " polygons; " + fmt_num(total - z.outside_events, 10) +
                          " events inside, " + fmt_num(z.outside_events, 10) + " outside every polygon");
    out.layer = std::move(z.layer);
    return out;
}

} // namespace nexusmap::pipeline
