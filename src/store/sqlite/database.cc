#include "store/sqlite/database.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include <sqlite3.h>

namespace ff::store::sqlite {

namespace {

// SQLite keeps global memory statistics by default, under one mutex that
// every allocation of every connection takes: the I/O threads' reads would
// meet there. Nothing here reads those statistics. Must precede the first
// sqlite3_open (sqlite3_config refuses once SQLite is initialised).
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const Options& options) {
  configure_sqlite_once();
  std::unique_ptr<Database> db(new Database());
  FF_ASSIGN_OR_RETURN(
      db->writer_, Connection::open(options.path, Connection::Mode::kWriter, options.busy_timeout));
  if (options.path == ":memory:") return db;
  for (int i = 0; i < std::max(options.readers, 1); ++i) {
    auto reader = std::make_unique<Reader>();
    FF_ASSIGN_OR_RETURN(reader->conn, Connection::open(options.path, Connection::Mode::kReader,
                                                       options.busy_timeout));
    // A reader opens the -wal file at its first read. Done now, not when a
    // background thread first reads: with descriptors exhausted that late
    // open would take the one the HTTP server keeps spare for health probes.
    FF_TRY(reader->conn->exec_script("SELECT count(*) FROM sqlite_master", "opening a reader"));
    db->readers_.push_back(std::move(reader));
  }
  // The -wal file exists now (the readers opened it). SQLite keeps it (and
  // its inode) while a connection is open, resetting it in place after a
  // checkpoint, so this descriptor stays the file commits are written to.
  db->wal_fd_ = ::open((options.path + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
  if (db->wal_fd_ < 0) {
    return Unavailable(std::string("cannot open the database's -wal file: ") +
                       std::strerror(errno));
  }
  return db;
}

Database::~Database() {
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

Status Database::sync_commits() {
  if (wal_fd_ < 0) return OkStatus();
  if (::fdatasync(wal_fd_) != 0) {
    return Unavailable(std::string("database sync failed: ") + std::strerror(errno));
  }
  return OkStatus();
}

namespace {

Status run_sql(Connection& conn, std::string_view sql) {
  FF_ASSIGN_OR_RETURN(Stmt s, conn.prepare(sql));
  return s.run();
}

// One write of a batch, inside the batch's open transaction: in a savepoint
// when `nested`, so its failure undoes only its own changes (a lone write
// needs none: its failure rolls the transaction back). Returns the write's
// own outcome. When the batch's transaction is gone (SQLite rolled it back
// by itself on SQLITE_FULL or an I/O error, or the savepoint could not be
// closed, so it is rolled back here), every earlier write of the batch is
// lost too: `lost` says why.
Status run_in_savepoint(Connection& conn, const std::function<Status(Connection&)>& run,
                        bool nested, Status& lost) {
  Status own = nested ? run_sql(conn, "SAVEPOINT batched_write") : OkStatus();
  if (own.ok()) {
    try {
      own = run(conn);
    } catch (const std::exception& e) {
      // run() catches fn's exceptions; this is the std::function machinery.
      own = Internal(std::string("batched write: ") + e.what());
    }
  }
  if (!conn.in_transaction()) {
    lost = Unavailable("database transaction was rolled back: " + own.message());
    return own.ok() ? Unavailable("database transaction was rolled back") : own;
  }
  if (!nested) return own;
  Status closed = OkStatus();
  if (own.ok()) {
    closed = run_sql(conn, "RELEASE batched_write");
  } else {
    closed = run_sql(conn, "ROLLBACK TO batched_write");
    if (closed.ok()) closed = run_sql(conn, "RELEASE batched_write");
  }
  if (!closed.ok()) {
    conn.rollback();
    lost = closed;
    return own.ok() ? closed : own;
  }
  return own;
}

}  // namespace

Status Database::run_grouped(GroupedWrite& self) {
  groups_.submit(kGroupKey, self,
                 [this](const std::vector<GroupedWrite*>& batch) { run_group(batch); });
  return self.outcome;
}

Status Database::open_joined() {
  writer_mu_.lock();
  if (Status begun = writer_->begin_immediate(); !begun.ok()) {
    writer_mu_.unlock();
    return begun;
  }
  joined_owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  return OkStatus();
}

Status Database::commit_joined() {
  Connection& conn = *writer_;
  // No transaction left: a write of the batch lost it (run_in_savepoint).
  Status committed =
      conn.in_transaction() ? conn.commit() : Unavailable("database transaction was rolled back");
  if (!committed.ok() && conn.in_transaction()) conn.rollback();
  joined_owner_.store(std::thread::id(), std::memory_order_relaxed);
  writer_mu_.unlock();
  return committed;
}

Status Database::run_joined(const std::function<Status(Connection&)>& run) {
  Connection& conn = *writer_;
  // An earlier write of the batch lost its transaction: the batch fails.
  if (!conn.in_transaction()) return Unavailable("database transaction was rolled back");
  Status lost;
  return run_in_savepoint(conn, run, /*nested=*/true, lost);
}

void Database::run_group(const std::vector<GroupedWrite*>& batch) {
  std::lock_guard writer_lock(writer_mu_);
  Connection& conn = *writer_;
  auto fail_all = [&](const Status& s) {
    for (GroupedWrite* w : batch) {
      if (w->outcome.ok()) w->outcome = s;
    }
  };
  if (Status begun = conn.begin_immediate(); !begun.ok()) return fail_all(begun);
  // A lone caller needs no savepoint: its failure rolls back the transaction.
  const bool nested = batch.size() > 1;
  bool committed_any = false;
  for (GroupedWrite* w : batch) {
    Status lost;
    w->outcome = run_in_savepoint(conn, w->run, nested, lost);
    if (!lost.ok()) return fail_all(lost);
    if (w->outcome.ok()) committed_any = true;
  }
  if (!committed_any) {
    conn.rollback();
    return;
  }
  if (Status done = conn.commit(); !done.ok()) {
    conn.rollback();
    fail_all(done);
  }
}

Connection& Database::acquire_reader(std::unique_lock<std::mutex>& lock) {
  // Each thread starts at its own reader, so threads seldom meet on one mutex.
  thread_local size_t hint = std::hash<std::thread::id>{}(std::this_thread::get_id());
  size_t n = readers_.size();
  for (size_t i = 0; i < n; ++i) {
    Reader& r = *readers_[(hint + i) % n];
    std::unique_lock<std::mutex> attempt(r.mu, std::try_to_lock);
    if (attempt.owns_lock()) {
      hint = (hint + i) % n;
      lock = std::move(attempt);
      return *r.conn;
    }
  }
  Reader& r = *readers_[hint % n];
  lock = std::unique_lock<std::mutex>(r.mu);
  return *r.conn;
}

}  // namespace ff::store::sqlite
