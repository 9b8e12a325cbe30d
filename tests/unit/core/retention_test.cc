#include "core/retention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ff::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SystemTime at(const char* rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : SystemTime{};
}

// Candidates named by their timestamps, so a failure reads as a calendar.
std::vector<RetentionCandidate> snapshots(std::initializer_list<const char*> times) {
  std::vector<RetentionCandidate> out;
  for (const char* t : times) out.push_back({t, at(t)});
  return out;
}

std::vector<std::string> kept_ids(const std::vector<RetentionDecision>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) {
    if (d.keep) out.push_back(d.id);
  }
  return out;
}

const RetentionDecision& decision(const std::vector<RetentionDecision>& ds, const std::string& id) {
  for (const auto& d : ds) {
    if (d.id == id) return d;
  }
  ADD_FAILURE() << "no decision for " << id;
  static const RetentionDecision kNone;
  return kNone;
}

RetentionPolicy policy(const char* json) {
  auto p = parse_retention(nlohmann::json::parse(json));
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return p.ok() ? *p : RetentionPolicy{};
}

// --- parse_retention

TEST(RetentionParse, ReadsEveryRule) {
  auto p = parse_retention(nlohmann::json::parse(
      R"({"keep_last":1,"keep_hourly":2,"keep_daily":3,"keep_weekly":4,"keep_monthly":5,"keep_yearly":6})"));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->keep_last, 1);
  EXPECT_EQ(p->keep_hourly, 2);
  EXPECT_EQ(p->keep_daily, 3);
  EXPECT_EQ(p->keep_weekly, 4);
  EXPECT_EQ(p->keep_monthly, 5);
  EXPECT_EQ(p->keep_yearly, 6);
}

TEST(RetentionParse, JsonRoundTripsOnlyTheRulesSet) {
  RetentionPolicy p = policy(R"({"keep_daily":7,"keep_weekly":0})");
  EXPECT_EQ(retention_json(p), nlohmann::json::parse(R"({"keep_daily":7,"keep_weekly":0})"));
  EXPECT_FALSE(p.keep_last.has_value());
}

void expect_refused(const char* json, const std::string& needle) {
  auto p = parse_retention(nlohmann::json::parse(json));
  ASSERT_FALSE(p.ok()) << json;
  EXPECT_EQ(p.status().code(), Code::kValidation) << json;
  EXPECT_NE(p.status().message().find(needle), std::string::npos)
      << json << " -> " << p.status().message();
}

TEST(RetentionParse, RefusesWhatIsNotAPolicy) {
  expect_refused(R"([1])", "must be an object");
  expect_refused(R"("keep_last")", "must be an object");
  expect_refused(R"({"keep_last":1,"keep_dayly":2})", "retention.keep_dayly: unknown rule");
  expect_refused(R"({"keep_last":"3"})", "retention.keep_last: must be an integer >= 0");
  expect_refused(R"({"keep_last":1.5})", "retention.keep_last: must be an integer >= 0");
  expect_refused(R"({"keep_last":null})", "retention.keep_last: must be an integer >= 0");
  expect_refused(R"({"keep_daily":-1})", "retention.keep_daily: must be an integer >= 0");
  expect_refused(R"({"keep_daily":18446744073709551615})",
                 "retention.keep_daily: must be an integer >= 0");
}

TEST(RetentionParse, RefusesAPolicyThatKeepsNothing) {
  expect_refused(R"({})", "at least one keep_* rule");
  expect_refused(R"({"keep_last":0,"keep_daily":0})", "at least one keep_* rule");
}

// --- select_retention

TEST(RetentionSelect, KeepLastKeepsTheNewestAndOrdersNewestFirst) {
  auto ds = select_retention(snapshots({"2024-05-01T10:00:00Z", "2024-05-03T10:00:00Z",
                                        "2024-05-02T10:00:00Z", "2024-05-04T10:00:00Z"}),
                             policy(R"({"keep_last":2})"));
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0].id, "2024-05-04T10:00:00Z");
  EXPECT_EQ(ds[3].id, "2024-05-01T10:00:00Z");
  EXPECT_THAT(kept_ids(ds), ElementsAre("2024-05-04T10:00:00Z", "2024-05-03T10:00:00Z"));
  EXPECT_THAT(ds[0].reasons, ElementsAre("last 1"));
  EXPECT_THAT(ds[1].reasons, ElementsAre("last 2"));
  EXPECT_THAT(ds[2].reasons, IsEmpty());
}

