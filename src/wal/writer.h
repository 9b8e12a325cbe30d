// wal::Writer: the only code that appends to a WAL file. Every state change of the
// orchestrator goes through append() before the API answers success.
//
// Concepts: records are chained by hash (wal/format.h, docs/wal-format.md);
// append() returns only once its record is durable (write + fdatasync); concurrent
// appends are group committed: they queue, the caller at the front (the leader)
// writes the whole queue with one append and one sync and completes everyone.
//
// What it does not guarantee: it does not stop a second Writer (or another
// process) from appending to the same file; records of a batch whose write or
// sync failed may or may not be in the file after a crash (their appends failed,
// so nobody was told they exist); timestamps are those of the batch's commit.
//
// append_async queues the same way without blocking its caller: a thread of
// the writer's own leads when the lead falls to such an append, and its
// callback is told on the leader's thread. So a server need not park a
// thread per request in flight, and a batch can be as large as the requests
// in flight rather than the threads waiting.
//
// Thread-safety: append, append_async, health, head and close may be called
// from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sys/env.h"
#include "wal/background_call.h"
#include "wal/format.h"

namespace ff::wal {

// Writer::Options (outside the class so that it can be a default argument).
struct WriterOptions {
  // Longest stored line, its '\n' included; longer records -> kInvalidArgument.
  size_t max_record_bytes = kMaxRecordBytes;
  // A leader stops adding records to its batch past this many bytes.
  size_t max_batch_bytes = 1 << 20;
};

// Timing hooks for metrics; each may be empty. Called outside the writer's
// lock; they must be cheap and must not call append.
struct WriterTimings {
  // By the leader after each durable batch: the write + fdatasync time and
  // the number of records it made durable.
  std::function<void(std::chrono::nanoseconds, size_t)> on_sync;
  // By each successful append: the time from the call to its record being durable.
  std::function<void(std::chrono::nanoseconds)> on_append;
};

// A database change that commits with its record (Writer::append(prepared,
// change)): run by the leader of the record's batch, before the batch is
// written. Ok: the record is written; a failure is the append's result, and
// the record is not written.
using Change = std::function<Status()>;

// How a leader commits the changes of its batch in one database transaction
// (Writer::set_change_batch): open() before the first change runs, commit()
// after the last; the changes run on the leader's thread in between. A
// failed open() or commit() fails the appends that brought a change (their
// records are not written) and leaves the writer healthy: it is the
// database's failure, not the log's.
struct ChangeBatch {
  std::function<Status()> open;
  std::function<Status()> commit;  // on failure, every change of the batch is undone
};

class Writer {
 public:
  using Options = WriterOptions;
  using Head = wal::Head;

  // Opens `path`, creating it (and syncing its directory) when missing. Recovery:
  // a torn last line is cut (truncate + sync) and logged as a warning; the rest of
  // the chain must verify, else kDataLoss naming the first bad line. Appends
  // continue from the last good record. `env.clock` and `env.fs` must outlive the
  // Writer.
  static Result<std::unique_ptr<Writer>> open(const sys::Env& env, const std::string& path,
                                              Options options = {});

  // Closes the file. REQUIRES: no append or close running.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends {"v", "seq", "timestamp", "event", ...fields, "prev_hash", "hash"} and
  // blocks until it is durable. `fields` must be a JSON object (or null: none)
  // without the format's own keys (else kInternal); strings must be valid UTF-8 and the line
  // at most max_record_bytes (else kInvalidArgument, nothing written). After any
  // failed write or sync, and after close(), every append -> kUnavailable.
  Result<RecordPtr> append(std::string_view event, const nlohmann::json& fields);

  // The first half of append: serializes and size-checks the record without
  // queueing it (same errors as append; never kUnavailable). A record that
  // prepares fits whatever seq and timestamp it gets, so appending it can only
  // fail on I/O (or a closed writer); the check assumes the longest seq and
  // timestamp, so it may refuse a record up to ~30 bytes under the limit that
  // append(event, fields) would take. Callers prepare the record of a state
  // change before committing that change. Thread-safe, takes no lock.
  Result<PreparedRecord> prepare(std::string_view event, const nlohmann::json& fields) const;
  // The second half: queues `prepared` and blocks until it is durable.
  Result<RecordPtr> append(const PreparedRecord& prepared);
  // As append(prepared), with the database change the record describes: the
  // batch's leader runs `change` (inside the batch's transaction when
  // set_change_batch was called) and writes the record only if it succeeded.
  // So a request waits once for its change and its record together, and a
  // batch pays one database commit. Returns the change's failure as is.
  // `change` runs on another thread while this one waits: it must not take
  // locks its caller holds.
  Result<RecordPtr> append(const PreparedRecord& prepared, const Change& change);
  // What append_async tells its caller: the record once durable, or why not.
  using Done = std::function<void(Result<RecordPtr>)>;
  // As append(prepared, change) (`change` may be empty: none), without
  // blocking: `done` gets what append would return, exactly once, either
  // before append_async returns (refused at once) or on the thread of the
  // leader that wrote the batch (a caller of append, or the writer's own
  // lead thread, started by the first append_async). `change` and `done`
  // run on a leader's thread: neither may block on anything but the
  // database, nor call append or close (close() would wait for the very
  // lead it runs on).
  void append_async(PreparedRecord prepared, Change change, Done done);

