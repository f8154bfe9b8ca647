#include "nexusmap/layers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gdal_util.hpp"
#include "geos_util.hpp"
#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/output.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap {
using namespace detail;

// ---- plain types --------------------------------------------------------------------------
BBox Geometry::bbox() const {
    BBox b = BBox::inverted();
    for (auto& p : points) b.expand(p.x, p.y);
    for (auto& l : lines)
        for (auto& p : l) b.expand(p.x, p.y);
    for (auto& poly : polygons)
        if (!poly.rings.empty())
            for (auto& p : poly.rings[0]) b.expand(p.x, p.y);
    return b;
}

std::string attr_to_string(const AttrValue& v) {
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (auto* d = std::get_if<double>(&v)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.15g", *d);
        return buf;
    }
    return {};
}
std::optional<double> attr_to_double(const AttrValue& v) {
    if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* s = std::get_if<std::string>(&v)) {
        char* end = nullptr;
        double d = std::strtod(s->c_str(), &end);
        if (end != s->c_str() && *end == 0) return d;
    }
    return std::nullopt;
}

static bool iequals(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}
int VectorLayer::field_index(const std::string& n) const {
    for (size_t i = 0; i < fields.size(); ++i)
        if (iequals(fields[i], n)) return static_cast<int>(i);
    return -1;
}
std::string VectorLayer::attr_string(size_t feature, const std::string& field) const {
    int i = field_index(field);
    if (i < 0 || feature >= features.size() || static_cast<size_t>(i) >= features[feature].attrs.size()) return {};
    return attr_to_string(features[feature].attrs[i]);
}
BBox VectorLayer::bbox() const {
    BBox b = BBox::inverted();
    for (auto& f : features) {
        BBox fb = f.geom.bbox();
        if (!fb.empty() || fb.xmin <= fb.xmax) b.expand(fb.xmin, fb.ymin), b.expand(fb.xmax, fb.ymax);
    }
    return b;
}
static bool md_true(const std::map<std::string, std::string>& md, const char* k) {
    auto it = md.find(k);
    return it != md.end() && (it->second == "true" || it->second == "1" || it->second == "yes");
}
// Distinct flags: illustrative routes drawn on a map of real events do not make it synthetic.
bool VectorLayer::synthetic() const { return md_true(metadata, "synthetic"); }
bool VectorLayer::illustrative() const { return md_true(metadata, "illustrative"); }

// ---- reading ------------------------------------------------------------------------------
namespace {

GDALDatasetUniquePtr open_vector(const std::string& path) {
    gdal_init();
    check_input_path(path); // local files only: no URL, FIFO or device (issue #19)
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw GeoError(path, "", "no such file");
    if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0)
        throw GeoError(path, "", "file is empty (0 bytes)");
    QuietGdal quiet;
    CPLErrorReset();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) {
        std::string why = CPLGetLastErrorMsg();
        throw GeoError(path, "", "not a readable vector dataset" + (why.empty() ? std::string() : " (" + why + ")"));
    }
    note_input(path); // never written over (atomic_file.hpp)
    return ds;
}

std::string srs_wkt(const OGRSpatialReference* srs) {
    if (!srs) return {};
    char* wkt = nullptr;
    const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
    srs->exportToWkt(&wkt, opts);
    std::string s = wkt ? wkt : "";
    CPLFree(wkt);
    return s;
}

const char* geom_type_name(GeomType t) {
    switch (t) {
    case GeomType::Point: return "point";
    case GeomType::Line: return "line";
    case GeomType::Polygon: return "polygon";
    default: return "none";
    }
}

bool finite_pts(const std::vector<Vec2>& v) {
    for (auto& p : v)
        if (!std::isfinite(p.x) || !std::isfinite(p.y) || std::fabs(p.x) > 1e15 || std::fabs(p.y) > 1e15) return false;
    return true;
}

void read_ring(const OGRLinearRing* r, Ring& out) {
    out.resize(r->getNumPoints());
    for (int i = 0; i < r->getNumPoints(); ++i) out[i] = {r->getX(i), r->getY(i)};
}

