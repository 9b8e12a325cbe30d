// Conformance: backup jobs, their commands and events, and migration v002, on
// every backend.
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/migrations/migrations.h"
#include "store_test_support.h"

namespace ff::store::testing {
namespace {

BackupJob backup_job(const std::string& id, const std::string& agent, SystemTime created) {
  return BackupJob{id, agent, R"(["/etc","/home/a b"])", "pending", std::nullopt, created, created};
}

Command backup_command(const std::string& id, const std::string& job, const std::string& agent,
                       SystemTime created) {
  std::string payload = R"({"job_id":")" + job + R"(","paths":["/etc"]})";
  return Command{id, agent, job, "backup", payload, "pending", created, created, std::nullopt, 0};
}

BackupJobTransition to_backup_status(std::string status) {
  return [status](const BackupJob&) -> Result<std::string> { return status; };
}

class BackupJobsTest : public StoreTest {
 protected:
  void add_backup_job(const std::string& job, const std::string& command, const std::string& agent,
                      SystemTime created) {
    FF_ASSERT_OK(store_->create_backup_job(backup_job(job, agent, created),
                                           backup_command(command, job, agent, created)));
  }
};

// ---- create / get

TEST_P(BackupJobsTest, CreateInsertsJobAndItsCommand) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok()) << j.status().to_string();
  EXPECT_EQ(j->id, "bj-1");
  EXPECT_EQ(j->agent_id, "a1");
  EXPECT_EQ(j->paths_json, R"(["/etc","/home/a b"])");
  EXPECT_EQ(j->status, "pending");
  EXPECT_FALSE(j->snapshot_id.has_value());
  EXPECT_EQ(j->created_at, at(1));
  EXPECT_EQ(j->updated_at, at(1));
}

TEST_P(BackupJobsTest, CreateStoresEmptyPathsAsEmptyArray) {
  BackupJob job = backup_job("bj-1", "a1", at(1));
  job.paths_json.clear();
  FF_ASSERT_OK(store_->create_backup_job(job, backup_command("bc-1", "bj-1", "a1", at(1))));
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok()) << j.status().to_string();
  EXPECT_EQ(j->paths_json, "[]");
}

TEST_P(BackupJobsTest, CreateWithDuplicateJobIdIsConflictAndInsertsNothing) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  Status st = store_->create_backup_job(backup_job("bj-1", "a2", at(2)),
                                        backup_command("bc-2", "bj-1", "a2", at(2)));
  EXPECT_EQ(st.code(), Code::kConflict) << st.to_string();
  EXPECT_EQ(st.message(), "backup job bj-1 already exists");
  auto leased = store_->lease_commands("a2", at(3), at(303), 10);
  ASSERT_TRUE(leased.ok()) << leased.status().to_string();
  EXPECT_TRUE(leased->empty());
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->agent_id, "a1");
}

TEST_P(BackupJobsTest, CreateWithDuplicateCommandIdIsConflictAndInsertsNoJob) {
  add_backup_job("bj-1", "c-1", "a1", at(1));
  Status st = store_->create_backup_job(backup_job("bj-2", "a1", at(2)),
                                        backup_command("c-1", "bj-2", "a1", at(2)));
  EXPECT_EQ(st.code(), Code::kConflict) << st.to_string();
  EXPECT_EQ(st.message(), "command c-1 already exists");
  FF_EXPECT_CODE(store_->get_backup_job("bj-2"), Code::kNotFound);
  auto l = store_->list_backup_jobs({}, Page{});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 1);
}

TEST_P(BackupJobsTest, CommandIdOfARestoreJobIsConflictToo) {
  add_snapshot("s1", "a1", at(0));
  add_job("rj-1", "c-1", "s1", "a1", at(1));
  Status st = store_->create_backup_job(backup_job("bj-1", "a1", at(2)),
                                        backup_command("c-1", "bj-1", "a1", at(2)));
  EXPECT_EQ(st.code(), Code::kConflict) << st.to_string();
  FF_EXPECT_CODE(store_->get_backup_job("bj-1"), Code::kNotFound);
}

