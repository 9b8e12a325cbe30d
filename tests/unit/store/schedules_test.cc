// Conformance: schedules (migration v006), on every backend.
#include "store_test_support.h"

namespace ff::store::testing {
namespace {

Schedule schedule(const std::string& id, SystemTime next, SystemTime created) {
  Schedule s;
  s.id = id;
  s.agent_id = "a1";
  s.kind = "backup";
  s.interval_seconds = 60;
  s.paths_json = R"(["/data"])";
  s.retention_json = R"({"keep_last":3})";
  s.next_run_at = next;
  s.created_at = s.updated_at = created;
  return s;
}

TEST_P(StoreTest, SchedulesRoundTripListAndDelete) {
  FF_ASSERT_OK(store_->insert_schedule(schedule("s1", at(60), at(0))));
  Schedule cron = schedule("s2", at(120), at(1));
  cron.kind = "drill";
  cron.interval_seconds.reset();
  cron.cron = "0 3 * * 0";
  cron.paths_json.reset();
  cron.retention_json.reset();
  cron.target_agent_id = "a2";
  cron.enabled = false;
  FF_ASSERT_OK(store_->insert_schedule(cron));
  FF_EXPECT_CODE(store_->insert_schedule(schedule("s1", at(60), at(2))), Code::kConflict);

  auto got = store_->get_schedule("s2");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->kind, "drill");
  EXPECT_EQ(got->cron, "0 3 * * 0");
  EXPECT_FALSE(got->interval_seconds.has_value());
  EXPECT_FALSE(got->paths_json.has_value());
  EXPECT_EQ(got->target_agent_id, "a2");
  EXPECT_FALSE(got->enabled);
  EXPECT_EQ(got->next_run_at, at(120));
  EXPECT_EQ(got->created_at, at(1));
  EXPECT_FALSE(got->last_run_at.has_value());

  auto list = store_->list_schedules();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "s1");
  EXPECT_EQ((*list)[0].interval_seconds, 60);
  EXPECT_EQ((*list)[0].paths_json, R"(["/data"])");
  EXPECT_EQ((*list)[0].retention_json, R"({"keep_last":3})");
  EXPECT_TRUE((*list)[0].enabled);

  FF_ASSERT_OK(store_->delete_schedule("s1"));
  FF_EXPECT_CODE(store_->delete_schedule("s1"), Code::kNotFound);
  FF_EXPECT_CODE(store_->get_schedule("s1"), Code::kNotFound);
}

TEST_P(StoreTest, UpdateScheduleKeepsTheRunHistory) {
  FF_ASSERT_OK(store_->insert_schedule(schedule("s1", at(60), at(0))));
  FF_ASSERT_OK(store_->record_schedule_run("s1", ScheduleRun{at(61), "bj-1", "ok", std::nullopt}));
  Schedule s = schedule("s1", at(300), at(0));
  s.interval_seconds.reset();
  s.cron = "*/5 * * * *";
  s.retention_json.reset();
  s.enabled = false;
  s.updated_at = at(62);
  FF_ASSERT_OK(store_->update_schedule(s));
  auto got = store_->get_schedule("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->cron, "*/5 * * * *");
  EXPECT_FALSE(got->interval_seconds.has_value());
  EXPECT_FALSE(got->retention_json.has_value());
  EXPECT_FALSE(got->enabled);
  EXPECT_EQ(got->next_run_at, at(300));
  EXPECT_EQ(got->updated_at, at(62));
  EXPECT_EQ(got->created_at, at(0));
  EXPECT_EQ(got->last_job_id, "bj-1");
  EXPECT_EQ(got->last_status, "ok");
  EXPECT_EQ(got->last_run_at, at(61));
  s.id = "nope";
  FF_EXPECT_CODE(store_->update_schedule(s), Code::kNotFound);
}

TEST_P(StoreTest, DueSchedulesAreEnabledAndPastTheirTimeEarliestFirst) {
  FF_ASSERT_OK(store_->insert_schedule(schedule("late", at(50), at(0))));
  FF_ASSERT_OK(store_->insert_schedule(schedule("early", at(10), at(0))));
  FF_ASSERT_OK(store_->insert_schedule(schedule("future", at(101), at(0))));
  Schedule off = schedule("off", at(5), at(0));
  off.enabled = false;
  FF_ASSERT_OK(store_->insert_schedule(off));
  auto due = store_->list_due_schedules(at(100), 10);
  ASSERT_TRUE(due.ok()) << due.status().to_string();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, "early");
  EXPECT_EQ((*due)[1].id, "late");
  auto one = store_->list_due_schedules(at(100), 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
}

TEST_P(StoreTest, ClaimingAnOccurrenceSucceedsOnce) {
  FF_ASSERT_OK(store_->insert_schedule(schedule("s1", at(60), at(0))));
  auto first = store_->claim_schedule("s1", at(60), at(120));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto second = store_->claim_schedule("s1", at(60), at(120));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  auto gone = store_->claim_schedule("nope", at(60), at(120));
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(*gone);
  EXPECT_EQ(store_->get_schedule("s1")->next_run_at, at(120));
}

TEST_P(StoreTest, ClaimsFromTwoStoresOnOneDatabaseNeverBothWin) {
  if (in_memory()) GTEST_SKIP() << "one connection only";
  auto other = open_second_store();
  FF_ASSERT_OK(store_->insert_schedule(schedule("s1", at(60), at(0))));
  auto a = store_->claim_schedule("s1", at(60), at(120));
  auto b = other->claim_schedule("s1", at(60), at(121));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST_P(StoreTest, MissedRunKeepsTheLastJob) {
  FF_ASSERT_OK(store_->insert_schedule(schedule("s1", at(60), at(0))));
  FF_ASSERT_OK(store_->record_schedule_run("s1", ScheduleRun{at(61), "bj-1", "ok", std::nullopt}));
  FF_ASSERT_OK(
      store_->record_schedule_run("s1", ScheduleRun{at(121), std::nullopt, "missed", "offline"}));
  auto got = store_->get_schedule("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->last_status, "missed");
  EXPECT_EQ(got->last_error, "offline");
  EXPECT_EQ(got->last_job_id, "bj-1");
  EXPECT_EQ(got->last_run_at, at(121));
  FF_EXPECT_CODE(store_->record_schedule_run("nope", ScheduleRun{at(1), {}, "ok", {}}),
                 Code::kNotFound);
}

TEST_P(StoreTest, RetentionAppliedIsACompareAndSet) {
  FF_ASSERT_OK(store_->insert_schedule(schedule("s1", at(60), at(0))));
  auto first = store_->swap_retention_applied("s1", std::nullopt, std::string("bj-1"));
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*store_->swap_retention_applied("s1", std::nullopt, std::string("bj-1")));
  EXPECT_TRUE(*store_->swap_retention_applied("s1", std::string("bj-1"), std::string("bj-2")));
  EXPECT_EQ(store_->get_schedule("s1")->retention_applied_job_id, "bj-2");
  EXPECT_TRUE(*store_->swap_retention_applied("s1", std::string("bj-2"), std::nullopt));
  EXPECT_FALSE(store_->get_schedule("s1")->retention_applied_job_id.has_value());
}

}  // namespace
}  // namespace ff::store::testing
