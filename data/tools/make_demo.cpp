// make_demo: writes the nexusmap demo data set. Everything it produces is
// fabricated (synthetic ACLED-like events, illustrative trafficking routes);
// see data/demo/README.md, which this tool also writes.
//
//   make_demo --basemap data/basemap/west_africa.gpkg --out data/demo
//             --seed 20240101 [--events 20000]
//
// Output is a pure function of (basemap, seed, events): the engine is
// std::mt19937_64 (fully specified by the standard) and every distribution is
// implemented here, because the std:: distributions are implementation-defined
// and would give different files under libstdc++, libc++ and MSVC.

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kFirstYear = 2012;
constexpr int kLastYear = 2024;
constexpr int kYears = kLastYear - kFirstYear + 1;

// ---------------------------------------------------------------- randomness

class Rng {
  public:
    explicit Rng(std::uint64_t seed) : eng_(seed) {}

    // 53 random bits -> [0, 1).
    double uniform() { return static_cast<double>(eng_() >> 11) * 0x1.0p-53; }
    double uniform(double a, double b) { return a + (b - a) * uniform(); }

    // Unbiased integer in [0, n) by rejection.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        std::uint64_t x;
        do
            x = eng_();
        while (x >= limit);
        return x % n;
    }

    // Box–Muller; both variates are used, in a fixed order.
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double u1 = 1.0 - uniform(); // (0, 1], keeps log finite
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double a = 2.0 * std::numbers::pi * u2;
        spare_ = r * std::sin(a);
        has_spare_ = true;
        return r * std::cos(a);
    }
    double normal(double mean, double sd) { return mean + sd * normal(); }

    // Index drawn with probability proportional to w[i].
    std::size_t pick(std::span<const double> w) {
        double total = 0;
        for (double x : w)
            total += x;
        double r = uniform() * total;
        for (std::size_t i = 0; i < w.size(); ++i) {
            if (r < w[i]) return i;
            r -= w[i];
        }
        return w.size() - 1; // only reachable through rounding
    }

    bool chance(double p) { return uniform() < p; }

  private:
    std::mt19937_64 eng_;
    bool has_spare_ = false;
    double spare_ = 0;
};

// ------------------------------------------------------------------ geometry

// Local equirectangular projection centred on the study area (11°N); plenty
// accurate for distances of a few hundred km, and cheap.
constexpr double kKmPerDegLat = 110.57;
const double kKmPerDegLon = 111.32 * std::cos(11.0 * std::numbers::pi / 180.0);

double km_between(double lon1, double lat1, double lon2, double lat2) {
    return std::hypot((lon2 - lon1) * kKmPerDegLon, (lat2 - lat1) * kKmPerDegLat);
}

bool in_polygon(const OGRPolygon& poly, const OGRPoint& p) {
    const OGRLinearRing* ext = poly.getExteriorRing();
    if (!ext || !ext->isPointInRing(&p, TRUE)) return false;
    for (int i = 0; i < poly.getNumInteriorRings(); ++i)
        if (poly.getInteriorRing(i)->isPointInRing(&p, TRUE)) return false;
    return true;
}

// Plain ray casting via OGR's ring test: no GEOS round trip per point, which
// matters when testing tens of thousands of candidate points.
bool in_geometry(const OGRGeometry& g, const OGRPoint& p) {
    switch (wkbFlatten(g.getGeometryType())) {
    case wkbPolygon:
        return in_polygon(*g.toPolygon(), p);
    case wkbMultiPolygon:
        for (const OGRPolygon* poly : *g.toMultiPolygon())
            if (in_polygon(*poly, p)) return true;
        return false;
    default:
        return false;
    }
}

struct Admin1 {
    std::string iso, country, name;
    std::unique_ptr<OGRGeometry> geom;
    OGREnvelope env;
};

enum class Group { Sahel, Coastal, Other };

Group group_of(std::string_view iso) {
    if (iso == "MLI" || iso == "BFA" || iso == "NER") return Group::Sahel;
    if (iso == "CIV" || iso == "GHA" || iso == "TGO" || iso == "BEN") return Group::Coastal;
    return Group::Other;
}

class Basemap {
  public:
    explicit Basemap(const std::string& path) {
        GDALAllRegister();
        std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        if (!ds) throw std::runtime_error("cannot open basemap " + path);
        OGRLayer* a1 = ds->GetLayerByName("admin1");
        OGRLayer* a0 = ds->GetLayerByName("admin0");
        if (!a1 || !a0) throw std::runtime_error(path + ": needs layers admin0 and admin1");

        for (auto& f : *a1) {
            Admin1 u;
            u.iso = f->GetFieldAsString("iso_a3");
            u.country = f->GetFieldAsString("adm0_name");
            u.name = f->GetFieldAsString("name");
            u.geom.reset(f->StealGeometry());
            if (!u.geom) continue;
            u.geom->getEnvelope(&u.env);
            units_.push_back(std::move(u));
        }

        // The Sahel/coastal border: the part of the coastal states' outline that
        // touches a Sahel state. Buffering tolerates vertices that do not match
        // exactly between neighbouring polygons.
        OGRMultiPolygon sahel, coastal;
        for (auto& f : *a0) {
            const Group g = group_of(f->GetFieldAsString("iso_a3"));
            const OGRGeometry* geom = f->GetGeometryRef();
            if (!geom || g == Group::Other) continue;
            auto& dst = g == Group::Sahel ? sahel : coastal;
            if (wkbFlatten(geom->getGeometryType()) == wkbMultiPolygon) {
                for (const OGRPolygon* p : *geom->toMultiPolygon())
                    dst.addGeometry(p);
            } else {
                dst.addGeometry(geom);
            }
        }
        std::unique_ptr<OGRGeometry> sahel_u(sahel.UnionCascaded());
        std::unique_ptr<OGRGeometry> coastal_u(coastal.UnionCascaded());
        if (!sahel_u || !coastal_u) throw std::runtime_error("GEOS union failed (GDAL built without GEOS?)");
        std::unique_ptr<OGRGeometry> near_sahel(sahel_u->Buffer(0.01));
        std::unique_ptr<OGRGeometry> outline(coastal_u->Boundary());
        std::unique_ptr<OGRGeometry> border(outline->Intersection(near_sahel.get()));
        if (!border) throw std::runtime_error("cannot derive the Sahel/coastal border");
        collect_segments(*border);
        if (border_.empty()) throw std::runtime_error("Sahel/coastal border is empty");
    }

    const Admin1* locate(double lon, double lat) const {
        const OGRPoint p(lon, lat);
        for (const Admin1& u : units_) {
            if (lon < u.env.MinX || lon > u.env.MaxX || lat < u.env.MinY || lat > u.env.MaxY) continue;
            if (in_geometry(*u.geom, p)) return &u;
        }
        return nullptr;
    }

