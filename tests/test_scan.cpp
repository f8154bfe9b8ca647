// Tests for nexusmap/scan.hpp: the most likely cluster against a brute force that enumerates every
// cylinder (every centre, every radius, every window of every length, counts by direct loops), on
// planted clusters and on real UCDP events; uniformity of the Monte Carlo p-value under the null.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "nexusmap/error.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/scan.hpp"
#include "nexusmap/stats.hpp"
#include "test_util.hpp"

using namespace nexusmap;

namespace {

constexpr double KM = 1000.0;

// Events already in the analysis CRS (x/y in metres), dated by day.
EventTable table(const std::vector<double>& x, const std::vector<double>& y, const std::vector<int32_t>& day) {
    EventTable ev;
    ev.crs = Crs::default_analysis();
    ev.x = x, ev.y = y, ev.day = day;
    ev.lon.assign(x.size(), 0), ev.lat.assign(x.size(), 0);
    ev.weight.assign(x.size(), 1), ev.fatalities.assign(x.size(), 0), ev.type.assign(x.size(), 0);
    ev.precision.assign(x.size(), 0), ev.row.resize(x.size()), ev.country.assign(x.size(), 0);
    ev.admin1.resize(x.size()), ev.actor.resize(x.size());
    ev.source = "test";
    return ev;
}

int32_t month_day(int m) { return days_from_civil(2020 + m / 12, m % 12 + 1, 15); }

struct Brute {
    double llr = 0, n = 0, mu = 0;
    double cx = 0, cy = 0;
    int t1 = -1, t2 = -1;
};

// Every cylinder, written the plain way: centres as the scan defines them, radii at every distinct
// location distance (ties together, within the share and distance limits), windows [t1, t2] over
// all periods with t2 - t1 < L; n and mu by counting; the LLR by its textbook formula.
Brute brute_force(const EventTable& ev, const ScanParams& p) {
    std::vector<double> x, y;
    event_positions(ev, p.analysis_crs, x, y);
    if (p.location_cell_km > 0) {
        const double c = p.location_cell_km * KM;
        for (size_t i = 0; i < x.size(); ++i) x[i] = (std::floor(x[i] / c) + 0.5) * c, y[i] = (std::floor(y[i] / c) + 0.5) * c;
    }
    std::vector<int64_t> per;
    for (size_t i = 0; i < ev.size(); ++i) per.push_back(period_index(ev.day[i], p.period));
    const int64_t pmin = *std::min_element(per.begin(), per.end()), pmax = *std::max_element(per.begin(), per.end());
    const int T = int(pmax - pmin + 1);
    const int L = p.max_window_periods > 0 ? std::min(p.max_window_periods, T) : std::max(1, int(std::floor(p.max_window_share * T + 1e-9)));
    const double N = double(ev.size());
    std::vector<std::pair<double, double>> centres;
    {
        std::map<std::pair<double, double>, int> s;
        for (size_t i = 0; i < x.size(); ++i) {
            if (p.centres == ScanCentres::Events) s[{x[i], y[i]}] = 1;
            else {
                const double c = p.centre_cell_km * KM;
                s[{(std::floor(x[i] / c) + 0.5) * c, (std::floor(y[i] / c) + 0.5) * c}] = 1;
            }
        }
        for (auto& [k, v] : s) centres.push_back(k);
    }
    std::vector<double> all(size_t(T), 0);
    for (auto q : per) all[size_t(q - pmin)] += 1;
    Brute best;
    for (auto [cx, cy] : centres) {
        std::vector<double> d(x.size());
        for (size_t i = 0; i < x.size(); ++i) d[i] = std::hypot(x[i] - cx, y[i] - cy);
        std::vector<double> radii = d;
        std::sort(radii.begin(), radii.end());
        radii.erase(std::unique(radii.begin(), radii.end()), radii.end());
        for (double r : radii) {
            if (p.max_radius_km > 0 && r > p.max_radius_km * KM) break;
            std::vector<double> c(size_t(T), 0);
            double nz = 0;
            for (size_t i = 0; i < x.size(); ++i)
                if (d[i] <= r) c[size_t(per[i] - pmin)] += 1, nz += 1;
            if (nz > p.max_share * N) break;
            for (int t2 = 0; t2 < T; ++t2) {
                if (p.prospective && t2 != T - 1) continue;
                for (int t1 = std::max(0, t2 - L + 1); t1 <= t2; ++t1) {
                    double n = 0, nw = 0;
                    for (int t = t1; t <= t2; ++t) n += c[size_t(t)], nw += all[size_t(t)];
                    const double mu = nz * nw / N;
                    double llr = 0;
                    if (n > mu) llr = n * std::log(n / mu) + (N - n > 0 ? (N - n) * std::log((N - n) / (N - mu)) : 0);
                    if (llr > best.llr) best = {llr, n, mu, cx, cy, t1, t2};
                }
            }
        }
    }
    return best;
}

// Uniform background over a 200 km square and 12 months, plus `planted` events within 15 km of
// (60, 140) km in months 5..7.
EventTable planted(uint64_t seed, int background, int planted_n) {
    stats::Rng rng(seed);
    std::vector<double> x, y;
    std::vector<int32_t> d;
    for (int i = 0; i < background; ++i) {
        // Locations on a 2 km lattice so that several events share a location, as in real data.
        x.push_back(2 * KM * std::floor(rng.uniform() * 100)), y.push_back(2 * KM * std::floor(rng.uniform() * 100));
        d.push_back(month_day(int(rng.below(12))));
    }
    for (int i = 0; i < planted_n; ++i) {
        const double a = rng.uniform() * 2 * M_PI, r = 15 * KM * std::sqrt(rng.uniform());
        x.push_back(60 * KM + r * std::cos(a)), y.push_back(140 * KM + r * std::sin(a));
        d.push_back(month_day(5 + int(rng.below(3))));
    }
    return table(x, y, d);
}

void check_against_brute(const EventTable& ev, const ScanParams& p) {
    const ScanResult r = space_time_permutation_scan(ev, p);
    const Brute b = brute_force(ev, p);
    REQUIRE(!r.clusters.empty());
    const ScanCluster& m = r.clusters.front();
    INFO("scan LLR " << m.llr << " brute " << b.llr);
    // Relative 1e-9 (LLRs reach hundreds; both sides sum terms of size N ln N ~ 1e4).
    CHECK(std::fabs(m.llr - b.llr) <= 1e-9 * std::max(1.0, b.llr));
    CHECK(m.observed == b.n);
    CHECK(std::fabs(m.expected - b.mu) <= 1e-9 * std::max(1.0, b.mu));
    // The reported cylinder's own counts give its LLR (ties between equivalent cylinders aside).
    CHECK(std::fabs(scan_llr(m.observed, m.expected, double(r.n)) - m.llr) <= 1e-12 * m.llr);
    CHECK(m.events.size() == size_t(m.observed));
}

} // namespace

