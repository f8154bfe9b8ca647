#include "cli/cli.hpp"
namespace nexusmap::cli {
void add_demo(CLI::App& app) { app.add_subcommand("demo", "(not yet built)"); }
}