    // Distance (km) to the Sahel/coastal border, positive on the coastal side;
    // nullopt for points in neither group of states.
    std::optional<double> signed_border_km(double lon, double lat, std::string_view iso) const {
        const Group g = group_of(iso);
        if (g == Group::Other) return std::nullopt;
        const double px = lon * kKmPerDegLon, py = lat * kKmPerDegLat;
        double best = INFINITY;
        for (const auto& s : border_) {
            const double dx = s[2] - s[0], dy = s[3] - s[1];
            const double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - s[0]) * dx + (py - s[1]) * dy) / len2 : 0;
            t = std::clamp(t, 0.0, 1.0);
            best = std::min(best, std::hypot(px - (s[0] + t * dx), py - (s[1] + t * dy)));
        }
        return g == Group::Coastal ? best : -best;
    }

  private:
    void collect_segments(const OGRGeometry& g) {
        switch (wkbFlatten(g.getGeometryType())) {
        case wkbLineString: {
            const OGRLineString* ls = g.toLineString();
            for (int i = 1; i < ls->getNumPoints(); ++i)
                border_.push_back({ls->getX(i - 1) * kKmPerDegLon, ls->getY(i - 1) * kKmPerDegLat,
                                   ls->getX(i) * kKmPerDegLon, ls->getY(i) * kKmPerDegLat});
            break;
        }
        case wkbMultiLineString:
        case wkbGeometryCollection:
            for (const OGRGeometry* part : *g.toGeometryCollection())
                collect_segments(*part);
            break;
        default:
            break; // stray touching points carry no length
        }
    }

    std::vector<Admin1> units_;
    std::vector<std::array<double, 4>> border_; // segments in local km
};

// ----------------------------------------------------------------- gazetteer

// Approximate town positions (lon, lat), used to label events and to draw
// routes. Accuracy of a few km is all the demo needs.
struct Town {
    const char* name;
    double lon, lat;
};

constexpr Town kTowns[] = {
    // Mali
    {"Bamako", -8.00, 12.64},
    {"Kayes", -11.43, 14.45},
    {"Kita", -9.49, 13.04},
    {"Kéniéba", -11.23, 12.84},
    {"Nioro du Sahel", -9.60, 15.23},
    {"Nara", -7.28, 15.17},
    {"Ségou", -6.27, 13.43},
    {"Niono", -5.99, 14.25},
    {"San", -4.90, 13.30},
    {"Djenné", -4.55, 13.90},
    {"Mopti", -4.20, 14.49},
    {"Bandiagara", -3.61, 14.35},
    {"Koro", -3.00, 14.07},
    {"Douentza", -2.95, 15.00},
    {"Hombori", -1.70, 15.28},
    {"Léré", -4.91, 15.72},
    {"Timbuktu", -3.00, 16.77},
    {"Goundam", -3.67, 16.41},
    {"Bourem", -0.35, 16.95},
    {"Gao", 0.05, 16.27},
    {"Ansongo", 0.50, 15.66},
    {"Ménaka", 2.40, 15.92},
    {"Anéfis", 0.93, 17.98},
    {"Kidal", 1.41, 18.44},
    {"Aguelhok", 1.16, 19.46},
    {"Tessalit", 1.01, 20.20},
    {"Koutiala", -5.46, 12.39},
    {"Sikasso", -5.67, 11.32},
    {"Bougouni", -7.48, 11.42},
    {"Kadiolo", -5.76, 10.56},
    // Burkina Faso
    {"Ouagadougou", -1.53, 12.37},
    {"Bobo-Dioulasso", -4.30, 11.18},
    {"Banfora", -4.76, 10.63},
    {"Niangoloko", -4.92, 10.28},
    {"Gaoua", -3.18, 10.33},
    {"Dédougou", -3.46, 12.46},
    {"Tougan", -3.07, 13.07},
    {"Ouahigouya", -2.42, 13.58},
    {"Titao", -2.07, 13.77},
    {"Djibo", -1.63, 14.10},
    {"Arbinda", -0.87, 14.23},
    {"Dori", -0.03, 14.03},
    {"Gorom-Gorom", -0.23, 14.44},
    {"Sebba", 0.53, 13.44},
    {"Kaya", -1.08, 13.09},
    {"Barsalogho", -1.06, 13.42},
    {"Bogandé", -0.14, 12.98},
    {"Gayéri", 0.49, 12.65},
    {"Fada N'Gourma", 0.35, 12.06},
    {"Kantchari", 1.51, 12.48},
    {"Diapaga", 1.79, 12.07},
    {"Pama", 0.70, 11.25},
    {"Tenkodogo", -0.37, 11.78},
    {"Bittou", -0.30, 11.26},
    {"Pô", -1.15, 11.17},
    {"Manga", -1.07, 11.66},
    // Niger
    {"Niamey", 2.11, 13.51},
    {"Tillabéri", 1.45, 14.21},
    {"Ayorou", 0.92, 14.73},
    {"Ouallam", 2.09, 14.32},
    {"Téra", 0.75, 14.01},
    {"Torodi", 1.80, 13.11},
    {"Say", 2.36, 13.10},
    {"Filingué", 3.32, 14.35},
    {"Dosso", 3.19, 13.05},
    {"Gaya", 3.45, 11.88},
    {"Birni N'Konni", 5.25, 13.79},
    {"Tahoua", 5.27, 14.89},
    {"Tillia", 5.59, 16.13},
    {"Abalak", 6.28, 15.45},
    {"Agadez", 7.99, 16.97},
    {"Arlit", 7.39, 18.74},
    {"Assamaka", 5.78, 19.36},
    {"Dirkou", 12.97, 18.99},
    {"Séguédine", 12.98, 20.20},
    {"Madama", 13.65, 21.95},
    {"Maradi", 7.10, 13.50},
    {"Zinder", 8.99, 13.81},
    {"Diffa", 12.61, 13.32},
    // Côte d'Ivoire
    {"Abidjan", -4.01, 5.35},
    {"Yamoussoukro", -5.28, 6.82},
    {"Bouaké", -5.03, 7.69},
    {"Korhogo", -5.63, 9.46},
    {"Ferkessédougou", -5.19, 9.60},
    {"Ouangolodougou", -5.15, 9.97},
    {"Kafolo", -4.32, 9.60},
    {"Bouna", -3.00, 9.27},
    {"Tengréla", -6.41, 10.49},
    {"Odienné", -7.56, 9.51},
    // Ghana
    {"Accra", -0.19, 5.60},
    {"Kumasi", -1.62, 6.69},
    {"Techiman", -1.94, 7.59},
    {"Kintampo", -1.73, 8.06},
    {"Tamale", -0.84, 9.40},
    {"Bolgatanga", -0.85, 10.79},
    {"Navrongo", -1.09, 10.90},
    {"Paga", -1.12, 10.99},
    {"Bawku", -0.24, 11.06},
    {"Wa", -2.50, 10.06},
    {"Yendi", -0.01, 9.44},
    // Togo
    {"Lomé", 1.22, 6.13},
    {"Atakpamé", 1.13, 7.53},
    {"Sokodé", 1.13, 8.98},
    {"Kara", 1.19, 9.55},
    {"Mango", 0.47, 10.36},
    {"Dapaong", 0.21, 10.86},
    {"Cinkassé", 0.01, 11.10},
    // Benin
    {"Cotonou", 2.42, 6.37},
    {"Porto-Novo", 2.63, 6.50},
    {"Bohicon", 2.07, 7.18},
    {"Parakou", 2.63, 9.34},
    {"Djougou", 1.66, 9.71},
    {"Natitingou", 1.38, 10.30},
    {"Tanguiéta", 1.26, 10.62},
    {"Porga", 0.97, 11.04},
    {"Banikoara", 2.44, 11.30},
    {"Kandi", 2.94, 11.13},
    {"Malanville", 3.39, 11.87},
    {"Karimama", 3.18, 12.06},
    // Guinea, Guinea-Bissau, Senegal, Mauritania
    {"Conakry", -13.68, 9.64},
    {"Kindia", -12.86, 10.06},
    {"Mamou", -12.08, 10.38},
    {"Kankan", -9.31, 10.38},
    {"Siguiri", -9.17, 11.42},
    {"Bissau", -15.60, 11.86},
    {"Bafatá", -14.66, 12.17},
    {"Kolda", -14.95, 12.89},
    {"Tambacounda", -13.67, 13.77},
    {"Kédougou", -12.18, 12.56},
    {"Saraya", -11.78, 12.84},
    {"Dakar", -17.45, 14.69},
    {"Nouakchott", -15.98, 18.08},
    {"Néma", -7.26, 16.62},
    {"Bassikounou", -5.90, 15.87},
    // Nigeria
    {"Kano", 8.52, 12.00},
    {"Sokoto", 5.24, 13.06},
    {"Maiduguri", 13.16, 11.85},
    // Algeria, Libya (route end points only; outside the basemap)
    {"Tamanrasset", 5.52, 22.79},
    {"In Guezzam", 5.77, 19.57},
    {"Bordj Badji Mokhtar", 0.93, 21.33},
    {"Tin Zaouatine", 2.97, 19.96},
    {"Djanet", 9.48, 24.55},
    {"Tummo", 13.55, 22.80},
    {"Al Qatrun", 14.64, 24.93},
    {"Sebha", 14.43, 27.04},
};