TEST_CASE("scan_llr and the Gumbel fit") {
    // n = 10, mu = 2, N = 100: 10 ln 5 + 90 ln(90/98).
    CHECK(scan_llr(10, 2, 100) == doctest::Approx(10 * std::log(5.0) + 90 * std::log(90.0 / 98.0)).epsilon(1e-14));
    CHECK(scan_llr(2, 2, 100) == 0);
    CHECK(scan_llr(1, 2, 100) == 0);
    CHECK(scan_llr(100, 50, 100) == doctest::Approx(100 * std::log(2.0)));
    // Gumbel(mu=3, beta=2) sample by inversion: moments fit recovers the parameters.
    std::vector<double> s;
    for (int i = 1; i <= 20000; ++i) s.push_back(3 - 2 * std::log(-std::log((i - 0.5) / 20000)));
    double mu, beta;
    gumbel_fit(s, mu, beta);
    CHECK(mu == doctest::Approx(3).epsilon(0.01));
    CHECK(beta == doctest::Approx(2).epsilon(0.01));
    CHECK(gumbel_p(3 + 2 * 5, 3, 2) == doctest::Approx(1 - std::exp(-std::exp(-5.0))).epsilon(1e-12));
}

TEST_CASE("scan: most likely cluster equals the brute force on planted clusters") {
    for (uint64_t seed : {1u, 2u, 3u}) {
        CAPTURE(seed);
        const EventTable ev = planted(seed, 160, 25);
        ScanParams p;
        p.centres = ScanCentres::Events;
        p.replications = 0;
        check_against_brute(ev, p);
        p.max_radius_km = 40, p.max_window_periods = 3;
        check_against_brute(ev, p);
        p.prospective = true, p.max_window_periods = 0;
        check_against_brute(ev, p);
        p = {};
        p.replications = 0, p.centre_cell_km = 30, p.location_cell_km = 10, p.max_share = 0.3;
        check_against_brute(ev, p);
    }
    // The planted cluster is found where it was planted, and is significant.
    const EventTable ev = planted(7, 160, 25);
    ScanParams p;
    p.centre_cell_km = 10, p.replications = 99, p.seed = 5;
    const ScanResult r = space_time_permutation_scan(ev, p);
    const ScanCluster& m = r.clusters.front();
    CHECK(std::hypot(m.cx - 60 * KM, m.cy - 140 * KM) < 20 * KM);
    CHECK(m.start_label >= "2020-05");
    CHECK(m.end_label <= "2020-08");
    CHECK(m.p_mc == doctest::Approx(1.0 / 100));
    CHECK(m.p_gumbel < 0.001);
    CHECK(m.relative_risk > 2);
    // Reproducible whatever the thread count.
    p.threads = 1;
    const ScanResult r1 = space_time_permutation_scan(ev, p);
    CHECK(r1.replica_max == r.replica_max);
    // Secondary clusters share no location with the ones above them.
    for (size_t i = 0; i < r.clusters.size(); ++i)
        for (size_t j = 0; j < i; ++j) {
            std::vector<uint32_t> both;
            std::set_intersection(r.clusters[i].events.begin(), r.clusters[i].events.end(), r.clusters[j].events.begin(),
                                  r.clusters[j].events.end(), std::back_inserter(both));
            CHECK(both.empty());
        }
    CHECK(scan_cluster_layer(r).features.size() == r.clusters.size());
    CHECK(scan_cluster_table(r).rows.size() == r.clusters.size());
}

