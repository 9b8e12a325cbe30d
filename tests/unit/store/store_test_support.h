// Shared fixture of the Store conformance suite: every TEST_P on StoreTest runs
// against each backend. SQLite (a file in a temp dir, and :memory:) always;
// PostgreSQL when FF_TEST_PG_URL is set (otherwise those cases GTEST_SKIP).
// Each PostgreSQL case runs in a fresh schema, dropped afterwards, and tags
// its connections with application_name = that schema.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace ff::store::testing {

// Status checks on a Status or Result<T>; the value is held so a temporary
// Result outlives the check.
#define FF_ASSERT_OK(expr)                                               \
  do {                                                                   \
    auto&& ff_value_ = (expr);                                           \
    const ::ff::Status& ff_status_ = ::ff::detail::status_of(ff_value_); \
    ASSERT_TRUE(ff_status_.ok()) << ff_status_.to_string();              \
  } while (0)
#define FF_EXPECT_OK(expr)                                               \
  do {                                                                   \
    auto&& ff_value_ = (expr);                                           \
    const ::ff::Status& ff_status_ = ::ff::detail::status_of(ff_value_); \
    EXPECT_TRUE(ff_status_.ok()) << ff_status_.to_string();              \
  } while (0)
#define FF_EXPECT_CODE(expr, expected)                                   \
  do {                                                                   \
    auto&& ff_value_ = (expr);                                           \
    const ::ff::Status& ff_status_ = ::ff::detail::status_of(ff_value_); \
    EXPECT_EQ(ff_status_.code(), expected) << ff_status_.to_string();    \
  } while (0)

enum class Backend { kSqliteFile, kSqliteMemory, kPostgres };

std::string backend_label(const ::testing::TestParamInfo<Backend>& info);

// FF_TEST_PG_URL or empty.
std::string pg_test_url();
// Runs one statement on a separate libpq connection to `url`; returns the
// first column of the first row ("" when none). Fails the test on error.
std::string pg_exec(const std::string& url, const std::string& sql);

// A fixed, whole-millisecond start time and offsets from it.
inline SystemTime t0() { return from_unix_seconds(1'800'000'000); }
inline SystemTime at(int seconds) { return t0() + std::chrono::seconds(seconds); }

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A URL for another, empty database of the same backend (a new file or a
  // new schema), cleaned up with the fixture. REQUIRES: not kSqliteMemory.
  std::string fresh_url();
  // Opens and migrates a second store on the same database as store_.
  // REQUIRES: not kSqliteMemory.
  std::unique_ptr<Store> open_second_store();
  bool in_memory() const { return GetParam() == Backend::kSqliteMemory; }
  // The schema store_ lives in. REQUIRES: kPostgres.
  const std::string& pg_schema() const { return schemas_.front(); }

  // Inserts a pending snapshot of `agent` created at `created`.
  void add_snapshot(const std::string& id, const std::string& agent, SystemTime created);
  // Creates restore job `job` (pending) on `snapshot` for `agent` with command
  // `command` (pending), both created at `created`.
  void add_job(const std::string& job, const std::string& command, const std::string& snapshot,
               const std::string& agent, SystemTime created);

  Snapshot snapshot(const std::string& id, const std::string& agent, SystemTime created) const;
  RestoreJob job(const std::string& id, const std::string& snapshot, const std::string& agent,
                 SystemTime created) const;
  Command command(const std::string& id, const std::string& job, const std::string& agent,
                  SystemTime created) const;
  JobEvent event(const std::string& job, const std::string& agent, const std::string& type,
                 SystemTime when) const;

  std::string url_;
  std::unique_ptr<Store> store_;

 private:
  std::string dir_;                   // sqlite file cases
  std::vector<std::string> schemas_;  // postgres cases, dropped in TearDown
  int fresh_count_ = 0;
};

// A transition that always moves the job to `status`.
JobTransition to_status(std::string status);

}  // namespace ff::store::testing