const Town& town(std::string_view name) {
    for (const Town& t : kTowns)
        if (name == t.name) return t;
    throw std::runtime_error("unknown town in route table: " + std::string(name));
}

// ------------------------------------------------------------------ clusters

enum class Region { North, Central, Liptako, Burkina, SouthBelt, Coastal, LakeChad, Background };

// An event hot spot. Weights are keyframes for 2012, 2014, ..., 2024 and are
// interpolated linearly; they are relative shares of a year's events.
struct Cluster {
    const char* name;
    Region region;
    double lon, lat, sd_lon, sd_lat;
    double isgs_share; // share of jihadist events attributed to ISGS (from 2015)
    std::array<double, 7> w;
};

// The southern belt and coastal clusters move south and spread out from 2019:
// the "spillover" that the analysis is meant to recover.
constexpr double kDriftStartYear = 2019.0;
constexpr double kDriftDegPerYear = 0.07;
constexpr double kSpreadPerYear = 0.08;

constexpr Cluster kClusters[] = {
    // name, region, lon, lat, sd_lon, sd_lat, isgs_share, weights for 2012, 2014, ..., 2024
    {"Timbuktu region", Region::North, -3.0, 16.6, 0.7, 0.5, 0.10, {20, 12, 8, 5, 4, 3, 3}},
    {"Gao region", Region::North, 0.1, 16.2, 0.6, 0.5, 0.30, {30, 18, 10, 6, 4, 4, 4}},
    {"Kidal region", Region::North, 1.4, 18.5, 0.6, 0.6, 0.10, {20, 12, 6, 3, 2, 2, 2}},
    {"Mopti (central Mali)", Region::Central, -4.2, 14.5, 0.6, 0.5, 0.10, {8, 15, 18, 16, 13, 10, 9}},
    {"Ségou (central Mali)", Region::Central, -6.3, 13.4, 0.6, 0.5, 0.05, {3, 6, 8, 8, 7, 6, 5}},
    {"Ménaka/Tillabéri tri-border", Region::Liptako, 0.5, 14.8, 0.7, 0.5, 0.70, {2, 4, 8, 10, 9, 8, 7}},
    {"Burkina Sahel (Djibo-Dori)", Region::Liptako, -0.3, 14.1, 0.7, 0.4, 0.35, {0, 1, 4, 12, 12, 10, 9}},
    {"Niger Tillabéri", Region::Liptako, 1.45, 14.2, 0.5, 0.4, 0.70, {1, 1, 3, 6, 8, 7, 6}},
    {"Niger Tahoua", Region::Liptako, 5.3, 14.9, 0.6, 0.5, 0.60, {1, 1, 2, 2, 3, 3, 3}},
    {"Burkina Centre-Nord (Kaya)", Region::Burkina, -1.1, 13.3, 0.5, 0.4, 0.10, {0, 0, 1, 5, 7, 7, 6}},
    {"Burkina Nord (Ouahigouya)", Region::Burkina, -2.3, 13.7, 0.4, 0.4, 0.10, {0, 0, 1, 3, 4, 4, 4}},
    {"Boucle du Mouhoun", Region::Burkina, -3.6, 12.6, 0.5, 0.4, 0.05, {0, 0, 0.5, 2, 4, 5, 5}},
    {"Fada N'Gourma (Burkina Est)", Region::Burkina, 0.35, 12.06, 0.4, 0.35, 0.30, {0, 0, 0.5, 6, 8, 8, 7}},
    {"Diapaga (Burkina Est)", Region::Burkina, 1.8, 12.1, 0.4, 0.35, 0.35, {0, 0, 0.5, 4, 6, 6, 5}},
    {"Burkina Centre-Est (Koulpélogo)",
     Region::SouthBelt,
     0.2,
     11.4,
     0.35,
     0.25,
     0.10,
     {0, 0, 0, 1, 3, 4, 4}},
    {"Burkina Est south (Pama)", Region::SouthBelt, 0.9, 11.35, 0.35, 0.25, 0.20, {0, 0, 0, 1, 3, 4, 4}},
    {"Burkina Cascades/Sud-Ouest", Region::SouthBelt, -3.9, 10.5, 0.6, 0.3, 0.05, {0, 0, 0, 0.5, 2, 4, 4}},
    {"Benin W/Pendjari parks", Region::Coastal, 1.6, 11.3, 0.4, 0.3, 0.10, {0, 0, 0, 0.2, 1, 3, 5}},
    {"Benin Karimama/Alibori", Region::Coastal, 3.0, 11.8, 0.4, 0.3, 0.30, {0, 0, 0, 0.1, 0.5, 2, 3.5}},
    {"Togo Savanes", Region::Coastal, 0.4, 10.8, 0.3, 0.25, 0.10, {0, 0, 0, 0.1, 0.6, 2, 3}},
    {"Ghana north (Bawku)", Region::Coastal, -0.25, 10.9, 0.3, 0.2, 0.05, {0, 0, 0, 0.2, 0.6, 1.5, 2.5}},
    {"Côte d'Ivoire north (Kafolo)",
     Region::Coastal,
     -4.3,
     9.6,
     0.4,
     0.3,
     0.05,
     {0, 0, 0, 0.1, 1.0, 1.2, 1.5}},
    {"Côte d'Ivoire north (Tengréla)",
     Region::Coastal,
     -6.4,
     10.5,
     0.3,
     0.25,
     0.05,
     {0, 0, 0, 0.05, 0.5, 0.8, 1.2}},
    {"Lake Chad basin (Diffa)", Region::LakeChad, 12.9, 13.4, 0.5, 0.35, 0.0, {1, 2, 4, 3, 3, 2, 2}},
    // Scattered events anywhere in the box below (see sample_point).
    {"background", Region::Background, 0, 0, 0, 0, 0.30, {6, 6, 6, 6, 6, 6, 6}},
};
constexpr std::size_t kNumClusters = std::size(kClusters);

