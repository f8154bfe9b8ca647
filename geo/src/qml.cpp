#include "nexusmap/qml.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/version.hpp"
#include "xml_util.hpp"

namespace nexusmap {

namespace {
std::string xml_escape(const std::string& s) { return detail::xml_escape(s); }
std::string num(double v) {
    char b[40];
    std::snprintf(b, sizeof b, "%.9g", v);
    return b;
}
std::string rgba_csv(style::Rgb c, int a = 255) {
    return std::to_string(style::channel8(c.r)) + "," + std::to_string(style::channel8(c.g)) + "," +
           std::to_string(style::channel8(c.b)) + "," + std::to_string(a);
}
const char* kHeader = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
std::string qgis_open() {
    return std::string(kHeader) +
           "<qgis version=\"3.22.16-Bia\xc5\x82owie\xc5\xbc\x61\" styleCategories=\"AllStyleCategories\" "
           "hasScaleBasedVisibilityFlag=\"0\" maxScale=\"0\" minScale=\"1e+08\">\n"
           "  <!-- written by nexusmap " +
           std::string(kVersion) + " -->\n";
}
const char* kTail = "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
                    "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\" colorizeStrength=\"100\" "
                    "colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\"/>\n"
                    "    <rasterresampler maxOversampling=\"2\"/>\n"
                    "    <resamplingStage>resamplingFilter</resamplingStage>\n"
                    "  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n";
const char* kMinMax = "      <minMaxOrigin>\n        <limits>None</limits>\n        <extent>WholeRaster</extent>\n"
                      "        <statAccuracy>Estimated</statAccuracy>\n        <cumulativeCutLower>0.02</cumulativeCutLower>\n"
                      "        <cumulativeCutUpper>0.98</cumulativeCutUpper>\n        <stdDevFactor>2</stdDevFactor>\n"
                      "      </minMaxOrigin>\n";
} // namespace

std::string qml_pseudocolor(const style::RasterStyle& s, int band) {
    const auto stops = style::ramp_stops(s.ramp);
    const double lo = s.scale.from_t(0), hi = s.scale.from_t(1);
    const int sub = s.scale.scale == style::Scale::Linear ? 1 : 4;
    std::ostringstream o;
    o << qgis_open();
    o << "  <pipe>\n";
    o << "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"" << band << "\" opacity=\"" << num(s.opacity)
      << "\" alphaBand=\"-1\" classificationMin=\"" << num(lo) << "\" classificationMax=\"" << num(hi)
      << "\" nodataColor=\"\">\n";
    o << "      <rasterTransparency>\n        <singleValuePixelList>\n";
    o << "          <pixelListEntry min=\"" << num(std::min(0.0, lo)) << "\" max=\"" << num(s.scale.from_t(s.min_t))
      << "\" percentTransparent=\"100\"/>\n";
    o << "        </singleValuePixelList>\n      </rasterTransparency>\n";
    o << kMinMax;
    o << "      <rastershader>\n";
    o << "        <colorrampshader colorRampType=\"INTERPOLATED\" classificationMode=\"1\" clip=\"0\" minimumValue=\""
      << num(lo) << "\" maximumValue=\"" << num(hi) << "\" labelPrecision=\"6\">\n";
    // The gradient itself (QGIS shows it in the ramp picker): evenly spaced stops in t.
    std::string stop_list;
    for (size_t i = 1; i + 1 < stops.size(); ++i) {
        if (!stop_list.empty()) stop_list += ":";
        stop_list += num(double(i) / double(stops.size() - 1)) + ";" + rgba_csv(stops[i]);
    }
    o << "          <colorramp type=\"gradient\" name=\"[source]\">\n"
      << "            <Option type=\"Map\">\n"
      << "              <Option type=\"QString\" name=\"color1\" value=\"" << rgba_csv(stops.front()) << "\"/>\n"
      << "              <Option type=\"QString\" name=\"color2\" value=\"" << rgba_csv(stops.back()) << "\"/>\n"
      << "              <Option type=\"QString\" name=\"discrete\" value=\"0\"/>\n"
      << "              <Option type=\"QString\" name=\"rampType\" value=\"gradient\"/>\n"
      << "              <Option type=\"QString\" name=\"stops\" value=\"" << stop_list << "\"/>\n"
      << "            </Option>\n"
      << "            <prop k=\"color1\" v=\"" << rgba_csv(stops.front()) << "\"/>\n"
      << "            <prop k=\"color2\" v=\"" << rgba_csv(stops.back()) << "\"/>\n"
      << "            <prop k=\"discrete\" v=\"0\"/>\n"
      << "            <prop k=\"rampType\" v=\"gradient\"/>\n"
      << "            <prop k=\"stops\" v=\"" << stop_list << "\"/>\n"
      << "          </colorramp>\n";
    const int n = int(stops.size() - 1) * sub;
    for (int k = 0; k <= n; ++k) {
        const double t = double(k) / n;
        const double v = s.scale.from_t(t);
        const style::Rgb c = style::ramp_color(s.ramp, t);
        o << "          <item alpha=\"" << int(std::lround(255 * (s.fade_t > 0 ? std::clamp(t / s.fade_t, 0.0, 1.0) : 1.0)))
          << "\" value=\"" << num(v) << "\" label=\"" << num(v) << "\" color=\""
          << style::to_hex(c) << "\"/>\n";
    }
    o << "          <rampLegendSettings minimumLabel=\"\" maximumLabel=\"\" prefix=\"\" suffix=\" "
      << xml_escape(s.units) << "\" direction=\"0\" useContinuousLegend=\"1\" orientation=\"2\"/>\n";
    o << "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n";
    o << kTail;
    return o.str();
}

std::string qml_gi_bins(int band) {
    std::ostringstream o;
    o << qgis_open();
    o << "  <pipe>\n";
    o << "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"" << band
      << "\" opacity=\"0.85\" alphaBand=\"-1\" classificationMin=\"-3\" classificationMax=\"3\" nodataColor=\"\">\n";
    o << "      <rasterTransparency/>\n" << kMinMax << "      <rastershader>\n";
    o << "        <colorrampshader colorRampType=\"EXACT\" classificationMode=\"2\" clip=\"0\" minimumValue=\"-3\" "
         "maximumValue=\"3\" labelPrecision=\"0\">\n";
    for (int b = -3; b <= 3; ++b)
        o << "          <item alpha=\"" << (b == 0 ? 0 : 255) << "\" value=\"" << b << "\" label=\""
          << xml_escape(std::string(b > 0 ? "+" : "") + std::to_string(b) + " " + style::gi_bin_label(b))
          << "\" color=\"" << style::gi_bin_hex(b) << "\"/>\n";
    o << "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n";
    o << kTail;
    return o.str();
}

std::string qml_path_for(const std::string& raster_path) {
    std::filesystem::path p(raster_path);
    p.replace_extension(".qml");
    return p.string();
}

void write_qml(const std::string& path, const std::string& xml, bool overwrite) {
    write_text_atomic(path, xml, overwrite);
}


namespace {
// "r,g,b,a" from "#rrggbb" and an opacity in [0, 1].
std::string qgis_rgba(const std::string& hex, double opacity) {
    const style::Rgb c = style::from_hex(hex).value_or(style::Rgb{0.5f, 0.5f, 0.5f});
    const int a = int(std::lround(std::clamp(std::isfinite(opacity) ? opacity : 1.0, 0.0, 1.0) * 255));
    return rgba_csv(c, a);
}
std::string opt(const char* name, const std::string& value) {
    return "            <Option type=\"QString\" name=\"" + std::string(name) + "\" value=\"" + xml_escape(value) + "\"/>\n";
}
// One QGIS symbol (<symbol>) for the layer's geometry type.
std::string qml_symbol(GeomType t, const std::string& name, const std::string& fill, double fill_op,
                       const std::string& stroke, double stroke_w, double stroke_op, bool data_defined,
                       const std::string& colour_field) {
    std::ostringstream o;
    const char* type = t == GeomType::Polygon ? "fill" : t == GeomType::Line ? "line" : "marker";
    o << "      <symbol type=\"" << type << "\" name=\"" << xml_escape(name)
      << "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n";
    const char* cls = t == GeomType::Polygon ? "SimpleFill" : t == GeomType::Line ? "SimpleLine" : "SimpleMarker";
    o << "        <layer class=\"" << cls << "\" pass=\"0\" locked=\"0\" enabled=\"1\">\n          <Option type=\"Map\">\n";
    std::string dd_key;
    if (t == GeomType::Polygon) {
        o << opt("color", qgis_rgba(fill, fill_op)) << opt("outline_color", qgis_rgba(stroke, stroke_op))
          << opt("outline_style", "solid") << opt("outline_width", num(stroke_w)) << opt("outline_width_unit", "Pixel")
          << opt("style", "solid") << opt("joinstyle", "bevel");
        dd_key = "fillColor";
    } else if (t == GeomType::Line) {
        o << opt("line_color", qgis_rgba(stroke, stroke_op)) << opt("line_style", "solid")
          << opt("line_width", num(stroke_w)) << opt("line_width_unit", "Pixel") << opt("capstyle", "round")
          << opt("joinstyle", "round");
        dd_key = "outlineColor";
    } else {
        o << opt("color", qgis_rgba(fill, fill_op)) << opt("name", "circle") << opt("outline_color", "50,50,50,255")
          << opt("outline_width", "0.3") << opt("outline_width_unit", "Pixel") << opt("size", "6")
          << opt("size_unit", "Pixel");
        dd_key = "fillColor";
    }
    o << "          </Option>\n";
    if (data_defined) {
        // Colour from the feature's own simplestyle field (a QGIS expression, type 3).
        o << "          <data_defined_properties>\n            <Option type=\"Map\">\n"
          << "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n"
          << "              <Option type=\"Map\" name=\"properties\">\n"
          << "                <Option type=\"Map\" name=\"" << dd_key << "\">\n"
          << "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
          << "                  <Option type=\"QString\" name=\"expression\" value=\"&quot;" << xml_escape(colour_field)
          << "&quot;\"/>\n"
          << "                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
          << "                </Option>\n              </Option>\n"
          << "              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
          << "            </Option>\n          </data_defined_properties>\n";
    }
    o << "        </layer>\n      </symbol>\n";
    return o.str();
}
} // namespace

std::string qml_vector(const VectorLayer& l) {
    const GeomType t = l.type == GeomType::None ? GeomType::Polygon : l.type;
    const std::string colour_field = t == GeomType::Polygon ? "fill" : t == GeomType::Line ? "stroke" : "marker-color";
    const int ci = l.field_index(colour_field);
    auto num_attr = [&](size_t f, const char* field, double dflt) {
        const int i = l.field_index(field);
        if (i < 0 || size_t(i) >= l.features[f].attrs.size()) return dflt;
        return attr_to_double(l.features[f].attrs[size_t(i)]).value_or(dflt);
    };
    auto str_attr = [&](size_t f, const char* field, const std::string& dflt) {
        const int i = l.field_index(field);
        if (i < 0 || size_t(i) >= l.features[f].attrs.size()) return dflt;
        const std::string s = attr_to_string(l.features[f].attrs[size_t(i)]);
        return s.empty() ? dflt : s;
    };
    // The class field that labels the categories.
    std::string label_field;
    for (const char* f : {"class", "category", "bin", "level", "commodity", "segment", "name", "label"})
        if (l.field_index(f) >= 0) {
            label_field = f;
            break;
        }
    struct Cat {
        std::string colour, label, stroke;
        double fill_op = 1, stroke_w = 1, stroke_op = 1;
    };
    std::vector<Cat> cats;
    for (size_t f = 0; f < l.features.size() && ci >= 0; ++f) {
        const std::string c = str_attr(f, colour_field.c_str(), "");
        if (c.empty() || std::any_of(cats.begin(), cats.end(), [&](const Cat& k) { return k.colour == c; })) continue;
        Cat k;
        k.colour = c;
        k.stroke = str_attr(f, "stroke", "#808080");
        k.fill_op = num_attr(f, t == GeomType::Line ? "stroke-opacity" : "fill-opacity", 1.0);
        k.stroke_w = num_attr(f, "stroke-width", 1.0);
        k.stroke_op = num_attr(f, "stroke-opacity", 1.0);
        if (label_field == "bin") {
            const int b = int(num_attr(f, "bin", 0));
            k.label = std::string(b > 0 ? "+" : "") + std::to_string(b) + " " + style::gi_bin_label(b);
        } else if (!label_field.empty()) {
            k.label = str_attr(f, label_field.c_str(), c);
            if (label_field == "level") k.label = "level " + k.label;
        } else {
            k.label = c;
        }
        cats.push_back(k);
    }
    std::ostringstream o;
    o << kHeader << "<qgis version=\"3.22.16-Bia\xc5\x82owie\xc5\xbc\x61\" styleCategories=\"Symbology\">\n"
      << "  <!-- written by nexusmap " << kVersion << " -->\n";
    if (!cats.empty() && cats.size() <= 32) {
        if (label_field == "bin" || label_field == "level" || label_field == "class")
            std::stable_sort(cats.begin(), cats.end(), [](const Cat& a, const Cat& b) { return a.label > b.label; });
        o << "  <renderer-v2 type=\"categorizedSymbol\" attr=\"" << xml_escape(colour_field)
          << "\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <categories>\n";
        for (size_t i = 0; i < cats.size(); ++i)
            o << "      <category symbol=\"" << i << "\" value=\"" << xml_escape(cats[i].colour) << "\" label=\""
              << xml_escape(cats[i].label) << "\" render=\"true\"/>\n";
        o << "    </categories>\n    <symbols>\n";
        for (size_t i = 0; i < cats.size(); ++i) {
            const Cat& k = cats[i];
            const bool line = t == GeomType::Line;
            o << qml_symbol(t, std::to_string(i), k.colour, k.fill_op, line ? k.colour : k.stroke, k.stroke_w,
                            line ? k.fill_op : k.stroke_op, false, colour_field);
        }
        o << "    </symbols>\n  </renderer-v2>\n";
    } else {
        const Cat k = cats.empty() ? Cat{"#9ecae1", "", "#404040", 0.6, 1.0, 1.0} : cats.front();
        o << "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
          << "    <symbols>\n"
          << qml_symbol(t, "0", k.colour, k.fill_op, t == GeomType::Line ? k.colour : k.stroke, k.stroke_w, k.stroke_op,
                        !cats.empty(), colour_field)
          << "    </symbols>\n  </renderer-v2>\n";
    }
    o << "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n"
      << "  <layerGeometryType>" << (t == GeomType::Point ? 0 : t == GeomType::Line ? 1 : 2) << "</layerGeometryType>\n"
      << "</qgis>\n";
    return o.str();
}

} // namespace nexusmap
