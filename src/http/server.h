// Server: the orchestrator's HTTP/1.1 + WebSocket front end (Boost.Beast),
// plain or TLS on one port, with one code path for both stream kinds.
//
// Each connection runs on its own strand. Routes marked `blocking` run on a
// worker pool and their responses are posted back to the connection's strand.
// Limits: header and body sizes, read and idle deadlines (slow clients cannot
// pin connections), bounded WebSocket send queues (a slow client is closed,
// never slows others), a connection cap past which only health probes are
// served, and an accept loop that backs off (and logs once) when the process
// runs out of file descriptors, keeping one spare to answer a probe.
//
// Beast stays out of this header (pimpl) so it can be included widely.
//
// Thread-safety: start() and run() from the main thread; stop() from any
// thread (signal handlers included, via post).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/api.h"
#include "common/address_ranges.h"
#include "common/status.h"
#include "core/notifier.h"
#include "events/hub.h"
#include "metrics/metrics.h"
#include "wal/writer.h"

namespace ff::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8000;
  std::string tls_cert;  // PEM paths; both set: HTTPS and WSS
  std::string tls_key;
  // Send Strict-Transport-Security: clients reach us over HTTPS (our TLS or a
  // TLS proxy in front).
  bool hsts = false;
  int io_threads = 2;
  int worker_threads = 32;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{75};
  std::chrono::seconds shutdown_grace{10};
  uint64_t max_header_bytes = 16 * 1024;
  uint64_t max_body_bytes = 1024 * 1024;
  uint64_t max_upload_bytes = 1ull << 40;
  std::vector<std::string> cors_origins;
  // Peers whose X-Forwarded-For names the client (ORCH_TRUSTED_PROXIES).
  AddressRanges trusted_proxies;
  size_t ws_queue_messages = 1024;
  size_t ws_queue_bytes = 8 * 1024 * 1024;
  // Connections served in full (ORCH_MAX_CONNECTIONS); 0: default_max_connections().
  // Past it a connection gets one answer: the health probes, or 503 + Retry-After.
  size_t max_connections = 0;
  // Request, WebSocket client and dropped-message counts; null: none kept.
  // Must outlive the server.
  metrics::Metrics* metrics = nullptr;
};

// The cap used when ServerOptions::max_connections is 0: the soft
// RLIMIT_NOFILE less a quarter of it (at least 64), and at least 16, leaving
// the rest for the database, the WAL, object files and the connections
// answered over the cap.
size_t default_max_connections();

// Reads up to `max` WAL records with seq > since (for ?since= replay).
using ReplayFn = std::function<Result<std::vector<wal::RecordPtr>>(uint64_t since, size_t max)>;

class Server {
 public:
  // Every reference must outlive the server.
  Server(ServerOptions options, const api::Api& api, events::Hub& hub, core::Notifier& notifier,
         ReplayFn replay);
  ~Server();

  // Binds and listens; kUnavailable with a clear message when it cannot.
  Status start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Runs the I/O threads until stop() completes; returns after a graceful shutdown.
  void run();
  // Stops accepting, lets in-flight requests finish, closes WebSockets with a
  // close frame, and forces what is left after the grace period.
  void stop();
  // A credential was revoked: open WebSockets re-check their token and close
  // when it no longer verifies. Any thread.
  void recheck_credentials();
  // Calls `fn` (on an I/O thread) when SIGINT or SIGTERM arrives.
  void on_signal(std::function<void(int)> fn);
  // Runs `fn` on the worker pool (where handlers may block). Any thread,
  // until the server is destroyed, which waits for it.
  void run_on_workers(std::function<void()> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ff::http