// Appends the parts of `g` to `out`, by dimension.
void convert(const OGRGeometry* g, Geometry& out) {
    if (!g || g->IsEmpty()) return;
    auto t = wkbFlatten(g->getGeometryType());
    switch (t) {
    case wkbPoint: {
        auto* p = g->toPoint();
        out.points.push_back({p->getX(), p->getY()});
        break;
    }
    case wkbLineString: {
        auto* l = g->toLineString();
        LineString ls(l->getNumPoints());
        for (int i = 0; i < l->getNumPoints(); ++i) ls[i] = {l->getX(i), l->getY(i)};
        out.lines.push_back(std::move(ls));
        break;
    }
    case wkbPolygon: {
        auto* p = g->toPolygon();
        Polygon poly;
        if (p->getExteriorRing()) {
            poly.rings.emplace_back();
            read_ring(p->getExteriorRing(), poly.rings.back());
        }
        for (int i = 0; i < p->getNumInteriorRings(); ++i) {
            poly.rings.emplace_back();
            read_ring(p->getInteriorRing(i), poly.rings.back());
        }
        out.polygons.push_back(std::move(poly));
        break;
    }
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection: {
        auto* c = g->toGeometryCollection();
        for (int i = 0; i < c->getNumGeometries(); ++i) convert(c->getGeometryRef(i), out);
        break;
    }
    default: {
        // Curves, TINs, polyhedral surfaces: linearise first.
        std::unique_ptr<OGRGeometry> lin(g->getLinearGeometry());
        if (lin && wkbFlatten(lin->getGeometryType()) != t) convert(lin.get(), out);
    }
    }
}

} // namespace

std::vector<std::string> list_layers(const std::string& path) {
    auto ds = open_vector(path);
    std::vector<std::string> out;
    for (auto* l : ds->GetLayers()) out.push_back(l->GetName());
    return out;
}