double cluster_weight(const Cluster& c, double year) {
    const double x = std::clamp((year - kFirstYear) / 2.0, 0.0, 6.0);
    const int i = std::min(static_cast<int>(x), 5);
    const double f = x - i;
    return c.w[i] * (1 - f) + c.w[i + 1] * f;
}

// Events per year before scaling to --events: a few hundred in 2012, ~3000
// from 2022. Sums to 19 900.
constexpr std::array<double, kYears> kYearProfile = {300,  350,  300,  400,  550,  800, 1300,
                                                     1900, 2300, 2600, 3000, 3100, 3000};

// ------------------------------------------------------------ event content

enum EventType { Battles, Vac, Explosions, Riots, Protests, Strategic, kNumTypes };

constexpr const char* kTypeNames[kNumTypes] = {
    "Battles",  "Violence against civilians", "Explosions/Remote violence", "Riots",
    "Protests", "Strategic developments"};

struct SubEvent {
    const char* name;
    double w;
};

const std::vector<SubEvent>& sub_events(EventType t) {
    static const std::vector<SubEvent> k[kNumTypes] = {
        {{"Armed clash", 85},
         {"Government regains territory", 8},
         {"Non-state actor overtakes territory", 7}},
        {{"Attack", 75}, {"Abduction/forced disappearance", 22}, {"Sexual violence", 3}},
        {{"Remote explosive/landmine/IED", 55},
         {"Air/drone strike", 25},
         {"Shelling/artillery/missile attack", 15},
         {"Suicide bomb", 3},
         {"Grenade", 2}},
        {{"Violent demonstration", 55}, {"Mob violence", 45}},
        {{"Peaceful protest", 88},
         {"Protest with intervention", 10},
         {"Excessive force against protesters", 2}},
        {{"Looting/property destruction", 35},
         {"Arrests", 25},
         {"Change to group/activity", 15},
         {"Headquarters or base established", 8},
         {"Disrupted weapons use", 7},
         {"Agreement", 4},
         {"Other", 6}},
    };
    return k[t];
}

std::array<double, kNumTypes> type_profile(Region r) {
    switch (r) {
    case Region::Background:
        return {0.12, 0.18, 0.04, 0.16, 0.38, 0.12};
    case Region::Coastal:
        return {0.30, 0.30, 0.22, 0.02, 0.03, 0.13};
    case Region::SouthBelt:
        return {0.30, 0.34, 0.18, 0.02, 0.03, 0.13};
    default:
        return {0.32, 0.33, 0.14, 0.04, 0.06, 0.11};
    }
}

const std::string kSyn = " (synthetic)";

// The jihadist actor, named as the groups were at the time (JNIM formed in
// 2017; ISGS appears in 2015).
std::string jihadist(const Cluster& c, int year, Rng& rng) {
    if (c.region == Region::LakeChad) return "Boko Haram/ISWAP" + kSyn;
    if (year >= 2017) return (rng.chance(c.isgs_share) ? "ISGS/IS Sahel" : "JNIM") + kSyn;
    if (year >= 2015 && rng.chance(c.isgs_share)) return "ISGS/IS Sahel" + kSyn;
    switch (c.region) {
    case Region::North: {
        // MUJAO merged into Al-Mourabitoun in 2013.
        static const char* early[] = {"Ansar Dine", "MUJAO", "AQIM"};
        static const char* late[] = {"Ansar Dine", "Al-Mourabitoun", "AQIM"};
        return (year <= 2013 ? early : late)[rng.below(3)] + kSyn;
    }
    case Region::Central:
        return "Katiba Macina" + kSyn;
    case Region::Liptako:
    case Region::Burkina:
        return (year >= 2016 ? "Ansarul Islam" : "AQIM") + kSyn;
    default:
        return "AQIM" + kSyn;
    }
}

std::string actor_for(EventType t, const std::string& sub, const Cluster& c, int year, Rng& rng) {
    const std::string military = "Military forces" + kSyn;
    const std::string militia = "Communal militia" + kSyn;
    switch (t) {
    case Battles:
        if (sub == "Non-state actor overtakes territory") return jihadist(c, year, rng);
        if (sub == "Government regains territory") return military;
        if (c.region == Region::North && year <= 2014 && rng.chance(0.3)) return "MNLA" + kSyn;
        switch (rng.pick(std::array{0.55, 0.35, 0.10})) {
        case 0:
            return jihadist(c, year, rng);
        case 1:
            return military;
        default:
            return militia;
        }
    case Vac: {
        const double u = rng.uniform();
        if (u < 0.55) return jihadist(c, year, rng);
        if (u < 0.70) return military;
        if (u < 0.90) return militia;
        return "Unidentified armed group" + kSyn;
    }
    case Explosions:
        if (sub == "Air/drone strike") return military;
        if (sub == "Shelling/artillery/missile attack" && rng.chance(0.3)) return military;
        return jihadist(c, year, rng);
    case Riots:
        return rng.chance(0.8) ? "Rioters" + kSyn : militia;
    case Protests:
        return "Protesters" + kSyn;
    case Strategic:
        if (sub == "Arrests") return military;
        return rng.chance(0.85) ? jihadist(c, year, rng) : militia;
    default:
        return military;
    }
}

// Heavy-tailed: most events kill 0-3 people, a few kill dozens.
int fatalities_for(EventType t, const std::string& sub, Rng& rng) {
    auto lognormal = [&](double mu, double sigma) {
        return static_cast<int>(std::lround(std::exp(rng.normal(mu, sigma))));
    };
    int n = 0;
    switch (t) {
    case Battles:
        n = rng.chance(0.30) ? 0 : lognormal(1.0, 1.0);
        break;
    case Vac:
        if (sub == "Abduction/forced disappearance" || sub == "Sexual violence")
            n = 0;
        else if (rng.chance(0.006))
            n = 30 + static_cast<int>(rng.below(130)); // massacre
        else
            n = rng.chance(0.25) ? 0 : lognormal(0.5, 1.0);
        break;
    case Explosions:
        n = rng.chance(0.45) ? 0 : lognormal(0.7, 1.0);
        break;
    case Riots:
        n = rng.chance(0.85) ? 0 : 1 + static_cast<int>(rng.below(3));
        break;
    case Protests:
        n = sub == "Excessive force against protesters" ? 1 + static_cast<int>(rng.below(4)) : 0;
        break;
    case Strategic:
        n = rng.chance(0.97) ? 0 : 1 + static_cast<int>(rng.below(2));
        break;
    default:
        break;
    }
    return std::clamp(n, 0, 300);
}

// --------------------------------------------------------------- the events

struct Event {
    int year, month, day;
    double t; // decimal year, for drift and sorting
    std::size_t cluster;
    EventType type;
    std::string sub_type, actor, iso, country, admin1, location, id;
    double lon, lat;
    int precision, fatalities;
};

struct Placed {
    double lon, lat;
    const Admin1* unit;
};

