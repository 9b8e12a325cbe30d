// Schedules: their rules (which fields go with which kind, timing) and their
// audit records. Running them is core/scheduler.cc's job.
#include "core/schedules.h"

#include <algorithm>

#include "common/hex.h"
#include "common/ids.h"
#include "core/audit.h"
#include "core/cron.h"
#include "core/retention.h"
#include "core/service.h"

namespace ff::core {

namespace {

constexpr size_t kMaxCronLength = 256;

}  // namespace

// A schedule's retention is checked by the rules that apply it (docs/retention.md).
Status validate_retention_json(const nlohmann::json& retention) {
  return parse_retention(retention).status().with_context("retention");
}

bool is_schedule_kind(std::string_view kind) {
  return kind == kScheduleBackup || kind == kScheduleVerify || kind == kScheduleDrill;
}

Status validate_schedule_timing(const store::Schedule& s) {
  if (s.cron.has_value() == s.interval_seconds.has_value()) {
    return ValidationError("cron: give exactly one of cron and interval_seconds");
  }
  if (s.interval_seconds) {
    if (*s.interval_seconds < kMinScheduleInterval || *s.interval_seconds > kMaxScheduleInterval) {
      return ValidationError("interval_seconds: must be an integer from " +
                             std::to_string(kMinScheduleInterval) + " to " +
                             std::to_string(kMaxScheduleInterval));
    }
    return OkStatus();
  }
  if (s.cron->size() > kMaxCronLength) {
    return ValidationError("cron: at most " + std::to_string(kMaxCronLength) + " characters");
  }
  return CronSpec::parse(*s.cron).status();
}

Result<SystemTime> first_occurrence(const store::Schedule& s, SystemTime now) {
  SystemTime at;
  if (s.interval_seconds) {
    at = now + std::chrono::seconds(*s.interval_seconds);
  } else {
    FF_ASSIGN_OR_RETURN(CronSpec spec, CronSpec::parse(s.cron.value_or("")));
    at = spec.next_after(now);
  }
  return SystemTime(std::chrono::floor<std::chrono::milliseconds>(at));
}

Result<SystemTime> following_occurrence(const store::Schedule& s, SystemTime now) {
  if (!s.interval_seconds || s.next_run_at > now) return first_occurrence(s, now);
  // Keep the interval's phase: the first multiple of it past now, however
  // many were missed.
  std::chrono::milliseconds every = std::chrono::seconds(*s.interval_seconds);
  auto behind = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.next_run_at);
  return SystemTime(
      std::chrono::floor<std::chrono::milliseconds>(s.next_run_at + every * (behind / every + 1)));
}

namespace {

// Applies `in` over `s` (a new schedule's defaults or the stored row).
Status apply_input(const ScheduleInput& in, store::Schedule& s) {
  if (in.agent_id) s.agent_id = *in.agent_id;
  if (in.kind) s.kind = *in.kind;
  if (in.cron && in.interval_seconds) {
    return ValidationError("cron: give exactly one of cron and interval_seconds");
  }
  if (in.cron) {
    s.cron = *in.cron;
    s.interval_seconds.reset();
  }
  if (in.interval_seconds) {
    s.interval_seconds = *in.interval_seconds;
    s.cron.reset();
  }
  if (in.paths) {
    s.paths_json.reset();
    if (*in.paths) {
      FF_ASSIGN_OR_RETURN(nlohmann::json paths, backup_paths_json(**in.paths));
      s.paths_json = paths.dump();
    }
  }
  if (in.retention) {
    s.retention_json.reset();
    if (*in.retention) {
      FF_TRY(validate_retention_json(**in.retention));
      s.retention_json = (*in.retention)->dump();
    }
  }
  if (in.target_agent_id) s.target_agent_id = *in.target_agent_id;
  if (in.enabled) s.enabled = *in.enabled;
  return OkStatus();
}

}  // namespace

Status Service::check_schedule(const store::Schedule& s) {
  FF_TRY(validate_id("agent_id", s.agent_id));
  if (!is_schedule_kind(s.kind)) {
    return ValidationError("kind: must be backup, verify or drill");
  }
  FF_TRY(validate_schedule_timing(s));
  if (s.paths_json && s.kind != kScheduleBackup) {
    return ValidationError("paths: only backup schedules take paths");
  }
  if (s.retention_json && s.kind != kScheduleBackup) {
    return ValidationError("retention: only backup schedules take retention");
  }
  if (s.target_agent_id) {
    if (s.kind != kScheduleDrill) {
      return ValidationError("target_agent_id: only drill schedules take a target agent");
    }
    FF_TRY(validate_id("target_agent_id", *s.target_agent_id));
  }
  FF_TRY(require_known_agent(s.agent_id));
  if (s.target_agent_id) FF_TRY(require_known_agent(*s.target_agent_id));
  return OkStatus();
}

Result<store::Schedule> Service::create_schedule(const ScheduleInput& in) {
  if (!in.agent_id) return ValidationError("agent_id: field required");
  if (!in.kind) return ValidationError("kind: field required");
  if (!in.cron && !in.interval_seconds) {
    return ValidationError("cron: give exactly one of cron and interval_seconds");
  }
  store::Schedule s;
  FF_TRY(apply_input(in, s));
  FF_TRY(check_schedule(s));
  SystemTime now = env_.clock->now();
  s.id = "sch-" + to_hex(env_.random->bytes(8));
  s.created_at = s.updated_at = now;
  FF_ASSIGN_OR_RETURN(s.next_run_at, first_occurrence(s, now));
  FF_TRY(store_.insert_schedule(s));
  FF_TRY(audit(audit::schedule_created(s)));
  return s;
}

Result<std::vector<store::Schedule>> Service::list_schedules() { return store_.list_schedules(); }

Result<store::Schedule> Service::get_schedule(const std::string& id) {
  FF_TRY(validate_id("id", id));
  return store_.get_schedule(id);
}

Result<store::Schedule> Service::update_schedule(const std::string& id, const ScheduleInput& in) {
  FF_TRY(validate_id("id", id));
  FF_ASSIGN_OR_RETURN(store::Schedule s, store_.get_schedule(id));
  bool was_enabled = s.enabled;
  FF_TRY(apply_input(in, s));
  FF_TRY(check_schedule(s));
  SystemTime now = env_.clock->now();
  if (in.cron || in.interval_seconds || (s.enabled && !was_enabled)) {
    FF_ASSIGN_OR_RETURN(s.next_run_at, first_occurrence(s, now));
  }
  s.updated_at = now;
  FF_TRY(store_.update_schedule(s));
  FF_TRY(audit(audit::schedule_updated(s)));
  return s;
}

Status Service::delete_schedule(const std::string& id) {
  FF_TRY(validate_id("id", id));
  FF_ASSIGN_OR_RETURN(store::Schedule s, store_.get_schedule(id));
  FF_TRY(store_.delete_schedule(id));
  FF_TRY(audit(audit::schedule_deleted(s)));
  return OkStatus();
}

}  // namespace ff::core
