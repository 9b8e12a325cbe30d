#include "agent/repo_restore.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <clocale>

#include "agent/beneath.h"
#include "repo_fakes.h"
#include "tree_util.h"

namespace ff::agent {
namespace {

using namespace ff::agent::testing;

class RepoRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::setlocale(LC_ALL, "C.UTF-8");
    dir_ = make_temp_dir("ff-reporestore-");
    src_ = dir_ + "/src";
    dst_ = dir_ + "/dst";
    fs::create_directories(src_);
    fs::create_directories(dst_);
    make_sample_tree(src_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<ExtractResult> backup_and_restore(const repo::Codec& codec, MemRepo& repo,
                                           ExtractOptions opts = {}) {
    WalkStats stats;
    auto root = walk_tree(src_, codec, repo, {}, stats);
    if (!root.ok()) return root.status();
    if (tamper_) tamper_(repo);
    UniqueFd fd(::open(dst_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return restore_repo_tree(codec, repo, *root, fd.get(), opts, &stats.root, nullptr);
  }

  std::string dir_, src_, dst_;
  std::function<void(MemRepo&)> tamper_;
};

TEST_F(RepoRestoreTest, PlainRoundTripEqualsTheSource) {
  repo::Codec codec = repo::Codec::plain();
  MemRepo repo(codec);
  auto r = backup_and_restore(codec, repo);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(manifest(src_), manifest(dst_));
  EXPECT_EQ(r->hardlink_count, 1u);
  EXPECT_EQ(r->symlink_count, 3u);
}

TEST_F(RepoRestoreTest, KeyedRoundTripEqualsTheSource) {
  repo::Codec codec = repo::Codec::keyed(repo::generate_key(sys::secure_random()));
  MemRepo repo(codec);
  auto r = backup_and_restore(codec, repo);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(manifest(src_), manifest(dst_));
}

TEST_F(RepoRestoreTest, SparseFileKeepsItsHoles) {
  std::string sparse = src_ + "/sparse.img";
  {
    UniqueFd fd(::open(sparse.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
    ASSERT_EQ(::ftruncate(fd.get(), 64 << 20), 0);
    ASSERT_EQ(::pwrite(fd.get(), "tail", 4, (64 << 20) - 4), 4);
  }
  repo::Codec codec = repo::Codec::plain();
  MemRepo repo(codec);
  auto r = backup_and_restore(codec, repo);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(file_sha256(dst_ + "/sparse.img"), file_sha256(sparse));
  struct stat st {};
  ASSERT_EQ(::stat((dst_ + "/sparse.img").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 64 << 20);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 16u << 20);
}

TEST_F(RepoRestoreTest, TamperedBlobIsDataLossNamingIt) {
  repo::Codec codec = repo::Codec::keyed(repo::generate_key(sys::secure_random()));
  MemRepo repo(codec);
  std::string victim;
  tamper_ = [&](MemRepo& m) {
    // The largest blob is a chunk of big.bin.
    for (auto& [id, sealed] : m.blobs()) {
      if (victim.empty() || sealed.size() > m.blobs()[victim].size()) victim = id;
    }
    m.blobs()[victim][100] ^= 0x01;
  };
  auto r = backup_and_restore(codec, repo);
  ASSERT_EQ(r.status().code(), Code::kDataLoss) << r.status().to_string();
  EXPECT_NE(r.status().message().find(victim), std::string::npos) << r.status().message();
}

// Subtrees are fetched together per directory; one that fails to open is
// read again on its own, so the error still names its directory.
TEST_F(RepoRestoreTest, TamperedSubtreeIsDataLossNamingItsDirectory) {
  for (int i = 0; i < 6; ++i) {
    std::string sub = src_ + "/many/sub" + std::to_string(i);
    fs::create_directories(sub);
    write_file(sub + "/only-in-sub" + std::to_string(i) + ".txt", "content " + std::to_string(i));
  }
  repo::Codec codec = repo::Codec::keyed(repo::generate_key(sys::secure_random()));
  MemRepo repo(codec);
  std::string victim;
  tamper_ = [&](MemRepo& m) {
    for (auto& [hex, sealed] : m.blobs()) {
      auto id = repo::parse_blob_id(hex);
      auto plain = codec.open(repo::BlobType::kTree, *id, sealed, kMaxTreeBytes);
      if (!plain.ok()) continue;
      auto tree = repo::decode_tree(*plain);
      if (tree.ok() && tree->nodes.size() == 1 && tree->nodes[0].name == "only-in-sub3.txt") {
        victim = hex;
      }
    }
    ASSERT_FALSE(victim.empty());
    m.blobs()[victim][20] ^= 0x01;
  };
  auto r = backup_and_restore(codec, repo);
  ASSERT_EQ(r.status().code(), Code::kDataLoss) << r.status().to_string();
  EXPECT_NE(r.status().message().find("directory 'many/sub3'"), std::string::npos)
      << r.status().message();
}

TEST_F(RepoRestoreTest, MissingBlobIsDataLoss) {
  repo::Codec codec = repo::Codec::plain();
  MemRepo repo(codec);
  tamper_ = [&](MemRepo& m) {
    std::string biggest;
    for (auto& [id, sealed] : m.blobs()) {
      if (biggest.empty() || sealed.size() > m.blobs()[biggest].size()) biggest = id;
    }
    m.blobs().erase(biggest);
  };
  auto r = backup_and_restore(codec, repo);
  EXPECT_EQ(r.status().code(), Code::kDataLoss) << r.status().to_string();
}

TEST_F(RepoRestoreTest, ByteLimitStopsTheRestore) {
  repo::Codec codec = repo::Codec::plain();
  MemRepo repo(codec);
  ExtractOptions opts;
  opts.max_bytes = 1024;
  opts.max_bytes_why = "AGENT_MAX_RESTORE_BYTES";
  auto r = backup_and_restore(codec, repo, opts);
  ASSERT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_NE(r.status().message().find("AGENT_MAX_RESTORE_BYTES"), std::string::npos);
}

TEST_F(RepoRestoreTest, SetuidIsDroppedUnlessKept) {
  write_file(src_ + "/suid", "x", 04755);
  repo::Codec codec = repo::Codec::plain();
  MemRepo repo(codec);
  auto r = backup_and_restore(codec, repo);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(fs::status(dst_ + "/suid").permissions() & fs::perms::set_uid, fs::perms::none);
}

// Queued files keep their directories open until their batch is written: a
// batch of small files spread over many directories must end before it holds
// more directories than the descriptor limit allows. 700 directories of 2
// files each would be one batch by file count alone.
TEST_F(RepoRestoreTest, ManySmallDirectoriesStayWithinTheDescriptorLimit) {
  for (int d = 0; d < 700; ++d) {
    std::string sub = src_ + "/wide/d" + std::to_string(d);
    fs::create_directories(sub);
    write_file(sub + "/a.txt", "a" + std::to_string(d));
    write_file(sub + "/b.txt", std::string(3000 + d, static_cast<char>('a' + d % 26)));
  }
  repo::Codec codec = repo::Codec::plain();
  MemRepo repo(codec);
  WalkStats stats;
  auto root = walk_tree(src_, codec, repo, {}, stats);
  ASSERT_TRUE(root.ok()) << root.status().to_string();
  UniqueFd fd(::open(dst_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  struct rlimit low = old;
  low.rlim_cur = 400;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  auto r = restore_repo_tree(codec, repo, *root, fd.get(), {}, &stats.root, nullptr);
  ::setrlimit(RLIMIT_NOFILE, &old);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(manifest(src_), manifest(dst_));
}

TEST(RepoRestoreKey, EncryptedSnapshotNeedsItsKey) {
  SnapshotInfo info;
  info.id = "s1";
  info.encrypted = true;
  info.repository_id = "0123456789abcdef0123456789abcdef";
  Status none = check_restore_key(info, repo::Codec::plain());
  ASSERT_EQ(none.code(), Code::kPermissionDenied);
  EXPECT_EQ(none.message(),
            "snapshot s1 is encrypted with key 0123456789abcdef0123456789abcdef; this agent has "
            "no key");
  repo::Codec other = repo::Codec::keyed(repo::generate_key(sys::secure_random()));
  Status wrong = check_restore_key(info, other);
  ASSERT_EQ(wrong.code(), Code::kPermissionDenied);
  EXPECT_EQ(wrong.message(),
            "snapshot s1 is encrypted with key 0123456789abcdef0123456789abcdef; "
            "this agent's key is " +
                other.key_id());
  info.encrypted = false;
  EXPECT_TRUE(check_restore_key(info, other).ok());
}

}  // namespace
}  // namespace ff::agent
