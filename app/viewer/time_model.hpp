#pragma once
// Month arithmetic for the time slider and the events-per-month chart. Pure logic.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "nexusmap/events.hpp"

namespace nexusmap::viewer {

// Months counted from year 0 (y * 12 + m - 1): differences are month counts.
inline int month_index(int32_t day) {
    int y, m, d;
    civil_from_days(day, y, m, d);
    return y * 12 + (m - 1);
}
inline int32_t month_start_day(int month) {
    return days_from_civil(month / 12, month % 12 + 1, 1);
}
inline std::string month_label(int month) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", month / 12, month % 12 + 1);
    return buf;
}

// The slider's state: a window of `length` whole months starting at `start`, inside the data's
// [first, last] months. `all` shows every event, dated or not.
struct TimeWindow {
    int first = 0, last = 0; // data range (inclusive)
    int start = 0, length = 12;
    bool all = true;

    void set_range(int first_month, int last_month) {
        first = first_month;
        last = std::max(first_month, last_month);
        clamp();
    }
    void clamp() {
        length = std::clamp(length, 1, std::max(1, last - first + 1));
        start = std::clamp(start, first, std::max(first, last - length + 1));
    }
    // Half-open day range [lo, hi) the GPU filters on.
    int32_t day_lo() const { return month_start_day(start); }
    int32_t day_hi() const { return month_start_day(start + length); }
    // One step of the play button: the next month, wrapping to the first window at the end.
    void step() {
        if (start + length > last)
            start = first;
        else
            ++start;
    }
    bool contains(int32_t day) const { return all || (day != kNoDay && day >= day_lo() && day < day_hi()); }
};

// Events per month over [first, first + n) counting only types with type_on[type] (or all when
// type_on is empty). Undated events are not counted.
inline std::vector<float> events_per_month(const std::vector<int32_t>& day, const std::vector<uint16_t>& type,
                                           const std::vector<bool>& type_on, int first, int n) {
    std::vector<float> out(size_t(std::max(0, n)), 0.f);
    for (size_t i = 0; i < day.size(); ++i) {
        if (day[i] == kNoDay) continue;
        if (!type_on.empty() && i < type.size() && type[i] < type_on.size() && !type_on[type[i]]) continue;
        const int m = month_index(day[i]) - first;
        if (m >= 0 && m < n) out[size_t(m)] += 1.f;
    }
    return out;
}

} // namespace nexusmap::viewer