// Background acceptance by country group: concentrated in the Sahel states.
double background_accept(std::string_view iso) {
    switch (group_of(iso)) {
    case Group::Sahel:
        return 1.0;
    case Group::Coastal:
        return 0.25;
    default:
        return 0.5;
    }
}

std::optional<Placed> sample_point(const Cluster& c, double t, const Basemap& map, Rng& rng) {
    double clat = c.lat, sd_lat = c.sd_lat, sd_lon = c.sd_lon;
    if ((c.region == Region::SouthBelt || c.region == Region::Coastal) && t > kDriftStartYear) {
        clat -= kDriftDegPerYear * (t - kDriftStartYear);
        sd_lat *= 1 + kSpreadPerYear * (t - kDriftStartYear);
        sd_lon *= 1 + kSpreadPerYear * (t - kDriftStartYear);
    }
    for (int attempt = 0; attempt < 500; ++attempt) {
        double lon, lat;
        if (c.region == Region::Background) {
            lon = rng.uniform(-12.0, 14.0);
            lat = rng.uniform(6.0, 20.0);
        } else {
            lon = rng.normal(c.lon, sd_lon);
            lat = rng.normal(clat, sd_lat);
        }
        // Round first so that the stored coordinate is the one that was located.
        lon = std::round(lon * 1e4) / 1e4;
        lat = std::round(lat * 1e4) / 1e4;
        const Admin1* u = map.locate(lon, lat);
        if (!u) continue; // sea, lake, or a country outside the basemap
        if (c.region == Region::Background && !rng.chance(background_accept(u->iso))) continue;
        return Placed{lon, lat, u};
    }
    return std::nullopt;
}

// Nearest gazetteer town in the same country within 60 km, else a generic
// label; ACLED always names a location.
std::string location_for(double lon, double lat, const Admin1& unit,
                         const std::vector<std::string>& town_iso) {
    const Town* best = nullptr;
    double best_km = 60.0;
    for (std::size_t i = 0; i < std::size(kTowns); ++i) {
        if (town_iso[i] != unit.iso) continue;
        const double d = km_between(lon, lat, kTowns[i].lon, kTowns[i].lat);
        if (d < best_km) best_km = d, best = &kTowns[i];
    }
    if (!best) return unit.name + " (rural)";
    return best_km < 8 ? best->name : "near " + std::string(best->name);
}

std::array<int, kYears> year_counts(int total) {
    double sum = 0;
    for (double x : kYearProfile)
        sum += x;
    std::array<int, kYears> n{};
    int assigned = 0;
    for (int i = 0; i < kYears; ++i)
        assigned += n[i] = static_cast<int>(std::lround(total * kYearProfile[i] / sum));
    n[kYears - 1] += total - assigned;
    return n;
}

std::vector<Event> make_events(const Basemap& map, std::uint64_t seed, int total) {
    Rng rng(seed);
    std::vector<std::string> town_iso;
    for (const Town& t : kTowns) {
        const Admin1* u = map.locate(t.lon, t.lat);
        town_iso.push_back(u ? u->iso : "");
    }

    std::vector<Event> events;
    const auto counts = year_counts(total);
    for (int yi = 0; yi < kYears; ++yi) {
        const int year = kFirstYear + yi;
        using namespace std::chrono;
        const sys_days jan1{std::chrono::year{year} / January / 1};
        const int ndays =
            static_cast<int>((sys_days{std::chrono::year{year + 1} / January / 1} - jan1).count());
        for (int k = 0; k < counts[yi]; ++k) {
            Event e;
            const int doy = static_cast<int>(rng.below(ndays));
            const year_month_day ymd{jan1 + days{doy}};
            e.year = year;
            e.month = static_cast<int>(unsigned{ymd.month()});
            e.day = static_cast<int>(unsigned{ymd.day()});
            e.t = year + (doy + 0.5) / ndays;

            std::array<double, kNumClusters> w{};
            for (std::size_t c = 0; c < kNumClusters; ++c)
                w[c] = cluster_weight(kClusters[c], e.t);
            std::optional<Placed> p;
            while (!p) {
                e.cluster = rng.pick(w);
                p = sample_point(kClusters[e.cluster], e.t, map, rng);
            }
            const Cluster& c = kClusters[e.cluster];
            e.lon = p->lon;
            e.lat = p->lat;
            e.iso = p->unit->iso;
            e.country = p->unit->country;
            e.admin1 = p->unit->name;
            e.location = location_for(e.lon, e.lat, *p->unit, town_iso);

            const auto tp = type_profile(c.region);
            e.type = static_cast<EventType>(rng.pick(tp));
            const auto& subs = sub_events(e.type);
            std::vector<double> sw;
            for (const auto& s : subs)
                sw.push_back(s.w);
            e.sub_type = subs[rng.pick(sw)].name;
            e.actor = actor_for(e.type, e.sub_type, c, year, rng);
            e.fatalities = fatalities_for(e.type, e.sub_type, rng);
            e.precision = 1 + static_cast<int>(rng.pick(std::array{0.6, 0.3, 0.1}));
            events.push_back(std::move(e));
        }
    }

    // ACLED numbers events per country in date order.
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
    std::map<std::string, int> next_id;
    for (Event& e : events)
        e.id = e.iso + std::to_string(++next_id[e.iso]);
    return events;
}

// -------------------------------------------------------------------- routes

struct RouteDef {
    const char* commodity;
    const char* name;
    std::vector<const char*> via;
};

