// PostgreSQL-only behaviour: recovery from lost connections. Skipped when
// FF_TEST_PG_URL is not set.
#include <atomic>
#include <chrono>
#include <thread>

#include "store_test_support.h"

namespace ff::store::testing {
namespace {

class PostgresRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (pg_test_url().empty()) GTEST_SKIP() << "FF_TEST_PG_URL is not set: PostgreSQL test skipped";
    schema_ = "ff_recovery_" + std::to_string(::getpid());
    std::string base = pg_test_url();
    url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "schema=" + schema_ +
           "&application_name=" + schema_;
    auto opened = open_store(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    FF_ASSERT_OK(store_->migrate());
  }
  void TearDown() override {
    store_.reset();
    if (!schema_.empty()) pg_exec(pg_test_url(), "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  // Terminates every server process serving this test's store right now and
  // waits until those processes are gone.
  void terminate_store_backends() {
    std::string pids = pg_exec(pg_test_url(),
                               "SELECT string_agg(pid::text, ',') FROM pg_stat_activity "
                               "WHERE application_name = '" +
                                   schema_ + "'");
    ASSERT_FALSE(pids.empty()) << "the store has no connections to terminate";
    pg_exec(pg_test_url(),
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid IN (" + pids +
                ")");
    for (int i = 0; i < 100; ++i) {
      std::string left = pg_exec(
          pg_test_url(), "SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + pids + ")");
      if (left == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "terminated backends did not go away";
  }

  std::string schema_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresRecoveryTest, StoreRecoversAfterItsConnectionsAreTerminated) {
  Snapshot s{"s1", "a1", std::string(64, 'b'), 1, "{}", "pending", at(0), std::nullopt};
  FF_ASSERT_OK(store_->insert_snapshot(s));
  // Several threads at once, so the pool holds several idle connections.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) EXPECT_TRUE(store_->get_snapshot("s1").ok());
    });
  }
  for (auto& t : threads) t.join();

  terminate_store_backends();

  auto first = store_->get_snapshot("s1");
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), Code::kUnavailable);
  }
  auto second = store_->get_snapshot("s1");
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  EXPECT_EQ(second->id, "s1");
  // Writes in transactions work again too.
  FF_EXPECT_OK(store_->delete_snapshot("s1"));
}

TEST_F(PostgresRecoveryTest, CallsDuringTerminationFailOnlyWithUnavailable) {
  Snapshot s{"s1", "a1", std::string(64, 'b'), 1, "{}", "pending", at(0), std::nullopt};
  FF_ASSERT_OK(store_->insert_snapshot(s));
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (!stop) {
        Status st = t % 2 == 0 ? store_->get_snapshot("s1").status()
                               : store_->touch_agent("a" + std::to_string(t), at(1));
        if (!st.ok() && st.code() != Code::kUnavailable) ++unexpected;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  terminate_store_backends();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  // Whatever failed during the storm, the store is healthy afterwards.
  auto after = store_->get_snapshot("s1");
  if (!after.ok()) after = store_->get_snapshot("s1");
  FF_EXPECT_OK(after);
}

}  // namespace
}  // namespace ff::store::testing
