// Metrics: the orchestrator's instruments in one place, rendered for
// GET /metrics in the Prometheus text format (see docs/metrics.md).
//
// Hot paths (requests, WAL syncs, WebSocket queues, object-store calls) update
// atomics. Gauges that need the database are computed at scrape time by a
// collector (set_database_collector) whose text is cached for `cache_ttl`,
// so frequent scrapes do not load the database.
//
// Concepts not guaranteed: families are not read atomically together, and a
// database collector that fails serves its last good text (the failure is
// logged by its owner and fortfail_metrics_collector_errors_total counts it).
//
// Thread-safety: set_* before serving; everything else from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/http_metrics.h"
#include "metrics/instruments.h"

namespace ff::metrics {

// Operations of the object store whose failures are counted.
enum class StoreOp { kCreate, kWrite, kCommit, kOpen, kRead, kStat, kRemove, kPresign, kPing };
inline constexpr size_t kStoreOpCount = 9;
std::string_view store_op_name(StoreOp op);

class Metrics {
 public:
  using MonotonicNow = std::function<std::chrono::steady_clock::time_point()>;
  // Writes families to the writer; false (with the reason logged by the
  // collector) when the source is unavailable.
  using Collector = std::function<bool(TextWriter&)>;

  explicit Metrics(MonotonicNow now, std::chrono::milliseconds cache_ttl = std::chrono::seconds(2));

  HttpMetrics http;
  Histogram wal_append_seconds{latency_buckets()};
  Histogram wal_fsync_seconds{latency_buckets()};
  Counter wal_records;
  Gauge ws_clients;
  Counter ws_dropped_messages;
  void store_error(StoreOp op) { store_errors_[static_cast<size_t>(op)].inc(); }

  void set_database_collector(Collector c) { db_collector_ = std::move(c); }
  // Alerts the webhook dispatcher dropped (full queue), read at scrape time;
  // unset: the family reads 0. Set once, before serving.
  void set_alerts_dropped(std::function<uint64_t()> read) { alerts_dropped_ = std::move(read); }
  // The whole exposition text.
  std::string render();

 private:
  MonotonicNow now_;
  std::chrono::milliseconds cache_ttl_;
  Counter store_errors_[kStoreOpCount];
  Counter collector_errors_;
  Collector db_collector_;
  std::function<uint64_t()> alerts_dropped_;
  std::mutex cache_mu_;
  std::string cached_db_;                                           // guarded by cache_mu_
  std::optional<std::chrono::steady_clock::time_point> cached_at_;  // guarded by cache_mu_
};

}  // namespace ff::metrics
