#include "http/router.h"

#include <gtest/gtest.h>

namespace ff::http {
namespace {

api::Route route(const char* method, const char* pattern) {
  api::Route r;
  r.method = method;
  r.pattern = pattern;
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* r : {&snapshots_, &snapshot_, &object_get_, &object_put_, &commands_, &control_,
                    &control_rest_}) {
      router_.add(*r);
    }
  }
  api::Route snapshots_ = route("GET", "/snapshots");
  api::Route snapshot_ = route("GET", "/snapshots/{id}");
  api::Route object_get_ = route("GET", "/snapshots/{id}/object");
  api::Route object_put_ = route("PUT", "/snapshots/{id}/object");
  api::Route commands_ = route("GET", "/agent/{id}/commands");
  api::Route control_ = route("GET", "/control");
  api::Route control_rest_ = route("GET", "/control/{path+}");
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralAndParameterSegments) {
  auto m = router_.match("GET", "/snapshots/s-1/object");
  ASSERT_EQ(m.route, &object_get_);
  EXPECT_EQ(m.params.at("id"), "s-1");
  EXPECT_EQ(router_.match("GET", "/snapshots").route, &snapshots_);
  EXPECT_EQ(router_.match("GET", "/snapshots/").route, &snapshots_);
  EXPECT_EQ(router_.match("GET", "/agent/a1/commands").params.at("id"), "a1");
}

TEST_F(RouterTest, UnknownPathHasNoRouteAndNoAllow) {
  auto m = router_.match("GET", "/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allow.empty());
}

TEST_F(RouterTest, WrongMethodReportsAllowedMethods) {
  auto m = router_.match("DELETE", "/snapshots/s1/object");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "GET, PUT");
}

TEST_F(RouterTest, HeadMatchesGet) {
  EXPECT_EQ(router_.match("HEAD", "/snapshots").route, &snapshots_);
}

TEST_F(RouterTest, RestParameterTakesTheRemainingSegments) {
  EXPECT_EQ(router_.match("GET", "/control").route, &control_);
  auto m = router_.match("GET", "/control/assets/app.js");
  ASSERT_EQ(m.route, &control_rest_);
  EXPECT_EQ(m.params.at("path"), "assets/app.js");
}

TEST(SplitPath, IgnoresEmptySegments) {
  auto parts = split_path("//a///b/");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "b");
}

}  // namespace
}  // namespace ff::http
