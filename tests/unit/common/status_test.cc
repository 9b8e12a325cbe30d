#include "common/status.h"

#include <string>

#include <gtest/gtest.h>

namespace ff {
namespace {

Result<std::string> failing() { return NotFound("no such thing: a long message past SSO"); }
Result<std::string> working() { return std::string("value"); }

Status try_status_of_temporary() {
  // status() on a temporary Result returns by value: nothing dangles.
  FF_TRY(failing().status());
  return OkStatus();
}

Status try_result() {
  FF_TRY(working());
  FF_TRY(failing());
  return OkStatus();
}

Result<size_t> assign_or_return(bool fail) {
  FF_ASSIGN_OR_RETURN(std::string v, fail ? failing() : working());
  return v.size();
}

TEST(Status, TryOnATemporaryResultsStatusKeepsTheMessage) {
  Status s = try_status_of_temporary();
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "no such thing: a long message past SSO");
}

TEST(Status, TryReturnsTheFirstError) {
  Status s = try_result();
  EXPECT_EQ(s.code(), Code::kNotFound);
}

TEST(Status, AssignOrReturn) {
  EXPECT_EQ(*assign_or_return(false), 5u);
  EXPECT_EQ(assign_or_return(true).status().code(), Code::kNotFound);
}

TEST(Status, OkResultHasOkStatus) {
  EXPECT_TRUE(working().status().ok());
  Result<std::string> r = working();
  EXPECT_TRUE(r.status().ok());
}

}  // namespace
}  // namespace ff
