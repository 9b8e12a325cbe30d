// Notifier: wakes long polls when work for a key (an agent id) appears.
//
// Each key has a generation counter bumped by notify(). A poller reads the
// generation before it looks for work, and subscribes with that value: if
// work arrived in between, the callback runs at once, so no wake-up is lost.
// Subscriptions are one-shot: a callback runs at most once, and never after
// unsubscribe() returned true. Callbacks run on the notifying (or subscribing)
// thread outside the lock and must be cheap (post to an executor).
//
// With several replicas, set_forward() passes each notify() on (the replica
// wake-ups publish it to the others, orchestrator/replica_link.h), and what comes
// back from them is notify_local(): woken here, not forwarded again.
//
// Thread-safety: safe from any thread; set_forward before the first notify.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ff::core {

class Notifier {
 public:
  using Callback = std::function<void()>;

  uint64_t generation(const std::string& key);
  // Returns a subscription id, or 0 when `observed` is stale and `fn` already ran.
  uint64_t subscribe(const std::string& key, uint64_t observed, Callback fn);
  // True when the subscription was still pending (its callback will never run).
  bool unsubscribe(uint64_t id);
  // Wakes this process's pollers of `key`, then forwards it (when set).
  void notify(const std::string& key);
  // Wakes this process's pollers of `key` only.
  void notify_local(const std::string& key);
  // Wakes every poller of this process (they look again and park again when
  // there is nothing): after wake-ups from other replicas may have been lost.
  void notify_all_local();
  using Forward = std::function<void(const std::string& key)>;
  void set_forward(Forward forward) { forward_ = std::move(forward); }

 private:
  struct Entry {
    std::string key;
    Callback fn;
  };
  std::mutex mu_;
  uint64_t next_id_ = 1;                                   // guarded by mu_
  std::unordered_map<std::string, uint64_t> generations_;  // guarded by mu_
  // Guarded by mu_; added to every key's generation, bumped by notify_all_local.
  uint64_t epoch_ = 0;
  std::unordered_map<uint64_t, Entry> entries_;            // guarded by mu_
  std::unordered_multimap<std::string, uint64_t> by_key_;  // guarded by mu_
  Forward forward_;                                        // set before use, then only read
};

}  // namespace ff::core
