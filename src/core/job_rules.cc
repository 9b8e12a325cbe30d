#include "core/job_rules.h"

namespace ff::core {

bool is_terminal_job_status(std::string_view s) {
  return s == kCompleted || s == kFailed || s == kCancelled;
}

bool is_job_status(std::string_view s) {
  return s == kPending || s == kInProgress || is_terminal_job_status(s);
}

Result<std::string> status_after_cancel(std::string_view current) {
  if (is_terminal_job_status(current)) {
    return Conflict("job is already " + std::string(current) + "; it cannot be cancelled");
  }
  return std::string(kCancelled);
}

bool is_snapshot_status(std::string_view s) {
  return s == kSnapshotPending || s == kSnapshotAvailable || s == kSnapshotCorrupt;
}

std::optional<std::string> status_for_event(std::string_view kind, std::string_view e) {
  // `error` fails any job (seed); the rest are per kind.
  if (e == "error") return kFailed;
  if (kind == "restore") {
    if (e == "restore_started" || e == "restore_in_progress") return kInProgress;
    if (e == "restore_completed" || e == "restore_success") return kCompleted;
    if (e == "restore_failed") return kFailed;
  } else if (kind == "backup") {
    if (e == "backup_started" || e == "backup_in_progress") return kInProgress;
    if (e == "backup_completed" || e == "backup_success") return kCompleted;
    if (e == "backup_failed") return kFailed;
  } else if (kind == "drill" || kind == "verify") {
    // drill_started, drill_in_progress, drill_completed, drill_failed; the
    // same four for verify (posted by the orchestrator itself).
    std::string_view k = kind;
    if (e.size() > k.size() + 1 && e.substr(0, k.size()) == k && e[k.size()] == '_') {
      std::string_view phase = e.substr(k.size() + 1);
      if (phase == "started" || phase == "in_progress") return kInProgress;
      if (phase == "completed") return kCompleted;
      if (phase == "failed") return kFailed;
    }
  }
  return std::nullopt;
}

Result<std::string> next_job_status(std::string_view kind, std::string_view current,
                                    std::string_view event_type) {
  if (is_terminal_job_status(current)) {
    return Conflict("job is already " + std::string(current) + "; it cannot change");
  }
  auto next = status_for_event(kind, event_type);
  if (!next) return std::string(current);
  if (*next == kInProgress && current == kInProgress) return std::string(current);
  return *next;
}

}  // namespace ff::core