// Illustrative corridors, drawn from open-source descriptions of Sahelian
// trafficking; approximate by design.
const std::vector<RouteDef>& route_defs() {
    static const std::vector<RouteDef> k = {
        {"fuel",
         "Tamanrasset - In Guezzam - Kidal - Gao fuel corridor",
         {"Tamanrasset", "In Guezzam", "Tin Zaouatine", "Kidal", "Anéfis", "Bourem", "Gao"}},
        {"fuel",
         "Bordj Badji Mokhtar - Tessalit - Kidal - Gao fuel run",
         {"Bordj Badji Mokhtar", "Tessalit", "Aguelhok", "Kidal", "Anéfis", "Gao", "Ansongo", "Ménaka"}},
        {"fuel",
         "Nigerian fuel (kpayo) north through Benin to eastern Burkina",
         {"Porto-Novo", "Bohicon", "Parakou", "Kandi", "Malanville", "Gaya", "Say", "Torodi", "Kantchari",
          "Fada N'Gourma"}},
        {"cattle",
         "Central Mali cattle to Abidjan",
         {"Mopti", "Djenné", "San", "Koutiala", "Sikasso", "Kadiolo", "Tengréla", "Korhogo", "Bouaké",
          "Yamoussoukro", "Abidjan"}},
        {"cattle",
         "Burkina Sahel cattle to Accra",
         {"Dori", "Kaya", "Ouagadougou", "Manga", "Pô", "Paga", "Navrongo", "Tamale", "Kintampo", "Techiman",
          "Kumasi", "Accra"}},
        {"cattle",
         "Burkina Est cattle to Kumasi",
         {"Fada N'Gourma", "Tenkodogo", "Bittou", "Bawku", "Bolgatanga", "Tamale", "Kintampo", "Kumasi"}},
        {"cattle",
         "Burkina Est cattle to Lomé",
         {"Gayéri", "Fada N'Gourma", "Pama", "Dapaong", "Mango", "Kara", "Sokodé", "Atakpamé", "Lomé"}},
        {"cattle",
         "Tillabéri cattle to Parakou and Cotonou",
         {"Tillabéri", "Niamey", "Dosso", "Gaya", "Malanville", "Kandi", "Parakou", "Bohicon", "Cotonou"}},
        {"drugs",
         "Conakry cocaine north via Bamako to the Algerian border",
         {"Conakry", "Kindia", "Mamou", "Kankan", "Siguiri", "Bamako", "Ségou", "Niono", "Léré", "Timbuktu",
          "Bordj Badji Mokhtar"}},
        {"drugs",
         "Bissau cocaine via Tambacounda to Timbuktu",
         {"Bissau", "Bafatá", "Kolda", "Tambacounda", "Kayes", "Nioro du Sahel", "Nara", "Léré", "Timbuktu"}},
        {"drugs",
         "Lomé cannabis and cocaine north via Niamey to Agadez",
         {"Lomé", "Atakpamé", "Sokodé", "Kara", "Dapaong", "Pama", "Kantchari", "Torodi", "Niamey",
          "Filingué", "Tahoua", "Agadez"}},
        {"drugs",
         "Cotonou cocaine via Malanville and Agadez to Algeria",
         {"Cotonou", "Bohicon", "Parakou", "Kandi", "Malanville", "Gaya", "Dosso", "Birni N'Konni", "Tahoua",
          "Agadez", "Arlit", "Assamaka", "In Guezzam", "Tamanrasset"}},
        {"drugs",
         "Accra cannabis north via Ouagadougou to Gao",
         {"Accra", "Kumasi", "Techiman", "Tamale", "Bolgatanga", "Paga", "Pô", "Ouagadougou", "Kaya", "Dori",
          "Ansongo", "Gao"}},
        {"arms",
         "Southern Libya - Agadez - Ménaka arms route",
         {"Sebha", "Al Qatrun", "Tummo", "Madama", "Séguédine", "Dirkou", "Agadez", "Abalak", "Tillia",
          "Ménaka", "Ansongo", "Gao"}},
        {"arms",
         "Agadez - Tahoua - Tillabéri arms into the Burkina Sahel",
         {"Agadez", "Tahoua", "Filingué", "Ouallam", "Tillabéri", "Téra", "Sebba", "Dori", "Arbinda",
          "Djibo"}},
        {"arms",
         "Liptako arms south into the Pendjari/W complex",
         {"Gao", "Ansongo", "Ayorou", "Téra", "Sebba", "Gayéri", "Fada N'Gourma", "Pama", "Porga",
          "Tanguiéta"}},
        {"gold",
         "Kidal artisanal gold to Bamako",
         {"Kidal", "Anéfis", "Bourem", "Gao", "Hombori", "Douentza", "Mopti", "Ségou", "Bamako"}},
        {"gold",
         "Burkina Sahel artisanal gold to Ouagadougou",
         {"Gorom-Gorom", "Dori", "Bogandé", "Kaya", "Ouagadougou"}},
        {"gold",
         "Burkina Est artisanal gold to Lomé",
         {"Kantchari", "Gayéri", "Fada N'Gourma", "Pama", "Cinkassé", "Dapaong", "Mango", "Kara", "Sokodé",
          "Atakpamé", "Lomé"}},
        {"gold",
         "Kédougou and Siguiri artisanal gold to Bamako",
         {"Kédougou", "Saraya", "Kéniéba", "Siguiri", "Bamako"}},
        {"migrants",
         "Ouagadougou - Niamey - Agadez - Sebha migrant route",
         {"Ouagadougou", "Fada N'Gourma", "Kantchari", "Niamey", "Dosso", "Birni N'Konni", "Tahoua", "Agadez",
          "Dirkou", "Madama", "Tummo", "Al Qatrun", "Sebha"}},
        {"migrants",
         "Abidjan - Bobo-Dioulasso - Ouagadougou bus corridor",
         {"Abidjan", "Yamoussoukro", "Bouaké", "Ferkessédougou", "Ouangolodougou", "Niangoloko", "Banfora",
          "Bobo-Dioulasso", "Ouagadougou"}},
        {"migrants",
         "Bamako - Gao - Algerian border migrant route",
         {"Bamako", "Ségou", "Mopti", "Douentza", "Gao", "Bourem", "Anéfis", "Kidal", "Tessalit",
          "Bordj Badji Mokhtar"}},
    };
    return k;
}

struct Route {
    const RouteDef* def;
    std::vector<std::pair<double, double>> pts;
};

