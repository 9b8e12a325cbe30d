#include "common/json_limits.h"

#include <string>

#include <gtest/gtest.h>

namespace ff {
namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonLimits, DepthCountsArraysAndObjects) {
  EXPECT_EQ(json_nesting_depth("1"), 0);
  EXPECT_EQ(json_nesting_depth("{}"), 1);
  EXPECT_EQ(json_nesting_depth(R"({"a":[{"b":[]}],"c":{}})"), 4);
}

TEST(JsonLimits, BracketsInsideStringsDoNotCount) {
  EXPECT_EQ(json_nesting_depth(R"({"a":"[[[[{{{{"})"), 1);
  // An escaped quote does not end the string.
  EXPECT_EQ(json_nesting_depth(R"({"a":"\"[[[[","b":[]})"), 2);
  EXPECT_EQ(json_nesting_depth(R"(["\\",[]])"), 2);
}

TEST(JsonLimits, StopsCountingPastTheLimit) {
  EXPECT_EQ(json_nesting_depth(nested_arrays(100000), 64), 65);
}

TEST(JsonLimits, AcceptsTheLimitExactly) {
  auto j = parse_json_bounded(nested_arrays(kMaxJsonDepth), "body");
  ASSERT_TRUE(j.ok()) << j.status().to_string();
  EXPECT_TRUE(j->is_array());
}

TEST(JsonLimits, RefusesDeeperWithValidationNamingTheLimit) {
  std::string deep = R"({"metadata":)" + nested_arrays(100000) + "}";
  auto j = parse_json_bounded(deep, "body");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kValidation);
  EXPECT_NE(j.status().message().find("64"), std::string::npos);
  EXPECT_NE(j.status().message().find("body"), std::string::npos);
}

TEST(JsonLimits, MalformedIsInvalidArgument) {
  auto j = parse_json_bounded("{\"a\":", "body");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(j.status().message(), "malformed JSON body");
}

}  // namespace
}  // namespace ff