VectorLayer read_layer(const std::string& path, const ReadLayerOptions& opt, Progress progress) {
    auto ds = open_vector(path);
    QuietGdal quiet;
    OGRLayer* lyr = nullptr;
    if (opt.layer.empty()) {
        if (ds->GetLayerCount() < 1) throw GeoError(path, "", "contains no vector layer");
        lyr = ds->GetLayer(0);
    } else {
        lyr = ds->GetLayerByName(opt.layer.c_str());
        if (!lyr) {
            std::string names;
            for (auto* l : ds->GetLayers()) names += std::string(names.empty() ? "" : ", ") + l->GetName();
            throw GeoError(path, "layer '" + opt.layer + "'", "not found (layers: " + names + ")");
        }
    }
    if (!opt.where.empty() && lyr->SetAttributeFilter(opt.where.c_str()) != OGRERR_NONE)
        throw GeoError(path, "filter '" + opt.where + "'", "invalid: " + cpl_error());

    VectorLayer out;
    out.name = lyr->GetName();
    out.source = path;
    OGRFeatureDefn* defn = lyr->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) out.fields.push_back(defn->GetFieldDefn(i)->GetNameRef());
    // Dataset / layer metadata (e.g. a GeoJSON "metadata" member is not exposed by OGR; we also
    // look at well-known labelling fields below).
    for (OGRLayer* l : {lyr}) {
        if (char** md = l->GetMetadata()) {
            for (char** p = md; *p; ++p) {
                char* key = nullptr;
                const char* val = CPLParseNameValue(*p, &key);
                if (key && val) out.metadata[key] = val;
                CPLFree(key);
            }
        }
    }

    std::string wkt = srs_wkt(lyr->GetSpatialRef());
    if (!wkt.empty()) out.crs = Crs::from_wkt(wkt);
    else if (opt.assume_crs) out.crs = *opt.assume_crs;

    const GIntBig total = lyr->GetFeatureCount(FALSE);
    size_t counts[4] = {0, 0, 0, 0};
    std::vector<Geometry> geoms;
    std::vector<Feature> feats;
    lyr->ResetReading();
    size_t n = 0;
    for (auto& fptr : *lyr) {
        OGRFeature* f = fptr.get();
        ++n;
        if (total > 0 && (n & 1023) == 0) progress(double(n) / double(total), "reading features");
        Feature feat;
        feat.fid = f->GetFID();
        feat.attrs.resize(out.fields.size());
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            if (!f->IsFieldSetAndNotNull(i)) continue;
            switch (defn->GetFieldDefn(i)->GetType()) {
            case OFTInteger:
            case OFTInteger64: feat.attrs[i] = static_cast<int64_t>(f->GetFieldAsInteger64(i)); break;
            case OFTReal: feat.attrs[i] = f->GetFieldAsDouble(i); break;
            default: feat.attrs[i] = std::string(f->GetFieldAsString(i));
            }
        }
        convert(f->GetGeometryRef(), feat.geom);
        const std::string where = "feature " + std::to_string(n) + " (fid " + std::to_string(feat.fid) + ")";
        bool ok = finite_pts(feat.geom.points);
        for (auto& l : feat.geom.lines) ok = ok && finite_pts(l);
        for (auto& p : feat.geom.polygons)
            for (auto& r : p.rings) ok = ok && finite_pts(r);
        if (!ok) {
            out.warnings.push_back(path + ": " + where + ": NaN, infinite or absurd coordinates; feature skipped");
            continue;
        }
        if (!feat.geom.polygons.empty()) counts[3]++;
        else if (!feat.geom.lines.empty()) counts[2]++;
        else if (!feat.geom.points.empty()) counts[1]++;
        else counts[0]++;
        feats.push_back(std::move(feat));
    }
    if (feats.empty() && n > 0 && counts[0] == 0)
        throw GeoError(path, "", "no feature has usable geometry (" + std::to_string(n) + " read)");

    // The layer takes the dimension most features have; others are reported, not mixed in.
    size_t best = 0;
    for (size_t d = 1; d < 4; ++d)
        if (counts[d] > counts[best] || best == 0) best = counts[d] > 0 ? d : best;
    out.type = best == 3 ? GeomType::Polygon : best == 2 ? GeomType::Line : best == 1 ? GeomType::Point : GeomType::None;
    size_t dropped_mixed = 0, repaired = 0, idx = 0;
    for (auto& feat : feats) {
        ++idx;
        Geometry& g = feat.geom;
        if (g.empty()) {
            out.features.push_back(std::move(feat)); // attribute-only rows stay (empty geometry)
            continue;
        }
        // Keep only the parts of the layer's dimension.
        const bool has = (out.type == GeomType::Polygon && !g.polygons.empty()) ||
                         (out.type == GeomType::Line && !g.lines.empty()) ||
                         (out.type == GeomType::Point && !g.points.empty());
        if (!has) {
            ++dropped_mixed;
            if (dropped_mixed <= 5)
                out.warnings.push_back(path + ": feature " + std::to_string(idx) + ": geometry is not a " +
                                       geom_type_name(out.type) + " like the rest of the layer; skipped");
            continue;
        }
        if (out.type != GeomType::Polygon) g.polygons.clear();
        if (out.type != GeomType::Line) g.lines.clear();
        if (out.type != GeomType::Point) g.points.clear();
        g.type = out.type;
        if (out.type == GeomType::Polygon) {
            // Close unclosed rings, drop degenerate ones.
            for (auto& p : g.polygons)
                for (auto& r : p.rings)
                    if (r.size() >= 3 && (r.front().x != r.back().x || r.front().y != r.back().y)) r.push_back(r.front());
            std::string reason;
            if (opt.make_valid && !is_valid(g, &reason)) {
                Geometry fixed = make_valid(g);
                ++repaired;
                if (fixed.polygons.empty()) {
                    out.warnings.push_back(path + ": feature " + std::to_string(idx) + ": invalid polygon (" + reason +
                                           ") has no area after repair; skipped");
                    continue;
                }
                out.warnings.push_back(path + ": feature " + std::to_string(idx) + ": invalid polygon (" + reason +
                                       ") repaired with GEOS MakeValid");
                g = std::move(fixed);
            }
        }
        out.features.push_back(std::move(feat));
    }
    if (dropped_mixed > 5)
        out.warnings.push_back(path + ": " + std::to_string(dropped_mixed) + " features of another geometry type skipped in all");

    // A missing CRS is only guessed when every coordinate is plausible lon/lat.
    if (!out.crs.valid()) {
        BBox b = out.bbox();
        if (b.xmin >= -180 && b.xmax <= 180 && b.ymin >= -90 && b.ymax <= 90) {
            out.crs = Crs::wgs84();
            out.warnings.push_back(path + ": no CRS declared; coordinates look like lon/lat, assuming EPSG:4326");
        } else if (!out.features.empty()) {
            throw GeoError(path, "layer '" + out.name + "'", "declares no CRS and its coordinates are not lon/lat; give one with --crs");
        }
    }
    // Labelling fields used by our demo files (and by analysts marking their own synthetic data).
    for (const char* fld : {"source_note", "synthetic"}) {
        int fi = out.field_index(fld);
        if (fi < 0) continue;
        for (auto& f : out.features) {
            std::string s = attr_to_string(f.attrs[fi]);
            std::string low = s;
            std::transform(low.begin(), low.end(), low.begin(), ::tolower);
            if (low.find("synthetic") != std::string::npos || low == "true") out.metadata["synthetic"] = "true";
            if (low.find("illustrative") != std::string::npos) out.metadata["illustrative"] = "true";
            break;
        }
    }
    if (opt.target_crs && out.crs.valid() && !out.crs.same_as(*opt.target_crs)) out = reproject(out, *opt.target_crs);
    out.prov = detect_provenance(out, out.type == GeomType::Line ? "lines" : out.type == GeomType::Polygon ? "polygons" : "layer");
    progress(1.0, "read");
    return out;
}

