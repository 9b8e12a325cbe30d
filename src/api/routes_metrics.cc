// GET /metrics: the Prometheus text exposition (docs/metrics.md).
#include "api/api.h"
#include "api/errors.h"
#include "metrics/metrics.h"

namespace ff::api {

void Api::add_metrics_routes() {
  // Blocking: a scrape may refresh the database gauges.
  Route r{"GET", "/metrics", Access::kBearer, RouteKind::kPlain, true};
  r.handle = [this](Request&) {
    if (options_.metrics == nullptr) return error_response(NotFound("metrics are not enabled"));
    Response resp;
    resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = options_.metrics->render();
    resp.add_header("Cache-Control", "no-store");
    return resp;
  };
  routes_.push_back(std::move(r));
}

}  // namespace ff::api
