#include "store/sqlite/detail/job_writes.h"

#include "store/detail/rows.h"

namespace ff::store::sqlite {

namespace {

const std::string kEmptyObject = "{}";

}  // namespace

Status insert_command(Connection& c, const Command& command) {
  FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("INSERT INTO commands (" FF_STORE_COMMAND_COLUMNS
                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  const std::string& payload = command.payload_json.empty() ? kEmptyObject : command.payload_json;
  Status st = q.bind_all(command.id, command.agent_id, command.job_id, command.command_type,
                         payload, command.status, command.created_at, command.updated_at,
                         command.lease_expires_at, command.delivery_count)
                  .run();
  if (st.code() == Code::kConflict) return Conflict("command " + command.id + " already exists");
  return st;
}

Status append_job_event(Connection& c, const JobEvent& event) {
  FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("INSERT INTO job_events (job_id, agent_id, event_type, "
                                        "message, metadata, timestamp) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  const std::string& metadata = event.metadata_json.empty() ? kEmptyObject : event.metadata_json;
  return q
      .bind_all(event.job_id, event.agent_id, event.event_type, event.message, metadata,
                event.timestamp)
      .run();
}

Status settle_job_commands(Connection& c, const std::string& job_id, const std::string& next_status,
                           SystemTime now, SystemTime lease_until) {
  if (store::detail::is_terminal_job_status(next_status)) {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("UPDATE commands SET status = ?2, "
                                          "lease_expires_at = NULL, updated_at = ?3 "
                                          "WHERE job_id = ?1 AND status IN ('pending', 'sent')"));
    return q.bind_all(job_id, next_status, now).run();
  }
  // Only delivered commands hold a lease; a pending one is still queued.
  FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("UPDATE commands SET lease_expires_at = ?2, "
                                        "updated_at = ?3 WHERE job_id = ?1 AND status = 'sent'"));
  return q.bind_all(job_id, lease_until, now).run();
}

}  // namespace ff::store::sqlite
