#include "wal/writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "unit/wal/wal_test_util.h"
#include "wal/reader.h"
#include "wal/verifier.h"

namespace ff::wal {
namespace {

using nlohmann::json;
using testing::FsOp;

class WalWriter : public WalTest {
 protected:
  VerifyReport verify() {
    auto report = verify_file(mem_, kPath);
    EXPECT_TRUE(report.ok()) << report.status().to_string();
    return report.ok() ? *report : VerifyReport{};
  }
  // The log verifies as one unbroken chain of exactly `records` records.
  void expect_chain(uint64_t records) {
    auto report = verify();
    EXPECT_TRUE(report.ok) << report.problem;
    EXPECT_EQ(report.records, records);
  }
};

TEST_F(WalWriter, FirstRecordLinksToGenesisAndUsesTheInjectedClock) {
  auto writer = open_writer();
  auto record = writer->append("token_minted", {{"agent_id", "a1"}, {"role", "agent"}});
  ASSERT_TRUE(record.ok()) << record.status().to_string();
  EXPECT_EQ((*record)->seq, 1u);
  EXPECT_EQ((*record)->event, "token_minted");
  EXPECT_EQ((*record)->agent_id, "a1");
  json doc = json::parse((*record)->line);
  EXPECT_EQ(doc["prev_hash"], std::string(kGenesisHash));
  EXPECT_EQ(doc["timestamp"], format_rfc3339_ms(clock_.now()));
  EXPECT_EQ(doc["v"], 1);
  EXPECT_EQ(contents(), (*record)->line + "\n");
  EXPECT_EQ(mem_.unsynced_bytes(kPath), 0u);
}

TEST_F(WalWriter, HeadIsTheLastDurableRecord) {
  auto writer = open_writer();
  EXPECT_EQ(writer->head().seq, 0u);
  EXPECT_EQ(writer->head().hash, kGenesisHash);
  append_n(*writer, 3);
  auto report = verify();
  EXPECT_EQ(writer->head().seq, 3u);
  EXPECT_EQ(writer->head().hash, report.head.hash);
}

TEST_F(WalWriter, ReopenContinuesSeqAndChain) {
  write_log(3);
  auto writer = open_writer();
  EXPECT_EQ(writer->head().seq, 3u);
  auto record = writer->append("after_reopen", json::object());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)->seq, 4u);
  writer.reset();
  expect_chain(4u);
}

TEST_F(WalWriter, CreatingTheFileSyncsItsDirectory) {
  auto writer = open_writer();
  EXPECT_EQ(fs_.calls(FsOp::kSyncDir), 1u);
  ASSERT_TRUE(writer->append("e", json::object()).ok());
  writer.reset();
  // Without the directory sync the power loss would take the new file with it.
  fs_.drop_unsynced();
  EXPECT_EQ(verify().records, 1u);
  open_writer();
  EXPECT_EQ(fs_.calls(FsOp::kSyncDir), 1u);  // an existing file needs none
}

TEST_F(WalWriter, TornLastLineIsCutOnOpen) {
  auto good = write_log(3);
  std::string intact = contents();
  set_contents(intact + good[0].substr(0, 40));  // a crash mid-append
  auto writer = open_writer();
  EXPECT_EQ(contents(), intact);
  EXPECT_EQ(mem_.synced_size(kPath), intact.size());
  EXPECT_EQ(writer->head().seq, 3u);
  auto record = writer->append("e", json::object());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)->seq, 4u);
  EXPECT_TRUE(verify().ok);
}

TEST_F(WalWriter, UnparsableLastLineIsCutOnOpen) {
  write_log(2);
  std::string intact = contents();
  set_contents(intact + std::string(30, '\0') + "\n");  // unwritten blocks after a crash
  auto writer = open_writer();
  EXPECT_EQ(contents(), intact);
  EXPECT_EQ(writer->head().seq, 2u);
}

