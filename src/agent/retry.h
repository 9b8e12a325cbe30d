// Exponential backoff with jitter, and a retry loop around one orchestrator
// call. Only retryable failures (client::is_retryable: network errors, 503,
// 429) are retried; a Retry-After from the server is honoured as a floor for
// the next delay. Nothing is retried once stop was requested.
//
// Thread-safety: Backoff is not thread-safe (one per retry loop); Retrier is
// safe to share when its Waiter and Random are.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "agent/stop_signal.h"
#include "common/status.h"
#include "sys/clock.h"
#include "sys/random.h"

namespace ff::agent {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{30'000};
  double multiplier = 2.0;
  // Each delay is drawn uniformly from [(1 - jitter) * d, d], d the capped exponential.
  double jitter = 0.5;
  // 0: retry until success, a permanent error, stop, or max_elapsed.
  int max_attempts = 0;
  // 0: no time limit.
  std::chrono::milliseconds max_elapsed{0};
};

class Backoff {
 public:
  // `random` must outlive the Backoff.
  Backoff(BackoffPolicy policy, sys::Random& random) : policy_(policy), random_(random) {}
  // The delay before retry number attempts()+1, at least `retry_after` when given.
  std::chrono::milliseconds next(std::optional<std::chrono::seconds> retry_after = std::nullopt);
  int attempts() const { return attempts_; }
  void reset() { attempts_ = 0; }

 private:
  BackoffPolicy policy_;
  sys::Random& random_;
  int attempts_ = 0;
};

// What one try reports back to the Retrier.
struct Attempt {
  Status status;
  std::optional<std::chrono::seconds> retry_after;
};

class Retrier {
 public:
  // Every reference must outlive the Retrier.
  Retrier(BackoffPolicy policy, sys::Clock& clock, sys::Random& random, Waiter& waiter)
      : policy_(policy), clock_(clock), random_(random), waiter_(waiter) {}

  // Runs `op` until it succeeds or fails permanently; logs each retry naming
  // `what`. Returns the last Status (kUnavailable "stopped" after a stop).
  Status run(std::string_view what, const std::function<Attempt()>& op) const;
  Status run(std::string_view what, const BackoffPolicy& policy,
             const std::function<Attempt()>& op) const;

  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  sys::Clock& clock_;
  sys::Random& random_;
  Waiter& waiter_;
};

}  // namespace ff::agent
