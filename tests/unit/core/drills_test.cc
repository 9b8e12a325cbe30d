// Restore drills through core::Service: choosing the snapshot, the command
// the agent gets, and the proof recorded when it completes.
#include <nlohmann/json.hpp>

#include "core/alerts.h"
#include "core/job_rules.h"
#include "unit/core/service_fixture.h"

namespace ff::core {
namespace {

class DrillsTest : public testing::ServiceFixture {
 protected:
  Status post(const std::string& agent, const std::string& job, const std::string& type) {
    AgentEventInput e;
    e.job_id = job;
    e.event_type = type;
    return service_->post_event(agent_claims(agent), agent, e);
  }
};

TEST_F(DrillsTest, AnAgentsDrillRestoresItsNewestSnapshotOnItself) {
  add_tar_snapshot("old", "a1", "one");
  add_tar_snapshot("new", "a1", "two");
  NewDrill req;
  req.agent_id = "a1";
  auto drill = service_->create_drill(operator_claims(), req);
  ASSERT_TRUE(drill.ok()) << drill.status().to_string();
  EXPECT_EQ(drill->job.kind, "drill");
  EXPECT_EQ(drill->job.snapshot_id, "new");
  EXPECT_EQ(drill->job.target_agent_id, "a1");
  auto commands = service_->poll_commands(agent_claims("a1"), "a1");
  ASSERT_TRUE(commands.ok());
  ASSERT_EQ(commands->size(), 1u);
  EXPECT_EQ(commands->front().command_type, "drill");
  auto payload = nlohmann::json::parse(commands->front().payload_json);
  EXPECT_EQ(payload["drill"], true);
  EXPECT_EQ(payload["snapshot_id"], "new");
  EXPECT_EQ(payload["job_id"], drill->job.id);
  EXPECT_FALSE(payload.contains("target_path"));
}

TEST_F(DrillsTest, ACompletedDrillProvesTheSnapshotAndItsOwner) {
  add_tar_snapshot("s1", "a1", "bytes");
  ASSERT_TRUE(store_->touch_agent("a2", clock_.now()).ok());
  NewDrill req;
  req.snapshot_id = "s1";
  req.target_agent_id = "a2";
  auto drill = service_->create_drill(operator_claims(), req);
  ASSERT_TRUE(drill.ok());
  ASSERT_TRUE(post("a2", drill->job.id, "drill_started").ok());
  EXPECT_FALSE(store_->get_snapshot("s1")->proven_restorable_at.has_value());
  clock_.advance(std::chrono::seconds(5));
  SystemTime proven = clock_.now();
  ASSERT_TRUE(post("a2", drill->job.id, "drill_completed").ok());
  EXPECT_EQ(store_->get_restore_job(drill->job.id)->status, kCompleted);
  EXPECT_EQ(store_->get_snapshot("s1")->proven_restorable_at, proven);
  // The machine whose data was proven is the snapshot's owner, not the drill's target.
  EXPECT_EQ(store_->get_agent("a1")->last_proven_restorable_at, proven);
  EXPECT_FALSE(store_->get_agent("a2")->last_proven_restorable_at.has_value());
}

TEST_F(DrillsTest, AFailedDrillProvesNothingAndRaisesDrillFailed) {
  add_tar_snapshot("s1", "a1", "bytes");
  NewDrill req;
  req.snapshot_id = "s1";
  auto drill = service_->create_drill(operator_claims(), req);
  ASSERT_TRUE(drill.ok());
  ASSERT_TRUE(post("a1", drill->job.id, "drill_failed").ok());
  EXPECT_EQ(store_->get_restore_job(drill->job.id)->status, kFailed);
  EXPECT_FALSE(store_->get_snapshot("s1")->proven_restorable_at.has_value());
  EXPECT_FALSE(store_->get_agent("a1")->last_proven_restorable_at.has_value());
  nlohmann::json record = {{"kind", "drill"}, {"job_id", drill->job.id}, {"status", "failed"}};
  auto alert = alert_for_record("job_status_changed", record, clock_.now());
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->event, kAlertDrillFailed);
}

TEST_F(DrillsTest, AProofLostInACrashIsRestoredFromTheCompletedDrill) {
  add_tar_snapshot("s1", "a1", "bytes");
  NewDrill req;
  req.snapshot_id = "s1";
  auto drill = service_->create_drill(operator_claims(), req);
  ASSERT_TRUE(drill.ok());
  // The completion recorded, the stamp not (as if the orchestrator stopped between).
  auto complete = [](const store::RestoreJob&) -> Result<std::string> {
    return std::string(kCompleted);
  };
  store::JobEvent e{0, drill->job.id, "a1", "drill_completed", "", "{}", clock_.now()};
  ASSERT_TRUE(store_->record_job_event(e, complete, clock_.now()).ok());
  EXPECT_FALSE(store_->get_snapshot("s1")->proven_restorable_at.has_value());
  auto repaired = store_->reconcile_drill_proofs();
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(*repaired, 1);
  EXPECT_EQ(store_->get_snapshot("s1")->proven_restorable_at, clock_.now());
  EXPECT_EQ(store_->get_agent("a1")->last_proven_restorable_at, clock_.now());
  EXPECT_EQ(*store_->reconcile_drill_proofs(), 0);
}

TEST_F(DrillsTest, RefusalsNameTheProblem) {
  add_tar_snapshot("s1", "a1", "bytes");
  ASSERT_TRUE(store_->touch_agent("empty", clock_.now()).ok());
  NewDrill neither;
  EXPECT_EQ(service_->create_drill(operator_claims(), neither).status().code(), Code::kValidation);
  NewDrill both;
  both.snapshot_id = "s1";
  both.agent_id = "a1";
  EXPECT_EQ(service_->create_drill(operator_claims(), both).status().code(), Code::kValidation);
  NewDrill unknown;
  unknown.agent_id = "nobody";
  EXPECT_EQ(service_->create_drill(operator_claims(), unknown).status().code(), Code::kNotFound);
  NewDrill nothing;
  nothing.agent_id = "empty";
  EXPECT_EQ(service_->create_drill(operator_claims(), nothing).status().code(), Code::kConflict);
  NewDrill bad_target;
  bad_target.snapshot_id = "s1";
  bad_target.target_agent_id = "nobody";
  EXPECT_EQ(service_->create_drill(operator_claims(), bad_target).status().code(), Code::kNotFound);
  NewDrill fine;
  fine.snapshot_id = "s1";
  EXPECT_EQ(service_->create_drill(viewer_claims(), fine).status().code(), Code::kPermissionDenied);
}

TEST_F(DrillsTest, ARunningDrillPinsItsSnapshotAndIsNotARestoreJob) {
  add_tar_snapshot("s1", "a1", "bytes");
  NewDrill req;
  req.snapshot_id = "s1";
  auto drill = service_->create_drill(operator_claims(), req);
  ASSERT_TRUE(drill.ok());
  EXPECT_EQ(service_->delete_snapshot(admin_claims(), "s1").code(), Code::kConflict);
  EXPECT_EQ(service_->get_restore_job(operator_claims(), drill->job.id).status().code(),
            Code::kNotFound);
  EXPECT_EQ(service_->list_restore_jobs(operator_claims(), {}, store::Page{})->total, 0);
  // An agent sees only drills it runs.
  EXPECT_EQ(
      service_->get_job(agent_claims("a2"), store::JobKind::kDrill, drill->job.id).status().code(),
      Code::kPermissionDenied);
  auto cancelled = service_->cancel_job(operator_claims(), store::JobKind::kDrill, drill->job.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->agent_notified, "withdrawn");
  EXPECT_TRUE(service_->delete_snapshot(admin_claims(), "s1").ok());
}

}  // namespace
}  // namespace ff::core