TEST_F(WalWriter, CorruptionBeforeTheLastLineFailsOpenWithDataLoss) {
  write_log(4);
  auto l = lines();
  l[1][l[1].find("\"n\":2") + 4] = '7';
  set_lines(l);
  std::string before = contents();
  auto writer = Writer::open(env_, kPath);
  EXPECT_THAT(writer, StatusIs(Code::kDataLoss));
  EXPECT_EQ(writer.status().message(), "WAL open: WAL corrupt at line 2 (byte offset " +
                                           std::to_string(l[0].size() + 1) +
                                           ", expected seq 2): hash mismatch");
  EXPECT_EQ(contents(), before);  // nothing is cut
}

TEST_F(WalWriter, ParsableButWrongLastLineIsCorruptionNotATornTail) {
  write_log(3);
  auto l = lines();
  l[2][l[2].find("\"n\":3") + 4] = '8';
  set_lines(l);
  EXPECT_THAT(Writer::open(env_, kPath), StatusIs(Code::kDataLoss));
}

TEST_F(WalWriter, RecordOverTheSizeLimitIsRejectedAndNothingWritten) {
  Writer::Options options;
  options.max_record_bytes = 512;
  auto writer = open_writer(options);
  EXPECT_THAT(writer->append("e", {{"pad", std::string(600, 'x')}}),
              StatusIs(Code::kInvalidArgument));
  // Over the limit only once sealed: rejected by the leader.
  EXPECT_THAT(writer->append("e", {{"pad", std::string(400, 'x')}}),
              StatusIs(Code::kInvalidArgument));
  EXPECT_EQ(contents(), "");
  EXPECT_TRUE(writer->health().ok());
  auto record = writer->append("e", {{"pad", "small"}});
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)->seq, 1u);
}

TEST_F(WalWriter, RecordExactlyAtTheLimitIsAccepted) {
  size_t base_line = 0;
  {
    auto writer = open_writer();
    auto r = writer->append("e", {{"pad", ""}});
    ASSERT_TRUE(r.ok());
    base_line = (*r)->line.size();
  }
  fs_.remove(kPath).ignore_error();
  Writer::Options options;
  options.max_record_bytes = base_line + 100 + 1;  // the '\n' counts
  auto writer = open_writer(options);
  EXPECT_TRUE(writer->append("e", {{"pad", std::string(100, 'x')}}).ok());
  EXPECT_THAT(writer->append("e", {{"pad", std::string(101, 'x')}}),
              StatusIs(Code::kInvalidArgument));
}