DatasetInfo inspect_dataset(const std::string& path) {
    gdal_init();
    check_input_path(path);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw GeoError(path, "", "no such file");
    if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0)
        throw GeoError(path, "", "file is empty (0 bytes)");
    QuietGdal quiet;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw GeoError(path, "", "not a dataset GDAL can read (" + cpl_error() + ")");
    DatasetInfo info;
    info.path = path;
    info.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "?";
    if (char** md = ds->GetMetadata()) {
        for (char** p = md; *p; ++p) {
            char* key = nullptr;
            const char* val = CPLParseNameValue(*p, &key);
            if (key && val) info.metadata[key] = val;
            CPLFree(key);
        }
    }
    if (ds->GetRasterCount() > 0) {
        info.is_raster = true;
        info.raster_width = ds->GetRasterXSize();
        info.raster_height = ds->GetRasterYSize();
        info.raster_bands = ds->GetRasterCount();
        if (auto* srs = ds->GetSpatialRef()) info.raster_crs = srs->GetName() ? srs->GetName() : "?";
    }
    for (auto* l : ds->GetLayers()) {
        LayerInfo li;
        li.name = l->GetName();
        li.geometry_type = OGRGeometryTypeToName(l->GetGeomType());
        li.feature_count = l->GetFeatureCount(TRUE);
        if (auto* srs = l->GetSpatialRef()) li.crs_name = srs->GetName() ? srs->GetName() : "?";
        OGREnvelope env;
        if (l->GetExtent(&env, TRUE) == OGRERR_NONE) li.extent = {env.MinX, env.MinY, env.MaxX, env.MaxY};
        auto* d = l->GetLayerDefn();
        for (int i = 0; i < d->GetFieldCount(); ++i)
            li.fields.emplace_back(d->GetFieldDefn(i)->GetNameRef(), OGRFieldDefn::GetFieldTypeName(d->GetFieldDefn(i)->GetType()));
        info.layers.push_back(std::move(li));
    }
    return info;
}

