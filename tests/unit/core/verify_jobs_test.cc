// Verify jobs through core::Service: what they find and what they change.
#include <nlohmann/json.hpp>

#include "core/job_rules.h"
#include "unit/core/service_fixture.h"

namespace ff::core {
namespace {

class VerifyJobsTest : public testing::ServiceFixture {
 protected:
  // Creates and runs a verify job; returns it as it ends, with its result line.
  RestoreJobView verify(NewVerifyJob req) {
    auto created = service_->create_verify_job(operator_claims(), req);
    EXPECT_TRUE(created.ok()) << created.status().to_string();
    auto ran = service_->run_next_verify_job();
    EXPECT_TRUE(ran.ok() && *ran) << ran.status().to_string();
    auto job = service_->get_job(operator_claims(), store::JobKind::kVerify, created->job.id);
    EXPECT_TRUE(job.ok());
    return *job;
  }
  static nlohmann::json result_of(const RestoreJobView& v) {
    return nlohmann::json::parse(v.logs.back().metadata_json);
  }
};

TEST_F(VerifyJobsTest, AnIntactSnapshotGetsVerifiedAt) {
  add_tar_snapshot("s1", "a1", std::string(5000, 'x'));
  NewVerifyJob req;
  req.snapshot_id = "s1";
  RestoreJobView done = verify(req);
  EXPECT_EQ(done.job.status, kCompleted);
  EXPECT_EQ(done.logs.back().event_type, "verify_completed");
  EXPECT_EQ(result_of(done)["snapshots_intact"], 1);
  EXPECT_EQ(result_of(done)["bytes_read"], 5000);
  auto snap = store_->get_snapshot("s1");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->status, kSnapshotAvailable);
  ASSERT_TRUE(snap->verified_at.has_value());
  EXPECT_EQ(*snap->verified_at, clock_.now());
}

TEST_F(VerifyJobsTest, AFlippedByteMakesTheSnapshotCorrupt) {
  std::string bytes(5000, 'x');
  add_tar_snapshot("s1", "a1", bytes);
  bytes[1234] = 'y';
  put_object(service_->object_key("s1"), bytes);
  NewVerifyJob req;
  req.snapshot_id = "s1";
  RestoreJobView done = verify(req);
  EXPECT_EQ(done.job.status, kCompleted);
  EXPECT_EQ(result_of(done)["snapshots_corrupt"], 1);
  EXPECT_EQ(result_of(done)["corrupt_snapshot_ids"], nlohmann::json::array({"s1"}));
  EXPECT_NE(result_of(done)["first_problem"].get<std::string>().find("checksum mismatch"),
            std::string::npos);
  auto snap = store_->get_snapshot("s1");
  EXPECT_EQ(snap->status, kSnapshotCorrupt);
  EXPECT_FALSE(snap->verified_at.has_value());
}

TEST_F(VerifyJobsTest, WithoutReadDataOnlyPresenceAndSizeAreChecked) {
  std::string bytes(5000, 'x');
  add_tar_snapshot("flipped", "a1", bytes);
  add_tar_snapshot("short", "a1", bytes);
  add_tar_snapshot("gone", "a1", bytes);
  bytes[10] = 'y';
  put_object(service_->object_key("flipped"), bytes);
  put_object(service_->object_key("short"), bytes.substr(0, 100));
  ASSERT_TRUE(blobs_.remove(service_->object_key("gone")).ok());
  NewVerifyJob req;
  req.agent_id = "a1";
  req.read_data = false;
  RestoreJobView done = verify(req);
  EXPECT_EQ(result_of(done)["snapshots_checked"], 3);
  EXPECT_EQ(result_of(done)["bytes_read"], 0);
  EXPECT_EQ(store_->get_snapshot("flipped")->status, kSnapshotAvailable);  // not read
  EXPECT_EQ(store_->get_snapshot("short")->status, kSnapshotCorrupt);
  EXPECT_EQ(store_->get_snapshot("gone")->status, kSnapshotCorrupt);
}

TEST_F(VerifyJobsTest, AnAgentScopeChecksOnlyThatAgentsSnapshots) {
  add_tar_snapshot("mine", "a1", "one");
  add_tar_snapshot("theirs", "a2", "two");
  NewVerifyJob req;
  req.agent_id = "a1";
  RestoreJobView done = verify(req);
  EXPECT_EQ(result_of(done)["snapshots_checked"], 1);
  EXPECT_TRUE(store_->get_snapshot("mine")->verified_at.has_value());
  EXPECT_FALSE(store_->get_snapshot("theirs")->verified_at.has_value());
}

TEST_F(VerifyJobsTest, ASubsetReadsAboutThatShareAndReportsTheRest) {
  for (int i = 0; i < 40; ++i) add_tar_snapshot("s" + std::to_string(i), "a1", "bytes");
  NewVerifyJob req;
  req.subset_percent = 25;
  RestoreJobView done = verify(req);
  int64_t checked = result_of(done)["objects_checked"];
  int64_t skipped = result_of(done)["objects_skipped"];
  EXPECT_EQ(checked + skipped, 40);
  EXPECT_GT(checked, 0);
  EXPECT_LT(checked, 40);
}

TEST_F(VerifyJobsTest, RequestsAreValidatedAndOperatorsOnly) {
  add_tar_snapshot("s1", "a1", "x");
  NewVerifyJob both;
  both.snapshot_id = "s1";
  both.agent_id = "a1";
  EXPECT_EQ(service_->create_verify_job(operator_claims(), both).status().code(),
            Code::kValidation);
  NewVerifyJob subset;
  subset.subset_percent = 0;
  EXPECT_EQ(service_->create_verify_job(operator_claims(), subset).status().code(),
            Code::kValidation);
  NewVerifyJob unknown_agent;
  unknown_agent.agent_id = "nobody";
  EXPECT_EQ(service_->create_verify_job(operator_claims(), unknown_agent).status().code(),
            Code::kNotFound);
  NewVerifyJob unknown_snapshot;
  unknown_snapshot.snapshot_id = "nothing";
  EXPECT_EQ(service_->create_verify_job(operator_claims(), unknown_snapshot).status().code(),
            Code::kNotFound);
  EXPECT_EQ(service_->create_verify_job(viewer_claims(), NewVerifyJob{}).status().code(),
            Code::kPermissionDenied);
}

TEST_F(VerifyJobsTest, AgentsCannotPostEventsForAVerifyJob) {
  add_tar_snapshot("s1", "a1", "x");
  NewVerifyJob req;
  req.snapshot_id = "s1";
  auto created = service_->create_verify_job(operator_claims(), req);
  ASSERT_TRUE(created.ok());
  AgentEventInput e;
  e.job_id = created->job.id;
  e.event_type = "verify_completed";
  EXPECT_EQ(service_->post_event(agent_claims("a1"), "a1", e).code(), Code::kPermissionDenied);
}

TEST_F(VerifyJobsTest, ACancelledJobIsNotRun) {
  add_tar_snapshot("s1", "a1", "x");
  auto created = service_->create_verify_job(operator_claims(), NewVerifyJob{});
  ASSERT_TRUE(created.ok());
  auto cancelled =
      service_->cancel_job(operator_claims(), store::JobKind::kVerify, created->job.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().to_string();
  auto ran = service_->run_next_verify_job();
  ASSERT_TRUE(ran.ok());
  EXPECT_FALSE(*ran);
  EXPECT_FALSE(store_->get_snapshot("s1")->verified_at.has_value());
}

TEST_F(VerifyJobsTest, AnAbandonedJobIsTakenUpAgainOnlyWhenStale) {
  add_tar_snapshot("s1", "a1", "x");
  auto created = service_->create_verify_job(operator_claims(), NewVerifyJob{});
  ASSERT_TRUE(created.ok());
  // An orchestrator claimed it and stopped: in_progress, no progress since.
  auto claim = [](const store::RestoreJob&) -> Result<std::string> {
    return std::string(kInProgress);
  };
  store::JobEvent started{0,    created->job.id, "orchestrator", "verify_started", "",
                          "{}", clock_.now()};
  ASSERT_TRUE(store_->record_job_event(started, claim, clock_.now()).ok());
  auto ran = service_->run_next_verify_job();
  ASSERT_TRUE(ran.ok());
  EXPECT_FALSE(*ran);
  clock_.advance(std::chrono::minutes(6));
  ran = service_->run_next_verify_job();
  ASSERT_TRUE(ran.ok());
  EXPECT_TRUE(*ran);
  EXPECT_EQ(store_->get_restore_job(created->job.id)->status, kCompleted);
}

TEST_F(VerifyJobsTest, VerifyJobsStayOutOfTheRestoreJobList) {
  add_tar_snapshot("s1", "a1", "x");
  NewVerifyJob req;
  req.snapshot_id = "s1";
  ASSERT_TRUE(service_->create_verify_job(operator_claims(), req).ok());
  auto restores = service_->list_restore_jobs(operator_claims(), {}, store::Page{});
  ASSERT_TRUE(restores.ok());
  EXPECT_EQ(restores->total, 0);
  auto verifies =
      service_->list_jobs(operator_claims(), store::JobKind::kVerify, {}, store::Page{});
  EXPECT_EQ(verifies->total, 1);
}

}  // namespace
}  // namespace ff::core
