#include "store_test_support.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace ff::store::testing {

std::string backend_label(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::kSqliteFile:
      return "SqliteFile";
    case Backend::kSqliteMemory:
      return "SqliteMemory";
    case Backend::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

std::string pg_test_url() {
  const char* url = std::getenv("FF_TEST_PG_URL");
  return url != nullptr ? url : "";
}

std::string pg_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string out;
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect: " << PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
    } else if (PQntuples(r) > 0 && PQnfields(r) > 0) {
      out = PQgetvalue(r, 0, 0);
    }
    PQclear(r);
  }
  PQfinish(conn);
  return out;
}

namespace {

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const unsigned seed = std::random_device{}();
  return prefix + std::to_string(getpid()) + "_" + std::to_string(seed % 100000) + "_" +
         std::to_string(counter++);
}

std::string with_params(const std::string& base, const std::string& params) {
  return base + (base.find('?') == std::string::npos ? "?" : "&") + params;
}

}  // namespace

void StoreTest::SetUp() {
  switch (GetParam()) {
    case Backend::kSqliteFile:
      dir_ = (std::filesystem::temp_directory_path() / unique_name("ff_store_")).string();
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:///" + dir_ + "/store.db";
      break;
    case Backend::kSqliteMemory:
      url_ = "sqlite://:memory:";
      break;
    case Backend::kPostgres:
      if (pg_test_url().empty()) {
        GTEST_SKIP() << "FF_TEST_PG_URL is not set: PostgreSQL conformance case skipped";
      }
      url_ = fresh_url();
      break;
  }
  auto opened = open_store(url_);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  store_ = std::move(opened).value();
  FF_ASSERT_OK(store_->migrate());
}

void StoreTest::TearDown() {
  store_.reset();
  for (const auto& schema : schemas_) {
    pg_exec(pg_test_url(), "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string StoreTest::fresh_url() {
  if (GetParam() == Backend::kPostgres) {
    std::string schema = unique_name("ff_test_");
    schemas_.push_back(schema);
    return with_params(pg_test_url(), "schema=" + schema + "&application_name=" + schema);
  }
  return "sqlite:///" + dir_ + "/fresh" + std::to_string(++fresh_count_) + ".db";
}

std::unique_ptr<Store> StoreTest::open_second_store() {
  auto opened = open_store(url_);
  EXPECT_TRUE(opened.ok()) << opened.status().to_string();
  if (!opened.ok()) return nullptr;
  EXPECT_TRUE(opened.value()->migrate().ok());
  return std::move(opened).value();
}

Snapshot StoreTest::snapshot(const std::string& id, const std::string& agent,
                             SystemTime created) const {
  return Snapshot{id,        agent,   std::string(64, 'a'), 1234, R"({"host":"h1","n":1.5})",
                  "pending", created, std::nullopt};
}

RestoreJob StoreTest::job(const std::string& id, const std::string& snapshot,
                          const std::string& agent, SystemTime created) const {
  return RestoreJob{id, snapshot, agent, "/restore/here", "pending", created, created};
}

Command StoreTest::command(const std::string& id, const std::string& job, const std::string& agent,
                           SystemTime created) const {
  std::string payload = R"({"job_id":")" + job + R"(","snapshot_id":"s"})";
  return Command{id, agent, job, "restore", payload, "pending", created, created, std::nullopt, 0};
}

JobEvent StoreTest::event(const std::string& job, const std::string& agent, const std::string& type,
                          SystemTime when) const {
  return JobEvent{0, job, agent, type, "message for " + type, R"({"k":"v"})", when};
}

void StoreTest::add_snapshot(const std::string& id, const std::string& agent, SystemTime created) {
  FF_ASSERT_OK(store_->insert_snapshot(snapshot(id, agent, created)));
}

void StoreTest::add_job(const std::string& job_id, const std::string& command_id,
                        const std::string& snapshot_id, const std::string& agent,
                        SystemTime created) {
  FF_ASSERT_OK(store_->create_restore_job(job(job_id, snapshot_id, agent, created),
                                          command(command_id, job_id, agent, created)));
}

JobTransition to_status(std::string status) {
  return [status](const RestoreJob&) -> Result<std::string> { return status; };
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqliteFile, Backend::kSqliteMemory,
                                           Backend::kPostgres),
                         backend_label);

}  // namespace ff::store::testing
