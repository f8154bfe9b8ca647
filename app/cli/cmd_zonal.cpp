#include "cli/cli.hpp"
namespace nexusmap::cli {
void add_zonal(CLI::App& app) { app.add_subcommand("zonal", "(not yet built)"); }
}
