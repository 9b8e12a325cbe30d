#include "core/cron.h"

#include <gtest/gtest.h>

namespace ff::core {
namespace {

SystemTime utc(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : SystemTime{};
}

std::string next(const char* expr, const char* after) {
  auto spec = CronSpec::parse(expr);
  EXPECT_TRUE(spec.ok()) << expr << ": " << spec.status().to_string();
  if (!spec.ok()) return "";
  return format_rfc3339(spec->next_after(utc(after)));
}

std::string error(const char* expr) {
  auto spec = CronSpec::parse(expr);
  EXPECT_EQ(spec.status().code(), Code::kValidation) << expr;
  return std::string(spec.status().message());
}

TEST(Cron, EveryMinuteIsStrictlyAfterAndOnWholeMinutes) {
  EXPECT_EQ(next("* * * * *", "2026-03-01T10:00:00Z"), "2026-03-01T10:01:00Z");
  EXPECT_EQ(next("* * * * *", "2026-03-01T10:00:59Z"), "2026-03-01T10:01:00Z");
}

TEST(Cron, StepsRangesAndLists) {
  EXPECT_EQ(next("*/15 * * * *", "2026-03-01T10:14:00Z"), "2026-03-01T10:15:00Z");
  EXPECT_EQ(next("*/15 * * * *", "2026-03-01T10:45:00Z"), "2026-03-01T11:00:00Z");
  EXPECT_EQ(next("0 9-17/4 * * *", "2026-03-01T13:00:00Z"), "2026-03-01T17:00:00Z");
  EXPECT_EQ(next("5,35 1,3 * * *", "2026-03-01T01:40:00Z"), "2026-03-01T03:05:00Z");
  EXPECT_EQ(next("10/20 * * * *", "2026-03-01T10:31:00Z"), "2026-03-01T10:50:00Z");
}

TEST(Cron, DailyRollsOverMonthAndYearEnds) {
  EXPECT_EQ(next("30 2 * * *", "2026-04-30T03:00:00Z"), "2026-05-01T02:30:00Z");
  EXPECT_EQ(next("0 0 * * *", "2026-12-31T23:59:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next("0 0 31 * *", "2026-04-01T00:00:00Z"), "2026-05-31T00:00:00Z");
}

TEST(Cron, LeapDayWaitsForALeapYear) {
  EXPECT_EQ(next("0 12 29 2 *", "2026-01-01T00:00:00Z"), "2028-02-29T12:00:00Z");
  // 2100 is not a leap year.
  EXPECT_EQ(next("0 12 29 2 *", "2096-03-01T00:00:00Z"), "2104-02-29T12:00:00Z");
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // 2026-03-01 is a Sunday: the 15th or any Monday, whichever comes first.
  EXPECT_EQ(next("0 0 15 * 1", "2026-03-01T00:00:00Z"), "2026-03-02T00:00:00Z");
  EXPECT_EQ(next("0 0 3 * 5", "2026-03-01T00:00:00Z"), "2026-03-03T00:00:00Z");
  // A star day-of-month: only the weekday counts.
  EXPECT_EQ(next("0 0 * * 5", "2026-03-01T00:00:00Z"), "2026-03-06T00:00:00Z");
  // A stepped star still counts as a star (Vixie): both must match.
  EXPECT_EQ(next("0 0 */10 * 3", "2026-03-01T00:00:00Z"), "2026-03-11T00:00:00Z");
}

TEST(Cron, SundayIsZeroAndSeven) {
  EXPECT_EQ(next("0 8 * * 0", "2026-03-02T00:00:00Z"), "2026-03-08T08:00:00Z");
  EXPECT_EQ(next("0 8 * * 7", "2026-03-02T00:00:00Z"), "2026-03-08T08:00:00Z");
  EXPECT_EQ(next("0 8 * * 5-7", "2026-03-02T00:00:00Z"), "2026-03-06T08:00:00Z");
}

TEST(Cron, ErrorsNameTheField) {
  EXPECT_EQ(error("* * * *"),
            "cron: expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  EXPECT_EQ(error("60 * * * *"), "cron: minute: 60 is out of range 0-59");
  EXPECT_EQ(error("* 24 * * *"), "cron: hour: 24 is out of range 0-23");
  EXPECT_EQ(error("* * 0 * *"), "cron: day-of-month: 0 is out of range 1-31");
  EXPECT_EQ(error("* * * 13 *"), "cron: month: 13 is out of range 1-12");
  EXPECT_EQ(error("* * * * 8"), "cron: day-of-week: 8 is out of range 0-7");
  EXPECT_EQ(error("* * * jan *"), "cron: month: 'jan' is not a number");
  EXPECT_EQ(error("*/0 * * * *"), "cron: minute: 0 is out of range 1-60");
  EXPECT_EQ(error("5-1 * * * *"), "cron: minute: range '5-1' runs backwards");
  EXPECT_EQ(error("1,,2 * * * *"), "cron: minute: empty list item in '1,,2'");
  EXPECT_EQ(error("0 0 30 2 *"), "cron: day-of-month: never occurs in the months given");
}

}  // namespace
}  // namespace ff::core
