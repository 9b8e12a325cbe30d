#include "events/stream_feed.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace ff::events {

wal::RecordPtr stream_record(const store::StreamRecord& r) {
  auto out = std::make_shared<wal::Record>();
  out->seq = static_cast<uint64_t>(r.seq);
  nlohmann::json j = nlohmann::json::parse(r.line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    // Lines were checked when the WAL wrote them; never expected.
    j = nlohmann::json{{"event", "unreadable_record"}};
  }
  if (auto it = j.find("event"); it != j.end() && it->is_string()) {
    out->event = it->get<std::string>();
  }
  if (auto it = j.find("agent_id"); it != j.end() && it->is_string()) {
    out->agent_id = it->get<std::string>();
  }
  j["seq"] = r.seq;
  j["replica"] = r.replica;
  j["wal_seq"] = r.wal_seq;
  out->line = j.dump();
  return out;
}

StreamFeed::StreamFeed(store::Store& store, Hub& hub, std::chrono::milliseconds poll)
    : store_(store), hub_(hub), poll_(poll) {}

StreamFeed::~StreamFeed() { stop(); }

Status StreamFeed::start() {
  FF_ASSIGN_OR_RETURN(published_, store_.stream_head());
  hub_.set_head(static_cast<uint64_t>(published_));
  thread_ = std::thread([this] { run(); });
  return OkStatus();
}

void StreamFeed::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StreamFeed::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_one();
}

Result<std::vector<wal::RecordPtr>> StreamFeed::replay(uint64_t since, size_t max) {
  FF_ASSIGN_OR_RETURN(auto stream,
                      store_.read_stream(static_cast<int64_t>(since), static_cast<int>(max)));
  std::vector<wal::RecordPtr> out;
  out.reserve(stream.size());
  for (const auto& r : stream) out.push_back(stream_record(r));
  return out;
}

bool StreamFeed::drain() {
  constexpr size_t kBatch = 1000;
  while (true) {
    auto records = replay(static_cast<uint64_t>(published_), kBatch);
    if (!records.ok()) {
      spdlog::warn("event stream: reading past {} failed: {}", published_,
                   records.status().to_string());
      return false;
    }
    for (const auto& r : *records) {
      hub_.publish(r);
      published_ = static_cast<int64_t>(r->seq);
    }
    if (records->size() < kBatch) return true;
  }
}

void StreamFeed::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    poked_ = false;
    lock.unlock();
    drain();
    lock.lock();
    cv_.wait_for(lock, poll_, [&] { return stop_ || poked_; });
  }
}

}  // namespace ff::events
