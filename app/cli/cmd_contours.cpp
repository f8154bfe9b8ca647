#include "cli/cli.hpp"
namespace nexusmap::cli {
void add_contours(CLI::App& app) { app.add_subcommand("contours", "(not yet built)"); }
}
