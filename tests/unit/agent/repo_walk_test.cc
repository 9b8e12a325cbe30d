#include "agent/repo_walk.h"

#include <gtest/gtest.h>

#include <clocale>

#include "common/hex.h"
#include "repo_fakes.h"
#include "tree_util.h"

namespace ff::agent {
namespace {

using namespace ff::agent::testing;

class RepoWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::setlocale(LC_ALL, "C.UTF-8");
    dir_ = make_temp_dir("ff-repowalk-");
    src_ = dir_ + "/src";
    fs::create_directories(src_);
    make_sample_tree(src_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  repo::Tree tree(const repo::BlobId& id) {
    auto plain =
        codec_.open(repo::BlobType::kTree, id, repo_.blobs().at(repo::blob_id_hex(id)), 1 << 24);
    EXPECT_TRUE(plain.ok()) << plain.status().to_string();
    auto t = repo::decode_tree(plain.ok() ? *plain : std::string("{}"));
    EXPECT_TRUE(t.ok());
    return t.ok() ? *t : repo::Tree{};
  }
  static const repo::Node* find(const repo::Tree& t, const std::string& name) {
    for (const auto& n : t.nodes) {
      if (n.name == name) return &n;
    }
    return nullptr;
  }

  repo::Codec codec_ = repo::Codec::plain();
  MemRepo repo_{codec_};
  std::string dir_, src_;
};

TEST_F(RepoWalkTest, EveryEntryBecomesANode) {
  WalkStats stats;
  auto root = walk_tree(src_, codec_, repo_, {}, stats);
  ASSERT_TRUE(root.ok()) << root.status().to_string();
  repo::Tree top = tree(*root);
  const repo::Node* a = find(top, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type, repo::NodeType::kDir);
  ASSERT_TRUE(a->subtree.has_value());
  repo::Tree ta = tree(*a->subtree);
  const repo::Node* small = find(ta, "small.txt");
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->type, repo::NodeType::kFile);
  EXPECT_EQ(small->mode, 0600u);
  EXPECT_EQ(small->size, 6u);
  EXPECT_EQ(small->sha256, sha256_hex("hello\n"));
  EXPECT_EQ(small->mtime_ns, 1'600'000'000'123'456'789);
  EXPECT_EQ(small->content.size(), 1u);
  const repo::Node* hard = find(top, "hard-link.txt");
  ASSERT_NE(hard, nullptr);
  EXPECT_EQ(hard->type, repo::NodeType::kHardlink);
  EXPECT_EQ(hard->link, "a/small.txt");
  const repo::Node* link = find(top, "link-rel");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->type, repo::NodeType::kSymlink);
  EXPECT_EQ(link->target, "a/small.txt");
  const repo::Node* zero = find(top, "zero");
  ASSERT_NE(zero, nullptr);
  EXPECT_TRUE(zero->content.empty());
  EXPECT_EQ(zero->sha256, sha256_hex(""));
  repo::Tree tb = tree(*find(ta, "b")->subtree);
  const repo::Node* big = find(tb, "big.bin");
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->size, 3u * 1024 * 1024 + 17);
  EXPECT_GE(big->content.size(), 1u);
  EXPECT_EQ(big->sha256, file_sha256(src_ + "/a/b/big.bin"));
  EXPECT_EQ(stats.hardlink_count, 1u);
  EXPECT_EQ(stats.symlink_count, 3u);
  EXPECT_EQ(stats.dir_count, 6u);  // root, a, a/b, a/b/c, empty dir, unicode dir
  EXPECT_EQ(stats.root.mode, static_cast<uint32_t>(fs::status(src_).permissions()));
}

