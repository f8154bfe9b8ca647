#include "nexusmap/dataset_info.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gdal_util.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/resources.hpp"

namespace nexusmap {
using namespace detail;

namespace {
CrsDescription describe_srs(const OGRSpatialReference* srs_in) {
    CrsDescription c;
    if (!srs_in || srs_in->IsEmpty()) return c;
    c.present = true;
    c.name = srs_in->GetName() ? srs_in->GetName() : "";
    c.geographic = srs_in->IsGeographic();
    OGRSpatialReference srs(*srs_in);
    auto code = [&](const OGRSpatialReference& s) -> std::string {
        const char* an = s.GetAuthorityName(nullptr);
        const char* ac = s.GetAuthorityCode(nullptr);
        return an && ac && std::string(an) == "EPSG" ? std::string("EPSG:") + ac : std::string();
    };
    // Declared by the file (a GeoTIFF's ProjectedCSTypeGeoKey, a .prj with an AUTHORITY node).
    c.epsg = code(srs);
    if (c.epsg.empty() && srs.AutoIdentifyEPSG() == OGRERR_NONE) c.epsg = code(srs);
    if (!c.epsg.empty()) {
        c.confidence = 100;
        return c;
    }
    // Otherwise PROJ's database, as `gdalsrsinfo -e` does: the best match, if a confident one.
    int n = 0;
    int* conf = nullptr;
    OGRSpatialReferenceH* matches = srs.FindMatches(nullptr, &n, &conf);
    // A PROJ string (no names) matches at 70% at best; an EPSG entry among the best matches is
    // taken, as `gdalsrsinfo -e` lists it (other authorities such as OGC:CRS84 or IGNF skipped).
    for (int i = 0; matches && conf && i < n && conf[i] >= 70 && conf[i] == conf[0]; ++i)
        if (const std::string e = code(*OGRSpatialReference::FromHandle(matches[i])); !e.empty()) {
            c.epsg = e, c.confidence = conf[i];
            break;
        }
    OSRFreeSRSArray(matches);
    CPLFree(conf);
    return c;
}

nlohmann::ordered_json crs_json(const CrsDescription& c) {
    if (!c.present) return nullptr;
    nlohmann::ordered_json j;
    j["name"] = c.name;
    j["epsg"] = c.epsg.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.epsg);
    j["confidence"] = c.confidence;
    j["geographic"] = c.geographic;
    return j;
}

nlohmann::ordered_json bbox_json(const BBox& b) { return {b.xmin, b.ymin, b.xmax, b.ymax}; }

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}
} // namespace

std::string CrsDescription::label() const {
    if (!present) return "none";
    if (!epsg.empty()) return epsg + " (" + name + ")" + (confidence < 100 ? " [matched, " + std::to_string(confidence) + "% confidence]" : "");
    return (name.empty() ? std::string("unnamed CRS") : name) + " (no EPSG equivalent found)";
}

CrsDescription describe_crs(const std::string& definition) {
    gdal_init();
    OGRSpatialReference s;
    if (s.SetFromUserInput(definition.c_str()) != OGRERR_NONE) return {};
    return describe_srs(&s);
}