VectorLayer reproject(const VectorLayer& layer, const Crs& target) {
    VectorLayer out = layer;
    out.crs = target;
    if (!layer.crs.valid()) throw GeoError(layer.source, "layer '" + layer.name + "'", "has no CRS to reproject from");
    Transformer t(layer.crs, target);
    auto tr = [&](std::vector<Vec2>& pts) {
        std::vector<double> x(pts.size()), y(pts.size());
        for (size_t i = 0; i < pts.size(); ++i) x[i] = pts[i].x, y[i] = pts[i].y;
        t.forward(x.data(), y.data(), pts.size());
        for (size_t i = 0; i < pts.size(); ++i) pts[i] = {x[i], y[i]};
    };
    size_t failed = 0;
    for (auto& f : out.features) {
        tr(f.geom.points);
        for (auto& l : f.geom.lines) tr(l);
        for (auto& p : f.geom.polygons)
            for (auto& r : p.rings) tr(r);
        BBox b = f.geom.bbox();
        if (!f.geom.empty() && !(std::isfinite(b.xmin) && std::isfinite(b.ymax))) ++failed;
    }
    if (failed) out.warnings.push_back(layer.source + ": " + std::to_string(failed) + " features could not be fully reprojected to " + target.name());
    return out;
}

// ---- writing ------------------------------------------------------------------------------
namespace {
void put_coord(std::string& s, double x, double y, int prec) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "[%.*f,%.*f]", prec, x, prec, y);
    s += buf;
}
void put_ring(std::string& s, const std::vector<Vec2>& r, int prec, bool ccw_exterior, bool is_exterior) {
    // RFC 7946: exterior rings counter-clockwise, holes clockwise.
    double a = 0;
    for (size_t i = 0; i + 1 < r.size(); ++i) a += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y;
    const bool ccw = a > 0;
    const bool want_ccw = is_exterior == ccw_exterior;
    s += '[';
    for (size_t k = 0; k < r.size(); ++k) {
        size_t i = (ccw == want_ccw) ? k : r.size() - 1 - k;
        if (k) s += ',';
        put_coord(s, r[i].x, r[i].y, prec);
    }
    s += ']';
}
std::string geometry_json(const Geometry& g, int prec) {
    std::string s;
    if (g.type == GeomType::Point && !g.points.empty()) {
        if (g.points.size() == 1) {
            s = "{\"type\":\"Point\",\"coordinates\":";
            put_coord(s, g.points[0].x, g.points[0].y, prec);
        } else {
            s = "{\"type\":\"MultiPoint\",\"coordinates\":[";
            for (size_t i = 0; i < g.points.size(); ++i) {
                if (i) s += ',';
                put_coord(s, g.points[i].x, g.points[i].y, prec);
            }
            s += ']';
        }
    } else if (g.type == GeomType::Line && !g.lines.empty()) {
        // Always Multi*: one geometry type per layer, so OGR reports MultiLineString, not "Unknown (any)".
        const bool multi = true;
        s = "{\"type\":\"MultiLineString\",\"coordinates\":[";
        for (size_t i = 0; i < g.lines.size(); ++i) {
            if (i) s += ',';
            s += '[';
            for (size_t k = 0; k < g.lines[i].size(); ++k) {
                if (k) s += ',';
                put_coord(s, g.lines[i][k].x, g.lines[i][k].y, prec);
            }
            s += ']';
        }
        if (multi) s += ']';
    } else if (g.type == GeomType::Polygon && !g.polygons.empty()) {
        const bool multi = true; // always MultiPolygon (one geometry type per layer)
        s = "{\"type\":\"MultiPolygon\",\"coordinates\":[";
        for (size_t i = 0; i < g.polygons.size(); ++i) {
            if (i) s += ',';
            s += '[';
            for (size_t r = 0; r < g.polygons[i].rings.size(); ++r) {
                if (r) s += ',';
                put_ring(s, g.polygons[i].rings[r], prec, true, r == 0);
            }
            s += ']';
        }
        if (multi) s += ']';
    } else {
        return "null";
    }
    s += '}';
    return s;
}
nlohmann::json attr_json(const AttrValue& v) {
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    if (auto* i = std::get_if<int64_t>(&v)) return *i;
    if (auto* d = std::get_if<double>(&v)) return std::isfinite(*d) ? nlohmann::json(*d) : nlohmann::json();
    return nullptr;
}
} // namespace