TEST(RetentionSelect, FewerSnapshotsThanNKeepsThemAll) {
  auto ds = select_retention(snapshots({"2024-05-01T10:00:00Z", "2024-05-02T10:00:00Z"}),
                             policy(R"({"keep_last":10,"keep_daily":10,"keep_yearly":10})"));
  EXPECT_EQ(kept_ids(ds).size(), 2u);
  EXPECT_THAT(ds[0].reasons, ElementsAre("last 1", "daily 2024-05-02", "yearly 2024"));
  // The year is already kept by the newer one.
  EXPECT_THAT(ds[1].reasons, ElementsAre("last 2", "daily 2024-05-01"));
}

TEST(RetentionSelect, NoSnapshotsNoDecisions) {
  EXPECT_THAT(select_retention({}, policy(R"({"keep_last":3})")), IsEmpty());
}

TEST(RetentionSelect, HourlyKeepsTheNewestOfEachHour) {
  auto ds = select_retention(
      snapshots({"2024-05-01T12:59:59Z", "2024-05-01T13:00:00Z", "2024-05-01T13:30:00Z",
                 "2024-05-01T14:00:00Z", "2024-05-01T11:00:00Z"}),
      policy(R"({"keep_hourly":3})"));
  // 14:00, the newer of 13:xx and the one at 12:59:59; 11:00 is a fourth hour.
  EXPECT_THAT(kept_ids(ds),
              ElementsAre("2024-05-01T14:00:00Z", "2024-05-01T13:30:00Z", "2024-05-01T12:59:59Z"));
  EXPECT_THAT(decision(ds, "2024-05-01T13:30:00Z").reasons, ElementsAre("hourly 2024-05-01T13"));
}

TEST(RetentionSelect, DailyBucketsChangeAtMidnightUtc) {
  auto ds = select_retention(snapshots({"2024-05-01T23:59:59Z", "2024-05-02T00:00:00Z",
                                        "2024-05-02T00:00:01Z", "2024-05-01T00:00:00Z"}),
                             policy(R"({"keep_daily":2})"));
  EXPECT_THAT(kept_ids(ds), ElementsAre("2024-05-02T00:00:01Z", "2024-05-01T23:59:59Z"));
  EXPECT_THAT(decision(ds, "2024-05-01T23:59:59Z").reasons, ElementsAre("daily 2024-05-01"));
  EXPECT_FALSE(decision(ds, "2024-05-02T00:00:00Z").keep);
}

TEST(RetentionSelect, DaysWithoutSnapshotsAreNotCounted) {
  // A gap of a week: keep_daily 3 still keeps three days that have snapshots.
  auto ds = select_retention(snapshots({"2024-05-10T08:00:00Z", "2024-05-03T08:00:00Z",
                                        "2024-05-01T08:00:00Z", "2024-04-20T08:00:00Z"}),
                             policy(R"({"keep_daily":3})"));
  EXPECT_THAT(kept_ids(ds),
              ElementsAre("2024-05-10T08:00:00Z", "2024-05-03T08:00:00Z", "2024-05-01T08:00:00Z"));
}

TEST(RetentionSelect, WeeklyUsesIsoWeeksStartingMonday) {
  // 2024-05-05 is a Sunday (W18), 2024-05-06 a Monday (W19).
  auto ds = select_retention(snapshots({"2024-05-05T23:00:00Z", "2024-05-06T01:00:00Z",
                                        "2024-04-29T00:00:00Z", "2024-04-28T12:00:00Z"}),
                             policy(R"({"keep_weekly":3})"));
  EXPECT_THAT(kept_ids(ds),
              ElementsAre("2024-05-06T01:00:00Z", "2024-05-05T23:00:00Z", "2024-04-28T12:00:00Z"));
  EXPECT_THAT(decision(ds, "2024-05-05T23:00:00Z").reasons, ElementsAre("weekly 2024-W18"));
  EXPECT_THAT(decision(ds, "2024-04-28T12:00:00Z").reasons, ElementsAre("weekly 2024-W17"));
  EXPECT_FALSE(decision(ds, "2024-04-29T00:00:00Z").keep);  // W18, older than the Sunday
}

TEST(RetentionSelect, IsoWeekCrossesTheYear) {
  // 2024-12-30 (Monday) starts 2025-W01, together with 2025-01-05 (Sunday);
  // 2021-01-03 (Sunday) still belongs to 2020-W53.
  auto ds = select_retention(
      snapshots({"2025-01-05T10:00:00Z", "2024-12-30T10:00:00Z", "2024-12-29T10:00:00Z",
                 "2021-01-03T10:00:00Z", "2020-12-28T10:00:00Z"}),
      policy(R"({"keep_weekly":10})"));
  EXPECT_THAT(kept_ids(ds),
              ElementsAre("2025-01-05T10:00:00Z", "2024-12-29T10:00:00Z", "2021-01-03T10:00:00Z"));
  EXPECT_THAT(decision(ds, "2025-01-05T10:00:00Z").reasons, ElementsAre("weekly 2025-W01"));
  EXPECT_THAT(decision(ds, "2024-12-29T10:00:00Z").reasons, ElementsAre("weekly 2024-W52"));
  EXPECT_THAT(decision(ds, "2021-01-03T10:00:00Z").reasons, ElementsAre("weekly 2020-W53"));
}

