// RetryStore over a store whose operations fail transiently on demand, and
// MemoryStore's unavailability hook that drives it.
#include "blob/retry_store.h"

#include <gtest/gtest.h>

#include <map>

#include "blob/memory/memory_store.h"
#include "store_harness.h"

namespace ff::blob {
namespace {

using testing::read_all;

// Wraps a MemoryStore; the next `fail_next[op]` calls of an op fail with
// `code`, and readers break once after `break_reads_after` bytes.
class FlakyStore final : public BlobStore {
 public:
  std::string kind() const override { return "flaky"; }
  Status ensure_ready() override { return gate("ensure_ready"); }
  Status ping() override { return gate("ping"); }
  Result<std::unique_ptr<Writer>> create(const std::string& key, uint64_t size) override {
    FF_TRY(gate("create"));
    return inner.create(key, size);
  }
  Result<std::unique_ptr<Reader>> open(const std::string& key, uint64_t offset,
                                       std::optional<uint64_t> length) override {
    FF_TRY(gate("open"));
    opens.emplace_back(offset, length);
    FF_ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, inner.open(key, offset, length));
    if (break_reads_after == 0) return r;
    auto flaky = std::make_unique<FlakyReader>(std::move(r), break_reads_after);
    break_reads_after = 0;  // only the first reader breaks
    return std::unique_ptr<Reader>(std::move(flaky));
  }
  Result<ObjectInfo> stat(const std::string& key) override {
    FF_TRY(gate("stat"));
    return inner.stat(key);
  }
  Status remove(const std::string& key) override {
    FF_TRY(gate("remove"));
    return inner.remove(key);
  }
  Result<std::optional<std::string>> presign_put(const std::string& key,
                                                 std::chrono::seconds e) override {
    FF_TRY(gate("presign_put"));
    return inner.presign_put(key, e);
  }

  MemoryStore inner;
  std::map<std::string, int> fail_next;
  std::map<std::string, int> calls;
  Code code = Code::kUnavailable;
  size_t break_reads_after = 0;
  std::vector<std::pair<uint64_t, std::optional<uint64_t>>> opens;

 private:
  class FlakyReader final : public Reader {
   public:
    FlakyReader(std::unique_ptr<Reader> r, size_t limit) : r_(std::move(r)), left_(limit) {}
    Result<size_t> read(char* buf, size_t n) override {
      if (left_ == 0) return Unavailable("connection reset");
      FF_ASSIGN_OR_RETURN(size_t got, r_->read(buf, std::min(n, left_)));
      left_ -= got;
      return got;
    }

   private:
    std::unique_ptr<Reader> r_;
    size_t left_;
  };

