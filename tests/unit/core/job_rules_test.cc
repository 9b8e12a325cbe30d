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

TEST(JobRules, FinishedJobsNeverChange) {
  for (const char* done : {kCompleted, kFailed}) {
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
