#include "store/postgres/connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "store/detail/values.h"

namespace ff::store::postgres {

namespace {

void log_notice(void*, const char* message) { spdlog::debug("postgres notice: {}", message); }

bool sqlstate_is(std::string_view state, std::string_view prefix) {
  return state.starts_with(prefix);
}

}  // namespace

// ---- Params, PgRow, PgResult

void Params::add(SystemTime t) { add(detail::to_unix_ms(t)); }

void Params::add(const std::optional<SystemTime>& t) {
  if (t) return add(*t);
  values_.emplace_back(std::nullopt);
}

std::string PgRow::text(int col) const {
  return std::string(PQgetvalue(r_, row_, col), static_cast<size_t>(PQgetlength(r_, row_, col)));
}

int64_t PgRow::int64(int col) const {
  const char* p = PQgetvalue(r_, row_, col);
  int64_t v = 0;
  std::from_chars(p, p + PQgetlength(r_, row_, col), v);
  return v;
}

bool PgRow::is_null(int col) const { return PQgetisnull(r_, row_, col) != 0; }

PgResult::~PgResult() { PQclear(r_); }

int PgResult::rows() const { return PQntuples(r_); }

int PgResult::columns() const { return PQnfields(r_); }

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  int64_t v = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

// ---- Connection

Result<std::unique_ptr<Connection>> Connection::connect(const std::string& conninfo,
                                                        const std::string& schema) {
  PGconn* raw = PQconnectdb(conninfo.c_str());
  if (raw == nullptr) return Unavailable("database unavailable");
  std::unique_ptr<Connection> conn(new Connection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    // PQerrorMessage names host and port, never the password.
    spdlog::warn("postgres: cannot connect: {}", PQerrorMessage(raw));
    return Unavailable("database unavailable: cannot connect to PostgreSQL");
  }
  // The default notice processor prints to stderr ("relation already
  // exists, skipping" and the like); route notices to the log instead.
  PQsetNoticeProcessor(raw, log_notice, nullptr);
  if (!schema.empty()) {
    char* quoted = PQescapeIdentifier(raw, schema.data(), schema.size());
    if (quoted == nullptr) return Internal("cannot quote the schema name");
    std::string search_path(quoted);
    PQfreemem(quoted);
    FF_TRY(conn->exec("SELECT set_config('search_path', $1, false)", Params::of(search_path)));
  }
  return conn;
}

Connection::~Connection() { PQfinish(conn_); }

Result<PgResult> Connection::exec(std::string_view sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string text(sql);
    std::string name = "ff_" + std::to_string(prepared_.size() + 1);
    PgResult prepared(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    if (Status st = check(prepared.get(), "prepare"); !st.ok()) {
      spdlog::debug("postgres: prepare failed for: {}", sql);
      return st;
    }
    it = prepared_.emplace(std::move(text), std::move(name)).first;
  }
  const auto& values = params.values();
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v ? v->c_str() : nullptr);
  PgResult result(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(ptrs.size()),
                                 ptrs.data(), nullptr, nullptr, 0));
  FF_TRY(check(result.get(), "execute"));
  return result;
}

Status Connection::exec_script(const char* sql, std::string_view what) {
  PgResult result(PQexec(conn_, sql));
  return check(result.get(), what);
}

Status Connection::begin() { return exec_script("BEGIN", "begin"); }

Status Connection::commit() {
  // COMMIT of a failed transaction "succeeds" as a rollback; never report
  // that as a commit.
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    rollback();
    return Internal("database error: transaction aborted");
  }
  return exec_script("COMMIT", "commit");
}

void Connection::rollback() {
  if (broken_) return;
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  if (t != PQTRANS_INTRANS && t != PQTRANS_INERROR) return;
  Status st = exec_script("ROLLBACK", "rollback");
  if (!st.ok()) broken_ = true;
}

bool Connection::usable_when_idle() {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    return false;
  }
  // We use no LISTEN/NOTIFY, so an idle socket only becomes readable when the
  // server has something bad to say (a FATAL error before it hangs up, or the
  // hang-up itself). Rarer benign messages cost only a reconnect.
  pollfd p{PQsocket(conn_), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

Result<std::vector<std::pair<std::string, std::string>>> Connection::wait_notifications(
    std::chrono::milliseconds timeout) {
  std::vector<std::pair<std::string, std::string>> out;
  auto drain = [&] {
    while (PGnotify* n = PQnotifies(conn_)) {
      out.emplace_back(n->relname, n->extra != nullptr ? n->extra : "");
      PQfreemem(n);
    }
  };
  drain();  // some may have come in with the last command's result
  if (!out.empty()) return out;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  if (p.fd < 0) {
    broken_ = true;
    return Unavailable("database unavailable");
  }
  int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0) return out;  // EINTR: the caller waits again
  if (ready > 0 && (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK)) {
    broken_ = true;
    spdlog::warn("postgres: listener connection lost: {}", PQerrorMessage(conn_));
    return Unavailable("database unavailable");
  }
  drain();
  return out;
}

Status Connection::check(const PGresult* r, std::string_view what) {
  ExecStatusType status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return OkStatus();
  const char* state_field = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view state = state_field != nullptr ? state_field : "";
  const char* detail = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  // 08: connection exception; 57P01..57P03: server shutting down or starting.
  if (r == nullptr || PQstatus(conn_) != CONNECTION_OK || sqlstate_is(state, "08") ||
      sqlstate_is(state, "57P")) {
    broken_ = true;
    spdlog::warn("postgres: {} failed, connection lost: {}", what, detail);
    return Unavailable("database unavailable");
  }
  if (state == "23505") {
    spdlog::debug("postgres: {}: {}", what, detail);
    return Conflict("duplicate id");
  }
  // 53: insufficient resources; 40001/40P01: serialization failure and
  // deadlock; 55P03: lock not available; 57014: statement cancelled. All pass
  // when retried.
  if (sqlstate_is(state, "53") || state == "40001" || state == "40P01" || state == "55P03" ||
      state == "57014") {
    spdlog::warn("postgres: {} failed ({}): {}", what, state, detail);
    return Unavailable("database busy");
  }
  spdlog::warn("postgres: {} failed ({}): {}", what, state, detail);
  return Internal("database error");
}

}  // namespace ff::store::postgres
