// What every session shares: the Api and its router, the live hub, the
// notifier for long polls, the worker pool, limits, and the registry that
// lets stop() reach open sessions. Internal to src/http.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/thread_pool.hpp>

#include "http/router.h"
#include "http/server.h"

namespace ff::http::detail {

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Asks the session to end after its current exchange (posts to its strand).
  virtual void shutdown() = 0;
  // A credential was revoked: a session holding a token re-checks it (posts
  // to its strand). HTTP sessions check on every request instead.
  virtual void credentials_changed() {}
};

struct Context {
  ServerOptions options;
  const api::Api& api;
  Router router;
  events::Hub& hub;
  core::Notifier& notifier;
  ReplayFn replay;
  boost::asio::thread_pool workers;
  // The reader lane (api::Lane::kReaders); null when the Api places nothing there.
  std::unique_ptr<boost::asio::thread_pool> readers;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> next_request{1};
  std::string request_prefix;  // random per process, so ids differ across restarts

  std::mutex mu;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;  // guarded by mu
  // Requests handed to the Api and not answered yet: join_pools waits for
  // them, since an answer (from a WAL leader's thread, say) is posted to its
  // session's executor, which the server owns. `answered` is notified
  // under mu when the count reaches zero.
  std::atomic<size_t> unanswered{0};
  std::condition_variable answered;

  Context(ServerOptions o, const api::Api& a, events::Hub& h, core::Notifier& n, ReplayFn r);
  // Waits for unanswered asynchronous requests (up to a minute), then for
  // the worker pool and the reader lane to finish their work.
  void join_pools();
  // Around a request handed to the worker pool and Api::dispatch_async.
  void async_started();
  void async_answered();

  void add_session(const std::shared_ptr<SessionBase>& s);
  void remove_session(SessionBase* s);
  size_t session_count();
  // credentials_changed() on every open session.
  void recheck_credentials();
  std::string new_request_id();
  // Counts an answered request in options.metrics (if any); `route` null when none matched.
  void observe_request(const api::Route* route, int status, double seconds);
  bool cors_allowed(std::string_view origin) const;
};

}  // namespace ff::http::detail
