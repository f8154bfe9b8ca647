#pragma once
// GLFW -> InputQueue (input_queue.hpp) -> ImGui: keys, characters and mouse buttons reach ImGui one
// transition per frame, in order, so nothing is lost when frames are slow (issue #14). Main thread.
struct GLFWwindow;

namespace nexusmap::viewer {

// After ImGui_ImplGlfw_InitForOpenGL(window, true): takes over the key, character and mouse
// button callbacks (ImGui's backend would set the key state directly, losing short taps). Each
// event also increments *event_counter (the frame loop's "something happened").
void install_input_queue(GLFWwindow* window, unsigned* event_counter);
// Events still queued for later frames: the loop must not sleep.
bool input_pending();
// Between ImGui_ImplGlfw_NewFrame() and ImGui::NewFrame(): this frame's events into ImGui's IO
// (key and button state, characters; the cursor at a button event's own position).
void feed_queued_input();
// After ImGui::NewFrame(): double-clicks as decided on the events' times.
void finish_queued_input();

} // namespace nexusmap::viewer
