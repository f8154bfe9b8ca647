// I/O and vector-analysis benchmark (issue #7): event CSV loading, spillover and route corridors
// at 1M events. Generates clustered synthetic ACLED-like events with a seed, writes them as CSV to
// a temporary folder, and times each job in a forked child (so peak memory is the job's own),
// median of --runs runs. Not a test: prints a Markdown table.
//
//   bench_io [--rows 1000000] [--seed 1] [--runs 3] [--jobs load,spillover,corridors] [--threads 1,2]
//            (--jobs may add "phases": spillover's signed distances and bands timed on their own)
//            [--keep DIR]                  keep the generated CSV in DIR (and reuse it) instead of a temp folder
//   bench_io --write-points DIR --rows N [--seed S]
//            writes DIR/points.gpkg (points in the default LAEA CRS, for QGIS) and DIR/points.csv
//            (the same points as lon/lat) for bench/qgis_compare.sh; nothing is timed.
//
// Points: the generator of bench_kde.cpp (12 Gaussian clusters, sd 30-120 km, plus 10% uniform
// background over a 3000 x 2000 km box centred on the LAEA origin 2E 12N), mapped back to lon/lat.
// Jobs: (a) load_events() on the CSV (what every command does first; project_events() is timed as a
// phase); (b) analyse_spillover() with the bundled basemap's admin-0 border and default parameters
// (what `nexusmap spillover` runs after loading); (c) analyse_corridors() with the bundled
// illustrative routes and that border (what `nexusmap corridors` runs). The border and the routes
// are read once, outside the timing. The thread count is passed to the jobs that take one.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "nexusmap/corridors.hpp"
#include "nexusmap/crs.hpp"
#include "nexusmap/events.hpp"
#include "nexusmap/layers.hpp"
#include "nexusmap/spillover.hpp"
#include "bench_points.hpp"

using namespace nexusmap;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

using bench::make_points; // bench_points.hpp

// ACLED-like CSV (the header of data/demo/events_synthetic.csv): dates 2012..2024, types, actors,
// admin-1 names, fatalities, precision, and a quoted note with a comma (exercises the quoting path).
void write_events_csv(const std::string& path, size_t n, uint64_t seed) {
    std::vector<double> x, y;
    make_points(n, seed, x, y);
    Transformer(Crs::wgs84(), Crs::default_analysis()).inverse(x.data(), y.data(), n); // -> lon, lat
    static const char* types[] = {"Battles", "Violence against civilians", "Explosions/Remote violence",
                                  "Riots", "Protests", "Strategic developments"};
    static const char* subs[] = {"Armed clash", "Attack", "Remote explosive/landmine/IED", "Mob violence",
                                 "Peaceful protest", "Looting/property destruction"};
    static const char* countries[] = {"Mali", "Burkina Faso", "Niger", "Cote d'Ivoire", "Ghana", "Togo", "Benin", "Nigeria"};
    static const char* isos[] = {"MLI", "BFA", "NER", "CIV", "GHA", "TGO", "BEN", "NGA"};
    std::mt19937_64 rng(seed * 7919 + 13);
    std::uniform_int_distribution<int> uday(days_from_civil(2012, 1, 1), days_from_civil(2024, 12, 31));
    std::geometric_distribution<int> gfat(0.35);
    std::ofstream out(path, std::ios::binary);
    out << "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,country,admin1,location,latitude,longitude,"
           "geo_precision,fatalities,source_note\n";
    std::string buf;
    buf.reserve(1 << 20);
    char line[512];
    for (size_t i = 0; i < n; ++i) {
        const int32_t d = uday(rng);
        int yy, mm, dd;
        civil_from_days(d, yy, mm, dd);
        const size_t t = rng() % 6, c = rng() % 8;
        const int len = std::snprintf(
            line, sizeof line,
            "%s%zu,%04d-%02d-%02d,%d,%s,%s,Armed group %d (synthetic),%s,Region %d,Place %zu,%.4f,%.4f,%d,%d,"
            "\"SYNTHETIC benchmark data, seed=%llu; not real events\"\n",
            isos[c], i + 1, yy, mm, dd, yy, types[t], subs[t], int(rng() % 40), countries[c], int(rng() % 60), i % 5000,
            y[i], x[i], int(1 + rng() % 3), std::min(gfat(rng), 300), (unsigned long long)seed);
        buf.append(line, size_t(len));
        if (buf.size() > (1u << 20) - 600) out << buf, buf.clear();
    }
    out << buf;
    if (!out) {
        std::fprintf(stderr, "bench_io: cannot write %s\n", path.c_str());
        std::exit(1);
    }
}

