#include "nexusmap/output.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <gdal_rat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gdal_util.hpp"
#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/qml.hpp"
#include "nexusmap/style.hpp"
#include "nexusmap/version.hpp"
#include "nexusmap/text.hpp"
#include "xml_util.hpp"

namespace fs = std::filesystem;

namespace nexusmap {
using namespace detail;

// ---- the registry -----------------------------------------------------------------------------

const std::vector<FormatInfo>& output_formats() {
    static const std::vector<FormatInfo> f = {
        {OutputFormat::GeoTiff, "GeoTIFF", {".tif", ".tiff"}, true, false, false, false},
        {OutputFormat::GeoPackage, "GeoPackage", {".gpkg"}, false, true, true, false},
        {OutputFormat::GeoJson, "GeoJSON", {".geojson", ".json"}, false, true, false, true},
        {OutputFormat::FlatGeobuf, "FlatGeobuf", {".fgb"}, false, true, false, false},
        {OutputFormat::Csv, "CSV", {".csv"}, false, true, true, true},
        {OutputFormat::Kml, "KML", {".kml"}, false, true, false, false},
        {OutputFormat::Kmz, "KMZ", {".kmz"}, false, true, false, false},
    };
    return f;
}

const FormatInfo& format_info(OutputFormat f) {
    for (auto& i : output_formats())
        if (i.format == f) return i;
    return output_formats().front();
}

namespace {
std::string lower_ext(const std::string& path) {
    return ascii_lower(fs::path(path).extension().string());
}
bool holds(const FormatInfo& f, ProductKind k) {
    return k == ProductKind::Raster ? f.raster : k == ProductKind::Vector ? f.vector : f.table;
}
} // namespace

const FormatInfo* format_for_path(const std::string& path) {
    const std::string e = lower_ext(path);
    if (e.empty()) return nullptr;
    for (auto& f : output_formats())
        for (const char* x : f.extensions)
            if (e == x) return &f;
    return nullptr;
}

const char* product_kind_name(ProductKind k) {
    return k == ProductKind::Raster ? "raster" : k == ProductKind::Vector ? "vector layer" : "table";
}

std::string extensions_for(ProductKind kind) {
    std::string s;
    for (auto& f : output_formats())
        if (holds(f, kind))
            for (const char* x : f.extensions) s += (s.empty() ? "" : ", ") + std::string(x);
    return s;
}

std::vector<std::string> companion_files(const std::string& path, ProductKind kind) {
    if (is_stdout(path)) return {};
    const FormatInfo* f = format_for_path(path);
    if (!f) return {};
    if (f->format == OutputFormat::Csv) return {path + ".json", fs::path(path).replace_extension(".csvt").string()};
    if (f->format == OutputFormat::GeoTiff && kind == ProductKind::Raster) return {path + ".aux.xml"};
    return {};
}

OutputFormat check_output_for(const std::string& path, ProductKind kind, bool overwrite,
                              const std::vector<std::string>& inputs, const std::string& what) {
    const std::string label = what + " '" + path + "'";
    if (path.empty()) throw GeoError("", what, "is empty: give a file name whose extension picks the format (" + extensions_for(kind) + ")");
    if (is_stdout(path)) {
        if (kind == ProductKind::Raster)
            throw GeoError("", label, "a raster cannot be streamed to stdout: give a file name (.tif, .tiff)");
        return kind == ProductKind::Vector ? OutputFormat::GeoJson : OutputFormat::Csv;
    }
    // Inputs, devices, folders and existing files first: that message names the real problem.
    check_output_path(path, overwrite, inputs);
    const FormatInfo* f = format_for_path(path);
    if (!f) {
        const std::string e = lower_ext(path);
        std::string why = e.empty() ? "has no extension" : "has an extension nexusmap does not write (" + e + ")";
        why += ": this " + std::string(product_kind_name(kind)) + " can be written as " + extensions_for(kind);
        if (e == ".shp") why += " (no Shapefile: it truncates field names and drops metadata; convert a .gpkg with ogr2ogr)";
        throw GeoError("", label, why);
    }
    if (!holds(*f, kind))
        throw GeoError("", label,
                       std::string("is a ") + f->name + " name, but this output is a " + product_kind_name(kind) +
                           ": use " + extensions_for(kind));
    const fs::path parent = fs::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec))
        throw GeoError(path, "", "output folder '" + parent.string() + "' does not exist");
    for (const auto& c : companion_files(path, kind)) check_output_path(c, overwrite, inputs);
    return f->format;
}

// ---- provenance helpers -----------------------------------------------------------------------

std::string data_kind(const Metadata& md, const VectorLayer* layer) {
    auto it = md.find("synthetic");
    const bool syn = (it != md.end() && it->second == "true") || (layer && layer->synthetic());
    return syn ? "synthetic" : "real";
}

namespace {
Metadata merged(const VectorLayer& l, const Metadata& md) {
    Metadata m = l.metadata;
    for (auto& [k, v] : md) m[k] = v;
    return m;
}
} // namespace

