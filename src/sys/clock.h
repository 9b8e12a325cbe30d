// Clock: the only source of time outside src/sys. Wall time for timestamps and
// expiry, monotonic time for durations and deadlines. Tests use
// tests/support/simulated_clock.h, which moves only when told.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <chrono>

#include "common/time.h"

namespace ff::sys {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
  virtual std::chrono::steady_clock::time_point monotonic_now() const = 0;
};

// The process-wide real clock.
Clock& system_clock();

}  // namespace ff::sys
