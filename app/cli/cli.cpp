#include "cli/cli.hpp"
#include "cli/common.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "nexusmap/atomic_file.hpp"
#include "nexusmap/error.hpp"
#include "nexusmap/progress.hpp"
#include "nexusmap/resources.hpp"
#include "nexusmap/version.hpp"

namespace nexusmap::cli {

namespace {
volatile std::sig_atomic_t g_signal = 0;

void on_interrupt(int sig) {
    if (g_signal) { // second signal: stop now (temporary files may be left, like SIGKILL)
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    g_signal = sig;
}
} // namespace

bool interrupted() { return g_signal != 0; }
void throw_if_interrupted() {
    if (interrupted()) throw Cancelled();
}
void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)) {
    const char* env = std::getenv("NEXUSMAP_PROGRESS");
    enabled_ = env ? std::string(env) == "1" : ::isatty(2) != 0;
}
ProgressBar::~ProgressBar() {
    if (enabled_ && last_ >= 0) std::fprintf(stderr, "\n");
}
bool ProgressBar::update(double f, std::string_view stage) {
    if (interrupted()) return false; // the analysis throws Cancelled
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

namespace {
// The input files of the command that ran (values of its options that name existing files, outputs
// left out), for the out-of-memory message.
std::string command_inputs(CLI::App* sub) {
    namespace fs = std::filesystem;
    std::string s;
    for (const CLI::Option* o : sub->get_options()) {
        const std::string n = o->get_name();
        if (n.find("out") != std::string::npos || n.find("write") != std::string::npos ||
            n.find("export") != std::string::npos || n.find("save") != std::string::npos)
            continue;
        for (const std::string& v : o->results()) {
            std::error_code ec;
            std::string f = v;
            if (!fs::exists(f, ec)) f = split_layer_spec(v).first;
            if (!f.empty() && fs::is_regular_file(f, ec) && s.find(f) == std::string::npos) s += (s.empty() ? "" : ", ") + f;
        }
    }
    return s;
}
} // namespace

int run(int argc, char** argv) {
    CLI::App app{"nexusmap: terrorism/organized-crime nexus mapping for the Sahel and the Gulf of Guinea states.\n"
                 "Run with no arguments to open the viewer on the bundled real UCDP GED events (view --demo: the SYNTHETIC demo)."};
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
    // Inputs are remembered per command: an in-process caller (tests, the demo's outer run) may
    // read one command's output and then run another that replaces it with --force.
    static thread_local int depth = 0;
    if (depth == 0) clear_inputs();
    struct Depth {
        Depth() { ++depth; }
        ~Depth() { --depth; }
    } depth_guard;
    // --max-memory on every command (issue #19); applied before the command's own callback runs.
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        sub->add_option_function<std::string>(
               "--max-memory",
               [](const std::string& v) {
                   auto b = parse_byte_size(v);
                   if (!b) throw GeoError("", "--max-memory '" + v + "'", "is not a size: use e.g. 2G, 512M or 25%");
                   set_memory_budget(*b);
               },
               "Memory budget: refuse work whose estimated memory exceeds it (e.g. 2G, 512M, 25%; default 50% of "
               "physical memory, or NEXUSMAP_MAX_MEMORY)")
            ->type_name("SIZE");
    install_interrupt_handlers();
    auto subname = [&app] {
        auto subs = app.get_subcommands();
        return subs.empty() ? std::string() : subs.front()->get_name();
    };
    // `-o -` sends the command's messages to stderr (check_output); stdout is restored afterwards.
    struct CoutRestore {
        std::streambuf* buf = std::cout.rdbuf();
        ~CoutRestore() { std::cout.rdbuf(buf); }
    } cout_restore;
    try {
        OutputSet outputs(force);
        app.parse(argc, argv);
        if (interrupted()) { // the signal came after the work was done: the staged outputs are dropped
            std::cerr << "nexusmap " << subname() << ": cancelled (interrupted); no output was written\n";
            return 130;
        }
        outputs.commit();
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const GeoError& e) {
        std::cerr << "nexusmap: error: " << e.what() << "\n";
        return 1;
    } catch (const Cancelled&) {
        std::cerr << "nexusmap " << subname() << ": cancelled" << (interrupted() ? " (interrupted)" : "")
                  << "; no output was written\n";
        return 130;
    } catch (const std::bad_alloc&) {
        // An allocation the estimates did not foresee: say which command and which input.
        auto subs = app.get_subcommands();
        const std::string in = subs.empty() ? "" : command_inputs(subs.front());
        std::cerr << "nexusmap " << subname() << ": error: out of memory" << (in.empty() ? "" : " while processing " + in)
                  << "; the request is too large for this machine: use a coarser cell size or a smaller extent, or "
                     "lower --max-memory so the size is refused up front\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "nexusmap: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace nexusmap::cli