TEST_F(WalWriter, PrepareRefusesWhatCouldOverflowOnceSealed) {
  Writer::Options options;
  options.max_record_bytes = 512;
  auto writer = open_writer(options);
  // append() takes this one to the leader, which rejects it after the fact;
  // prepare() says so before the caller commits anything.
  EXPECT_THAT(writer->prepare("e", {{"pad", std::string(400, 'x')}}),
              StatusIs(Code::kInvalidArgument));
  // Escaping counts: 60 control characters are 360 bytes once stored.
  EXPECT_THAT(writer->prepare("e", {{"pad", std::string(60, '\x01')}}),
              StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(writer->prepare("e", {{"hash", "forged"}}), StatusIs(Code::kInternal));
  EXPECT_EQ(contents(), "");
}

TEST_F(WalWriter, PreparedRecordAppendsAtAnySeq) {
  Writer::Options options;
  options.max_record_bytes = 512;
  auto writer = open_writer(options);
  // The largest payload prepare() accepts under this limit.
  size_t pad = 0;
  while (writer->prepare("e", {{"pad", std::string(pad + 1, 'x')}}).ok()) ++pad;
  ASSERT_GT(pad, 100u);
  auto prepared = writer->prepare("e", {{"pad", std::string(pad, 'x')}});
  ASSERT_TRUE(prepared.ok()) << prepared.status().to_string();
  for (int i = 0; i < 3; ++i) {
    auto r = writer->append(*prepared);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_LE((*r)->line.size() + 1, options.max_record_bytes);
  }
  EXPECT_EQ(verify().head.seq, 3u);
}

TEST_F(WalWriter, ReservedFieldIsRejectedAsInternal) {
  auto writer = open_writer();
  EXPECT_THAT(writer->append("e", {{"hash", "forged"}}), StatusIs(Code::kInternal));
  EXPECT_THAT(writer->append("e", {{"seq", 9}}), StatusIs(Code::kInternal));
  EXPECT_THAT(writer->append("e", json::array()), StatusIs(Code::kInternal));
  EXPECT_EQ(contents(), "");
  EXPECT_TRUE(writer->health().ok());
}

TEST_F(WalWriter, FailedSyncMakesTheWriterStickyFailed) {
  auto writer = open_writer();
  ASSERT_TRUE(writer->append("e", json::object()).ok());
  fs_.fail_nth(FsOp::kSync, 1, Unavailable("fdatasync failed: Input/output error"));
  EXPECT_THAT(writer->append("e", json::object()), StatusIs(Code::kUnavailable));
  uint64_t appends = fs_.calls(FsOp::kAppend);
  EXPECT_THAT(writer->append("e", json::object()), StatusIs(Code::kUnavailable));
  EXPECT_THAT(writer->health(), StatusIs(Code::kUnavailable));
  EXPECT_EQ(fs_.calls(FsOp::kAppend), appends);  // nothing more reaches the file
  EXPECT_EQ(writer->head().seq, 1u);
}

TEST_F(WalWriter, CompanionSyncRunsOncePerBatch) {
  auto writer = open_writer();
  fs_.set_latency(FsOp::kSync, std::chrono::milliseconds(2));
  std::atomic<uint64_t> companion{0};
  writer->set_companion_sync([&] {
    ++companion;
    return OkStatus();
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) EXPECT_TRUE(writer->append("e", fields_for(t * 8 + i)).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(companion.load(), fs_.calls(FsOp::kSync));  // one per batch, not per record
  EXPECT_LT(companion.load(), 128u);
}

TEST_F(WalWriter, CompanionSyncRunsBesideTheOwnSyncAndTheAppendWaitsForBoth) {
  auto writer = open_writer();
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  writer->set_companion_sync([&] {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return OkStatus();
  });
  std::atomic<bool> returned{false};
  std::thread appender([&] {
    EXPECT_TRUE(writer->append("e", json::object()).ok());
    returned = true;
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  // The WAL's own sync does not wait for the companion's...
  for (int i = 0; i < 500 && fs_.calls(FsOp::kSync) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(fs_.calls(FsOp::kSync), 1u);
  // ...but the record is acknowledged only once both are done.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(returned.load());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  appender.join();
  EXPECT_TRUE(returned.load());
  EXPECT_EQ(writer->head().seq, 1u);
}

TEST_F(WalWriter, FailedCompanionSyncFailsTheBatchAndTheWriter) {
  auto writer = open_writer();
  bool fail = false;
  writer->set_companion_sync(
      [&] { return fail ? Unavailable("database sync failed: Input/output error") : OkStatus(); });
  ASSERT_TRUE(writer->append("e", json::object()).ok());
  fail = true;
  auto r = writer->append("e", json::object());
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_NE(r.status().message().find("database sync failed"), std::string::npos);
  fail = false;  // sticky: what reached the database's disk is unknown
  EXPECT_THAT(writer->append("e", json::object()), StatusIs(Code::kUnavailable));
  EXPECT_EQ(writer->head().seq, 1u);
}

TEST_F(WalWriter, AChangeRunsBeforeItsRecordAndAFailedOneWritesNothing) {
  auto writer = open_writer();
  ASSERT_TRUE(writer->append("e", json::object()).ok());
  auto prepared = writer->prepare("changed", json::object());
  ASSERT_TRUE(prepared.ok());
  uint64_t written_when_changed = 0;
  auto r = writer->append(*prepared, [&] {
    written_when_changed = writer->head().seq;
    return OkStatus();
  });
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(written_when_changed, 1u);  // the change ran before its record was written
  EXPECT_EQ((*r)->seq, 2u);

  uint64_t appends = fs_.calls(FsOp::kAppend);
  auto refused = writer->append(*prepared, [] { return Conflict("job is completed"); });
  EXPECT_THAT(refused, StatusIs(Code::kConflict));
  EXPECT_EQ(refused.status().message(), "job is completed");
  EXPECT_EQ(fs_.calls(FsOp::kAppend), appends);  // its record never reached the file
  EXPECT_EQ(writer->head().seq, 2u);
  auto thrown = writer->append(*prepared, []() -> Status { throw std::runtime_error("boom"); });
  EXPECT_THAT(thrown, StatusIs(Code::kInternal));
  // A refused change is the database's business: the log stays healthy.
  EXPECT_TRUE(writer->health().ok());
  EXPECT_TRUE(writer->append(*prepared, [] { return OkStatus(); }).ok());
  EXPECT_EQ(writer->head().seq, 3u);
  expect_chain(3u);
}

TEST_F(WalWriter, TheChangesOfABatchShareOneTransactionOpenedByItsLeader) {
  auto writer = open_writer();
  fs_.set_latency(FsOp::kSync, std::chrono::milliseconds(2));
  std::atomic<int> opened{0}, committed{0}, changes{0}, outside{0};
  std::atomic<bool> open_now{false};
  writer->set_change_batch({[&] {
                              ++opened;
                              open_now = true;
                              return OkStatus();
                            },
                            [&] {
                              ++committed;
                              open_now = false;
                              return OkStatus();
                            }});
  EXPECT_TRUE(writer->batches_changes());
  constexpr int kThreads = 16, kPerThread = 8;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto prepared = writer->prepare("e", fields_for(t * kPerThread + i));
        ASSERT_TRUE(prepared.ok());
        auto r = writer->append(*prepared, [&] {
          ++changes;
          if (!open_now) ++outside;
          return OkStatus();
        });
        EXPECT_TRUE(r.ok()) << r.status().to_string();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(changes.load(), kThreads * kPerThread);
  EXPECT_EQ(outside.load(), 0);  // every change ran inside its batch's transaction
  EXPECT_EQ(opened.load(), committed.load());
  EXPECT_EQ(static_cast<uint64_t>(opened.load()), fs_.calls(FsOp::kSync));  // one per batch
  EXPECT_LT(opened.load(), kThreads * kPerThread / 4);
  expect_chain(kThreads * kPerThread);
}

TEST_F(WalWriter, AFailedBatchCommitRefusesItsChangedRecordsAndKeepsTheLogHealthy) {
  auto writer = open_writer();
  Status open_fails = OkStatus(), commit_fails = OkStatus();
  writer->set_change_batch({[&] { return open_fails; }, [&] { return commit_fails; }});
  auto prepared = writer->prepare("e", json::object());
  ASSERT_TRUE(prepared.ok());
  auto ok = [] { return OkStatus(); };
  commit_fails = Unavailable("database commit failed: disk I/O error");
  auto r = writer->append(*prepared, ok);
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_EQ(r.status().message(), "database commit failed: disk I/O error");
  commit_fails = OkStatus();
  open_fails = Unavailable("database is locked");
  EXPECT_THAT(writer->append(*prepared, ok), StatusIs(Code::kUnavailable));
  EXPECT_EQ(writer->head().seq, 0u);  // neither record was written
  EXPECT_EQ(fs_.calls(FsOp::kAppend), 0u);
  // A record without a change does not depend on the database.
  EXPECT_TRUE(writer->append("plain", json::object()).ok());
  open_fails = OkStatus();
  EXPECT_TRUE(writer->health().ok());
  EXPECT_TRUE(writer->append(*prepared, ok).ok());
  EXPECT_EQ(writer->head().seq, 2u);
}

TEST_F(WalWriter, TornWriteFailsTheWriterAndIsCutOnReopen) {
  auto writer = open_writer();
  ASSERT_TRUE(writer->append("e", json::object()).ok());
  fs_.set_torn_append_bytes(25);
  fs_.fail_nth(FsOp::kAppend, 1);
  EXPECT_THAT(writer->append("e", json::object()), StatusIs(Code::kUnavailable));
  EXPECT_THAT(writer->health(), StatusIs(Code::kUnavailable));
  writer.reset();
  EXPECT_TRUE(verify().torn_tail);
  writer = open_writer();
  auto record = writer->append("e", json::object());
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)->seq, 2u);
  EXPECT_TRUE(verify().ok);
}

TEST_F(WalWriter, CloseRefusesLaterAppends) {
  auto writer = open_writer();
  append_n(*writer, 1);
  EXPECT_TRUE(writer->close().ok());
  EXPECT_THAT(writer->append("e", json::object()), StatusIs(Code::kUnavailable));
  EXPECT_THAT(writer->health(), StatusIs(Code::kUnavailable));
  EXPECT_TRUE(writer->close().ok());
}

TEST_F(WalWriter, OpenFailsWhenTheDirectoryIsMissing) {
  EXPECT_THAT(Writer::open(env_, "/missing/events.wal"), StatusIs(Code::kNotFound));
}

TEST_F(WalWriter, FloatsAndUnicodeInFieldsVerify) {
  json metadata = {{"pi", 3.141592653589793},
                   {"tiny", 1e-300},
                   {"big", 1.7976931348623157e308},
                   {"negative_zero", -0.0},
                   {"sum", 0.1 + 0.2},
                   {"text", "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 \x01 \"q\" \\ / \t"},
                   {"\xc3\xa9t\xc3\xa9", "key in unicode"}};
  {
    auto writer = open_writer();
    auto record = writer->append("e", {{"metadata", metadata}});
    ASSERT_TRUE(record.ok()) << record.status().to_string();
    EXPECT_EQ(json::parse((*record)->line)["metadata"], metadata);
  }
  auto report = verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(open_writer()->head().seq, 1u);
}

TEST_F(WalWriter, SubscriberSeesEveryRecordInSeqOrderAfterHeadIncludesIt) {
  auto writer = open_writer();
  std::mutex mu;
  std::vector<uint64_t> seen;
  bool head_behind = false;
  writer->set_subscriber([&](const RecordPtr& r) {
    std::lock_guard lock(mu);
    seen.push_back(r->seq);
    if (writer->head().seq < r->seq) head_behind = true;
  });
  fs_.set_latency(FsOp::kSync, std::chrono::microseconds(200));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(writer->append("e", json::object()).ok());
    });
  }
  for (auto& t : threads) t.join();
  std::vector<uint64_t> expected(200);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = i + 1;
  EXPECT_EQ(seen, expected);
  EXPECT_FALSE(head_behind);
}

TEST_F(WalWriter, GroupCommitBatchesConcurrentAppends) {
  auto writer = open_writer();
  fs_.set_latency(FsOp::kSync, std::chrono::milliseconds(2));
  constexpr int kThreads = 32;
  constexpr int kPerThread = 16;
  std::mutex mu;
  std::vector<uint64_t> seqs;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = writer->append("e", fields_for(t * kPerThread + i));
        EXPECT_TRUE(r.ok()) << r.status().to_string();
        if (!r.ok()) continue;
        std::lock_guard lock(mu);
        seqs.push_back((*r)->seq);
      }
    });
  }
  for (auto& t : threads) t.join();

  constexpr uint64_t kTotal = kThreads * kPerThread;
  std::sort(seqs.begin(), seqs.end());
  ASSERT_EQ(seqs.size(), kTotal);
  for (uint64_t i = 0; i < kTotal; ++i) ASSERT_EQ(seqs[i], i + 1);
  expect_chain(kTotal);
  // One write and one sync per batch, and batches hold many records.
  EXPECT_EQ(fs_.calls(FsOp::kAppend), fs_.calls(FsOp::kSync));
  EXPECT_LT(fs_.calls(FsOp::kSync), kTotal / 4);
}

