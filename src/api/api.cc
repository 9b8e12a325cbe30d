#include "api/api.h"
#include "core/service.h"

#include <spdlog/spdlog.h>

#include <future>

#include "api/errors.h"

namespace ff::api {

Api::Api(core::Service& service, const auth::TokenService& tokens, auth::RateLimiter& limiter,
         ApiOptions options)
    : service_(service), tokens_(tokens), limiter_(limiter), options_(std::move(options)) {
  add_system_routes();
  add_token_routes();
  add_snapshot_routes();
  add_object_routes();
  add_repository_routes();
  add_restore_job_routes();
  add_backup_job_routes();
  add_job_cancel_routes();
  add_snapshot_job_routes();
  add_agent_routes();
  add_credential_routes();
  add_metrics_routes();
  add_webhook_routes();
  add_prune_routes();
  add_schedule_routes();
  apply_access_table();
  // The one route whose access is configured: opened after the table check.
  if (options_.metrics_public) {
    for (Route& r : routes_) {
      if (r.pattern == "/metrics") r.access = Access::kPublic;
    }
  }
}

Response json_response(const nlohmann::json& j, int status) {
  // Client metadata may hold invalid UTF-8 only if it got past parsing; replace, never throw.
  return Response::json(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

SystemTime Api::now() const { return service_.env().clock->now(); }

Result<auth::Claims> Api::authenticate_token(const Route& route, std::string_view token) const {
  if (token.empty()) return Unauthenticated("missing token");
  FF_ASSIGN_OR_RETURN(auth::Claims claims, tokens_.verify(token));
  FF_TRY(authorize(route.permit, claims));
  return claims;
}

Status Api::authenticate(Request& req) const {
  constexpr std::string_view kBearer = "bearer ";
  std::string_view h = req.authorization;
  if (h.empty()) return Unauthenticated("missing bearer token");
  if (h.size() <= kBearer.size()) return Unauthenticated("malformed Authorization header");
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(h[i])) != kBearer[i]) {
      return Unauthenticated("expected Authorization: Bearer <token>");
    }
  }
  FF_ASSIGN_OR_RETURN(auth::Claims claims, tokens_.verify(h.substr(kBearer.size())));
  req.claims = std::move(claims);
  return OkStatus();
}

// Runs `body` for an authenticated caller (kBearer routes) and turns a
// failed authentication or an escaped exception into an error response.
template <typename T, typename Body>
T Api::guarded(const Route& route, Request& req, Body&& body) const {
  try {
    if (route.access == Access::kBearer) {
      Status s = authenticate(req);
      if (s.ok()) s = authorize(route.permit, *req.claims);
      if (!s.ok()) return error_response(s);
    }
    return body();
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {}: unexpected exception: {}", req.request_id, req.method,
                  route.pattern, e.what());
    return error_response(Internal("unexpected exception"));
  }
}

Response Api::dispatch(const Route& route, Request& req) const {
  if (!route.handle) {
    // A route with handle_async only: this thread waits for its answer.
    std::promise<Response> answer;
    std::future<Response> answered = answer.get_future();
    dispatch_async(route, req, [&answer](Response r) { answer.set_value(std::move(r)); });
    return answered.get();
  }
  return guarded<Response>(route, req, [&] { return route.handle(req); });
}

void Api::dispatch_async(const Route& route, Request& req, Route::Respond respond) const {
  if (!route.handle_async) return respond(dispatch(route, req));
  // Handed over only once nothing before it can throw: an exception (a
  // failed authentication) answers here, and `respond` is called once.
  auto early = guarded<std::optional<Response>>(route, req, [&]() -> std::optional<Response> {
    route.handle_async(req, respond);
    return std::nullopt;
  });
  if (early) respond(std::move(*early));
}

Placement placement_of(const Route& r, const ApiOptions& options) {
  if (!r.blocking) return {Lane::kInline, false};
  Lane reads = options.point_reads;
  if (reads == Lane::kReaders && options.reader_threads <= 0) reads = Lane::kWorkers;
  if (reads == Lane::kWorkers) return {};
  if (r.point_read) return {reads, false};
  if (r.try_inline) return {reads, true};
  return {};
}

std::optional<Response> Api::dispatch_fast(const Route& route, Request& req) const {
  if (!route.try_inline) return std::nullopt;
  return guarded<std::optional<Response>>(route, req, [&] { return route.try_inline(req); });
}

std::variant<std::unique_ptr<BodySink>, Response> Api::begin_upload(const Route& route,
                                                                    Request& req) const {
  using Out = std::variant<std::unique_ptr<BodySink>, Response>;
  return guarded<Out>(route, req, [&]() -> Out {
    auto sink = route.begin_upload(req);
    if (!sink.ok()) return error_response(sink.status());
    return std::move(sink).value();
  });
}

}  // namespace ff::api
