#include "common/shared_work.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace ff {
namespace {

TEST(ShareWork, RunsEveryItemExactlyOnceOnAtMostTheThreadsAsked) {
  std::vector<std::atomic<int>> runs(1000);
  std::atomic<size_t> max_worker{0};
  Status s = share_work(runs.size(), 3, "test", [&](size_t worker, size_t item) {
    ++runs[item];
    size_t seen = max_worker.load();
    while (worker > seen && !max_worker.compare_exchange_weak(seen, worker)) {
    }
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s.to_string();
  for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].load(), 1) << i;
  EXPECT_LE(max_worker.load(), 2u);
}

TEST(ShareWork, NoItemsIsOkAndRunsNothing) {
  bool ran = false;
  EXPECT_TRUE(share_work(0, 4, "test", [&](size_t, size_t) {
                ran = true;
                return OkStatus();
              }).ok());
  EXPECT_FALSE(ran);
}

TEST(ShareWork, AFailureIsReturnedAndStopsHandingOutItems) {
  // One thread, so what "after" means is exact.
  std::atomic<int> after{0};
  Status s = share_work(100, 1, "test", [&](size_t, size_t item) -> Status {
    if (item == 5) return DataLoss("item 5 is bad");
    if (item > 5) ++after;
    return OkStatus();
  });
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_EQ(s.message(), "item 5 is bad");
  EXPECT_EQ(after.load(), 0);
}

TEST(ShareWork, AnExceptionBecomesAnInternalFailureNamingTheWork) {
  Status s = share_work(4, 2, "sealing blobs", [](size_t, size_t item) -> Status {
    if (item == 2) throw std::runtime_error("out of memory");
    return OkStatus();
  });
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "sealing blobs: out of memory");
}

}  // namespace
}  // namespace ff
