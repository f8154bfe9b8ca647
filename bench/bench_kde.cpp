// Kernel density benchmark: exact vs FFT path (and what Auto picks), 1 and 2 threads, clustered
// points over West Africa in the default equal-area CRS, quartic kernel, 50 km radius. Each case
// runs in a forked child so its peak memory is its own: the child resets its high-water mark
// (/proc/self/clear_refs) after making the points, so "job MB" = peak RSS during the job minus
// the RSS before the points were made (libraries), i.e. input + output + the job's temporaries.
// Wall time: median of --reps runs. Not a test: prints a Markdown table.
//
//   bench_kde [--sizes 10000,100000,1000000] [--cells 1,5] [--exact-max 100000] [--seed 1] [--reps 5]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "nexusmap/density.hpp"
#include "bench_points.hpp"

using namespace nexusmap;

namespace {
using bench::make_points; // bench_points.hpp

struct Row {
    double seconds = 0, cpu = 0, job_mb = 0, input_mb = 0, output_mb = 0;
    int cells_w = 0, cells_h = 0;
    char method[32] = {0};
};

// VmRSS or VmHWM of this process in MB.
double proc_status_mb(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::strlen(key)) / 1024.0;
    return NAN;
}

Row run_case(size_t n, double cell_km, KdeMethod m, int threads, uint64_t seed, int reps) {
    int fds[2];
    if (pipe(fds) != 0) std::perror("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        Row r;
        const Crs crs = Crs::default_analysis(); // PROJ's database: library memory, not the job's
        const double base_mb = proc_status_mb("VmRSS:");
        std::vector<double> x, y;
        make_points(n, seed, x, y);
        KdeParams p;
        p.bandwidth_m = 50'000;
        p.cell_m = cell_km * 1000;
        p.method = m;
        p.threads = threads;
        GridSpec g = GridSpec::covering({-1.5e6 - 5e4, -1.0e6 - 5e4, 1.5e6 + 5e4, 1.0e6 + 5e4}, p.cell_m);
        std::ofstream("/proc/self/clear_refs") << "5"; // reset VmHWM to the current RSS
        std::vector<double> times, cpus;
        auto cpu_now = [] {
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
        };
        KdeMethod used = m;
        for (int k = 0; k < reps; ++k) {
            const double c0 = cpu_now();
            auto t0 = std::chrono::steady_clock::now();
            auto res = kernel_density({&x, &y, nullptr}, g, crs, p);
            auto t1 = std::chrono::steady_clock::now();
            times.push_back(std::chrono::duration<double>(t1 - t0).count());
            cpus.push_back(cpu_now() - c0);
            used = res.method_used;
        }
        std::sort(times.begin(), times.end());
        r.seconds = times[times.size() / 2];
        std::sort(cpus.begin(), cpus.end());
        r.cpu = cpus[cpus.size() / 2];
        r.job_mb = proc_status_mb("VmHWM:") - base_mb;
        r.input_mb = n * 2 * sizeof(double) / 1e6;
        r.output_mb = g.size() * sizeof(float) / 1e6;
        r.cells_w = g.width, r.cells_h = g.height;
        std::snprintf(r.method, sizeof r.method, "%s%s", m == KdeMethod::Auto ? "auto: " : "",
                      used == KdeMethod::Fft ? "fft" : "exact");
        if (write(fds[1], &r, sizeof r) != sizeof r) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    Row r;
    if (read(fds[0], &r, sizeof r) != sizeof r) r.seconds = NAN;
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return r;
}

std::vector<double> parse_list(const char* s) {
    std::vector<double> v;
    for (const char* p = s; *p;) {
        v.push_back(std::strtod(p, const_cast<char**>(&p)));
        if (*p == ',') ++p;
    }
    return v;
}
} // namespace

int main(int argc, char** argv) {
    std::vector<double> sizes{10'000, 100'000, 1'000'000}, cells{1, 5};
    double exact_max = 100'000;
    uint64_t seed = 1;
    int reps = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--sizes")) sizes = parse_list(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--cells")) cells = parse_list(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--exact-max")) exact_max = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--reps")) reps = std::max(1, std::atoi(argv[i + 1]));
    }
    std::printf("| points | cell km | grid | method | threads | wall s (median of %d) | cpu s | job MB | input+output MB | job / (in+out) |\n", reps);
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
    for (double c : cells)
        for (double n : sizes)
            for (KdeMethod m : {KdeMethod::Auto, KdeMethod::Fft, KdeMethod::Exact}) {
                if (m == KdeMethod::Exact && n > exact_max) continue;
                for (int t : {1, 2}) {
                    Row r = run_case(size_t(n), c, m, t, seed, m == KdeMethod::Exact && n >= 100'000 ? 1 : reps);
                    const double io = r.input_mb + r.output_mb;
                    std::printf("| %.0f | %.0f | %d x %d | %s | %d | %.3f | %.3f | %.0f | %.0f | %.2f |\n", n, c, r.cells_w, r.cells_h,
                                r.method, t, r.seconds, r.cpu, r.job_mb, io, r.job_mb / io);
                    std::fflush(stdout);
                }
            }
    // Accuracy of the fast path on the same clustered inputs (the tests bound it on uniform ones).
    std::printf("\n| points | cell km | max |fft - exact| / peak | fft mass / exact mass - 1 |\n|---|---|---|---|\n");
    const Crs crs = Crs::default_analysis();
    for (double c : cells)
        for (double n : sizes) {
            if (n > exact_max) continue;
            std::vector<double> x, y;
            make_points(size_t(n), seed, x, y);
            KdeParams p;
            p.bandwidth_m = 50'000;
            p.cell_m = c * 1000;
            GridSpec g = GridSpec::covering({-1.5e6 - 5e4, -1.0e6 - 5e4, 1.5e6 + 5e4, 1.0e6 + 5e4}, p.cell_m);
            p.method = KdeMethod::Exact;
            auto ex = kernel_density({&x, &y, nullptr}, g, crs, p);
            p.method = KdeMethod::Fft;
            auto ff = kernel_density({&x, &y, nullptr}, g, crs, p);
            double peak = ex.raster.minmax()[1], maxerr = 0;
            for (size_t i = 0; i < ex.raster.data.size(); ++i)
                maxerr = std::max(maxerr, double(std::fabs(ex.raster.data[i] - ff.raster.data[i])));
            std::printf("| %.0f | %.0f | %.2e | %.1e |\n", n, c, maxerr / peak, ff.raster.integral() / ex.raster.integral() - 1);
        }
    return 0;
}