TEST_F(WalWriter, AppendsQueuedBehindAFailedSyncFailToo) {
  auto writer = open_writer();
  fs_.set_latency(FsOp::kSync, std::chrono::milliseconds(1));
  fs_.fail_nth(FsOp::kSync, 4);
  std::mutex mu;
  std::vector<uint64_t> acked;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = writer->append("e", json::object());
        if (r.ok()) {
          std::lock_guard lock(mu);
          acked.push_back((*r)->seq);
        } else {
          EXPECT_THAT(r, StatusIs(Code::kUnavailable));
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(failed.load(), 0);
  std::sort(acked.begin(), acked.end());
  for (size_t i = 0; i < acked.size(); ++i) EXPECT_EQ(acked[i], i + 1);
  EXPECT_EQ(writer->head().seq, acked.size());
  EXPECT_EQ(fs_.calls(FsOp::kSync), 4u);
}

// Counts append_async completions and lets a test wait for them.
class Completions {
 public:
  Writer::Done done_for(int key) {
    return [this, key](Result<RecordPtr> r) {
      std::lock_guard lock(mu_);
      results_.emplace(key, std::move(r));
      threads_.insert(std::this_thread::get_id());
      cv_.notify_all();
    };
  }
  void wait_for(size_t n) {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(20), [&] { return results_.size() >= n; }))
        << results_.size() << " of " << n << " completed";
  }
  std::map<int, Result<RecordPtr>> results() {
    std::lock_guard lock(mu_);
    return results_;
  }
  std::set<std::thread::id> threads() {
    std::lock_guard lock(mu_);
    return threads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Result<RecordPtr>> results_;
  std::set<std::thread::id> threads_;
};

