// Database: the connections of one SQLite database and the only ways to use
// them: write() (one BEGIN IMMEDIATE transaction on the single writer),
// write_grouped() (the same, but concurrent callers share one transaction),
// read() (one statement on a reader) and read_snapshot() (several statements
// on a reader seeing one snapshot).
//
// SQLite allows one writer at a time anyway; serialising writers on a mutex
// in-process avoids busy-waiting on the write lock, and BEGIN IMMEDIATE takes
// it up front rather than failing on lock upgrade. No other process shares
// the file: connections hold it exclusively (the unix-excl VFS, see
// Connection::open). WAL mode lets the readers run beside the writer. An
// in-memory database has one connection, so there everything goes through
// the writer.
//
// A joined batch (open_joined ... commit_joined) lets one thread run many
// callers' writes in one transaction it controls: the WAL writer's leader
// commits a batch of events' changes that way, together with their audit
// records (wal::Writer::set_change_batch).
//
// Thread-safety: all methods may be called from any thread. The function
// passed in runs with exclusive use of its Connection.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/keyed_batches.h"
#include "common/status.h"
#include "store/sqlite/connection.h"

namespace ff::store::sqlite {

struct Options {
  std::string path;  // ":memory:" for a private in-memory database
  int readers = 4;   // reader connections beside the writer (ignored in memory)
  std::chrono::milliseconds busy_timeout{5000};
};

class Database {
 public:
  // Opens the writer, then the readers. kUnavailable when the file cannot be opened.
  static Result<std::unique_ptr<Database>> open(const Options& options);

  ~Database();

  bool in_memory() const { return readers_.empty(); }

  // Makes every transaction committed so far durable: fdatasync of the
  // database's -wal file. Commits run with synchronous=NORMAL (no sync of
  // their own); the orchestrator calls this once per WAL group commit, so
  // one sync covers every commit of the batch (wal::Writer::set_companion_sync).
  // Holds no lock: writers go on meanwhile. Ok and free in memory.
  Status sync_commits();

  // Runs fn(Connection&) -> Status or Result<T> inside BEGIN IMMEDIATE ...
  // COMMIT on the writer; rolls back when fn fails, throws or the commit fails.
  template <typename Fn>
  auto write(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    // Inside a joined batch a transaction is already open: fn gets a savepoint.
    if (joined_here()) return write_grouped(std::forward<Fn>(fn));
    std::lock_guard lock(writer_mu_);
    Connection& conn = *writer_;
    FF_TRY(conn.begin_immediate());
    Transaction txn(conn);
    auto result = fn(conn);
    if (!result.ok()) return result;
    FF_TRY(txn.commit());
    return result;
  }

  // Like write(), for hot paths with many concurrent callers (agent events):
  // the callers waiting meanwhile go in one transaction, each inside its own
  // savepoint, so one caller's failure rolls back only its own changes, and
  // the batch pays one BEGIN/COMMIT and one write of each page it touches
  // instead of one per caller. Returns once the batch is committed; a failed
  // COMMIT fails every caller of the batch.
  //
  // fn may run on another caller's thread, so it must not take locks its
  // own caller might hold, nor depend on thread-local state. An exception
  // from fn is rethrown to its caller (its savepoint rolled back).
  template <typename Fn>
  auto write_grouped(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    using R = std::invoke_result_t<Fn&, Connection&>;
    std::optional<R> result;
    std::exception_ptr thrown;
    GroupedWrite self;
    self.run = [&](Connection& conn) -> Status {
      try {
        result.emplace(fn(conn));
      } catch (...) {
        thrown = std::current_exception();
        return Internal("grouped write threw");
      }
      if constexpr (std::is_same_v<R, Status>) {
        return *result;
      } else {
        return result->status();
      }
    };
    Status outcome = joined_here() ? run_joined(self.run) : run_grouped(self);
    if (thrown) std::rethrow_exception(thrown);
    if (!outcome.ok()) return outcome;
    return std::move(*result);
  }

