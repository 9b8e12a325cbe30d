// The scheduler and the schedule use cases on a real Service
// (service_fixture.h: SQLite :memory:, the memory object store, a WAL on the
// memory file system and the simulated clock, 2027-01-15T08:00:00Z at the start).
#include "core/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/schedules.h"
#include "unit/core/service_fixture.h"

namespace ff::core {
namespace {

using std::chrono::seconds;

class RecordingAlerts final : public AlertNotifier {
 public:
  void notify(Alert alert) override {
    std::lock_guard lock(mu_);
    alerts_.push_back(std::move(alert));
  }
  std::vector<Alert> alerts() {
    std::lock_guard lock(mu_);
    return alerts_;
  }

 private:
  std::mutex mu_;
  std::vector<Alert> alerts_;
};

class SchedulerTest : public ff::testing::ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    ASSERT_TRUE(service_->touch_agent("a1").ok());
  }

  // A scheduler running backups for real plus the given runners.
  std::unique_ptr<Scheduler> scheduler(std::map<std::string, ScheduleRunner> runners = {},
                                       BackupSucceededHook hook = nullptr) {
    runners.emplace(kScheduleBackup, backup_runner(*service_));
    return std::make_unique<Scheduler>(*service_, &alerts_, std::move(runners), std::move(hook));
  }

  store::Schedule create(ScheduleInput in) {
    if (!in.agent_id) in.agent_id = "a1";
    if (!in.kind) in.kind = "backup";
    auto s = service_->create_schedule(in);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return s.ok() ? *s : store::Schedule{};
  }
  store::Schedule every(int64_t secs) {
    ScheduleInput in;
    in.interval_seconds = secs;
    return create(in);
  }
  store::Schedule reload(const std::string& id) { return *service_->get_schedule(id); }

  // Moves time on with the agent polling all along (it stays online).
  void advance_online(seconds d) {
    clock_.advance(d);
    ASSERT_TRUE(service_->touch_agent("a1").ok());
  }

  int64_t backup_jobs() {
    auto jobs = store_->list_backup_jobs({}, store::Page{1000, 0});
    return jobs.ok() ? jobs->total : -1;
  }

  TickReport tick(Scheduler& s) {
    auto r = s.tick();
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : TickReport{};
  }

  std::string wal_text() { return fs_.contents("/wal.log"); }