TEST(RetentionSelect, MonthlyKeepsTheLastOfEachMonth) {
  auto ds = select_retention(
      snapshots({"2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z", "2024-02-01T00:00:00Z",
                 "2024-01-31T23:00:00Z", "2023-12-31T23:59:59Z"}),
      policy(R"({"keep_monthly":3})"));
  EXPECT_THAT(kept_ids(ds),
              ElementsAre("2024-03-01T00:00:00Z", "2024-02-29T23:59:59Z", "2024-01-31T23:00:00Z"));
  EXPECT_THAT(decision(ds, "2024-02-29T23:59:59Z").reasons, ElementsAre("monthly 2024-02"));
}

TEST(RetentionSelect, YearlyChangesAtNewYearUtc) {
  auto ds = select_retention(snapshots({"2024-01-01T00:00:00Z", "2023-12-31T23:59:59Z",
                                        "2023-06-01T00:00:00Z", "2022-07-01T00:00:00Z"}),
                             policy(R"({"keep_yearly":2})"));
  EXPECT_THAT(kept_ids(ds), ElementsAre("2024-01-01T00:00:00Z", "2023-12-31T23:59:59Z"));
  EXPECT_THAT(decision(ds, "2023-12-31T23:59:59Z").reasons, ElementsAre("yearly 2023"));
}

TEST(RetentionSelect, RulesCombineAndEachKeptSnapshotListsEveryReason) {
  // Hourly backups over three days, then keep_last 2, keep_daily 3, keep_monthly 2.
  std::vector<RetentionCandidate> cs;
  for (int day = 29; day <= 31; ++day) {
    for (int hour = 0; hour < 24; hour += 6) {
      char t[32];
      std::snprintf(t, sizeof t, "2024-05-%02dT%02d:00:00Z", day, hour);
      cs.push_back({t, at(t)});
    }
  }
  cs.push_back({"2024-04-15T00:00:00Z", at("2024-04-15T00:00:00Z")});
  cs.push_back({"2024-03-15T00:00:00Z", at("2024-03-15T00:00:00Z")});
  auto ds = select_retention(cs, policy(R"({"keep_last":2,"keep_daily":3,"keep_monthly":2})"));
  EXPECT_THAT(kept_ids(ds),
              ElementsAre("2024-05-31T18:00:00Z", "2024-05-31T12:00:00Z", "2024-05-30T18:00:00Z",
                          "2024-05-29T18:00:00Z", "2024-04-15T00:00:00Z"));
  EXPECT_THAT(decision(ds, "2024-05-31T18:00:00Z").reasons,
              ElementsAre("last 1", "daily 2024-05-31", "monthly 2024-05"));
  EXPECT_THAT(decision(ds, "2024-05-31T12:00:00Z").reasons, ElementsAre("last 2"));
  EXPECT_THAT(decision(ds, "2024-04-15T00:00:00Z").reasons, ElementsAre("monthly 2024-04"));
  EXPECT_FALSE(decision(ds, "2024-03-15T00:00:00Z").keep);  // a third month
  EXPECT_EQ(ds.size(), cs.size());
}

TEST(RetentionSelect, EqualTimesAreOrderedByIdDescending) {
  SystemTime t = at("2024-05-01T10:00:00Z");
  auto ds = select_retention({{"snap-a", t}, {"snap-c", t}, {"snap-b", t}},
                             policy(R"({"keep_last":1,"keep_daily":1})"));
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].id, "snap-c");
  EXPECT_THAT(ds[0].reasons, ElementsAre("last 1", "daily 2024-05-01"));
  EXPECT_FALSE(ds[1].keep);
  EXPECT_FALSE(ds[2].keep);
}

TEST(RetentionSelect, ARuleOfZeroKeepsNothing) {
  auto ds = select_retention(snapshots({"2024-05-01T10:00:00Z", "2024-05-02T10:00:00Z"}),
                             policy(R"({"keep_last":1,"keep_daily":0})"));
  EXPECT_THAT(kept_ids(ds), ElementsAre("2024-05-02T10:00:00Z"));
  EXPECT_THAT(ds[0].reasons, ElementsAre("last 1"));
}

}  // namespace
}  // namespace ff::core
