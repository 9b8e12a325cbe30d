// Conformance: behaviour under concurrent callers, on every backend.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store_test_support.h"

namespace ff::store::testing {
namespace {

TEST_P(StoreTest, ConcurrentLeasesHandOutEachCommandExactlyOnce) {
  add_snapshot("s1", "a1", at(0));
  for (int i = 0; i < 100; ++i) {
    add_job("j" + std::to_string(i), "c" + std::to_string(i), "s1", "a2", at(i));
  }
  std::mutex mu;
  std::vector<std::string> got;  // guarded by mu
  std::vector<Status> errors;    // guarded by mu
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      while (true) {
        auto leased = store_->lease_commands("a2", at(1000), at(100000), 3);
        std::lock_guard lock(mu);
        if (!leased.ok()) {
          errors.push_back(leased.status());
          return;
        }
        if (leased->empty()) return;
        for (const auto& c : *leased) {
          got.push_back(c.id);
          EXPECT_EQ(c.delivery_count, 1) << c.id;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e.to_string();
  EXPECT_EQ(got.size(), 100u);
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), 100u);
}

TEST_P(StoreTest, ConcurrentEventsOnOneJobAreAllRecordedInOrder) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Status> errors;  // guarded by mu
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto r = store_->record_job_event(
            event("j1", "a2", "restore_in_progress_" + std::to_string(t), at(10 + i)),
            to_status("in_progress"), at(400));
        if (!r.ok()) {
          std::lock_guard lock(mu);
          errors.push_back(r.status());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e.to_string();
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 200u);
  EXPECT_TRUE(std::is_sorted(events->begin(), events->end(),
                             [](const JobEvent& a, const JobEvent& b) { return a.id < b.id; }));
}

// Each event moves the job from "step-N" to "step-N+1": if two events were
// ever decided on the same status, one step would be lost and the last
// status would fall short, or two results would name the same previous one.
TEST_P(StoreTest, ConcurrentEventsOnOneJobEachSeeTheStatusThePreviousOneLeft) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  JobTransition next_step = [](const RestoreJob& job) -> Result<std::string> {
    if (job.status == "pending") return std::string("step-1");
    return "step-" + std::to_string(std::stoi(job.status.substr(5)) + 1);
  };
  constexpr int kThreads = 8, kEach = 25;
  std::mutex mu;
  std::vector<std::string> previous;  // guarded by mu
  std::vector<Status> errors;         // guarded by mu
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store_->record_job_event(event("j1", "a2", "restore_in_progress", at(10 + i)),
                                          next_step, at(400));
        std::lock_guard lock(mu);
        if (r.ok()) {
          previous.push_back(r->previous_status);
        } else {
          errors.push_back(r.status());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e.to_string();
  constexpr int kTotal = kThreads * kEach;
  auto job = store_->get_restore_job("j1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "step-" + std::to_string(kTotal));
  std::set<std::string> distinct(previous.begin(), previous.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kTotal));
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), static_cast<size_t>(kTotal));
}

// A job that finishes while other events race for it: each racer either got
// in before the finishing event or was refused after it; none is recorded
// against the finished job.
TEST_P(StoreTest, EventsRacingAFinishingEventAreRecordedBeforeItOrRefused) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_TRUE(store_
                  ->record_job_event(event("j1", "a2", "restore_started", at(2)),
                                     to_status("in_progress"), at(400))
                  .ok());
  JobTransition progress = [](const RestoreJob& job) -> Result<std::string> {
    if (job.status != "in_progress") return Conflict("job finished");
    return std::string("in_progress");
  };
  std::atomic<int> recorded{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto r = store_->record_job_event(event("j1", "a2", "restore_in_progress", at(10 + i)),
                                          progress, at(400));
        if (r.ok()) {
          ++recorded;
        } else {
          EXPECT_EQ(r.status().code(), Code::kConflict) << r.status().to_string();
          ++refused;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto done = store_->record_job_event(event("j1", "a2", "restore_completed", at(30)),
                                       to_status("completed"), at(400));
  for (auto& t : threads) t.join();
  ASSERT_TRUE(done.ok()) << done.status().to_string();
  EXPECT_EQ(recorded + refused, 120);
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), static_cast<size_t>(2 + recorded.load()));
  EXPECT_EQ(events->back().event_type, "restore_completed");
  auto job = store_->get_restore_job("j1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "completed");
}

