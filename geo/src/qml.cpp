#include "nexusmap/qml.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/export.hpp"
#include "nexusmap/version.hpp"

namespace nexusmap {

namespace {
std::string xml_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}
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

} // namespace nexusmap
