#include "orchestrator/replica_link.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace ff::orchestrator {

void forward_wakeups(core::Notifier& notifier, store::Store& store, const std::string& replica) {
  notifier.set_forward([&store, replica](const std::string& key) {
    // Best effort: a lost wake-up leaves a poll on another replica to wait
    // out its `wait` (it still finds the command then).
    if (Status s = store.notify_replicas(kWakeupChannel, replica + " " + key); !s.ok()) {
      spdlog::warn("wake-up for {} not sent to other replicas: {}", key, s.to_string());
    }
  });
}

ReplicaLink::ReplicaLink(store::Store& store, core::Notifier& notifier, events::StreamFeed* feed,
                         std::string replica)
    : store_(store), notifier_(notifier), feed_(feed), replica_(std::move(replica)) {}

ReplicaLink::~ReplicaLink() { stop(); }

bool ReplicaLink::start() {
  auto listener = store_.replica_listener({kWakeupChannel, store::kStreamChannel});
  if (!listener) return false;
  thread_ = std::thread([this, l = std::move(listener)]() mutable { run(std::move(l)); });
  return true;
}

void ReplicaLink::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ReplicaLink::dispatch(const store::ReplicaNotice& notice) {
  if (notice.channel == store::kStreamChannel) {
    if (feed_ != nullptr) feed_->poke();
    return;
  }
  auto space = notice.payload.find(' ');
  if (space == std::string::npos) return;
  if (std::string_view(notice.payload).substr(0, space) == replica_) return;  // our own
  notifier_.notify_local(notice.payload.substr(space + 1));
}

void ReplicaLink::run(std::unique_ptr<store::ReplicaListener> listener) {
  using namespace std::chrono_literals;
  bool down = false;
  while (!stop_) {
    bool resubscribed = false;
    auto notices = listener->wait(250ms, &resubscribed);
    if (!notices.ok()) {
      if (!down) spdlog::warn("replica listener: {}", notices.status().to_string());
      down = true;
      for (int i = 0; i < 4 && !stop_; ++i) std::this_thread::sleep_for(250ms);
      continue;
    }
    if (resubscribed) {
      if (down) spdlog::info("replica listener: listening again");
      down = false;
      notifier_.notify_all_local();
      if (feed_ != nullptr) feed_->poke();
    }
    for (const auto& n : *notices) dispatch(n);
  }
}

}  // namespace ff::orchestrator
