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
  EXPECT_EQ(limiter.size(), 100u);
}

// IPv4 address for churn key i (10.0.0.0/8 holds 16M of them).
std::string churn_address(int i) {
  return "10." + std::to_string((i >> 16) & 0xff) + "." + std::to_string((i >> 8) & 0xff) + "." +
         std::to_string(i & 0xff);
}

TEST(RateLimiter, HotAttackerStaysLimitedWhileOtherKeysChurnPastTheBound) {
  // The old limiter cleared every bucket once 100k keys were held: spraying
  // fresh addresses reset the attacker's bucket. Eviction is now LRU, so a
  // client that keeps asking keeps its debt.
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, 5, 0.01);  // default bound: 100000 keys
  const std::string attacker = "203.0.113.7";
  int retry = 0;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.acquire(attacker, &retry).ok());
  ASSERT_EQ(limiter.acquire(attacker, &retry).code(), Code::kRateLimited);
  int churned = 0;
  for (int round = 0; round < 25; ++round) {
    for (int i = 0; i < 10000; ++i) {
      ASSERT_TRUE(limiter.acquire(churn_address(churned++), &retry).ok());
    }
    clock.advance(std::chrono::milliseconds(10));
    EXPECT_EQ(limiter.acquire(attacker, &retry).code(), Code::kRateLimited)
        << "after " << churned << " other keys";
  }
  EXPECT_GT(churned, 200000);
  EXPECT_EQ(limiter.size(), 100000u);
}

TEST(RateLimiter, EvictsTheLeastRecentlyUsedBucket) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, 1, 0.001, 3);
  int retry = 0;
  for (const char* k : {"1.0.0.1", "1.0.0.2", "1.0.0.3"})
    ASSERT_TRUE(limiter.acquire(k, &retry).ok());
  // Touch .1 so .2 is now the coldest; a fourth key pushes .2 out.
  EXPECT_FALSE(limiter.acquire("1.0.0.1", &retry).ok());
  ASSERT_TRUE(limiter.acquire("1.0.0.4", &retry).ok());
  EXPECT_FALSE(limiter.acquire("1.0.0.1", &retry).ok()) << ".1 kept its empty bucket";
  EXPECT_FALSE(limiter.acquire("1.0.0.3", &retry).ok()) << ".3 kept its empty bucket";
  EXPECT_TRUE(limiter.acquire("1.0.0.2", &retry).ok()) << ".2 was forgotten: a fresh bucket";
}

TEST(RateLimiter, AddressesInOneIpv6Slash64ShareABucket) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, 2, 0.01);
  int retry = 0;
  EXPECT_TRUE(limiter.acquire("2001:db8:1:2::1", &retry).ok());
  EXPECT_TRUE(limiter.acquire("2001:db8:1:2:ffff:ffff:ffff:fffe", &retry).ok());
  EXPECT_EQ(limiter.acquire("2001:db8:1:2:abcd::9", &retry).code(), Code::kRateLimited)
      << "a third address in the same /64 finds the bucket empty";
  EXPECT_TRUE(limiter.acquire("2001:db8:1:3::1", &retry).ok()) << "the next /64 is another bucket";
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiter, Ipv4MappedIpv6SharesTheIpv4Bucket) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, 1, 0.01);
  int retry = 0;
  EXPECT_TRUE(limiter.acquire("::ffff:198.51.100.4", &retry).ok());
  EXPECT_EQ(limiter.acquire("198.51.100.4", &retry).code(), Code::kRateLimited);
  EXPECT_TRUE(limiter.acquire("198.51.100.5", &retry).ok()) << "IPv4 is bucketed per address";
}

TEST(AddressBucket, GroupsAddresses) {
  EXPECT_EQ(address_bucket("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(address_bucket("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(address_bucket("::FFFF:c000:0201"), "192.0.2.1");
  EXPECT_EQ(address_bucket("2001:db8:0:0:1:2:3:4"), "2001:db8::/64");
  EXPECT_EQ(address_bucket("2001:DB8:a:b:c:d:e:f"), "2001:db8:a:b::/64");
  EXPECT_EQ(address_bucket("fe80::1%eth0"), "fe80::/64");
  EXPECT_EQ(address_bucket("::1"), "::/64");
  EXPECT_EQ(address_bucket("unknown"), "unknown");
  EXPECT_EQ(address_bucket(""), "");
}

}  // namespace
}  // namespace ff::auth
