// StreamFeed: publishes the global event stream (every replica's records, in
// global seq order) to this replica's Hub, so a WebSocket on any replica sees
// what agents posted to any other.
//
// One thread reads the records past the last one published whenever it is
// poked (a replica announced a batch: orchestrator/replica_link.h) and at
// least every `poll` even without a poke, so a lost notice delays records by
// at most that. Records reach the Hub as they are in the stream: `seq` is the
// global seq, `replica` and `wal_seq` say where the record was written
// (stream_record()), and WebSocket `since` is a global seq.
//
// Thread-safety: poke from any thread; start and stop once each.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "events/hub.h"
#include "store/store.h"

namespace ff::events {

// A stream record as the Hub and WebSocket clients see it.
wal::RecordPtr stream_record(const store::StreamRecord& r);

class StreamFeed {
 public:
  StreamFeed(store::Store& store, Hub& hub,
             std::chrono::milliseconds poll = std::chrono::seconds(1));
  ~StreamFeed();
  StreamFeed(const StreamFeed&) = delete;
  StreamFeed& operator=(const StreamFeed&) = delete;

  // Sets the Hub's head to the stream's and starts following it.
  Status start();
  void stop();
  void poke();
  // Up to `max` stream records after global seq `since`, as the Hub gets
  // them: WebSocket `?since=` replay.
  Result<std::vector<wal::RecordPtr>> replay(uint64_t since, size_t max);

 private:
  void run();
  // Publishes every record past published_; false when reading failed.
  bool drain();

  store::Store& store_;
  Hub& hub_;
  const std::chrono::milliseconds poll_;
  int64_t published_ = 0;  // used by the feed thread only (after start)

  std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = false;  // guarded by mu_
  bool stop_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace ff::events
