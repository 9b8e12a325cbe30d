#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ff::auth {

RateLimiter::RateLimiter(const sys::Clock& clock, double burst, double per_second, size_t max_keys)
    : clock_(clock), burst_(burst), per_second_(per_second), max_keys_(max_keys) {}

Status RateLimiter::acquire(const std::string& key, int* retry_after) {
  auto now = clock_.monotonic_now();
  std::lock_guard lock(mu_);
  if (buckets_.size() >= max_keys_) evict_idle(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return OkStatus();
  }
  *retry_after = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second_)));
  return RateLimited("too many token requests; retry later");
}

void RateLimiter::evict_idle(std::chrono::steady_clock::time_point now) {
  // A bucket that has refilled completely carries no information.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() >= max_keys_) buckets_.clear();  // under attack: fail open, stay bounded
}

}  // namespace ff::auth