DatasetDescription describe_dataset(const std::string& path) {
    gdal_init();
    check_input_path(path);
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0)
        throw GeoError(path, "", "file is empty (0 bytes)");
    QuietGdal quiet;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw GeoError(path, "", "not a dataset GDAL can read (" + cpl_error() + ")");
    DatasetDescription d;
    d.path = path;
    if (GDALDriver* drv = ds->GetDriver()) {
        d.driver = drv->GetDescription();
        if (const char* ln = drv->GetMetadataItem(GDAL_DMD_LONGNAME)) d.driver_long_name = ln;
    }
    if (char** md = ds->GetMetadata())
        for (char** p = md; *p; ++p) {
            char* key = nullptr;
            const char* val = CPLParseNameValue(*p, &key);
            if (key && val) d.metadata[key] = val;
            CPLFree(key);
        }
    if (ds->GetRasterCount() > 0) {
        RasterDescription r;
        r.width = ds->GetRasterXSize();
        r.height = ds->GetRasterYSize();
        r.crs = describe_srs(ds->GetSpatialRef());
        double* gt = r.geotransform;
        r.has_geotransform = ds->GetGeoTransform(gt) == CE_None;
        if (r.has_geotransform) {
            r.pixel_width = gt[1], r.pixel_height = gt[5];
            const double xs[4] = {gt[0], gt[0] + gt[1] * r.width, gt[0] + gt[2] * r.height, gt[0] + gt[1] * r.width + gt[2] * r.height};
            const double ys[4] = {gt[3], gt[3] + gt[4] * r.width, gt[3] + gt[5] * r.height, gt[3] + gt[4] * r.width + gt[5] * r.height};
            r.extent = {*std::min_element(xs, xs + 4), *std::min_element(ys, ys + 4), *std::max_element(xs, xs + 4),
                        *std::max_element(ys, ys + 4)};
        }
        for (int b = 1; b <= ds->GetRasterCount(); ++b) {
            GDALRasterBand* band = ds->GetRasterBand(b);
            BandDescription bd;
            bd.index = b;
            bd.type = GDALGetDataTypeName(band->GetRasterDataType());
            bd.description = band->GetDescription() ? band->GetDescription() : "";
            bd.colour_interp = GDALGetColorInterpretationName(band->GetColorInterpretation());
            bd.unit = band->GetUnitType() ? band->GetUnitType() : "";
            int has = 0;
            const double nd = band->GetNoDataValue(&has);
            if (has) bd.nodata = nd;
            if (GDALColorTable* ct = band->GetColorTable()) bd.colour_table_entries = ct->GetColorEntryCount();
            bd.has_attribute_table = band->GetDefaultRAT() != nullptr;
            r.bands.push_back(std::move(bd));
        }
        d.raster = std::move(r);
    }
    for (OGRLayer* l : ds->GetLayers()) {
        LayerDescription li;
        li.name = l->GetName();
        li.geometry_type = OGRGeometryTypeToName(l->GetGeomType());
        li.geometry_column = l->GetGeometryColumn() ? l->GetGeometryColumn() : "";
        li.fid_column = l->GetFIDColumn() ? l->GetFIDColumn() : "";
        li.feature_count = l->GetFeatureCount(TRUE);
        li.crs = describe_srs(l->GetSpatialRef());
        OGREnvelope env;
        if (l->GetGeomType() != wkbNone && l->GetExtent(&env, TRUE) == OGRERR_NONE)
            li.has_extent = true, li.extent = {env.MinX, env.MinY, env.MaxX, env.MaxY};
        OGRFeatureDefn* fd = l->GetLayerDefn();
        for (int i = 0; i < fd->GetFieldCount(); ++i) {
            const OGRFieldDefn* f = fd->GetFieldDefn(i);
            FieldDescription fi;
            fi.name = f->GetNameRef();
            fi.type = OGRFieldDefn::GetFieldTypeName(f->GetType());
            if (f->GetSubType() != OFSTNone) fi.type += std::string("(") + OGRFieldDefn::GetFieldSubTypeName(f->GetSubType()) + ")";
            fi.width = f->GetWidth(), fi.precision = f->GetPrecision();
            li.fields.push_back(std::move(fi));
        }
        d.layers.push_back(std::move(li));
    }
    return d;
}