// The first event on a job is held inside its transition until `queued`
// more events for the job have been posted behind it: they wait for it
// together (on PostgreSQL they then go to the database as one batch).
class HeldFirstEvent {
 public:
  explicit HeldFirstEvent(int queued) : queued_(queued), release_(released_.get_future()) {}
  // Wraps `transition` so its first call waits for release().
  JobTransition hold(JobTransition transition) {
    return [this, transition](const RestoreJob& job) {
      if (!held_.exchange(true)) {
        entered_.set_value();
        release_.wait();
      }
      return transition(job);
    };
  }
  // Runs post(0), then, once it is held, post(1..queued) on threads of their
  // own; lets the first go once the others are about to post (and 50 ms
  // more to queue); returns when all are done.
  void run(const std::function<void(int)>& post) {
    std::vector<std::thread> threads;
    threads.emplace_back(post, 0);
    entered_.get_future().wait();
    std::atomic<int> posting{0};
    for (int i = 1; i <= queued_; ++i) {
      threads.emplace_back([&, i] {
        ++posting;
        post(i);
      });
    }
    while (posting.load() < queued_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    released_.set_value();
    for (auto& t : threads) t.join();
  }

 private:
  const int queued_;
  std::atomic<bool> held_{false};
  std::promise<void> entered_;
  std::promise<void> released_;
  std::shared_future<void> release_;
};

// How many transactions wrote the job's events (PostgreSQL: rows written by
// one statement share their xmin).
size_t event_transactions(const std::string& schema, const std::string& job) {
  return std::stoul(pg_exec(pg_test_url(), "SELECT count(DISTINCT xmin::text) FROM \"" + schema +
                                               "\".job_events WHERE job_id = '" + job + "'"));
}

// Events queued behind a busy one on the same job are each decided on the
// status the previous one left, are stored in that order, and leave the
// delivered command's lease where the last of them put it.
TEST_P(StoreTest, EventsQueuedBehindABusyOneOnTheSameJobAreRecordedInTurn) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  auto leased = store_->lease_commands("a2", at(2), at(100), 10);
  ASSERT_TRUE(leased.ok() && leased->size() == 1u);
  JobTransition next_step = [](const RestoreJob& job) -> Result<std::string> {
    if (job.status == "pending") return std::string("step-1");
    return "step-" + std::to_string(std::stoi(job.status.substr(5)) + 1);
  };
  constexpr int kQueued = 12;
  HeldFirstEvent held(kQueued);
  JobTransition transition = held.hold(next_step);
  std::mutex mu;
  std::map<std::string, std::string> previous_of;  // message -> previous status; guarded by mu
  std::vector<Status> errors;                      // guarded by mu
  auto post = [&](int i) {
    JobEvent e = event("j1", "a2", "restore_in_progress", at(10 + i));
    e.message = std::to_string(i);
    auto r = store_->record_job_event(e, transition, at(200 + i));
    std::lock_guard lock(mu);
    if (r.ok()) {
      previous_of[e.message] = r->previous_status;
    } else {
      errors.push_back(r.status());
    }
  };
  held.run(post);
  for (const auto& e : errors) ADD_FAILURE() << e.to_string();
  ASSERT_EQ(previous_of.size(), static_cast<size_t>(kQueued + 1));
  auto job = store_->get_restore_job("j1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "step-" + std::to_string(kQueued + 1));
  // In id order, the k-th event was decided on step-k (the first on pending).
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), static_cast<size_t>(kQueued + 1));
  std::sort(events->begin(), events->end(),
            [](const JobEvent& a, const JobEvent& b) { return a.id < b.id; });
  for (size_t k = 0; k < events->size(); ++k) {
    EXPECT_EQ(previous_of[(*events)[k].message], k == 0 ? "pending" : "step-" + std::to_string(k))
        << "event " << k << " (message " << (*events)[k].message << ")";
  }
  // The lease is the last event's.
  int last = std::stoi(events->back().message);
  auto before = store_->has_leasable_commands("a2", at(200 + last) - std::chrono::seconds(1));
  auto after = store_->has_leasable_commands("a2", at(200 + last));
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_FALSE(*before);
  EXPECT_TRUE(*after);
  if (GetParam() == Backend::kPostgres) {
    // The first alone, the queued ones together.
    EXPECT_LE(event_transactions(pg_schema(), "j1"), 2u);
  }
}

