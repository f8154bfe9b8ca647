// `nexusmap` / `nexusmap view ...`: window, ImGui setup, frame loop and screenshot mode.
#include "nexusmap/atomic_file.hpp"
#include "viewer/viewer.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "gl/gl.hpp"
#include "nexusmap/resources.hpp"
#include "viewer/app.hpp"
#include "viewer/frame_bench.hpp"
#include "viewer/input.hpp"
#include "viewer/options.hpp"
#include "viewer/png_io.hpp"

namespace {
// Input events seen by GLFW's callbacks (main thread only).
unsigned g_input_events = 0;
} // namespace

namespace nexusmap::viewer {


namespace {

int probe_png(const ViewerOptions& o) {
    try {
        const Image img = read_png(o.probe_png);
        std::cout << "size " << img.width << " " << img.height << "\n";
        for (auto [x, y] : o.probe_px) {
            if (x < 0 || y < 0 || x >= img.width || y >= img.height) {
                std::cout << "pixel " << x << " " << y << " outside\n";
                continue;
            }
            const uint8_t* p = &img.rgba[(size_t(y) * img.width + x) * 4];
            std::cout << "pixel " << x << " " << y << " " << int(p[0]) << " " << int(p[1]) << " " << int(p[2])
                      << "\n";
        }
        return 0;
    } catch (const std::bad_alloc&) {
        std::cerr << "nexusmap view: error: out of memory (the loaded files or the analysis are too large for this "
                     "machine)\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "nexusmap: " << e.what() << "\n";
        return 1;
    }
}

// Reads the back buffer (the frame just drawn, before the swap) into a top-row-first image.
Image capture(int w, int h) {
    Image img;
    img.width = w;
    img.height = h;
    img.rgba.resize(size_t(w) * h * 4);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    std::vector<uint8_t> tmp(img.rgba.size());
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, tmp.data());
    const size_t row = size_t(w) * 4;
    for (int y = 0; y < h; ++y)
        std::copy_n(&tmp[size_t(h - 1 - y) * row], row, &img.rgba[size_t(y) * row]);
    for (size_t i = 3; i < img.rgba.size(); i += 4)
        img.rgba[i] = 255; // opaque PNG
    return img;
}

// Batch outputs are checked before the window opens: none may be an input (a file named on the
// command line, or a layer of a FILE:LAYER spec), and an existing file needs --force, except the
// project being re-saved. Inputs listed inside a project are refused when they are written
// (geo remembers every file it loaded; atomic_file.hpp).
std::string batch_output_error(const ViewerOptions& opt) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto opened = [&](const std::string& out) {
        for (const auto& f : opt.files)
            if (fs::exists(f, ec) && fs::exists(out, ec) && fs::equivalent(f, out, ec)) return true;
        return false;
    };
    const std::pair<const char*, const std::string*> outs[] = {
        {"--screenshot", &opt.screenshot}, {"--export-png", &opt.export_png}, {"--export-tif", &opt.export_tif},
        {"--export-map", &opt.export_map}, {"--save-project", &opt.save_project},
        {"--export-contours", &opt.export_contours}, {"--export-zonal", &opt.export_zonal}};
    for (const auto& [flag, path] : outs) {
        if (path->empty()) continue;
        const bool own_project = path == &opt.save_project && opened(*path) &&
                                 fs::path(*path).extension() == ".json";
        std::vector<std::string> inputs;
        for (const auto& f : opt.files)
            if (!(own_project && fs::exists(f, ec) && fs::equivalent(f, *path, ec))) inputs.push_back(f);
        try {
            check_output_path(*path, opt.force || own_project, inputs);
        } catch (const std::exception& e) {
            return std::string(flag) + " " + e.what();
        }
    }
    return {};
}

