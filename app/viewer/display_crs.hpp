#pragma once
// The display CRS and the coordinate chain screen -> display -> lon/lat -> analysis. Pure logic
// (geo Transformers, no GL) so tests can exercise the round trips.
//
// Analysis always happens in the analysis CRS (geo's equal-area LAEA). The map is *drawn* in a
// display CRS: the analysis CRS itself (default), Web Mercator (EPSG:3857) or plain lon/lat
// (EPSG:4326 drawn as equirectangular degrees: x = lon * 111319.49 m, y = lat * 111319.49 m, i.e.
// PROJ's eqc on the 6378137 m sphere, so ViewTransform keeps working in "metres" and its zoom
// limits stay meaningful). ViewTransform maps screen pixels to display units.
#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "nexusmap/crs.hpp"
#include "nexusmap/distance.hpp"

namespace nexusmap::viewer {

enum class DisplayKind { EqualArea = 0, Mercator = 1, LonLat = 2 };
inline constexpr std::array<const char*, 3> kDisplayNames = {"equal-area", "mercator", "lonlat"};
inline constexpr std::array<const char*, 3> kDisplayLabels = {
    "Equal-area (analysis LAEA)", "Web Mercator (EPSG:3857)", "Lon/lat (EPSG:4326, equirectangular)"};

inline const char* display_name(DisplayKind k) { return kDisplayNames[size_t(k)]; }
inline std::optional<DisplayKind> display_from_name(const std::string& s) {
    for (size_t i = 0; i < kDisplayNames.size(); ++i)
        if (s == kDisplayNames[i]) return DisplayKind(i);
    if (s == "laea" || s == "analysis") return DisplayKind::EqualArea;
    if (s == "3857" || s == "EPSG:3857" || s == "webmercator") return DisplayKind::Mercator;
    if (s == "4326" || s == "EPSG:4326" || s == "lon-lat" || s == "latlon") return DisplayKind::LonLat;
    return std::nullopt;
}

// The display CRS for `k` (the analysis CRS itself for EqualArea).
inline Crs display_crs(DisplayKind k, const Crs& analysis) {
    switch (k) {
    case DisplayKind::Mercator:
        return Crs::from_user("EPSG:3857");
    case DisplayKind::LonLat:
        return Crs::from_user("+proj=eqc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +units=m +no_defs");
    default:
        return analysis;
    }
}


// lon/lat <-> display <-> analysis. Holds PROJ transformers: create and use on one thread.
// forward()/inverse() have Transformer's meaning with the display CRS as "map" (lon/lat -> display).
class DisplayChain {
  public:
    DisplayChain(const Crs& analysis, DisplayKind kind)
        : kind_(kind), analysis_(analysis), display_(display_crs(kind, analysis)),
          ll_an_(Crs::wgs84(), analysis), ll_disp_(Crs::wgs84(), display_) {
        if (kind_ != DisplayKind::EqualArea) an_disp_ = std::make_unique<Transformer>(analysis_, display_);
    }
    DisplayKind kind() const { return kind_; }
    bool identity() const { return kind_ == DisplayKind::EqualArea; }
    const Crs& crs() const { return display_; }
    const Crs& analysis() const { return analysis_; }

    // lon/lat -> display, display -> lon/lat.
    void forward(double& x, double& y) const { ll_disp_.forward(x, y); }
    void inverse(double& x, double& y) const { ll_disp_.inverse(x, y); }
    BBox forward_bbox(const BBox& b) const { return ll_disp_.forward_bbox(b); }
    // analysis <-> display (identity for the equal-area display).
    void from_analysis(double& x, double& y) const {
        if (an_disp_) an_disp_->forward(x, y);
    }
    size_t from_analysis(double* x, double* y, size_t n) const { return an_disp_ ? an_disp_->forward(x, y, n) : 0; }
    void to_analysis(double& x, double& y) const {
        if (an_disp_) an_disp_->inverse(x, y);
    }
    // lon/lat <-> analysis.
    void lonlat_to_analysis(double& x, double& y) const { ll_an_.forward(x, y); }
    void analysis_to_lonlat(double& x, double& y) const { ll_an_.inverse(x, y); }

    // Analysis metres per display unit near display point (x, y) (1 for the equal-area display;
    // the mean of the two axes' local scales otherwise). Used for pick radii in analysis metres.
    double analysis_per_display(double x, double y, double step = 1000) const {
        if (identity()) return 1;
        double ax = x, ay = y, bx = x + step, by = y, cx = x, cy = y + step;
        to_analysis(ax, ay);
        to_analysis(bx, by);
        to_analysis(cx, cy);
        const double s = 0.5 * (std::hypot(bx - ax, by - ay) + std::hypot(cx - ax, cy - ay)) / step;
        return std::isfinite(s) && s > 0 ? s : 1;
    }
    // Ground metres per display unit along x at display point (x, y), by great-circle distance.
    double ground_per_display(double x, double y, double step = 1000) const {
        double ax = x, ay = y, bx = x + step, by = y;
        inverse(ax, ay);
        inverse(bx, by);
        const double s = haversine_m(ax, ay, bx, by) / step;
        return std::isfinite(s) && s > 0 ? s : 1;
    }

  private:
    DisplayKind kind_;
    Crs analysis_, display_;
    Transformer ll_an_, ll_disp_;
    std::unique_ptr<Transformer> an_disp_;
};

} // namespace nexusmap::viewer
