#include "wal/writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <vector>

#include "wal/reader.h"

namespace ff::wal {

namespace {

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

size_t prepared_bytes(const PreparedRecord& record) {
  size_t n = 0;
  for (const std::string& s : record.segments) n += s.size();
  return n;
}

// Scans the existing log; cuts a torn last line. Returns the last good record.
Result<Head> recover(sys::FileSystem& fs, const std::string& path, size_t max_line_bytes,
                     bool* cut) {
  FF_ASSIGN_OR_RETURN(std::unique_ptr<sys::SequentialFile> in, fs.open_sequential(path));
  Reader::Options options;
  options.max_line_bytes = max_line_bytes;
  Reader reader(std::move(in), options);
  while (true) {
    FF_ASSIGN_OR_RETURN(bool got, reader.read(nullptr));
    if (!got) break;
  }
  *cut = false;
  if (const auto& problem = reader.problem()) {
    if (!problem->torn_tail) return problem_status(*problem);
    FF_ASSIGN_OR_RETURN(uint64_t size, fs.file_size(path));
    // A crash during an append leaves this; the record was never acknowledged.
    spdlog::warn("WAL {}: cutting torn last line {} at byte offset {} ({} bytes, {})", path,
                 problem->line, reader.good_bytes(), size - reader.good_bytes(), problem->what);
    FF_TRY(fs.truncate(path, reader.good_bytes()));
    *cut = true;
  }
  return reader.head();
}

}  // namespace

Result<std::unique_ptr<Writer>> Writer::open(const sys::Env& env, const std::string& path,
                                             Options options) {
  sys::FileSystem& fs = *env.fs;
  auto context = [](const Status& s) { return s.with_context("WAL open"); };
  Result<bool> exists = fs.exists(path);
  if (!exists.ok()) return context(exists.status());
  Head head;
  bool cut = false;
  if (*exists) {
    Result<Head> recovered =
        recover(fs, path, std::max(options.max_record_bytes, kMaxRecordBytes), &cut);
    if (!recovered.ok()) return context(recovered.status());
    head = std::move(recovered).value();
  }
  Result<std::unique_ptr<sys::WritableFile>> file = fs.open_appendable(path);
  if (!file.ok()) return context(file.status());
  // A new file is durable only once its directory entry is; a cut only once synced.
  Status synced = *exists ? (cut ? (*file)->sync() : OkStatus()) : fs.sync_dir(parent_dir(path));
  if (!synced.ok()) return context(synced);
  return std::unique_ptr<Writer>(
      new Writer(env, path, options, std::move(file).value(), std::move(head)));
}

Writer::Writer(const sys::Env& env, std::string path, Options options,
               std::unique_ptr<sys::WritableFile> file, Head head)
    : clock_(*env.clock),
      path_(std::move(path)),
      options_(options),
      file_(std::move(file)),
      last_seq_(head.seq),
      last_hash_(head.hash),
      durable_(std::move(head)) {}

Writer::~Writer() { close().ignore_error(); }

void Writer::set_subscriber(std::function<void(const RecordPtr&)> fn) {
  std::lock_guard lock(mu_);
  subscriber_ = std::move(fn);
}

Status Writer::refused_locked() const {
  if (!failure_.ok()) return failure_;
  if (closed_) return Unavailable("WAL is closed");
  return OkStatus();
}

Status Writer::health() const {
  std::lock_guard lock(mu_);
  return refused_locked();
}

Writer::Head Writer::head() const {
  std::lock_guard lock(mu_);
  return durable_;
}

Result<PreparedRecord> Writer::prepare(std::string_view event, const nlohmann::json& fields) const {
  FF_ASSIGN_OR_RETURN(PreparedRecord prepared, prepare_record(event, fields));
  size_t bound = max_sealed_bytes(prepared) + 1;
  if (bound > options_.max_record_bytes) {
    return InvalidArgument("WAL record of up to " + std::to_string(bound) +
                           " bytes is over the limit of " +
                           std::to_string(options_.max_record_bytes) + " bytes");
  }
  return prepared;
}

void Writer::set_companion_sync(std::function<Status()> sync) {
  companion_sync_ = std::make_unique<BackgroundCall>(std::move(sync));
}

Result<RecordPtr> Writer::append(std::string_view event, const nlohmann::json& fields) {
  FF_ASSIGN_OR_RETURN(PreparedRecord prepared, prepare_record(event, fields));
  // Only the obvious misfits here; the leader checks the sealed line exactly.
  if (prepared_bytes(prepared) + 1 > options_.max_record_bytes) {
    return InvalidArgument("WAL record is over the limit of " +
                           std::to_string(options_.max_record_bytes) + " bytes");
  }
  return append(prepared);
}

Result<RecordPtr> Writer::append(const PreparedRecord& prepared) {
  Waiter self;
  self.record = &prepared;
  return enqueue(self);
}

Result<RecordPtr> Writer::append(const PreparedRecord& prepared, const Change& change) {
  Waiter self;
  self.record = &prepared;
  self.change = &change;
  return enqueue(self);
}

bool Writer::push(Waiter& self) {
  queue_.push_back(&self);
  return queue_.size() == 1;
}

Writer::Waiter::Turn Writer::wait_turn(Waiter& self) {
  std::unique_lock lock(self.m);
  self.cv.wait(lock, [&] { return self.turn != Waiter::Turn::kQueued; });
  return self.turn;
}

void Writer::give_turn(Waiter* w, Waiter::Turn turn) {
  if (w->done) {
    if (turn == Waiter::Turn::kLead) return async_lead_->start();
    std::unique_ptr<Waiter> owned(w);
    try {
      owned->done(std::move(owned->result));
    } catch (const std::exception& e) {
      spdlog::error("WAL {}: append_async callback threw: {}", path_, e.what());
    } catch (...) {
      spdlog::error("WAL {}: append_async callback threw", path_);
    }
    return;
  }
  // Notified under the waiter's lock: it cannot return (and take its stack
  // frame with it) before notify_one is done with the condition variable.
  std::lock_guard lock(w->m);
  w->turn = turn;
  w->cv.notify_one();
}

void Writer::append_async(PreparedRecord prepared, Change change, Done done) {
  auto owned = std::make_unique<Waiter>();
  owned->owned_record = std::move(prepared);
  owned->owned_change = std::move(change);
  owned->record = &owned->owned_record;
  if (owned->owned_change) owned->change = &owned->owned_change;
  owned->done = std::move(done);
  Waiter* self = owned.get();
  Status refused;
  bool lead = false;
  {
    std::lock_guard lock(mu_);
    refused = refused_locked();
    if (refused.ok()) {
      // Before the waiter is given away: if starting the lead thread throws,
      // the exception reaches the caller with nothing queued or leaked.
      if (!async_lead_) {
        async_lead_ = std::make_unique<BackgroundCall>([this] {
          lead_batch();
          return OkStatus();
        });
      }
      owned.release();  // the queue has it now; give_turn(kDone) deletes it
      lead = push(*self);
    }
  }
  if (!refused.ok()) {
    self->result = std::move(refused);
    return give_turn(owned.release(), Waiter::Turn::kDone);
  }
  if (lead) give_turn(self, Waiter::Turn::kLead);
}

Result<RecordPtr> Writer::enqueue(Waiter& self) {
  auto started = clock_.monotonic_now();
  bool lead = false;
  {
    std::lock_guard lock(mu_);
    FF_TRY(refused_locked());
    lead = push(self);
  }
  if (lead || wait_turn(self) == Waiter::Turn::kLead) lead_batch();
  if (timings_.on_append && self.result.ok()) timings_.on_append(clock_.monotonic_now() - started);
  return std::move(self.result);
}

void Writer::lead_batch() {
  std::vector<Waiter*> batch;
  size_t batch_bytes = 0;
  {
    std::lock_guard lock(mu_);
    for (Waiter* w : queue_) {
      if (w->record == nullptr) break;  // a close request goes after this batch
      size_t bytes = prepared_bytes(*w->record);
      if (!batch.empty() && batch_bytes + bytes > options_.max_batch_bytes) break;
      batch.push_back(w);
      batch_bytes += bytes;
    }
  }

  run_changes(batch);

  // Leadership makes file_, last_seq_ and last_hash_ ours until we hand it on.
  std::vector<RecordPtr> records;
  uint64_t seq = last_seq_;
  std::string hash = last_hash_;
  Status status;
  try {
    const std::string timestamp = format_rfc3339_ms(clock_.now());
    std::string data;
    data.reserve(batch_bytes + batch.size() * 256);
    for (Waiter* w : batch) {
      if (w->refused) continue;
      SealedRecord sealed = seal_record(*w->record, hash, seq + 1, timestamp);
      if (sealed.line.size() + 1 > options_.max_record_bytes) {
        w->result = InvalidArgument("WAL record of " + std::to_string(sealed.line.size() + 1) +
                                    " bytes is over the limit of " +
                                    std::to_string(options_.max_record_bytes) + " bytes");
        continue;
      }
      data.append(sealed.line);
      data.push_back('\n');
      auto record = std::make_shared<Record>();
      record->seq = ++seq;
      record->event = w->record->event;
      record->agent_id = w->record->agent_id;
      record->line = std::move(sealed.line);
      hash = std::move(sealed.hash);
      w->result = RecordPtr(record);
      records.push_back(std::move(record));
    }
    if (!data.empty()) {
      auto sync_started = clock_.monotonic_now();
      // Every request of the batch committed its database change before it
      // queued here, so a companion sync started now covers all of them.
      if (companion_sync_) companion_sync_->start();
      status = file_->append(data);
      if (status.ok()) status = file_->sync();
      if (companion_sync_) {
        Status companion = companion_sync_->wait();
        if (status.ok()) status = std::move(companion);
      }
      if (status.ok() && timings_.on_sync) {
        timings_.on_sync(clock_.monotonic_now() - sync_started, records.size());
      }
    }
  } catch (const std::exception& e) {
    status = Internal(std::string("WAL append: ") + e.what());
  }

  if (status.ok()) {
    last_seq_ = seq;
    last_hash_ = hash;
  }
  std::unique_lock lock(mu_);
  if (!status.ok()) {
    // What reached the disk is unknown now: refuse everything from here on.
    failure_ = Status(Code::kUnavailable, "WAL append failed: " + status.message());
    spdlog::error("WAL {}: append failed, refusing further appends: {}", path_, status.to_string());
  } else if (!records.empty()) {
    durable_ = Head{seq, hash};
    if (subscriber_) {
      lock.unlock();
      for (const RecordPtr& r : records) {
        try {
          subscriber_(r);
        } catch (const std::exception& e) {
          spdlog::error("WAL {}: subscriber threw on seq {}: {}", path_, r->seq, e.what());
        } catch (...) {
          spdlog::error("WAL {}: subscriber threw on seq {}", path_, r->seq);
        }
      }
      lock.lock();
    }
  }

  for (Waiter* w : batch) {
    queue_.pop_front();  // batch is a prefix of queue_
    if (!status.ok() && w->result.ok()) w->result = failure_;
  }
  if (!status.ok()) fail_queue_locked(failure_, batch);
  // Chosen under mu_: an append queued after this unlock finds the queue
  // non-empty and waits for its turn rather than leading beside `next`.
  Waiter* next = queue_.empty() ? nullptr : queue_.front();
  lock.unlock();
  // The lead first: an append_async callback may hand work to a thread that
  // appends, and that append needs a leader.
  if (next != nullptr) give_turn(next, Waiter::Turn::kLead);
  for (Waiter* w : batch) give_turn(w, Waiter::Turn::kDone);
}

void Writer::run_changes(const std::vector<Waiter*>& batch) {
  std::vector<Waiter*> changed;
  for (Waiter* w : batch) {
    if (w->change != nullptr) changed.push_back(w);
  }
  if (changed.empty()) return;
  auto refuse = [](Waiter* w, Status why) {
    w->refused = true;
    w->result = std::move(why);
  };
  if (change_batch_.open) {
    if (Status opened = change_batch_.open(); !opened.ok()) {
      for (Waiter* w : changed) refuse(w, opened);
      return;
    }
  }
  for (Waiter* w : changed) {
    Status s;
    try {
      s = (*w->change)();
    } catch (const std::exception& e) {
      s = Internal(std::string("change threw: ") + e.what());
    } catch (...) {
      s = Internal("change threw");
    }
    if (!s.ok()) refuse(w, std::move(s));
  }
  if (change_batch_.commit) {
    if (Status committed = change_batch_.commit(); !committed.ok()) {
      for (Waiter* w : changed) {
        if (!w->refused) refuse(w, committed);
      }
    }
  }
}

void Writer::fail_queue_locked(const Status& status, std::vector<Waiter*>& failed) {
  std::deque<Waiter*> keep;
  for (Waiter* w : queue_) {
    if (w->record == nullptr) {
      keep.push_back(w);
      continue;
    }
    w->result = status;
    failed.push_back(w);
  }
  queue_.swap(keep);
}

Status Writer::close() {
  Waiter self;
  bool lead = false;
  {
    std::lock_guard lock(mu_);
    closed_ = true;  // refuses new appends; queued ones still commit
    lead = push(self);
  }
  if (!lead) wait_turn(self);  // a close request is never completed by another
  std::unique_ptr<sys::WritableFile> file;
  {
    std::lock_guard lock(mu_);
    file = std::move(file_);
  }
  Status status = file ? file->close() : OkStatus();
  Waiter* next = nullptr;
  std::unique_ptr<BackgroundCall> async_lead;
  {
    std::lock_guard lock(mu_);
    queue_.pop_front();
    if (!queue_.empty()) next = queue_.front();
    // Appends queued before the close are done (it waited for its turn
    // behind them) and later ones are refused: nothing is left to lead.
    if (next == nullptr) async_lead = std::move(async_lead_);
  }
  if (next != nullptr) give_turn(next, Waiter::Turn::kLead);
  if (!status.ok()) return status.with_context("WAL close");
  return status;
}

}  // namespace ff::wal