// Densify between waypoints with a little sideways wobble so the lines look
// hand-drawn rather than ruler-straight; 5 to 30 vertices per route.
std::vector<Route> make_routes(std::uint64_t seed) {
    Rng rng(seed ^ 0x9e3779b97f4a7c15ULL); // independent of the event stream
    std::vector<Route> out;
    for (const RouteDef& d : route_defs()) {
        std::vector<const Town*> via;
        for (const char* n : d.via)
            via.push_back(&town(n));

        // Split each leg into pieces of about `step` degrees, within the vertex budget.
        auto pieces = [&](double step) {
            std::vector<int> n;
            for (std::size_t i = 1; i < via.size(); ++i)
                n.push_back(std::max(1, static_cast<int>(std::ceil(std::hypot(via[i]->lon - via[i - 1]->lon,
                                                                              via[i]->lat - via[i - 1]->lat) /
                                                                   step))));
            return n;
        };
        double step = 0.8;
        auto n = pieces(step);
        auto vertices = [&] {
            int v = 1;
            for (int x : n)
                v += x;
            return v;
        };
        while (vertices() > 30)
            n = pieces(step *= 1.15);
        while (vertices() < 5)
            n = pieces(step /= 1.5);

        Route r{&d, {}};
        r.pts.emplace_back(via[0]->lon, via[0]->lat);
        for (std::size_t i = 1; i < via.size(); ++i) {
            const double ax = via[i - 1]->lon, ay = via[i - 1]->lat, bx = via[i]->lon, by = via[i]->lat;
            const double len = std::hypot(bx - ax, by - ay);
            for (int k = 1; k <= n[i - 1]; ++k) {
                const double f = static_cast<double>(k) / n[i - 1];
                double x = ax + f * (bx - ax), y = ay + f * (by - ay);
                if (k < n[i - 1] && len > 0) {
                    const double off = std::clamp(rng.normal(0, 0.06 * len / n[i - 1]), -0.15, 0.15);
                    x += off * -(by - ay) / len;
                    y += off * (bx - ax) / len;
                }
                r.pts.emplace_back(x, y);
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

// -------------------------------------------------------------------- output

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s)
        q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

std::string json_string(std::string_view s) {
    std::string q = "\"";
    for (char ch : s) {
        switch (ch) {
        case '"':
            q += "\\\"";
            break;
        case '\\':
            q += "\\\\";
            break;
        case '\n':
            q += "\\n";
            break;
        default:
            if (static_cast<unsigned char>(ch) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                q += buf;
            } else {
                q += ch;
            }
        }
    }
    return q + "\"";
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string source_note(std::uint64_t seed) {
    return "SYNTHETIC demo data generated by nexusmap make_demo seed=" + std::to_string(seed) +
           "; not real events";
}

constexpr const char* kRouteNote =
    "ILLUSTRATIVE route drawn for the nexusmap demo; approximate, not an intelligence product";

void write_events(const std::filesystem::path& path, const std::vector<Event>& events, std::uint64_t seed) {
    std::ofstream f(path, std::ios::binary);
    f << "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,country,admin1,location,"
         "latitude,longitude,geo_precision,fatalities,source_note\n";
    const std::string note = csv_field(source_note(seed));
    char date[16];
    for (const Event& e : events) {
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", e.year, e.month, e.day);
        f << e.id << ',' << date << ',' << e.year << ',' << kTypeNames[e.type] << ',' << csv_field(e.sub_type)
          << ',' << csv_field(e.actor) << ',' << csv_field(e.country) << ',' << csv_field(e.admin1) << ','
          << csv_field(e.location) << ',' << fixed(e.lat, 4) << ',' << fixed(e.lon, 4) << ',' << e.precision
          << ',' << e.fatalities << ',' << note << '\n';
    }
    if (!f) throw std::runtime_error("failed writing " + path.string());
}

void write_routes(const std::filesystem::path& path, const std::vector<Route>& routes) {
    std::ofstream f(path, std::ios::binary);
    f << "{\n\"type\": \"FeatureCollection\",\n\"name\": \"routes_illustrative\",\n"
      << "\"metadata\": {\"illustrative\": \"true\", \"note\": "
      << json_string(std::string(kRouteNote) +
                     ". Waypoints are real towns; the lines between them are schematic. Commodities: "
                     "fuel, cattle, drugs, arms, gold, migrants.")
      << "},\n\"features\": [\n";
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const Route& r = routes[i];
        f << "{\"type\": \"Feature\", \"properties\": {\"commodity\": " << json_string(r.def->commodity)
          << ", \"name\": " << json_string(r.def->name) << ", \"source_note\": " << json_string(kRouteNote)
          << "}, \"geometry\": {\"type\": \"LineString\", \"coordinates\": [";
        for (std::size_t k = 0; k < r.pts.size(); ++k)
            f << (k ? ", " : "") << '[' << fixed(r.pts[k].first, 4) << ", " << fixed(r.pts[k].second, 4)
              << ']';
        f << "]}}" << (i + 1 < routes.size() ? ",\n" : "\n");
    }
    f << "]\n}\n";
    if (!f) throw std::runtime_error("failed writing " + path.string());
}

// ----------------------------------------------------------------- summaries

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const double pos = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

struct Tables {
    std::string per_year, drift, per_country, types, fatalities, routes;
};

Tables summarise(const std::vector<Event>& events, const std::vector<Route>& routes, const Basemap& map) {
    std::array<int, kYears> n{}, fat{}, coastal{}, lat_n{};
    std::array<double, kYears> lat_sum{};
    std::array<std::vector<double>, kYears> signed_km;
    std::map<std::string, std::array<int, 4>> by_country; // total, 2012-15, 2016-19, 2020-24
    std::map<std::string, int> by_type;
    std::array<int, 4> fat_bins{};
    int fat_max = 0, fat_total = 0;
    for (const Event& e : events) {
        const int y = e.year - kFirstYear;
        ++n[y];
        fat[y] += e.fatalities;
        fat_total += e.fatalities;
        if (group_of(e.iso) == Group::Coastal) ++coastal[y];
        if (e.lon >= -6.0 && e.lon <= 3.0) lat_sum[y] += e.lat, ++lat_n[y];
        if (auto d = map.signed_border_km(e.lon, e.lat, e.iso)) signed_km[y].push_back(*d);
        auto& c = by_country[e.country];
        ++c[0];
        ++c[e.year <= 2015 ? 1 : e.year <= 2019 ? 2 : 3];
        ++by_type[kTypeNames[e.type]];
        ++fat_bins[e.fatalities == 0 ? 0 : e.fatalities <= 3 ? 1 : e.fatalities <= 10 ? 2 : 3];
        fat_max = std::max(fat_max, e.fatalities);
    }

    Tables t;
    std::ostringstream o;
    o << "| year | events | fatalities |\n|---:|---:|---:|\n";
    for (int y = 0; y < kYears; ++y)
        o << "| " << kFirstYear + y << " | " << n[y] << " | " << fat[y] << " |\n";
    o << "| all | " << events.size() << " | " << fat_total << " |\n";
    t.per_year = o.str();

    o.str("");
    o << "| year | mean latitude, lon -6..3 | events in CIV+GHA+TGO+BEN | share | "
         "signed km p50 | signed km p90 |\n|---:|---:|---:|---:|---:|---:|\n";
    for (int y = 0; y < kYears; ++y) {
        o << "| " << kFirstYear + y << " | " << fixed(lat_sum[y] / std::max(1, lat_n[y]), 2) << " | "
          << coastal[y] << " | " << fixed(100.0 * coastal[y] / std::max(1, n[y]), 1) << "% | "
          << fixed(percentile(signed_km[y], 0.5), 0) << " | " << fixed(percentile(signed_km[y], 0.9), 0)
          << " |\n";
    }
    t.drift = o.str();

    std::vector<std::pair<std::string, std::array<int, 4>>> countries(by_country.begin(), by_country.end());
    std::stable_sort(countries.begin(), countries.end(),
                     [](const auto& a, const auto& b) { return a.second[0] > b.second[0]; });
    o.str("");
    o << "| country | events | 2012-2015 | 2016-2019 | 2020-2024 |\n|---|---:|---:|---:|---:|\n";
    for (const auto& [name, c] : countries)
        o << "| " << name << " | " << c[0] << " | " << c[1] << " | " << c[2] << " | " << c[3] << " |\n";
    t.per_country = o.str();

    o.str("");
    o << "| event_type | events |\n|---|---:|\n";
    for (int i = 0; i < kNumTypes; ++i)
        o << "| " << kTypeNames[i] << " | " << by_type[kTypeNames[i]] << " |\n";
    t.types = o.str();

    o.str("");
    const double total = static_cast<double>(std::max<std::size_t>(1, events.size()));
    o << "| fatalities | share of events |\n|---|---:|\n"
      << "| 0 | " << fixed(100 * fat_bins[0] / total, 1) << "% |\n"
      << "| 1-3 | " << fixed(100 * fat_bins[1] / total, 1) << "% |\n"
      << "| 4-10 | " << fixed(100 * fat_bins[2] / total, 1) << "% |\n"
      << "| >10 | " << fixed(100 * fat_bins[3] / total, 1) << "% |\n"
      << "| max | " << fat_max << " |\n";
    t.fatalities = o.str();

    o.str("");
    o << "| commodity | name | vertices |\n|---|---|---:|\n";
    for (const Route& r : routes)
        o << "| " << r.def->commodity << " | " << r.def->name << " | " << r.pts.size() << " |\n";
    t.routes = o.str();
    return t;
}

void write_readme(const std::filesystem::path& path, const Tables& t, std::uint64_t seed, int n_events,
                  std::size_t n_routes, const std::string& basemap, const std::string& out) {
    std::ofstream f(path, std::ios::binary);
    f << R"md(# Demo data: SYNTHETIC events and ILLUSTRATIVE routes

**Nothing in this folder describes real events.** The files exist so that
nexusmap can be built, tested and demonstrated without ACLED access (ACLED's
terms restrict redistributing its data). They imitate the *shape* of the
2012-2024 Sahel conflict and its spread toward the Gulf of Guinea states,
nothing more. Do not cite, map or analyse them as facts.

This file is written by the generator; edit `data/tools/make_demo.cpp`,
not this file.

| file | content |
|---|---|
| `events_synthetic.csv` | )md"
      << n_events << R"md( synthetic events, ACLED-like columns |
| `routes_illustrative.geojson` | )md"
      << n_routes << R"md( illustrative trafficking routes (LineString, EPSG:4326) |
| `README.md` | this description, including the summary tables below |

## How it was generated

```
cmake --build build --target make_demo        # or, standalone:
g++ -std=c++20 -O2 data/tools/make_demo.cpp $(gdal-config --cflags) $(gdal-config --libs) -o make_demo
make_demo --basemap )md"
      << basemap << " --out " << out << R"md( --seed )md" << seed << " --events " << n_events << R"md(
```

The output depends only on the basemap, the seed and the event count: the
engine is `std::mt19937_64` and all distributions (uniform, Box-Muller
normal, weighted choice) are implemented in the tool rather than taken from
`<random>`, whose distributions differ between standard libraries. (Results
could still differ in a last-digit rounding case if a platform's `exp`/`log`
differ in the final ulp.)

## events_synthetic.csv

The first line is the header:

```
event_id_cnty,event_date,year,event_type,sub_event_type,actor1,country,admin1,location,latitude,longitude,geo_precision,fatalities,source_note
```

and every row's `source_note` reads
`)md" << source_note(seed)
      << R"md(`.

* **Where.** Each event is drawn from one of 24 Gaussian hot spots in
  lon/lat (standard deviation 0.2-0.8°) or from a thin scattered background,
  with hot-spot weights that change year by year: northern Mali
  (Timbuktu/Gao/Kidal) dominates 2012-2014; central Mali (Mopti, Ségou) grows
  from 2014; the Liptako-Gourma tri-border area (Ménaka/Tillabéri, Burkina's
  Sahel region) and the rest of Burkina Faso explode in 2016-2019; from 2019
  a southern belt (Burkina's Centre-Est, Est and Cascades) and hot spots in
  northern Benin (W/Pendjari parks, Karimama), northern Togo (Savanes),
  northern Ghana (Bawku) and northern Côte d'Ivoire (Kafolo, Tengréla) gain
  weight *and* move south (0.07° a year) and spread out. Points that fall
  outside the basemap's 18 countries (sea, Libya, ...) are redrawn.
* **country / admin1** come from point-in-polygon against `admin1` of
  the basemap, so they are always consistent with the coordinates. Country
  names are the basemap's (e.g. "Côte d'Ivoire", where ACLED writes "Ivory
  Coast").
* **location** is the nearest town of a built-in gazetteer in the same
  country ("near X" beyond 8 km), or "<admin1> (rural)" if none is within
  60 km.
* **event_id_cnty** numbers events per country in date order (`MLI1`, ...).
* **event_type / sub_event_type** use ACLED's vocabulary with region-specific
  mixes; **actor1** names are period-appropriate (e.g. Ansar Dine/MUJAO in
  2012-2013, JNIM from 2017) and all carry "(synthetic)".
* **fatalities** are heavy-tailed (log-normal plus rare massacres);
  **geo_precision** is 1, 2 or 3 with probabilities 0.6/0.3/0.1.

### Events and fatalities per year

)md" << t.per_year
      << R"md(
### Southward drift

Mean latitude of events between 6°W and 3°E; events in the four coastal
states (Côte d'Ivoire, Ghana, Togo, Benin); and percentiles of the signed
distance (km) to the border between the Sahel states (Mali, Burkina Faso,
Niger) and those coastal states, positive on the coastal side, over events
in those seven countries. The rising p90 from 2018 is the spillover signal
the analysis should recover.

)md" << t.drift
      << R"md(
### Events per country

)md" << t.per_country
      << R"md(
### Event types and fatalities

)md" << t.types
      << "\n"
      << t.fatalities << R"md(