TEST_CASE("scan: branch and bound over windows gives the exhaustive maxima (observed and every replica)") {
    // The bound only skips windows that cannot beat the best so far: every replica maximum and the
    // clusters must be bitwise those of the exhaustive loop over windows.
    for (uint64_t seed : {11u, 12u}) {
        CAPTURE(seed);
        // 60 months (windows up to 30), 250 events on a 4 km lattice, a planted burst in months 30-32.
        stats::Rng rng(seed);
        std::vector<double> x, y;
        std::vector<int32_t> d;
        for (int i = 0; i < 250; ++i) {
            x.push_back(4 * KM * std::floor(rng.uniform() * 30)), y.push_back(4 * KM * std::floor(rng.uniform() * 30));
            d.push_back(month_day(int(rng.below(60))));
        }
        for (int i = 0; i < 20; ++i)
            x.push_back(100 * KM + 4 * KM * double(rng.below(4))), y.push_back(60 * KM + 4 * KM * double(rng.below(4))),
                d.push_back(month_day(30 + int(rng.below(3))));
        const EventTable ev = table(x, y, d);
        for (int variant = 0; variant < 3; ++variant) {
            CAPTURE(variant);
            ScanParams p;
            p.replications = 9, p.seed = seed, p.centre_cell_km = 20, p.threads = 2;
            if (variant == 1) p.centres = ScanCentres::Events, p.max_radius_km = 40, p.max_window_periods = 6;
            if (variant == 2) p.period = PeriodUnit::Quarter, p.max_share = 0.2;
            const ScanResult fast = space_time_permutation_scan(ev, p);
            p.exhaustive_windows = true;
            const ScanResult full = space_time_permutation_scan(ev, p);
            CHECK(fast.replica_max == full.replica_max);
            REQUIRE(fast.clusters.size() == full.clusters.size());
            for (size_t k = 0; k < fast.clusters.size(); ++k) {
                CHECK(fast.clusters[k].llr == full.clusters[k].llr);
                CHECK(fast.clusters[k].start_period == full.clusters[k].start_period);
                CHECK(fast.clusters[k].end_period == full.clusters[k].end_period);
                CHECK(fast.clusters[k].events == full.clusters[k].events);
            }
        }
    }
}

namespace {
// Bernoulli brute force: every cylinder as in brute_force (radii at every distinct distance within
// the share of all events, every window [t1, t2] over all periods); n cases and m events by
// counting; the LLR by the textbook formula with the null term written out.
double bernoulli_brute(const EventTable& ev, const ScanParams& p, const std::vector<uint8_t>& is_case, double& bn, double& bm) {
    std::vector<double> x, y;
    event_positions(ev, p.analysis_crs, x, y);
    std::vector<int64_t> per;
    for (size_t i = 0; i < ev.size(); ++i) per.push_back(period_index(ev.day[i], p.period));
    const int64_t pmin = *std::min_element(per.begin(), per.end()), pmax = *std::max_element(per.begin(), per.end());
    const int T = int(pmax - pmin + 1);
    const int L = p.max_window_periods > 0 ? std::min(p.max_window_periods, T) : std::max(1, int(std::floor(p.max_window_share * T + 1e-9)));
    const double N = double(ev.size());
    double C = 0;
    for (auto c : is_case) C += c;
    auto xl = [](double a, double b) { return a > 0 ? a * std::log(a / b) : 0.0; };
    const double l0 = xl(C, N) + xl(N - C, N);
    double best = 0;
    for (size_t ci = 0; ci < x.size(); ++ci) { // centres: the event locations
        std::vector<double> d(x.size());
        for (size_t i = 0; i < x.size(); ++i) d[i] = std::hypot(x[i] - x[ci], y[i] - y[ci]);
        std::vector<double> radii = d;
        std::sort(radii.begin(), radii.end());
        radii.erase(std::unique(radii.begin(), radii.end()), radii.end());
        for (double r : radii) {
            if (p.max_radius_km > 0 && r > p.max_radius_km * KM) break;
            double nz = 0;
            for (size_t i = 0; i < x.size(); ++i) nz += d[i] <= r;
            if (nz > p.max_share * N) break;
            for (int t2 = 0; t2 < T; ++t2) {
                if (p.prospective && t2 != T - 1) continue;
                for (int t1 = std::max(0, t2 - L + 1); t1 <= t2; ++t1) {
                    double n = 0, m = 0;
                    for (size_t i = 0; i < x.size(); ++i)
                        if (d[i] <= r && per[i] - pmin >= t1 && per[i] - pmin <= t2) m += 1, n += is_case[i];
                    if (m == 0 || !(n / m > (C - n) / (N - m))) continue;
                    const double llr = xl(n, m) + xl(m - n, m) + xl(C - n, N - m) + xl(N - m - C + n, N - m) - l0;
                    if (llr > best) best = llr, bn = n, bm = m;
                }
            }
        }
    }
    return best;
}
} // namespace

