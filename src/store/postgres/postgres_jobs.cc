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

// The event statements, in two forms. The guarded form (used first) moves
// the job only while its status is still the one `transition` saw ($9 or
// $8), and appends the event and settles the commands only when it did: no
// rows back means another event moved the job meanwhile. The locked form runs
// after SELECT ... FOR UPDATE. Data-modifying WITH parts run whether or not
// the outer SELECT reads them; all see one snapshot and j's RETURNING rows.
#define FF_INSERT_EVENT                                                             \
  "e AS (INSERT INTO job_events (job_id, agent_id, event_type, message, metadata, " \
  "timestamp) "

#define FF_LOCKED_EVENT                             \
  "WITH " FF_INSERT_EVENT                           \
  "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id), " \
  "j AS (UPDATE restore_jobs SET status = $7, updated_at = $6 WHERE id = $1) "

#define FF_GUARDED_EVENT(expected)                                           \
  "WITH j AS (UPDATE restore_jobs SET status = $7, updated_at = $6::bigint " \
  "WHERE id = $1 AND status = " expected " RETURNING id), " FF_INSERT_EVENT  \
  "SELECT $1, $2, $3, $4, $5, $6::bigint FROM j RETURNING id), "

#define FF_FINISH_COMMANDS(guard)                                                    \
  "c AS (UPDATE commands SET status = $7, lease_expires_at = NULL, updated_at = $6 " \
  "WHERE job_id = $1 AND status IN ('pending', 'sent')" guard ") SELECT id FROM e"

// Only delivered commands hold a lease; a pending one is still queued.
#define FF_EXTEND_LEASES(guard)                                       \
  "c AS (UPDATE commands SET lease_expires_at = $8, updated_at = $6 " \
  "WHERE job_id = $1 AND status = 'sent'" guard ") SELECT id FROM e"

constexpr const char* kRecordFinishingEvent = FF_LOCKED_EVENT ", " FF_FINISH_COMMANDS("");
constexpr const char* kRecordOngoingEvent = FF_LOCKED_EVENT ", " FF_EXTEND_LEASES("");
constexpr const char* kGuardedFinishingEvent =
    FF_GUARDED_EVENT("$8") FF_FINISH_COMMANDS(" AND EXISTS (SELECT 1 FROM j)");
constexpr const char* kGuardedOngoingEvent =
    FF_GUARDED_EVENT("$9") FF_EXTEND_LEASES(" AND EXISTS (SELECT 1 FROM j)");

#undef FF_INSERT_EVENT
#undef FF_LOCKED_EVENT
#undef FF_GUARDED_EVENT
#undef FF_FINISH_COMMANDS
#undef FF_EXTEND_LEASES

// Guarded attempts before falling back to the row lock; each failed one means
// another event on the same job committed in between.
constexpr int kGuardedAttempts = 3;

// How many jobs PostgresStore::job_hints_ holds before it starts over.
constexpr size_t kMaxJobHints = 8192;

// The statement that applies `event` to `job` (moving it to `next`) and its
// parameters. Guarded: only while the job's status is still job.status.
struct EventWrite {
  const char* sql;  // or, when null, `built`
  Params params;
  std::string built;
  std::string_view text() const { return sql ? std::string_view(sql) : std::string_view(built); }
};

EventWrite event_write(const RestoreJob& job, const JobEvent& event, const std::string& next,
                       SystemTime lease_until, bool guarded) {
  const std::string& metadata = event.metadata_json.empty() ? kEmptyObject : event.metadata_json;
  Params params = Params::of(job.id, event.agent_id, event.event_type, event.message, metadata,
                             event.timestamp, next);
  bool finishing = store::detail::is_terminal_job_status(next);
  if (!finishing) params.add(lease_until);
  if (guarded) params.add(job.status);
  const char* sql = finishing ? (guarded ? kGuardedFinishingEvent : kRecordFinishingEvent)
                              : (guarded ? kGuardedOngoingEvent : kRecordOngoingEvent);
  return EventWrite{sql, std::move(params), {}};
}

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
  std::vector<size_t> accepted;  // indexes into the batch, in order
  bool any_refused = false;
  RestoreJob last;  // the job after the last accepted event
  // The first accepted event that finishes the job, if any: it settles the
  // commands (later ones find none open to extend).
  std::optional<size_t> finishing;
};

template <typename Pending>
BatchDecision decide_batch(const RestoreJob& start, const std::vector<Pending*>& batch) {
  BatchDecision d{start, {}, false, start, std::nullopt};
  for (size_t i = 0; i < batch.size(); ++i) {
    Pending& p = *batch[i];
    auto next = (*p.transition)(d.last);
    if (!next.ok()) {
      p.result = next.status();
      d.any_refused = true;
      continue;
    }
    if (!d.finishing && store::detail::is_terminal_job_status(*next)) d.finishing = i;
    p.result = event_result(d.last, std::move(next).value(), *p.event);
    d.last = p.result->job;
    d.accepted.push_back(i);
  }
  return d;
}

