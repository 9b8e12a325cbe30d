#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "agent/retry.h"
#include "support/simulated_clock.h"

namespace ff::agent {
namespace {

// Random whose every draw is the same fraction of the range.
class FixedRandom final : public sys::Random {
 public:
  explicit FixedRandom(uint64_t v) : v_(v) {}
  std::string bytes(size_t n) override {
    std::string s(n, '\0');
    std::memcpy(s.data(), &v_, std::min(n, sizeof v_));
    return s;
  }

 private:
  uint64_t v_;
};

// A Waiter that records the delays and moves the simulated clock instead of sleeping.
class FakeWaiter final : public Waiter {
 public:
  explicit FakeWaiter(ff::testing::SimulatedClock& clock) : clock_(clock) {}
  bool wait_for(std::chrono::milliseconds d) override {
    waits.push_back(d.count());
    clock_.advance(d);
    if (stop_after > 0 && static_cast<int>(waits.size()) >= stop_after) stopped = true;
    return !stopped;
  }
  bool stop_requested() const override { return stopped; }
  std::vector<int64_t> waits;
  int stop_after = 0;
  bool stopped = false;

 private:
  ff::testing::SimulatedClock& clock_;
};

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Backoff, DoublesUpToTheCapWithoutJitterAtTheTop) {
  FixedRandom top(~uint64_t{0});  // unit ~ 1.0: the full delay
  Backoff b(BackoffPolicy{milliseconds(500), milliseconds(30'000), 2.0, 0.5}, top);
  std::vector<int64_t> got;
  for (int i = 0; i < 8; ++i) got.push_back(b.next().count());
  EXPECT_EQ(got, (std::vector<int64_t>{500, 1000, 2000, 4000, 8000, 16000, 30000, 30000}));
}

TEST(Backoff, JitterTakesAtMostHalfAway) {
  FixedRandom bottom(0);  // unit = 0: the smallest delay
  Backoff b(BackoffPolicy{milliseconds(500), milliseconds(30'000), 2.0, 0.5}, bottom);
  std::vector<int64_t> got;
  for (int i = 0; i < 4; ++i) got.push_back(b.next().count());
  EXPECT_EQ(got, (std::vector<int64_t>{250, 500, 1000, 2000}));
}

TEST(Backoff, RetryAfterIsAFloor) {
  FixedRandom bottom(0);
  Backoff b(BackoffPolicy{}, bottom);
  EXPECT_EQ(b.next(seconds(7)).count(), 7000);
  EXPECT_EQ(b.next(seconds(0)).count(), 500);
}

class RetrierTest : public ::testing::Test {
 protected:
  ff::testing::SimulatedClock clock_;
  FixedRandom random_{0};
  FakeWaiter waiter_{clock_};
  Retrier retrier_{BackoffPolicy{milliseconds(100), milliseconds(1000), 2.0, 0.5}, clock_, random_,
                   waiter_};
};

TEST_F(RetrierTest, RetriesTransientFailuresUntilSuccess) {
  int calls = 0;
  Status s = retrier_.run("op", [&] {
    ++calls;
    return Attempt{calls < 4 ? Unavailable("down") : OkStatus(), std::nullopt};
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(waiter_.waits, (std::vector<int64_t>{50, 100, 200}));
}

TEST_F(RetrierTest, HonoursRetryAfterOn429) {
  int calls = 0;
  Status s = retrier_.run("op", [&] {
    ++calls;
    return Attempt{calls == 1 ? RateLimited("slow down") : OkStatus(), seconds(3)};
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(waiter_.waits, (std::vector<int64_t>{3000}));
}

TEST_F(RetrierTest, PermanentErrorsAreNotRetried) {
  int calls = 0;
  Status s = retrier_.run("op", [&] {
    ++calls;
    return Attempt{NotFound("gone"), std::nullopt};
  });
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(waiter_.waits.empty());
}

TEST_F(RetrierTest, GivesUpAfterMaxElapsed) {
  BackoffPolicy p{milliseconds(100), milliseconds(1000), 2.0, 0.5};
  p.max_elapsed = seconds(2);
  int calls = 0;
  Status s = retrier_.run("op", p, [&] {
    ++calls;
    return Attempt{Unavailable("down"), std::nullopt};
  });
  EXPECT_EQ(s.code(), Code::kUnavailable);
  int64_t total = 0;
  for (auto w : waiter_.waits) total += w;
  EXPECT_LE(total, 2000);
  // 50+100+200+400+500+500 = 1750 ms; one more 500 ms wait would pass 2 s.
  EXPECT_EQ(waiter_.waits, (std::vector<int64_t>{50, 100, 200, 400, 500, 500}));
}

TEST_F(RetrierTest, StopsWhenStopIsRequested) {
  waiter_.stop_after = 2;
  int calls = 0;
  Status s = retrier_.run("op", [&] {
    ++calls;
    return Attempt{Unavailable("down"), std::nullopt};
  });
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(calls, 2);
}

TEST(StopSignal, WaitEndsEarlyOnStop) {
  StopSignal stop;
  EXPECT_TRUE(stop.wait_for(milliseconds(1)));
  stop.request_stop();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(stop.wait_for(milliseconds(10'000)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(1));
}

}  // namespace
}  // namespace ff::agent
