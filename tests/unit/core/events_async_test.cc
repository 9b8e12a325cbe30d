// Service::post_event_async: the event's change and WAL record are group
// committed by a WAL leader while no caller thread waits, and what may block
// afterwards (a status change's audit, a drill's proof, a backup job's own
// path) runs on the blocking executor.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/job_rules.h"
#include "unit/core/service_fixture.h"
#include "wal/reader.h"

namespace ff::core {
namespace {

// Runs each task on a thread of its own, joined at the end of the test.
class ThreadExecutor {
 public:
  ~ThreadExecutor() { join(); }
  void run(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    ++ran_;
    threads_.emplace_back(std::move(fn));
  }
  void join() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }
  int ran() {
    std::lock_guard lock(mu_);
    return ran_;
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
  int ran_ = 0;
};

struct Answer {
  Status status;
  EventRefusal refusal;
  std::thread::id thread;
};

class EventsAsyncTest : public testing::ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    service_->set_blocking_executor([this](std::function<void()> fn) { executor_.run(fn); });
  }
  void TearDown() override {
    executor_.join();
    wal_->close().ignore_error();
  }

  // Posts asynchronously and waits for the answer.
  Answer post(const std::string& agent, const std::string& job, const std::string& type) {
    AgentEventInput e;
    e.job_id = job;
    e.event_type = type;
    e.message = type;
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Answer> answer;
    service_->post_event_async(agent_claims(agent), agent, e, [&](Status s, EventRefusal r) {
      std::lock_guard lock(mu);
      answer = Answer{std::move(s), std::move(r), std::this_thread::get_id()};
      cv.notify_all();
    });
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return answer.has_value(); }));
    return answer.value_or(Answer{Internal("no answer"), {}, {}});
  }

  // The events recorded in the WAL, in order.
  std::vector<std::string> wal_events() {
    std::vector<std::string> events;
    auto records = wal::read_since(fs_, "/wal.log", 0, 1000);
    EXPECT_TRUE(records.ok()) << records.status().to_string();
    if (records.ok()) {
      for (const auto& r : *records) events.push_back(r->event);
    }
    return events;
  }

  std::string restore_job(const std::string& agent) {
    add_tar_snapshot("s-" + agent, agent, "bytes");
    NewRestoreJob req;
    req.snapshot_id = "s-" + agent;
    req.target_agent_id = agent;
    auto job = service_->create_restore_job(operator_claims(), req);
    EXPECT_TRUE(job.ok()) << job.status().to_string();
    return job.ok() ? job->job.id : "";
  }

  ThreadExecutor executor_;
};

TEST_F(EventsAsyncTest, ARestoreJobsEventsAreRecordedAndItsStatusChangesAudited) {
  std::string job = restore_job("a1");
  Answer started = post("a1", job, "restore_started");
  ASSERT_TRUE(started.status.ok()) << started.status.to_string();
  // Told off this thread: by the WAL's leader, or (a status change) the executor.
  EXPECT_NE(started.thread, std::this_thread::get_id());
  int blocking_runs = executor_.ran();
  EXPECT_GE(blocking_runs, 1);  // the status change's audit
  for (int i = 0; i < 5; ++i) {
    Answer progress = post("a1", job, "restore_in_progress");
    ASSERT_TRUE(progress.status.ok()) << progress.status.to_string();
    EXPECT_NE(progress.thread, std::this_thread::get_id());
  }
  // No status change: answered by the leader, nothing ran on the executor.
  EXPECT_EQ(executor_.ran(), blocking_runs);
  ASSERT_TRUE(post("a1", job, "restore_completed").status.ok());
  EXPECT_EQ(store_->get_restore_job(job)->status, kCompleted);
  auto events = store_->list_job_events(job);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 7u);
  auto wal = wal_events();
  EXPECT_EQ(std::count(wal.begin(), wal.end(), "agent_event"), 7);
  EXPECT_EQ(std::count(wal.begin(), wal.end(), "job_status_changed"), 2);
}

TEST_F(EventsAsyncTest, AnEventForAFinishedJobIsRefusedWithItsStatus) {
  std::string job = restore_job("a1");
  ASSERT_TRUE(post("a1", job, "restore_completed").status.ok());
  Answer late = post("a1", job, "restore_in_progress");
  EXPECT_EQ(late.status.code(), Code::kConflict) << late.status.to_string();
  EXPECT_EQ(late.refusal.job_status, kCompleted);
  Answer other = post("a2", job, "restore_in_progress");
  EXPECT_EQ(other.status.code(), Code::kPermissionDenied) << other.status.to_string();
  // Refused events leave no record behind.
  auto wal = wal_events();
  EXPECT_EQ(std::count(wal.begin(), wal.end(), "agent_event"), 1);
}

TEST_F(EventsAsyncTest, ABackupJobsEventTakesTheBackupPathOnTheExecutor) {
  ASSERT_TRUE(store_->touch_agent("a1", clock_.now()).ok());
  NewBackupJob req;
  req.agent_id = "a1";
  auto job = service_->create_backup_job(operator_claims(), req);
  ASSERT_TRUE(job.ok()) << job.status().to_string();
  Answer started = post("a1", job->job.id, "backup_started");
  ASSERT_TRUE(started.status.ok()) << started.status.to_string();
  EXPECT_GE(executor_.ran(), 1);
  EXPECT_EQ(store_->get_backup_job(job->job.id)->status, kInProgress);
  ASSERT_TRUE(post("a1", job->job.id, "backup_failed").status.ok());
  // The refusal found on the executor reaches the answer.
  Answer late = post("a1", job->job.id, "backup_in_progress");
  EXPECT_EQ(late.status.code(), Code::kConflict) << late.status.to_string();
  EXPECT_EQ(late.refusal.job_status, kFailed);
  auto wal = wal_events();
  EXPECT_EQ(std::count(wal.begin(), wal.end(), "agent_event"), 2);
}

TEST_F(EventsAsyncTest, ACompletedDrillIsProvenThroughTheAsynchronousPath) {
  add_tar_snapshot("s1", "a1", "bytes");
  NewDrill req;
  req.snapshot_id = "s1";
  auto drill = service_->create_drill(operator_claims(), req);
  ASSERT_TRUE(drill.ok()) << drill.status().to_string();
  ASSERT_TRUE(post("a1", drill->job.id, "drill_started").status.ok());
  ASSERT_TRUE(post("a1", drill->job.id, "drill_completed").status.ok());
  EXPECT_EQ(store_->get_snapshot("s1")->proven_restorable_at, clock_.now());
}

TEST_F(EventsAsyncTest, ConcurrentEventsAreAllAnsweredAndRecorded) {
  std::string job = restore_job("a1");
  ASSERT_TRUE(post("a1", job, "restore_started").status.ok());
  constexpr int kEvents = 160;  // within the agent's event burst (200)
  std::mutex mu;
  std::condition_variable cv;
  int ok = 0, answered = 0;
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < kEvents / 4; ++i) {
        AgentEventInput e;
        e.job_id = job;
        e.event_type = "restore_in_progress";
        service_->post_event_async(agent_claims("a1"), "a1", e, [&](Status s, EventRefusal) {
          std::lock_guard lock(mu);
          ++answered;
          if (s.ok()) ++ok;
          cv.notify_all();
        });
      }
    });
  }
  for (auto& t : posters) t.join();
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return answered == kEvents; }));
  EXPECT_EQ(ok, kEvents);
  lock.unlock();
  auto events = store_->list_job_events(job);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), size_t{kEvents + 1});
}

}  // namespace
}  // namespace ff::core