TEST_P(BackupJobsTest, GetUnknownBackupJobIsNotFound) {
  FF_EXPECT_CODE(store_->get_backup_job("bj-nope"), Code::kNotFound);
}

TEST_P(BackupJobsTest, GetBackupJobDoesNotSeeRestoreJobs) {
  add_snapshot("s1", "a1", at(0));
  add_job("rj-1", "c-1", "s1", "a1", at(1));
  FF_EXPECT_CODE(store_->get_backup_job("rj-1"), Code::kNotFound);
  FF_EXPECT_CODE(store_->get_restore_job("bj-1"), Code::kNotFound);
}

// ---- list

TEST_P(BackupJobsTest, ListFiltersPagesAndCountsNewestFirst) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  add_backup_job("bj-2", "bc-2", "a2", at(2));
  add_backup_job("bj-3", "bc-3", "a1", at(3));
  add_backup_job("bj-4", "bc-4", "a1", at(4));
  ASSERT_TRUE(store_
                  ->record_backup_job_event(event("bj-4", "a1", "backup_started", at(5)),
                                            to_backup_status("in_progress"), std::nullopt, at(300))
                  .ok());

  auto all = store_->list_backup_jobs({}, Page{2, 0});
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(all->total, 4);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].id, "bj-4");
  EXPECT_EQ(all->items[1].id, "bj-3");

  BackupJobFilter agent;
  agent.agent_id = "a1";
  auto l = store_->list_backup_jobs(agent, Page{2, 2});
  ASSERT_TRUE(l.ok()) << l.status().to_string();
  EXPECT_EQ(l->total, 3);
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].id, "bj-1");

  BackupJobFilter status = agent;
  status.status = "in_progress";
  l = store_->list_backup_jobs(status, Page{});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 1);
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].id, "bj-4");
  EXPECT_EQ(l->items[0].status, "in_progress");

  BackupJobFilter pending;
  pending.status = "pending";
  l = store_->list_backup_jobs(pending, Page{10, 0});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 3);
  ASSERT_EQ(l->items.size(), 3u);
  EXPECT_EQ(l->items[0].id, "bj-3");
  EXPECT_EQ(l->items[2].id, "bj-1");

  // Past the end: no items, the total still counts.
  l = store_->list_backup_jobs(agent, Page{2, 10});
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->items.empty());
  EXPECT_EQ(l->total, 3);

  BackupJobFilter nobody;
  nobody.agent_id = "a9";
  l = store_->list_backup_jobs(nobody, Page{});
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->items.empty());
  EXPECT_EQ(l->total, 0);
}

TEST_P(BackupJobsTest, ListBackupJobsLeavesRestoreJobsOut) {
  add_snapshot("s1", "a1", at(0));
  add_job("rj-1", "c-1", "s1", "a1", at(1));
  add_backup_job("bj-1", "bc-1", "a1", at(2));
  auto l = store_->list_backup_jobs({}, Page{});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 1);
  auto r = store_->list_restore_jobs({}, Page{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 1);
}

// ---- commands

TEST_P(BackupJobsTest, BackupCommandIsLeasedLikeARestoreCommand) {
  add_snapshot("s1", "a0", at(0));
  add_job("rj-1", "rc-1", "s1", "a1", at(1));
  add_backup_job("bj-1", "bc-1", "a1", at(2));
  auto leased = store_->lease_commands("a1", at(10), at(310), 10);
  ASSERT_TRUE(leased.ok()) << leased.status().to_string();
  ASSERT_EQ(leased->size(), 2u);
  EXPECT_EQ((*leased)[0].id, "rc-1");
  const Command& c = (*leased)[1];
  EXPECT_EQ(c.id, "bc-1");
  EXPECT_EQ(c.job_id, "bj-1");
  EXPECT_EQ(c.command_type, "backup");
  EXPECT_EQ(c.payload_json, R"({"job_id":"bj-1","paths":["/etc"]})");
  EXPECT_EQ(c.status, "sent");
  EXPECT_EQ(c.lease_expires_at, at(310));
  EXPECT_EQ(c.delivery_count, 1);
  auto again = store_->lease_commands("a1", at(309), at(609), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  again = store_->lease_commands("a1", at(310), at(610), 10);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[1].delivery_count, 2);
}

