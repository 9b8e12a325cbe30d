#include "events/stream_shipper.h"

#include <spdlog/spdlog.h>

namespace ff::events {

StreamTarget stream_target(store::Store& store, std::string replica) {
  StreamTarget t;
  t.replica = replica;
  t.append = [&store, replica](uint64_t first, const std::vector<std::string>& lines) {
    return store.append_stream(replica, static_cast<int64_t>(first), lines);
  };
  t.shipped = [&store, replica] { return store.stream_shipped(replica); };
  return t;
}

StreamShipper::StreamShipper(StreamTarget target, ShipperOptions options)
    : target_(std::move(target)), options_(options) {}

StreamShipper::~StreamShipper() { stop(); }

Status StreamShipper::ship(uint64_t first_wal_seq, const std::vector<std::string>& lines) {
  FF_ASSIGN_OR_RETURN(int64_t global, target_.append(first_wal_seq, lines));
  if (on_shipped_) on_shipped_(static_cast<uint64_t>(global));
  return OkStatus();
}

Status StreamShipper::catch_up(uint64_t wal_head, const ReadFn& read) {
  FF_ASSIGN_OR_RETURN(int64_t have, target_.shipped());
  uint64_t shipped = static_cast<uint64_t>(have);
  if (shipped > wal_head) {
    return Internal("the event stream holds WAL records up to " + std::to_string(shipped) +
                    " of replica " + target_.replica + " but its WAL ends at " +
                    std::to_string(wal_head) +
                    ": a new WAL needs a new ORCH_REPLICA_ID (docs/architecture.md)");
  }
  if (shipped < wal_head) {
    spdlog::info("event stream: shipping WAL records {}..{} of replica {} written before a stop",
                 shipped + 1, wal_head, target_.replica);
  }
  while (shipped < wal_head) {
    FF_ASSIGN_OR_RETURN(auto records, read(shipped, options_.max_batch));
    std::vector<std::string> lines;
    for (const auto& r : records) {
      if (r->seq > wal_head) break;
      lines.push_back(r->line);
    }
    if (lines.empty()) return DataLoss("WAL records missing below its head");
    FF_TRY(ship(shipped + 1, lines));
    shipped += lines.size();
  }
  std::lock_guard lock(mu_);
  shipped_ = shipped;
  return OkStatus();
}

void StreamShipper::start() {
  thread_ = std::thread([this] { run(); });
}

void StreamShipper::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  shipped_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StreamShipper::enqueue(const wal::RecordPtr& record) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(record);
  }
  work_cv_.notify_one();
}

Status StreamShipper::wait_shipped(uint64_t wal_seq, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  const uint64_t failures = failures_;
  bool done = shipped_cv_.wait_for(
      lock, timeout, [&] { return shipped_ >= wal_seq || failures_ != failures || stop_; });
  if (shipped_ >= wal_seq) return OkStatus();
  if (!done) return Unavailable("event stream unavailable: shipping timed out");
  if (stop_) return Unavailable("event stream unavailable: shutting down");
  return Unavailable("event stream unavailable: " + last_failure_.message());
}

uint64_t StreamShipper::shipped() const {
  std::lock_guard lock(mu_);
  return shipped_;
}

void StreamShipper::run() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    // Records at or below shipped_ were shipped by catch_up already.
    while (!queue_.empty() && queue_.front()->seq <= shipped_) queue_.pop_front();
    if (queue_.empty()) continue;
    const uint64_t first = queue_.front()->seq;
    std::vector<std::string> lines;
    for (size_t i = 0; i < queue_.size() && lines.size() < options_.max_batch; ++i) {
      lines.push_back(queue_[i]->line);
    }
    lock.unlock();
    Status s = ship(first, lines);
    lock.lock();
    if (s.ok()) {
      for (size_t i = 0; i < lines.size(); ++i) queue_.pop_front();
      shipped_ = first + lines.size() - 1;
      shipped_cv_.notify_all();
      continue;
    }
    ++failures_;
    if (last_failure_.ok() || s.code() != last_failure_.code()) {
      spdlog::error("event stream: shipping WAL records from {} failed: {}", first, s.to_string());
    }
    last_failure_ = s;
    shipped_cv_.notify_all();
    // Retry the same records after a pause (or sooner when stopping).
    work_cv_.wait_for(lock, options_.retry, [&] { return stop_; });
    if (stop_) return;
  }
}

}  // namespace ff::events