  SystemTime t(int64_t secs) { return from_unix_seconds(1'800'000'000 + secs); }

  RecordingAlerts alerts_;
};

TEST_F(SchedulerTest, IntervalScheduleFiresOnTimeAndAdvances) {
  auto sched = scheduler();
  store::Schedule s = every(60);
  EXPECT_EQ(s.next_run_at, t(60));
  advance_online(seconds(59));
  EXPECT_EQ(tick(*sched).ran, 0);
  advance_online(seconds(1));
  EXPECT_EQ(tick(*sched).ran, 1);
  EXPECT_EQ(backup_jobs(), 1);
  store::Schedule after = reload(s.id);
  EXPECT_EQ(after.next_run_at, t(120));
  EXPECT_EQ(after.last_status, kRunOk);
  EXPECT_EQ(after.last_run_at, t(60));
  ASSERT_TRUE(after.last_job_id.has_value());
  auto job = store_->get_backup_job(*after.last_job_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->agent_id, "a1");
  EXPECT_EQ(tick(*sched).ran, 0);  // the same occurrence runs once
  EXPECT_NE(wal_text().find("\"event\":\"schedule_run\""), std::string::npos);
}

TEST_F(SchedulerTest, BackupRunTakesTheSchedulesPaths) {
  auto sched = scheduler();
  ScheduleInput in;
  in.interval_seconds = 10;
  in.paths = std::vector<std::string>{"/srv/a", "/srv/b"};
  store::Schedule s = create(in);
  advance_online(seconds(10));
  EXPECT_EQ(tick(*sched).ran, 1);
  auto job = store_->get_backup_job(*reload(s.id).last_job_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->paths_json, R"(["/srv/a","/srv/b"])");
}

TEST_F(SchedulerTest, CronScheduleFiresOnItsMinute) {
  auto sched = scheduler();
  ScheduleInput in;
  in.cron = "*/5 * * * *";
  store::Schedule s = create(in);
  EXPECT_EQ(format_rfc3339(s.next_run_at), "2027-01-15T08:05:00Z");
  advance_online(seconds(299));
  EXPECT_EQ(tick(*sched).ran, 0);
  advance_online(seconds(1));
  EXPECT_EQ(tick(*sched).ran, 1);
  EXPECT_EQ(format_rfc3339(reload(s.id).next_run_at), "2027-01-15T08:10:00Z");
}

TEST_F(SchedulerTest, CatchUpRunsOnceAfterALongGap) {
  auto sched = scheduler();
  store::Schedule s = every(60);
  advance_online(seconds(3630));  // down for an hour: 60 occurrences missed
  EXPECT_EQ(tick(*sched).ran, 1);
  EXPECT_EQ(tick(*sched).ran, 0);
  EXPECT_EQ(backup_jobs(), 1);
  EXPECT_EQ(reload(s.id).next_run_at, t(3660));  // the interval keeps its phase
}

TEST_F(SchedulerTest, OfflineAgentGetsAMissedRunAndAnAlert) {
  auto sched = scheduler();
  store::Schedule s = every(120);
  clock_.advance(seconds(120));  // unseen for 120 s > ORCH_AGENT_OFFLINE (60 s)
  TickReport r = tick(*sched);
  EXPECT_EQ(r.missed, 1);
  EXPECT_EQ(r.ran, 0);
  EXPECT_EQ(backup_jobs(), 0);
  store::Schedule after = reload(s.id);
  EXPECT_EQ(after.last_status, kRunMissed);
  EXPECT_EQ(after.last_error, "agent offline");
  EXPECT_EQ(after.next_run_at, t(240));
  auto alerts = alerts_.alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event, kAlertBackupMissed);
  EXPECT_EQ(alerts[0].data["schedule_id"], s.id);
  EXPECT_EQ(alerts[0].data["agent_id"], "a1");
  EXPECT_NE(wal_text().find("\"event\":\"schedule_missed\""), std::string::npos);
}

TEST_F(SchedulerTest, KindWithoutRunnerRecordsAFailedRun) {
  auto sched = scheduler();
  ScheduleInput in;
  in.kind = "verify";
  in.interval_seconds = 10;
  store::Schedule s = create(in);
  advance_online(seconds(10));
  EXPECT_EQ(tick(*sched).failed, 1);
  store::Schedule after = reload(s.id);
  EXPECT_EQ(after.last_status, kRunFailed);
  EXPECT_EQ(after.last_error, "no runner for kind verify");
  EXPECT_EQ(after.next_run_at, t(20));
}

TEST_F(SchedulerTest, RegisteredRunnerRunsItsKind) {
  std::vector<std::string> ran;
  auto sched = scheduler({{kScheduleDrill, [&](const store::Schedule& s) -> Result<std::string> {
                             ran.push_back(s.id);
                             return std::string("dr-1");
                           }}});
  ScheduleInput in;
  in.kind = "drill";
  in.interval_seconds = 10;
  in.target_agent_id = std::optional<std::string>("a1");
  store::Schedule s = create(in);
  advance_online(seconds(10));
  EXPECT_EQ(tick(*sched).ran, 1);
  EXPECT_EQ(ran, std::vector<std::string>{s.id});
  EXPECT_EQ(reload(s.id).last_job_id, "dr-1");
}

TEST_F(SchedulerTest, DrillOnAnOfflineTargetIsMissedWithoutABackupAlert) {
  int runs = 0;
  auto sched = scheduler({{kScheduleDrill, [&](const store::Schedule&) -> Result<std::string> {
                             ++runs;
                             return std::string("dr-1");
                           }}});
  ASSERT_TRUE(service_->touch_agent("a2").ok());
  ScheduleInput in;
  in.kind = "drill";
  in.interval_seconds = 120;
  in.target_agent_id = std::optional<std::string>("a2");
  store::Schedule s = create(in);
  advance_online(seconds(120));  // a1 polls, the target a2 does not
  TickReport r = tick(*sched);
  EXPECT_EQ(r.missed, 1);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(reload(s.id).last_status, kRunMissed);
  EXPECT_TRUE(alerts_.alerts().empty());
  EXPECT_NE(wal_text().find("\"event\":\"schedule_missed\""), std::string::npos);
}

TEST_F(SchedulerTest, TwoSchedulersOnOneDatabaseNeverRunTheSameOccurrence) {
  std::atomic<int> runs{0};
  auto counting = [&](const store::Schedule&) -> Result<std::string> {
    ++runs;
    return std::string("job");
  };
  auto a = scheduler({{kScheduleVerify, counting}});
  auto b = scheduler({{kScheduleVerify, counting}});
  for (int i = 0; i < 5; ++i) {
    ScheduleInput in;
    in.kind = "verify";
    in.interval_seconds = 10;
    create(in);
  }
  for (int round = 0; round < 20; ++round) {
    advance_online(seconds(10));
    std::thread other([&] { (void)b->tick(); });
    (void)a->tick();
    other.join();
  }
  EXPECT_EQ(runs.load(), 5 * 20);
}

TEST_F(SchedulerTest, RetentionRunsOncePerCompletedBackup) {
  std::vector<std::string> applied;
  auto sched = scheduler({}, [&](const store::Schedule&, const std::string& job) {
    applied.push_back(job);
    return OkStatus();
  });
  ScheduleInput in;
  in.interval_seconds = 60;
  in.retention = nlohmann::json{{"keep_last", 3}};
  store::Schedule s = create(in);
  advance_online(seconds(60));
  tick(*sched);
  std::string job = *reload(s.id).last_job_id;
  EXPECT_TRUE(applied.empty());  // not completed yet
  auto done = store_->record_backup_job_event(
      store::JobEvent{0, job, "a1", "backup_completed", "", "{}", clock_.now()},
      [](const store::BackupJob&) -> Result<std::string> { return std::string("completed"); },
      std::nullopt, clock_.now());
  ASSERT_TRUE(done.ok()) << done.status().to_string();
  tick(*sched);
  tick(*sched);
  EXPECT_EQ(applied, std::vector<std::string>{job});
  EXPECT_EQ(reload(s.id).retention_applied_job_id, job);
}

TEST_F(SchedulerTest, FailedRetentionIsRetried) {
  int calls = 0;
  auto sched = scheduler({}, [&](const store::Schedule&, const std::string&) {
    return ++calls == 1 ? Unavailable("database down") : OkStatus();
  });
  ScheduleInput in;
  in.interval_seconds = 60;
  in.retention = nlohmann::json{{"keep_daily", 7}};
  store::Schedule s = create(in);
  advance_online(seconds(60));
  tick(*sched);
  std::string job = *reload(s.id).last_job_id;
  ASSERT_TRUE(store_
                  ->record_backup_job_event(
                      store::JobEvent{0, job, "a1", "backup_completed", "", "{}", clock_.now()},
                      [](const store::BackupJob&) -> Result<std::string> {
                        return std::string("completed");
                      },
                      std::nullopt, clock_.now())
                  .ok());
  EXPECT_EQ(tick(*sched).retention_applied, 0);
  EXPECT_EQ(tick(*sched).retention_applied, 1);
  EXPECT_EQ(tick(*sched).retention_applied, 0);
  EXPECT_EQ(calls, 2);
}

TEST_F(SchedulerTest, StopIsPrompt) {
  auto sched = scheduler();
  sched->start();
  auto before = std::chrono::steady_clock::now();
  sched->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(500));
}

