#include "core/job_rules.h"

#include <gtest/gtest.h>

namespace ff::core {
namespace {

TEST(JobRules, SeedEventMappingForRestoreJobs) {
  EXPECT_EQ(*next_job_status("restore", kPending, "restore_started"), kInProgress);
  EXPECT_EQ(*next_job_status("restore", kPending, "restore_in_progress"), kInProgress);
  EXPECT_EQ(*next_job_status("restore", kInProgress, "restore_completed"), kCompleted);
  EXPECT_EQ(*next_job_status("restore", kInProgress, "restore_success"), kCompleted);
  EXPECT_EQ(*next_job_status("restore", kInProgress, "restore_failed"), kFailed);
  EXPECT_EQ(*next_job_status("restore", kPending, "error"), kFailed);
}

TEST(JobRules, UnknownEventsLeaveStatusAlone) {
  EXPECT_EQ(*next_job_status("restore", kPending, "info"), kPending);
  EXPECT_EQ(*next_job_status("restore", kInProgress, "heartbeat"), kInProgress);
  EXPECT_EQ(*next_job_status("restore", kInProgress, "restore_started"), kInProgress);
}

TEST(JobRules, CancelMovesUnfinishedJobsToCancelled) {
  for (const char* open : {kPending, kInProgress}) {
    auto r = status_after_cancel(open);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(*r, kCancelled);
  }
}

TEST(JobRules, CancelOfAFinishedJobIsAConflictNamingItsStatus) {
  for (const char* done : {kCompleted, kFailed, kCancelled}) {
    auto r = status_after_cancel(done);
    EXPECT_EQ(r.status().code(), Code::kConflict);
    EXPECT_NE(r.status().message().find(done), std::string::npos) << r.status().message();
  }
}

TEST(JobRules, CancelledIsATerminalJobStatus) {
  EXPECT_TRUE(is_job_status(kCancelled));
  EXPECT_TRUE(is_terminal_job_status(kCancelled));
  EXPECT_FALSE(is_terminal_job_status(kInProgress));
  EXPECT_FALSE(is_job_status("canceled"));
  EXPECT_STREQ(job_kind_name(store::JobKind::kRestore), "restore");
  EXPECT_STREQ(job_kind_name(store::JobKind::kBackup), "backup");
}

TEST(JobRules, FinishedJobsNeverChange) {
  for (const char* done : {kCompleted, kFailed, kCancelled}) {
    auto r = next_job_status("restore", done, "restore_started");
    EXPECT_EQ(r.status().code(), Code::kConflict);
    EXPECT_EQ(next_job_status("restore", done, "info").status().code(), Code::kConflict);
  }
}

TEST(JobRules, BackupEventsMapForBackupJobs) {
  EXPECT_EQ(*next_job_status("backup", kPending, "backup_started"), kInProgress);
  EXPECT_EQ(*next_job_status("backup", kInProgress, "backup_completed"), kCompleted);
  EXPECT_EQ(*next_job_status("backup", kInProgress, "backup_failed"), kFailed);
  EXPECT_EQ(*next_job_status("backup", kPending, "restore_completed"), kPending);
}

}  // namespace
}  // namespace ff::core