VectorLayer with_data_kind(const VectorLayer& l, const Metadata& md) {
    VectorLayer o = l;
    if (o.field_index("data_kind") >= 0) return o;
    const std::string dk = data_kind(md, &l);
    o.fields.push_back("data_kind");
    for (auto& f : o.features) {
        f.attrs.resize(l.fields.size());
        f.attrs.push_back(dk);
    }
    return o;
}

namespace {
int g_stdout_fd = 1;
void write_stdout(const std::string& s) {
    std::fflush(stdout); // anything buffered for fd 1 goes first
    size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(g_stdout_fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw GeoError("-", "", std::string("writing to stdout failed: ") + std::strerror(errno));
        done += size_t(n);
    }
}
} // namespace

void set_stdout_fd(int fd) { g_stdout_fd = fd >= 0 ? fd : 1; }

namespace {
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}
bool parses_int(const std::string& s) {
    long long v;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
bool parses_real(const std::string& s) {
    if (s == "nan" || s == "inf" || s == "-inf") return false;
    double v;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
} // namespace

std::vector<std::string> table_column_types(const Table& t) {
    std::vector<std::string> types;
    for (size_t c = 0; c < t.columns.size(); ++c) {
        if (t.columns[c] == "WKT") {
            types.push_back("WKT");
            continue;
        }
        bool any = false, ints = true, reals = true;
        for (auto& r : t.rows) {
            if (c >= r.size() || r[c].empty()) continue;
            any = true;
            ints = ints && parses_int(r[c]);
            reals = reals && parses_real(r[c]);
            if (!reals) break;
        }
        types.push_back(!any ? "String" : ints ? "Integer64" : reals ? "Real" : "String");
    }
    return types;
}

std::string csv_sidecar_json(const Table& t, const std::string& csv_name, const Metadata& md) {
    nlohmann::ordered_json j;
    j["file"] = csv_name;
    j["format"] = "CSV (RFC 4180), one header row; this sidecar holds its metadata";
    j["written_by"] = std::string("nexusmap ") + kVersion;
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (auto& [k, v] : md) m[k] = v;
    j["metadata"] = m;
    const auto types = table_column_types(t);
    nlohmann::ordered_json cols = nlohmann::ordered_json::array();
    for (size_t i = 0; i < t.columns.size(); ++i) cols.push_back({{"name", t.columns[i]}, {"type", types[i]}});
    j["columns"] = cols;
    if (std::find(t.columns.begin(), t.columns.end(), "WKT") != t.columns.end())
        j["geometry"] = {{"column", "WKT"}, {"encoding", "WKT"}, {"crs", "EPSG:4326"}, {"axis_order", "lon, lat"}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Metadata read_csv_sidecar(const std::string& csv_path) {
    Metadata md;
    std::ifstream in(csv_path + ".json", std::ios::binary);
    if (!in) return md;
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("metadata") || !j["metadata"].is_object()) return md;
    for (auto& [k, v] : j["metadata"].items())
        if (v.is_string()) md[k] = v.get<std::string>();
    return md;
}

// ---- CSV --------------------------------------------------------------------------------------

namespace {
std::string csv_text(const Table& t) {
    std::string s;
    for (size_t i = 0; i < t.columns.size(); ++i) s += (i ? "," : "") + csv_field(t.columns[i]);
    s += "\n";
    for (auto& r : t.rows) {
        for (size_t i = 0; i < r.size(); ++i) s += (i ? "," : "") + csv_field(r[i]);
        s += "\n";
    }
    return s;
}
void write_csv_files(const Table& t, const std::string& path, const WriteOptions& opt) {
    if (is_stdout(path)) return write_stdout(csv_text(t)); // the sidecar cannot follow a stream
    // The CSV, its sidecar and its .csvt appear together or not at all.
    OutputSet set(opt.overwrite);
    write_text_atomic(path, csv_text(t), opt.overwrite);
    write_text_atomic(path + ".json", csv_sidecar_json(t, fs::path(path).filename().string(), opt.metadata), opt.overwrite);
    // OGR and QGIS read column types from NAME.csvt (otherwise every column is a string).
    std::string csvt;
    for (auto& ty : table_column_types(t)) csvt += (csvt.empty() ? "" : ",") + ("\"" + ty + "\"");
    write_text_atomic(fs::path(path).replace_extension(".csvt").string(), csvt + "\n", opt.overwrite);
    set.commit();
}
} // namespace

void write_csv(const Table& t, const std::string& path, const Metadata& metadata) {
    WriteOptions o;
    o.metadata = metadata;
    write_csv_files(t, path, o);
}

// ---- geometry as OGR and WKT ------------------------------------------------------------------

namespace {
std::unique_ptr<OGRGeometry> to_ogr(const Geometry& g) {
    if (g.empty()) return nullptr;
    if (g.type == GeomType::Point) {
        auto mp = std::make_unique<OGRMultiPoint>();
        for (auto& p : g.points) {
            OGRPoint pt(p.x, p.y);
            mp->addGeometry(&pt);
        }
        return mp;
    }
    if (g.type == GeomType::Line) {
        auto ml = std::make_unique<OGRMultiLineString>();
        for (auto& l : g.lines) {
            OGRLineString ls;
            for (auto& p : l) ls.addPoint(p.x, p.y);
            ml->addGeometry(&ls);
        }
        return ml;
    }
    auto mp = std::make_unique<OGRMultiPolygon>();
    for (auto& poly : g.polygons) {
        OGRPolygon op;
        for (auto& r : poly.rings) {
            OGRLinearRing ring;
            for (auto& p : r) ring.addPoint(p.x, p.y);
            ring.closeRings();
            op.addRing(&ring);
        }
        mp->addGeometry(&op);
    }
    return mp;
}
OGRwkbGeometryType ogr_type(GeomType t) {
    return t == GeomType::Polygon ? wkbMultiPolygon : t == GeomType::Line ? wkbMultiLineString : t == GeomType::Point ? wkbMultiPoint : wkbUnknown;
}
std::string wkt_num(double v, int prec) {
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", prec, v);
    return b;
}
std::string coords(const std::vector<Vec2>& pts, int prec) {
    std::string s = "(";
    for (size_t i = 0; i < pts.size(); ++i) s += (i ? "," : "") + wkt_num(pts[i].x, prec) + " " + wkt_num(pts[i].y, prec);
    return s + ")";
}
std::string to_wkt(const Geometry& g, int prec) {
    if (g.empty()) return "";
    std::string s;
    if (g.type == GeomType::Point) {
        s = "MULTIPOINT (";
        for (size_t i = 0; i < g.points.size(); ++i) s += (i ? "," : "") + coords({g.points[i]}, prec);
    } else if (g.type == GeomType::Line) {
        s = "MULTILINESTRING (";
        for (size_t i = 0; i < g.lines.size(); ++i) s += (i ? "," : "") + coords(g.lines[i], prec);
    } else {
        s = "MULTIPOLYGON (";
        for (size_t i = 0; i < g.polygons.size(); ++i) {
            s += i ? ",(" : "(";
            for (size_t r = 0; r < g.polygons[i].rings.size(); ++r) s += (r ? "," : "") + coords(g.polygons[i].rings[r], prec);
            s += ")";
        }
    }
    return s + ")";
}
const VectorLayer& in_wgs84(const VectorLayer& l, VectorLayer& tmp) {
    if (!l.crs.valid() || l.crs.same_as(Crs::wgs84())) return l;
    tmp = reproject(l, Crs::wgs84());
    return tmp;
}
std::string fmt_attr(const AttrValue& v) {
    if (auto* d = std::get_if<double>(&v)) return fmt_num(*d, 10);
    return attr_to_string(v);
}
} // namespace

Table table_with_geometry(Table t, const VectorLayer& layer, const Metadata& md, int precision) {
    VectorLayer tmp;
    const VectorLayer& w = in_wgs84(layer, tmp);
    const std::string dk = data_kind(md, &layer);
    const bool add_kind = std::find(t.columns.begin(), t.columns.end(), "data_kind") == t.columns.end();
    if (add_kind) t.columns.push_back("data_kind");
    t.columns.push_back("WKT");
    for (size_t i = 0; i < t.rows.size(); ++i) {
        if (add_kind) t.rows[i].push_back(dk);
        t.rows[i].push_back(i < w.features.size() ? to_wkt(w.features[i].geom, precision) : "");
    }
    return t;
}

// ---- OGR datasets (GeoPackage, FlatGeobuf) ----------------------------------------------------

namespace {
struct GdalDatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};

// Named CRS for GDAL: the WKT as stored (nexusmap names its LAEA), traditional axis order.
OGRSpatialReference srs_of(const Crs& crs) { return named_srs(crs.valid() ? crs.wkt() : "", crs.definition()); }

OGRFieldType field_type(const VectorLayer& l, size_t i) {
    for (auto& f : l.features) {
        if (i >= f.attrs.size()) continue;
        if (std::holds_alternative<int64_t>(f.attrs[i])) return OFTInteger64;
        if (std::holds_alternative<double>(f.attrs[i])) return OFTReal;
        if (std::holds_alternative<std::string>(f.attrs[i])) return OFTString;
    }
    return OFTString;
}

void put_metadata(GDALMajorObject* o, const Metadata& md) {
    for (auto& [k, v] : md)
        if (k != "AREA_OR_POINT") o->SetMetadataItem(k.c_str(), v.c_str()); // a raster's GDAL item, not provenance
}

void add_vector_layer(GDALDataset* ds, const VectorLayer& in, const std::string& name, const Metadata& md,
                      const std::string& path, const char* const* lco) {
    const VectorLayer l = with_data_kind(in, md);
    OGRSpatialReference srs = srs_of(l.crs);
    OGRLayer* ol = ds->CreateLayer(name.c_str(), l.crs.valid() ? &srs : nullptr, ogr_type(l.type), const_cast<char**>(lco));
    if (!ol) throw GeoError(path, "layer " + name, "cannot create: " + cpl_error());
    for (size_t i = 0; i < l.fields.size(); ++i) {
        OGRFieldDefn fd(l.fields[i].c_str(), field_type(l, i));
        if (ol->CreateField(&fd) != OGRERR_NONE) throw GeoError(path, "field " + l.fields[i], "cannot create: " + cpl_error());
    }
    const bool tx = ol->TestCapability(OLCTransactions);
    if (tx && ol->StartTransaction() != OGRERR_NONE) throw GeoError(path, "", "cannot start transaction: " + cpl_error());
    for (auto& f : l.features) {
        OgrFeaturePtr of(OGRFeature::CreateFeature(ol->GetLayerDefn()));
        for (size_t i = 0; i < l.fields.size() && i < f.attrs.size(); ++i) {
            const auto& v = f.attrs[i];
            const int k = static_cast<int>(i);
            if (auto* s = std::get_if<std::string>(&v)) of->SetField(k, s->c_str());
            else if (auto* n = std::get_if<int64_t>(&v)) of->SetField(k, static_cast<GIntBig>(*n));
            else if (auto* d = std::get_if<double>(&v)) {
                if (std::isfinite(*d)) of->SetField(k, *d);
                else of->SetFieldNull(k);
            } else of->SetFieldNull(k);
        }
        if (auto g = to_ogr(f.geom)) {
            if (l.crs.valid()) g->assignSpatialReference(&srs);
            of->SetGeometryDirectly(g.release());
        }
        if (ol->CreateFeature(of.get()) != OGRERR_NONE) throw GeoError(path, "layer " + name, "cannot write feature: " + cpl_error());
    }
    if (tx && ol->CommitTransaction() != OGRERR_NONE) throw GeoError(path, "", "cannot commit features: " + cpl_error());
    put_metadata(ol, md);
}

void add_table_layer(GDALDataset* ds, const Table& t, const std::string& name, const Metadata& md, const std::string& path) {
    OGRLayer* ol = ds->CreateLayer(name.c_str(), nullptr, wkbNone, nullptr);
    if (!ol) throw GeoError(path, "table " + name, "cannot create: " + cpl_error());
    const auto types = table_column_types(t);
    std::vector<OGRFieldType> ft;
    for (size_t i = 0; i < t.columns.size(); ++i) {
        ft.push_back(types[i] == "Integer64" ? OFTInteger64 : types[i] == "Real" ? OFTReal : OFTString);
        OGRFieldDefn fd(t.columns[i].c_str(), ft.back());
        if (ol->CreateField(&fd) != OGRERR_NONE) throw GeoError(path, "field " + t.columns[i], "cannot create: " + cpl_error());
    }
    if (ol->StartTransaction() != OGRERR_NONE) throw GeoError(path, "", "cannot start transaction: " + cpl_error());
    for (auto& r : t.rows) {
        OgrFeaturePtr of(OGRFeature::CreateFeature(ol->GetLayerDefn()));
        for (size_t i = 0; i < r.size() && i < t.columns.size(); ++i) {
            if (r[i].empty()) continue;
            if (ft[i] == OFTInteger64) of->SetField(int(i), static_cast<GIntBig>(std::stoll(r[i])));
            else if (ft[i] == OFTReal) of->SetField(int(i), std::stod(r[i]));
            else of->SetField(int(i), r[i].c_str());
        }
        if (ol->CreateFeature(of.get()) != OGRERR_NONE) throw GeoError(path, "table " + name, "cannot write row: " + cpl_error());
    }
    if (ol->CommitTransaction() != OGRERR_NONE) throw GeoError(path, "", "cannot commit rows: " + cpl_error());
    put_metadata(ol, md);
}

// QGIS's own layer_styles table (QgsOgrProviderUtils::saveStyle for GeoPackage): same columns,
// types and FID name, so QGIS loads the default style when the layer is opened.
void add_layer_styles(GDALDataset* ds, const std::vector<std::pair<std::string, std::string>>& styles,
                      const Metadata& md, const std::string& path) {
    if (styles.empty()) return;
    const char* lco[] = {"FID=id", nullptr};
    OGRLayer* ol = ds->CreateLayer("layer_styles", nullptr, wkbNone, const_cast<char**>(lco));
    if (!ol) throw GeoError(path, "layer_styles", "cannot create: " + cpl_error());
    auto add = [&](const char* n, OGRFieldType t, int width = 0, OGRFieldSubType st = OFSTNone, const char* dflt = nullptr) {
        OGRFieldDefn fd(n, t);
        if (width) fd.SetWidth(width);
        fd.SetSubType(st);
        if (dflt) fd.SetDefault(dflt);
        if (ol->CreateField(&fd) != OGRERR_NONE) throw GeoError(path, "layer_styles", std::string("cannot create field ") + n);
    };
    add("f_table_catalog", OFTString, 256);
    add("f_table_schema", OFTString, 256);
    add("f_table_name", OFTString, 256);
    add("f_geometry_column", OFTString, 256);
    add("styleName", OFTString, 30);
    add("styleQML", OFTString);
    add("styleSLD", OFTString);
    add("useAsDefault", OFTInteger, 0, OFSTBoolean);
    add("description", OFTString);
    add("owner", OFTString, 30);
    add("ui", OFTString, 30);
    add("update_time", OFTDateTime, 0, OFSTNone, "CURRENT_TIMESTAMP");
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    for (auto& [layer, qml] : styles) {
        OgrFeaturePtr f(OGRFeature::CreateFeature(ol->GetLayerDefn()));
        f->SetField("f_table_catalog", "");
        f->SetField("f_table_schema", "");
        f->SetField("f_table_name", layer.c_str());
        f->SetField("f_geometry_column", "geom");
        f->SetField("styleName", layer.substr(0, 30).c_str());
        f->SetField("styleQML", qml.c_str());
        f->SetField("styleSLD", "");
        f->SetField("useAsDefault", 1);
        const auto it = md.find("analysis");
        f->SetField("description", ("nexusmap " + std::string(kVersion) + (it != md.end() ? ": " + it->second : "")).c_str());
        f->SetField("owner", "");
        f->SetField("update_time", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, float(tm.tm_sec), 100);
        if (ol->CreateFeature(f.get()) != OGRERR_NONE) throw GeoError(path, "layer_styles", "cannot write: " + cpl_error());
    }
}

// Runs `fill` on a new dataset of `driver` written to a temp file with the right extension, then
// commits it atomically to `path`.
template <class Fill>
void write_ogr(const char* driver, const std::string& ext, const std::string& path, bool overwrite, Fill fill) {
    gdal_init();
    AtomicFile out(path, overwrite);
    QuietGdal quiet;
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver);
    if (!drv) throw GeoError(path, "", std::string("this GDAL has no ") + driver + " driver");
    // GPKG and FlatGeobuf want their extension: write under a temp name with it, then rename.
    const std::string tmp = out.temp_path() + ext;
    struct Cleanup {
        std::string p;
        ~Cleanup() {
            std::error_code ec;
            fs::remove(p, ec);
        }
    } cleanup{tmp};
    {
        std::unique_ptr<GDALDataset, GdalDatasetCloser> ds(drv->Create(tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds) throw GeoError(path, "", std::string("cannot create ") + driver + ": " + cpl_error());
        fill(ds.get());
        CPLErrorReset();
        ds.reset(); // GDAL 3.6 has no Close(): closing flushes
        if (CPLGetLastErrorType() >= CE_Failure) throw GeoError(path, "", std::string("cannot finish ") + driver + ": " + cpl_error());
    }
    std::error_code ec;
    fs::rename(tmp, out.temp_path(), ec);
    if (ec) throw GeoError(path, "", "cannot move the temporary file: " + ec.message());
    out.commit();
}
} // namespace

void write_gpkg_items(const std::vector<GpkgItem>& items, const std::string& path, const WriteOptions& opt) {
    if (items.empty()) throw GeoError(path, "", "nothing to write");
    write_ogr("GPKG", ".gpkg", path, opt.overwrite, [&](GDALDataset* ds) {
        std::vector<std::pair<std::string, std::string>> styles;
        for (auto& it : items) {
            if (it.layer) {
                const std::string name = !it.name.empty() ? it.name : !it.layer->name.empty() ? it.layer->name : "layer";
                const Metadata md = merged(*it.layer, opt.metadata);
                add_vector_layer(ds, *it.layer, name, md, path, nullptr);
                styles.emplace_back(name, !it.qml.empty() ? it.qml : qml_vector(with_data_kind(*it.layer, md)));
            } else if (it.table) {
                add_table_layer(ds, *it.table, it.name.empty() ? "table" : it.name, opt.metadata, path);
            }
        }
        add_layer_styles(ds, styles, opt.metadata, path);
        // Dataset metadata (gpkg_metadata, GDAL's XML) holds the provenance too.
        put_metadata(ds, opt.metadata);
    });
}

// ---- KML / KMZ --------------------------------------------------------------------------------

namespace {
std::string xml_esc(const std::string& s) { return detail::xml_escape(s); }
// KML colours are aabbggrr.
std::string kml_colour(const std::string& hex, double opacity) {
    const style::Rgb c = style::from_hex(hex).value_or(style::Rgb{0.5f, 0.5f, 0.5f});
    const int a = int(std::lround(std::clamp(std::isfinite(opacity) ? opacity : 1.0, 0.0, 1.0) * 255));
    char b[16];
    std::snprintf(b, sizeof b, "%02x%02x%02x%02x", a, style::channel8(c.b), style::channel8(c.g), style::channel8(c.r));
    return b;
}
std::string kml_coords(const std::vector<Vec2>& pts, int prec) {
    std::string s = "<coordinates>";
    for (size_t i = 0; i < pts.size(); ++i) s += (i ? " " : "") + wkt_num(pts[i].x, prec) + "," + wkt_num(pts[i].y, prec);
    return s + "</coordinates>";
}
std::string kml_geometry(const Geometry& g, int prec) {
    std::string s = "<MultiGeometry>";
    for (auto& p : g.points) s += "<Point>" + kml_coords({p}, prec) + "</Point>";
    for (auto& l : g.lines) s += "<LineString><tessellate>1</tessellate>" + kml_coords(l, prec) + "</LineString>";
    for (auto& poly : g.polygons) {
        s += "<Polygon>";
        for (size_t r = 0; r < poly.rings.size(); ++r)
            s += std::string(r ? "<innerBoundaryIs>" : "<outerBoundaryIs>") + "<LinearRing>" + kml_coords(poly.rings[r], prec) +
                 "</LinearRing>" + (r ? "</innerBoundaryIs>" : "</outerBoundaryIs>");
        s += "</Polygon>";
    }
    return s + "</MultiGeometry>";
}

std::string kml_text(const VectorLayer& in, const Metadata& md0, int prec) {
    const Metadata md = merged(in, md0);
    const VectorLayer withk = with_data_kind(in, md);
    VectorLayer tmp;
    const VectorLayer& l = in_wgs84(withk, tmp);
    auto str = [&](size_t f, const char* field, const std::string& d) {
        const int i = l.field_index(field);
        if (i < 0 || size_t(i) >= l.features[f].attrs.size()) return d;
        const std::string s = attr_to_string(l.features[f].attrs[size_t(i)]);
        return s.empty() ? d : s;
    };
    auto num = [&](size_t f, const char* field, double d) {
        const int i = l.field_index(field);
        if (i < 0 || size_t(i) >= l.features[f].attrs.size()) return d;
        return attr_to_double(l.features[f].attrs[size_t(i)]).value_or(d);
    };
    // One <Style> per distinct simplestyle combination.
    std::vector<std::string> style_keys, styles;
    std::vector<size_t> style_of(l.features.size());
    for (size_t f = 0; f < l.features.size(); ++f) {
        const std::string fill = str(f, l.type == GeomType::Point ? "marker-color" : "fill", "#9ecae1");
        const std::string stroke = str(f, "stroke", l.type == GeomType::Line ? fill : "#404040");
        const double fo = num(f, "fill-opacity", 0.6), so = num(f, "stroke-opacity", 1.0), sw = num(f, "stroke-width", 1.0);
        const std::string st = "<LineStyle><color>" + kml_colour(stroke, so) + "</color><width>" + fmt_num(sw, 4) +
                               "</width></LineStyle><PolyStyle><color>" + kml_colour(fill, fo) +
                               "</color></PolyStyle><IconStyle><color>" + kml_colour(fill, 1.0) +
                               "</color><scale>0.8</scale></IconStyle>";
        auto it = std::find(style_keys.begin(), style_keys.end(), st);
        if (it == style_keys.end()) {
            style_keys.push_back(st);
            it = style_keys.end() - 1;
        }
        style_of[f] = size_t(it - style_keys.begin());
    }
    std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n";
    s += "<name>" + xml_esc(l.name.empty() ? "nexusmap" : l.name) + "</name>\n";
    // Provenance: a description Google Earth shows, and ExtendedData that OGR reads back.
    std::string desc;
    for (auto& [k, v] : md) desc += k + ": " + v + "\n";
    s += "<description>" + xml_esc(desc) + "</description>\n<ExtendedData>\n";
    for (auto& [k, v] : md) s += "<Data name=\"" + xml_esc(k) + "\"><value>" + xml_esc(v) + "</value></Data>\n";
    s += "</ExtendedData>\n";
    for (size_t i = 0; i < style_keys.size(); ++i) s += "<Style id=\"s" + std::to_string(i) + "\">" + style_keys[i] + "</Style>\n";
    s += "<Folder><name>" + xml_esc(l.name.empty() ? "features" : l.name) + "</name>\n";
    const int label = [&] {
        for (const char* f : {"name", "label", "category", "class", "segment", "commodity", "level", "bin", "unit_id"})
            if (l.field_index(f) >= 0) return l.field_index(f);
        return -1;
    }();
    for (size_t f = 0; f < l.features.size(); ++f) {
        const auto& ft = l.features[f];
        s += "<Placemark>";
        if (label >= 0 && size_t(label) < ft.attrs.size()) s += "<name>" + xml_esc(fmt_attr(ft.attrs[size_t(label)])) + "</name>";
        s += "<styleUrl>#s" + std::to_string(style_of[f]) + "</styleUrl><ExtendedData>";
        for (size_t i = 0; i < l.fields.size() && i < ft.attrs.size(); ++i) {
            if (style::is_simplestyle_key(l.fields[i])) continue;
            s += "<Data name=\"" + xml_esc(l.fields[i]) + "\"><value>" + xml_esc(fmt_attr(ft.attrs[i])) + "</value></Data>";
        }
        s += "</ExtendedData>";
        if (!ft.geom.empty()) s += kml_geometry(ft.geom, prec);
        s += "</Placemark>\n";
    }
    s += "</Folder>\n</Document>\n</kml>\n";
    return s;
}

void write_kmz(const std::string& kml, const std::string& path, bool overwrite) {
    gdal_init();
    AtomicFile out(path, overwrite);
    QuietGdal quiet;
    // A KMZ is a zip whose first entry is doc.kml; GDAL's /vsizip/ writes it (under a .kmz name).
    // (".x.kmz.tmp-1-0.zip": /vsizip/ would split at the first ".kmz", so that one is renamed.)
    std::string tmp = out.temp_path();
    for (size_t i; (i = tmp.find(".kmz")) != std::string::npos;) tmp.replace(i, 4, "_kmz");
    for (size_t i; (i = tmp.find(".KMZ")) != std::string::npos;) tmp.replace(i, 4, "_KMZ");
    tmp += ".zip";
    struct Cleanup {
        std::string p;
        ~Cleanup() {
            std::error_code ec;
            fs::remove(p, ec);
        }
    } cleanup{tmp};
    const std::string entry = "/vsizip/" + tmp + "/doc.kml";
    VSILFILE* f = VSIFOpenL(entry.c_str(), "wb");
    if (!f) throw GeoError(path, "", "cannot create KMZ: " + cpl_error());
    const size_t n = VSIFWriteL(kml.data(), 1, kml.size(), f);
    if (VSIFCloseL(f) != 0 || n != kml.size()) throw GeoError(path, "", "cannot write KMZ: " + cpl_error());
    std::error_code ec;
    fs::rename(tmp, out.temp_path(), ec);
    if (ec) throw GeoError(path, "", "cannot move the temporary file: " + ec.message());
    out.commit();
}
} // namespace

// ---- vectors and tables -----------------------------------------------------------------------

void write_vector(const VectorLayer& layer, const std::string& path, const WriteOptions& opt) {
    const OutputFormat fmt = is_stdout(path) ? OutputFormat::GeoJson : [&] {
        const FormatInfo* f = format_for_path(path);
        if (!f || !f->vector)
            throw GeoError(path, "", "cannot hold a vector layer: use " + extensions_for(ProductKind::Vector));
        return f->format;
    }();
    const Metadata md = merged(layer, opt.metadata);
    switch (fmt) {
    case OutputFormat::GeoJson: {
        const std::string s = to_geojson(with_data_kind(layer, md), opt.metadata, opt.precision);
        if (is_stdout(path)) return write_stdout(s);
        return write_text_atomic(path, s, opt.overwrite);
    }
    case OutputFormat::GeoPackage: {
        GpkgItem it;
        it.layer = &layer;
        it.qml = opt.qml;
        return write_gpkg_items({it}, path, opt);
    }
    case OutputFormat::FlatGeobuf:
        return write_ogr("FlatGeobuf", ".fgb", path, opt.overwrite, [&](GDALDataset* ds) {
            const char* lco[] = {"SPATIAL_INDEX=YES", nullptr};
            add_vector_layer(ds, layer, layer.name.empty() ? "layer" : layer.name, md, path, lco);
        });
    case OutputFormat::Csv: {
        Table t;
        t.columns = layer.fields;
        for (auto& f : layer.features) {
            std::vector<std::string> row;
            for (size_t i = 0; i < layer.fields.size(); ++i) row.push_back(i < f.attrs.size() ? fmt_attr(f.attrs[i]) : "");
            t.rows.push_back(std::move(row));
        }
        WriteOptions o = opt;
        o.metadata = md;
        return write_csv_files(table_with_geometry(t, layer, md, opt.precision), path, o);
    }
    case OutputFormat::Kml: return write_text_atomic(path, kml_text(layer, opt.metadata, opt.precision), opt.overwrite);
    case OutputFormat::Kmz: return write_kmz(kml_text(layer, opt.metadata, opt.precision), path, opt.overwrite);
    default: throw GeoError(path, "", "cannot hold a vector layer");
    }
}

void write_table(const Table& t, const std::string& path, const WriteOptions& opt) {
    if (is_stdout(path)) return write_csv_files(t, path, opt);
    const FormatInfo* f = format_for_path(path);
    if (!f || !f->table) throw GeoError(path, "", "cannot hold a table: use " + extensions_for(ProductKind::Table));
    if (f->format == OutputFormat::Csv) return write_csv_files(t, path, opt);
    GpkgItem it;
    it.table = &t;
    it.name = fs::path(path).stem().string();
    write_gpkg_items({it}, path, opt);
}

// ---- rasters ----------------------------------------------------------------------------------

void write_raster(const Raster& r, const std::string& path, const WriteOptions& opt) {
    const FormatInfo* f = format_for_path(path);
    if (!f || !f->raster) throw GeoError(path, "", "cannot hold a raster: use " + extensions_for(ProductKind::Raster));
    GeoTiffOptions go;
    go.cog = opt.cog;
    go.overwrite = opt.overwrite;
    if (opt.metadata.empty()) return write_geotiff(r, path, go); // no copy of the cells (issue #17)
    Raster c = r;
    for (auto& [k, v] : opt.metadata) c.metadata[k] = v;
    write_geotiff(c, path, go);
}

void write_raster_bands(const GridSpec& g, const Crs& crs, const std::vector<RasterBand>& bands, float nodata,
                        const std::string& path, const WriteOptions& opt) {
    const FormatInfo* f = format_for_path(path);
    if (!f || !f->raster) throw GeoError(path, "", "cannot hold a raster: use " + extensions_for(ProductKind::Raster));
    write_geotiff_bands(g, crs, bands, nodata, opt.metadata, path);
}

std::vector<RasterClass> gi_bin_classes() {
    std::vector<RasterClass> c;
    for (int b = -3; b <= 3; ++b)
        c.push_back({b + 3, b, style::gi_bin_label(b), style::gi_bin_hex(b), b == 0 ? 0 : 255});
    return c;
}

std::vector<RasterClass> lisa_classes() {
    // GeoDa's cluster-map colours (as the CLI's GeoJSON and the viewer).
    return {{0, 0, "Not significant", "#eeeeee", 0},
            {1, 1, "High-High", "#ff0000", 255},
            {2, 2, "Low-Low", "#0000ff", 255},
            {3, 3, "Low-High", "#a7adf9", 255},
            {4, 4, "High-Low", "#f4ada8", 255}};
}

void write_class_raster(const ClassRaster& r, const std::string& path, const WriteOptions& opt) {
    gdal_init();
    const FormatInfo* fi = format_for_path(path);
    if (!fi || !fi->raster) throw GeoError(path, "", "cannot hold a raster: use " + extensions_for(ProductKind::Raster));
    if (r.codes.size() != r.grid.size()) throw GeoError(path, "", "class raster does not match its grid");
    OutputSet set(opt.overwrite); // the TIFF and its .aux.xml (the attribute table) together
    AtomicFile out(path, opt.overwrite);
    QuietGdal quiet;
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    const char* co[] = {"COMPRESS=DEFLATE", "TILED=YES", nullptr};
    // The temp name keeps .tif so GDAL's PAM writes the attribute table to "<temp>.aux.xml".
    const std::string tmp = out.temp_path() + ".tif";
    struct Cleanup {
        std::string p;
        ~Cleanup() {
            std::error_code ec;
            fs::remove(p, ec);
            fs::remove(p + ".aux.xml", ec);
        }
    } cleanup{tmp};
    {
        std::unique_ptr<GDALDataset, GdalDatasetCloser> ds(
            drv->Create(tmp.c_str(), r.grid.width, r.grid.height, 1, GDT_Byte, const_cast<char**>(co)));
        if (!ds) throw GeoError(path, "", "cannot create GeoTIFF: " + cpl_error());
        auto gt = r.grid.geotransform();
        ds->SetGeoTransform(gt.data());
        if (r.crs.valid()) {
            OGRSpatialReference srs = srs_of(r.crs);
            ds->SetSpatialRef(&srs);
        }
        put_metadata(ds.get(), opt.metadata);
        GDALRasterBand* b = ds->GetRasterBand(1);
        b->SetNoDataValue(ClassRaster::kNoData);
        b->SetDescription(r.band_name.c_str());
        GDALColorTable ct;
        for (auto& c : r.classes) {
            const style::Rgb rgb = style::from_hex(c.colour).value_or(style::Rgb{0.5f, 0.5f, 0.5f});
            GDALColorEntry e{short(style::channel8(rgb.r)), short(style::channel8(rgb.g)), short(style::channel8(rgb.b)), short(c.alpha)};
            ct.SetColorEntry(c.code, &e);
        }
        GDALColorEntry none{0, 0, 0, 0};
        ct.SetColorEntry(ClassRaster::kNoData, &none);
        b->SetColorTable(&ct);
        b->SetColorInterpretation(GCI_PaletteIndex);
        GDALDefaultRasterAttributeTable rat;
        rat.CreateColumn("value", GFT_Integer, GFU_MinMax);
        rat.CreateColumn("class_value", GFT_Integer, GFU_Generic);
        rat.CreateColumn("label", GFT_String, GFU_Name);
        rat.CreateColumn("colour", GFT_String, GFU_Generic);
        rat.CreateColumn("Red", GFT_Integer, GFU_Red);
        rat.CreateColumn("Green", GFT_Integer, GFU_Green);
        rat.CreateColumn("Blue", GFT_Integer, GFU_Blue);
        rat.CreateColumn("Alpha", GFT_Integer, GFU_Alpha);
        rat.SetRowCount(int(r.classes.size()));
        for (size_t i = 0; i < r.classes.size(); ++i) {
            const auto& c = r.classes[i];
            const style::Rgb rgb = style::from_hex(c.colour).value_or(style::Rgb{0.5f, 0.5f, 0.5f});
            const int row = int(i);
            rat.SetValue(row, 0, c.code);
            rat.SetValue(row, 1, c.value);
            rat.SetValue(row, 2, c.label.c_str());
            rat.SetValue(row, 3, c.colour.c_str());
            rat.SetValue(row, 4, style::channel8(rgb.r));
            rat.SetValue(row, 5, style::channel8(rgb.g));
            rat.SetValue(row, 6, style::channel8(rgb.b));
            rat.SetValue(row, 7, c.alpha);
        }
        b->SetDefaultRAT(&rat);
        if (b->RasterIO(GF_Write, 0, 0, r.grid.width, r.grid.height, const_cast<uint8_t*>(r.codes.data()), r.grid.width,
                        r.grid.height, GDT_Byte, 0, 0) != CE_None)
            throw GeoError(path, "", "writing pixels failed: " + cpl_error());
        CPLErrorReset();
        ds.reset();
        if (CPLGetLastErrorType() >= CE_Failure) throw GeoError(path, "", "cannot finish GeoTIFF: " + cpl_error());
    }
    std::error_code ec;
    fs::rename(tmp, out.temp_path(), ec);
    if (ec) throw GeoError(path, "", "cannot move the temporary file: " + ec.message());
    if (fs::exists(tmp + ".aux.xml")) {
        AtomicFile aux(path + ".aux.xml", opt.overwrite);
        fs::rename(tmp + ".aux.xml", aux.temp_path(), ec);
        if (ec) throw GeoError(path + ".aux.xml", "", "cannot move the temporary file: " + ec.message());
        aux.commit();
    }
    out.commit();
    set.commit();
}

} // namespace nexusmap