TEST_CASE("scan: Bernoulli model (cases vs controls) equals the brute force; cases planted are found") {
    for (uint64_t seed : {21u, 22u}) {
        CAPTURE(seed);
        // 150 events over 100 km and 12 months, a quarter of them cases at random; 15 more cases
        // within 10 km of (30, 70) km in months 8-9.
        stats::Rng rng(seed);
        std::vector<double> x, y;
        std::vector<int32_t> d;
        std::vector<uint8_t> is_case;
        for (int i = 0; i < 150; ++i) {
            x.push_back(2 * KM * std::floor(rng.uniform() * 50)), y.push_back(2 * KM * std::floor(rng.uniform() * 50));
            d.push_back(month_day(int(rng.below(12))));
            is_case.push_back(rng.uniform() < 0.25);
        }
        for (int i = 0; i < 15; ++i) {
            const double a = rng.uniform() * 2 * M_PI, r = 10 * KM * std::sqrt(rng.uniform());
            x.push_back(30 * KM + r * std::cos(a)), y.push_back(70 * KM + r * std::sin(a));
            d.push_back(month_day(8 + int(rng.below(2))));
            is_case.push_back(1);
        }
        EventTable ev = table(x, y, d);
        ev.type_names = {"Battles", "Violence against civilians"};
        for (size_t i = 0; i < ev.size(); ++i) ev.type[i] = is_case[i];
        ScanParams p;
        p.model = ScanModel::Bernoulli, p.case_types = {"Violence against civilians"};
        p.centres = ScanCentres::Events, p.replications = 99, p.seed = seed, p.threads = 2;
        for (int variant = 0; variant < 3; ++variant) {
            CAPTURE(variant);
            if (variant == 1) p.max_radius_km = 30, p.max_window_periods = 3, p.replications = 0;
            if (variant == 2) p.prospective = true, p.max_window_periods = 0, p.max_share = 0.3;
            const ScanResult r = space_time_permutation_scan(ev, p);
            double bn = 0, bm = 0;
            const double b = bernoulli_brute(ev, p, is_case, bn, bm);
            REQUIRE(!r.clusters.empty());
            const ScanCluster& m = r.clusters.front();
            CHECK(std::fabs(m.llr - b) <= 1e-9 * std::max(1.0, b));
            CHECK(m.observed == bn);
            double C = 0;
            for (auto c : is_case) C += c;
            CHECK(std::fabs(m.expected - bm * C / double(ev.size())) <= 1e-9 * bm);
            CHECK(bernoulli_llr(m.observed, m.expected * double(ev.size()) / C, C, double(ev.size())) ==
                  doctest::Approx(m.llr).epsilon(1e-12));
            // The cluster's events are its cases.
            CHECK(m.events.size() == size_t(m.observed));
            for (uint32_t e : m.events) CHECK(is_case[e] == 1);
            if (variant == 0) {
                CHECK(std::hypot(m.cx - 30 * KM, m.cy - 70 * KM) < 15 * KM);
                CHECK(m.p_mc <= 0.05);
                CHECK(r.metadata.at("analysis").find("Bernoulli") != std::string::npos);
            }
        }
    }
    // Unknown case type, or no controls: refused with a reason.
    EventTable ev = table({0, KM, 2 * KM}, {0, 0, 0}, {month_day(0), month_day(1), month_day(2)});
    ev.type_names = {"Battles"};
    ScanParams p;
    p.model = ScanModel::Bernoulli, p.replications = 0, p.case_types = {"Riots"};
    CHECK_THROWS_WITH_AS(space_time_permutation_scan(ev, p), doctest::Contains("Riots"), GeoError);
    p.case_types = {"Battles"};
    CHECK_THROWS_WITH_AS(space_time_permutation_scan(ev, p), doctest::Contains("both cases and controls"), GeoError);
}

