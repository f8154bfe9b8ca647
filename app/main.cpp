// nexusmap: with no arguments (or `view ...`, or viewer options) opens the viewer; anything else is the
// command line.
#include <cstring>
#include <iostream>

#include "cli/cli.hpp"
#ifdef NEXUSMAP_HAVE_VIEWER
#include "viewer/viewer.hpp"
#endif

int main(int argc, char** argv) {
    // Viewer options without `view` (e.g. `nexusmap --screenshot s.png`) also open the viewer; the
    // command line's own top-level flags are only --help and --version.
    const bool viewer_flag = argc > 1 && argv[1][0] == '-' && std::strcmp(argv[1], "-h") != 0 &&
                             std::strcmp(argv[1], "--help") != 0 && std::strcmp(argv[1], "--version") != 0;
    const bool wants_viewer = argc == 1 || viewer_flag || (argc > 1 && std::strcmp(argv[1], "view") == 0);
    if (wants_viewer) {
#ifdef NEXUSMAP_HAVE_VIEWER
        return nexusmap::viewer::run(argc, argv);
#else
        std::cerr << "nexusmap: this build has no viewer (NEXUSMAP_BUILD_VIEWER=OFF); try `nexusmap --help`\n";
        return 2;
#endif
    }
    return nexusmap::cli::run(argc, argv);
}
