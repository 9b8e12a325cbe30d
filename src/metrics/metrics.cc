#include "metrics/metrics.h"

namespace ff::metrics {

std::string_view store_op_name(StoreOp op) {
  switch (op) {
    case StoreOp::kCreate:
      return "create";
    case StoreOp::kWrite:
      return "write";
    case StoreOp::kCommit:
      return "commit";
    case StoreOp::kOpen:
      return "open";
    case StoreOp::kRead:
      return "read";
    case StoreOp::kStat:
      return "stat";
    case StoreOp::kRemove:
      return "remove";
    case StoreOp::kPresign:
      return "presign";
    case StoreOp::kPing:
      return "ping";
  }
  return "other";
}

Metrics::Metrics(MonotonicNow now, std::chrono::milliseconds cache_ttl)
    : now_(std::move(now)), cache_ttl_(cache_ttl) {}

std::string Metrics::render() {
  using Type = TextWriter::Type;
  TextWriter w;
  http.write(w);

  w.family("fortfail_wal_append_duration_seconds",
           "Time an append waits for its record to be durable (queue, write and fdatasync).",
           Type::kHistogram);
  w.histogram("fortfail_wal_append_duration_seconds", {}, wal_append_seconds.data());
  w.family("fortfail_wal_fsync_duration_seconds", "Time of one WAL write and fdatasync (a batch).",
           Type::kHistogram);
  w.histogram("fortfail_wal_fsync_duration_seconds", {}, wal_fsync_seconds.data());
  w.family("fortfail_wal_records_written_total", "WAL records made durable by this process.",
           Type::kCounter);
  w.sample("fortfail_wal_records_written_total", {}, static_cast<double>(wal_records.value()));

  w.family("fortfail_websocket_clients", "Open WebSocket connections on /ws.", Type::kGauge);
  w.sample("fortfail_websocket_clients", {}, static_cast<double>(ws_clients.value()));
  w.family("fortfail_websocket_dropped_messages_total",
           "Messages dropped because a WebSocket client was too slow (its connection is closed).",
           Type::kCounter);
  w.sample("fortfail_websocket_dropped_messages_total", {},
           static_cast<double>(ws_dropped_messages.value()));

  w.family("fortfail_object_store_errors_total",
           "Object-store operations that failed (not-found answers excluded), by operation.",
           Type::kCounter);
  for (size_t i = 0; i < kStoreOpCount; ++i) {
    w.sample("fortfail_object_store_errors_total",
             {{"operation", std::string(store_op_name(static_cast<StoreOp>(i)))}},
             static_cast<double>(store_errors_[i].value()));
  }

  w.family("fortfail_alerts_dropped_total",
           "Webhook alerts or deliveries dropped because the delivery queue was full.",
           Type::kCounter);
  w.sample("fortfail_alerts_dropped_total", {},
           static_cast<double>(alerts_dropped_ ? alerts_dropped_() : 0));

  if (db_collector_) {
    std::lock_guard lock(cache_mu_);
    auto t = now_();
    if (!cached_at_ || t - *cached_at_ >= cache_ttl_) {
      TextWriter db;
      if (db_collector_(db)) {
        cached_db_ = db.take();
        cached_at_ = t;
      } else {
        collector_errors_.inc();
      }
    }
    w.raw(cached_db_);
  }
  w.family(
      "fortfail_metrics_collector_errors_total",
      "Scrapes whose database gauges could not be refreshed (the last good values were served).",
      Type::kCounter);
  w.sample("fortfail_metrics_collector_errors_total", {},
           static_cast<double>(collector_errors_.value()));
  return w.take();
}

}  // namespace ff::metrics
