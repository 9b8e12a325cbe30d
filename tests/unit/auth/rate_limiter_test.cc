#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

#include "support/simulated_clock.h"

namespace ff::auth {
namespace {

TEST(RateLimiter, AllowsBurstThenLimitsWithRetryAfter) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, 3, 0.5);
  int retry = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("1.2.3.4", &retry).ok());
  Status s = limiter.acquire("1.2.3.4", &retry);
  EXPECT_EQ(s.code(), Code::kRateLimited);
  EXPECT_EQ(retry, 2);
  EXPECT_TRUE(limiter.acquire("5.6.7.8", &retry).ok()) << "keys are independent";
}

TEST(RateLimiter, RefillsOverTime) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, 1, 1);
  int retry = 0;
  EXPECT_TRUE(limiter.acquire("k", &retry).ok());
  EXPECT_FALSE(limiter.acquire("k", &retry).ok());
  clock.advance(std::chrono::milliseconds(1001));
  EXPECT_TRUE(limiter.acquire("k", &retry).ok());
}

TEST(RateLimiter, MapStaysBounded) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, 2, 1, 100);
  int retry = 0;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.acquire(std::to_string(i), &retry).ok());
}

}  // namespace
}  // namespace ff::auth
