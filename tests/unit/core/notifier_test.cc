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

}  // namespace
}  // namespace ff::core
