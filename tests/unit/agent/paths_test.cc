#include <gtest/gtest.h>

#include "agent/backup.h"
#include "agent/paths.h"
#include "common/ids.h"
#include "sys/random.h"

namespace ff::agent {
namespace {

TEST(Paths, ContainedNames) {
  EXPECT_TRUE(is_contained_name("a/b"));
  EXPECT_TRUE(is_contained_name("a/..b/c"));
  EXPECT_TRUE(is_contained_name("."));
  EXPECT_FALSE(is_contained_name(""));
  EXPECT_FALSE(is_contained_name("/etc/passwd"));
  EXPECT_FALSE(is_contained_name(".."));
  EXPECT_FALSE(is_contained_name("a/../../b"));
  EXPECT_FALSE(is_contained_name("a/.."));
}

TEST(Paths, RelativeInside) {
  EXPECT_EQ(*relative_inside("/data", "a/b/"), "a/b");
  EXPECT_EQ(*relative_inside("/data", "/data/a/./b"), "a/b");
  EXPECT_EQ(*relative_inside("/data", "a/../b"), "b");
  EXPECT_EQ(relative_inside("/data", "/etc").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(relative_inside("/data", "../x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(relative_inside("/data", "/data").status().code(), Code::kInvalidArgument);
}

TEST(SnapshotId, IsAValidIdEvenForLongAgentIds) {
  std::string agent(128, 'a');
  std::string id = make_snapshot_id(agent, from_unix_seconds(1'800'000'000), sys::secure_random());
  EXPECT_TRUE(is_valid_id(id)) << id;
  EXPECT_NE(id.find("-20270115T"), std::string::npos) << id;
}

}  // namespace
}  // namespace ff::agent
