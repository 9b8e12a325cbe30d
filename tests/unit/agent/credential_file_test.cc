#include "agent/credential_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ff::agent {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/ff-cred-" + name;
  fs::remove_all(dir);
  return dir;
}

TEST(CredentialFile, NoFileMeansNotEnrolled) {
  auto r = load_agent_secret(fresh_dir("none"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->has_value());
}

TEST(CredentialFile, SavesWithMode0600InA0700DirectoryAndLoadsBack) {
  std::string dir = fresh_dir("save") + "/nested";
  ASSERT_TRUE(save_agent_secret(dir, "ffa_first").ok());
  ASSERT_TRUE(save_agent_secret(dir, "ffa_second").ok());  // replaces
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/agent_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_FALSE(fs::exists(dir + "/agent_secret.tmp"));
  auto r = load_agent_secret(dir);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value_or(""), "ffa_second");
}

TEST(CredentialFile, RefusesAFileOthersMayReadOrASymlink) {
  std::string dir = fresh_dir("loose");
  fs::create_directories(dir);
  { std::ofstream(dir + "/agent_secret") << "ffa_x\n"; }
  ::chmod((dir + "/agent_secret").c_str(), 0644);
  EXPECT_EQ(load_agent_secret(dir).status().code(), Code::kPermissionDenied);

  std::string other = fresh_dir("link");
  fs::create_directories(other);
  ASSERT_TRUE(save_agent_secret(dir + "-real", "ffa_y").ok());
  fs::create_symlink(dir + "-real/agent_secret", other + "/agent_secret");
  EXPECT_FALSE(load_agent_secret(other).ok());
}

}  // namespace
}  // namespace ff::agent