// One statement for a decided batch: the job moves from d.start's status to
// d.last's (guarded: no rows back when its status is no longer d.start's),
// the accepted events are appended in order, and the commands are finished
// or their leases extended as the events one at a time would leave them.
// REQUIRES: d.accepted is not empty.
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
  return EventWrite{nullptr, std::move(params), std::move(sql)};
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
  if (batch.size() == 1) {
    PendingJobEvent& p = *batch.front();
    p.result = record_one_job_event(*p.event, *p.transition, p.lease_until);
    return;
  }
  const std::string& job_id = batch.front()->event->job_id;
  auto fail_accepted = [&](const BatchDecision& d, const Status& why) {
    for (size_t i : d.accepted) batch[i]->result = why;
  };
  // First on the hint, in one round trip, when every event is accepted on
  // it (a refusal is decided on the job as it is, never on a hint).
  if (std::optional<RestoreJob> hint = job_hint(job_id)) {
    BatchDecision d = decide_batch(*hint, batch);
    if (!d.any_refused) {
      EventWrite write = batch_write(d, batch);
      auto w =
          pool_.with_connection([&](Connection& c) { return c.exec(write.text(), write.params); });
      if (!w.ok()) {
        forget_job(job_id);
        return fail_accepted(d, w.status());
      }
      if (w->rows() > 0) return remember_job(d.last);
    }
  }
  // Under the row lock: no other event can move the job between the read
  // and the write.
  forget_job(job_id);
  std::optional<BatchDecision> decided;
  Status written = pool_.transaction([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(RestoreJob job, read_job(c, job_id, " FOR UPDATE"));
    decided = decide_batch(job, batch);
    if (decided->accepted.empty()) return OkStatus();
    EventWrite write = batch_write(*decided, batch);
    return c.exec(write.text(), write.params).status();
  });
  if (!written.ok()) {
    // Nothing of the batch was written.
    for (PendingJobEvent* p : batch) p->result = written;
    return;
  }
  remember_job(decided->last);
}

Result<EventResult> PostgresStore::record_one_job_event(const JobEvent& event,
                                                        const JobTransition& transition,
                                                        SystemTime lease_until) {
  // First without a transaction: read the job (or take its hint), decide,
  // then one guarded statement. Two round trips (one with a hint) and no row
  // lock held between them, where BEGIN / SELECT FOR UPDATE / write / COMMIT
  // takes four and keeps the job locked for three. The decision depends only
  // on the status (and the kind and target agent, which never change), so a
  // status unchanged at the write means the same decision.

  // Moves `job` to `next` unless another event moved it first (nullopt).
  auto guarded_write = [&](Connection& c, const RestoreJob& job,
                           std::string next) -> Result<std::optional<EventResult>> {
    EventWrite write = event_write(job, event, next, lease_until, /*guarded=*/true);
    FF_ASSIGN_OR_RETURN(PgResult w, c.exec(write.text(), write.params));
    if (w.rows() == 0) return std::optional<EventResult>();
    return std::optional<EventResult>(event_result(job, std::move(next), event));
  };
  // A hint, when there is one, stands in for the first read (job_hints_).
  std::optional<RestoreJob> hint = job_hint(event.job_id);
  for (int attempt = 0; attempt < kGuardedAttempts; ++attempt) {
    auto r = pool_.with_connection([&](Connection& c) -> Result<std::optional<EventResult>> {
      if (std::optional<RestoreJob> hinted = std::exchange(hint, std::nullopt)) {
        // A refusal is decided on the job as it is, never on a hint (hints
        // are never finished jobs, so trying one records no refusal).
        auto next = transition(*hinted);
        if (next.ok()) return guarded_write(c, *hinted, std::move(next).value());
      }
      FF_ASSIGN_OR_RETURN(RestoreJob job, read_job(c, event.job_id, ""));
      FF_ASSIGN_OR_RETURN(std::string next, transition(job));
      return guarded_write(c, job, std::move(next));
    });
    if (!r.ok()) {
      forget_job(event.job_id);
      return r.status();
    }
    if (*r) {
      remember_job((*r)->job);
      return std::move(**r);
    }
  }
  forget_job(event.job_id);
  // Busy job: decide under the row lock, so this event cannot lose again.
  return pool_.transaction([&](Connection& c) -> Result<EventResult> {
    // FOR UPDATE: events for one job are decided one at a time, each seeing
    // the status the previous one left.
    FF_ASSIGN_OR_RETURN(RestoreJob job, read_job(c, event.job_id, " FOR UPDATE"));
    FF_ASSIGN_OR_RETURN(std::string next, transition(job));
    EventWrite write = event_write(job, event, next, lease_until, /*guarded=*/false);
    FF_TRY(c.exec(write.text(), write.params));
    return event_result(job, std::move(next), event);
  });
}

}  // namespace ff::store::postgres
