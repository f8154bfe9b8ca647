// Regression tests for the viewer's interaction defects of issue #14 and the map cache's geometry
// (issue #17). Pure logic: input_queue.hpp, ui_logic.hpp, map_cache.hpp (no GL, no window).
#include <doctest/doctest.h>

#include <string>

#include "viewer/input_queue.hpp"
#include "viewer/map_cache.hpp"
#include "viewer/ui_logic.hpp"

using namespace nexusmap::viewer;

namespace {
constexpr int kKeyR = 82, kKeyBackspace = 259, kKeyMinus = 45; // GLFW key codes
}

TEST_CASE("quick key taps within one slow frame are not lost (R, Backspace, -)") {
    InputQueue q;
    // Both events of each tap arrive while one 200 ms frame is drawn.
    q.push_key(kKeyR, true, 1.00);
    q.push_key(kKeyR, false, 1.03);
    // Frame 1: R is down (ImGui's IsKeyPressed fires); the release waits for the next frame.
    auto f1 = q.next_frame();
    REQUIRE(f1.size() == 1);
    CHECK(f1[0].code == kKeyR);
    CHECK(f1[0].down);
    CHECK(q.pending());
    auto f2 = q.next_frame();
    REQUIRE(f2.size() == 1);
    CHECK_FALSE(f2[0].down);
    CHECK_FALSE(q.pending());

    // Two taps of Backspace and one of '-' in one frame: five frames, each press seen once.
    for (double t : {2.0, 2.05})
        q.push_key(kKeyBackspace, true, t), q.push_key(kKeyBackspace, false, t + 0.02);
    q.push_key(kKeyMinus, true, 2.1);
    q.push_key(kKeyMinus, false, 2.12);
    int backspace_presses = 0, minus_presses = 0, frames = 0;
    while (q.pending() && frames < 20) {
        ++frames;
        int presses_this_frame = 0;
        for (const auto& e : q.next_frame()) {
            if (e.down && e.code == kKeyBackspace) ++backspace_presses, ++presses_this_frame;
            if (e.down && e.code == kKeyMinus) ++minus_presses;
        }
        CHECK(presses_this_frame <= 1); // a key is down in a frame at most once
    }
    CHECK(backspace_presses == 2);
    CHECK(minus_presses == 1);
}

TEST_CASE("typed characters and Backspace keep their order across frames") {
    InputQueue q;
    q.push_char('1', 1.0);
    q.push_key(kKeyBackspace, true, 1.01);
    q.push_key(kKeyBackspace, false, 1.02);
    q.push_char('5', 1.03);
    // A text field handles a frame's characters before its keys: '1' and Backspace must not share
    // a frame, nor Backspace and '5'.
    auto a = q.next_frame();
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == InputEvent::Char);
    auto b = q.next_frame();
    REQUIRE(!b.empty());
    CHECK(b[0].kind == InputEvent::Key);
    for (const auto& e : b)
        CHECK(e.kind != InputEvent::Char);
    std::string rest;
    while (q.pending())
        for (const auto& e : q.next_frame())
            if (e.kind == InputEvent::Char) rest += char(e.code);
    CHECK(rest == "5");
}

TEST_CASE("double-click in the file browser is decided on event times, not frame times") {
    InputQueue q;
    // Two clicks 0.2 s apart, 2 px apart: a double-click however slowly the frames come.
    q.push_button(0, true, 100, 200, 5.00);
    q.push_button(0, false, 100, 200, 5.05);
    q.push_button(0, true, 102, 200, 5.20);
    q.push_button(0, false, 102, 200, 5.25);
    std::vector<InputEvent> presses;
    while (q.pending())
        for (const auto& e : q.next_frame())
            if (e.down) presses.push_back(e);
    REQUIRE(presses.size() == 2);
    CHECK_FALSE(presses[0].double_click);
    CHECK(presses[1].double_click);
    // Each press reaches the UI at its own position.
    CHECK(presses[1].x == 102);

    // Too slow (0.5 s) or too far (20 px): two single clicks. A third quick press starts a new pair.
    InputQueue r;
    r.push_button(0, true, 0, 0, 1.0), r.push_button(0, false, 0, 0, 1.1);
    r.push_button(0, true, 0, 0, 1.5), r.push_button(0, false, 0, 0, 1.6);
    r.push_button(0, true, 20, 0, 1.7), r.push_button(0, false, 20, 0, 1.75);
    r.push_button(0, true, 20, 0, 1.8), r.push_button(0, false, 20, 0, 1.85);
    r.push_button(0, true, 20, 0, 1.9);
    std::vector<bool> dbl;
    while (r.pending())
        for (const auto& e : r.next_frame())
            if (e.down) dbl.push_back(e.double_click);
    CHECK(dbl == std::vector<bool>{false, false, false, true, false});
}

TEST_CASE("a click right after a fast move does not pan by the move") {
    DragPan d;
    // The cursor was last drawn at (100, 100); the user moves fast to (600, 400) and presses there.
    // The frame that sees the press must pan by nothing (it panned by (500, 300) before).
    auto [dx0, dy0] = d.update(true, 600, 400, true, 600, 400);
    CHECK(dx0 == 0);
    CHECK(dy0 == 0);
    CHECK(d.active());
    // Then the map follows the cursor from the press position.
    auto [dx1, dy1] = d.update(false, 0, 0, true, 610, 395);
    CHECK(dx1 == 10);
    CHECK(dy1 == -5);
    // Pressed at (600, 400) but the frame finds the cursor already at (650, 400): pans 50 px, from
    // the press, not from the last drawn position.
    DragPan e;
    auto [ex, ey] = e.update(true, 600, 400, true, 650, 400);
    CHECK(ex == 50);
    CHECK(ey == 0);
    // Released: no more panning.
    auto [rx, ry] = d.update(false, 0, 0, false, 700, 500);
    CHECK(rx == 0);
    CHECK(ry == 0);
    CHECK_FALSE(d.active());
}