TEST_CASE("scan: Poisson model with a population raster equals the brute force; planted excess found") {
    // 10 x 10 cells of 10 km; population 1..100 with some empty (0) and nodata cells.
    stats::Rng rng(5);
    GridSpec g;
    g.xmin = 0, g.ymax = 100 * KM, g.cell = 10 * KM, g.width = 10, g.height = 10;
    Raster pop(g, Crs::default_analysis(), 0.f);
    for (auto& v : pop.data) {
        const double u = rng.uniform();
        v = u < 0.08 ? 0.f : (u < 0.12 ? pop.nodata : float(1 + std::floor(rng.uniform() * 100)));
    }
    pop.at(7, 7) = 50; // the planted cell, (70..80, 20..30) km, is populated
    std::vector<double> x, y;
    std::vector<int32_t> d;
    // Background under the null: cells drawn in proportion to population, uniform within the cell.
    double Wsum = 0;
    for (float v : pop.data) Wsum += pop.is_nodata(v) ? 0.0 : double(v);
    for (int i = 0; i < 300; ++i) {
        double u = rng.uniform() * Wsum;
        size_t k = 0;
        for (; k + 1 < pop.data.size(); ++k) {
            const double v = pop.is_nodata(pop.data[k]) ? 0.0 : double(pop.data[k]);
            if (u < v) break;
            u -= v;
        }
        const int c = int(k % size_t(g.width)), r = int(k / size_t(g.width));
        x.push_back((c + rng.uniform()) * g.cell), y.push_back(g.ymax - (r + rng.uniform()) * g.cell);
        d.push_back(month_day(int(rng.below(12))));
    }
    for (int i = 0; i < 25; ++i) // planted: around (75, 25) km in months 6-7
        x.push_back(70 * KM + rng.uniform() * 10 * KM), y.push_back(20 * KM + rng.uniform() * 10 * KM), d.push_back(month_day(6 + int(rng.below(2))));
    x.push_back(150 * KM), y.push_back(50 * KM), d.push_back(month_day(3)); // outside the raster
    const EventTable ev = table(x, y, d);
    // Brute force: every populated cell a location and a centre; radii at every distinct distance
    // within half the population; every window; mu = N_W * w_Z / w.
    // Locations: populated cells whose centre is inside the events' bounding box or that hold an
    // event; centres: the cells with events.
    double bx0 = INFINITY, bx1 = -INFINITY, by0 = INFINITY, by1 = -INFINITY;
    for (size_t i = 0; i < x.size(); ++i)
        bx0 = std::min(bx0, x[i]), bx1 = std::max(bx1, x[i]), by0 = std::min(by0, y[i]), by1 = std::max(by1, y[i]);
    std::vector<uint8_t> has_event(g.size(), 0);
    for (size_t i = 0; i < x.size(); ++i) {
        const int c = int(std::floor(x[i] / g.cell)), r = int(std::floor((g.ymax - y[i]) / g.cell));
        if (c >= 0 && r >= 0 && c < g.width && r < g.height) has_event[size_t(r * g.width + c)] = 1;
    }
    std::vector<double> lx, ly, lw;
    std::vector<uint8_t> lev;
    std::vector<int> cell_of(g.size(), -1);
    for (int r = 0; r < g.height; ++r)
        for (int c = 0; c < g.width; ++c) {
            const float v = pop.at(c, r);
            if (pop.is_nodata(v) || !(v > 0)) continue;
            const double qx = g.col_center_x(c), qy = g.row_center_y(r);
            const bool in_box = qx >= bx0 && qx <= bx1 && qy >= by0 && qy <= by1;
            if (!in_box && !has_event[size_t(r * g.width + c)]) continue;
            lev.push_back(has_event[size_t(r * g.width + c)]);
            cell_of[size_t(r * g.width + c)] = int(lx.size());
            lx.push_back(g.col_center_x(c)), ly.push_back(g.row_center_y(r)), lw.push_back(v);
        }
    double W = 0;
    for (double w : lw) W += w;
    std::vector<int> eloc;
    std::vector<int> eper;
    for (size_t i = 0; i < x.size(); ++i) {
        const int c = int(std::floor(x[i] / g.cell)), r = int(std::floor((g.ymax - y[i]) / g.cell));
        if (c < 0 || r < 0 || c >= g.width || r >= g.height || cell_of[size_t(r * g.width + c)] < 0) continue;
        eloc.push_back(cell_of[size_t(r * g.width + c)]), eper.push_back(int(period_index(d[i], PeriodUnit::Month) - period_index(month_day(0), PeriodUnit::Month)));
    }
    const double N = double(eloc.size());
    const int T = 1 + *std::max_element(eper.begin(), eper.end()) - *std::min_element(eper.begin(), eper.end());
    const int p0 = *std::min_element(eper.begin(), eper.end());
    for (int variant = 0; variant < 2; ++variant) {
        CAPTURE(variant);
        ScanParams p;
        p.model = ScanModel::Poisson, p.centres = ScanCentres::Events, p.replications = variant ? 0 : 99, p.seed = 9;
        if (variant == 1) p.max_radius_km = 25, p.max_window_periods = 3, p.max_share = 0.2;
        const int L = p.max_window_periods > 0 ? p.max_window_periods : int(std::floor(p.max_window_share * T + 1e-9));
        double best = 0, bn = 0, bmu = 0;
        for (size_t c = 0; c < lx.size(); ++c) {
            if (!lev[c]) continue;
            std::vector<double> dist(lx.size());
            for (size_t l = 0; l < lx.size(); ++l) dist[l] = std::hypot(lx[l] - lx[c], ly[l] - ly[c]);
            std::vector<double> radii = dist;
            std::sort(radii.begin(), radii.end());
            radii.erase(std::unique(radii.begin(), radii.end()), radii.end());
            for (double rad : radii) {
                if (p.max_radius_km > 0 && rad > p.max_radius_km * KM) break;
                double wz = 0;
                for (size_t l = 0; l < lx.size(); ++l) wz += dist[l] <= rad ? lw[l] : 0;
                if (wz > p.max_share * W) break;
                for (int t2 = 0; t2 < T; ++t2)
                    for (int t1 = std::max(0, t2 - L + 1); t1 <= t2; ++t1) {
                        double n = 0, nw = 0;
                        for (size_t e = 0; e < eloc.size(); ++e) {
                            const int t = eper[e] - p0;
                            if (t < t1 || t > t2) continue;
                            nw += 1;
                            n += dist[size_t(eloc[e])] <= rad;
                        }
                        const double mu = nw * wz / W;
                        if (!(n > mu)) continue;
                        const double llr = n * std::log(n / mu) + (N - n) * std::log((N - n) / (N - mu));
                        if (llr > best) best = llr, bn = n, bmu = mu;
                    }
            }
        }
        const ScanResult r = space_time_permutation_scan(ev, p, {}, &pop);
        CHECK(r.n == eloc.size());
        REQUIRE(!r.clusters.empty());
        const ScanCluster& m = r.clusters.front();
        CHECK(std::fabs(m.llr - best) <= 1e-9 * std::max(1.0, best));
        CHECK(m.observed == bn);
        CHECK(std::fabs(m.expected - bmu) <= 1e-9 * std::max(1.0, bmu));
        CHECK(r.n_locations == lx.size());
        if (variant == 0) {
            // The cluster's circle covers the planted cell (centre (75, 25) km), in months 6-7.
            CHECK(std::hypot(m.cx - 75 * KM, m.cy - 25 * KM) <= m.radius_km * KM + 1);
            CHECK(m.radius_km <= 30);
            CHECK(m.start_label >= "2020-06");
            CHECK(m.end_label <= "2020-09");
            CHECK(m.p_mc <= 0.05);
            CHECK(r.metadata.at("analysis").find("Poisson") != std::string::npos);
            CHECK(std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) { return w.find("outside the populated") != std::string::npos; }));
        }
    }
    ScanParams p;
    p.model = ScanModel::Poisson, p.replications = 0;
    CHECK_THROWS_WITH_AS(space_time_permutation_scan(ev, p), doctest::Contains("population raster"), GeoError);
}

