// ReplicaLink: what this replica hears from the others sharing its database
// (store::Store::replica_listener: PostgreSQL LISTEN on its own connection).
//
// - "wakeup": another replica created work for an agent; long polls parked
//   here for that agent look again (core::Notifier::notify_local). The
//   payload is "<replica> <agent id>"; our own are skipped.
// - "stream": a replica appended to the global event stream; the feed reads it.
//
// After the listener (re)connects, notices sent meanwhile may be lost, so
// every parked poll looks again and the feed reads: a long poll or a
// WebSocket is late by at most a reconnect, never stuck.
//
// Thread-safety: start and stop once each, from one thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "core/notifier.h"
#include "events/stream_feed.h"
#include "store/store.h"

namespace ff::orchestrator {

inline constexpr const char* kWakeupChannel = "wakeup";

// Forwards each notify() of `notifier` to the other replicas.
void forward_wakeups(core::Notifier& notifier, store::Store& store, const std::string& replica);

class ReplicaLink {
 public:
  ReplicaLink(store::Store& store, core::Notifier& notifier, events::StreamFeed* feed,
              std::string replica);
  ~ReplicaLink();

  // False when the store has no listener (one orchestrator: nothing to hear).
  bool start();
  void stop();

 private:
  void run(std::unique_ptr<store::ReplicaListener> listener);
  void dispatch(const store::ReplicaNotice& notice);

  store::Store& store_;
  core::Notifier& notifier_;
  events::StreamFeed* feed_;  // may be null
  const std::string replica_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ff::orchestrator
