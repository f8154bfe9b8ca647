#pragma once
namespace nexusmap::viewer {
// Entry point for `nexusmap` (no arguments: the bundled demo) and `nexusmap view ...`.
int run(int argc, char** argv);
}