TEST_F(WalWriter, AsyncAppendsAreGroupCommittedAndToldOffTheCallersThread) {
  auto writer = open_writer();
  fs_.set_latency(FsOp::kSync, std::chrono::milliseconds(2));
  constexpr int kTotal = 400;
  Completions completions;
  std::atomic<int> changes{0};
  for (int i = 0; i < kTotal; ++i) {
    auto prepared = writer->prepare("e", fields_for(i));
    ASSERT_TRUE(prepared.ok());
    writer->append_async(
        std::move(*prepared),
        [&] {
          ++changes;
          return OkStatus();
        },
        completions.done_for(i));
  }
  completions.wait_for(kTotal);
  auto results = completions.results();
  std::set<uint64_t> seqs;
  for (auto& [key, r] : results) {
    ASSERT_TRUE(r.ok()) << key << ": " << r.status().to_string();
    seqs.insert((*r)->seq);
  }
  EXPECT_EQ(seqs.size(), size_t{kTotal});
  EXPECT_EQ(*seqs.rbegin(), uint64_t{kTotal});
  EXPECT_EQ(changes.load(), kTotal);
  // Records are written in the order they were queued.
  for (int i = 0; i + 1 < kTotal; ++i) EXPECT_LT((*results.at(i))->seq, (*results.at(i + 1))->seq);
  // No thread waited per append: the writer's lead thread wrote them in batches.
  EXPECT_LT(fs_.calls(FsOp::kSync), size_t{kTotal / 4});
  EXPECT_EQ(completions.threads().count(std::this_thread::get_id()), 0u);
  expect_chain(kTotal);
}

