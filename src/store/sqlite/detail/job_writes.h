// Writes shared by every job kind on SQLite: inserting a job's command,
// appending a job event and settling the job's open commands after an event.
// Each runs inside the caller's write transaction.
//
// Thread-safety: as Connection; call on the writer inside Database::write.
#pragma once

#include <string>

#include "common/status.h"
#include "common/time.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace ff::store::sqlite {

// Inserts `command` ("{}" for an empty payload). kConflict naming the command
// when its id exists.
Status insert_command(Connection& c, const Command& command);

// Appends `event` to job_events ("{}" for empty metadata).
Status append_job_event(Connection& c, const JobEvent& event);

// Step 4 of Store::record_job_event for the commands of `job_id`: finishes the
// pending and sent ones when `next_status` is terminal, else extends the
// lease of the sent ones to `lease_until`. `now` becomes their updated_at.
Status settle_job_commands(Connection& c, const std::string& job_id, const std::string& next_status,
                           SystemTime now, SystemTime lease_until);

}  // namespace ff::store::sqlite
