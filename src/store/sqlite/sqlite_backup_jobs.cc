// SqliteStore: backup jobs. Their commands and events share the tables of
// restore jobs (see sqlite_jobs.cc and detail/job_writes.h).
#include "store/detail/rows.h"
#include "store/detail/where.h"
#include "store/sqlite/detail/job_writes.h"
#include "store/sqlite/sqlite_store.h"

namespace ff::store::sqlite {

namespace {

const std::string kEmptyArray = "[]";

Result<BackupJob> find_backup_job(Connection& c, const std::string& id) {
  FF_ASSIGN_OR_RETURN(
      Stmt q, c.prepare("SELECT " FF_STORE_BACKUP_JOB_COLUMNS " FROM backup_jobs WHERE id = ?1"));
  FF_ASSIGN_OR_RETURN(bool row, q.bind_all(id).next());
  if (!row) return NotFound("backup job " + id + " not found");
  return detail::backup_job_from(q);
}

}  // namespace

Status SqliteStore::create_backup_job(const BackupJob& job, const Command& command) {
  return db_->write([&](Connection& c) -> Status {
    {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("INSERT INTO backup_jobs (" FF_STORE_BACKUP_JOB_COLUMNS
                                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
      const std::string& paths = job.paths_json.empty() ? kEmptyArray : job.paths_json;
      Status st = q.bind_all(job.id, job.agent_id, paths, job.status, job.snapshot_id,
                             job.created_at, job.updated_at)
                      .run();
      if (st.code() == Code::kConflict) return Conflict("backup job " + job.id + " already exists");
      FF_TRY(st);
    }
    return insert_command(c, command);
  });
}

Result<BackupJob> SqliteStore::get_backup_job(const std::string& id) {
  return db_->read([&](Connection& c) { return find_backup_job(c, id); });
}

Result<Listing<BackupJob>> SqliteStore::list_backup_jobs(const BackupJobFilter& f, const Page& p) {
  Page page = detail::clamp_page(p);
  detail::WhereClause where('?');
  where.equals("status", f.status);
  where.equals("agent_id", f.agent_id);
  std::string items_sql = "SELECT " FF_STORE_BACKUP_JOB_COLUMNS " FROM backup_jobs" + where.sql() +
                          " ORDER BY created_at DESC, id DESC LIMIT " + where.next_placeholder(1) +
                          " OFFSET " + where.next_placeholder(2);
  std::string count_sql = "SELECT COUNT(*) FROM backup_jobs" + where.sql();
  return db_->read_snapshot([&](Connection& c) -> Result<Listing<BackupJob>> {
    Listing<BackupJob> out;
    {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare(items_sql));
      int i = 0;
      for (const std::string* arg : where.args()) q.bind(++i, *arg);
      q.bind(++i, page.limit);
      q.bind(++i, page.offset);
      FF_TRY(q.each_row([&](const Stmt& r) { out.items.push_back(detail::backup_job_from(r)); }));
    }
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare(count_sql));
    int i = 0;
    for (const std::string* arg : where.args()) q.bind(++i, *arg);
    FF_ASSIGN_OR_RETURN(bool row, q.next());
    out.total = row ? q.int64(0) : 0;
    return out;
  });
}

Result<BackupEventResult> SqliteStore::record_backup_job_event(
    const JobEvent& event, const BackupJobTransition& transition,
    const std::optional<std::string>& snapshot_id, SystemTime lease_until) {
  if (!transition) return Internal("record_backup_job_event needs a transition");
  // Agents' events are the hottest write: concurrent ones share a transaction.
  return db_->write_grouped([&](Connection& c) -> Result<BackupEventResult> {
    FF_ASSIGN_OR_RETURN(BackupJob job, find_backup_job(c, event.job_id));
    FF_ASSIGN_OR_RETURN(std::string next, transition(job));
    FF_TRY(append_job_event(c, event));
    {
      // COALESCE keeps a stored snapshot_id when this event brings none.
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("UPDATE backup_jobs SET status = ?2, updated_at = ?3, "
                                            "snapshot_id = COALESCE(?4, snapshot_id) "
                                            "WHERE id = ?1"));
      FF_TRY(q.bind_all(job.id, next, event.timestamp, snapshot_id).run());
    }
    FF_TRY(settle_job_commands(c, job.id, next, event.timestamp, lease_until));
    BackupEventResult out{job, job.status};
    out.job.status = std::move(next);
    out.job.updated_at = detail::from_unix_ms(detail::to_unix_ms(event.timestamp));
    if (snapshot_id) out.job.snapshot_id = snapshot_id;
    return out;
  });
}

}  // namespace ff::store::sqlite
