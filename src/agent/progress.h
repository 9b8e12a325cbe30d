// ProgressThrottle: lets a progress event through at most once per interval
// (the contract asks for at most one per second), plus always the first.
//
// Thread-safety: not thread-safe; one per running task.
#pragma once

#include <chrono>
#include <optional>

#include "sys/clock.h"

namespace ff::agent {

class ProgressThrottle {
 public:
  // `clock` must outlive the throttle.
  ProgressThrottle(sys::Clock& clock, std::chrono::milliseconds interval)
      : clock_(clock), interval_(interval) {}

  // True when an event may be sent now (and records that it was).
  bool due() {
    auto now = clock_.monotonic_now();
    if (last_ && now - *last_ < interval_) return false;
    last_ = now;
    return true;
  }

 private:
  sys::Clock& clock_;
  std::chrono::milliseconds interval_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

}  // namespace ff::agent
