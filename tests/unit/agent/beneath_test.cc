#include "agent/beneath.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tree_util.h"

namespace ff::agent {
namespace {

using namespace ff::agent::testing;

// A root with a nested file, and symlinks out of it, within it and to nowhere.
class BeneathFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ff-beneath-");
    ASSERT_FALSE(dir_.empty());
    root_ = dir_ + "/root";
    outside_ = dir_ + "/outside";
    fs::create_directories(root_ + "/a/b");
    fs::create_directories(outside_);
    write_file(root_ + "/a/b/file.txt", "inside");
    write_file(outside_ + "/secret.txt", "outside");
    fs::create_symlink(outside_, root_ + "/a/lnk");               // into another tree
    fs::create_symlink("b/file.txt", root_ + "/a/rel-lnk");       // stays inside
    fs::create_symlink("nowhere/at/all", root_ + "/a/dangling");  // points nowhere
    root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override {
    ::close(root_fd_);
    fs::remove_all(dir_);
  }
  static std::string read_all(int fd) {
    std::string s(64, '\0');
    ssize_t n = ::pread(fd, s.data(), s.size(), 0);
    s.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return s;
  }

  std::string dir_, root_, outside_;
  int root_fd_ = -1;
};

// Every case runs twice: through openat2 (the kernel's RESOLVE_BENEATH) and
// through the component walk used where openat2 is missing.
class BeneathTest : public BeneathFixture, public ::testing::WithParamInterface<bool> {
 protected:
  Result<UniqueFd> open(const std::string& rel, int flags) {
    return GetParam() ? open_beneath(root_fd_, rel, flags)
                      : open_beneath_by_walk_for_test(root_fd_, rel, flags);
  }
};

TEST_P(BeneathTest, AllowedNestedPathOpens) {
  auto fd = open("a/b/file.txt", O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status().to_string();
  EXPECT_EQ(read_all(fd->get()), "inside");
  auto same = open("./a//b/./file.txt", O_RDONLY);
  ASSERT_TRUE(same.ok()) << same.status().to_string();
  auto root = open("", O_RDONLY | O_DIRECTORY);
  EXPECT_TRUE(root.ok()) << root.status().to_string();
}

TEST_P(BeneathTest, AbsolutePathIsRefused) {
  auto fd = open(outside_ + "/secret.txt", O_RDONLY);
  EXPECT_EQ(fd.status().code(), Code::kPermissionDenied);
  EXPECT_NE(fd.status().message().find("absolute"), std::string::npos) << fd.status().message();
}

TEST_P(BeneathTest, DotDotIsRefusedEvenWhenItStaysInside) {
  EXPECT_EQ(open("../outside/secret.txt", O_RDONLY).status().code(), Code::kPermissionDenied);
  auto inside = open("a/../a/b/file.txt", O_RDONLY);
  EXPECT_EQ(inside.status().code(), Code::kPermissionDenied);
  EXPECT_NE(inside.status().message().find("'..'"), std::string::npos);
}

TEST_P(BeneathTest, SymlinkInAMiddleComponentIsRefused) {
  auto fd = open("a/lnk/secret.txt", O_RDONLY);
  EXPECT_EQ(fd.status().code(), Code::kPermissionDenied);
  EXPECT_NE(fd.status().message().find("symlink"), std::string::npos) << fd.status().message();
  // Never the host path of the root in the message.
  EXPECT_EQ(fd.status().message().find(root_), std::string::npos) << fd.status().message();
}

TEST_P(BeneathTest, SymlinkAsTheLastComponentIsRefused) {
  EXPECT_EQ(open("a/lnk", O_RDONLY | O_DIRECTORY).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(open("a/rel-lnk", O_RDONLY).status().code(), Code::kPermissionDenied);
}

TEST_P(BeneathTest, SymlinkAsTheLastComponentOpensAsALinkWithOPathNoFollow) {
  auto fd = open("a/lnk", O_PATH | O_NOFOLLOW);
  ASSERT_TRUE(fd.ok()) << fd.status().to_string();
  struct stat st {};
  ASSERT_EQ(::fstat(fd->get(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST_P(BeneathTest, DanglingSymlinkIsRefused) {
  EXPECT_EQ(open("a/dangling", O_RDONLY).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(open("a/dangling/x", O_RDONLY).status().code(), Code::kPermissionDenied);
}

TEST_P(BeneathTest, MissingComponentIsNotFound) {
  EXPECT_EQ(open("a/nope/file.txt", O_RDONLY).status().code(), Code::kNotFound);
}

TEST_P(BeneathTest, FileAsAMiddleComponentIsInvalid) {
  EXPECT_EQ(open("a/b/file.txt/x", O_RDONLY).status().code(), Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Openat2AndWalk, BeneathTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "openat2" : "walk"; });

using OpenDirBeneathTest = BeneathFixture;

TEST_F(OpenDirBeneathTest, CreatesMissingDirectoriesOneAtATime) {
  auto fd = open_dir_beneath(root_fd_, "a/new/deeper", /*create=*/true);
  ASSERT_TRUE(fd.ok()) << fd.status().to_string();
  EXPECT_TRUE(fs::is_directory(root_ + "/a/new/deeper"));
  EXPECT_EQ(path_of_fd(fd->get()), fs::canonical(root_ + "/a/new/deeper").string());
}

TEST_F(OpenDirBeneathTest, NeverCreatesThroughASymlink) {
  auto fd = open_dir_beneath(root_fd_, "a/lnk/planted", /*create=*/true);
  EXPECT_EQ(fd.status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(fs::exists(outside_ + "/planted"));
  EXPECT_EQ(open_dir_beneath(root_fd_, "a/dangling/x", true).status().code(),
            Code::kPermissionDenied);
  EXPECT_FALSE(fs::exists(root_ + "/a/nowhere"));
  EXPECT_EQ(open_dir_beneath(root_fd_, "../outside/x", true).status().code(),
            Code::kPermissionDenied);
  EXPECT_FALSE(fs::exists(outside_ + "/x"));
}

}  // namespace
}  // namespace ff::agent
