// BackgroundCall: one function run on its own thread on request, so a caller
// can overlap it with work of its own: start(), do the work, wait(). The WAL
// writer uses it to sync the database's files while it syncs its own, so a
// group commit costs one device flush of latency instead of two. It also
// leads the batches of asynchronous appends (start() alone: nobody waits).
//
// Thread-safety: start() and wait() from one thread at a time; a start()
// while the call runs has it run once more after.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "common/status.h"

namespace ff::wal {

class BackgroundCall {
 public:
  explicit BackgroundCall(std::function<Status()> fn);
  ~BackgroundCall();
  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;

  // Runs the function on the thread (again after the running call, if any).
  void start();
  // Waits for the call start() began; its result.
  Status wait();

 private:
  void loop();

  const std::function<Status()> fn_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool finished_ = false;   // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  Status result_;           // guarded by mu_
  std::thread thread_;
};

}  // namespace ff::wal
