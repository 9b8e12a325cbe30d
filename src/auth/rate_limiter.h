// Token-bucket rate limiter keyed by client address (token minting).
//
// Each key holds up to `burst` tokens refilled at `per_second`; a request takes
// one. Idle keys are forgotten so the map cannot grow without bound.
//
// Thread-safety: safe from any thread (one mutex).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "sys/clock.h"

namespace ff::auth {

class RateLimiter {
 public:
  // `clock` must outlive the limiter.
  RateLimiter(const sys::Clock& clock, double burst, double per_second, size_t max_keys = 100000);

  // Ok, or kRateLimited; *retry_after is set to whole seconds until a token is free.
  Status acquire(const std::string& key, int* retry_after);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  void evict_idle(std::chrono::steady_clock::time_point now);

  const sys::Clock& clock_;
  const double burst_;
  const double per_second_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace ff::auth