## routes_illustrative.geojson

RFC 7946 GeoJSON (lon, lat; WGS 84) with a top-level `metadata` member
`{"illustrative": "true", "note": ...}` (illustrative, not synthetic: the
flag that real-event outputs drawn with these routes carry is "illustrative routes"). Each feature
has `commodity` (fuel, cattle, drugs, arms, gold, migrants), `name` and
`source_note` = ")md"
      << kRouteNote << R"md(".

The waypoints are real towns along corridors commonly described in open
sources (Algerian fuel through Kidal and Gao; cattle from central Mali and
eastern Burkina to coastal markets; cocaine and cannabis from the coast
north toward Algeria and Libya; arms from southern Libya via Agadez; gold
from artisanal sites; migrants via Agadez). The lines between waypoints are
schematic, with a small random wobble. They are **not** an intelligence
product and say nothing about actual volumes or current use.

)md" << t.routes
      << R"md(
## Licence

Generated by this project. The only third-party input is the public-domain
Natural Earth basemap (plus a hand-typed list of approximate town
positions), so no third-party licence applies; the files fall under the
repository's own licence.
)md";
    if (!f) throw std::runtime_error("failed writing " + path.string());
}

struct Options {
    std::string basemap = "data/basemap/west_africa.gpkg";
    std::filesystem::path out = "data/demo";
    std::uint64_t seed = 20240101;
    int events = 20000;
};

[[noreturn]] void usage(const char* msg) {
    std::cerr << "make_demo: " << msg << "\n"
              << "usage: make_demo --basemap FILE.gpkg --out DIR --seed N [--events N]\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help") usage("writes synthetic demo data");
        if (i + 1 >= argc) usage("missing value");
        const char* v = argv[++i];
        try {
            if (a == "--basemap")
                o.basemap = v;
            else if (a == "--out")
                o.out = v;
            else if (a == "--seed")
                o.seed = std::stoull(v);
            else if (a == "--events")
                o.events = std::stoi(v);
            else
                usage("unknown option");
        } catch (const std::logic_error&) {
            usage("bad number");
        }
    }
    if (o.events < kYears * 10) usage("--events too small");
    return o;
}

} // namespace

int main(int argc, char** argv) {
    const Options opt = parse(argc, argv);
    try {
        const Basemap map(opt.basemap);
        const auto events = make_events(map, opt.seed, opt.events);
        const auto routes = make_routes(opt.seed);
        std::filesystem::create_directories(opt.out);
        write_events(opt.out / "events_synthetic.csv", events, opt.seed);
        write_routes(opt.out / "routes_illustrative.geojson", routes);
        const Tables t = summarise(events, routes, map);
        write_readme(opt.out / "README.md", t, opt.seed, opt.events, routes.size(), opt.basemap,
                     opt.out.string());
        std::cout << "wrote " << events.size() << " events and " << routes.size() << " routes to "
                  << opt.out.string() << "\n\n"
                  << t.per_year << '\n'
                  << t.drift << '\n'
                  << t.per_country << '\n'
                  << t.types << '\n'
                  << t.fatalities << '\n'
                  << t.routes;
    } catch (const std::exception& e) {
        std::cerr << "make_demo: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
