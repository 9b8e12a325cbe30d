#include "agent/drill.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <clocale>
#include <set>

#include "agent/beneath.h"
#include "repo_fakes.h"
#include "tree_util.h"

namespace ff::agent {
namespace {

using namespace ff::agent::testing;

// Every path below `root`, relative to it.
std::set<std::string> all_paths(const std::string& root) {
  std::set<std::string> paths;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::end(it); ++it) {
    paths.insert(it->path().lexically_relative(root).string());
  }
  return paths;
}

class DrillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::setlocale(LC_ALL, "C.UTF-8");
    dir_ = make_temp_dir("ff-drill-");
    src_ = dir_ + "/src";
    restore_dir_ = dir_ + "/restore";
    drill_dir_ = restore_dir_ + "/.fortfail-drills";
    fs::create_directories(src_);
    fs::create_directories(restore_dir_ + "/earlier-restore");
    write_file(restore_dir_ + "/earlier-restore/keep.txt", "real data");
    make_sample_tree(src_);
    WalkStats stats;
    auto root = walk_tree(src_, codec_, repo_, {}, stats);
    ASSERT_TRUE(root.ok()) << root.status().to_string();
    root_ = *root;
    root_meta_ = stats.root;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A repository drill of the sample tree as run_restore does it, without
  // the orchestrator: scratch, restore, proof (after `tamper`), removal.
  Status drill(const std::function<void(int dir_fd)>& tamper = {}) {
    auto scratch = DrillScratch::create(drill_dir_, "job-1");
    if (!scratch.ok()) return scratch.status();
    CheckTree prove = repo_tree_check(codec_, repo_, root_, options_, report_);
    auto r = install_repo_tree(codec_, repo_, root_, &root_meta_, scratch->target(), "job-1",
                               "snap-1", {}, nullptr, [&](int dir_fd, const ExtractResult& filled) {
                                 during_ = all_paths(restore_dir_);
                                 if (tamper) tamper(dir_fd);
                                 return prove(dir_fd, filled);
                               });
    scratch_removed_ = scratch->remove();
    return r.status();
  }

  repo::Codec codec_ = repo::Codec::plain();
  MemRepo repo_{codec_};
  repo::BlobId root_{};
  repo::Node root_meta_;
  std::string dir_, src_, restore_dir_, drill_dir_;
  ProveOptions options_;
  DrillReport report_;
  std::set<std::string> during_;
  bool scratch_removed_ = false;
};

TEST_F(DrillTest, GoodRepositoryTreeIsProvenWithTheRightCounts) {
  Status s = drill();
  ASSERT_TRUE(s.ok()) << s.to_string();
  // zero, a/small.txt, a/b/big.bin, a/b/c/deep file.txt, the unicode file, the hard link.
  EXPECT_EQ(report_.files_checked, 6u);
  EXPECT_EQ(report_.files_verified, 6u);
  EXPECT_EQ(report_.bytes_verified, 6u + (3u * 1024 * 1024 + 17) + 4u + 7u);
  EXPECT_EQ(report_.dirs_checked, 6u);  // ., a, a/b, a/b/c, empty dir, the unicode dir
  EXPECT_EQ(report_.symlinks_checked, 3u);
  EXPECT_EQ(report_.mismatches, 0u);
  EXPECT_TRUE(report_.per_file_hashes);
  EXPECT_TRUE(scratch_removed_);
  EXPECT_TRUE(fs::is_empty(drill_dir_));
}

TEST_F(DrillTest, FileAlteredOnDiskAfterTheRestoreIsTheFirstMismatch) {
  Status s = drill([](int dir_fd) {
    // Same size, other bytes: only the re-read hash can tell.
    UniqueFd fd(::openat(dir_fd, "a/small.txt", O_WRONLY | O_TRUNC));
    ASSERT_EQ(::write(fd.get(), "HELLO\n", 6), 6);
  });
  EXPECT_EQ(s.code(), Code::kIntegrity);
  EXPECT_EQ(s.message().rfind("content mismatch: a/small.txt (expected sha256 " +
                                  sha256_hex("hello\n") + ", got " + sha256_hex("HELLO\n") + ")",
                              0),
            0u)
      << s.message();
  EXPECT_EQ(report_.first_mismatch, "a/small.txt");
  EXPECT_EQ(report_.mismatches, 1u);
  EXPECT_EQ(report_.files_verified, report_.files_checked - 1);
  EXPECT_TRUE(scratch_removed_);
  EXPECT_TRUE(fs::is_empty(drill_dir_));
  auto meta = drill_failed_metadata(report_, s, scratch_removed_);
  EXPECT_EQ(meta["first_mismatch"], "a/small.txt");
  EXPECT_EQ(meta["mismatches"], 1);
  EXPECT_EQ(meta["scratch_removed"], true);
}

