#include "cli/cli.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/version.hpp"

namespace nexusmap::cli {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)) {
    const char* env = std::getenv("NEXUSMAP_PROGRESS");
    enabled_ = env ? std::string(env) == "1" : ::isatty(2) != 0;
}
ProgressBar::~ProgressBar() {
    if (enabled_ && last_ >= 0) std::fprintf(stderr, "\n");
}
bool ProgressBar::update(double f, std::string_view stage) {
    if (!enabled_) return true;
    int pct = static_cast<int>(f * 100.0 + 0.5);
    if (pct == last_) return true;
    last_ = pct;
    const int width = 30, filled = pct * width / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %-32.*s", label_.c_str(), filled, "==============================",
                 width - filled, "", pct, static_cast<int>(std::min<size_t>(stage.size(), 32)), stage.data());
    std::fflush(stderr);
    return true;
}

std::string data_dir() {
    if (const char* e = std::getenv("NEXUSMAP_DATA_DIR")) return e;
    // The source tree's data/ (this is a build-tree tool; an install would set the variable).
    return std::string(NEXUSMAP_SOURCE_DIR) + "/data";
}

int run(int argc, char** argv) {
    CLI::App app{"nexusmap: terrorism/organized-crime nexus mapping for the Sahel and the Gulf of Guinea states.\n"
                 "Run with no arguments to open the viewer on the bundled (synthetic) demo."};
    app.set_version_flag("--version", std::string("nexusmap ") + kVersion);
    app.require_subcommand(1);
    add_info(app);
    add_density(app);
    add_contours(app);
    add_zonal(app);
    add_demo(app);
    add_spillover(app);
    add_corridors(app);
    add_hotspots(app);
    add_lisa(app);
    add_emerging(app);
    add_map(app);
    add_chart(app);
    add_scan(app);
    add_nexus(app);
    // Every file a command writes is staged and appears together at the end, or not at all; without
    // --force none may replace an existing file, even one created meanwhile by another process.
    // (The flag is read before parsing because the commands write while CLI11 runs them.)
    bool force = false;
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "--") break;
        else if (std::string_view(argv[i]) == "--force") force = true;
    try {
        OutputSet outputs(force);
        app.parse(argc, argv);
        outputs.commit();
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const GeoError& e) {
        std::cerr << "nexusmap: error: " << e.what() << "\n";
        return 1;
    } catch (const Cancelled&) {
        std::cerr << "nexusmap: cancelled\n";
        return 130;
    } catch (const std::exception& e) {
        std::cerr << "nexusmap: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace nexusmap::cli
