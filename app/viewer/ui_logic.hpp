#pragma once
// Small pieces of UI logic behind ui_widgets.hpp (issue #14), pure (no ImGui) so they are tested:
// word-wrapped tooltips, a number field committed on Enter, sidebar sections that keep their height.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexusmap::viewer {

// Lines of at most `max_width` (as `measure` says) broken between words, never inside one; a word
// wider than the limit gets a line of its own. Single newlines are reflowed (tooltips were broken
// by hand for one font size); a blank line starts a new paragraph.
template <class Measure>
std::vector<std::string> wrap_words(std::string_view text, float max_width, Measure measure) {
    std::vector<std::string> lines;
    std::string para; // words of the current paragraph, single-spaced
    auto flush = [&] {
        std::string line;
        size_t i = 0;
        while (i < para.size()) {
            size_t j = para.find(' ', i);
            if (j == std::string::npos) j = para.size();
            const std::string word = para.substr(i, j - i);
            const std::string tryline = line.empty() ? word : line + " " + word;
            if (!line.empty() && measure(tryline) > max_width) {
                lines.push_back(line);
                line = word;
            } else {
                line = tryline;
            }
            i = j + 1;
        }
        if (!line.empty()) lines.push_back(line);
        para.clear();
    };
    size_t i = 0;
    while (i < text.size()) {
        if (text.compare(i, 2, "\n\n") == 0) {
            flush();
            lines.emplace_back();
            i += 2;
            continue;
        }
        const char c = text[i] == '\n' || text[i] == '\t' ? ' ' : text[i];
        if (c != ' ' || (!para.empty() && para.back() != ' ')) para.push_back(c);
        ++i;
    }
    while (!para.empty() && para.back() == ' ')
        para.pop_back();
    flush();
    return lines;
}

// A number typed into a text field. While the field is being edited its text belongs to the user:
// the model's value is not written into it (a value set elsewhere mid-typing turned "15" into
// "215"), and nothing is applied per keystroke; Enter or leaving the field commits it when it
// parses and lies in [lo, hi], else the field shows the model's value again.
struct NumericEdit {
    char buf[32] = "";
    bool editing = false;
    // Each frame before the field is drawn.
    void sync(double value, const char* fmt = "%g") {
        if (!editing) std::snprintf(buf, sizeof buf, fmt, value);
    }
    // On Enter / deactivation: the typed value, or nullopt (rejected).
    std::optional<double> commit(double lo, double hi) {
        editing = false;
        char* end = nullptr;
        const double v = std::strtod(buf, &end);
        while (end && *end == ' ')
            ++end;
        if (end == buf || (end && *end) || !(v >= lo && v <= hi)) return std::nullopt;
        return v;
    }
};

// Height of a sidebar section that does not shrink when its content does (a layer with fewer
// controls selected, a progress bar gone), so widgets below stay under the pointer; it follows the
// content down only when the section is collapsed to its header (`collapsed_h` or less).
struct StableHeight {
    float h = 0;
    // Returns the padding to add below content of height `used`.
    float pad(float used, float collapsed_h) {
        if (used <= collapsed_h) h = used;
        h = std::max(h, used);
        return h - used;
    }
};

} // namespace nexusmap::viewer
