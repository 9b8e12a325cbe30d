// Transfer rate and time left for the CLI's progress bars.
//
// The rate of a phase is its average since the phase's first progress sample,
// the same figure the control panel shows (web/src/progress.ts). Time is passed
// in, so tests need no clock. Thread-safety: one instance per waiting command.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ff::cli {

class RateMeter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Records `done` bytes of `phase` at `at`; returns bytes per second once the
  // phase has two samples at least 0.5 s apart. A new phase, or fewer bytes
  // than before (a retried transfer), starts over.
  std::optional<double> sample(const std::string& phase, uint64_t done, TimePoint at);

 private:
  std::string phase_;
  uint64_t first_done_ = 0;
  uint64_t last_done_ = 0;
  TimePoint first_at_{};
  bool started_ = false;
};

// " 12.5 MiB/s, 1:05 left" for `done` of `total` at `bytes_per_second`; only
// the rate when `total` is unknown (0) or reached; "" when the rate is unknown
// or not positive.
std::string render_rate(std::optional<double> bytes_per_second, uint64_t done, uint64_t total);

}  // namespace ff::cli