TEST_F(WalWriter, AsyncAndBlockingAppendsShareBatchesAndEveryoneIsTold) {
  auto writer = open_writer();
  fs_.set_latency(FsOp::kSync, std::chrono::milliseconds(1));
  Completions completions;
  std::atomic<int> next_key{0};
  std::vector<std::thread> threads;
  std::atomic<int> blocking_ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if ((t + i) % 2 == 0) {
          auto prepared = writer->prepare("async", json::object());
          ASSERT_TRUE(prepared.ok());
          writer->append_async(std::move(*prepared), {}, completions.done_for(next_key++));
        } else if (writer->append("blocking", json::object()).ok()) {
          ++blocking_ok;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  completions.wait_for(200);
  for (auto& [key, r] : completions.results()) EXPECT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(blocking_ok.load(), 200);
  EXPECT_EQ(writer->head().seq, 400u);
  expect_chain(400u);
}

TEST_F(WalWriter, AsyncAppendReportsARefusedChangeAFailedSyncAndAClosedWriter) {
  auto writer = open_writer();
  Completions completions;
  auto prepared = [&] { return *writer->prepare("e", json::object()); };
  writer->append_async(
      prepared(), [] { return Conflict("job is completed"); }, completions.done_for(0));
  completions.wait_for(1);
  EXPECT_THAT(completions.results().at(0), StatusIs(Code::kConflict));
  EXPECT_TRUE(writer->health().ok());
  EXPECT_EQ(writer->head().seq, 0u);

  fs_.fail_nth(FsOp::kSync, 1);
  writer->append_async(prepared(), {}, completions.done_for(1));
  completions.wait_for(2);
  EXPECT_THAT(completions.results().at(1), StatusIs(Code::kUnavailable));
  // Sticky: the next one is refused at once, on the caller's thread.
  writer->append_async(prepared(), {}, completions.done_for(2));
  EXPECT_THAT(completions.results().at(2), StatusIs(Code::kUnavailable));
  EXPECT_TRUE(writer->close().ok());

  auto reopened = open_writer();
  ASSERT_TRUE(reopened->close().ok());
  reopened->append_async(prepared(), {}, completions.done_for(3));
  EXPECT_THAT(completions.results().at(3), StatusIs(Code::kUnavailable));
}

TEST_F(WalWriter, CloseWaitsForQueuedAsyncAppends) {
  auto writer = open_writer();
  fs_.set_latency(FsOp::kSync, std::chrono::milliseconds(2));
  Completions completions;
  for (int i = 0; i < 50; ++i) {
    writer->append_async(*writer->prepare("e", json::object()), {}, completions.done_for(i));
  }
  ASSERT_TRUE(writer->close().ok());
  auto results = completions.results();  // all told before close returned
  ASSERT_EQ(results.size(), 50u);
  for (auto& [key, r] : results) EXPECT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(writer->head().seq, 50u);
}

// Power loss at the moment a sync fails, keeping various amounts of the unsynced
// tail: reopening must succeed and keep every acknowledged record byte for byte.
TEST_F(WalWriter, PowerLossNeverLosesAnAcknowledgedRecord) {
  for (uint64_t keep : {0, 1, 60, 200, 1000, 1 << 20}) {
    SCOPED_TRACE("keeping " + std::to_string(keep) + " unsynced bytes");
    fs_.remove(kPath).ignore_error();
    fs_.clear_faults();
    auto writer = open_writer();
    fs_.set_latency(FsOp::kSync, std::chrono::microseconds(300));
    fs_.fail_nth(FsOp::kSync, 6);
    std::mutex mu;
    std::map<uint64_t, std::string> acked;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 10; ++i) {
          auto r = writer->append("e", fields_for(t * 10 + i));
          if (!r.ok()) continue;
          std::lock_guard lock(mu);
          acked[(*r)->seq] = (*r)->line;
        }
      });
    }
    for (auto& t : threads) t.join();
    fs_.set_latency(FsOp::kSync, std::chrono::microseconds(0));
    ASSERT_FALSE(writer->health().ok());
    ASSERT_FALSE(acked.empty());
    writer.reset();

    fs_.drop_unsynced(keep);
    writer = open_writer();
    ASSERT_NE(writer, nullptr);
    auto records = read_since(mem_, kPath, 0, 1000);
    ASSERT_TRUE(records.ok()) << records.status().to_string();
    ASSERT_GE(records->size(), acked.size());
    for (const auto& [seq, line] : acked) EXPECT_EQ((*records)[seq - 1]->line, line);
    auto next = writer->append("e", json::object());
    ASSERT_TRUE(next.ok());
    EXPECT_EQ((*next)->seq, records->size() + 1);
    EXPECT_TRUE(verify().ok);
  }
}

