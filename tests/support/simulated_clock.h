// SimulatedClock: a Clock that moves only when told. Thread-safe.
#pragma once

#include <mutex>

#include "sys/clock.h"

namespace ff::testing {

class SimulatedClock final : public sys::Clock {
 public:
  explicit SimulatedClock(SystemTime start = from_unix_seconds(1'800'000'000)) : now_(start) {}
  SystemTime now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  std::chrono::steady_clock::time_point monotonic_now() const override {
    std::lock_guard lock(mu_);
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    now_ += std::chrono::duration_cast<SystemTime::duration>(d);
  }

 private:
  mutable std::mutex mu_;
  SystemTime now_;  // guarded by mu_
};

}  // namespace ff::testing