  // Runs fn(Connection&) on a reader, outside any explicit transaction: each
  // statement sees the latest commit. For single-statement reads.
  template <typename Fn>
  auto read(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    if (in_memory()) {
      if (joined_here()) return fn(*writer_);
      std::lock_guard lock(writer_mu_);
      return fn(*writer_);
    }
    std::unique_lock<std::mutex> lock;
    Connection& conn = acquire_reader(lock);
    return fn(conn);
  }

  // Like read(), inside BEGIN ... COMMIT so all statements see one snapshot.
  template <typename Fn>
  auto read_snapshot(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    // A joined batch's open transaction is one snapshot already (and one
    // that sees the batch's own writes).
    if (joined_here()) return fn(*writer_);
    return read([&](Connection& conn) -> std::invoke_result_t<Fn&, Connection&> {
      FF_TRY(conn.begin_deferred());
      Transaction txn(conn);
      auto result = fn(conn);
      if (!result.ok()) return result;
      FF_TRY(txn.commit());
      return result;
    });
  }

  // Runs fn(Connection&) on the writer with no transaction around it, for
  // callers that manage their own (migrations).
  template <typename Fn>
  auto with_writer(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    if (joined_here()) return fn(*writer_);
    std::lock_guard lock(writer_mu_);
    return fn(*writer_);
  }

  // Opens a transaction on the writer (BEGIN IMMEDIATE) that this thread's
  // writes join until commit_joined(): write(), write_grouped() and
  // with_writer() run at once, each write in a savepoint of its own, so one
  // failing undoes only its own changes. Holds the writer meanwhile: other
  // threads' writes wait. REQUIRES: this thread holds no joined batch.
  Status open_joined();
  // Commits the joined batch and releases the writer. On failure (or when
  // SQLite rolled the transaction back by itself) every write of the batch is
  // undone. REQUIRES: this thread opened the batch.
  Status commit_joined();

 private:
  // Rolls back on destruction unless commit() succeeded.
  class Transaction {
   public:
    explicit Transaction(Connection& conn) : conn_(conn) {}
    ~Transaction() {
      if (!committed_) conn_.rollback();
    }
    Status commit() {
      FF_TRY(conn_.commit());
      committed_ = true;
      return OkStatus();
    }

   private:
    Connection& conn_;
    bool committed_ = false;
  };

  // One caller of write_grouped(): its work, and what became of it.
  struct GroupedWrite {
    std::function<Status(Connection&)> run;  // not ok: its savepoint is rolled back
    Status outcome;                          // set by the leader: run's failure, or the batch's
  };
  // Queues `self` in groups_: the first caller to find no batch running leads
  // and runs the queued writes in one transaction (run_group).
  Status run_grouped(GroupedWrite& self);
  void run_group(const std::vector<GroupedWrite*>& batch);
  // One write inside this thread's joined batch, in a savepoint.
  Status run_joined(const std::function<Status(Connection&)>& run);
  bool joined_here() const {
    return joined_owner_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }

  struct Reader {
    std::mutex mu;
    std::unique_ptr<Connection> conn;  // guarded by mu
  };

  Database() = default;
  // Locks a free reader (or waits for this thread's usual one) into `lock`.
  Connection& acquire_reader(std::unique_lock<std::mutex>& lock);

  std::mutex writer_mu_;
  std::unique_ptr<Connection> writer_;            // guarded by writer_mu_
  std::vector<std::unique_ptr<Reader>> readers_;  // fixed after open()
  int wal_fd_ = -1;  // the -wal file, for sync_commits; fixed after open()

  // write_grouped()'s callers, under one key (kGroupKey): all share the writer.
  static constexpr size_t kMaxGroup = 256;  // callers per grouped transaction
  static constexpr const char* kGroupKey = "writer";
  KeyedBatches<GroupedWrite> groups_{kMaxGroup};

  // The thread between open_joined and commit_joined (default id: none).
  // Only that thread sets or clears it, so a thread reads its own id here
  // exactly while it holds the batch.
  std::atomic<std::thread::id> joined_owner_{};
};

}  // namespace ff::store::sqlite
