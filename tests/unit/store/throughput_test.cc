// Throughput figures for the SQLite file backend, printed, never asserted.
// Disabled by default; run with
//   unit_store --gtest_also_run_disabled_tests --gtest_filter='StoreThroughput.*'
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "store_test_support.h"

namespace ff::store::testing {
namespace {

double per_second(int threads, int per_thread, const std::function<void(int, int)>& op) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) op(t, i);
    });
  }
  for (auto& w : workers) w.join();
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return threads * per_thread / took.count();
}

TEST(StoreThroughput, DISABLED_SqliteFileRecordJobEventAndGetRestoreJob) {
  auto dir = std::filesystem::temp_directory_path() / ("ff_tp_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto opened = open_store("sqlite:///" + (dir / "tp.db").string());
  ASSERT_TRUE(opened.ok());
  auto& store = *opened;
  FF_ASSERT_OK(store->migrate());
  Snapshot s{"s1", "a1", std::string(64, 'c'), 1, "{}", "available", at(0), at(1)};
  FF_ASSERT_OK(store->insert_snapshot(s));
  for (int j = 0; j < 8; ++j) {
    std::string id = "j" + std::to_string(j);
    FF_ASSERT_OK(
        store->create_restore_job(RestoreJob{id, "s1", "a2", "", "pending", at(2), at(2)},
                                  Command{"c" + std::to_string(j), "a2", id, "restore", "{}",
                                          "pending", at(2), at(2), std::nullopt, 0}));
  }
  auto in_progress = to_status("in_progress");
  for (int threads : {1, 4}) {
    double events = per_second(threads, 5000, [&](int t, int i) {
      JobEvent e{0,         "j" + std::to_string(t), "a2",      "restore_in_progress",
                 "working", R"({"percent":50})",     at(10 + i)};
      if (!store->record_job_event(e, in_progress, at(400)).ok()) ADD_FAILURE();
    });
    double reads = per_second(threads, 50000, [&](int t, int) {
      if (!store->get_restore_job("j" + std::to_string(t)).ok()) ADD_FAILURE();
    });
    std::printf("sqlite file, %d thread(s): record_job_event %.0f/s, get_restore_job %.0f/s\n",
                threads, events, reads);
  }
  opened = Status(Code::kInternal, "closed");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ff::store::testing
