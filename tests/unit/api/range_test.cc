#include "api/range.h"

#include <gtest/gtest.h>

namespace ff::api {
namespace {

std::optional<ByteRange> served(const std::string& header, uint64_t size) {
  auto r = parse_range(header, size);
  EXPECT_TRUE(r.ok()) << header;
  return r.ok() ? *r : std::nullopt;
}

TEST(Range, SingleRangesAreResolvedAgainstTheSize) {
  auto a = served("bytes=0-99", 1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, 0u);
  EXPECT_EQ(a->length, 100u);
  auto open_end = served("bytes=990-", 1000);
  ASSERT_TRUE(open_end);
  EXPECT_EQ(open_end->first, 990u);
  EXPECT_EQ(open_end->length, 10u);
  auto suffix = served("bytes=-5000", 1000);  // longer than the object: all of it
  ASSERT_TRUE(suffix);
  EXPECT_EQ(suffix->first, 0u);
  EXPECT_EQ(suffix->length, 1000u);
  auto cut = served("bytes=999-18446744073709551615", 1000);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->first, 999u);
  EXPECT_EQ(cut->length, 1u);
}

TEST(Range, IgnoredHeadersServeTheWholeObject) {
  for (const char* h : {"", "items=0-1", "bytes=0-1,4-5", "bytes=5", "bytes=a-b", "bytes=9-3",
                        "bytes=-", "bytes=18446744073709551616-"}) {
    EXPECT_FALSE(served(h, 1000)) << h;
  }
}

TEST(Range, UnsatisfiableIsOutOfRange) {
  for (auto [h, size] : {std::pair<const char*, uint64_t>{"bytes=1000-", 1000},
                         {"bytes=0-", 0},
                         {"bytes=-0", 1000},
                         {"bytes=-10", 0}}) {
    auto r = parse_range(h, size);
    EXPECT_EQ(r.status().code(), Code::kOutOfRange) << h << " of " << size;
  }
}

}  // namespace
}  // namespace ff::api
