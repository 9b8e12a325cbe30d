#include "wal/background_call.h"

#include <exception>
#include <string>

namespace ff::wal {

BackgroundCall::BackgroundCall(std::function<Status()> fn) : fn_(std::move(fn)) {
  thread_ = std::thread([this] { loop(); });
}

BackgroundCall::~BackgroundCall() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundCall::start() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
    finished_ = false;
  }
  cv_.notify_all();
}

Status BackgroundCall::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return finished_; });
  return result_;
}

void BackgroundCall::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return requested_ || stopping_; });
    if (!requested_) return;
    requested_ = false;
    lock.unlock();
    Status s;
    try {
      s = fn_();
    } catch (const std::exception& e) {
      s = Internal(std::string("background call threw: ") + e.what());
    }
    lock.lock();
    result_ = std::move(s);
    finished_ = true;
    cv_.notify_all();
  }
}

}  // namespace ff::wal
