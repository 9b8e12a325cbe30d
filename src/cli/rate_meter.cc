#include "cli/rate_meter.h"

#include <cmath>
#include <cstdio>

#include "cli/format.h"

namespace ff::cli {

std::optional<double> RateMeter::sample(const std::string& phase, uint64_t done, TimePoint at) {
  if (!started_ || phase != phase_ || done < last_done_) {
    started_ = true;
    phase_ = phase;
    first_done_ = done;
    first_at_ = at;
    last_done_ = done;
    return std::nullopt;
  }
  last_done_ = done;
  double seconds = std::chrono::duration<double>(at - first_at_).count();
  if (seconds < 0.5) return std::nullopt;
  return static_cast<double>(done - first_done_) / seconds;
}

std::string render_rate(std::optional<double> bytes_per_second, uint64_t done, uint64_t total) {
  if (!bytes_per_second || !(*bytes_per_second > 0) || !std::isfinite(*bytes_per_second)) return "";
  std::string out = " " + human_bytes(static_cast<uint64_t>(*bytes_per_second)) + "/s";
  if (total == 0 || done >= total) return out;
  double left = static_cast<double>(total - done) / *bytes_per_second;
  if (left >= 100 * 3600.0) return out;  // nothing useful to say
  auto secs = static_cast<long>(std::ceil(left));
  char buf[32];
  if (secs >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", secs / 60, secs % 60);
  }
  return out + ", " + buf + " left";
}

}  // namespace ff::cli
