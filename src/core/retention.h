// Retention: which of an agent's snapshots a policy keeps, with restic
// `forget` semantics. Pure functions over (id, created_at): no store, no
// clock, no I/O, so the rules are tested with simulated timestamps.
//
// The selection (select_retention):
//  - Snapshots are ordered newest first (created_at descending; equal times by
//    id descending, the order of GET /snapshots).
//  - keep_last N keeps the N newest snapshots.
//  - keep_hourly / keep_daily / keep_weekly / keep_monthly / keep_yearly N
//    each walk that order and keep the newest snapshot of each of the N most
//    recent distinct buckets that hold a snapshot (hour, day, ISO 8601 week,
//    month, year; all in UTC). Buckets without snapshots are skipped, not
//    counted: keep_daily 7 over a fortnight with backups on 3 days keeps 3.
//  - A snapshot kept by any rule is kept; every rule that keeps it is given
//    as a reason. The rest are forgotten.
//  - A rule of 0 (or absent) keeps nothing. A policy whose rules all keep
//    nothing is refused by parse_retention, so nobody deletes everything by
//    accident.
//
// Not decided here: which snapshots are candidates (the caller passes only
// the ones it may delete) and whether a forgotten one can actually go.
//
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time.h"

namespace ff::core {

struct RetentionPolicy {
  std::optional<int64_t> keep_last;
  std::optional<int64_t> keep_hourly;
  std::optional<int64_t> keep_daily;
  std::optional<int64_t> keep_weekly;
  std::optional<int64_t> keep_monthly;
  std::optional<int64_t> keep_yearly;
};

// A policy from its JSON object ({"keep_last": 3, "keep_daily": 7, ...}).
// kValidation naming the problem when `j` is not an object, has a key other
// than the six keep_* rules, a value that is not a non-negative integer, or
// no rule above 0.
Result<RetentionPolicy> parse_retention(const nlohmann::json& j);
// kValidation unless some rule is above 0: the check parse_retention makes,
// for policies built in code.
Status check_retention(const RetentionPolicy& p);
// The policy as parse_retention reads it: only the rules that are set.
nlohmann::json retention_json(const RetentionPolicy& p);

struct RetentionCandidate {
  std::string id;
  SystemTime created_at;
};

struct RetentionDecision {
  std::string id;
  SystemTime created_at;
  bool keep = false;
  // Why it is kept, one per rule that keeps it, in rule order: "last 2" (the
  // second newest), "hourly 2024-05-01T13", "daily 2024-05-01",
  // "weekly 2024-W18", "monthly 2024-05", "yearly 2024". Empty when forgotten.
  std::vector<std::string> reasons;
};

// One decision per candidate, newest first (the order above).
std::vector<RetentionDecision> select_retention(std::vector<RetentionCandidate> candidates,
                                                const RetentionPolicy& policy);

}  // namespace ff::core
