// KeyedBatches: combines concurrent calls that share a key into batches run
// by one of the callers, for work where one run of many items costs about
// what one run of a single item does (one database commit for several events
// on one job, where each alone would wait for the job's row lock and a commit
// of its own).
//
// A caller that finds no batch of its key running leads: it takes what is
// queued under the key (oldest first, up to max_batch), runs it, then wakes
// the items' callers and the next leader.
// Callers of other keys never wait for each other (with a single key, it is
// a plain group commit: SQLite's grouped writes). Nothing waits to fill a
// batch: a lone call runs at once, as a batch of one.
//
// Thread-safety: submit() may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ff {

template <typename Item>
class KeyedBatches {
 public:
  // REQUIRES: max_batch >= 1.
  explicit KeyedBatches(size_t max_batch) : max_batch_(max_batch) {}
  KeyedBatches(const KeyedBatches&) = delete;
  KeyedBatches& operator=(const KeyedBatches&) = delete;

  // Items queued under `key` that no batch has taken yet (diagnostics, tests).
  size_t waiting(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = queues_.find(key);
    return it == queues_.end() ? 0 : it->second.waiting.size();
  }

  // Queues `item` under `key` and returns once a batch holding it has run,
  // on this thread or another. run(std::vector<Item*>&) gets the batch in
  // arrival order and records each item's outcome in the item. An exception
  // from run reaches the leader that ran it; the batch's other callers
  // return with their items as run left them.
  template <typename Run>
  void submit(const std::string& key, Item& item, Run&& run) {
    Waiter self{&item};
    std::unique_lock lock(mu_);
    Queue& queue = queues_[key];
    queue.waiting.push_back(&self);
    while (!self.done) {
      if (queue.leading) {
        self.cv.wait(lock);
        continue;
      }
      queue.leading = true;
      size_t n = std::min(queue.waiting.size(), max_batch_);
      std::vector<Waiter*> batch(queue.waiting.begin(), queue.waiting.begin() + n);
      queue.waiting.erase(queue.waiting.begin(), queue.waiting.begin() + n);
      lock.unlock();
      std::vector<Item*> items;
      items.reserve(batch.size());
      for (Waiter* w : batch) items.push_back(w->item);
      std::exception_ptr thrown;
      try {
        run(items);
      } catch (...) {
        thrown = std::current_exception();
      }
      lock.lock();
      queue.leading = false;
      for (Waiter* w : batch) {
        w->done = true;
        if (w != &self) w->cv.notify_one();
      }
      if (!queue.waiting.empty()) {
        queue.waiting.front()->cv.notify_one();
      } else {
        // Keeps the map to the keys in use (references to `queue` end here).
        queues_.erase(key);
      }
      if (thrown) std::rethrow_exception(thrown);
    }
  }

 private:
  struct Waiter {
    Item* item;
    bool done = false;  // guarded by mu_
    std::condition_variable cv;
  };
  struct Queue {
    std::deque<Waiter*> waiting;  // not yet taken into a batch, oldest first
    bool leading = false;         // a batch of this key is running
  };

  const size_t max_batch_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Queue> queues_;  // guarded by mu_
};

}  // namespace ff
