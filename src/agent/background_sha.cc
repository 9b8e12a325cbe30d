#include "agent/background_sha.h"

namespace ff::agent {

BackgroundSha::BackgroundSha() : sha_(std::make_unique<Sha256>()) {
  thread_ = std::thread([this] { loop(); });
}

BackgroundSha::~BackgroundSha() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundSha::reset() {
  drain();
  sha_ = std::make_unique<Sha256>();
}

void BackgroundSha::update(std::string_view data) {
  if (data.empty()) return;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(data);
  }
  cv_.notify_all();
}

void BackgroundSha::drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

std::string BackgroundSha::finish_hex() {
  drain();
  return sha_->finish_hex();
}

void BackgroundSha::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::string_view next = queue_.front();
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    sha_->update(next);  // no exception: SHA-256 over memory the caller keeps
    lock.lock();
    busy_ = false;
    if (queue_.empty()) cv_.notify_all();
  }
}

}  // namespace ff::agent
