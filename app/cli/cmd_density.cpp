#include "cli/cli.hpp"
namespace nexusmap::cli {
void add_density(CLI::App& app) { app.add_subcommand("density", "(not yet built)"); }
}
