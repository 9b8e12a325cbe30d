// The rules of job and snapshot state, as pure functions (no I/O).
//
// Jobs (restore and backup alike): pending -> in_progress -> completed |
// failed, and pending | in_progress -> cancelled by an operator. The seed's
// event mapping decides the next status; a finished job (completed, failed or
// cancelled) never changes again.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace ff::core {

inline constexpr char kPending[] = "pending";
inline constexpr char kInProgress[] = "in_progress";
inline constexpr char kCompleted[] = "completed";
inline constexpr char kFailed[] = "failed";
inline constexpr char kCancelled[] = "cancelled";

inline constexpr char kSnapshotPending[] = "pending";
inline constexpr char kSnapshotAvailable[] = "available";
inline constexpr char kSnapshotCorrupt[] = "corrupt";
// Packs share the snapshot statuses and add one: marked by GC, being deleted.
inline constexpr char kPackDeleting[] = "deleting";

inline constexpr char kFormatTar[] = "tar";
inline constexpr char kFormatRepository[] = "repository-v1";

bool is_terminal_job_status(std::string_view status);
bool is_job_status(std::string_view status);
bool is_snapshot_status(std::string_view status);

// "restore", "backup", "drill" or "verify" (store.h).
using store::job_kind_name;

// The status an operator's cancel moves a job in `current` to: kCancelled,
// or kConflict naming the status when the job is already finished.
Result<std::string> status_after_cancel(std::string_view current);

// The status an event moves a job to, or nullopt when the event leaves it alone
// (log lines such as "info"). `kind` is "restore", "backup", "drill" or
// "verify"; the last two use <kind>_started | _in_progress | _completed | _failed.
std::optional<std::string> status_for_event(std::string_view kind, std::string_view event_type);

// The job's next status given its current one and an event; kConflict for a
// finished job. Progress never moves backwards (an in_progress job stays so on
// a late restore_started).
Result<std::string> next_job_status(std::string_view kind, std::string_view current,
                                    std::string_view event_type);

}  // namespace ff::core