TEST_F(DrillTest, MissingExtraAndRetargetedEntriesAreAllCounted) {
  Status s = drill([](int dir_fd) {
    ASSERT_EQ(::unlinkat(dir_fd, "zero", 0), 0);
    ASSERT_EQ(::symlinkat("elsewhere", dir_fd, "stray"), 0);
    ASSERT_EQ(::unlinkat(dir_fd, "link-rel", 0), 0);
    ASSERT_EQ(::symlinkat("a/b/big.bin", dir_fd, "link-rel"), 0);
  });
  EXPECT_EQ(s.code(), Code::kIntegrity);
  EXPECT_EQ(report_.mismatches, 3u);
  // Tree order: link-rel comes before zero; extras are reported after the directory.
  EXPECT_EQ(report_.first_mismatch, "link-rel");
  EXPECT_NE(s.message().find("symlink mismatch: link-rel (expected -> 'a/small.txt', got -> "
                             "'a/b/big.bin')"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("3 mismatches in all"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(drill_dir_));
}

TEST_F(DrillTest, DamagedBlobFailsTheDrillNamingIt) {
  std::string small_blob = repo::blob_id_hex(codec_.id_of("hello\n"));
  auto it = repo_.blobs().find(small_blob);
  ASSERT_NE(it, repo_.blobs().end());
  it->second[it->second.size() / 2] ^= 0x01;
  Status s = drill();
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.to_string();
  auto meta = drill_failed_metadata(report_, s, scratch_removed_);
  EXPECT_EQ(meta["first_mismatch"], "pack " + small_blob + " blob " + small_blob);
  EXPECT_EQ(meta["mismatches"], 1);
  EXPECT_TRUE(scratch_removed_);
  EXPECT_TRUE(fs::is_empty(drill_dir_));
}

TEST_F(DrillTest, NeverWritesOutsideItsScratchDirectory) {
  auto before = all_paths(restore_dir_);
  ASSERT_TRUE(drill().ok());
  // While the proof ran, everything new lay below <drill dir>/job-1.
  for (const auto& p : during_) {
    if (before.count(p)) continue;
    EXPECT_TRUE(p == ".fortfail-drills" || p.rfind(".fortfail-drills/job-1", 0) == 0) << p;
  }
  auto after = all_paths(restore_dir_);
  after.erase(".fortfail-drills");
  EXPECT_EQ(after, before);
  struct stat st {};
  ASSERT_EQ(::stat(drill_dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(DrillTest, LeftoverOfACrashedDrillIsRemovedAndNothingElse) {
  fs::create_directories(drill_dir_ + "/crashed-job/tree/a");
  write_file(drill_dir_ + "/crashed-job/.fortfail-drill", "");
  write_file(drill_dir_ + "/crashed-job/tree/a/f", "partial");
  fs::create_directories(drill_dir_ + "/not-ours");
  write_file(drill_dir_ + "/not-ours/data", "x");
  EXPECT_EQ(sweep_drill_dir(drill_dir_), 1u);
  EXPECT_FALSE(fs::exists(drill_dir_ + "/crashed-job"));
  EXPECT_TRUE(fs::exists(drill_dir_ + "/not-ours/data"));
}

TEST_F(DrillTest, ScratchNeedsAPlainJobIdAndLeavesForeignEntriesAlone) {
  EXPECT_EQ(DrillScratch::create(drill_dir_, "../escape").status().code(), Code::kValidation);
  fs::create_directories(drill_dir_ + "/job-2");
  write_file(drill_dir_ + "/job-2/data", "x");
  EXPECT_EQ(DrillScratch::create(drill_dir_, "job-2").status().code(), Code::kConflict);
  EXPECT_TRUE(fs::exists(drill_dir_ + "/job-2/data"));
}

TEST_F(DrillTest, TarTreeIsCountedWithoutPerFileHashes) {
  std::string archive = dir_ + "/snap.tar.zst";
  write_raw_archive(archive, {{"d", 'd', ""}, {"d/x", 'f', "hi"}, {"l", 'l', "d/x"}});
  std::string sha = file_sha256(archive);
  auto scratch = DrillScratch::create(drill_dir_, "job-3");
  ASSERT_TRUE(scratch.ok());
  auto r = install_snapshot(archive, sha, sha, scratch->target(), "job-3", "snap-3", {},
                            [&](int dir_fd, const ExtractResult&) {
                              return count_restored_tree(dir_fd, options_, report_);
                            });
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(report_.per_file_hashes);
  EXPECT_EQ(report_.files_checked, 1u);
  EXPECT_EQ(report_.dirs_checked, 2u);
  EXPECT_EQ(report_.symlinks_checked, 1u);
  EXPECT_TRUE(scratch->remove());
  EXPECT_TRUE(fs::is_empty(drill_dir_));
}

}  // namespace
}  // namespace ff::agent
