// StopSignal: the agent's "please stop" flag (set by the SIGTERM thread) and the
// one place the agent waits, so a wait ends as soon as stop is requested.
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace ff::agent {

// Where the agent sleeps between attempts; tests substitute a fake that
// advances a SimulatedClock instead.
class Waiter {
 public:
  virtual ~Waiter() = default;
  // Waits up to `d`; returns false when stop was requested (before or during).
  virtual bool wait_for(std::chrono::milliseconds d) = 0;
  virtual bool stop_requested() const = 0;
};

class StopSignal final : public Waiter {
 public:
  void request_stop();
  bool stop_requested() const override { return stop_.load(std::memory_order_acquire); }
  bool wait_for(std::chrono::milliseconds d) override;

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace ff::agent
