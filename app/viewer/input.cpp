#include "viewer/input.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <array>

#include "viewer/input_queue.hpp"

namespace nexusmap::viewer {

namespace {
struct State {
    InputQueue queue;
    unsigned* counter = nullptr;
    bool installed = false;
    std::array<bool, 512> keys{};
    std::array<bool, 5> buttons{};
    std::array<bool, 5> double_click{};
};
State& st() {
    static State s; // main thread only (GLFW callbacks run inside glfwPollEvents/WaitEvents)
    return s;
}
void count() {
    if (st().counter) ++*st().counter;
}
} // namespace

void install_input_queue(GLFWwindow* window, unsigned* event_counter) {
    State& s = st();
    s.counter = event_counter;
    s.installed = true;
    glfwSetKeyCallback(window, [](GLFWwindow*, int key, int, int action, int) {
        count();
        if (action == GLFW_PRESS || action == GLFW_RELEASE)
            st().queue.push_key(key, action == GLFW_PRESS, glfwGetTime());
    });
    glfwSetCharCallback(window, [](GLFWwindow*, unsigned c) {
        count();
        st().queue.push_char(c, glfwGetTime());
    });
    glfwSetMouseButtonCallback(window, [](GLFWwindow* w, int button, int action, int) {
        count();
        double x = 0, y = 0;
        glfwGetCursorPos(w, &x, &y); // where the button went down, not where the next frame finds the cursor
        st().queue.push_button(button, action == GLFW_PRESS, x, y, glfwGetTime());
    });
}

bool input_pending() {
    return st().queue.pending();
}

void feed_queued_input() {
    State& s = st();
    if (!s.installed) return;
    ImGuiIO& io = ImGui::GetIO();
    for (const InputEvent& e : s.queue.next_frame()) {
        switch (e.kind) {
        case InputEvent::Key:
            if (e.code >= 0 && size_t(e.code) < s.keys.size()) s.keys[size_t(e.code)] = e.down;
            break;
        case InputEvent::Char:
            io.AddInputCharacter(unsigned(e.code));
            break;
        case InputEvent::Button:
            if (e.code >= 0 && size_t(e.code) < s.buttons.size()) {
                s.buttons[size_t(e.code)] = e.down;
                if (e.down) s.double_click[size_t(e.code)] = e.double_click;
            }
            io.MousePos = ImVec2(float(e.x), float(e.y));
            break;
        }
    }
    static_assert(sizeof(io.KeysDown) / sizeof(io.KeysDown[0]) >= 512);
    for (size_t k = 0; k < s.keys.size(); ++k)
        io.KeysDown[k] = s.keys[k];
    io.KeyCtrl = s.keys[GLFW_KEY_LEFT_CONTROL] || s.keys[GLFW_KEY_RIGHT_CONTROL];
    io.KeyShift = s.keys[GLFW_KEY_LEFT_SHIFT] || s.keys[GLFW_KEY_RIGHT_SHIFT];
    io.KeyAlt = s.keys[GLFW_KEY_LEFT_ALT] || s.keys[GLFW_KEY_RIGHT_ALT];
    io.KeySuper = s.keys[GLFW_KEY_LEFT_SUPER] || s.keys[GLFW_KEY_RIGHT_SUPER];
    for (size_t b = 0; b < s.buttons.size(); ++b)
        io.MouseDown[b] = s.buttons[b];
}

void finish_queued_input() {
    State& s = st();
    if (!s.installed) return;
    ImGuiIO& io = ImGui::GetIO();
    // ImGui 1.86 times double-clicks by its frame clock, which slow frames stretch past the limit.
    for (size_t b = 0; b < s.buttons.size(); ++b) {
        io.MouseDoubleClicked[b] = io.MouseClicked[b] && s.double_click[b];
        if (io.MouseClicked[b]) s.double_click[b] = false;
    }
}

} // namespace nexusmap::viewer
