#include "store/sqlite/connection.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/detail/values.h"

namespace ff::store::sqlite {

using detail::from_unix_ms;
using detail::to_unix_ms;

// ---- Stmt

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Stmt::bind(int index, const std::string& value) {
  int rc =
      sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, SystemTime value) { bind(index, to_unix_ms(value)); }

void Stmt::bind(int index, const std::optional<SystemTime>& value) {
  if (value) return bind(index, *value);
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, const std::optional<std::string>& value) {
  if (value) return bind(index, *value);
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, const std::optional<int64_t>& value) {
  if (value) return bind(index, *value);
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

int Stmt::column_count() const { return sqlite3_column_count(stmt_); }

Result<bool> Stmt::next() {
  if (bind_rc_ != SQLITE_OK) return conn_->error(bind_rc_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->error(rc, "step");
}

Status Stmt::run() {
  while (true) {
    FF_ASSIGN_OR_RETURN(bool row, next());
    if (!row) return OkStatus();
  }
}

std::string Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

// ---- Connection

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, Mode mode,
                                                     std::chrono::milliseconds busy_timeout) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  // "unix-excl": the first read takes a process-wide exclusive lock on the
  // file, which this process's other connections share, and the WAL index
  // lives in heap memory instead of the -shm file. Each read transaction
  // then takes its WAL read mark without an fcntl() lock (two per read
  // otherwise, contended between the I/O threads), and a second orchestrator
  // cannot open the same file: it would run its own leases, notifier and
  // audit log beside ours. Several replicas need PostgreSQL.
  const char* vfs = path == ":memory:" ? nullptr : "unix-excl";
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs);
  if (rc != SQLITE_OK) {
    spdlog::warn("sqlite: cannot open database {}: {}", path,
                 db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Unavailable("cannot open the database");
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // synchronous=NORMAL in WAL mode survives application crashes and never
  // corrupts; an OS crash or power loss may only lose the latest commits.
  // Commits then cost no fsync; checkpoints do, so they run every 10000
  // pages (~40 MiB of WAL) rather than 1000: a job's hot pages are rewritten
  // many times in the WAL but copied back once. journal_size_limit trims the
  // WAL file after it restarts.
  const char* settings =
      mode == Mode::kWriter
          ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
            "PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864;"
          : "PRAGMA foreign_keys = ON; PRAGMA query_only = ON;";
  Status applied = conn->exec_script(settings, "connection settings");
  if ((sqlite3_errcode(db) & 0xff) == SQLITE_BUSY) {
    return Unavailable(
        "the SQLite database is locked by another process (one orchestrator per SQLite file; "
        "several replicas need PostgreSQL)");
  }
  FF_TRY(applied);
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<Stmt> Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      spdlog::debug("sqlite: prepare failed for: {}", sql);
      return error(rc, "prepare");
    }
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Stmt(this, it->second);
}

Status Connection::exec_script(const char* sql, std::string_view what) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return OkStatus();
  spdlog::warn("sqlite: {} failed: {}", what, msg != nullptr ? msg : sqlite3_errstr(rc));
  sqlite3_free(msg);
  return error(rc, what);
}

Status Connection::begin_immediate() {
  FF_ASSIGN_OR_RETURN(Stmt s, prepare("BEGIN IMMEDIATE"));
  return s.run();
}

Status Connection::begin_deferred() {
  FF_ASSIGN_OR_RETURN(Stmt s, prepare("BEGIN"));
  return s.run();
}

Status Connection::commit() {
  FF_ASSIGN_OR_RETURN(Stmt s, prepare("COMMIT"));
  return s.run();
}

void Connection::rollback() {
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
  if (!in_transaction()) return;
  auto s = prepare("ROLLBACK");
  if (!s.ok()) return;
  Status st = s->run();
  if (!st.ok()) spdlog::warn("sqlite: rollback failed: {}", st.to_string());
}

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status Connection::error(int rc, std::string_view what) const {
  int primary = rc & 0xff;
  switch (primary) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        spdlog::debug("sqlite: {}: {}", what, sqlite3_errmsg(db_));
        return Conflict("duplicate id");
      }
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      spdlog::warn("sqlite: {}: {} (busy timeout passed)", what, sqlite3_errmsg(db_));
      return Unavailable("database is busy");
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      spdlog::warn("sqlite: {}: {} (code {})", what, sqlite3_errmsg(db_), rc);
      return Unavailable("database unavailable");
    default:
      break;
  }
  spdlog::warn("sqlite: {}: {} (code {})", what, sqlite3_errmsg(db_), rc);
  return Internal("database error");
}

}  // namespace ff::store::sqlite
