// The PostgreSQL connection pool's queue, on a real server (FF_TEST_PG_URL).
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgres/pool.h"
#include "store/postgres/postgres_store.h"
#include "store_test_support.h"

namespace ff::store::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<postgres::Pool> pool_of_one() {
  auto options = postgres::options_from_url(pg_test_url());
  if (!options.ok()) return nullptr;
  return std::make_unique<postgres::Pool>(options->conninfo, "", 1, 10s);
}

void wait_for_waiters(const postgres::Pool& pool, size_t n) {
  for (int i = 0; i < 5000 && pool.waiting() < n; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(pool.waiting(), n);
}

TEST(PostgresPool, QueuedCallersAreServedInArrivalOrder) {
  if (pg_test_url().empty()) GTEST_SKIP() << "FF_TEST_PG_URL is not set";
  auto pool = pool_of_one();
  ASSERT_NE(pool, nullptr);
  std::promise<void> held, go;
  std::shared_future<void> go_f = go.get_future().share();
  std::thread holder([&] {
    FF_ASSERT_OK(pool->with_connection([&](postgres::Connection&) {
      held.set_value();
      go_f.wait();
      return OkStatus();
    }));
  });
  held.get_future().wait();
  std::mutex mu;
  std::vector<int> order;  // guarded by mu
  std::vector<std::thread> callers;
  for (int i = 0; i < 5; ++i) {
    callers.emplace_back([&, i] {
      FF_ASSERT_OK(pool->with_connection([&](postgres::Connection& c) {
        std::lock_guard lock(mu);
        order.push_back(i);
        return c.exec("SELECT 1").status();
      }));
    });
    wait_for_waiters(*pool, static_cast<size_t>(i + 1));
  }
  go.set_value();
  holder.join();
  for (auto& t : callers) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

// A thread that gives its connection back and asks again at once must not
// overtake a caller already queued.
TEST(PostgresPool, AReturningCallerDoesNotOvertakeTheQueue) {
  if (pg_test_url().empty()) GTEST_SKIP() << "FF_TEST_PG_URL is not set";
  auto pool = pool_of_one();
  ASSERT_NE(pool, nullptr);
  constexpr int kRounds = 50;
  std::atomic<int> rounds_done{0};
  std::promise<void> first, other_queued;
  std::shared_future<void> other_queued_f = other_queued.get_future().share();
  std::thread busy([&] {
    for (int i = 0; i < kRounds; ++i) {
      FF_ASSERT_OK(pool->with_connection([&](postgres::Connection&) {
        // Round 0 holds the connection until the other caller is queued, so
        // the test does not depend on how fast that thread starts.
        if (i == 0) {
          first.set_value();
          other_queued_f.wait();
        }
        std::this_thread::sleep_for(1ms);
        return OkStatus();
      }));
      ++rounds_done;
    }
  });
  first.get_future().wait();
  int seen = -1;
  std::thread queued([&] {
    FF_ASSERT_OK(pool->with_connection([&](postgres::Connection&) {
      seen = rounds_done.load();
      return OkStatus();
    }));
  });
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (pool->waiting() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(pool->waiting(), 1u);
  other_queued.set_value();
  queued.join();
  busy.join();
  // Served right after the busy thread's first round: the busy thread asked
  // again at once, but the queued caller was first in line.
  EXPECT_LE(seen, 1);
}

TEST(PostgresPool, AQueuedCallerGivesUpAfterTheAcquireTimeout) {
  if (pg_test_url().empty()) GTEST_SKIP() << "FF_TEST_PG_URL is not set";
  auto options = postgres::options_from_url(pg_test_url());
  ASSERT_TRUE(options.ok());
  postgres::Pool pool(options->conninfo, "", 1, 100ms);
  std::promise<void> held, go;
  std::shared_future<void> go_f = go.get_future().share();
  std::thread holder([&] {
    FF_ASSERT_OK(pool.with_connection([&](postgres::Connection&) {
      held.set_value();
      go_f.wait();
      return OkStatus();
    }));
  });
  held.get_future().wait();
  Status late = pool.with_connection([](postgres::Connection&) { return OkStatus(); });
  EXPECT_EQ(late.code(), Code::kUnavailable);
  EXPECT_EQ(pool.waiting(), 0u);
  go.set_value();
  holder.join();
  // The pool still works, and the one connection is reused.
  FF_ASSERT_OK(
      pool.with_connection([](postgres::Connection& c) { return c.exec("SELECT 1").status(); }));
}

// After warm_up, a burst of callers finds every connection already open.
TEST(PostgresPool, WarmUpOpensEveryConnectionBeforeTheFirstBurst) {
  if (pg_test_url().empty()) GTEST_SKIP() << "FF_TEST_PG_URL is not set";
  auto options = postgres::options_from_url(pg_test_url());
  ASSERT_TRUE(options.ok());
  postgres::Pool pool(options->conninfo, "", 3, 10s);
  pool.warm_up();
  auto micros = [](postgres::Connection& c, const char* sql, std::vector<int64_t>& out) -> Status {
    FF_ASSIGN_OR_RETURN(auto r, c.exec(sql));
    out.push_back(r.row(0).int64(0));
    return OkStatus();
  };
  std::vector<int64_t> warmed, starts;
  FF_ASSERT_OK(pool.with_connection([&](postgres::Connection& c) {
    return micros(c, "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint", warmed);
  }));
  const char* started =
      "SELECT (extract(epoch FROM backend_start) * 1000000)::bigint FROM pg_stat_activity "
      "WHERE pid = pg_backend_pid()";
  // Three at once: the third would be opened now without the warm-up.
  FF_ASSERT_OK(pool.with_connection([&](postgres::Connection& a) -> Status {
    FF_TRY(micros(a, started, starts));
    return pool.with_connection([&](postgres::Connection& b) -> Status {
      FF_TRY(micros(b, started, starts));
      return pool.with_connection(
          [&](postgres::Connection& c) { return micros(c, started, starts); });
    });
  }));
  ASSERT_EQ(starts.size(), 3u);
  for (int64_t s : starts) EXPECT_LT(s, warmed.at(0)) << "a connection opened after the warm-up";
}

}  // namespace
}  // namespace ff::store::testing
