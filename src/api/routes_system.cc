// GET /, health probes, the WebSocket route entry, and the embedded UI assets.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/errors.h"
#include "common/time.h"
#include "core/service.h"
#ifdef FF_HAVE_WEBASSETS
#include "webassets/assets.h"
#endif

namespace ff::api {

namespace {

Response asset_response(std::string_view path) {
#ifdef FF_HAVE_WEBASSETS
  if (const webassets::Asset* a = webassets::find_asset(path)) {
    Response r;
    r.content_type = std::string(a->content_type);
    r.body = std::string(a->body);
    r.add_header("ETag", std::string(a->etag));
    r.add_header("Cache-Control",
                 a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    r.add_header("X-Content-Type-Options", "nosniff");
    r.add_header("Content-Security-Policy", webassets::kContentSecurityPolicy);
    r.add_header("X-Frame-Options", "DENY");
    return r;
  }
#else
  (void)path;
#endif
  return error_response(NotFound("not found"));
}

}  // namespace

void Api::add_system_routes() {
  Route info{"GET", "/", Access::kPublic, RouteKind::kPlain, false};
  info.handle = [this](Request&) {
    // `docs`, `control_ui` and `websocket` are the seed's own keys; `links` is ours.
    return json_response({{"service", "fortfail-orchestrator"},
                          {"version", options_.version},
                          {"docs", "/docs"},
                          {"control_ui", "/control"},
                          {"websocket", "/ws?token=<jwt>"},
                          {"links",
                           {{"control_panel", "/control"},
                            {"docs", "/docs"},
                            {"openapi", "/openapi.json"},
                            {"health", "/health/ready"},
                            {"events", "/ws?token=<jwt>"}}}});
  };
  routes_.push_back(std::move(info));

  Route live{"GET", "/health/live", Access::kPublic, RouteKind::kPlain, false};
  live.handle = [](Request&) { return json_response({{"status", "ok"}}); };
  routes_.push_back(std::move(live));

  Route ready{"GET", "/health/ready", Access::kPublic, RouteKind::kPlain, true};
  ready.handle = [this](Request&) {
    core::Readiness r = service_.readiness();
    nlohmann::json checks = nlohmann::json::object();
    std::string failing;
    for (const auto& c : r.checks) {
      checks[c.name] = c.status.ok() ? nlohmann::json("ok") : nlohmann::json(c.status.message());
      if (!c.status.ok() && failing.empty()) failing = c.name;
    }
    nlohmann::json body = {{"status", r.ready ? "ready" : "unavailable"},
                           {"checks", checks},
                           {"wal_head", {{"seq", r.wal_head.seq}, {"hash", r.wal_head.hash}}}};
    if (!r.ready) body["detail"] = failing + " check failed";
    Response resp = json_response(body, r.ready ? 200 : 503);
    if (!r.ready) resp.add_header("Retry-After", "5");
    return resp;
  };
  routes_.push_back(std::move(ready));

  Route ws{"GET", "/ws", Access::kPublic, RouteKind::kWebSocket, false};
  ws.handle = [](Request&) {
    Response r = error_response(InvalidArgument("expected a WebSocket upgrade"));
    r.status = 426;
    r.add_header("Upgrade", "websocket");
    return r;
  };
  routes_.push_back(std::move(ws));

  for (const char* pattern : {"/control", "/docs", "/openapi.json"}) {
    Route r{"GET", pattern, Access::kPublic, RouteKind::kPlain, false};
    r.handle = [](Request& req) { return asset_response(req.path); };
    routes_.push_back(std::move(r));
  }
  for (const char* pattern : {"/control/{path+}", "/docs/{path+}"}) {
    Route r{"GET", pattern, Access::kPublic, RouteKind::kPlain, false};
    r.handle = [](Request& req) { return asset_response(req.path); };
    routes_.push_back(std::move(r));
  }
}

}  // namespace ff::api
