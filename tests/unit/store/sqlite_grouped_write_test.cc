// Database::write_grouped: concurrent callers share one transaction, each in
// its own savepoint, so one caller's failure undoes only its own changes.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/database.h"

namespace ff::store::sqlite {
namespace {

class GroupedWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/ff-grouped-write-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    Options o;
    o.path = dir_ + "/db.sqlite";
    auto db = Database::open(o);
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = std::move(db).value();
    Status made = db_->write([](Connection& c) {
      return c.exec_script("CREATE TABLE t (k TEXT PRIMARY KEY)", "create t");
    });
    ASSERT_TRUE(made.ok()) << made.to_string();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Status insert(Connection& c, const std::string& k) {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("INSERT INTO t (k) VALUES (?1)"));
    return q.bind_all(k).run();
  }
  bool has(const std::string& k) {
    auto found = db_->read([&](Connection& c) -> Result<bool> {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT 1 FROM t WHERE k = ?1"));
      return q.bind_all(k).next();
    });
    EXPECT_TRUE(found.ok()) << found.status().to_string();
    return found.ok() && *found;
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(GroupedWriteTest, ALoneCallerCommitsAndGetsItsResult) {
  auto r = db_->write_grouped([&](Connection& c) -> Result<int> {
    FF_TRY(insert(c, "alone"));
    return 7;
  });
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r, 7);
  EXPECT_TRUE(has("alone"));
}

TEST_F(GroupedWriteTest, AFailingCallerUndoesOnlyItsOwnChanges) {
  // Every third caller writes a row and then fails; with 16 threads most
  // batches hold several callers, so failures sit beside successes.
  constexpr int kThreads = 16, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string k = std::to_string(t) + "-" + std::to_string(i);
        const bool fail = (t * kEach + i) % 3 == 0;
        Status s = db_->write_grouped([&](Connection& c) -> Status {
          FF_TRY(insert(c, k));
          return fail ? Conflict("refused " + k) : OkStatus();
        });
        if (fail ? s.code() != Code::kConflict || s.message() != "refused " + k : !s.ok()) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      const std::string k = std::to_string(t) + "-" + std::to_string(i);
      EXPECT_EQ(has(k), (t * kEach + i) % 3 != 0) << k;
    }
  }
}

TEST_F(GroupedWriteTest, ADuplicateKeyFailsOnlyTheCallerThatWroteIt) {
  ASSERT_TRUE(db_->write_grouped([](Connection& c) { return insert(c, "taken"); }).ok());
  std::vector<std::thread> threads;
  std::atomic<int> conflicts{0}, oks{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Status s = db_->write_grouped([&](Connection& c) {
        return insert(c, t % 2 == 0 ? std::string("taken") : "free-" + std::to_string(t));
      });
      if (s.code() == Code::kConflict) ++conflicts;
      if (s.ok()) ++oks;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts.load(), 4);
  EXPECT_EQ(oks.load(), 4);
  for (int t = 1; t < 8; t += 2) EXPECT_TRUE(has("free-" + std::to_string(t)));
}

TEST_F(GroupedWriteTest, AnExceptionReachesItsCallerAndItsChangesAreUndone) {
  EXPECT_THROW(db_->write_grouped([](Connection& c) -> Status {
    Status s = insert(c, "thrown");
    if (s.ok()) throw std::runtime_error("boom");
    return s;
  }),
               std::runtime_error);
  EXPECT_FALSE(has("thrown"));
  // The writer is usable afterwards.
  EXPECT_TRUE(db_->write_grouped([](Connection& c) { return insert(c, "after"); }).ok());
  EXPECT_TRUE(has("after"));
}

// A joined batch (the WAL leader's): this thread's writes, grouped or not,
// join one transaction, each in a savepoint of its own.
TEST_F(GroupedWriteTest, AJoinedBatchCommitsItsWritesTogetherAndUndoesOnlyAFailedOne) {
  ASSERT_TRUE(db_->open_joined().ok());
  EXPECT_TRUE(db_->write_grouped([](Connection& c) { return insert(c, "j1"); }).ok());
  auto failed = db_->write_grouped([](Connection& c) -> Status {
    FF_TRY(insert(c, "j-undone"));
    return Conflict("refused");
  });
  EXPECT_EQ(failed.code(), Code::kConflict);
  EXPECT_TRUE(db_->write([](Connection& c) { return insert(c, "j2"); }).ok());
  EXPECT_THROW(db_->write_grouped([](Connection& c) -> Status {
    Status s = insert(c, "j-thrown");
    if (s.ok()) throw std::runtime_error("boom");
    return s;
  }),
               std::runtime_error);
  // A snapshot read inside the batch sees its writes...
  auto inside = db_->read_snapshot([](Connection& c) -> Result<bool> {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT 1 FROM t WHERE k = 'j1'"));
    return q.next();
  });
  ASSERT_TRUE(inside.ok()) << inside.status().to_string();
  EXPECT_TRUE(*inside);
  // ...and nothing is visible to other readers before the batch commits...
  std::atomic<bool> seen_outside{true};
  std::thread reader([&] { seen_outside = has("j1"); });
  reader.join();
  EXPECT_FALSE(seen_outside.load());
  // ...and other threads' writes wait for it.
  std::atomic<bool> other_done{false};
  std::thread other([&] {
    EXPECT_TRUE(db_->write_grouped([](Connection& c) { return insert(c, "other"); }).ok());
    other_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_FALSE(other_done.load());
  ASSERT_TRUE(db_->commit_joined().ok());
  other.join();
  EXPECT_TRUE(has("j1"));
  EXPECT_TRUE(has("j2"));
  EXPECT_TRUE(has("other"));
  EXPECT_FALSE(has("j-undone"));
  EXPECT_FALSE(has("j-thrown"));
}

TEST_F(GroupedWriteTest, AFailedJoinedCommitUndoesEveryWriteOfTheBatch) {
  ASSERT_TRUE(db_->open_joined().ok());
  EXPECT_TRUE(db_->write_grouped([](Connection& c) { return insert(c, "kept?"); }).ok());
  // A write that ends the transaction behind the batch's back (as SQLite does
  // on SQLITE_FULL): the batch can no longer commit what came before it.
  auto ended = db_->write_grouped([](Connection& c) { return c.exec_script("ROLLBACK", "end"); });
  EXPECT_FALSE(ended.ok());
  EXPECT_EQ(db_->write_grouped([](Connection& c) { return insert(c, "late"); }).code(),
            Code::kUnavailable);
  EXPECT_EQ(db_->commit_joined().code(), Code::kUnavailable);
  EXPECT_FALSE(has("kept?"));
  EXPECT_FALSE(has("late"));
  // The writer is free and usable afterwards.
  EXPECT_TRUE(db_->write([](Connection& c) { return insert(c, "after"); }).ok());
  EXPECT_TRUE(has("after"));
}

}  // namespace
}  // namespace ff::store::sqlite