  Status gate(const std::string& op) {
    ++calls[op];
    if (fail_next[op] > 0) {
      --fail_next[op];
      return Status(code, op + " failed");
    }
    return OkStatus();
  }
};

struct Fixture {
  Fixture() {
    auto owned = std::make_unique<FlakyStore>();
    flaky = owned.get();
    RetryPolicy policy;
    policy.max_retries = 3;
    policy.base_delay = std::chrono::milliseconds(100);
    policy.max_delay = std::chrono::milliseconds(300);
    policy.sleep = [this](std::chrono::milliseconds d) { delays.push_back(d); };
    store = std::make_unique<RetryStore>(std::move(owned), policy);
  }
  FlakyStore* flaky;
  std::unique_ptr<RetryStore> store;
  std::vector<std::chrono::milliseconds> delays;
};

Status put(BlobStore& store, const std::string& key, const std::string& data) {
  FF_ASSIGN_OR_RETURN(auto w, store.create(key, data.size()));
  FF_TRY(w->write(data));
  return w->commit();
}

TEST(RetryStore, TransientFailuresOfIdempotentOperationsAreRetriedWithGrowingBackoff) {
  Fixture f;
  ASSERT_TRUE(put(f.flaky->inner, "k", "value").ok());
  for (const char* op : {"stat", "remove", "open", "create", "presign_put", "ensure_ready"}) {
    f.flaky->fail_next[op] = 2;
  }
  EXPECT_TRUE(f.store->ensure_ready().ok());
  EXPECT_EQ(f.store->stat("k")->size, 5u);
  auto r = f.store->open("k", 1, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*read_all(**r), "alu");
  EXPECT_TRUE(f.store->presign_put("k", std::chrono::seconds(1)).ok());
  EXPECT_TRUE(put(*f.store, "k2", "v2").ok());
  EXPECT_TRUE(f.store->remove("k").ok());
  for (const char* op : {"stat", "remove", "open", "create", "presign_put", "ensure_ready"}) {
    EXPECT_EQ(f.flaky->calls[op], 3) << op;
  }
  ASSERT_GE(f.delays.size(), 2u);
  // Backoff: [50, 100] ms, then [100, 200] ms.
  EXPECT_GE(f.delays[0].count(), 50);
  EXPECT_LE(f.delays[0].count(), 100);
  EXPECT_GE(f.delays[1].count(), 100);
  EXPECT_LE(f.delays[1].count(), 200);
}

TEST(RetryStore, GivesUpAfterMaxRetries) {
  Fixture f;
  f.flaky->fail_next["stat"] = 10;
  EXPECT_EQ(f.store->stat("k").status().code(), Code::kUnavailable);
  EXPECT_EQ(f.flaky->calls["stat"], 4);  // 1 + max_retries
  for (auto d : f.delays) EXPECT_LE(d.count(), 300);
}

TEST(RetryStore, PermanentErrorsAreNotRetried) {
  Fixture f;
  EXPECT_EQ(f.store->stat("missing").status().code(), Code::kNotFound);
  EXPECT_EQ(f.flaky->calls["stat"], 1);
  f.flaky->code = Code::kInternal;
  f.flaky->fail_next["remove"] = 1;
  EXPECT_EQ(f.store->remove("k").code(), Code::kInternal);
  EXPECT_EQ(f.flaky->calls["remove"], 1);
  EXPECT_TRUE(f.delays.empty());
}

TEST(RetryStore, PingReportsTheCurrentStateWithoutRetrying) {
  Fixture f;
  f.flaky->fail_next["ping"] = 1;
  EXPECT_EQ(f.store->ping().code(), Code::kUnavailable);
  EXPECT_EQ(f.flaky->calls["ping"], 1);
  EXPECT_TRUE(f.store->ping().ok());
}

TEST(RetryStore, BrokenReadResumesAtTheByteWhereItStopped) {
  Fixture f;
  const std::string data = testing::random_bytes(100000, 3);
  ASSERT_TRUE(put(f.flaky->inner, "k", data).ok());
  f.flaky->break_reads_after = 30000;
  auto r = f.store->open("k", 1000, 50000);
  ASSERT_TRUE(r.ok());
  Result<std::string> got = read_all(**r, 4096);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_TRUE(*got == data.substr(1000, 50000));
  ASSERT_EQ(f.flaky->opens.size(), 2u);
  EXPECT_EQ(f.flaky->opens[1].first, 31000u);
  EXPECT_EQ(f.flaky->opens[1].second, std::optional<uint64_t>(20000));
}

TEST(MemoryStore, UnavailabilityHookFailsEveryOperationIncludingOpenReaders) {
  MemoryStore store;
  ASSERT_TRUE(put(store, "k", "value").ok());
  auto reader = store.open("k", 0, std::nullopt);
  ASSERT_TRUE(reader.ok());
  store.set_unavailable_for_testing(true);
  EXPECT_EQ(store.ping().code(), Code::kUnavailable);
  EXPECT_EQ(store.stat("k").status().code(), Code::kUnavailable);
  EXPECT_EQ(store.create("k2", 0).status().code(), Code::kUnavailable);
  char buf[8];
  EXPECT_EQ((*reader)->read(buf, sizeof buf).status().code(), Code::kUnavailable);
  store.set_unavailable_for_testing(false);
  EXPECT_EQ(*read_all(**reader), "value");
  EXPECT_EQ(store.size_for_testing(), 1u);
}

}  // namespace
}  // namespace ff::blob
