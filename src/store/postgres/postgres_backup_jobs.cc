// PostgresStore: backup jobs. Their commands and events share the tables of
// restore jobs (see postgres_jobs.cc).
#include "store/detail/rows.h"
#include "store/postgres/detail/listing.h"
#include "store/postgres/postgres_store.h"

namespace ff::store::postgres {

namespace {

const std::string kEmptyObject = "{}";
const std::string kEmptyArray = "[]";

// As in postgres_jobs.cc: one round trip appends the event, moves the job
// (keeping a stored snapshot_id when $8 is NULL) and settles its commands.
#define FF_INSERT_EVENT_AND_UPDATE_BACKUP_JOB                                            \
  "WITH e AS (INSERT INTO job_events (job_id, agent_id, event_type, message, metadata, " \
  "timestamp) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id), "                           \
  "j AS (UPDATE backup_jobs SET status = $7, updated_at = $6, "                          \
  "snapshot_id = COALESCE($8, snapshot_id) WHERE id = $1) "

constexpr const char* kRecordFinishingEvent = FF_INSERT_EVENT_AND_UPDATE_BACKUP_JOB
    ", c AS (UPDATE commands SET status = $7, lease_expires_at = NULL, updated_at = $6 "
    "WHERE job_id = $1 AND status IN ('pending', 'sent')) SELECT id FROM e";

// Only delivered commands hold a lease; a pending one is still queued.
constexpr const char* kRecordOngoingEvent = FF_INSERT_EVENT_AND_UPDATE_BACKUP_JOB
    ", c AS (UPDATE commands SET lease_expires_at = $9, updated_at = $6 "
    "WHERE job_id = $1 AND status = 'sent') SELECT id FROM e";

#undef FF_INSERT_EVENT_AND_UPDATE_BACKUP_JOB

}  // namespace

Status PostgresStore::create_backup_job(const BackupJob& job, const Command& command) {
  return pool_.transaction([&](Connection& c) -> Status {
    const std::string& paths = job.paths_json.empty() ? kEmptyArray : job.paths_json;
    Status st = c.exec("INSERT INTO backup_jobs (" FF_STORE_BACKUP_JOB_COLUMNS
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       Params::of(job.id, job.agent_id, paths, job.status, job.snapshot_id,
                                  job.created_at, job.updated_at))
                    .status();
    if (st.code() == Code::kConflict) return Conflict("backup job " + job.id + " already exists");
    FF_TRY(st);
    const std::string& payload = command.payload_json.empty() ? kEmptyObject : command.payload_json;
    st = c.exec("INSERT INTO commands (" FF_STORE_COMMAND_COLUMNS
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                Params::of(command.id, command.agent_id, command.job_id, command.command_type,
                           payload, command.status, command.created_at, command.updated_at,
                           command.lease_expires_at, command.delivery_count))
             .status();
    if (st.code() == Code::kConflict) return Conflict("command " + command.id + " already exists");
    return st;
  });
}

Result<BackupJob> PostgresStore::get_backup_job(const std::string& id) {
  return pool_.with_connection([&](Connection& c) -> Result<BackupJob> {
    FF_ASSIGN_OR_RETURN(
        PgResult r, c.exec("SELECT " FF_STORE_BACKUP_JOB_COLUMNS " FROM backup_jobs WHERE id = $1",
                           Params::of(id)));
    if (r.rows() == 0) return NotFound("backup job " + id + " not found");
    return store::detail::backup_job_from(r.row(0));
  });
}

Result<Listing<BackupJob>> PostgresStore::list_backup_jobs(const BackupJobFilter& f,
                                                           const Page& p) {
  detail::ListingQuery query("backup_jobs", FF_STORE_BACKUP_JOB_COLUMNS);
  query.equals("status", f.status);
  query.equals("agent_id", f.agent_id);
  return pool_.with_connection([&](Connection& c) {
    return query.fetch<BackupJob>(c, p,
                                  [](const PgRow& r) { return store::detail::backup_job_from(r); });
  });
}

Result<BackupEventResult> PostgresStore::record_backup_job_event(
    const JobEvent& event, const BackupJobTransition& transition,
    const std::optional<std::string>& snapshot_id, SystemTime lease_until) {
  if (!transition) return Internal("record_backup_job_event needs a transition");
  return pool_.transaction([&](Connection& c) -> Result<BackupEventResult> {
    // FOR UPDATE: events for one job are decided one at a time, each seeing
    // the status the previous one left.
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT " FF_STORE_BACKUP_JOB_COLUMNS
                                           " FROM backup_jobs WHERE id = $1 FOR UPDATE",
                                           Params::of(event.job_id)));
    if (r.rows() == 0) return NotFound("backup job " + event.job_id + " not found");
    BackupJob job = store::detail::backup_job_from(r.row(0));
    FF_ASSIGN_OR_RETURN(std::string next, transition(job));
    const std::string& metadata = event.metadata_json.empty() ? kEmptyObject : event.metadata_json;
    Params params = Params::of(job.id, event.agent_id, event.event_type, event.message, metadata,
                               event.timestamp, next, snapshot_id);
    bool finishing = store::detail::is_terminal_job_status(next);
    if (!finishing) params.add(lease_until);
    FF_TRY(c.exec(finishing ? kRecordFinishingEvent : kRecordOngoingEvent, params));
    BackupEventResult out{job, job.status};
    out.job.status = std::move(next);
    out.job.updated_at = store::detail::from_unix_ms(store::detail::to_unix_ms(event.timestamp));
    if (snapshot_id) out.job.snapshot_id = snapshot_id;
    return out;
  });
}

}  // namespace ff::store::postgres
