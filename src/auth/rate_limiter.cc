#include "auth/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace ff::auth {

namespace {

// The /64 prefix of an IPv6 address in canonical text form.
std::string prefix64(const std::array<unsigned char, 16>& a) {
  std::array<unsigned char, 16> p{};
  std::copy_n(a.begin(), 8, p.begin());
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, p.data(), text, sizeof text) == nullptr) return {};
  return std::string(text) + "/64";
}

}  // namespace

std::string address_bucket(std::string_view address) {
  std::string s(address);
  // Zone index ("fe80::1%eth0"): the same host on any interface.
  if (auto pct = s.find('%'); pct != std::string::npos) s.resize(pct);
  std::array<unsigned char, 4> v4{};
  if (inet_pton(AF_INET, s.c_str(), v4.data()) == 1) {
    char text[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, v4.data(), text, sizeof text) != nullptr) return text;
  }
  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, s.c_str(), v6.data()) != 1) return std::string(address);
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, v6.begin())) {
    char text[INET_ADDRSTRLEN];
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", v6[12], v6[13], v6[14], v6[15]);
    return text;
  }
  std::string key = prefix64(v6);
  return key.empty() ? std::string(address) : key;
}

RateLimiter::RateLimiter(const sys::Clock& clock, double burst, double per_second, size_t max_keys)
    : clock_(clock),
      burst_(burst),
      per_second_(per_second),
      max_keys_(std::max<size_t>(max_keys, 1)) {}

Status RateLimiter::acquire(std::string_view client_address, int* retry_after) {
  std::string key = address_bucket(client_address);
  auto now = clock_.monotonic_now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // Forget the least recently used bucket: the coldest client loses at
      // most its debt, the busy ones (attackers included) keep theirs.
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = buckets_.emplace(std::move(key), Bucket{burst_, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.recency);
    double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    it->second.tokens = std::min(burst_, it->second.tokens + elapsed * per_second_);
    it->second.updated = now;
  }
  Bucket& b = it->second;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return OkStatus();
  }
  *retry_after = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second_)));
  return RateLimited("too many token requests; retry later");
}

size_t RateLimiter::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace ff::auth