// --- the use cases

Status create_status(Service& service, ScheduleInput in) {
  if (!in.agent_id) in.agent_id = "a1";
  if (!in.kind) in.kind = "backup";
  return service.create_schedule(in).status();
}

TEST_F(SchedulerTest, CreateRefusesBadSettingsNamingTheField) {
  auto expect = [&](ScheduleInput in, Code code, const std::string& prefix) {
    Status st = create_status(*service_, std::move(in));
    EXPECT_EQ(st.code(), code) << st.to_string();
    EXPECT_EQ(std::string(st.message()).substr(0, prefix.size()), prefix) << st.to_string();
  };
  ScheduleInput in;
  in.interval_seconds = 9;
  expect(in, Code::kValidation, "interval_seconds:");
  in = {};
  expect(in, Code::kValidation, "cron:");  // neither
  in.interval_seconds = 60;
  in.cron = "* * * * *";
  expect(in, Code::kValidation, "cron:");  // both
  in = {};
  in.cron = "* * * 13 *";
  expect(in, Code::kValidation, "cron: month:");
  in = {};
  in.interval_seconds = 60;
  in.kind = "restore";
  expect(in, Code::kValidation, "kind:");
  in.kind = "backup";
  in.agent_id = "ghost";
  expect(in, Code::kNotFound, "agent ghost not found");
  in.agent_id = "bad id!";
  expect(in, Code::kValidation, "agent_id");
  in.agent_id = "a1";
  in.retention = nlohmann::json{{"keep_forever", 1}};
  expect(in, Code::kValidation, "retention:");
  in.retention = nlohmann::json::object();
  expect(in, Code::kValidation, "retention:");
  in.retention = nlohmann::json{{"keep_last", -1}};
  expect(in, Code::kValidation, "retention:");
  in.retention.reset();
  in.target_agent_id = std::optional<std::string>("a1");
  expect(in, Code::kValidation, "target_agent_id:");
  in.kind = "drill";
  in.target_agent_id = std::optional<std::string>("ghost");
  expect(in, Code::kNotFound, "agent ghost not found");
  in.target_agent_id.reset();
  in.kind = "verify";
  in.paths = std::vector<std::string>{"/x"};
  expect(in, Code::kValidation, "paths:");
  in.kind = "backup";
  in.paths = std::vector<std::string>{""};
  expect(in, Code::kValidation, "paths:");
}

