// Schedules' pure rules (docs/schedules.md): kinds, timing, retention
// settings. The use cases are Service methods (core/schedules.cc); running
// them is the Scheduler's (core/scheduler.h).
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time.h"
#include "store/store.h"

namespace ff::core {

inline constexpr char kScheduleBackup[] = "backup";
inline constexpr char kScheduleVerify[] = "verify";
inline constexpr char kScheduleDrill[] = "drill";

// Last run statuses (store::Schedule::last_status).
inline constexpr char kRunOk[] = "ok";
inline constexpr char kRunMissed[] = "missed";
inline constexpr char kRunFailed[] = "failed";

bool is_schedule_kind(std::string_view kind);

// A retention setting: an object of keep_last, keep_hourly, keep_daily,
// keep_weekly, keep_monthly and keep_yearly (at least one; integers from 0)
// and nothing else. kValidation naming `retention`.
Status validate_retention_json(const nlohmann::json& retention);

// Exactly one of cron and interval_seconds, each valid; kValidation naming it.
Status validate_schedule_timing(const store::Schedule& s);

// When a new (or retimed, or re-enabled) schedule first runs: an interval
// from `now`, or the cron's first minute after it. Whole milliseconds, as
// stored. REQUIRES: validate_schedule_timing(s) ok (else its error).
Result<SystemTime> first_occurrence(const store::Schedule& s, SystemTime now);
// The occurrence after the one due at s.next_run_at, claimed at `now`: the
// first one after `now`, so a schedule that missed several (downtime) runs
// once, not once per occurrence. An interval keeps its phase.
Result<SystemTime> following_occurrence(const store::Schedule& s, SystemTime now);

}  // namespace ff::core