void load_font() {
    // DejaVu Sans when installed (crisper, and has the superscript in "km²"); else ImGui's own.
    ImGuiIO& io = ImGui::GetIO();
    for (const char* f : {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"})
        if (std::filesystem::exists(f) && io.Fonts->AddFontFromFileTTF(f, 15.f)) return;
    io.Fonts->AddFontDefault();
}

} // namespace

int run(int argc, char** argv) {
    const ViewerOptions opt = parse_viewer_args(argc, argv);
    if (opt.help) {
        std::cout << viewer_usage();
        return 0;
    }
    if (!opt.max_memory.empty()) {
        if (auto b = parse_byte_size(opt.max_memory)) set_memory_budget(*b);
        else {
            std::cerr << "nexusmap view: --max-memory '" << opt.max_memory << "' is not a size (use e.g. 2G, 512M or 25%)\n";
            return 2;
        }
    }
    if (!opt.error.empty()) {
        std::cerr << "nexusmap view: " << opt.error << "\nRun `nexusmap view --help` for the options.\n";
        return 2;
    }
    if (!opt.probe_png.empty()) return probe_png(opt);
    if (const std::string err = batch_output_error(opt); !err.empty()) {
        std::cerr << "nexusmap view: error: " << err << "\n";
        return 1;
    }

    glfwSetErrorCallback([](int code, const char* msg) {
        std::cerr << "nexusmap: GLFW error " << code << ": " << msg << "\n";
    });
    if (!glfwInit()) {
        std::cerr << "nexusmap: cannot open a window (no display? try xvfb-run, or use the command line: "
                     "nexusmap --help)\n";
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    // No multisampling on the window: lines and points are antialiased in their shaders, and the
    // map comes from MapCache's textures by a blit (a multisampled window costs ~40 % of a frame on
    // llvmpipe and cannot be blitted into).
    glfwWindowHint(GLFW_SAMPLES, 0);
    GLFWwindow* window = glfwCreateWindow(opt.width, opt.height, "nexusmap", nullptr, nullptr);
    if (!window) {
        std::cerr << "nexusmap: cannot create an OpenGL 3.3 core window\n";
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(opt.screenshot.empty() ? 1 : 0);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr; // no imgui.ini litter in the working directory
    ImGui::StyleColorsDark();
    load_font();
    // Every input event is counted before ImGui's callbacks (which chain to these), so the loop
    // below draws only when something happened (issue #17: no frames, no CPU when idle).
    glfwSetCursorPosCallback(window, [](GLFWwindow*, double, double) { ++g_input_events; });
    glfwSetMouseButtonCallback(window, [](GLFWwindow*, int, int, int) { ++g_input_events; });
    glfwSetScrollCallback(window, [](GLFWwindow*, double, double) { ++g_input_events; });
    glfwSetKeyCallback(window, [](GLFWwindow*, int, int, int, int) { ++g_input_events; });
    glfwSetCharCallback(window, [](GLFWwindow*, unsigned) { ++g_input_events; });
    glfwSetCursorEnterCallback(window, [](GLFWwindow*, int) { ++g_input_events; });
    glfwSetWindowFocusCallback(window, [](GLFWwindow*, int) { ++g_input_events; });
    glfwSetFramebufferSizeCallback(window, [](GLFWwindow*, int, int) { ++g_input_events; });
    glfwSetWindowRefreshCallback(window, [](GLFWwindow*) { ++g_input_events; });
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    install_input_queue(window, &g_input_events); // keys, characters, buttons: one transition a frame
    ImGui_ImplOpenGL3_Init("#version 330 core");

    int rc = 0;
    try {
        App app(window, opt);
        app.start_loading();
        const bool shot = opt.batch(); // --screenshot and/or --export-* / --save-project
        const auto t0 = std::chrono::steady_clock::now();
        int frames_after_ready = 0;
        double load_s = -1; // seconds until ready (--bench-frames reports it)
        // Frames still to draw after the last change: ImGui settles hover and layout over a
        // couple of frames; one more comes after its tooltip delay.
        int settle = 3;
        bool tooltip_frame = false;
        while (!glfwWindowShouldClose(window)) {
            const unsigned seen = g_input_events;
            // Poll while loading, playing or dragging; otherwise sleep until an event arrives.
            if (shot || app.animating() || settle > 0 || input_pending()) {
                glfwPollEvents();
            } else if (tooltip_frame) {
                glfwWaitEventsTimeout(0.6);
                tooltip_frame = false;
                settle = 1;
            } else {
                glfwWaitEvents(); // returns only after some event (a file drop included)
                settle = 3, tooltip_frame = true;
            }
            if (g_input_events != seen || app.animating() || input_pending()) settle = 3, tooltip_frame = true;
            if (!shot && settle == 0) continue; // nothing changed: no frame
            if (settle > 0) --settle;
            app.frame();
            if (shot) {
                const double waited =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                if (app.ready() && load_s < 0) load_s = waited;
                if (app.ready() || waited > 180) ++frames_after_ready;
                if (frames_after_ready >= opt.frames) {
                    int fw = 0, fh = 0, ww = 0, wh = 0;
                    glfwGetFramebufferSize(window, &fw, &fh);
                    glfwGetWindowSize(window, &ww, &wh);
                    if (!opt.screenshot.empty()) {
                        write_png(opt.screenshot, capture(fw, fh));
                        std::cout << "screenshot " << opt.screenshot << " " << fw << " " << fh << "\n";
                    }
                    app.print_probes(std::cout, ww > 0 ? double(fw) / ww : 1.0);
                    if (!app.ready()) {
                        std::cerr << "nexusmap: loading did not finish in time\n";
                        rc = 1;
                    } else if (app.had_errors()) {
                        for (const auto& m : app.error_messages()) std::cerr << "nexusmap: error: " << m << "\n";
                        std::cerr << "nexusmap: some files failed to load (see the status bar)\n";
                        rc = 1;
                    }
                    if (opt.bench_frames > 0 && app.ready()) run_frame_bench(window, app, opt.bench_frames, load_s, std::cout);
                    // Exports after the screenshot (so it shows the session as loaded).
                    if (app.ready() && !app.run_batch_exports(std::cout)) rc = 1;
                    break;
                }
            }
            glfwSwapBuffers(window);
        }
    } catch (const std::exception& e) {
        std::cerr << "nexusmap: " << e.what() << "\n";
        rc = 1;
    }

    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return rc;
}

} // namespace nexusmap::viewer
