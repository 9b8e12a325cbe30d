#include <gtest/gtest.h>

#include <clocale>

#include "agent/archive_extract.h"
#include "agent/archive_writer.h"
#include "tree_util.h"

namespace ff::agent {
namespace {

using namespace ff::agent::testing;

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::setlocale(LC_ALL, "C.UTF-8");
    dir_ = make_temp_dir("ff-archive-");
    ASSERT_FALSE(dir_.empty());
    src_ = dir_ + "/src";
    dst_ = dir_ + "/dst";
    fs::create_directories(src_);
    fs::create_directories(dst_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // True when nothing but `dst_` and the archive files changed under dir_.
  std::vector<std::string> outside_entries() {
    std::vector<std::string> out;
    for (auto& e : fs::directory_iterator(dir_)) {
      std::string n = e.path().filename().string();
      if (n != "src" && n != "dst" && n.find(".tar") == std::string::npos) out.push_back(n);
    }
    return out;
  }

  std::string dir_, src_, dst_;
};

TEST_F(ArchiveTest, RoundTripPreservesContentModesTimesAndLinks) {
  make_sample_tree(src_);
  auto w = write_archive(src_, dir_ + "/a.tar.zst", ArchiveOptions{});
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_EQ(w->sha256, file_sha256(dir_ + "/a.tar.zst"));
  EXPECT_EQ(w->size, fs::file_size(dir_ + "/a.tar.zst"));
  EXPECT_EQ(w->file_count, 6u);  // zero, small, big, deep, unicode, hard link
  EXPECT_EQ(w->hardlink_count, 1u);
  EXPECT_EQ(w->symlink_count, 3u);
  EXPECT_EQ(w->dir_count, 6u);  // ".", a, a/b, a/b/c, "empty dir", the unicode one
  EXPECT_EQ(w->byte_count, 6u + 3u * 1024 * 1024 + 17 + 4 + 7);
  EXPECT_TRUE(w->warnings.empty());

  auto x = extract_archive(dir_ + "/a.tar.zst", dst_, ExtractOptions{});
  ASSERT_TRUE(x.ok()) << x.status().to_string();
  EXPECT_EQ(x->file_count, w->file_count);
  EXPECT_EQ(x->symlink_count, 3u);
  EXPECT_EQ(manifest(src_), manifest(dst_));
}

TEST_F(ArchiveTest, SelectedPathsOnly) {
  make_sample_tree(src_);
  ArchiveOptions opts;
  opts.paths = {"a/b/c", src_ + "/zero"};
  auto w = write_archive(src_, dir_ + "/p.tar.zst", opts);
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  ASSERT_TRUE(extract_archive(dir_ + "/p.tar.zst", dst_, {}).ok());
  EXPECT_TRUE(fs::exists(dst_ + "/a/b/c/deep file.txt"));
  EXPECT_TRUE(fs::exists(dst_ + "/zero"));
  EXPECT_FALSE(fs::exists(dst_ + "/a/small.txt"));
  EXPECT_FALSE(fs::exists(dst_ + "/empty dir"));
}

TEST_F(ArchiveTest, MissingSelectedPathFailsNamingIt) {
  make_sample_tree(src_);
  ArchiveOptions opts;
  opts.paths = {"a/b", "no/such dir"};
  auto w = write_archive(src_, dir_ + "/m.tar.zst", opts);
  EXPECT_EQ(w.status().code(), Code::kNotFound);
  EXPECT_NE(w.status().message().find("no/such dir"), std::string::npos) << w.status().message();
  EXPECT_FALSE(fs::exists(dir_ + "/m.tar.zst"));
}

TEST_F(ArchiveTest, MissingSourceDirectoryFails) {
  auto w = write_archive(dir_ + "/gone", dir_ + "/g.tar.zst", ArchiveOptions{});
  EXPECT_EQ(w.status().code(), Code::kNotFound);
  EXPECT_NE(w.status().message().find("does not exist"), std::string::npos);
}

TEST_F(ArchiveTest, PathOutsideTheRootIsRejected) {
  ArchiveOptions opts;
  opts.paths = {"../etc"};
  auto w = write_archive(src_, dir_ + "/p.tar.zst", opts);
  EXPECT_EQ(w.status().code(), Code::kInvalidArgument);
}

// Issue 13: paths: ["lnk/secret.txt"] with lnk -> /outside archived the outside file.
TEST_F(ArchiveTest, RequestedPathThroughASymlinkIsRefused) {
  fs::create_directories(dir_ + "/outside");
  write_file(dir_ + "/outside/secret.txt", "outside secret");
  fs::create_symlink(dir_ + "/outside", src_ + "/lnk");
  fs::create_directories(src_ + "/real");
  fs::create_symlink("../lnk", src_ + "/real/up");
  for (const std::string& p :
       std::vector<std::string>{"lnk/secret.txt", "real/up/secret.txt", src_ + "/lnk/secret.txt"}) {
    ArchiveOptions opts;
    opts.paths = {p};
    auto w = write_archive(src_, dir_ + "/p.tar.zst", opts);
    EXPECT_EQ(w.status().code(), Code::kPermissionDenied) << p;
    EXPECT_NE(w.status().message().find("symlink"), std::string::npos) << w.status().message();
    EXPECT_FALSE(fs::exists(dir_ + "/p.tar.zst")) << p;
  }
}

TEST_F(ArchiveTest, SymlinksAreArchivedAsLinksNeverFollowed) {
  fs::create_directories(dir_ + "/outside");
  write_file(dir_ + "/outside/secret.txt", "outside secret");
  fs::create_symlink(dir_ + "/outside", src_ + "/lnk");
  for (std::vector<std::string> paths : {std::vector<std::string>{}, {"lnk"}}) {
    ArchiveOptions opts;
    opts.paths = paths;
    auto w = write_archive(src_, dir_ + "/l.tar.zst", opts);
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    EXPECT_EQ(w->file_count, 0u);
    EXPECT_EQ(w->symlink_count, 1u);
    fs::remove_all(dst_);
    fs::create_directories(dst_);
    ASSERT_TRUE(extract_archive(dir_ + "/l.tar.zst", dst_, {}).ok());
    EXPECT_TRUE(fs::is_symlink(dst_ + "/lnk"));
    EXPECT_FALSE(fs::exists(dst_ + "/lnk/secret.txt") && !fs::is_symlink(dst_ + "/lnk"));
  }
}

TEST_F(ArchiveTest, MissingSourceIsNotFound) {
  auto w = write_archive(dir_ + "/nope", dir_ + "/m.tar.zst", {});
  EXPECT_EQ(w.status().code(), Code::kNotFound);
  EXPECT_FALSE(fs::exists(dir_ + "/m.tar.zst"));
}

TEST_F(ArchiveTest, UnreadableFileIsAWarningNotAFailure) {
  write_file(src_ + "/ok", "ok");
  ::mkfifo((src_ + "/fifo").c_str(), 0644);
  auto w = write_archive(src_, dir_ + "/w.tar.zst", {});
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->warnings.size(), 1u);
  EXPECT_NE(w->warnings[0].find("fifo"), std::string::npos);
}

TEST_F(ArchiveTest, CancelledArchiveIsRemoved) {
  make_sample_tree(src_);
  ArchiveOptions opts;
  opts.cancelled = [] { return true; };
  auto w = write_archive(src_, dir_ + "/c.tar.zst", opts);
  EXPECT_EQ(w.status().code(), Code::kUnavailable);
  EXPECT_FALSE(fs::exists(dir_ + "/c.tar.zst"));
}

struct HostileCase {
  const char* name;
  std::vector<RawEntry> entries;
};

class HostileArchiveTest : public ArchiveTest, public ::testing::WithParamInterface<int> {};

std::vector<HostileCase> hostile_cases() {
  return {
      {"dotdot", {{"ok.txt", 'f', "fine"}, {"../evil.txt", 'f', "evil"}}},
      {"nested_dotdot", {{"a/../../evil.txt", 'f', "evil"}}},
      {"absolute", {{"/tmp/ff-evil-absolute.txt", 'f', "evil"}}},
      {"symlink_then_file_through_it", {{"escape", 'l', ".."}, {"escape/evil.txt", 'f', "evil"}}},
      {"absolute_symlink_then_file", {{"out", 'l', "/tmp"}, {"out/ff-evil-link.txt", 'f', "evil"}}},
      {"hardlink_outside", {{"h", 'h', "../src/victim"}}},
      {"hardlink_absolute", {{"h", 'h', "/etc/passwd"}}},
  };
}

TEST_P(HostileArchiveTest, IsRejectedAndWritesNothingOutside) {
  const HostileCase c = hostile_cases()[static_cast<size_t>(GetParam())];
  write_file(src_ + "/victim", "victim");
  std::string path = dir_ + "/h.tar.zst";
  write_raw_archive(path, c.entries);
  auto x = extract_archive(path, dst_, {});
  ASSERT_FALSE(x.ok()) << c.name;
  EXPECT_EQ(x.status().code(), Code::kInvalidArgument) << c.name << ": " << x.status().to_string();
  EXPECT_TRUE(outside_entries().empty()) << c.name;
  EXPECT_FALSE(fs::exists("/tmp/ff-evil-absolute.txt"));
  EXPECT_FALSE(fs::exists("/tmp/ff-evil-link.txt"));
  EXPECT_EQ(fs::file_size(src_ + "/victim"), 6u);
}

INSTANTIATE_TEST_SUITE_P(All, HostileArchiveTest, ::testing::Range(0, 7));

TEST_F(ArchiveTest, TruncatedArchiveIsDataLoss) {
  make_sample_tree(src_);
  std::string path = dir_ + "/t.tar.zst";
  ASSERT_TRUE(write_archive(src_, path, {}).ok());
  fs::resize_file(path, fs::file_size(path) / 2);
  auto x = extract_archive(path, dst_, {});
  EXPECT_EQ(x.status().code(), Code::kDataLoss) << x.status().to_string();
}

}  // namespace
}  // namespace ff::agent
