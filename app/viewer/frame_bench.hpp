#pragma once
// --bench-frames: the viewer's frame time and the delay from a bandwidth change to the updated
// picture, measured on the real window (issue #7). Prints key=value lines for bench/ scripts.
#include <ostream>

struct GLFWwindow;

namespace nexusmap::viewer {

class App;

// Runs once the app is ready: `frames` unchanged frames, then 8 bandwidth changes, each timed
// from the change to the end of the frame that shows it (glFinish, so the GPU work is counted).
void run_frame_bench(GLFWwindow* window, App& app, int frames, double load_seconds, std::ostream& out);

} // namespace nexusmap::viewer