std::string DatasetDescription::text() const {
    std::ostringstream o;
    o << "file: " << path << "\ndriver: " << driver << (driver_long_name.empty() ? "" : "/" + driver_long_name) << "\n";
    if (raster) {
        const RasterDescription& r = *raster;
        o << "size: " << r.width << " x " << r.height << " pixels, " << r.bands.size() << " band(s)\n";
        o << "crs: " << r.crs.label() << "\n";
        if (r.has_geotransform) {
            o << "origin: " << num(r.geotransform[0]) << ", " << num(r.geotransform[3]) << "\n";
            o << "pixel size: " << num(r.pixel_width) << ", " << num(r.pixel_height) << "\n";
            o << "extent: " << num(r.extent.xmin) << " " << num(r.extent.ymin) << " " << num(r.extent.xmax) << " "
              << num(r.extent.ymax) << " (xmin ymin xmax ymax)\n";
        } else {
            o << "extent: none (no geotransform)\n";
        }
        for (const auto& b : r.bands) {
            o << "  band " << b.index << ": " << b.type << ", " << b.colour_interp;
            if (!b.description.empty()) o << ", description \"" << b.description << "\"";
            o << ", nodata " << (b.nodata ? num(*b.nodata) : std::string("none"));
            if (!b.unit.empty()) o << ", unit " << b.unit;
            if (b.colour_table_entries) o << ", colour table (" << b.colour_table_entries << " entries)";
            if (b.has_attribute_table) o << ", attribute table";
            o << "\n";
        }
    }
    for (const auto& l : layers) {
        o << "layer '" << l.name << "': " << l.geometry_type << ", " << l.feature_count << " features\n";
        o << "  crs: " << l.crs.label() << "\n";
        if (l.has_extent)
            o << "  extent: " << num(l.extent.xmin) << " " << num(l.extent.ymin) << " " << num(l.extent.xmax) << " "
              << num(l.extent.ymax) << " (xmin ymin xmax ymax)\n";
        if (!l.fid_column.empty()) o << "  fid column: " << l.fid_column << "\n";
        if (!l.geometry_column.empty()) o << "  geometry column: " << l.geometry_column << "\n";
        for (const auto& f : l.fields) {
            o << "  field " << f.name << ": " << f.type;
            if (f.width > 0) o << " (" << f.width << (f.precision > 0 ? "." + std::to_string(f.precision) : "") << ")";
            o << "\n";
        }
    }
    for (const auto& [k, v] : metadata) o << "metadata " << k << " = " << v << "\n";
    return o.str();
}

std::string DatasetDescription::json() const {
    nlohmann::ordered_json j;
    j["path"] = path;
    j["driver"] = driver;
    j["driver_long_name"] = driver_long_name;
    if (raster) {
        const RasterDescription& r = *raster;
        nlohmann::ordered_json rj;
        rj["size"] = {r.width, r.height};
        rj["crs"] = crs_json(r.crs);
        if (r.has_geotransform) {
            rj["geotransform"] = {r.geotransform[0], r.geotransform[1], r.geotransform[2], r.geotransform[3], r.geotransform[4], r.geotransform[5]};
            rj["pixel_size"] = {r.pixel_width, r.pixel_height};
            rj["extent"] = bbox_json(r.extent);
        }
        nlohmann::ordered_json bands = nlohmann::ordered_json::array();
        for (const auto& b : r.bands) {
            nlohmann::ordered_json bj;
            bj["band"] = b.index;
            bj["type"] = b.type;
            bj["description"] = b.description;
            bj["colour_interp"] = b.colour_interp;
            bj["nodata"] = b.nodata && std::isfinite(*b.nodata) ? nlohmann::ordered_json(*b.nodata)
                           : b.nodata ? nlohmann::ordered_json(num(*b.nodata)) : nlohmann::ordered_json(nullptr);
            bj["unit"] = b.unit;
            bj["colour_table_entries"] = b.colour_table_entries;
            bj["attribute_table"] = b.has_attribute_table;
            bands.push_back(bj);
        }
        rj["bands"] = bands;
        j["raster"] = rj;
    }
    nlohmann::ordered_json ls = nlohmann::ordered_json::array();
    for (const auto& l : layers) {
        nlohmann::ordered_json lj;
        lj["name"] = l.name;
        lj["geometry_type"] = l.geometry_type;
        lj["feature_count"] = l.feature_count;
        lj["crs"] = crs_json(l.crs);
        lj["extent"] = l.has_extent ? bbox_json(l.extent) : nlohmann::ordered_json(nullptr);
        lj["fid_column"] = l.fid_column;
        lj["geometry_column"] = l.geometry_column;
        nlohmann::ordered_json fs = nlohmann::ordered_json::array();
        for (const auto& f : l.fields) fs.push_back({{"name", f.name}, {"type", f.type}, {"width", f.width}, {"precision", f.precision}});
        lj["fields"] = fs;
        ls.push_back(lj);
    }
    j["layers"] = ls;
    j["metadata"] = metadata;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace nexusmap