// ---- events

TEST_P(BackupJobsTest, RecordEventAppliesTransitionAndAppendsEvent) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  std::string seen_status;
  BackupJobTransition transition = [&](const BackupJob& current) -> Result<std::string> {
    seen_status = current.status;
    return std::string("in_progress");
  };
  auto r = store_->record_backup_job_event(event("bj-1", "a1", "backup_started", at(5)), transition,
                                           std::nullopt, at(305));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(seen_status, "pending");
  EXPECT_EQ(r->previous_status, "pending");
  EXPECT_EQ(r->job.status, "in_progress");
  EXPECT_EQ(r->job.updated_at, at(5));
  EXPECT_FALSE(r->job.snapshot_id.has_value());
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->status, "in_progress");
  EXPECT_EQ(j->updated_at, at(5));
  EXPECT_EQ(j->created_at, at(1));
  auto events = store_->list_job_events("bj-1");
  ASSERT_TRUE(events.ok()) << events.status().to_string();
  ASSERT_EQ(events->size(), 1u);
  const JobEvent& e = (*events)[0];
  EXPECT_GT(e.id, 0);
  EXPECT_EQ(e.job_id, "bj-1");
  EXPECT_EQ(e.agent_id, "a1");
  EXPECT_EQ(e.event_type, "backup_started");
  EXPECT_EQ(e.metadata_json, R"({"k":"v"})");
  EXPECT_EQ(e.timestamp, at(5));
}

TEST_P(BackupJobsTest, TransitionErrorAbortsTheWholeEvent) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  ASSERT_EQ(store_->lease_commands("a1", at(2), at(302), 10)->size(), 1u);
  BackupJobTransition refuse = [](const BackupJob&) -> Result<std::string> {
    return PermissionDenied("job bj-1 does not belong to agent a9");
  };
  auto r = store_->record_backup_job_event(event("bj-1", "a9", "backup_completed", at(5)), refuse,
                                           std::string("s-9"), at(900));
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << r.status().to_string();
  auto events = store_->list_job_events("bj-1");
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->status, "pending");
  EXPECT_EQ(j->updated_at, at(1));
  EXPECT_FALSE(j->snapshot_id.has_value());
  // The lease was not extended either: it still ends at 302.
  auto again = store_->lease_commands("a1", at(302), at(602), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 1u);
}

TEST_P(BackupJobsTest, CompletedEventStoresSnapshotIdAndCompletesTheCommand) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  ASSERT_EQ(store_->lease_commands("a1", at(2), at(302), 10)->size(), 1u);
  auto r =
      store_->record_backup_job_event(event("bj-1", "a1", "backup_completed", at(5)),
                                      to_backup_status("completed"), std::string("s-42"), at(305));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->previous_status, "pending");
  EXPECT_EQ(r->job.status, "completed");
  EXPECT_EQ(r->job.snapshot_id, std::optional<std::string>("s-42"));
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->status, "completed");
  EXPECT_EQ(j->snapshot_id, std::optional<std::string>("s-42"));
  EXPECT_EQ(j->updated_at, at(5));
  // The command is finished: never leased again, even after its lease.
  auto later = store_->lease_commands("a1", at(10000), at(10300), 10);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->empty());
}

TEST_P(BackupJobsTest, EventWithoutSnapshotIdKeepsTheStoredOne) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  ASSERT_TRUE(store_
                  ->record_backup_job_event(event("bj-1", "a1", "backup_progress", at(5)),
                                            to_backup_status("in_progress"), std::string("s-1"),
                                            at(305))
                  .ok());
  auto r = store_->record_backup_job_event(event("bj-1", "a1", "backup_progress", at(6)),
                                           to_backup_status("in_progress"), std::nullopt, at(306));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->job.snapshot_id, std::optional<std::string>("s-1"));
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->snapshot_id, std::optional<std::string>("s-1"));
}