TEST_CASE("scan: elliptic windows equal the brute force over every ellipse; an elongated cluster is found") {
    // Background over 100 km and 12 months, plus 20 events along a 60 km segment at 45 degrees
    // through (50, 50) km in months 5-6 (an elongated cluster, as along a road).
    stats::Rng rng(31);
    std::vector<double> x, y;
    std::vector<int32_t> d;
    for (int i = 0; i < 140; ++i)
        x.push_back(2 * KM * std::floor(rng.uniform() * 50)), y.push_back(2 * KM * std::floor(rng.uniform() * 50)), d.push_back(month_day(int(rng.below(12))));
    for (int i = 0; i < 20; ++i) {
        const double t = (rng.uniform() - 0.5) * 60 * KM, off = (rng.uniform() - 0.5) * 4 * KM;
        x.push_back(50 * KM + t * std::cos(M_PI / 4) - off * std::sin(M_PI / 4));
        y.push_back(50 * KM + t * std::sin(M_PI / 4) + off * std::cos(M_PI / 4));
        d.push_back(month_day(5 + int(rng.below(2))));
    }
    const EventTable ev = table(x, y, d);
    ScanParams p;
    p.elliptic = true, p.centres = ScanCentres::Events, p.replications = 19, p.seed = 4, p.threads = 2;
    p.max_radius_km = 50, p.max_window_periods = 3;
    const ScanResult r = space_time_permutation_scan(ev, p);
    // Brute force: each distinct location a centre; each shape s and angle k 180/n; every minor
    // semi-axis b at a location's elliptic distance, major s b <= 50 km, at most half the events;
    // every window; the LLR times (4s/(s+1)^2)^0.5.
    std::vector<double> ex, ey;
    event_positions(ev, p.analysis_crs, ex, ey);
    std::vector<std::pair<double, double>> centres;
    for (size_t i = 0; i < ex.size(); ++i) centres.push_back({ex[i], ey[i]});
    std::sort(centres.begin(), centres.end());
    centres.erase(std::unique(centres.begin(), centres.end()), centres.end());
    std::vector<int> per;
    for (auto q : d) per.push_back(int(period_index(q, PeriodUnit::Month) - period_index(month_day(0), PeriodUnit::Month)));
    const int T = 12;
    const double N = double(ex.size());
    std::vector<double> all(T, 0);
    for (int q : per) all[size_t(q)] += 1;
    std::vector<std::pair<double, double>> shapes{{1, 0}};
    const double ss[5] = {1.5, 2, 3, 4, 5};
    const int na[5] = {4, 6, 9, 12, 15};
    for (int k = 0; k < 5; ++k)
        for (int j = 0; j < na[k]; ++j) shapes.push_back({ss[k], M_PI * j / na[k]});
    double best = 0, best_llr = 0, best_s = 0;
    for (auto [cxx, cyy] : centres)
        for (auto [sh, th] : shapes) {
            const double pen = std::sqrt(4 * sh / ((sh + 1) * (sh + 1)));
            std::vector<double> rho(ex.size());
            for (size_t i = 0; i < ex.size(); ++i) {
                const double dx = ex[i] - cxx, dy = ey[i] - cyy;
                const double u = dx * std::cos(th) + dy * std::sin(th), v = -dx * std::sin(th) + dy * std::cos(th);
                rho[i] = std::sqrt((u / sh) * (u / sh) + v * v);
            }
            std::vector<double> bs = rho;
            std::sort(bs.begin(), bs.end());
            bs.erase(std::unique(bs.begin(), bs.end()), bs.end());
            for (double b : bs) {
                if (b * sh > 50 * KM) break;
                std::vector<double> c(T, 0);
                double nz = 0;
                for (size_t i = 0; i < ex.size(); ++i)
                    if (rho[i] <= b) c[size_t(per[i])] += 1, nz += 1;
                if (nz > 0.5 * N) break;
                for (int t2 = 0; t2 < T; ++t2)
                    for (int t1 = std::max(0, t2 - 2); t1 <= t2; ++t1) {
                        double n = 0, nw = 0;
                        for (int t = t1; t <= t2; ++t) n += c[size_t(t)], nw += all[size_t(t)];
                        const double mu = nz * nw / N;
                        if (!(n > mu)) continue;
                        const double llr = n * std::log(n / mu) + (N - n) * std::log((N - n) / (N - mu));
                        if (llr * pen > best) best = llr * pen, best_llr = llr, best_s = sh;
                    }
            }
        }
    REQUIRE(!r.clusters.empty());
    const ScanCluster& m = r.clusters.front();
    CHECK(std::fabs(m.score - best) <= 1e-9 * best);
    CHECK(std::fabs(m.llr - best_llr) <= 1e-9 * best_llr);
    CHECK(m.shape == best_s);
    // The planted cluster is elongated: the most likely window is an ellipse along ~45 degrees.
    CHECK(m.shape > 1);
    CHECK(std::fabs(m.angle_deg - 45) <= 25);
    CHECK(m.start_label >= "2020-05");
    CHECK(m.end_label <= "2020-08");
    const Table t = scan_cluster_table(r);
    CHECK(t.columns.back() == "penalized_llr");
    CHECK(scan_cluster_layer(r).features.size() == r.clusters.size());
    // Circles only when not asked for: the table keeps its columns.
    p.elliptic = false, p.replications = 0;
    CHECK(scan_cluster_table(space_time_permutation_scan(ev, p)).columns.back() == "p_gumbel");
    EventTable ev2 = ev;
    ev2.type_names = {"x", "y"};
    for (size_t i = 0; i < ev2.size(); ++i) ev2.type[i] = uint16_t(i % 2);
    p.elliptic = true, p.model = ScanModel::Bernoulli, p.case_types = {"x"};
    CHECK_THROWS_WITH_AS(space_time_permutation_scan(ev2, p), doctest::Contains("permutation model only"), GeoError);
}