// Points for bench/qgis_compare.sh: a GeoPackage in the LAEA CRS (QGIS) and a lon/lat CSV (nexusmap).
int write_points(const std::string& dir, size_t n, uint64_t seed) {
    fs::create_directories(dir);
    std::vector<double> x, y;
    make_points(n, seed, x, y);
    VectorLayer l;
    l.name = "points";
    l.crs = Crs::default_analysis();
    l.type = GeomType::Point;
    l.features.resize(n);
    for (size_t i = 0; i < n; ++i) {
        l.features[i].geom.type = GeomType::Point;
        l.features[i].geom.points = {Vec2{x[i], y[i]}};
    }
    const std::string gpkg = dir + "/points.gpkg", csv = dir + "/points.csv";
    fs::remove(gpkg);
    write_gpkg(l, gpkg);
    Transformer(Crs::wgs84(), Crs::default_analysis()).inverse(x.data(), y.data(), n);
    std::ofstream out(csv, std::ios::binary);
    out << "# synthetic: benchmark points (bench_io --write-points, seed " << seed << ")\nlongitude,latitude\n";
    char line[64];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(line, sizeof line, "%.9f,%.9f\n", x[i], y[i]);
        out << line;
    }
    std::printf("%s\n%s\n%s\n", gpkg.c_str(), csv.c_str(), Crs::default_analysis().definition().c_str());
    return out ? 0 : 1;
}

