#include "common/keyed_batches.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ff {
namespace {

struct Item {
  int value = 0;
  int batch = -1;  // the batch that ran it
  size_t batch_size = 0;
};

// Runs batches, recording which batch ran each item; the first batch waits
// until `release` is set, so callers arriving meanwhile queue behind it.
class Recorder {
 public:
  void run(const std::vector<Item*>& items) {
    int id;
    {
      std::lock_guard lock(mu_);
      id = batches_++;
    }
    if (id == 0) {
      first_running_.set_value();
      release_.get_future().wait();
    }
    for (Item* item : items) {
      item->batch = id;
      item->batch_size = items.size();
    }
  }
  // Submits `first` under `key` on a new thread, returned once its batch
  // (the first) is running and held.
  std::thread start_first(KeyedBatches<Item>& batches, const std::string& key, Item& first) {
    std::thread leader([this, &batches, key, &first] {
      batches.submit(key, first, [this](const std::vector<Item*>& b) { run(b); });
    });
    first_running_.get_future().wait();
    return leader;
  }
  void release() { release_.set_value(); }
  int batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  std::mutex mu_;
  int batches_ = 0;
  std::promise<void> first_running_;
  std::promise<void> release_;
};

// Waits (at most 10 s) until `n` callers are queued under `key`.
void wait_queued(const KeyedBatches<Item>& batches, const std::string& key, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (batches.waiting(key) < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(batches.waiting(key), n);
}

TEST(KeyedBatches, ALoneCallRunsAtOnceAsABatchOfOne) {
  KeyedBatches<Item> batches(8);
  Item item{1};
  int runs = 0;
  batches.submit("job", item, [&](const std::vector<Item*>& items) {
    ++runs;
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0], &item);
    item.batch = 0;
  });
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(item.batch, 0);
}

TEST(KeyedBatches, CallsArrivingWhileTheirKeyRunsGoTogetherInArrivalOrder) {
  KeyedBatches<Item> batches(64);
  Recorder recorder;
  Item first{0};
  std::thread leader = recorder.start_first(batches, "job", first);
  // Queued one at a time, so their arrival order is known.
  constexpr int kQueued = 10;
  std::vector<Item> items(kQueued);
  std::vector<std::thread> threads;
  std::vector<int> order;  // values in the order the batch holds them
  std::mutex order_mu;
  for (int i = 0; i < kQueued; ++i) {
    items[i].value = i + 1;
    threads.emplace_back([&, i] {
      batches.submit("job", items[i], [&](const std::vector<Item*>& b) {
        {
          std::lock_guard lock(order_mu);
          for (Item* it : b) order.push_back(it->value);
        }
        recorder.run(b);
      });
    });
    wait_queued(batches, "job", static_cast<size_t>(i + 1));
  }
  recorder.release();
  leader.join();
  for (auto& t : threads) t.join();
  EXPECT_EQ(first.batch, 0);
  EXPECT_EQ(first.batch_size, 1u);
  EXPECT_EQ(recorder.batches(), 2);
  for (const Item& it : items) {
    EXPECT_EQ(it.batch, 1) << it.value;
    EXPECT_EQ(it.batch_size, static_cast<size_t>(kQueued));
  }
  std::vector<int> expected;
  for (int i = 1; i <= kQueued; ++i) expected.push_back(i);
  EXPECT_EQ(order, expected);
}

TEST(KeyedBatches, ABatchHoldsAtMostMaxBatchItems) {
  KeyedBatches<Item> batches(3);
  Recorder recorder;
  Item first{0};
  std::thread leader = recorder.start_first(batches, "job", first);
  std::vector<Item> items(7);
  std::vector<std::thread> threads;
  for (auto& item : items) {
    threads.emplace_back([&] {
      batches.submit("job", item, [&](const std::vector<Item*>& b) { recorder.run(b); });
    });
  }
  wait_queued(batches, "job", items.size());
  recorder.release();
  leader.join();
  for (auto& t : threads) t.join();
  // 7 queued behind the first, at most 3 a batch: 3 + 3 + 1.
  EXPECT_EQ(recorder.batches(), 4);
  for (const Item& it : items) {
    EXPECT_GE(it.batch, 1);
    EXPECT_LE(it.batch_size, 3u);
  }
}

TEST(KeyedBatches, AnotherKeyDoesNotWaitForARunningBatch) {
  KeyedBatches<Item> batches(8);
  Recorder recorder;
  Item first{0};
  std::thread leader = recorder.start_first(batches, "job-a", first);
  Item other{1};
  // Runs (and returns) while job-a's batch is still held.
  batches.submit("job-b", other, [&](const std::vector<Item*>& b) { b[0]->batch = 7; });
  EXPECT_EQ(other.batch, 7);
  EXPECT_EQ(first.batch, -1);
  recorder.release();
  leader.join();
  EXPECT_EQ(first.batch, 0);
}

TEST(KeyedBatches, AThrowingBatchReachesItsLeaderAndReleasesTheOthers) {
  KeyedBatches<Item> batches(8);
  std::promise<void> running, release;
  auto running_future = running.get_future();
  auto release_future = release.get_future().share();
  std::atomic<int> runs{0};
  auto run = [&](const std::vector<Item*>& b) {
    if (runs++ == 0) {
      running.set_value();
      release_future.wait();
      return;
    }
    for (Item* it : b) it->batch = 1;
    throw std::runtime_error("batch failed");
  };
  Item first{0};
  std::thread leader([&] { batches.submit("job", first, run); });
  running_future.wait();
  std::vector<Item> items(4);
  std::atomic<int> thrown{0};
  std::vector<std::thread> threads;
  for (auto& item : items) {
    threads.emplace_back([&] {
      try {
        batches.submit("job", item, run);
      } catch (const std::runtime_error&) {
        ++thrown;
      }
    });
  }
  wait_queued(batches, "job", items.size());
  release.set_value();
  leader.join();
  for (auto& t : threads) t.join();
  // One batch of the four: its leader saw the exception, the rest returned.
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(thrown.load(), 1);
  for (const Item& it : items) EXPECT_EQ(it.batch, 1);
  // The key is usable again.
  Item later{9};
  batches.submit("job", later, [](const std::vector<Item*>& b) { b[0]->batch = 5; });
  EXPECT_EQ(later.batch, 5);
}

}  // namespace
}  // namespace ff