TEST_CASE("scan: real UCDP events (Benin and Togo) equal the brute force") {
    const std::string path = testutil::shared_real("ucdp_ged_241_uemoa6/ged241_uemoa6_1989_2023.csv");
    if (path.empty()) {
        MESSAGE("../shared/data/real absent: skipped");
        return;
    }
    EventLoadResult lr = load_events(path);
    EventTable& all = lr.events;
    std::vector<bool> keep(all.size());
    for (size_t i = 0; i < all.size(); ++i) {
        const std::string& c = all.country_names[all.country[i]];
        keep[i] = c == "Benin" || c == "Togo";
    }
    EventTable ev = all.subset(keep);
    REQUIRE(ev.size() == 171);
    project_events(ev, Crs::default_analysis());
    ev.crs = Crs::default_analysis();
    ScanParams p;
    p.period = PeriodUnit::Quarter, p.replications = 0;
    check_against_brute(ev, p);
    p.centres = ScanCentres::Events, p.max_radius_km = 100, p.max_window_periods = 8;
    check_against_brute(ev, p);
}

namespace {
// The pruned scan (only windows holding a radius step's new periods, excess bound) against the loop
// over every window pair: replica maxima and every reported cluster bitwise equal.
void check_pruning_exact(const EventTable& ev, ScanParams p) {
    p.exhaustive_windows = false;
    const ScanResult fast = space_time_permutation_scan(ev, p);
    p.exhaustive_windows = true;
    const ScanResult full = space_time_permutation_scan(ev, p);
    REQUIRE(fast.replica_max.size() == full.replica_max.size());
    for (size_t r = 0; r < fast.replica_max.size(); ++r) {
        CAPTURE(r);
        CHECK(fast.replica_max[r] == full.replica_max[r]);
    }
    REQUIRE(fast.clusters.size() == full.clusters.size());
    for (size_t k = 0; k < fast.clusters.size(); ++k) {
        CAPTURE(k);
        CHECK(fast.clusters[k].score == full.clusters[k].score);
        CHECK(fast.clusters[k].llr == full.clusters[k].llr);
        CHECK(fast.clusters[k].cx == full.clusters[k].cx);
        CHECK(fast.clusters[k].radius_km == full.clusters[k].radius_km);
        CHECK(fast.clusters[k].start_period == full.clusters[k].start_period);
        CHECK(fast.clusters[k].end_period == full.clusters[k].end_period);
        CHECK(fast.clusters[k].events == full.clusters[k].events);
        CHECK(fast.clusters[k].p_mc == full.clusters[k].p_mc);
    }
}
} // namespace

