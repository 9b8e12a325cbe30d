#include "core/notifier.h"

#include <gtest/gtest.h>

namespace ff::core {
namespace {

TEST(Notifier, NotifyWakesSubscribersOfThatKeyOnce) {
  Notifier n;
  int a = 0, b = 0;
  n.subscribe("a", n.generation("a"), [&] { ++a; });
  n.subscribe("b", n.generation("b"), [&] { ++b; });
  n.notify("a");
  n.notify("a");
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 0);
}

TEST(Notifier, StaleGenerationFiresImmediately) {
  Notifier n;
  uint64_t seen = n.generation("a");
  n.notify("a");  // work arrived between looking and subscribing
  int fired = 0;
  EXPECT_EQ(n.subscribe("a", seen, [&] { ++fired; }), 0u);
  EXPECT_EQ(fired, 1);
}

TEST(Notifier, UnsubscribedCallbackNeverRuns) {
  Notifier n;
  int fired = 0;
  uint64_t id = n.subscribe("a", n.generation("a"), [&] { ++fired; });
  EXPECT_TRUE(n.unsubscribe(id));
  EXPECT_FALSE(n.unsubscribe(id));
  n.notify("a");
  EXPECT_EQ(fired, 0);
}

TEST(Notifier, ForwardsNotifyButNotNotifyLocal) {
  Notifier n;
  std::vector<std::string> forwarded;
  n.set_forward([&](const std::string& key) { forwarded.push_back(key); });
  int fired = 0;
  n.subscribe("a", n.generation("a"), [&] { ++fired; });
  n.notify_local("a");  // from another replica: woken here, not sent back
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(forwarded.empty());
  n.notify("b");
  EXPECT_EQ(forwarded, std::vector<std::string>{"b"});
}

TEST(Notifier, NotifyAllLocalWakesEveryPollerAndStalesTheirGenerations) {
  Notifier n;
  int a = 0, b = 0;
  uint64_t seen_c = n.generation("c");
  n.subscribe("a", n.generation("a"), [&] { ++a; });
  n.subscribe("b", n.generation("b"), [&] { ++b; });
  n.notify_all_local();  // wake-ups may have been missed: everyone looks again
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  // A poller that read its generation before, even of a key never notified,
  // looks again instead of parking.
  int c = 0;
  EXPECT_EQ(n.subscribe("c", seen_c, [&] { ++c; }), 0u);
  EXPECT_EQ(c, 1);
}

}  // namespace
}  // namespace ff::core