// Not run by default: the throughput of durable appends on the real file system.
// Run with --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'.
TEST(WalWriterPerf, DISABLED_PosixThroughputWith32Threads) {
  namespace fsys = std::filesystem;
  fsys::path dir = fsys::temp_directory_path() / ("ff_wal_perf_" + std::to_string(::getpid()));
  fsys::create_directories(dir);
  std::string path = (dir / "events.wal").string();
  sys::Env env = sys::posix_env();
  auto writer = Writer::open(env, path);
  ASSERT_TRUE(writer.ok()) << writer.status().to_string();
  constexpr int kThreads = 32;
  constexpr int kPerThread = 300;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        json fields = {{"agent_id", "agent-" + std::to_string(t)},
                       {"snapshot_id", "snap-" + std::to_string(i)},
                       {"metadata", {{"size", 123456}, {"host", "web-1"}}}};
        ASSERT_TRUE((*writer)->append("snapshot_created", fields).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = kThreads * kPerThread / seconds;
  std::printf("%d durable appends in %.3f s: %.0f appends/s\n", kThreads * kPerThread, seconds,
              rate);
  (*writer)->close().ignore_error();
  auto report = verify_file(sys::posix_file_system(), path);
  fsys::remove_all(dir);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
  EXPECT_GE(rate, 5000.0);
}

}  // namespace
}  // namespace ff::wal
