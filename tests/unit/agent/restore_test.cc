#include <gtest/gtest.h>

#include <clocale>

#include "agent/archive_writer.h"
#include "agent/restore.h"
#include "tree_util.h"

namespace ff::agent {
namespace {

using namespace ff::agent::testing;

class InstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::setlocale(LC_ALL, "C.UTF-8");
    dir_ = make_temp_dir("ff-install-");
    src_ = dir_ + "/src";
    fs::create_directories(src_);
    make_sample_tree(src_);
    archive_ = dir_ + "/snap.tar.zst";
    auto w = write_archive(src_, archive_, {});
    ASSERT_TRUE(w.ok());
    sha_ = w->sha256;
    final_ = dir_ + "/restore/snap-1";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_, src_, archive_, sha_, final_;
};

TEST_F(InstallTest, ChecksumMismatchAbortsBeforeExtraction) {
  std::string wrong(64, '0');
  auto r = install_snapshot(archive_, sha_, wrong, final_, "job1", "snap-1", {});
  ASSERT_EQ(r.status().code(), Code::kIntegrity);
  EXPECT_NE(r.status().message().find("checksum mismatch"), std::string::npos);
  EXPECT_FALSE(fs::exists(final_));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job1")));
}

TEST_F(InstallTest, CorruptedBytesAreCaughtByTheDownloadHash) {
  // What run_restore does: hash what arrived, compare with the snapshot's checksum.
  std::fstream f(archive_, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(100);
  f.put('\x55');
  f.close();
  auto r = install_snapshot(archive_, file_sha256(archive_), sha_, final_, "job1", "snap-1", {});
  EXPECT_EQ(r.status().code(), Code::kIntegrity);
  EXPECT_FALSE(fs::exists(final_));
}

TEST_F(InstallTest, PlacesTheTreeAtomicallyAndMarksIt) {
  auto r = install_snapshot(archive_, sha_, sha_, final_, "job1", "snap-1", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(manifest(src_), manifest(final_));
  EXPECT_TRUE(fs::exists(dir_ + "/restore/.snap-1.fortfail-restore"));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job1")));
}

TEST_F(InstallTest, RedeliveredJobReplacesAnEarlierRestoreAndStaleTemp) {
  ASSERT_TRUE(install_snapshot(archive_, sha_, sha_, final_, "job1", "snap-1", {}).ok());
  write_file(final_ + "/extra", "left from before");
  std::string stale = restore_temp_path(final_, "job1");
  fs::create_directories(stale + "/half");
  auto r = install_snapshot(archive_, sha_, sha_, final_, "job1", "snap-1", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(fs::exists(final_ + "/extra"));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_EQ(manifest(src_), manifest(final_));
}

TEST_F(InstallTest, ForeignNonEmptyTargetIsLeftAlone) {
  fs::create_directories(final_);
  write_file(final_ + "/precious", "mine");
  auto r = install_snapshot(archive_, sha_, sha_, final_, "job1", "snap-1", {});
  EXPECT_EQ(r.status().code(), Code::kConflict);
  EXPECT_TRUE(fs::exists(final_ + "/precious"));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job1")));
}

TEST_F(InstallTest, EmptyExistingTargetIsFilled) {
  fs::create_directories(final_);
  ASSERT_TRUE(install_snapshot(archive_, sha_, sha_, final_, "job1", "snap-1", {}).ok());
  EXPECT_EQ(manifest(src_), manifest(final_));
}

TEST_F(InstallTest, HostileArchiveLeavesNoPartialTree) {
  std::string hostile = dir_ + "/hostile.tar.zst";
  write_raw_archive(hostile, {{"ok.txt", 'f', "fine"}, {"../../evil.txt", 'f', "evil"}});
  std::string sha = file_sha256(hostile);
  auto r = install_snapshot(hostile, sha, sha, final_, "job2", "snap-2", {});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(final_));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job2")));
  EXPECT_FALSE(fs::exists(dir_ + "/evil.txt"));
}

TEST(ResolveRestoreTarget, DefaultsToRestoreDirSlashSnapshot) {
  EXPECT_EQ(*resolve_restore_target("/data/restore", "s1", ""), "/data/restore/s1");
  EXPECT_EQ(*resolve_restore_target("/data/restore", "s1", "/srv/x/"), "/srv/x");
  EXPECT_EQ(*resolve_restore_target("/data/restore", "s1", "sub/dir"), "/data/restore/sub/dir");
  EXPECT_EQ(resolve_restore_target("/data/restore", "s1", "/").status().code(), Code::kValidation);
  EXPECT_EQ(resolve_restore_target("/data/restore", "s1", "/a/..").status().code(),
            Code::kValidation);
}

}  // namespace
}  // namespace ff::agent
