// Notifier: wakes long polls when work for a key (an agent id) appears.
//
// Each key has a generation counter bumped by notify(). A poller reads the
// generation before it looks for work, and subscribes with that value: if
// work arrived in between, the callback runs at once, so no wake-up is lost.
// Subscriptions are one-shot: a callback runs at most once, and never after
// unsubscribe() returned true. Callbacks run on the notifying (or subscribing)
// thread outside the lock and must be cheap (post to an executor).
//
// Thread-safety: safe from any thread.
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
  void notify(const std::string& key);

 private:
  struct Entry {
    std::string key;
    Callback fn;
  };
  std::mutex mu_;
  uint64_t next_id_ = 1;                                   // guarded by mu_
  std::unordered_map<std::string, uint64_t> generations_;  // guarded by mu_
  std::unordered_map<uint64_t, Entry> entries_;            // guarded by mu_
  std::unordered_multimap<std::string, uint64_t> by_key_;  // guarded by mu_
};

}  // namespace ff::core
