// Token-bucket rate limiter keyed by client address (token minting).
//
// Each bucket holds up to `burst` tokens refilled at `per_second`; a request
// takes one. Addresses are grouped before lookup (address_bucket()): an IPv6
// client usually controls a whole /64, so one bucket per /64; IPv4 and
// IPv4-mapped IPv6 get one bucket per address.
//
// The map is bounded by `max_keys`: when full, the least-recently-used bucket
// is forgotten to make room. A client that keeps asking stays recent, so its
// bucket (and its debt) survives any churn of other keys. Not guaranteed: an
// attacker holding more than `max_keys` distinct buckets (IPv4 addresses or
// IPv6 /64s) can push its own bucket out by cycling through them.
//
// Thread-safety: safe from any thread (one mutex).
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "sys/clock.h"

namespace ff::auth {

// The bucket key for a client address: "1.2.3.4" for IPv4 and IPv4-mapped IPv6
// ("::ffff:1.2.3.4"), "2001:db8:1:2::/64" (the address's /64 prefix) for other
// IPv6 (a zone index is dropped). Anything else that is not an IP address
// ("unknown") is its own key, unchanged.
std::string address_bucket(std::string_view address);

class RateLimiter {
 public:
  // `clock` must outlive the limiter. REQUIRES: max_keys >= 1.
  RateLimiter(const sys::Clock& clock, double burst, double per_second, size_t max_keys = 100000);

  // Takes a token from the bucket of `client_address` (see address_bucket()).
  // Ok, or kRateLimited; *retry_after is set to whole seconds until a token is free.
  Status acquire(std::string_view client_address, int* retry_after);

  // Buckets currently held (for tests and metrics).
  size_t size() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
    std::list<std::string>::iterator recency;  // position in lru_
  };

  const sys::Clock& clock_;
  const double burst_;
  const double per_second_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
  std::list<std::string> lru_;                       // guarded by mu_; most recently used first
};

}  // namespace ff::auth
