// PostgresStore: restore jobs, their commands (leased to agents) and job events.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "store/detail/rows.h"
#include "store/postgres/detail/listing.h"
#include "store/postgres/postgres_store.h"

namespace ff::store::postgres {

namespace {

const std::string kEmptyObject = "{}";

// Guarded attempts before falling back to the row lock; each failed one means
// another event on the same job committed in between.
constexpr int kGuardedAttempts = 3;

// How many jobs PostgresStore::job_hints_ holds before it starts over.
constexpr size_t kMaxJobHints = 8192;

// A statement and its parameters.
struct EventWrite {
  std::string sql;
  Params params;
};

// The job, read plainly or with `lock` (" FOR UPDATE"); kNotFound when missing.
Result<RestoreJob> read_job(Connection& c, const std::string& id, std::string_view lock) {
  std::string sql = "SELECT " FF_STORE_RESTORE_JOB_COLUMNS " FROM restore_jobs WHERE id = $1";
  sql += lock;
  FF_ASSIGN_OR_RETURN(PgResult r, c.exec(sql, Params::of(id)));
  if (r.rows() == 0) return NotFound("restore job " + id + " not found");
  return store::detail::restore_job_from(r.row(0));
}

EventResult event_result(const RestoreJob& job, std::string next, const JobEvent& event) {
  EventResult out{job, job.status};
  out.job.status = std::move(next);
  out.job.updated_at = store::detail::from_unix_ms(store::detail::to_unix_ms(event.timestamp));
  return out;
}

// A batch's events decided one after another from `start`, each seeing the
// status the previous accepted one left, as they would be one at a time.
struct BatchDecision {
  RestoreJob start;
  std::vector<size_t> accepted;  // indexes into the batch, in order; the rest were refused
  RestoreJob last;               // the job after the last accepted event
  // The first accepted event that finishes the job, if any: it settles the
  // commands (later ones find none open to extend).
  std::optional<size_t> finishing;
};

template <typename Pending>
BatchDecision decide_batch(const RestoreJob& start, const std::vector<Pending*>& batch) {
  BatchDecision d{start, {}, start, std::nullopt};
  for (size_t i = 0; i < batch.size(); ++i) {
    Pending& p = *batch[i];
    auto next = (*p.transition)(d.last);
    if (!next.ok()) {
      p.result = next.status();
      continue;
    }
    if (!d.finishing && store::detail::is_terminal_job_status(*next)) d.finishing = i;
    p.result = event_result(d.last, std::move(next).value(), *p.event);
    d.last = p.result->job;
    d.accepted.push_back(i);
  }
  return d;
}

// One statement for a decided batch (of one event or more): the job moves
// from d.start's status to d.last's, guarded: only while its status is still
// d.start's (no rows back means another event moved it meanwhile; under the
// row lock it always is). The accepted events are appended in order, and the
// commands finished or their leases extended (only delivered commands hold
// one) as the events one at a time would leave them. Data-modifying WITH
// parts run whether or not the outer SELECT reads them; all see one snapshot
// and j's RETURNING rows. REQUIRES: d.accepted is not empty.
template <typename Pending>
EventWrite batch_write(const BatchDecision& d, const std::vector<Pending*>& batch) {
  const Pending& last = *batch[d.accepted.back()];
  Params params = Params::of(d.start.id, d.last.status, last.event->timestamp, d.start.status);
  std::string sql =
      "WITH j AS (UPDATE restore_jobs SET status = $2, updated_at = $3::bigint "
      "WHERE id = $1 AND status = $4 RETURNING id), ";
  if (d.finishing) {
    const Pending& f = *batch[*d.finishing];
    params.add(f.result->job.status);
    params.add(f.event->timestamp);
    sql +=
        "c AS (UPDATE commands SET status = $5, lease_expires_at = NULL, updated_at = $6::bigint "
        "WHERE job_id = $1 AND status IN ('pending', 'sent') AND EXISTS (SELECT 1 FROM j)), ";
  } else {
    params.add(last.lease_until);
    params.add(last.event->timestamp);
    sql +=
        "c AS (UPDATE commands SET lease_expires_at = $5::bigint, updated_at = $6::bigint "
        "WHERE job_id = $1 AND status = 'sent' AND EXISTS (SELECT 1 FROM j)), ";
  }
  sql +=
      "e AS (INSERT INTO job_events (job_id, agent_id, event_type, message, metadata, "
      "timestamp) SELECT $1, v.a, v.t, v.m, v.md, v.ts FROM (VALUES ";
  int n = 6;
  for (size_t k = 0; k < d.accepted.size(); ++k) {
    const JobEvent& e = *batch[d.accepted[k]]->event;
    params.add(e.agent_id);
    params.add(e.event_type);
    params.add(e.message);
    params.add(e.metadata_json.empty() ? kEmptyObject : e.metadata_json);
    params.add(e.timestamp);
    if (k > 0) sql += ", ";
    sql += "($" + std::to_string(n + 1) + "::text, $" + std::to_string(n + 2) + "::text, $" +
           std::to_string(n + 3) + "::text, $" + std::to_string(n + 4) + "::text, $" +
           std::to_string(n + 5) + "::bigint, " + std::to_string(k) + ")";
    n += 5;
  }
  // ORDER BY: ids are drawn in the order the rows come, so the events keep
  // the batch's order.
  sql +=
      ") AS v(a, t, m, md, ts, n) WHERE EXISTS (SELECT 1 FROM j) ORDER BY v.n RETURNING id) "
      "SELECT id FROM e";
  return EventWrite{std::move(sql), std::move(params)};
}

}  // namespace

Status PostgresStore::create_restore_job(const RestoreJob& job,
                                         const std::optional<Command>& command) {
  return pool_.transaction([&](Connection& c) -> Status {
    // FOR SHARE keeps delete_snapshot (FOR UPDATE) from removing the row
    // until this job is committed and visible to its in-use check.
    if (!job.snapshot_id.empty()) {
      FF_ASSIGN_OR_RETURN(PgResult s, c.exec("SELECT 1 FROM snapshots WHERE id = $1 FOR SHARE",
                                             Params::of(job.snapshot_id)));
      if (s.rows() == 0) return NotFound("snapshot " + job.snapshot_id + " not found");
    }
    const std::string& params = job.params_json.empty() ? kEmptyObject : job.params_json;
    Status st = c.exec("INSERT INTO restore_jobs (" FF_STORE_RESTORE_JOB_COLUMNS
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                       Params::of(job.id, job.snapshot_id, job.target_agent_id, job.target_path,
                                  job.status, job.created_at, job.updated_at, job.kind, params))
                    .status();
    if (st.code() == Code::kConflict)
      return Conflict(job.kind + " job " + job.id + " already exists");
    FF_TRY(st);
    if (!command) return OkStatus();
    const std::string& payload =
        command->payload_json.empty() ? kEmptyObject : command->payload_json;
    st = c.exec("INSERT INTO commands (" FF_STORE_COMMAND_COLUMNS
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                Params::of(command->id, command->agent_id, command->job_id, command->command_type,
                           payload, command->status, command->created_at, command->updated_at,
                           command->lease_expires_at, command->delivery_count))
             .status();
    if (st.code() == Code::kConflict) return Conflict("command " + command->id + " already exists");
    return st;
  });
}

Result<RestoreJob> PostgresStore::get_restore_job(const std::string& id) {
  return pool_.with_connection([&](Connection& c) -> Result<RestoreJob> {
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT " FF_STORE_RESTORE_JOB_COLUMNS
                                           " FROM restore_jobs WHERE id = $1",
                                           Params::of(id)));
    if (r.rows() == 0) return NotFound("restore job " + id + " not found");
    return store::detail::restore_job_from(r.row(0));
  });
}