TEST_F(RepoWalkTest, UnchangedFilesComeFromTheCacheUnlessABlobIsGone) {
  FileCache first;
  WalkOptions opts;
  opts.new_cache = &first;
  WalkStats s1;
  auto r1 = walk_tree(src_, codec_, repo_, opts, s1);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(s1.bytes_read, s1.byte_count);  // the hard link is neither read nor counted twice

  FileCache second;
  opts.old_cache = &first;
  opts.new_cache = &second;
  WalkStats s2;
  auto r2 = walk_tree(src_, codec_, repo_, opts, s2);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*r1, *r2);
  EXPECT_EQ(s2.bytes_read, 0u);
  EXPECT_EQ(s2.files_cached, first.files.size());

  // GC took one of big.bin's chunks: the cache may not vouch for it any more.
  repo_.blobs().erase(repo::blob_id_hex(first.files.at("a/b/big.bin").content.back()));
  WalkStats s3;
  opts.old_cache = &second;
  FileCache third;
  opts.new_cache = &third;
  ASSERT_TRUE(walk_tree(src_, codec_, repo_, opts, s3).ok());
  EXPECT_EQ(s3.bytes_read, 3u * 1024 * 1024 + 17);
}

TEST_F(RepoWalkTest, ChangedFileIsReadAgain) {
  FileCache first;
  WalkOptions opts;
  opts.new_cache = &first;
  WalkStats s1;
  ASSERT_TRUE(walk_tree(src_, codec_, repo_, opts, s1).ok());
  write_file(src_ + "/a/b/c/deep file.txt", "deeper");
  FileCache second;
  opts.old_cache = &first;
  opts.new_cache = &second;
  WalkStats s2;
  ASSERT_TRUE(walk_tree(src_, codec_, repo_, opts, s2).ok());
  EXPECT_EQ(s2.bytes_read, 6u);
  EXPECT_EQ(second.files.at("a/b/c/deep file.txt").sha256, sha256_hex("deeper"));
}

TEST_F(RepoWalkTest, PathsSelectSubtreesWithTheirParents) {
  WalkOptions opts;
  opts.paths = {"a/b"};
  WalkStats stats;
  auto root = walk_tree(src_, codec_, repo_, opts, stats);
  ASSERT_TRUE(root.ok());
  repo::Tree top = tree(*root);
  ASSERT_EQ(top.nodes.size(), 1u);
  EXPECT_EQ(top.nodes[0].name, "a");
  repo::Tree ta = tree(*top.nodes[0].subtree);
  ASSERT_EQ(ta.nodes.size(), 1u);
  EXPECT_EQ(ta.nodes[0].name, "b");
  EXPECT_EQ(tree(*ta.nodes[0].subtree).nodes.size(), 2u);  // big.bin, c
}

TEST_F(RepoWalkTest, MissingSelectedPathFailsNamingIt) {
  WalkOptions opts;
  opts.paths = {"a/b", "not-here"};
  WalkStats stats;
  auto root = walk_tree(src_, codec_, repo_, opts, stats);
  EXPECT_EQ(root.status().code(), Code::kNotFound);
  EXPECT_NE(root.status().message().find("not-here"), std::string::npos) << root.status().message();
}

TEST_F(RepoWalkTest, PathThroughASymlinkIsRefused) {
  fs::create_directory_symlink("a", src_ + "/via");
  WalkOptions opts;
  opts.paths = {"via/b"};
  WalkStats stats;
  auto root = walk_tree(src_, codec_, repo_, opts, stats);
  EXPECT_EQ(root.status().code(), Code::kPermissionDenied);
}

TEST_F(RepoWalkTest, KeyedIdsDifferFromPlainOnes) {
  repo::Codec keyed = repo::Codec::keyed(repo::generate_key(sys::secure_random()));
  MemRepo other(keyed);
  WalkStats s1, s2;
  auto plain_root = walk_tree(src_, codec_, repo_, {}, s1);
  auto keyed_root = walk_tree(src_, keyed, other, {}, s2);
  ASSERT_TRUE(plain_root.ok() && keyed_root.ok());
  EXPECT_NE(*plain_root, *keyed_root);
  // The content is sealed: a file's text does not appear in any stored blob.
  for (const auto& [id, sealed] : other.blobs()) {
    EXPECT_EQ(sealed.find("hello\n"), std::string::npos);
  }
}

}  // namespace
}  // namespace ff::agent
