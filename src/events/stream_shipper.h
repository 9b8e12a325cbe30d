// StreamShipper: ships this replica's durable WAL records to the global event
// stream (store::Store::append_stream), in WAL order.
//
// The WAL subscriber enqueues each record (never blocking); one thread ships
// whatever queued while the last batch was committing as the next batch, so a
// busy replica pays one database transaction per batch, not per record. The
// API acknowledges a change only once its record is shipped (wait_shipped), so
// every acknowledged record is in the stream. A record durable in the WAL but
// not yet shipped when the process died is shipped by catch_up() at the next
// start. While the database is away the thread retries, waiters get
// kUnavailable, and nothing queued is dropped.
//
// Thread-safety: enqueue, wait_shipped and shipped from any thread; catch_up
// before start; start and stop once each.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "store/store.h"
#include "wal/format.h"

namespace ff::events {

// Where a replica's records go: store::Store::append_stream and
// stream_shipped for `replica` (stream_target), or a fake in tests.
struct StreamTarget {
  std::string replica;
  std::function<Result<int64_t>(uint64_t first_wal_seq, const std::vector<std::string>& lines)>
      append;
  std::function<Result<int64_t>()> shipped;  // the last WAL seq already in the stream
};
StreamTarget stream_target(store::Store& store, std::string replica);

struct ShipperOptions {
  size_t max_batch = 512;                // records per transaction
  std::chrono::milliseconds retry{250};  // after a failed batch
};

class StreamShipper {
 public:
  using ReadFn = std::function<Result<std::vector<wal::RecordPtr>>(uint64_t since, size_t max)>;

  explicit StreamShipper(StreamTarget target, ShipperOptions options = {});
  ~StreamShipper();
  StreamShipper(const StreamShipper&) = delete;
  StreamShipper& operator=(const StreamShipper&) = delete;

  // Ships the records of this replica's WAL (read by `read`, whose head is
  // `wal_head`) that the stream lacks.
  // kInternal when the stream already holds more of this replica than the WAL does (a new WAL under
  // an old ORCH_REPLICA_ID would lose or repeat records).
  Status catch_up(uint64_t wal_head, const ReadFn& read);
  // Called with the global seq of each batch's last record once the batch is
  // in the stream, before any waiter on it returns: the Hub's head moves past
  // what the API acknowledged even before the feed publishes it. Set before
  // start.
  void set_on_shipped(std::function<void(uint64_t global_seq)> f) { on_shipped_ = std::move(f); }
  void start();
  void stop();

  // Queues a durable record; records arrive in WAL seq order.
  void enqueue(const wal::RecordPtr& record);
  // Blocks until the record with `wal_seq` is in the stream: ok, or
  // kUnavailable when shipping failed meanwhile or `timeout` passed.
  Status wait_shipped(uint64_t wal_seq, std::chrono::milliseconds timeout);
  uint64_t shipped() const;

 private:
  void run();
  Status ship(uint64_t first_wal_seq, const std::vector<std::string>& lines);

  std::function<void(uint64_t)> on_shipped_;
  const StreamTarget target_;
  const ShipperOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // queue_ grew, or stop
  std::condition_variable shipped_cv_;  // shipped_ or failures_ changed
  std::deque<wal::RecordPtr> queue_;    // guarded by mu_
  uint64_t shipped_ = 0;                // guarded by mu_: last WAL seq in the stream
  uint64_t failures_ = 0;               // guarded by mu_: failed batches so far
  Status last_failure_;                 // guarded by mu_
  bool stop_ = false;                   // guarded by mu_
  std::thread thread_;
};

}  // namespace ff::events