TEST_F(SchedulerTest, PatchRetimesAndDisables) {
  auto sched = scheduler();
  store::Schedule s = every(60);
  advance_online(seconds(30));
  ScheduleInput in;
  in.cron = "0 9 * * *";
  auto patched = service_->update_schedule(s.id, in);
  ASSERT_TRUE(patched.ok()) << patched.status().to_string();
  EXPECT_FALSE(patched->interval_seconds.has_value());
  EXPECT_EQ(format_rfc3339(patched->next_run_at), "2027-01-15T09:00:00Z");

  ScheduleInput off;
  off.enabled = false;
  ASSERT_TRUE(service_->update_schedule(s.id, off).ok());
  advance_online(seconds(3600));
  EXPECT_EQ(tick(*sched).ran, 0);  // disabled: 09:00 passes

  ScheduleInput on;
  on.enabled = true;
  auto again = service_->update_schedule(s.id, on);
  ASSERT_TRUE(again.ok());
  // Re-enabled: from now on, no catch-up for the time it was off.
  EXPECT_EQ(format_rfc3339(again->next_run_at), "2027-01-16T09:00:00Z");

  ScheduleInput bad;
  bad.interval_seconds = 1;
  EXPECT_EQ(service_->update_schedule(s.id, bad).status().code(), Code::kValidation);
  EXPECT_EQ(service_->update_schedule("sch-nope", on).status().code(), Code::kNotFound);
  ASSERT_TRUE(service_->delete_schedule(s.id).ok());
  EXPECT_EQ(service_->get_schedule(s.id).status().code(), Code::kNotFound);
  EXPECT_NE(wal_text().find("\"event\":\"schedule_deleted\""), std::string::npos);
}

}  // namespace
}  // namespace ff::core