double rss_mb() { // current resident set (MB), from /proc/self/statm
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

struct Result {
    double seconds = NAN, min_seconds = NAN, peak_mb = 0, start_mb = 0;
    char note[160] = {0};
};

// Runs `job` in a forked child: its wall time (what the job returns, in s), the child's peak RSS, and
// its RSS when it started (inherited from the parent: the loaded events for the analysis jobs).
Result in_child(const std::function<double(char* note)>& job) {
    int fds[2];
    if (pipe(fds) != 0) std::perror("pipe");
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        Result r;
        r.start_mb = rss_mb();
        try {
            r.seconds = job(r.note);
        } catch (const std::exception& e) {
            std::snprintf(r.note, sizeof r.note, "FAILED: %s", e.what());
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        r.peak_mb = double(ru.ru_maxrss) / 1024.0;
        if (write(fds[1], &r, sizeof r) != sizeof r) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    Result r;
    if (read(fds[0], &r, sizeof r) != sizeof r) std::snprintf(r.note, sizeof r.note, "child died");
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return r;
}

// Median time of `runs` children; the largest peak.
Result median_of(int runs, const std::function<double(char*)>& job) {
    std::vector<Result> rs;
    for (int k = 0; k < runs; ++k) rs.push_back(in_child(job));
    std::vector<double> t;
    for (auto& r : rs) t.push_back(r.seconds);
    std::sort(t.begin(), t.end());
    Result out = rs.back();
    out.seconds = t[t.size() / 2];
    out.min_seconds = t.front(); // on a shared machine the least disturbed run
    for (auto& r : rs) out.peak_mb = std::max(out.peak_mb, r.peak_mb);
    return out;
}

void row(const char* job, size_t n, const char* threads, const Result& r, double target) {
    const char* verdict = std::isnan(r.seconds) ? "—" : r.seconds <= target ? "yes" : "**no**";
    std::printf("| %s | %zu | %s | %.3f | %.3f | %.0f | %.0f | %.2g s: %s | %s |\n", job, n, threads, r.seconds,
                r.min_seconds, r.peak_mb, r.peak_mb - r.start_mb, target, verdict, r.note);
    std::fflush(stdout);
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> v;
    size_t a = 0;
    while (a <= s.size()) {
        size_t b = s.find(',', a);
        if (b == std::string::npos) b = s.size();
        if (b > a) v.push_back(s.substr(a, b - a));
        a = b + 1;
    }
    return v;
}

} // namespace

int run(int argc, char** argv) {
    size_t rows = 1'000'000;
    uint64_t seed = 1;
    int runs = 3;
    std::string jobs = "load,spillover,corridors", keep, points_dir, threads_list = "1,2";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--rows") rows = size_t(std::strtod(argv[i + 1], nullptr));
        else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--jobs") jobs = argv[i + 1];
        else if (a == "--keep") keep = argv[i + 1];
        else if (a == "--threads") threads_list = argv[i + 1];
        else if (a == "--write-points") points_dir = argv[i + 1];
        else {
            std::fprintf(stderr, "bench_io: unknown option %s (see the comment at the top of bench/bench_io.cpp)\n", a.c_str());
            return 2;
        }
    }
    if (!points_dir.empty()) return write_points(points_dir, rows, seed);
    const std::string data = NEXUSMAP_SOURCE_DIR "/data";
    std::string dir = keep;
    if (dir.empty()) {
        std::string tmpl = (fs::temp_directory_path() / "nexusmap-bench-io-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) {
            std::perror("mkdtemp");
            return 1;
        }
        dir = tmpl;
    } else {
        fs::create_directories(dir);
    }
    struct Cleanup { // the temporary folder goes, however main() ends
        std::string dir;
        ~Cleanup() {
            std::error_code ec;
            if (!dir.empty()) fs::remove_all(dir, ec);
        }
    } cleanup{keep.empty() ? dir : std::string()};
    // Named by size and seed, so a kept file is reused only for the same data.
    const std::string csv = dir + "/events_" + std::to_string(rows) + "_seed" + std::to_string(seed) + ".csv";
    auto t0 = Clock::now();
    if (!fs::exists(csv) || keep.empty()) write_events_csv(csv, rows, seed);
    std::fprintf(stderr, "bench_io: %zu rows, %.0f MB CSV in %s (written in %.1f s)\n", rows,
                 double(fs::file_size(csv)) / 1e6, dir.c_str(), since(t0));
    const auto want = split(jobs);
    auto wants = [&](const char* j) { return std::find(want.begin(), want.end(), j) != want.end(); };
    std::vector<int> threads;
    for (auto& t : split(threads_list)) threads.push_back(std::max(1, std::atoi(t.c_str())));

    std::printf("| job | events | threads | wall s (median of %d) | min s | peak MB | MB over start | target (median) | notes |\n",
                runs);
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    if (wants("load")) {
        // The loader takes no thread count. Phase: project_events (lon/lat -> LAEA, what the CLI does next).
        Result r = median_of(runs, [&](char* note) {
            auto t = Clock::now();
            EventLoadResult lr = load_events(csv);
            const double s = since(t);
            auto t2 = Clock::now();
            project_events(lr.events, Crs::default_analysis());
            std::snprintf(note, 160, "%zu loaded, %zu bad; then project_events %.3f s", lr.report.loaded,
                          lr.report.bad.size(), since(t2));
            return s;
        });
        row("load_events (CSV)", rows, "1", r, 2.0);
    }
    if (!wants("spillover") && !wants("corridors")) return 0;

    // Shared inputs for the analyses, outside the timing (the children inherit them).
    EventTable ev = load_events(csv).events;
    project_events(ev, Crs::default_analysis());
    ReadLayerOptions ro;
    ro.layer = "admin0";
    VectorLayer admin0 = read_layer(data + "/basemap/west_africa.gpkg", ro);
    t0 = Clock::now();
    BorderParams bp;
    bp.analysis_crs = ev.crs;
    const Border border = derive_border(admin0, bp);
    std::fprintf(stderr, "bench_io: border derived in %.2f s (%zu segments), not part of the timings\n", since(t0),
                 border.segments.size());
    const VectorLayer routes = read_layer(data + "/demo/routes_illustrative.geojson");

    for (int th : threads) {
        if (wants("spillover")) {
            Result r = median_of(runs, [&](char* note) {
                SpilloverParams sp;
                sp.threads = th;
                auto t = Clock::now();
                SpilloverResult res = analyse_spillover(ev, border, sp);
                const double s = since(t);
                std::snprintf(note, 160, "%zu outside groups, %zu periods, front %s km (last)", res.dist.outside,
                              res.periods.size(), fmt_num(res.front_km.back(), 4).c_str());
                return s;
            });
            row("spillover", ev.size(), std::to_string(th).c_str(), r, 1.0);
            if (wants("phases")) { // where the time goes: the two expensive steps of analyse_spillover
                Result a = median_of(runs, [&](char* note) {
                    auto t = Clock::now();
                    SignedDistances d = signed_distances(ev, border, {}, th);
                    std::snprintf(note, 160, "phase of spillover: %zu outside", d.outside);
                    return since(t);
                });
                row("&nbsp;&nbsp;signed_distances", ev.size(), std::to_string(th).c_str(), a, 1.0);
                Result b = median_of(runs, [&](char* note) {
                    auto t = Clock::now();
                    auto bands = make_bands(border, SpilloverParams{}.bands_km, SpilloverParams{}.segment_cell_km);
                    std::snprintf(note, 160, "phase of spillover: %zu bands (independent of the events)", bands.size());
                    return since(t);
                });
                row("&nbsp;&nbsp;make_bands", 0, std::to_string(th).c_str(), b, 1.0);
            }
        }
        if (wants("corridors")) {
            Result r = median_of(runs, [&](char* note) {
                CorridorParams cp;
                cp.analysis_crs = ev.crs;
                cp.threads = th;
                auto t = Clock::now();
                CorridorResult res = analyse_corridors(ev, routes, &border, cp);
                const double s = since(t);
                double tot = 0;
                for (auto& rr : res.routes) tot += rr.total;
                std::snprintf(note, 160, "%zu routes, %zu crossings, %.0f event-route pairs", res.routes.size(),
                              res.crossings.size(), tot);
                return s;
            });
            row("corridors", ev.size(), std::to_string(th).c_str(), r, 1.0);
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_io: %s\n", e.what());
        return 1;
    }
}
