#pragma once
// Input that survives slow frames (issue #14: quick taps lost, double-clicks ignored, a click
// after a fast move panning by the whole move). Pure logic (no GLFW, no ImGui), tested in
// tests/test_viewer_input.cpp; input.cpp connects it to GLFW's callbacks and ImGui's IO.
//
// ImGui 1.86 reads key and button *state* once per frame, so on a software renderer (~5-10 frames
// a second) a key pressed and released between two frames never reaches it, and two clicks of a
// double-click land in frames too far apart for its frame-clock test. GLFW's callbacks see every
// event; they are queued here with their time and cursor position, and handed out one transition
// per key/button per frame, in order ("trickling", as later ImGui versions do): a tap shows as
// down on one frame and up on the next. Double-clicks are decided on the events' own times.
#include <cmath>
#include <cstddef>
#include <deque>
#include <vector>

namespace nexusmap::viewer {

struct InputEvent {
    enum Kind { Key, Button, Char } kind = Key;
    int code = 0; // GLFW key, mouse button, or Unicode code point
    bool down = false;
    double x = 0, y = 0, t = 0; // cursor (window pixels) and time (s) of the event
    bool double_click = false;  // Button presses: second press of a double-click
};

class InputQueue {
  public:
    // Same limits as ImGui's defaults.
    double double_click_s = 0.30, double_click_px = 6.0;

    void push_key(int key, bool down, double t) {
        q_.push_back({InputEvent::Key, key, down, 0, 0, t, false});
    }
    void push_char(unsigned c, double t) { q_.push_back({InputEvent::Char, int(c), true, 0, 0, t, false}); }
    void push_button(int button, bool down, double x, double y, double t) {
        InputEvent e{InputEvent::Button, button, down, x, y, t, false};
        if (down) {
            // Second press of a pair close in time and place (a third press starts a new pair).
            e.double_click = has_press_ && button == press_button_ && t - press_t_ <= double_click_s &&
                             std::hypot(x - press_x_, y - press_y_) <= double_click_px;
            has_press_ = !e.double_click;
            press_button_ = button, press_t_ = t, press_x_ = x, press_y_ = y;
        }
        q_.push_back(e);
    }
    bool pending() const { return !q_.empty(); }

    // The events for the next frame, in order: stops before a second transition of the same key
    // or button, and between characters and key presses (a text field handles the characters of
    // a frame before its keys, so "Backspace, 1" must not share a frame).
    std::vector<InputEvent> next_frame() {
        std::vector<InputEvent> out;
        std::vector<std::pair<int, int>> used; // (kind, code)
        bool had_char = false, had_key = false;
        while (!q_.empty()) {
            const InputEvent& e = q_.front();
            if (e.kind == InputEvent::Char) {
                if (had_key) break;
                had_char = true;
            } else {
                bool again = false;
                for (auto [k, c] : used)
                    again |= k == int(e.kind) && c == e.code;
                if (again || (e.kind == InputEvent::Key && had_char)) break;
                used.emplace_back(int(e.kind), e.code);
                if (e.kind == InputEvent::Key) had_key = true;
            }
            out.push_back(e);
            q_.pop_front();
        }
        return out;
    }

  private:
    std::deque<InputEvent> q_;
    bool has_press_ = false;
    int press_button_ = -1;
    double press_t_ = 0, press_x_ = 0, press_y_ = 0;
};

// Panning by dragging: the map follows the cursor from where the button went down, not from
// where the cursor was last drawn (after a fast move the last frame's position is far away).
class DragPan {
  public:
    // Per frame: `pressed` the button went down this frame at (px, py) over the canvas; `down` it
    // is held; (x, y) the cursor now. Returns the pixels to pan by this frame.
    std::pair<double, double> update(bool pressed, double px, double py, bool down, double x, double y) {
        if (pressed) active_ = true, lx_ = px, ly_ = py;
        if (!down) active_ = false;
        if (!active_) return {0, 0};
        const std::pair<double, double> d{x - lx_, y - ly_};
        lx_ = x, ly_ = y;
        return d;
    }
    bool active() const { return active_; }

  private:
    bool active_ = false;
    double lx_ = 0, ly_ = 0;
};

} // namespace nexusmap::viewer
