// Counter, Gauge and Histogram: lock-free instruments updated on hot paths.
//
// Updates are relaxed atomics (a scrape may see one instrument a little ahead
// of another; Prometheus tolerates that). A Histogram's buckets are upper
// bounds in ascending order, fixed at construction.
//
// Thread-safety: every member is safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "metrics/text_format.h"

namespace ff::metrics {

class Counter {
 public:
  void inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void add(int64_t n) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(int64_t n) { v_.store(n, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Latency buckets in seconds, 0.5 ms to 10 s: HTTP requests and WAL syncs.
std::vector<double> latency_buckets();

class Histogram {
 public:
  // REQUIRES: `bounds` ascending, finite.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  HistogramData data() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

}  // namespace ff::metrics