TEST_P(BackupJobsTest, FailedEventFinishesTheUndeliveredCommand) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  auto r = store_->record_backup_job_event(event("bj-1", "a1", "error", at(5)),
                                           to_backup_status("failed"), std::nullopt, at(305));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->job.status, "failed");
  auto later = store_->lease_commands("a1", at(6), at(306), 10);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->empty());
}

TEST_P(BackupJobsTest, OngoingEventExtendsTheLeaseAndLeavesPendingQueued) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  ASSERT_EQ(store_->lease_commands("a1", at(0), at(300), 10)->size(), 1u);
  ASSERT_TRUE(store_
                  ->record_backup_job_event(event("bj-1", "a1", "backup_progress", at(200)),
                                            to_backup_status("in_progress"), std::nullopt, at(500))
                  .ok());
  auto before = store_->lease_commands("a1", at(400), at(700), 10);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());
  auto after = store_->lease_commands("a1", at(500), at(800), 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].delivery_count, 2);

  // A command never delivered holds no lease and stays pending.
  add_backup_job("bj-2", "bc-2", "a2", at(2));
  ASSERT_TRUE(store_
                  ->record_backup_job_event(event("bj-2", "a2", "backup_progress", at(200)),
                                            to_backup_status("in_progress"), std::nullopt, at(900))
                  .ok());
  auto pending = store_->lease_commands("a2", at(201), at(501), 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].delivery_count, 1);
}

TEST_P(BackupJobsTest, UnknownOrRestoreJobIdIsNotFoundAndTouchesNothing) {
  add_snapshot("s1", "a0", at(0));
  add_job("rj-1", "rc-1", "s1", "a1", at(1));
  auto r = store_->record_backup_job_event(event("bj-nope", "a1", "backup_started", at(5)),
                                           to_backup_status("in_progress"), std::nullopt, at(305));
  EXPECT_EQ(r.status().code(), Code::kNotFound) << r.status().to_string();
  r = store_->record_backup_job_event(event("rj-1", "a1", "backup_completed", at(5)),
                                      to_backup_status("completed"), std::string("s-1"), at(305));
  EXPECT_EQ(r.status().code(), Code::kNotFound) << r.status().to_string();
  auto rj = store_->get_restore_job("rj-1");
  ASSERT_TRUE(rj.ok());
  EXPECT_EQ(rj->status, "pending");
  EXPECT_EQ(rj->updated_at, at(1));
  auto events = store_->list_job_events("rj-1");
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
  auto leased = store_->lease_commands("a1", at(6), at(306), 10);
  ASSERT_TRUE(leased.ok());
  EXPECT_EQ(leased->size(), 1u);
  // And the restore method does not see backup jobs.
  add_backup_job("bj-1", "bc-1", "a1", at(2));
  auto rr = store_->record_job_event(event("bj-1", "a1", "restore_started", at(7)),
                                     to_status("in_progress"), at(307));
  EXPECT_EQ(rr.status().code(), Code::kNotFound) << rr.status().to_string();
}

TEST_P(BackupJobsTest, EventsOfBothJobKindsListSeparately) {
  add_snapshot("s1", "a0", at(0));
  add_job("rj-1", "rc-1", "s1", "a1", at(1));
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  ASSERT_TRUE(store_
                  ->record_job_event(event("rj-1", "a1", "restore_started", at(2)),
                                     to_status("in_progress"), at(302))
                  .ok());
  ASSERT_TRUE(store_
                  ->record_backup_job_event(event("bj-1", "a1", "backup_started", at(3)),
                                            to_backup_status("in_progress"), std::nullopt, at(303))
                  .ok());
  ASSERT_TRUE(store_
                  ->record_backup_job_event(event("bj-1", "a1", "backup_completed", at(4)),
                                            to_backup_status("completed"), std::string("s2"),
                                            at(304))
                  .ok());
  auto rj = store_->list_job_events("rj-1");
  ASSERT_TRUE(rj.ok());
  ASSERT_EQ(rj->size(), 1u);
  EXPECT_EQ((*rj)[0].event_type, "restore_started");
  auto bj = store_->list_job_events("bj-1");
  ASSERT_TRUE(bj.ok());
  ASSERT_EQ(bj->size(), 2u);
  EXPECT_EQ((*bj)[0].event_type, "backup_started");
  EXPECT_EQ((*bj)[1].event_type, "backup_completed");
  EXPECT_GT((*bj)[1].id, (*bj)[0].id);
}

