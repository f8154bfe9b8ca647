#include "viewer/frame_bench.hpp"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gl/gl.hpp"
#include "viewer/app.hpp"

namespace nexusmap::viewer {

namespace {
double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// One frame as the main loop draws it, finished on the GPU before the clock stops.
double timed_frame(GLFWwindow* window, App& app) {
    const double t0 = now_ms();
    glfwPollEvents();
    app.frame();
    glFinish();
    glfwSwapBuffers(window);
    return now_ms() - t0;
}
double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}
std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}
} // namespace

void run_frame_bench(GLFWwindow* window, App& app, int frames, double load_seconds, std::ostream& out) {
    const char* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(window, &fw, &fh);
    timed_frame(window, app); // warm-up: first-use costs (shader/texture residency) are not frames
    std::vector<double> steady;
    for (int i = 0; i < frames; ++i) steady.push_back(timed_frame(window, app));

    // The pointer moving over the map: the map is copied from its cache, the UI (status bar read-out,
    // hover) is drawn again each frame.
    std::vector<double> hover;
    for (int i = 0; i < std::max(frames, 5); ++i) {
        glfwSetCursorPos(window, fw * (0.45 + 0.02 * (i % 10)), fh * (0.4 + 0.015 * (i % 7)));
        hover.push_back(timed_frame(window, app));
    }

    // Bandwidth changes: each re-splats every event (the heat is cached in map space, so only
    // kernel, bandwidth or filter changes do). Timed from the change to the frame on screen.
    HeatParams& hp = app.heat_params();
    const float base = hp.bandwidth_km;
    std::vector<double> change, splat;
    for (float f : {0.8f, 1.2f, 0.9f, 1.1f, 0.7f, 1.3f, 0.95f, 1.0f}) {
        hp.bandwidth_km = base * f;
        // GPU backend: the first frame shows it. CPU backend: frames keep coming (the UI stays
        // live) until geo's result is on screen.
        double ms = timed_frame(window, app);
        for (int k = 0; k < 10000 && app.heatmap().cpu_pending(); ++k) ms += timed_frame(window, app);
        change.push_back(ms);
        splat.push_back(app.heatmap().splat_ms());
    }
    hp.bandwidth_km = base;
    out << "bench_frames renderer=\"" << (renderer ? renderer : "?") << "\" heat=" << (app.heat_on_cpu() ? "cpu" : app.heatmap().cpu_splat() ? "cpu-splat" : "gpu")
        << " framebuffer=" << fw << "x" << fh
        << " events=" << app.event_count() << " load_s=" << fmt(load_seconds) << "\n";
    out << "bench_frames frame_ms median=" << fmt(percentile(steady, 0.5)) << " p95=" << fmt(percentile(steady, 0.95))
        << " max=" << fmt(percentile(steady, 1.0)) << " n=" << steady.size() << "\n";
    out << "bench_frames pointer_moving_ms median=" << fmt(percentile(hover, 0.5)) << " p95=" << fmt(percentile(hover, 0.95))
        << " n=" << hover.size() << "\n";
    out << "bench_frames bandwidth_change_ms median=" << fmt(percentile(change, 0.5))
        << " max=" << fmt(percentile(change, 1.0)) << " splat_ms_median=" << fmt(percentile(splat, 0.5))
        << " n=" << change.size() << "\n";
}

} // namespace nexusmap::viewer
