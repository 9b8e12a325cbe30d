// SqliteStore: restore jobs, their commands (leased to agents) and job events.
#include <algorithm>
#include <tuple>

#include "store/detail/rows.h"
#include "store/detail/where.h"
#include "store/sqlite/detail/job_writes.h"
#include "store/sqlite/sqlite_store.h"

namespace ff::store::sqlite {

namespace {

// The lease query's filter; `status IN (...)` repeats the commands_open
// index's WHERE verbatim so SQLite uses that partial index.
#define FF_LEASABLE                                                          \
  "agent_id = ?1 AND status IN ('pending', 'sent') AND (status = 'pending' " \
  "OR lease_expires_at <= ?2)"

Result<RestoreJob> find_job(Connection& c, const std::string& id) {
  FF_ASSIGN_OR_RETURN(
      Stmt q, c.prepare("SELECT " FF_STORE_RESTORE_JOB_COLUMNS " FROM restore_jobs WHERE id = ?1"));
  FF_ASSIGN_OR_RETURN(bool row, q.bind_all(id).next());
  if (!row) return NotFound("restore job " + id + " not found");
  return detail::restore_job_from(q);
}

}  // namespace

Status SqliteStore::create_restore_job(const RestoreJob& job,
                                       const std::optional<Command>& command) {
  return db_->write([&](Connection& c) -> Status {
    if (!job.snapshot_id.empty()) {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT 1 FROM snapshots WHERE id = ?1"));
      FF_ASSIGN_OR_RETURN(bool exists, q.bind_all(job.snapshot_id).next());
      if (!exists) return NotFound("snapshot " + job.snapshot_id + " not found");
    }
    {
      FF_ASSIGN_OR_RETURN(Stmt q,
                          c.prepare("INSERT INTO restore_jobs (" FF_STORE_RESTORE_JOB_COLUMNS
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
      Status st = q.bind_all(job.id, job.snapshot_id, job.target_agent_id, job.target_path,
                             job.status, job.created_at, job.updated_at, job.kind,
                             job.params_json.empty() ? std::string("{}") : job.params_json)
                      .run();
      if (st.code() == Code::kConflict)
        return Conflict(job.kind + " job " + job.id + " already exists");
      FF_TRY(st);
    }
    if (!command) return OkStatus();
    return insert_command(c, *command);
  });
}

Result<RestoreJob> SqliteStore::get_restore_job(const std::string& id) {
  return db_->read([&](Connection& c) { return find_job(c, id); });
}

Result<Listing<RestoreJob>> SqliteStore::list_restore_jobs(const RestoreJobFilter& f,
                                                           const Page& p) {
  Page page = detail::clamp_page(p);
  detail::WhereClause where('?');
  where.equals("kind", f.kind);
  where.equals("status", f.status);
  where.equals("target_agent_id", f.target_agent_id);
  where.equals("snapshot_id", f.snapshot_id);
  std::string items_sql = "SELECT " FF_STORE_RESTORE_JOB_COLUMNS " FROM restore_jobs" +
                          where.sql() + " ORDER BY created_at DESC, id DESC LIMIT " +
                          where.next_placeholder(1) + " OFFSET " + where.next_placeholder(2);
  std::string count_sql = "SELECT COUNT(*) FROM restore_jobs" + where.sql();
  return db_->read_snapshot([&](Connection& c) -> Result<Listing<RestoreJob>> {
    Listing<RestoreJob> out;
    {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare(items_sql));
      int i = 0;
      for (const std::string* arg : where.args()) q.bind(++i, *arg);
      q.bind(++i, page.limit);
      q.bind(++i, page.offset);
      FF_TRY(q.each_row([&](const Stmt& r) { out.items.push_back(detail::restore_job_from(r)); }));
    }
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare(count_sql));
    int i = 0;
    for (const std::string* arg : where.args()) q.bind(++i, *arg);
    FF_ASSIGN_OR_RETURN(bool row, q.next());
    out.total = row ? q.int64(0) : 0;
    return out;
  });
}

namespace {

Result<std::vector<JobEvent>> find_job_events(Connection& c, const std::string& job_id) {
  FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT " FF_STORE_JOB_EVENT_COLUMNS
                                        " FROM job_events WHERE job_id = ?1 ORDER BY id"));
  std::vector<JobEvent> out;
  FF_TRY(q.bind_all(job_id).each_row(
      [&](const Stmt& r) { out.push_back(detail::job_event_from(r)); }));
  return out;
}

}  // namespace

Result<std::vector<JobEvent>> SqliteStore::list_job_events(const std::string& job_id) {
  return db_->read([&](Connection& c) { return find_job_events(c, job_id); });
}

namespace {

// A row's columns from `by` on, for the *_from readers of a joined row.
struct ShiftedRow {
  const Stmt& row;
  int by;
  std::string text(int col) const { return row.text(col + by); }
  int64_t int64(int col) const { return row.int64(col + by); }
  bool is_null(int col) const { return row.is_null(col + by); }
};

}  // namespace

