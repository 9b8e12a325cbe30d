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
    target_ = RestoreTarget{dir_ + "/restore", "", "snap-1"};
    outside_ = dir_ + "/outside";
    fs::create_directories(outside_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_, src_, archive_, sha_, final_, outside_;
  RestoreTarget target_;
};

TEST_F(InstallTest, ChecksumMismatchAbortsBeforeExtraction) {
  std::string wrong(64, '0');
  auto r = install_snapshot(archive_, sha_, wrong, target_, "job1", "snap-1", {});
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
  auto r = install_snapshot(archive_, file_sha256(archive_), sha_, target_, "job1", "snap-1", {});
  EXPECT_EQ(r.status().code(), Code::kIntegrity);
  EXPECT_FALSE(fs::exists(final_));
}

TEST_F(InstallTest, PlacesTheTreeAtomicallyAndMarksIt) {
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(manifest(src_), manifest(final_));
  EXPECT_TRUE(fs::exists(dir_ + "/restore/.snap-1.fortfail-restore"));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job1")));
}

TEST_F(InstallTest, RedeliveredJobReplacesAnEarlierRestoreAndStaleTemp) {
  ASSERT_TRUE(install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", {}).ok());
  write_file(final_ + "/extra", "left from before");
  std::string stale = restore_temp_path(final_, "job1");
  fs::create_directories(stale + "/half");
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(fs::exists(final_ + "/extra"));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_EQ(manifest(src_), manifest(final_));
}

TEST_F(InstallTest, ForeignNonEmptyTargetIsLeftAlone) {
  fs::create_directories(final_);
  write_file(final_ + "/precious", "mine");
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", {});
  EXPECT_EQ(r.status().code(), Code::kConflict);
  EXPECT_TRUE(fs::exists(final_ + "/precious"));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job1")));
}

TEST_F(InstallTest, EmptyExistingTargetIsFilled) {
  fs::create_directories(final_);
  ASSERT_TRUE(install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", {}).ok());
  EXPECT_EQ(manifest(src_), manifest(final_));
}

TEST_F(InstallTest, HostileArchiveLeavesNoPartialTree) {
  std::string hostile = dir_ + "/hostile.tar.zst";
  write_raw_archive(hostile, {{"ok.txt", 'f', "fine"}, {"../../evil.txt", 'f', "evil"}});
  std::string sha = file_sha256(hostile);
  auto r = install_snapshot(hostile, sha, sha, target_, "job2", "snap-2", {});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(final_));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job2")));
  EXPECT_FALSE(fs::exists(dir_ + "/evil.txt"));
}

TEST_F(InstallTest, SymlinkLeftByAnEarlierRestoreIsNotFollowed) {
  // An earlier restore left "old" -> outside; a later target_path goes through it.
  fs::create_directories(dir_ + "/restore");
  fs::create_symlink(outside_, dir_ + "/restore/old");
  RestoreTarget through{dir_ + "/restore", "old/deeper", "snap-1"};
  auto r = install_snapshot(archive_, sha_, sha_, through, "job1", "snap-1", {});
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("symlink"), std::string::npos) << r.status().message();
  EXPECT_TRUE(fs::is_empty(outside_));
}

TEST_F(InstallTest, SymlinkAsTheTargetItselfIsRefused) {
  fs::create_directories(dir_ + "/restore");
  fs::create_symlink(outside_, final_);
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", {});
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(fs::is_symlink(final_));
  EXPECT_TRUE(fs::is_empty(outside_));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job1")));
}