TEST_CASE("tooltips wrap between words, never inside one") {
    // 7 px per character, as a monospace font would measure.
    auto measure = [](const std::string& s) { return float(s.size()) * 7.f; };
    const std::string text =
        "As the CLI's --study-area: countries = cells whose centre is on land in MLI, BFA (bundled "
        "admin-0) plus any cell holding an event; nonempty = cells holding an event;\nall = every cell.";
    const auto lines = wrap_words(text, 200.f, measure);
    REQUIRE(lines.size() > 3);
    std::string joined;
    for (const auto& l : lines) {
        CHECK(measure(l) <= 200.f);
        CHECK(l.front() != ' ');
        CHECK(l.back() != ' ');
        joined += (joined.empty() ? "" : " ") + l;
    }
    // Rejoined with single spaces the words are the original's, in order (the newline reflowed).
    std::string expect = text;
    for (auto& c : expect)
        if (c == '\n') c = ' ';
    CHECK(joined == expect);
    // A word longer than the width gets its own line, whole.
    const auto w = wrap_words("a verylongwordthatdoesnotfit b", 50.f, measure);
    REQUIRE(w.size() == 3);
    CHECK(w[1] == "verylongwordthatdoesnotfit");
    // A blank line keeps paragraphs apart.
    const auto p = wrap_words("one\n\ntwo", 500.f, measure);
    CHECK(p == std::vector<std::string>{"one", "", "two"});
}

TEST_CASE("typing 15 in the bandwidth field gives 15, not 215") {
    NumericEdit e;
    e.sync(50);
    CHECK(std::string(e.buf) == "50");
    // The user selects the field and types "1", "5"; meanwhile the model changes (the slider's
    // clamp, a project, a redraw setting it back). The text must stay the user's.
    e.editing = true;
    std::snprintf(e.buf, sizeof e.buf, "1");
    e.sync(2); // model value written while editing: ignored
    CHECK(std::string(e.buf) == "1");
    std::snprintf(e.buf, sizeof e.buf, "15");
    e.sync(2);
    CHECK(std::string(e.buf) == "15");
    const auto v = e.commit(0.5, 5000);
    REQUIRE(v.has_value());
    CHECK(*v == doctest::Approx(15.0));
    CHECK_FALSE(e.editing);
    // After the commit the field shows the model again.
    e.sync(15);
    CHECK(std::string(e.buf) == "15");
    // Rejected: not a number, trailing junk, out of range.
    for (const char* bad : {"", "abc", "15km", "0", "1e9"}) {
        e.editing = true;
        std::snprintf(e.buf, sizeof e.buf, "%s", bad);
        CHECK_FALSE(e.commit(0.5, 5000).has_value());
    }
}

TEST_CASE("sidebar sections keep their height when their content shrinks") {
    StableHeight s;
    CHECK(s.pad(300, 25) == 0);  // first layout
    CHECK(s.pad(220, 25) == 80); // a layer with fewer controls selected: padded to 300
    CHECK(s.pad(340, 25) == 0);  // grows with its content
    CHECK(s.pad(300, 25) == 40);
    CHECK(s.pad(24, 25) == 0);  // collapsed to its header: follows
    CHECK(s.pad(200, 25) == 0); // reopened: starts over
}

TEST_CASE("map cache: the cached picture moves and scales with the view") {
    ViewTransform a;
    a.set_viewport(370, 0, 1230, 974);
    a.cx = 1000, a.cy = -2000, a.m_per_px = 2500;
    // Same view: the canvas itself.
    ScreenRect r = cached_canvas_on(a, a);
    CHECK(r.x0 == doctest::Approx(370));
    CHECK(r.y0 == doctest::Approx(0));
    CHECK(r.x1 == doctest::Approx(1600));
    CHECK(r.y1 == doctest::Approx(974));
    CHECK(same_view(a, a));
    // Dragged by (+40, -25) px: the picture moves with the cursor.
    ViewTransform b = a;
    b.pan_pixels(40, -25);
    CHECK_FALSE(same_view(a, b));
    r = cached_canvas_on(a, b);
    CHECK(r.x0 == doctest::Approx(410));
    CHECK(r.y0 == doctest::Approx(-25));
    CHECK(r.x1 == doctest::Approx(1640));
    // Zoomed in 2x about a screen point: that point's map position stays put, the picture doubles.
    ViewTransform c = a;
    c.zoom_at(800, 500, 2.0);
    r = cached_canvas_on(a, c);
    CHECK(r.x1 - r.x0 == doctest::Approx(2 * 1230));
    CHECK(r.y1 - r.y0 == doctest::Approx(2 * 974));
    // (800, 500) in a's picture lands on (800, 500).
    const double fx = (800 - 370) / 1230.0, fy = 500 / 974.0;
    CHECK(r.x0 + fx * (r.x1 - r.x0) == doctest::Approx(800));
    CHECK(r.y0 + fy * (r.y1 - r.y0) == doctest::Approx(500));
}

TEST_CASE("map cache keys differ when a field differs") {
    KeyHash a, b, c;
    a.add(1.5f).add(true).add(int(3));
    b.add(1.5f).add(true).add(int(3));
    c.add(1.5f).add(false).add(int(3));
    CHECK(a.h == b.h);
    CHECK(a.h != c.h);
}
