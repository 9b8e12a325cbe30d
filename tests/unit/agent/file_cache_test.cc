#include "agent/file_cache.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/hex.h"
#include "tree_util.h"

namespace ff::agent {
namespace {

using namespace ff::agent::testing;

repo::BlobId id_of(uint8_t b) {
  repo::BlobId id{};
  id.fill(b);
  return id;
}

FileCache sample() {
  FileCache c;
  c.packs = {std::string(64, '1'), std::string(64, '2')};
  FileCacheEntry a;
  a.size = 3 << 20;
  a.mtime_ns = 1'600'000'000'123'456'789;
  a.ctime_ns = -5;  // odd but valid
  a.inode = 42;
  a.dev = 2049;
  a.sha256 = std::string(64, 'a');
  a.content = {id_of(1), id_of(2), id_of(3)};
  a.packs = {0, 1, 0};
  c.files["dir/with space/ünï\ncødé"] = a;
  FileCacheEntry empty;
  empty.sha256 = std::string(64, 'e');
  c.files["zero"] = empty;
  return c;
}

class FileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("ff-filecache-"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileCacheTest, RoundTripKeepsEveryField) {
  std::string path = file_cache_path(dir_ + "/state", "agent-a1");
  EXPECT_EQ(path, dir_ + "/state/filecache-agent-a1.v2");
  ASSERT_TRUE(save_file_cache(path, sample()).ok());
  auto loaded = load_file_cache(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  FileCache want = sample();
  EXPECT_EQ(loaded->packs, want.packs);
  ASSERT_EQ(loaded->files.size(), want.files.size());
  for (const auto& [p, e] : want.files) {
    ASSERT_TRUE(loaded->files.count(p)) << p;
    const FileCacheEntry& g = loaded->files.at(p);
    EXPECT_TRUE(g.same_file(e));
    EXPECT_EQ(g.sha256, e.sha256);
    EXPECT_EQ(g.content, e.content);
    EXPECT_EQ(g.packs, e.packs);
  }
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(FileCacheTest, SavingRemovesTheOldVersionsFile) {
  std::string v1 = dir_ + "/filecache-k.v1";
  write_file(v1, "fortfail-filecache v1\nend 00\n");
  ASSERT_TRUE(save_file_cache(dir_ + "/filecache-k.v2", sample()).ok());
  EXPECT_FALSE(fs::exists(v1));
}

TEST_F(FileCacheTest, UnresolvedPacksAreRefusedNotWritten) {
  std::string path = dir_ + "/c.v2";
  FileCache c = sample();
  c.files["dir/with space/ünï\ncødé"].packs.pop_back();
  EXPECT_EQ(save_file_cache(path, c).code(), Code::kInvalidArgument);
  c = sample();
  c.files["zero"].content = {id_of(9)};
  c.files["zero"].packs = {2};  // past the pack list
  EXPECT_EQ(save_file_cache(path, c).code(), Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(FileCacheTest, APackIndexPastThePackListIsDataLoss) {
  std::string path = dir_ + "/c.v2";
  std::string body = "fortfail-filecache v2\npack " + std::string(64, '1') + "\n" + "7a " +
                     "1 2 3 4 5 " + std::string(64, 'a') + " " + repo::blob_id_hex(id_of(1)) +
                     ":1\n";
  write_file(path, body + "end " + sha256_hex(body) + "\n");
  auto r = load_file_cache(path);
  ASSERT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_NE(r.status().message().find("bad line 3"), std::string::npos) << r.status().message();
  body = "fortfail-filecache v2\npack " + std::string(64, '1') + "\n" + "7a " + "1 2 3 4 5 " +
         std::string(64, 'a') + " " + repo::blob_id_hex(id_of(1)) + ":0\n";
  write_file(path, body + "end " + sha256_hex(body) + "\n");
  r = load_file_cache(path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->files.at("z").packs, std::vector<uint32_t>{0});
}

TEST_F(FileCacheTest, MissingFileIsNotFound) {
  EXPECT_EQ(load_file_cache(dir_ + "/none.v2").status().code(), Code::kNotFound);
}

TEST_F(FileCacheTest, FlippedByteIsDataLoss) {
  std::string path = dir_ + "/c.v2";
  ASSERT_TRUE(save_file_cache(path, sample()).ok());
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(40);
  char c = 0;
  f.seekg(40);
  f.get(c);
  f.seekp(40);
  f.put(c == '1' ? '2' : '1');
  f.close();
  auto r = load_file_cache(path);
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
}

TEST_F(FileCacheTest, TruncatedFileIsDataLoss) {
  std::string path = dir_ + "/c.v2";
  ASSERT_TRUE(save_file_cache(path, sample()).ok());
  fs::resize_file(path, fs::file_size(path) - 10);
  auto r = load_file_cache(path);
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
}

TEST_F(FileCacheTest, UnknownVersionIsDataLoss) {
  std::string path = dir_ + "/c.v2";
  write_file(path, "fortfail-filecache v1\nend 00\n");
  auto r = load_file_cache(path);
  ASSERT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_NE(r.status().message().find("version"), std::string::npos);
}

}  // namespace
}  // namespace ff::agent