std::string to_geojson(const VectorLayer& layer, const std::map<std::string, std::string>& metadata, int precision) {
    const VectorLayer* src = &layer;
    VectorLayer tmp;
    if (layer.crs.valid() && !layer.crs.same_as(Crs::wgs84())) {
        tmp = reproject(layer, Crs::wgs84());
        src = &tmp;
    }
    std::string s;
    s.reserve(1 << 16);
    s += "{\"type\":\"FeatureCollection\",\"name\":";
    s += nlohmann::json(layer.name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    nlohmann::json md = nlohmann::json::object();
    for (auto& [k, v] : layer.metadata) md[k] = v;
    for (auto& [k, v] : metadata) md[k] = v;
    if (!md.empty()) s += ",\"metadata\":" + md.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    s += ",\"features\":[\n";
    bool first = true;
    for (auto& f : src->features) {
        if (!first) s += ",\n";
        first = false;
        nlohmann::json props = nlohmann::json::object();
        for (size_t i = 0; i < src->fields.size() && i < f.attrs.size(); ++i) props[src->fields[i]] = attr_json(f.attrs[i]);
        s += "{\"type\":\"Feature\",\"properties\":";
        s += props.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        s += ",\"geometry\":" + geometry_json(f.geom, precision) + "}";
    }
    s += "\n]}\n";
    return s;
}

void write_geojson(const VectorLayer& layer, const std::string& path,
                   const std::map<std::string, std::string>& metadata, int precision) {
    // Every vector product says real or synthetic in an attribute too (output.hpp: survives ogr2ogr).
    std::map<std::string, std::string> md = layer.metadata;
    for (auto& [k, v] : metadata) md[k] = v;
    write_text_atomic(path, to_geojson(with_data_kind(layer, md), metadata, precision));
}

void write_gpkg(const VectorLayer& layer, const std::string& path) {
    // The registry's GeoPackage: Multi* geometry, QGIS style in layer_styles, metadata, data_kind.
    WriteOptions o;
    o.metadata = layer.metadata;
    write_vector(layer, path, o);
}

// ---- GEOS-backed utilities ---------------------------------------------------------------------
double area(const Geometry& g) {
    if (g.type != GeomType::Polygon) return 0;
    double a = 0;
    GeosPtr gg = to_geos(g);
    GEOSArea_r(geos_ctx(), gg.get(), &a);
    return a;
}
double length(const Geometry& g) {
    if (g.empty()) return 0;
    double l = 0;
    GeosPtr gg = to_geos(g);
    GEOSLength_r(geos_ctx(), gg.get(), &l);
    return l;
}
bool is_valid(const Geometry& g, std::string* reason) {
    if (g.empty()) return true;
    GeosPtr gg;
    try {
        gg = to_geos(g);
    } catch (const GeoError& e) {
        if (reason) *reason = e.what();
        return false;
    }
    if (!gg) return false;
    char* r = GEOSisValidReason_r(geos_ctx(), gg.get());
    const bool ok = r && std::string(r) == "Valid Geometry";
    if (reason && r) *reason = r;
    if (r) GEOSFree_r(geos_ctx(), r);
    return ok;
}
Geometry make_valid(const Geometry& g) {
    GeosPtr gg = to_geos(g);
    GeosPtr v(GEOSMakeValid_r(geos_ctx(), gg.get()));
    if (!v) throw GeoError("", "geometry", "MakeValid failed: " + geos_last_error());
    Geometry out = from_geos(v.get());
    if (g.type == GeomType::Polygon && out.type != GeomType::Polygon) return Geometry{};
    return out;
}

// ---- point-in-polygon index ------------------------------------------------------------------
struct PolygonIndex::Impl {
    // Per feature: bbox + its rings, tested by even-odd ray casting. Plain data (no GEOS
    // handles), so queries are thread-safe; tests/test_layers.cpp checks it against known answers.
    std::vector<BBox> boxes;
    std::vector<Geometry> geoms;
    // Simple uniform bucket grid over the bboxes for candidate lookup.
    BBox extent;
    int nx = 1, ny = 1;
    std::vector<std::vector<int>> buckets;
};

PolygonIndex::PolygonIndex(const VectorLayer& polygons) : impl_(std::make_unique<Impl>()) {
    auto& I = *impl_;
    I.extent = BBox::inverted();
    for (auto& f : polygons.features) {
        I.geoms.push_back(f.geom);
        BBox b = f.geom.type == GeomType::Polygon ? f.geom.bbox() : BBox::inverted();
        I.boxes.push_back(b);
        if (b.xmin <= b.xmax) I.extent.expand(b.xmin, b.ymin), I.extent.expand(b.xmax, b.ymax);
    }
    I.nx = I.ny = 64;
    I.buckets.assign(size_t(I.nx) * I.ny, {});
    if (I.extent.xmin > I.extent.xmax) return;
    const double cw = std::max(I.extent.width(), 1e-12) / I.nx, ch = std::max(I.extent.height(), 1e-12) / I.ny;
    for (size_t k = 0; k < I.boxes.size(); ++k) {
        const BBox& b = I.boxes[k];
        if (b.xmin > b.xmax) continue;
        int c0 = std::clamp(int((b.xmin - I.extent.xmin) / cw), 0, I.nx - 1), c1 = std::clamp(int((b.xmax - I.extent.xmin) / cw), 0, I.nx - 1);
        int r0 = std::clamp(int((b.ymin - I.extent.ymin) / ch), 0, I.ny - 1), r1 = std::clamp(int((b.ymax - I.extent.ymin) / ch), 0, I.ny - 1);
        for (int r = r0; r <= r1; ++r)
            for (int c = c0; c <= c1; ++c) I.buckets[size_t(r) * I.nx + c].push_back(static_cast<int>(k));
    }
}
PolygonIndex::~PolygonIndex() = default;
PolygonIndex::PolygonIndex(PolygonIndex&&) noexcept = default;
PolygonIndex& PolygonIndex::operator=(PolygonIndex&&) noexcept = default;

namespace {
// Even-odd ray casting over all rings of one polygon part (holes excluded); boundary points
// count as inside via an explicit on-segment test.
bool in_polygon(const Polygon& p, double x, double y) {
    bool inside = false;
    for (auto& r : p.rings) {
        const size_t n = r.size();
        for (size_t i = 0, j = n ? n - 1 : 0; i < n; j = i++) {
            const Vec2 &a = r[i], &b = r[j];
            // on-segment
            const double cross = (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
            if (std::fabs(cross) <= 1e-12 * (std::fabs(b.x - a.x) + std::fabs(b.y - a.y) + 1) &&
                x >= std::min(a.x, b.x) && x <= std::max(a.x, b.x) && y >= std::min(a.y, b.y) && y <= std::max(a.y, b.y))
                return true;
            if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) inside = !inside;
        }
    }
    return inside;
}
} // namespace

int PolygonIndex::locate(double x, double y) const {
    auto& I = *impl_;
    if (!I.extent.contains(x, y)) return -1;
    const double cw = std::max(I.extent.width(), 1e-12) / I.nx, ch = std::max(I.extent.height(), 1e-12) / I.ny;
    int c = std::clamp(int((x - I.extent.xmin) / cw), 0, I.nx - 1), r = std::clamp(int((y - I.extent.ymin) / ch), 0, I.ny - 1);
    for (int k : I.buckets[size_t(r) * I.nx + c]) {
        if (!I.boxes[k].contains(x, y)) continue;
        for (auto& p : I.geoms[k].polygons)
            if (in_polygon(p, x, y)) return k;
    }
    return -1;
}

std::pair<std::string, std::string> split_layer_spec(const std::string& spec) {
    // "file.gpkg:admin1" but not "C:\\..." style or URLs.
    auto p = spec.rfind(':');
    if (p != std::string::npos && p > 1 && spec.find('/', p) == std::string::npos && !std::filesystem::exists(spec))
        return {spec.substr(0, p), spec.substr(p + 1)};
    return {spec, ""};
}

} // namespace nexusmap
