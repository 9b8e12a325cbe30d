// Store: schedules, one SQL text for both backends (detail/sql_tx.h); the
// table is in migrations/v006_schedules.cc.
#include "store/detail/sql_tx.h"
#include "store/detail/values.h"
#include "store/store.h"

namespace ff::store {

using detail::SqlTx;
using detail::SqlValue;

namespace {

constexpr const char* kColumns =
    "id, agent_id, kind, cron, interval_seconds, paths_json, retention_json, target_agent_id, "
    "enabled, next_run_at, last_run_at, last_job_id, last_status, last_error, "
    "retention_applied_job_id, created_at, updated_at";

SqlValue text_or_null(const std::optional<std::string>& v) {
  return v ? SqlValue(*v) : SqlValue(std::monostate{});
}

std::optional<std::string> opt_text(const detail::SqlRow& r, int col) {
  if (r.is_null(col)) return std::nullopt;
  return r.text(col);
}

Schedule schedule_from(const detail::SqlRow& r) {
  Schedule s;
  s.id = r.text(0);
  s.agent_id = r.text(1);
  s.kind = r.text(2);
  s.cron = opt_text(r, 3);
  if (!r.is_null(4)) s.interval_seconds = r.int64(4);
  s.paths_json = opt_text(r, 5);
  s.retention_json = opt_text(r, 6);
  s.target_agent_id = opt_text(r, 7);
  s.enabled = r.int64(8) != 0;
  s.next_run_at = detail::from_unix_ms(r.int64(9));
  if (!r.is_null(10)) s.last_run_at = detail::from_unix_ms(r.int64(10));
  s.last_job_id = opt_text(r, 11);
  s.last_status = opt_text(r, 12);
  s.last_error = opt_text(r, 13);
  s.retention_applied_job_id = opt_text(r, 14);
  s.created_at = detail::from_unix_ms(r.int64(15));
  s.updated_at = detail::from_unix_ms(r.int64(16));
  return s;
}

// The settings columns in the order insert_schedule and update_schedule bind
// them after the id ($2..$11).
std::vector<SqlValue> settings(const Schedule& s) {
  std::vector<SqlValue> v(11);
  v[0] = s.id;
  v[1] = s.agent_id;
  v[2] = s.kind;
  v[3] = text_or_null(s.cron);
  if (s.interval_seconds) v[4] = *s.interval_seconds;
  v[5] = text_or_null(s.paths_json);
  v[6] = text_or_null(s.retention_json);
  v[7] = text_or_null(s.target_agent_id);
  v[8] = detail::sql_bool(s.enabled);
  v[9] = detail::sql_time(s.next_run_at);
  v[10] = detail::sql_time(s.updated_at);
  return v;
}

Result<std::vector<Schedule>> select_schedules(SqlTx& tx, const std::string& where_order,
                                               const std::vector<SqlValue>& params) {
  FF_ASSIGN_OR_RETURN(
      auto rows,
      tx.query(std::string("SELECT ") + kColumns + " FROM schedules " + where_order, params));
  std::vector<Schedule> out;
  for (const auto& r : rows) out.push_back(schedule_from(r));
  return out;
}

}  // namespace

Status Store::insert_schedule(const Schedule& s) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    std::vector<SqlValue> params = settings(s);
    params.push_back(detail::sql_time(s.created_at));
    Status st = tx.query(std::string("INSERT INTO schedules (") + kColumns +
                             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, "
                             "NULL, NULL, NULL, $12, $11)",
                         params)
                    .status();
    if (st.code() == Code::kConflict) return Conflict("schedule " + s.id + " already exists");
    return st;
  });
}

Result<std::vector<Schedule>> Store::list_schedules() {
  std::vector<Schedule> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(out, select_schedules(tx, "ORDER BY created_at, id", {}));
    return OkStatus();
  }));
  return out;
}

Result<Schedule> Store::get_schedule(const std::string& id) {
  std::vector<Schedule> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(out, select_schedules(tx, "WHERE id = $1", {id}));
    return OkStatus();
  }));
  if (out.empty()) return NotFound("schedule " + id + " not found");
  return std::move(out.front());
}

Status Store::update_schedule(const Schedule& s) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(
        auto rows,
        tx.query("UPDATE schedules SET agent_id = $2, kind = $3, cron = $4, interval_seconds = $5, "
                 "paths_json = $6, retention_json = $7, target_agent_id = $8, enabled = $9, "
                 "next_run_at = $10, updated_at = $11 WHERE id = $1 RETURNING id",
                 settings(s)));
    if (rows.empty()) return NotFound("schedule " + s.id + " not found");
    return OkStatus();
  });
}

Status Store::delete_schedule(const std::string& id) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows,
                        tx.query("DELETE FROM schedules WHERE id = $1 RETURNING id", {id}));
    if (rows.empty()) return NotFound("schedule " + id + " not found");
    return OkStatus();
  });
}

Result<std::vector<Schedule>> Store::list_due_schedules(SystemTime now, int limit) {
  std::vector<Schedule> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(out, select_schedules(tx,
                                              "WHERE enabled = 1 AND next_run_at <= $1 "
                                              "ORDER BY next_run_at, id LIMIT $2",
                                              {detail::sql_time(now), int64_t{limit}}));
    return OkStatus();
  }));
  return out;
}

Result<bool> Store::claim_schedule(const std::string& id, SystemTime expected, SystemTime next) {
  bool claimed = false;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows,
                        tx.query("UPDATE schedules SET next_run_at = $3 "
                                 "WHERE id = $1 AND next_run_at = $2 RETURNING id",
                                 {id, detail::sql_time(expected), detail::sql_time(next)}));
    claimed = !rows.empty();
    return OkStatus();
  }));
  return claimed;
}

Status Store::record_schedule_run(const std::string& id, const ScheduleRun& run) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("UPDATE schedules SET last_run_at = $2, last_job_id = "
                                            "COALESCE($3, last_job_id), last_status = $4, "
                                            "last_error = $5 WHERE id = $1 RETURNING id",
                                            {id, detail::sql_time(run.at), text_or_null(run.job_id),
                                             run.status, text_or_null(run.error)}));
    if (rows.empty()) return NotFound("schedule " + id + " not found");
    return OkStatus();
  });
}

Result<bool> Store::swap_retention_applied(const std::string& id,
                                           const std::optional<std::string>& from,
                                           const std::optional<std::string>& to) {
  bool swapped = false;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    std::vector<SqlValue> params{id, text_or_null(to)};
    std::string cond = "retention_applied_job_id IS NULL";
    if (from) {
      cond = "retention_applied_job_id = $3";
      params.push_back(*from);
    }
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("UPDATE schedules SET retention_applied_job_id = $2 "
                                            "WHERE id = $1 AND " +
                                                cond + " RETURNING id",
                                            params));
    swapped = !rows.empty();
    return OkStatus();
  }));
  return swapped;
}

}  // namespace ff::store
