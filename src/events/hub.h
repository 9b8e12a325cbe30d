// Hub: fans WAL records out to live subscribers (WebSocket sessions).
//
// publish() is called by the WAL writer once per durable record, in seq order.
// It copies the live subscribers under the lock and delivers outside it, so a
// subscriber cannot stall the others; deliver() must only enqueue (each
// subscriber bounds its own queue and drops itself when it overflows).
// Subscribers are held weakly: one that is gone is forgotten.
//
// Thread-safety: safe from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "wal/writer.h"

namespace ff::events {

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Called for each record the subscriber may see, in seq order. Must not block.
  virtual void deliver(const wal::RecordPtr& record) = 0;
};

// Whether a client of `scope` may see `record`: "" (operators) sees every record,
// an agent id only the records about that agent.
bool visible_to(const std::string& scope, const wal::Record& record);

class Hub {
 public:
  // `s` receives every record published after this call, and no earlier one.
  // Returns the seq of the last record published before it (or the head given
  // to set_head): the subscriber's live stream starts right after that seq, so
  // a client that reconnects with it as `since` misses nothing.
  uint64_t subscribe(const std::shared_ptr<Subscriber>& s, std::string scope);
  void publish(const wal::RecordPtr& record);
  // Records up to `seq` exist (at start-up: the WAL's head; with a global
  // stream: a batch this replica shipped, which the feed may publish a moment
  // later). A subscriber from now on starts after it, so a record the API
  // acknowledged before a client connected is never streamed to it as live.
  void set_head(uint64_t seq);
  size_t subscriber_count();

 private:
  struct Entry {
    std::weak_ptr<Subscriber> subscriber;
    std::string scope;
  };
  std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
  uint64_t last_seq_ = 0;       // guarded by mu_
};

}  // namespace ff::events
