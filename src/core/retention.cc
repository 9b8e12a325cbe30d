#include "core/retention.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <limits>

namespace ff::core {

namespace {

namespace chr = std::chrono;

// What a rule groups snapshots by; kNone: each snapshot on its own (keep_last).
enum class Period { kNone, kHour, kDay, kWeek, kMonth, kYear };

// A rule's JSON key, its policy member, its name in reasons and its period.
struct Rule {
  const char* key;
  std::optional<int64_t> RetentionPolicy::*member;
  const char* name;
  Period period;
};

constexpr std::array<Rule, 6> kRules{{
    {"keep_last", &RetentionPolicy::keep_last, "last", Period::kNone},
    {"keep_hourly", &RetentionPolicy::keep_hourly, "hourly", Period::kHour},
    {"keep_daily", &RetentionPolicy::keep_daily, "daily", Period::kDay},
    {"keep_weekly", &RetentionPolicy::keep_weekly, "weekly", Period::kWeek},
    {"keep_monthly", &RetentionPolicy::keep_monthly, "monthly", Period::kMonth},
    {"keep_yearly", &RetentionPolicy::keep_yearly, "yearly", Period::kYear},
}};

// The UTC period holding `t`, as text ("2024-05-01T13", "2024-W18", ...):
// shown in reasons, and equal exactly for times in the same period.
// REQUIRES: period != kNone.
std::string bucket_of(Period period, SystemTime t) {
  chr::sys_days day = chr::floor<chr::days>(t);
  chr::year_month_day ymd{day};
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month());
  unsigned d = static_cast<unsigned>(ymd.day());
  char buf[32];
  switch (period) {
    case Period::kHour: {
      long long hour = chr::floor<chr::hours>(t - day).count();
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld", y, m, d, hour);
      break;
    }
    case Period::kDay:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
      break;
    case Period::kWeek: {
      // ISO 8601: weeks start on Monday and belong to the year of their
      // Thursday, so 2024-12-30 is in 2025-W01 and 2021-01-03 in 2020-W53.
      unsigned iso_weekday = chr::weekday{day}.iso_encoding();  // Monday = 1
      chr::sys_days thursday = day + chr::days{4 - static_cast<int>(iso_weekday)};
      chr::year iso_year = chr::year_month_day{thursday}.year();
      long long week = (thursday - chr::sys_days{iso_year / chr::January / 1}).count() / 7 + 1;
      std::snprintf(buf, sizeof buf, "%04d-W%02lld", static_cast<int>(iso_year), week);
      break;
    }
    case Period::kMonth:
      std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
      break;
    case Period::kNone:  // not a period; callers never ask
    case Period::kYear:
      std::snprintf(buf, sizeof buf, "%04d", y);
      break;
  }
  return buf;
}

}  // namespace

Result<RetentionPolicy> parse_retention(const nlohmann::json& j) {
  if (!j.is_object()) {
    return ValidationError("retention: must be an object of keep_* rules");
  }
  RetentionPolicy p;
  for (const auto& [key, value] : j.items()) {
    auto rule =
        std::find_if(kRules.begin(), kRules.end(), [&](const Rule& r) { return key == r.key; });
    if (rule == kRules.end()) {
      return ValidationError("retention." + key +
                             ": unknown rule (keep_last, keep_hourly, keep_daily, keep_weekly, "
                             "keep_monthly or keep_yearly)");
    }
    bool fits =
        value.is_number_integer() &&
        (value.is_number_unsigned()
             ? value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
             : value.get<int64_t>() >= 0);
    if (!fits) return ValidationError("retention." + key + ": must be an integer >= 0");
    p.*(rule->member) = value.get<int64_t>();
  }
  FF_TRY(check_retention(p));
  return p;
}

Status check_retention(const RetentionPolicy& p) {
  for (const Rule& r : kRules) {
    if ((p.*(r.member)).value_or(0) > 0) return OkStatus();
  }
  return ValidationError(
      "retention: needs at least one keep_* rule above 0 (a policy keeping nothing would "
      "delete every snapshot)");
}

nlohmann::json retention_json(const RetentionPolicy& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const Rule& r : kRules) {
    if (p.*(r.member)) j[r.key] = *(p.*(r.member));
  }
  return j;
}

std::vector<RetentionDecision> select_retention(std::vector<RetentionCandidate> candidates,
                                                const RetentionPolicy& policy) {
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.created_at != b.created_at) return a.created_at > b.created_at;
    return a.id > b.id;
  });
  std::array<int64_t, kRules.size()> left{};
  for (size_t i = 0; i < kRules.size(); ++i) left[i] = (policy.*(kRules[i].member)).value_or(0);
  std::array<std::string, kRules.size()> last_bucket;  // "" until the rule keeps one

  std::vector<RetentionDecision> out;
  out.reserve(candidates.size());
  for (size_t n = 0; n < candidates.size(); ++n) {
    RetentionDecision d{candidates[n].id, candidates[n].created_at, false, {}};
    for (size_t i = 0; i < kRules.size(); ++i) {
      if (left[i] <= 0) continue;
      // Newest first, so a bucket's snapshots are adjacent and the first one
      // seen is its newest: a new bucket starts exactly where the text changes.
      const Rule& rule = kRules[i];
      std::string bucket = rule.period == Period::kNone ? std::to_string(n + 1)
                                                        : bucket_of(rule.period, d.created_at);
      if (bucket == last_bucket[i]) continue;
      last_bucket[i] = bucket;
      --left[i];
      d.reasons.push_back(std::string(rule.name) + " " + bucket);
    }
    d.keep = !d.reasons.empty();
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace ff::core
