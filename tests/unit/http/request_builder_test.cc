#include "http/detail/request_builder.h"

#include <gtest/gtest.h>

namespace ff::http::detail {
namespace {

api::Request parsed(std::string_view target) {
  api::Request r;
  Status s = parse_target(target, &r);
  EXPECT_TRUE(s.ok()) << target << ": " << s.to_string();
  return r;
}

TEST(ParseTarget, PlainPathsAreTakenAsTheyAre) {
  api::Request r = parsed("/restore-jobs/rj-0123_abc.x~y");
  EXPECT_EQ(r.path, "/restore-jobs/rj-0123_abc.x~y");
  EXPECT_TRUE(r.query.empty());
}

TEST(ParseTarget, EscapesAreDecodedAndQueriesSplit) {
  api::Request r = parsed("/snapshots/a%20b?agent_id=a1&status=pending&x=%C3%A4");
  EXPECT_EQ(r.path, "/snapshots/a b");
  ASSERT_EQ(r.query.size(), 3u);
  EXPECT_EQ(r.query[0].first, "agent_id");
  EXPECT_EQ(r.query[0].second, "a1");
  EXPECT_EQ(r.query[2].second, "\xC3\xA4");
  EXPECT_EQ(parsed("/a:b@c").path, "/a:b@c");  // path characters beyond the plain set
}

TEST(ParseTarget, MalformedTargetsAreRefused) {
  api::Request r;
  EXPECT_EQ(parse_target("", &r).code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_target("http://host/x", &r).code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_target("/bad%zz", &r).code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_target("/nul%00byte", &r).code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_target("/sp ace", &r).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace ff::http::detail
