// Conformance: Store::cancel_job for both job kinds, on every backend.
#include <string>

#include "store_test_support.h"

namespace ff::store::testing {
namespace {

// The rule core passes (core/job_rules.h), restated: the store must only apply it.
Result<std::string> cancel_rule(const std::string& current) {
  if (current == "completed" || current == "failed" || current == "cancelled") {
    return Conflict("job is already " + current);
  }
  return std::string("cancelled");
}

class CancelJobTest : public StoreTest {
 protected:
  void add_backup(const std::string& job, const std::string& command, const std::string& agent) {
    BackupJob j{job, agent, "[]", "pending", std::nullopt, at(1), at(1)};
    Command c{command, agent, job, "backup", "{}", "pending", at(1), at(1), std::nullopt, 0};
    FF_ASSERT_OK(store_->create_backup_job(j, c));
  }
};

TEST_P(CancelJobTest, PendingRestoreJobIsCancelledAndItsCommandWithdrawn) {
  add_snapshot("s1", "a1", at(0));
  add_job("rj-1", "c-1", "s1", "a1", at(1));
  auto r = store_->cancel_job(JobKind::kRestore, "rj-1", cancel_rule, at(5));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->previous_status, "pending");
  EXPECT_EQ(r->status, "cancelled");
  EXPECT_EQ(r->agent_id, "a1");
  EXPECT_EQ(r->snapshot_id, "s1");
  EXPECT_EQ(r->commands_withdrawn, 1);
  EXPECT_EQ(r->commands_delivered, 0);
  auto job = store_->get_restore_job("rj-1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "cancelled");
  EXPECT_EQ(job->updated_at, at(5));
  // The job's log says why it stopped.
  auto events = store_->list_job_events("rj-1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->back().event_type, "job_cancelled");
  EXPECT_EQ(events->back().agent_id, "a1");
  EXPECT_EQ(events->back().timestamp, at(5));
  EXPECT_NE(events->back().message.find("was pending"), std::string::npos);
  EXPECT_NE(events->back().metadata_json.find("\"commands_withdrawn\":1"), std::string::npos);
  // The agent never receives the command.
  auto leased = store_->lease_commands("a1", at(6), at(306), 10);
  ASSERT_TRUE(leased.ok());
  EXPECT_TRUE(leased->empty());
  auto any = store_->has_leasable_commands("a1", at(400));
  ASSERT_TRUE(any.ok());
  EXPECT_FALSE(*any);
}

TEST_P(CancelJobTest, DeliveredCommandIsCountedAndNeverRedelivered) {
  add_snapshot("s1", "a1", at(0));
  add_job("rj-1", "c-1", "s1", "a1", at(1));
  auto leased = store_->lease_commands("a1", at(2), at(12), 10);
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  FF_ASSERT_OK(store_->record_job_event(event("rj-1", "a1", "restore_started", at(3)),
                                        to_status("in_progress"), at(13)));
  auto r = store_->cancel_job(JobKind::kRestore, "rj-1", cancel_rule, at(4));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->previous_status, "in_progress");
  EXPECT_EQ(r->commands_delivered, 1);
  EXPECT_EQ(r->commands_withdrawn, 0);
  // Past the old lease: not handed out again.
  auto again = store_->lease_commands("a1", at(100), at(400), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_P(CancelJobTest, CancelledRestoreJobNoLongerPinsItsSnapshot) {
  add_snapshot("s1", "a1", at(0));
  add_job("rj-1", "c-1", "s1", "a1", at(1));
  FF_EXPECT_CODE(store_->delete_snapshot("s1"), Code::kConflict);
  FF_ASSERT_OK(store_->cancel_job(JobKind::kRestore, "rj-1", cancel_rule, at(2)));
  FF_EXPECT_OK(store_->delete_snapshot("s1"));
}

TEST_P(CancelJobTest, BackupJobOfTheSameKindTableIsCancelled) {
  add_backup("bj-1", "bc-1", "a2");
  auto r = store_->cancel_job(JobKind::kBackup, "bj-1", cancel_rule, at(3));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->kind, JobKind::kBackup);
  EXPECT_EQ(r->agent_id, "a2");
  EXPECT_EQ(r->commands_withdrawn, 1);
  auto job = store_->get_backup_job("bj-1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "cancelled");
  auto leased = store_->lease_commands("a2", at(4), at(304), 10);
  ASSERT_TRUE(leased.ok());
  EXPECT_TRUE(leased->empty());
}

TEST_P(CancelJobTest, UnknownJobOrWrongKindIsNotFound) {
  add_backup("bj-1", "bc-1", "a2");
  FF_EXPECT_CODE(store_->cancel_job(JobKind::kRestore, "bj-1", cancel_rule, at(3)),
                 Code::kNotFound);
  FF_EXPECT_CODE(store_->cancel_job(JobKind::kBackup, "nope", cancel_rule, at(3)), Code::kNotFound);
}

TEST_P(CancelJobTest, FinishedJobIsAConflictAndUnchanged) {
  add_snapshot("s1", "a1", at(0));
  add_job("rj-1", "c-1", "s1", "a1", at(1));
  FF_ASSERT_OK(store_->record_job_event(event("rj-1", "a1", "restore_completed", at(2)),
                                        to_status("completed"), at(12)));
  FF_EXPECT_CODE(store_->cancel_job(JobKind::kRestore, "rj-1", cancel_rule, at(3)),
                 Code::kConflict);
  auto job = store_->get_restore_job("rj-1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "completed");
  EXPECT_EQ(job->updated_at, at(2));
  // Cancelling twice: the second is a conflict too.
  add_backup("bj-1", "bc-1", "a2");
  FF_ASSERT_OK(store_->cancel_job(JobKind::kBackup, "bj-1", cancel_rule, at(4)));
  FF_EXPECT_CODE(store_->cancel_job(JobKind::kBackup, "bj-1", cancel_rule, at(5)), Code::kConflict);
}

INSTANTIATE_TEST_SUITE_P(Backends, CancelJobTest,
                         ::testing::Values(Backend::kSqliteFile, Backend::kSqliteMemory,
                                           Backend::kPostgres),
                         backend_label);

}  // namespace
}  // namespace ff::store::testing
