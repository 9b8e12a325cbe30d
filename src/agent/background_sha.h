// BackgroundSha: a SHA-256 computed on a helper thread, fed views of a buffer
// the caller keeps unchanged until drain(). A backup hashes every file it
// reads twice (each chunk's keyed id and the whole file's SHA-256); for large
// files the walk thread computes the ids while this thread computes the file
// hash, so a churn day's re-read of a big file costs one pass, not two.
//
// Thread-safety: the public methods from one thread (the walk's); the hash
// runs on the helper thread, started by the constructor, joined by the
// destructor.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/hex.h"

namespace ff::agent {

class BackgroundSha {
 public:
  BackgroundSha();
  ~BackgroundSha();
  BackgroundSha(const BackgroundSha&) = delete;
  BackgroundSha& operator=(const BackgroundSha&) = delete;

  // Starts a new hash (drains what an abandoned one still had queued).
  void reset();
  // Queues `data`, which must stay valid and unchanged until drain().
  void update(std::string_view data);
  // Waits until every queued view is hashed: the caller may reuse its buffer.
  void drain();
  // drain(), then the hex digest of everything updated since reset().
  std::string finish_hex();

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string_view> queue_;  // guarded by mu_
  bool busy_ = false;                   // guarded by mu_: the helper hashes a view
  bool stopping_ = false;               // guarded by mu_
  std::unique_ptr<Sha256> sha_;         // the helper's while queue_ or busy_
  std::thread thread_;
};

}  // namespace ff::agent