// A finishing event among events queued behind a busy one: those before it
// are recorded, those after it refused, and the commands are finished.
TEST_P(StoreTest, AFinishingEventAmongQueuedOnesEndsTheJobForThoseAfterIt) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_TRUE(store_->lease_commands("a2", at(2), at(100), 10).ok());
  JobTransition progress = [](const RestoreJob& job) -> Result<std::string> {
    if (job.status == "completed") return Conflict("job finished");
    return std::string("in_progress");
  };
  constexpr int kQueued = 12, kFinishing = 6;
  HeldFirstEvent held(kQueued);
  JobTransition held_progress = held.hold(progress);
  JobTransition finish = [&](const RestoreJob& job) -> Result<std::string> {
    if (job.status == "completed") return Conflict("job finished");
    return std::string("completed");
  };
  std::atomic<int> recorded{0}, refused{0};
  auto post = [&](int i) {
    bool finishing = i == kFinishing;
    JobEvent e =
        event("j1", "a2", finishing ? "restore_completed" : "restore_in_progress", at(10 + i));
    auto r = store_->record_job_event(e, finishing ? finish : held_progress, at(200 + i));
    if (r.ok()) {
      ++recorded;
    } else {
      EXPECT_EQ(r.status().code(), Code::kConflict) << r.status().to_string();
      EXPECT_NE(i, kFinishing);
      ++refused;
    }
  };
  held.run(post);
  EXPECT_EQ(recorded + refused, kQueued + 1);
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), static_cast<size_t>(recorded.load()));
  std::sort(events->begin(), events->end(),
            [](const JobEvent& a, const JobEvent& b) { return a.id < b.id; });
  EXPECT_EQ(events->back().event_type, "restore_completed");
  auto job = store_->get_restore_job("j1");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "completed");
  // The command is finished: never leasable again.
  auto open = store_->has_leasable_commands("a2", at(100000));
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(*open);
}

TEST_P(StoreTest, ConcurrentReadsAndWritesSucceed) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (t % 2 == 0) {
          if (!store_->get_restore_job("j1").ok()) ++failures;
          if (!store_->list_snapshots({}, Page{}).ok()) ++failures;
        } else {
          if (!store_->touch_agent("a" + std::to_string(t), at(i)).ok()) ++failures;
          if (!store_
                   ->record_job_event(event("j1", "a2", "restore_in_progress", at(i)),
                                      to_status("in_progress"), at(400))
                   .ok()) {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// A fleet registering at once: concurrent touch_agents calls (which a
// backend may write in one transaction) each return once their own agents
// are stored, and overlapping sightings keep the latest time.
TEST_P(StoreTest, ConcurrentSightingsAreEachStoredWhenTheirCallReturns) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  std::atomic<int> missing{0};
  std::mutex mu;
  std::vector<Status> errors;  // guarded by mu
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Each call: a new agent of its own, and one every thread shares.
        std::string own = "a" + std::to_string(t) + "-" + std::to_string(i);
        Status s = store_->touch_agents({{own, at(10 + i)}, {"shared", at(10 + i * kThreads + t)}});
        if (!s.ok()) {
          std::lock_guard lock(mu);
          errors.push_back(s);
          continue;
        }
        if (!store_->get_agent(own).ok()) ++missing;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e.to_string();
  EXPECT_EQ(missing.load(), 0);
  auto agents = store_->list_agents();
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(agents->size(), size_t{kThreads * kPerThread + 1});
  auto shared = store_->get_agent("shared");
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->last_seen, at(10 + (kPerThread - 1) * kThreads + kThreads - 1));
}

}  // namespace
}  // namespace ff::store::testing