TEST_CASE("scan: pruning over radius steps equals every window of every circle (random, planted, real)") {
    for (uint64_t seed : {21u, 22u, 23u}) {
        CAPTURE(seed);
        // 120 months, 700 events on 150 sites (several events per site, so radius steps add several
        // periods at once), ties in distance on a lattice, a burst planted at 6 sites in months 70-75
        // for seed 21; many events share a month (seed 23: only 30 distinct months).
        stats::Rng rng(seed);
        std::vector<double> sx, sy;
        for (int s = 0; s < 150; ++s)
            sx.push_back(5 * KM * double(rng.below(25))), sy.push_back(5 * KM * double(rng.below(25)));
        std::vector<double> x, y;
        std::vector<int32_t> d;
        for (int i = 0; i < 700; ++i) {
            const size_t s = rng.below(150);
            x.push_back(sx[s]), y.push_back(sy[s]);
            d.push_back(month_day(seed == 23 ? 4 * int(rng.below(30)) : int(rng.below(120))));
        }
        if (seed == 21)
            for (int i = 0; i < 40; ++i) {
                const size_t s = rng.below(6);
                x.push_back(sx[s]), y.push_back(sy[s]), d.push_back(month_day(70 + int(rng.below(6))));
            }
        const EventTable ev = table(x, y, d);
        for (int variant = 0; variant < 4; ++variant) {
            CAPTURE(variant);
            ScanParams p;
            p.replications = 19, p.seed = seed, p.centre_cell_km = 15, p.threads = 2, p.max_clusters = 20;
            if (variant == 1) p.centres = ScanCentres::Events, p.max_window_periods = 12, p.max_share = 0.3;
            if (variant == 2) p.max_radius_km = 30, p.max_window_periods = 1; // one-period windows
            if (variant == 3) p.elliptic = true, p.max_radius_km = 40, p.replications = 5; // penalized LLRs
            check_pruning_exact(ev, p);
        }
    }
    // Real events: Benin and Togo by month, every event location a centre, SaTScan's default limits.
    const std::string path = testutil::shared_real("ucdp_ged_241_uemoa6/ged241_uemoa6_1989_2023.csv");
    if (path.empty()) {
        MESSAGE("../shared/data/real absent: real-data part skipped");
        return;
    }
    EventLoadResult lr = load_events(path);
    std::vector<bool> keep(lr.events.size());
    for (size_t i = 0; i < lr.events.size(); ++i) {
        const std::string& c = lr.events.country_names[lr.events.country[i]];
        keep[i] = c == "Benin" || c == "Togo";
    }
    EventTable ev = lr.events.subset(keep);
    project_events(ev, Crs::default_analysis());
    ev.crs = Crs::default_analysis();
    ScanParams p;
    p.centres = ScanCentres::Events, p.replications = 19, p.threads = 2;
    check_pruning_exact(ev, p);
}

TEST_CASE("scan: Monte Carlo p-value is uniform under the null (Kolmogorov-Smirnov over 200 seeds)") {
    // Null data: locations and months drawn independently, so the permutation null holds exactly
    // and P(p <= k/100) = k/100 up to ties. KS critical value at alpha = 0.01 for n = 200:
    // 1.628/sqrt(200) = 0.115, plus 0.01 for the p-value grid of 99 replications.
    std::vector<double> ps;
    for (uint64_t seed = 1; seed <= 200; ++seed) {
        stats::Rng rng(seed * 7919);
        std::vector<double> x, y;
        std::vector<int32_t> d;
        for (int i = 0; i < 40; ++i) {
            x.push_back(5 * KM * std::floor(rng.uniform() * 20)), y.push_back(5 * KM * std::floor(rng.uniform() * 20));
            d.push_back(month_day(int(rng.below(5))));
        }
        ScanParams p;
        p.centre_cell_km = 25, p.replications = 99, p.seed = seed, p.threads = 1;
        ps.push_back(space_time_permutation_scan(table(x, y, d), p).clusters.front().p_mc);
    }
    std::sort(ps.begin(), ps.end());
    double D = 0;
    for (size_t i = 0; i < ps.size(); ++i)
        D = std::max({D, std::fabs(double(i + 1) / ps.size() - ps[i]), std::fabs(ps[i] - double(i) / ps.size())});
    INFO("KS D = " << D);
    CHECK(D < 0.125);
    double mean = 0;
    for (double v : ps) mean += v;
    CHECK(mean / ps.size() == doctest::Approx(0.5).epsilon(0.1 / 0.5));
}

TEST_CASE("scan: bad parameters and unusable data are refused with a reason") {
    const EventTable ev = planted(1, 50, 0);
    ScanParams p;
    p.max_share = 0.8;
    CHECK_THROWS_AS(space_time_permutation_scan(ev, p), GeoError);
    p = {};
    p.max_window_share = 0;
    CHECK_THROWS_AS(space_time_permutation_scan(ev, p), GeoError);
    // One period only.
    EventTable one = table({0, KM, 2 * KM}, {0, 0, 0}, {month_day(1), month_day(1), month_day(1)});
    CHECK_THROWS_WITH_AS(space_time_permutation_scan(one, {}), doctest::Contains("at least two periods"), GeoError);
    // Undated events are left out and counted.
    EventTable u = planted(2, 40, 0);
    u.day[0] = kNoDay;
    ScanParams q;
    q.replications = 9;
    const ScanResult r = space_time_permutation_scan(u, q);
    CHECK(r.undated == 1);
    CHECK(r.n == 39);
    CHECK(r.metadata.at("events_undated_left_out") == "1");
}
