#include "common/time.h"

#include <cstdio>
#include <ctime>
#include <random>

#include <gtest/gtest.h>

namespace ff {
namespace {

// The C library's formatting, as an independent reference.
std::string reference(int64_t unix_seconds, int ms, bool millis) {
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[80];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s = buf;
  if (millis) {
    std::snprintf(buf, sizeof buf, ".%03d", ms);
    s += buf;
  }
  return s + "Z";
}

SystemTime at(int64_t unix_seconds, int ms) {
  return SystemTime(std::chrono::seconds(unix_seconds)) + std::chrono::milliseconds(ms);
}

TEST(FormatRfc3339, KnownInstants) {
  EXPECT_EQ(format_rfc3339(at(0, 0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_ms(at(0, 7)), "1970-01-01T00:00:00.007Z");
  EXPECT_EQ(format_rfc3339(at(951782400, 999)), "2000-02-29T00:00:00Z");  // leap day
  EXPECT_EQ(format_rfc3339_ms(at(1795718585, 123)), "2026-11-26T18:43:05.123Z");
  EXPECT_EQ(format_rfc3339(at(9214646400, 0)), "2262-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_ms(at(-1, 500)), "1969-12-31T23:59:59.500Z");
}

TEST(FormatRfc3339, MatchesTheCLibraryOverRandomInstants) {
  std::mt19937_64 rng(42);
  // SystemTime counts nanoseconds in 64 bits: 1678 to 2262, both formats.
  std::uniform_int_distribution<int64_t> secs(-9214560000, 9214646400);
  std::uniform_int_distribution<int> ms(0, 999);
  for (int i = 0; i < 20000; ++i) {
    int64_t s = secs(rng);
    int m = ms(rng);
    ASSERT_EQ(format_rfc3339(at(s, m)), reference(s, m, false)) << s;
    ASSERT_EQ(format_rfc3339_ms(at(s, m)), reference(s, m, true)) << s << "." << m;
  }
}

TEST(FormatRfc3339, RoundTripsThroughTheParser) {
  for (int64_t s : {int64_t{0}, int64_t{1795718585}, int64_t{-86401}, int64_t{4102444800}}) {
    auto parsed = parse_rfc3339(format_rfc3339_ms(at(s, 250)));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, at(s, 250));
  }
}

}  // namespace
}  // namespace ff
