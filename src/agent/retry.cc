#include "agent/retry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "client/http_errors.h"

namespace ff::agent {

std::chrono::milliseconds Backoff::next(std::optional<std::chrono::seconds> retry_after) {
  double base = static_cast<double>(policy_.initial.count()) *
                std::pow(policy_.multiplier, static_cast<double>(std::min(attempts_, 62)));
  double capped = std::min(base, static_cast<double>(policy_.max.count()));
  ++attempts_;
  uint64_t r = 0;
  std::string bytes = random_.bytes(sizeof r);
  std::memcpy(&r, bytes.data(), std::min(bytes.size(), sizeof r));
  double unit = static_cast<double>(r >> 11) / static_cast<double>(uint64_t{1} << 53);  // [0, 1)
  double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  auto delay = std::chrono::milliseconds(
      static_cast<int64_t>(capped * (1.0 - jitter) + capped * jitter * unit));
  if (retry_after) {
    delay = std::max<std::chrono::milliseconds>(delay, *retry_after);
  }
  return delay;
}

Status Retrier::run(std::string_view what, const std::function<Attempt()>& op) const {
  return run(what, policy_, op);
}

Status Retrier::run(std::string_view what, const BackoffPolicy& policy,
                    const std::function<Attempt()>& op) const {
  Backoff backoff(policy, random_);
  auto start = clock_.monotonic_now();
  while (true) {
    Attempt a = op();
    if (a.status.ok() || !client::is_retryable(a.status)) return a.status;
    if (waiter_.stop_requested()) return a.status;
    if (policy.max_attempts > 0 && backoff.attempts() + 1 >= policy.max_attempts) return a.status;
    auto delay = backoff.next(a.retry_after);
    if (policy.max_elapsed.count() > 0 &&
        clock_.monotonic_now() + delay - start > policy.max_elapsed) {
      return a.status;
    }
    spdlog::warn("{}: {}; retry {} in {} ms", what, a.status.to_string(), backoff.attempts(),
                 delay.count());
    if (!waiter_.wait_for(delay)) return a.status;
  }
}

}  // namespace ff::agent
