// The local store's own promises beyond the conformance suite: atomic
// publish through a temp dir, crash leftovers swept at start-up, keys that
// could escape the root refused, failures that leave no temp file, and error
// messages without host paths.
#include "blob/local/local_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

#include "blob/factory.h"
#include "store_harness.h"

namespace ff::blob {
namespace {

namespace fs = std::filesystem;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ff-local-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    root_ = dir_ + "/data/objects";  // parents do not exist yet
    store_ = std::make_unique<LocalStore>(root_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  size_t temp_files() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(root_ + "/.tmp")) {
      (void)e;
      ++n;
    }
    return n;
  }

  std::string dir_;
  std::string root_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(LocalStoreTest, EnsureReadyCreatesTheRootAndSweepsCrashLeftoversButNotLiveWriters) {
  ASSERT_TRUE(store_->ensure_ready().ok());
  ASSERT_TRUE(fs::is_directory(root_ + "/.tmp"));
  std::ofstream(root_ + "/.tmp/w-leftover-from-a-crash") << "half an object";
  auto live = store_->create("snapshots/live", 4);
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE((*live)->write("live").ok());
  EXPECT_EQ(temp_files(), 2u);

  ASSERT_TRUE(store_->ensure_ready().ok());
  EXPECT_EQ(temp_files(), 1u);  // the live writer's file survived
  EXPECT_FALSE(fs::exists(root_ + "/.tmp/w-leftover-from-a-crash"));
  ASSERT_TRUE((*live)->commit().ok());
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_EQ(store_->stat("snapshots/live")->size, 4u);
}

TEST_F(LocalStoreTest, CommitPublishesAFileUnderTheKeyAndLeavesNoTempFile) {
  ASSERT_TRUE(store_->ensure_ready().ok());
  auto w = store_->create("snapshots/s1", 0);
  ASSERT_TRUE((*w)->write(std::string(3 << 20, 'a')).ok());  // beyond the write buffer
  ASSERT_TRUE((*w)->write("tail").ok());
  EXPECT_FALSE(fs::exists(root_ + "/snapshots/s1"));  // invisible until commit
  EXPECT_EQ(temp_files(), 1u);
  ASSERT_TRUE((*w)->commit().ok());
  EXPECT_EQ(fs::file_size(root_ + "/snapshots/s1"), (3u << 20) + 4);
  EXPECT_EQ(temp_files(), 0u);
  // A new store on the same root sees the object.
  LocalStore again(root_);
  ASSERT_TRUE(again.ensure_ready().ok());
  EXPECT_EQ(again.stat("snapshots/s1")->size, (3u << 20) + 4);
}

TEST_F(LocalStoreTest, KeysThatCouldEscapeTheRootAreRejected) {
  ASSERT_TRUE(store_->ensure_ready().ok());
  for (const std::string& key :
       {std::string(""), std::string("/etc/passwd"), std::string("../outside"),
        std::string("snapshots/../../outside"), std::string("snapshots/./x"),
        std::string(".tmp/w-x"), std::string("snapshots//x"), std::string("snapshots/"),
        std::string("snapshots/.hidden"), std::string("a\\b"), std::string("new\nline"),
        std::string(2000, 'k')}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(store_->create(key, 0).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(store_->open(key, 0, std::nullopt).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(store_->stat(key).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(store_->remove(key).code(), Code::kInvalidArgument);
  }
  EXPECT_FALSE(fs::exists(dir_ + "/data/outside"));
}

TEST_F(LocalStoreTest, DirectoryOrNestedPathIsNotAnObject) {
  ASSERT_TRUE(store_->ensure_ready().ok());
  auto w = store_->create("snapshots/s1", 1);
  ASSERT_TRUE((*w)->write("x").ok());
  ASSERT_TRUE((*w)->commit().ok());
  EXPECT_EQ(store_->stat("snapshots").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->open("snapshots", 0, std::nullopt).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->stat("snapshots/s1/deeper").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->remove("snapshots/s1/deeper").ok());
}

TEST_F(LocalStoreTest, WriteFailureRemovesTheTempFileAndSticks) {
  ASSERT_TRUE(store_->ensure_ready().ok());
  // A file size limit makes write(2) fail with EFBIG instead of filling a disk.
  struct rlimit old_limit {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 2 << 20;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  auto w = store_->create("snapshots/too-big", 0);
  ASSERT_TRUE(w.ok());
  Status s;
  for (int i = 0; i < 8 && s.ok(); ++i) s = (*w)->write(std::string(1 << 20, 'b'));
  setrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, old_handler);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message().find(dir_), std::string::npos) << "host path leaked: " << s.message();
  EXPECT_NE(s.message().find("snapshots/too-big"), std::string::npos) << s.message();
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_EQ((*w)->commit().code(), Code::kInternal);
  EXPECT_EQ(store_->stat("snapshots/too-big").status().code(), Code::kNotFound);
}

TEST_F(LocalStoreTest, MessagesNameKeysNotHostPaths) {
  ASSERT_TRUE(store_->ensure_ready().ok());
  Status s = store_->stat("snapshots/missing").status();
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message().find(dir_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("snapshots/missing"), std::string::npos) << s.message();
}

TEST_F(LocalStoreTest, WithoutItsDirectoriesTheStoreIsUnavailable) {
  // ensure_ready() not called: nothing exists yet.
  EXPECT_EQ(store_->ping().code(), Code::kUnavailable);
  EXPECT_EQ(store_->create("snapshots/s1", 0).status().code(), Code::kUnavailable);
  ASSERT_TRUE(store_->ensure_ready().ok());
  EXPECT_TRUE(store_->ping().ok());
  fs::remove_all(dir_ + "/data");  // the data dir vanished under a running store
  EXPECT_EQ(store_->ping().code(), Code::kUnavailable);
}

TEST_F(LocalStoreTest, PresignPutIsAbsent) {
  auto url = store_->presign_put("snapshots/s1", std::chrono::seconds(60));
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->has_value());
}

TEST(LocalStoreFactory, RejectsEmptyRootAndTrimsTrailingSlashes) {
  EXPECT_EQ(make_local_store("").status().code(), Code::kInvalidArgument);
  auto store = make_local_store("/tmp/ff-factory-test///");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(static_cast<LocalStore&>(**store).root(), "/tmp/ff-factory-test");
}

}  // namespace
}  // namespace ff::blob