TEST_F(InstallTest, MissingParentsAreCreatedBelowTheRoot) {
  RestoreTarget nested{dir_ + "/restore", "x/y", "z"};
  auto r = install_snapshot(archive_, sha_, sha_, nested, "job1", "snap-1", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(manifest(src_), manifest(dir_ + "/restore/x/y/z"));
}

class SetidTest : public InstallTest {
 protected:
  void SetUp() override {
    InstallTest::SetUp();
    write_file(src_ + "/suid-tool", "#!/bin/sh\n", 0755);
    ASSERT_EQ(::chmod((src_ + "/suid-tool").c_str(), 06755), 0);
    fs::create_directories(src_ + "/shared");
    ASSERT_EQ(::chmod((src_ + "/shared").c_str(), 02775), 0);
    auto w = write_archive(src_, archive_, {});
    ASSERT_TRUE(w.ok());
    sha_ = w->sha256;
  }
  mode_t mode_of(const std::string& p) {
    struct stat st {};
    ::lstat(p.c_str(), &st);
    return st.st_mode & 07777;
  }
};

TEST_F(SetidTest, SetuidAndSetgidAreDroppedOnRestore) {
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(mode_of(final_ + "/suid-tool"), 0755u);
  EXPECT_EQ(mode_of(final_ + "/shared"), 02775u);  // group inheritance only: kept
  bool warned = false;
  for (const auto& w : r->warnings) warned = warned || w.find("setuid") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST_F(SetidTest, KeptWhenTheAgentIsToldTo) {
  ExtractOptions keep;
  keep.keep_setid = true;
  keep.restore_owner = ::geteuid() == 0;
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", keep);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  // Without root, the kernel itself may clear setgid for a foreign group.
  EXPECT_EQ(mode_of(final_ + "/suid-tool") & 04000u, 04000u);
}

TEST_F(InstallTest, DecompressionBombStopsAtTheByteLimitAndLeavesNothing) {
  std::string bomb = dir_ + "/bomb.tar.zst";
  write_raw_archive(bomb, {{"ok.txt", 'f', "fine"}, {"zeros", 'f', std::string(64 << 20, '\0')}});
  ASSERT_LT(fs::file_size(bomb), 64u * 1024);
  std::string sha = file_sha256(bomb);
  ExtractOptions limits;
  limits.max_bytes = 1 << 20;
  limits.max_bytes_why = "the byte_count the snapshot declared";
  auto r = install_snapshot(bomb, sha, sha, target_, "job3", "snap-3", limits);
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_NE(r.status().message().find("declared"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(final_));
  EXPECT_FALSE(fs::exists(restore_temp_path(final_, "job3")));
}

TEST_F(InstallTest, EntryLimitStopsExtraction) {
  ExtractOptions limits;
  limits.max_entries = 3;
  limits.max_entries_why = "AGENT_MAX_RESTORE_ENTRIES";
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", limits);
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_NE(r.status().message().find("AGENT_MAX_RESTORE_ENTRIES"), std::string::npos);
  EXPECT_FALSE(fs::exists(final_));
}

TEST_F(InstallTest, DeclaredSizeBeyondTheFreeSpaceFailsBeforeExtracting) {
  ExtractOptions limits;
  limits.max_bytes = uint64_t{1} << 60;
  limits.max_bytes_declared = true;
  auto r = install_snapshot(archive_, sha_, sha_, target_, "job1", "snap-1", limits);
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_NE(r.status().message().find("free space"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(final_));
}

TEST_F(InstallTest, ArchiveWithinTheDeclaredLimitsRestores) {
  auto w = write_archive(src_, archive_, {});
  ASSERT_TRUE(w.ok());
  SnapshotInfo info;
  info.declared_bytes = w->byte_count;
  info.declared_entries = w->file_count + w->dir_count + w->symlink_count;
  AgentConfig config;
  ExtractOptions opts;
  apply_restore_limits(info, config, opts);
  EXPECT_EQ(opts.max_bytes, w->byte_count);
  EXPECT_TRUE(opts.max_bytes_declared);
  auto r = install_snapshot(archive_, w->sha256, w->sha256, target_, "job1", "snap-1", opts);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->byte_count, w->byte_count);
}

TEST(RestoreLimits, AgentCapsWinOverLargerDeclarations) {
  SnapshotInfo info;
  info.declared_bytes = 5000;
  info.declared_entries = 70;
  AgentConfig config;
  config.max_restore_bytes = 100;
  config.max_restore_entries = 1000;
  ExtractOptions opts;
  apply_restore_limits(info, config, opts);
  EXPECT_EQ(opts.max_bytes, 100u);
  EXPECT_EQ(opts.max_bytes_why, "AGENT_MAX_RESTORE_BYTES");
  EXPECT_FALSE(opts.max_bytes_declared);
  EXPECT_EQ(opts.max_entries, 70u);
  SnapshotInfo undeclared;
  apply_restore_limits(undeclared, config, opts);
  EXPECT_EQ(opts.max_entries, 1000u);
}

TEST(ResolveRestoreTarget, DefaultsToRestoreDirSlashSnapshot) {
  auto t = resolve_restore_target("/data/restore/", {}, "s1", "");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path(), "/data/restore/s1");
  EXPECT_EQ(t->root, "/data/restore");
  EXPECT_EQ(resolve_restore_target("/data/restore", {}, "s1", "sub/dir")->path(),
            "/data/restore/sub/dir");
  auto abs = resolve_restore_target("/data/restore", {}, "s1", "/data/restore/x/./y/");
  ASSERT_TRUE(abs.ok()) << abs.status().to_string();
  EXPECT_EQ(abs->root, "/data/restore");
  EXPECT_EQ(abs->parent, "x");
  EXPECT_EQ(abs->name, "y");
}

TEST(ResolveRestoreTarget, AbsolutePathOutsideEveryRootIsRefused) {
  auto r = resolve_restore_target("/data/restore", {"/srv/restores"}, "s1", "/etc/cron.d");
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("outside RESTORE_DIR and AGENT_RESTORE_ROOTS"),
            std::string::npos)
      << r.status().message();
  // A sibling sharing a prefix is not below the root.
  EXPECT_EQ(
      resolve_restore_target("/data/restore", {}, "s1", "/data/restore-evil/x").status().code(),
      Code::kPermissionDenied);
}

TEST(ResolveRestoreTarget, DotDotComponentsAreRefused) {
  for (const char* t : {"../../etc", "/data/restore/../../etc", "a/../b", "/data/restore/a/.."}) {
    auto r = resolve_restore_target("/data/restore", {}, "s1", t);
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << t;
    EXPECT_NE(r.status().message().find("'..'"), std::string::npos) << t;
  }
}

TEST(ResolveRestoreTarget, ExtraRootsAcceptTargetsBelowThem) {
  auto r = resolve_restore_target("/data/restore", {"/srv/restores", "/srv/restores/deep"}, "s1",
                                  "/srv/restores/deep/app/v2");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->root, "/srv/restores/deep");  // the closest root
  EXPECT_EQ(r->parent, "app");
  EXPECT_EQ(r->name, "v2");
}

TEST(ResolveRestoreTarget, ARootItselfIsNotATarget) {
  EXPECT_EQ(resolve_restore_target("/data/restore", {}, "s1", "/data/restore/").status().code(),
            Code::kValidation);
  EXPECT_EQ(resolve_restore_target("/data/restore", {"/srv"}, "s1", "/srv").status().code(),
            Code::kValidation);
  EXPECT_EQ(resolve_restore_target("/data/restore", {}, "s1", ".").status().code(),
            Code::kValidation);
  EXPECT_EQ(resolve_restore_target("/data/restore", {}, "s1", "/").status().code(),
            Code::kPermissionDenied);
}

}  // namespace
}  // namespace ff::agent
