// Service::touch_agent batches the sightings of agents it has written before.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "unit/core/service_fixture.h"

namespace ff::core {
namespace {

using namespace std::chrono_literals;

class AgentSightingsTest : public testing::ServiceFixture {
 protected:
  SystemTime last_seen(const std::string& id) {
    auto a = store_->get_agent(id);
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? a->last_seen : SystemTime{};
  }
};

TEST_F(AgentSightingsTest, WritesANewAgentAtOnceAndBatchesLaterSightings) {
  const SystemTime t0 = clock_.now();
  ASSERT_TRUE(service_->touch_agent("a1").ok());
  ASSERT_TRUE(service_->touch_agent("a2").ok());
  EXPECT_EQ(last_seen("a1"), t0);  // listed as soon as the call returns
  EXPECT_EQ(last_seen("a2"), t0);

  clock_.advance(2s);  // the first later sighting flushes: nothing was batched for a second
  ASSERT_TRUE(service_->touch_agent("a1").ok());
  EXPECT_EQ(last_seen("a1"), t0 + 2s);

  clock_.advance(500ms);  // within a second of that batch: kept for the next one
  ASSERT_TRUE(service_->touch_agent("a2").ok());
  EXPECT_EQ(last_seen("a2"), t0);

  clock_.advance(600ms);  // a second after the last batch: this caller writes both
  ASSERT_TRUE(service_->touch_agent("a1").ok());
  EXPECT_EQ(last_seen("a1"), t0 + 3100ms);
  EXPECT_EQ(last_seen("a2"), t0 + 2500ms);
}

TEST_F(AgentSightingsTest, ConcurrentFirstSightingsAreEachWrittenBeforeTheirCallReturns) {
  // A fleet registering at once: new agents' first sightings share writes,
  // and still each is in the database when its own call returns.
  std::atomic<int> missing{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string id = "fleet-" + std::to_string(t) + "-" + std::to_string(i);
        if (!service_->touch_agent(id).ok()) ++failed;
        if (!store_->get_agent(id).ok()) ++missing;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(missing.load(), 0);
  auto agents = store_->list_agents();
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(agents->size(), 320u);
}

TEST_F(AgentSightingsTest, FlushWritesWhatIsBatched) {
  const SystemTime t0 = clock_.now();
  ASSERT_TRUE(service_->touch_agent("a1").ok());
  clock_.advance(2s);
  ASSERT_TRUE(service_->touch_agent("a2").ok());  // new: written; a1 has nothing batched
  clock_.advance(1s);
  ASSERT_TRUE(service_->touch_agent("a1").ok());  // flushes: no batch was written before
  clock_.advance(200ms);
  ASSERT_TRUE(service_->touch_agent("a2").ok());  // batched
  EXPECT_EQ(last_seen("a2"), t0 + 2s);
  ASSERT_TRUE(service_->flush_touches().ok());
  EXPECT_EQ(last_seen("a2"), t0 + 3200ms);
  ASSERT_TRUE(service_->flush_touches().ok());  // nothing left: no write, no error
}

}  // namespace
}  // namespace ff::core
