// The fuzz targets link app/cli/common.cpp alone; these stand in for cli.cpp's progress bar
// (which would pull in every subcommand). Silent, like the real one when stderr is not a terminal.
#include "cli/cli.hpp"

namespace nexusmap::cli {
ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), enabled_(false) {}
ProgressBar::~ProgressBar() = default;
bool ProgressBar::update(double, std::string_view) { return true; }
std::string data_dir() { return std::string(NEXUSMAP_SOURCE_DIR) + "/data"; }
} // namespace nexusmap::cli
