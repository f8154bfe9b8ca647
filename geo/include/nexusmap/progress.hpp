#pragma once
// Cancellable progress reporting shared by every analysis.
#include <functional>
#include <stdexcept>
#include <string_view>

namespace nexusmap {

// Called with a fraction in [0,1] and a short stage name. Return false to cancel.
using ProgressFn = std::function<bool(double fraction, std::string_view stage)>;

// Thrown by an analysis when its progress callback asked to stop.
struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("cancelled") {}
};

// Thin helper so analyses can write `progress(0.5, "binning")` without null checks.
class Progress {
  public:
    Progress() = default;
    Progress(ProgressFn fn) : fn_(std::move(fn)) {}
    // Throws Cancelled when the callback returns false.
    void operator()(double fraction, std::string_view stage) const {
        if (fn_ && !fn_(fraction, stage)) throw Cancelled();
    }
    explicit operator bool() const { return static_cast<bool>(fn_); }

  private:
    ProgressFn fn_;
};

} // namespace nexusmap