// One statement instead of two inside BEGIN/COMMIT: this is the read that
// job watchers repeat. Both sides are keyed lookups (the plan is two index
// searches), and the subqueries keep the shared column lists.
Result<std::pair<RestoreJob, std::vector<JobEvent>>> SqliteStore::get_restore_job_with_events(
    const std::string& id) {
  using Out = std::pair<RestoreJob, std::vector<JobEvent>>;
  constexpr int kEventColumn = detail::column_count(FF_STORE_RESTORE_JOB_COLUMNS);
  return db_->read([&](Connection& c) -> Result<Out> {
    FF_ASSIGN_OR_RETURN(
        Stmt q,
        c.prepare(
            "SELECT j.*, e.* FROM (SELECT " FF_STORE_RESTORE_JOB_COLUMNS
            " FROM restore_jobs WHERE id = ?1) j LEFT JOIN (SELECT " FF_STORE_JOB_EVENT_COLUMNS
            " FROM job_events WHERE job_id = ?1) e ON 1 ORDER BY e.id"));
    std::optional<Out> out;
    FF_TRY(q.bind_all(id).each_row([&](const Stmt& r) {
      if (!out) out.emplace(detail::restore_job_from(r), std::vector<JobEvent>{});
      if (!r.is_null(kEventColumn)) {
        out->second.push_back(detail::job_event_from(ShiftedRow{r, kEventColumn}));
      }
    }));
    if (!out) return NotFound("restore job " + id + " not found");
    return std::move(*out);
  });
}

Result<bool> SqliteStore::has_leasable_commands(const std::string& agent_id, SystemTime now) {
  return db_->read([&](Connection& c) -> Result<bool> {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT 1 FROM commands WHERE " FF_LEASABLE " LIMIT 1"));
    return q.bind_all(agent_id, now).next();
  });
}

Result<std::vector<Command>> SqliteStore::lease_commands(const std::string& agent_id,
                                                         SystemTime now, SystemTime lease_until,
                                                         int limit) {
  if (limit <= 0) return std::vector<Command>{};
  // Agents poll often and mostly find nothing: look on a reader first so an
  // empty poll never queues behind writers. A command committed after this
  // look is leased by the next poll, as if this one had come a moment earlier.
  if (!db_->in_memory()) {
    FF_ASSIGN_OR_RETURN(bool any, has_leasable_commands(agent_id, now));
    if (!any) return std::vector<Command>{};
  }
  return db_->write([&](Connection& c) -> Result<std::vector<Command>> {
    FF_ASSIGN_OR_RETURN(
        Stmt q,
        c.prepare("UPDATE commands SET status = 'sent', lease_expires_at = ?3, "
                  "delivery_count = delivery_count + 1, updated_at = ?2 "
                  "WHERE id IN (SELECT id FROM commands WHERE " FF_LEASABLE
                  " ORDER BY created_at, id LIMIT ?4) RETURNING " FF_STORE_COMMAND_COLUMNS));
    std::vector<Command> out;
    FF_TRY(q.bind_all(agent_id, now, lease_until, limit).each_row([&](const Stmt& r) {
      out.push_back(detail::command_from(r));
    }));
    // RETURNING yields rows in no particular order.
    std::sort(out.begin(), out.end(), [](const Command& a, const Command& b) {
      return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
    });
    return out;
  });
}

Result<EventResult> SqliteStore::record_job_event(const JobEvent& event,
                                                  const JobTransition& transition,
                                                  SystemTime lease_until) {
  if (!transition) return Internal("record_job_event needs a transition");
  // Agents' events are the hottest write: concurrent ones share a transaction.
  return db_->write_grouped([&](Connection& c) -> Result<EventResult> {
    FF_ASSIGN_OR_RETURN(RestoreJob job, find_job(c, event.job_id));
    FF_ASSIGN_OR_RETURN(std::string next, transition(job));
    FF_TRY(append_job_event(c, event));
    if (next == job.status) {
      // Leaving status out of SET spares the write to the index holding it.
      FF_ASSIGN_OR_RETURN(Stmt q,
                          c.prepare("UPDATE restore_jobs SET updated_at = ?2 WHERE id = ?1"));
      FF_TRY(q.bind_all(job.id, event.timestamp).run());
    } else {
      FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("UPDATE restore_jobs SET status = ?2, updated_at = ?3 "
                                            "WHERE id = ?1"));
      FF_TRY(q.bind_all(job.id, next, event.timestamp).run());
    }
    FF_TRY(settle_job_commands(c, job.id, next, event.timestamp, lease_until));
    EventResult out{job, job.status};
    out.job.status = std::move(next);
    out.job.updated_at = detail::from_unix_ms(detail::to_unix_ms(event.timestamp));
    return out;
  });
}

#undef FF_LEASABLE

}  // namespace ff::store::sqlite