  // `fn` is called once per durable record, in seq order, on the thread that
  // wrote it, after head() includes it and before its append returns; outside the
  // writer's lock, but it must not block or call append. REQUIRES: set before the
  // first append.
  void set_subscriber(std::function<void(const RecordPtr&)> fn);

  // REQUIRES: set before the first append.
  void set_timings(WriterTimings timings) { timings_ = std::move(timings); }

  // What else must be durable before a batch's records are acknowledged (the
  // database's commits: store::Store::sync_commits). The leader starts it on
  // a thread of its own as the batch's write and sync begin, and waits for
  // the slower of the two before anyone in the batch is told. Its failure
  // fails the batch like a failed sync (sticky). REQUIRES: set before the
  // first append.
  void set_companion_sync(std::function<Status()> sync);

  // Lets leaders commit the changes of a batch in one transaction (see
  // ChangeBatch). REQUIRES: set before the first append.
  void set_change_batch(ChangeBatch batch) { change_batch_ = std::move(batch); }
  // Whether set_change_batch was called: whether append(prepared, change)
  // groups database commits as well as log writes.
  bool batches_changes() const { return static_cast<bool>(change_batch_.open); }

  // Ok, or why appends fail now (kUnavailable: a failed write/sync, or closed).
  Status health() const;
  // The last durable record.
  Head head() const;

  // Waits for running appends, then closes the file. Later appends fail.
  Status close();

 private:
  // One caller of append or close, queued; lives on that caller's stack.
  struct Waiter {
    enum class Turn { kQueued, kLead, kDone };
    const PreparedRecord* record = nullptr;  // null: a close request
    const Change* change = nullptr;          // run by the leader before the record is written
    bool refused = false;                    // its change failed or was undone: not written
    Result<RecordPtr> result = Status(Code::kInternal, "not completed");
    // Guarded by m, the waiter's own lock rather than the writer's: a
    // completed batch's waiters wake without queueing on mu_ behind each
    // other and behind the next leader (at 20k appends/s, that queueing was
    // a tenth of the process's CPU). kQueued until a leader completes this
    // waiter (kDone, result set) or hands it the lead (kLead).
    std::mutex m;
    std::condition_variable cv;
    Turn turn = Turn::kQueued;
    // Set for append_async: nobody waits on cv; kDone calls it, kLead wakes
    // the lead thread. Such a waiter is on the heap and owns its record.
    Done done;
    PreparedRecord owned_record;
    Change owned_change;
  };

  Writer(const sys::Env& env, std::string path, Options options,
         std::unique_ptr<sys::WritableFile> file, Head head);

  Status refused_locked() const;
  // Queues `self`; returns whether it is the front of queue_ (the leader).
  bool push(Waiter& self);
  // Blocks until a leader completes `self` or hands it the lead.
  static Waiter::Turn wait_turn(Waiter& self);
  // Completes `w` or hands it the lead (an append_async waiter's lead goes
  // to async_lead_). After this the waiter may be gone.
  void give_turn(Waiter* w, Waiter::Turn turn);
  // Runs by the waiter at the front of queue_: commits a batch starting with
  // it, completes that batch and hands leadership on.
  void lead_batch();
  // By the leader, without the lock: runs the batch's changes (in one
  // transaction when change_batch_ is set) and refuses the waiters whose
  // change failed or was undone.
  void run_changes(const std::vector<Waiter*>& batch);
  Result<RecordPtr> enqueue(Waiter& self);
  // Removes the queued appends from queue_ into `failed`, failing them with `status`.
  void fail_queue_locked(const Status& status, std::vector<Waiter*>& failed);

  sys::Clock& clock_;
  const std::string path_;  // for logs only
  const Options options_;

  // Owned by the current leader (the front of queue_); leadership changes hands
  // under mu_, which orders these accesses.
  std::unique_ptr<sys::WritableFile> file_;
  uint64_t last_seq_;
  std::string last_hash_;

  mutable std::mutex mu_;
  std::deque<Waiter*> queue_;  // guarded by mu_
  Status failure_;             // guarded by mu_; sticky
  bool closed_ = false;        // guarded by mu_
  Head durable_;               // guarded by mu_
  // Guarded by mu_; called outside it, hence set only before appends start.
  std::function<void(const RecordPtr&)> subscriber_;
  WriterTimings timings_;                           // set before appends start, then read-only
  std::unique_ptr<BackgroundCall> companion_sync_;  // set before appends start; the leader's
  ChangeBatch change_batch_;                        // set before appends start, then read-only
  // Leads a batch on its own thread when the lead falls to an append_async
  // waiter (one lead is given at a time). Created under mu_ by the first
  // append_async, before its waiter is queued; taken out by close().
  std::unique_ptr<BackgroundCall> async_lead_;
};

}  // namespace ff::wal