Result<Listing<RestoreJob>> PostgresStore::list_restore_jobs(const RestoreJobFilter& f,
                                                             const Page& p) {
  detail::ListingQuery query("restore_jobs", FF_STORE_RESTORE_JOB_COLUMNS);
  query.equals("kind", f.kind);
  query.equals("status", f.status);
  query.equals("target_agent_id", f.target_agent_id);
  query.equals("snapshot_id", f.snapshot_id);
  return pool_.with_connection([&](Connection& c) {
    return query.fetch<RestoreJob>(
        c, p, [](const PgRow& r) { return store::detail::restore_job_from(r); });
  });
}

Result<std::vector<JobEvent>> PostgresStore::list_job_events(const std::string& job_id) {
  return pool_.with_connection([&](Connection& c) -> Result<std::vector<JobEvent>> {
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT " FF_STORE_JOB_EVENT_COLUMNS
                                           " FROM job_events WHERE job_id = $1 ORDER BY id",
                                           Params::of(job_id)));
    std::vector<JobEvent> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(store::detail::job_event_from(r.row(i)));
    return out;
  });
}

Result<bool> PostgresStore::has_leasable_commands(const std::string& agent_id, SystemTime now) {
  return pool_.with_connection([&](Connection& c) -> Result<bool> {
    FF_ASSIGN_OR_RETURN(
        PgResult r,
        c.exec("SELECT 1 FROM commands WHERE agent_id = $1 AND status IN ('pending', 'sent') "
               "AND (status = 'pending' OR lease_expires_at <= $2) LIMIT 1",
               Params::of(agent_id, now)));
    return r.rows() > 0;
  });
}

