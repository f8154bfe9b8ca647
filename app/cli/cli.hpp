#pragma once
// The `nexusmap` command line. Each subcommand lives in its own cmd_*.cpp and registers itself
// through one add_* function listed in cli.cpp.
#include <CLI/CLI.hpp>
#include <string>

namespace nexusmap::cli {

// Runs the command line; returns the process exit code. Errors go to stderr.
int run(int argc, char** argv);

// Shared: a progress bar on stderr (only when stderr is a terminal or NEXUSMAP_PROGRESS=1).
class ProgressBar {
  public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();
    bool update(double fraction, std::string_view stage);

  private:
    std::string label_;
    int last_ = -1;
    bool enabled_;
};

// Ctrl-C / SIGTERM (issue #19): the first signal sets a flag that every ProgressBar reports as
// "cancel", so the running analysis throws nexusmap::Cancelled, unwinds (AtomicFile destructors
// remove their temporary files) and the command exits 130 with "cancelled". A second signal
// ends the process at once.
bool interrupted();
// Throws nexusmap::Cancelled when a signal arrived (for loops that have no progress callback).
void throw_if_interrupted();
// Installs the SIGINT/SIGTERM handlers (done by run()).
void install_interrupt_handlers();

// Where the bundled data lives (source tree's data/, or NEXUSMAP_DATA_DIR).
std::string data_dir();

// Subcommand registration (one per file).
void add_info(CLI::App& app);
void add_density(CLI::App& app);
void add_contours(CLI::App& app);
void add_zonal(CLI::App& app);
void add_demo(CLI::App& app);
void add_spillover(CLI::App& app);
void add_corridors(CLI::App& app);
void add_hotspots(CLI::App& app);
void add_lisa(CLI::App& app);
void add_emerging(CLI::App& app);
void add_map(CLI::App& app);
void add_animate(CLI::App& app);
void add_chart(CLI::App& app);
void add_scan(CLI::App& app);
void add_nexus(CLI::App& app);

} // namespace nexusmap::cli