// ---- migrations

TEST_P(BackupJobsTest, MigrateTwiceIsNoOpAndKeepsBackupJobs) {
  add_backup_job("bj-1", "bc-1", "a1", at(1));
  FF_ASSERT_OK(store_->migrate());
  FF_ASSERT_OK(store_->migrate());
  auto j = store_->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok()) << j.status().to_string();
  EXPECT_EQ(j->agent_id, "a1");
}

// Builds a database exactly as a binary knowing only version 1 left it, then
// lets the current migrate() upgrade it.
TEST_P(BackupJobsTest, MigrateUpgradesAVersionOneDatabaseKeepingItsData) {
  if (in_memory()) GTEST_SKIP() << "an in-memory database belongs to one store";
  const migrations::Migration& v1 = migrations::all()[0];
  ASSERT_EQ(v1.version, 1);
  std::string url = fresh_url();
  const std::string seed =
      "INSERT INTO snapshots (id, agent_id, checksum, size, metadata, status, created_at) "
      "VALUES ('s1', 'a0', '" +
      std::string(64, 'a') +
      "', 1, '{}', 'available', 1000);"
      "INSERT INTO restore_jobs (id, snapshot_id, target_agent_id, target_path, status, "
      "created_at, updated_at) VALUES ('rj-1', 's1', 'a1', '', 'pending', 2000, 2000);"
      "INSERT INTO commands (id, agent_id, job_id, command_type, payload, status, created_at, "
      "updated_at, delivery_count) VALUES ('rc-1', 'a1', 'rj-1', 'restore', '{}', 'pending', "
      "2000, 2000, 0);"
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'initial', 0);";
  if (GetParam() == Backend::kPostgres) {
    const std::string marker = "schema=";
    size_t from = url.find(marker) + marker.size();
    std::string schema = url.substr(from, url.find('&', from) - from);
    pg_exec(pg_test_url(),
            "CREATE SCHEMA \"" + schema + "\"; SET search_path TO \"" + schema +
                "\"; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
                "NULL, applied_at BIGINT NOT NULL);" +
                std::string(v1.postgres_sql) + seed);
  } else {
    std::string path = url.substr(std::string("sqlite:///").size());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string sql =
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT "
        "NULL, applied_at INTEGER NOT NULL);" +
        std::string(v1.sqlite_sql) + seed;
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK);
  }

  auto opened = open_store(url);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  std::unique_ptr<Store> store = std::move(opened).value();
  // Before the upgrade the table is missing.
  EXPECT_FALSE(store->get_backup_job("bj-1").ok());
  FF_ASSERT_OK(store->migrate());
  FF_ASSERT_OK(store->migrate());

  auto rj = store->get_restore_job("rj-1");
  ASSERT_TRUE(rj.ok()) << rj.status().to_string();
  EXPECT_EQ(rj->target_agent_id, "a1");
  FF_ASSERT_OK(store->create_backup_job(backup_job("bj-1", "a1", at(1)),
                                        backup_command("bc-1", "bj-1", "a1", at(1))));
  auto j = store->get_backup_job("bj-1");
  ASSERT_TRUE(j.ok()) << j.status().to_string();
  EXPECT_EQ(j->paths_json, R"(["/etc","/home/a b"])");
  auto leased = store->lease_commands("a1", at(10), at(310), 10);
  ASSERT_TRUE(leased.ok()) << leased.status().to_string();
  EXPECT_EQ(leased->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackupJobsTest,
                         ::testing::Values(Backend::kSqliteFile, Backend::kSqliteMemory,
                                           Backend::kPostgres),
                         backend_label);

}  // namespace
}  // namespace ff::store::testing