Result<std::vector<Command>> PostgresStore::lease_commands(const std::string& agent_id,
                                                           SystemTime now, SystemTime lease_until,
                                                           int limit) {
  if (limit <= 0) return std::vector<Command>{};
  return pool_.with_connection([&](Connection& c) -> Result<std::vector<Command>> {
    // SKIP LOCKED: a replica leasing the same agent's commands right now
    // keeps its rows, we take others. A row changed since our snapshot is
    // re-checked against the WHERE before it is locked, so a command just
    // leased elsewhere is not taken again. `status IN (...)` repeats the
    // commands_open index's WHERE verbatim so the planner uses that index.
    FF_ASSIGN_OR_RETURN(
        PgResult r,
        c.exec(
            "WITH picked AS (SELECT id FROM commands WHERE agent_id = $1 "
            "AND status IN ('pending', 'sent') AND (status = 'pending' OR lease_expires_at <= $2) "
            "ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
            "UPDATE commands SET status = 'sent', lease_expires_at = $3, "
            "delivery_count = delivery_count + 1, updated_at = $2 "
            "WHERE id IN (SELECT id FROM picked) RETURNING " FF_STORE_COMMAND_COLUMNS,
            Params::of(agent_id, now, lease_until, limit)));
    std::vector<Command> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(store::detail::command_from(r.row(i)));
    // RETURNING yields rows in no particular order.
    std::sort(out.begin(), out.end(), [](const Command& a, const Command& b) {
      return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
    });
    return out;
  });
}

std::optional<RestoreJob> PostgresStore::job_hint(const std::string& id) {
  std::lock_guard lock(job_hints_mu_);
  auto it = job_hints_.find(id);
  if (it == job_hints_.end()) return std::nullopt;
  return it->second;
}

void PostgresStore::remember_job(const RestoreJob& job) {
  std::lock_guard lock(job_hints_mu_);
  // A finished job takes no more events worth a hint.
  if (store::detail::is_terminal_job_status(job.status)) {
    job_hints_.erase(job.id);
    return;
  }
  // Bounded: the running jobs fit many times over; forgetting costs a read.
  if (job_hints_.size() >= kMaxJobHints) job_hints_.clear();
  job_hints_.insert_or_assign(job.id, job);
}

void PostgresStore::forget_job(const std::string& id) {
  std::lock_guard lock(job_hints_mu_);
  job_hints_.erase(id);
}

Result<EventResult> PostgresStore::record_job_event(const JobEvent& event,
                                                    const JobTransition& transition,
                                                    SystemTime lease_until) {
  if (!transition) return Internal("record_job_event needs a transition");
  PendingJobEvent pending{&event, &transition, lease_until};
  job_event_batches_.submit(
      event.job_id, pending,
      [this](const std::vector<PendingJobEvent*>& batch) { record_job_events(batch); });
  return std::move(pending.result);
}

void PostgresStore::record_job_events(const std::vector<PendingJobEvent*>& batch) {
  // First without a transaction: read the job (or take its hint), decide,
  // then one guarded statement. Two round trips (one with a hint) and no row
  // lock held between them, where BEGIN / SELECT FOR UPDATE / write / COMMIT
  // takes four and keeps the job locked for three. The decisions depend only
  // on the status (and the kind and target agent, which never change), so a
  // status unchanged at the write means the same decisions.
  const std::string& job_id = batch.front()->event->job_id;
  // Writes decision `d`, guarded, on `c`: the decision, or nullopt when
  // another event moved the job first.
  auto write = [&](Connection& c, BatchDecision d) -> Result<std::optional<BatchDecision>> {
    if (!d.accepted.empty()) {
      EventWrite w = batch_write(d, batch);
      FF_ASSIGN_OR_RETURN(PgResult r, c.exec(w.sql, w.params));
      if (r.rows() == 0) return std::optional<BatchDecision>();
    }
    return std::optional<BatchDecision>(std::move(d));
  };
  // What an attempt that failed leaves: the error for every event.
  auto fail_all = [&](const Status& why) {
    forget_job(job_id);
    for (PendingJobEvent* p : batch) p->result = why;
  };
  // A hint, when there is one, stands in for the first read (job_hints_).
  std::optional<RestoreJob> hint = job_hint(job_id);
  for (int attempt = 0; attempt < kGuardedAttempts; ++attempt) {
    auto r = pool_.with_connection([&](Connection& c) -> Result<std::optional<BatchDecision>> {
      if (std::optional<RestoreJob> hinted = std::exchange(hint, std::nullopt)) {
        // A refusal is decided on the job as it is, never on a hint (hints
        // are never finished jobs, so trying one records no refusal).
        BatchDecision d = decide_batch(*hinted, batch);
        if (d.accepted.size() == batch.size()) return write(c, std::move(d));
      }
      FF_ASSIGN_OR_RETURN(RestoreJob job, read_job(c, job_id, ""));
      return write(c, decide_batch(job, batch));
    });
    if (!r.ok()) return fail_all(r.status());
    if (*r) return remember_job((*r)->last);
  }
  forget_job(job_id);
  // Busy job: decide under the row lock, so these events cannot lose again.
  std::optional<BatchDecision> decided;
  Status written = pool_.transaction([&](Connection& c) -> Status {
    // FOR UPDATE: events for one job are decided one at a time, each seeing
    // the status the previous one left.
    FF_ASSIGN_OR_RETURN(RestoreJob job, read_job(c, job_id, " FOR UPDATE"));
    FF_ASSIGN_OR_RETURN(decided, write(c, decide_batch(job, batch)));
    if (!decided) return Internal("restore job " + job_id + " moved under its row lock");
    return OkStatus();
  });
  if (!written.ok()) return fail_all(written);
  remember_job(decided->last);
}

}  // namespace ff::store::postgres
