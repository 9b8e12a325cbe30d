#include "events/stream_shipper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>

namespace ff::events {
namespace {

using namespace std::chrono_literals;

wal::RecordPtr record(uint64_t seq) {
  auto r = std::make_shared<wal::Record>();
  r->seq = seq;
  r->event = "e";
  r->line = "{\"seq\":" + std::to_string(seq) + "}";
  return r;
}

// A stream in memory: what was appended, in which batches; can be made to fail.
struct FakeStream {
  std::mutex mu;
  std::vector<std::string> lines;
  std::vector<size_t> batches;
  uint64_t next_wal_seq = 1;  // the stream refuses anything out of order
  std::atomic<bool> down{false};

  StreamTarget target() {
    StreamTarget t;
    t.replica = "r1";
    t.append = [this](uint64_t first, const std::vector<std::string>& add) -> Result<int64_t> {
      if (down) return Unavailable("database unavailable");
      std::lock_guard lock(mu);
      if (first != next_wal_seq) return Internal("out of order: " + std::to_string(first));
      lines.insert(lines.end(), add.begin(), add.end());
      batches.push_back(add.size());
      next_wal_seq += add.size();
      return static_cast<int64_t>(lines.size());
    };
    t.shipped = [this]() -> Result<int64_t> {
      std::lock_guard lock(mu);
      return static_cast<int64_t>(next_wal_seq - 1);
    };
    return t;
  }
};

TEST(StreamShipper, ShipsInOrderAndAcknowledgesOnceShipped) {
  FakeStream stream;
  StreamShipper shipper(stream.target());
  shipper.start();
  for (uint64_t s = 1; s <= 100; ++s) shipper.enqueue(record(s));
  ASSERT_TRUE(shipper.wait_shipped(100, 5s).ok());
  EXPECT_EQ(shipper.shipped(), 100u);
  std::lock_guard lock(stream.mu);
  ASSERT_EQ(stream.lines.size(), 100u);
  for (uint64_t s = 1; s <= 100; ++s) EXPECT_EQ(stream.lines[s - 1], record(s)->line);
}

// The Hub's head follows what the API may acknowledge: by the time a waiter
// returns, the global seq of its record has been reported.
TEST(StreamShipper, ReportsEachBatchsGlobalSeqBeforeItsWaitersReturn) {
  FakeStream stream;
  {
    std::lock_guard lock(stream.mu);
    stream.lines = {"another replica's", "records"};  // global seqs 1 and 2
  }
  StreamShipper shipper(stream.target());
  std::atomic<uint64_t> reported{0};
  shipper.set_on_shipped([&](uint64_t global) { reported = global; });
  shipper.start();
  for (uint64_t s = 1; s <= 3; ++s) {
    shipper.enqueue(record(s));
    ASSERT_TRUE(shipper.wait_shipped(s, 5s).ok());
    EXPECT_EQ(reported.load(), s + 2);
  }
}

TEST(StreamShipper, BatchesWhatQueuedMeanwhile) {
  FakeStream stream;
  StreamShipper shipper(stream.target(), {.max_batch = 64, .retry = 10ms});
  // Queued before the thread starts: one batch of up to max_batch each.
  for (uint64_t s = 1; s <= 100; ++s) shipper.enqueue(record(s));
  shipper.start();
  ASSERT_TRUE(shipper.wait_shipped(100, 5s).ok());
  std::lock_guard lock(stream.mu);
  EXPECT_EQ(stream.batches, (std::vector<size_t>{64, 36}));
}

TEST(StreamShipper, WaitersGetUnavailableWhileDownAndNothingIsLost) {
  FakeStream stream;
  stream.down = true;
  StreamShipper shipper(stream.target(), {.max_batch = 512, .retry = 10ms});
  shipper.start();
  shipper.enqueue(record(1));
  Status s = shipper.wait_shipped(1, 5s);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("database unavailable"), std::string::npos);
  shipper.enqueue(record(2));
  stream.down = false;  // the database is back: the retry ships both
  ASSERT_TRUE(shipper.wait_shipped(2, 5s).ok());
  std::lock_guard lock(stream.mu);
  EXPECT_EQ(stream.lines.size(), 2u);
}

TEST(StreamShipper, TimesOutWithoutFailure) {
  FakeStream stream;
  StreamShipper shipper(stream.target());
  shipper.start();
  EXPECT_EQ(shipper.wait_shipped(1, 20ms).code(), Code::kUnavailable);  // never enqueued
}

TEST(StreamShipper, CatchUpShipsWhatTheWalHasAndTheStreamLacks) {
  FakeStream stream;
  {
    StreamShipper first(stream.target());
    first.start();
    for (uint64_t s = 1; s <= 3; ++s) first.enqueue(record(s));
    ASSERT_TRUE(first.wait_shipped(3, 5s).ok());
  }
  // Records 4..10 reached the WAL, then the process died.
  StreamShipper shipper(stream.target(), {.max_batch = 4, .retry = 10ms});
  std::vector<uint64_t> reads;
  auto read = [&](uint64_t since, size_t max) -> Result<std::vector<wal::RecordPtr>> {
    reads.push_back(since);
    std::vector<wal::RecordPtr> out;
    for (uint64_t s = since + 1; s <= 12 && out.size() < max; ++s) out.push_back(record(s));
    return out;  // 11 and 12 are written but not durable: past the head
  };
  ASSERT_TRUE(shipper.catch_up(10, read).ok());
  EXPECT_EQ(shipper.shipped(), 10u);
  EXPECT_EQ(reads, (std::vector<uint64_t>{3, 7}));
  // Live records continue from there; one already shipped is skipped.
  shipper.start();
  shipper.enqueue(record(10));
  shipper.enqueue(record(11));
  ASSERT_TRUE(shipper.wait_shipped(11, 5s).ok());
  std::lock_guard lock(stream.mu);
  EXPECT_EQ(stream.lines.size(), 11u);
}

TEST(StreamShipper, CatchUpRefusesAWalShorterThanTheStream) {
  FakeStream stream;
  stream.next_wal_seq = 51;  // the stream holds 50 records of r1
  StreamShipper shipper(stream.target());
  auto read = [](uint64_t, size_t) -> Result<std::vector<wal::RecordPtr>> {
    return std::vector<wal::RecordPtr>{};
  };
  Status s = shipper.catch_up(7, read);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ORCH_REPLICA_ID"), std::string::npos);
}

}  // namespace
}  // namespace ff::events
