#pragma once
// Coordinate reference systems and transforms. Coordinates are always passed in
// "GIS order": x = easting or longitude, y = northing or latitude, whatever the
// CRS's official axis order (PROJ's normalize_for_visualization is applied).
#include <memory>
#include <string>
#include <vector>

namespace nexusmap {

struct BBox {
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    double width() const { return xmax - xmin; }
    double height() const { return ymax - ymin; }
    bool empty() const { return !(xmax > xmin && ymax > ymin); }
    bool contains(double x, double y) const { return x >= xmin && x <= xmax && y >= ymin && y <= ymax; }
    void expand(double x, double y) {
        if (x < xmin) xmin = x;
        if (x > xmax) xmax = x;
        if (y < ymin) ymin = y;
        if (y > ymax) ymax = y;
    }
    static BBox inverted() { return {1e300, 1e300, -1e300, -1e300}; }
};

// A CRS described by its WKT (the canonical form) and the user's original definition.
class Crs {
  public:
    Crs() = default;
    // Accepts "EPSG:4326", a PROJ string, WKT, or "laea:LON0,LAT0". Throws GeoError when unknown.
    static Crs from_user(const std::string& definition);
    static Crs wgs84();
    // Lambert azimuthal equal-area on WGS 84 centred at (lon0, lat0): the default analysis CRS.
    static Crs laea(double lon0, double lat0);
    // The default analysis CRS for West Africa / the Sahel (LAEA centred at 2E, 12N).
    static Crs default_analysis();
    static Crs from_wkt(const std::string& wkt);

    const std::string& wkt() const { return wkt_; }
    const std::string& definition() const { return def_; }
    std::string name() const;
    bool valid() const { return !wkt_.empty(); }
    bool is_geographic() const { return geographic_; }
    bool same_as(const Crs& other) const;

  private:
    std::string wkt_, def_;
    bool geographic_ = false;
};

// Transforms between two CRSs. Holds its PROJ handle; uses the calling thread's PROJ context,
// so create one per thread (the constructor is cheap enough for that).
class Transformer {
  public:
    Transformer(const Crs& src, const Crs& dst);
    ~Transformer();
    Transformer(Transformer&&) noexcept;
    Transformer& operator=(Transformer&&) noexcept;
    Transformer(const Transformer&) = delete;
    Transformer& operator=(const Transformer&) = delete;

    // In place; points that fail become NaN. Returns how many failed.
    size_t forward(double* x, double* y, size_t n) const;
    size_t inverse(double* x, double* y, size_t n) const;
    void forward(double& x, double& y) const { forward(&x, &y, 1); }
    void inverse(double& x, double& y) const { inverse(&x, &y, 1); }
    BBox forward_bbox(const BBox& b, int densify = 21) const;
    BBox inverse_bbox(const BBox& b, int densify = 21) const;
    bool is_noop() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace nexusmap
