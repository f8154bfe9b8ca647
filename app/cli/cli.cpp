#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "cli/habits.hpp"

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
    // --quiet wins; --progress forces the bar; NEXUSMAP_PROGRESS=1/0 forces it on/off; else only on
    // a terminal.
    const char* env = std::getenv("NEXUSMAP_PROGRESS");
    enabled_ = !habits().quiet && (habits().progress || (env ? std::string(env) == "1" : ::isatty(2) != 0));
}
ProgressBar::~ProgressBar() {
    if (enabled_) end_progress_line();
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
    set_progress_line_open(true);
    if (pct >= 100) end_progress_line(); // the summary that follows starts on its own line
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
    // Listed for --help and did-you-mean; main.cpp hands `view` to the viewer before parsing, so its
    // options are declared once, in app/viewer/options.cpp.
    app.add_subcommand("view", "Open the map viewer (no files: the bundled real UCDP events); `nexusmap view --help`");
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
    add_animate(app);
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
    add_habit_flags(&app);
    // Commands run from inside another (the demo) follow the outer command's --quiet/--json.
    const bool outer = depth == 1;
    if (outer) scan_habit_flags(argc, argv);
    install_interrupt_handlers();
    auto subname = [&app] {
        std::string n;
        for (CLI::App* s = &app; !s->get_subcommands().empty();) s = s->get_subcommands().front(), n += (n.empty() ? "" : " ") + s->get_name();
        return n;
    };
    // `-o -` sends the command's messages to stderr (check_output); stdout is restored afterwards.
    struct CoutRestore {
        std::streambuf* buf = std::cout.rdbuf();
        ~CoutRestore() { std::cout.rdbuf(buf); }
    } cout_restore;
    // Usage errors exit 2 (common practice; GDAL's own tools use 1 for every error), failures 1.
    if (const std::string m = unknown_subcommand_message(app, argc, argv); !m.empty()) {
        std::cerr << "nexusmap: error: " << m << "\nRun with --help for more information.\n";
        return kExitUsage;
    }
    int code = kExitOk;
    std::string error;   // printed after the streams are restored (--quiet still shows errors)
    OutputCapture capture(outer);
    try {
        OutputSet outputs(force);
        app.parse(argc, argv);
        if (interrupted()) { // the signal came after the work was done: the staged outputs are dropped
            error = "nexusmap " + subname() + ": cancelled (interrupted); no output was written";
            code = 130;
        } else {
            outputs.commit();
        }
    } catch (const CLI::CallForHelp& e) {
        capture.finish(subname(), -1);
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        capture.finish(subname(), -1);
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        capture.finish(subname(), -1);
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        code = kExitUsage;
        error = std::string("nexusmap") + (subname().empty() ? "" : " " + subname()) + ": error: " + e.what();
        error += "\n" + unknown_flag_hints(app, argc, argv) + "Run with --help for more information.";
    } catch (const GeoError& e) {
        // A value of a flag that does not parse or is out of range ("--kernel 'foo'", "--from/--to") is
        // a usage error like those CLI11 finds itself; a problem with a file or the data is a failure.
        const bool flag_value = e.file.empty() && e.where.rfind("-", 0) == 0; // "--kernel ...", "-o/--out -"
        error = std::string("nexusmap: error: ") + e.what(), code = flag_value ? kExitUsage : kExitFailure;
    } catch (const Cancelled&) {
        error = "nexusmap " + subname() + ": cancelled" + (interrupted() ? " (interrupted)" : "") + "; no output was written";
        code = 130;
    } catch (const std::bad_alloc&) {
        // An allocation the estimates did not foresee: say which command and which input.
        auto subs = app.get_subcommands();
        const std::string in = subs.empty() ? "" : command_inputs(subs.front());
        error = "nexusmap " + subname() + ": error: out of memory" + (in.empty() ? "" : " while processing " + in) +
                "; the request is too large for this machine: use a coarser cell size or a smaller extent, or "
                "lower --max-memory so the size is refused up front";
        code = kExitFailure;
    } catch (const std::exception& e) {
        error = std::string("nexusmap: error: ") + e.what(), code = kExitFailure;
    }
    end_progress_line();
    capture.finish(subname(), code, error);
    if (!error.empty()) std::cerr << error << "\n";
    return code;
}

} // namespace nexusmap::cli
