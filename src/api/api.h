// Api: the route table of the orchestrator and the dispatch around each
// handler (authentication, error mapping, exception boundary).
//
// Handlers parse and validate the plain Request, call core::Service, and turn
// the result into JSON. They never see sockets; the transport (src/http) runs
// routes marked `blocking` on its worker pool.
//
// Thread-safety: immutable after construction; dispatch() from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/types.h"
#include "auth/rate_limiter.h"
#include "auth/token.h"

namespace ff::metrics {
class Metrics;  // metrics/metrics.h
}  // namespace ff::metrics

namespace ff::core {
class Service;  // core/service.h: kept out of this header, which every HTTP TU includes
}  // namespace ff::core

namespace ff::api {

enum class Access { kPublic, kBearer };
enum class RouteKind { kPlain, kUpload, kWebSocket };

// Who may call a route once authenticated: people holding at least `least`,
// and agents when `agents` (core then confines them to their own resources).
// Declared for every route in one table (route_access.cc), enforced by
// dispatch for HTTP and by the upgrade for the WebSocket.
struct Permit {
  auth::Role least = auth::Role::kAdmin;
  bool agents = false;
};

struct Route {
  std::string method;
  std::string pattern;  // "/snapshots/{id}/object"
  Access access = Access::kBearer;
  RouteKind kind = RouteKind::kPlain;
  bool blocking = true;  // touches the database, the store or the WAL
  // Reads a row or two by key and writes nothing: runs where ApiOptions::point_reads says.
  bool point_read = false;
  std::function<Response(Request&)> handle;
  // Instead of `handle` (dispatch() then waits for it): answers through
  // `respond`, exactly once, from whichever thread completes the request
  // (a WAL leader's, say), so the worker is free while the request's write
  // becomes durable. `respond` must not block.
  using Respond = std::function<void(Response)>;
  std::function<void(Request&, Respond)> handle_async;
  // Optional fast path, tried first where point reads run (ApiOptions::point_reads,
  // unless that is the worker pool): an answer that needs at most a keyed read,
  // or nullopt to run `handle` on the worker pool after all.
  std::function<std::optional<Response>(Request&)> try_inline;
  std::function<Result<std::unique_ptr<BodySink>>(Request&)> begin_upload;
  // Filled from the access table by the Api's constructor; unused for kPublic.
  Permit permit;
};

// The access table: the permit of `method` `pattern`; nullopt for a public
// route, kNotFound for a route missing from the table.
Result<std::optional<Permit>> route_permit(std::string_view method, std::string_view pattern);
// kPermissionDenied (naming the role needed) unless `claims` satisfy `permit`.
Status authorize(const Permit& permit, const auth::Claims& claims);

// Where the transport runs a handler: on the connection's I/O thread, on the
// reader lane (a few threads, as many as the database has connections), or on
// the worker pool.
enum class Lane { kInline, kReaders, kWorkers };

// Where a route runs: `lane`, and whether that is its try_inline fast path
// (then `handle` runs on the worker pool when the fast path declines).
struct Placement {
  Lane lane = Lane::kWorkers;
  bool fast_path = false;
};

struct ApiOptions {
  std::chrono::seconds max_long_poll{60};
  uint64_t max_object_bytes = 1ull << 40;
  std::string version = FF_VERSION;
  // Where point reads (Route::point_read, Route::try_inline) run:
  // - kInline for an in-process database (SQLite in WAL mode: a keyed read
  //   takes microseconds and never waits for a writer), where the two thread
  //   hand-offs of the worker pool cost more than the read;
  // - kReaders for a networked database: on `reader_threads` threads, as many
  //   as the database has connections. On the worker pool, dozens of threads
  //   would queue for a few connections: each read then pays a hand-off to a
  //   sleeping thread, and the surplus threads crowd the database's own
  //   processes off a shared CPU (GET p99 160-220 ms instead of 8-11 ms under
  //   bench/api on PostgreSQL with 8 connections);
  // - kWorkers: on the worker pool like everything else.
  Lane point_reads = Lane::kWorkers;
  int reader_threads = 0;  // for kReaders; 0 there means kWorkers
  // GET /metrics renders these (must outlive the Api); null: the route answers 404.
  metrics::Metrics* metrics = nullptr;
  // ORCH_METRICS_PUBLIC: GET /metrics without a token.
  bool metrics_public = false;
};

// Where `r` runs under `options` (see ApiOptions::point_reads).
Placement placement_of(const Route& r, const ApiOptions& options);

class Api {
 public:
  // Every reference must outlive the Api.
  Api(core::Service& service, const auth::TokenService& tokens, auth::RateLimiter& limiter,
      ApiOptions options);

  const std::vector<Route>& routes() const { return routes_; }
  // Where the transport runs this route (see ApiOptions::point_reads).
  Placement placement(const Route& r) const { return placement_of(r, options_); }

  // Authenticates (for kBearer routes), runs the handler, maps errors. Never throws.
  Response dispatch(const Route& route, Request& req) const;
  // dispatch() answering through `respond`: at once, or later from another
  // thread for a route with handle_async. `req` must live until respond is called.
  void dispatch_async(const Route& route, Request& req, Route::Respond respond) const;
  // The route's try_inline fast path, authenticated like dispatch(); nullopt
  // when the route has none or it declined.
  std::optional<Response> dispatch_fast(const Route& route, Request& req) const;
  // For kUpload routes: authenticates and opens the sink, or returns the error response.
  std::variant<std::unique_ptr<BodySink>, Response> begin_upload(const Route& route,
                                                                 Request& req) const;
  // For the WebSocket route: the claims of `?token=`, verified and authorized
  // for `route`. Also re-checks an open WebSocket's token (expiry, revocation).
  Result<auth::Claims> authenticate_token(const Route& route, std::string_view token) const;

  core::Service& service() const { return service_; }
  // The service's clock, for token expiry outside the Api (WebSockets).
  SystemTime now() const;
  const ApiOptions& options() const { return options_; }

 private:
  Status authenticate(Request& req) const;
  template <typename T, typename Body>
  T guarded(const Route& route, Request& req, Body&& body) const;
  void add_system_routes();
  void add_token_routes();
  void add_snapshot_routes();
  void add_object_routes();
  void add_repository_routes();
  void add_restore_job_routes();
  void add_backup_job_routes();
  void add_job_cancel_routes();
  void add_snapshot_job_routes();
  void add_agent_routes();
  void add_credential_routes();
  void add_metrics_routes();
  void add_webhook_routes();
  void add_prune_routes();
  void add_schedule_routes();
  void apply_access_table();

  core::Service& service_;
  const auth::TokenService& tokens_;
  auth::RateLimiter& limiter_;
  ApiOptions options_;
  std::vector<Route> routes_;
};

// Serializes `j` into a 200 (or `status`) JSON response.
Response json_response(const nlohmann::json& j, int status = 200);

}  // namespace ff::api
