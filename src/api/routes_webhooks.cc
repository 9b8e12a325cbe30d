// Alert webhooks (docs/alerts.md): POST/GET /webhooks, GET/DELETE
// /webhooks/{id}. The secret goes in and is never shown again. Who may call
// them is in the access table (route_access.cc).
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "common/time.h"
#include "core/service.h"

namespace ff::api {

namespace {

nlohmann::json optional_time(const std::optional<SystemTime>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json webhook_json(const store::Webhook& w) {
  return {{"id", w.id},
          {"url", w.url},
          {"events", w.events},
          {"created_at", format_rfc3339(w.created_at)},
          {"last_status", w.last_status ? nlohmann::json(*w.last_status) : nlohmann::json(nullptr)},
          {"last_error", w.last_error ? nlohmann::json(*w.last_error) : nlohmann::json(nullptr)},
          {"last_delivery_at", optional_time(w.last_delivery_at)},
          {"deliveries", w.deliveries},
          {"failures", w.failures}};
}

Result<std::vector<std::string>> event_names(const nlohmann::json& body) {
  auto it = body.find("events");
  if (it == body.end()) return ValidationError("events: field required");
  if (!it->is_array()) return ValidationError("events: expected an array of event names");
  std::vector<std::string> out;
  for (const auto& e : *it) {
    if (!e.is_string()) return ValidationError("events: expected an array of event names");
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace

void Api::add_webhook_routes() {
  Route create{"POST", "/webhooks"};
  create.handle = [this](Request& req) -> Response {
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    auto url = required_string(*body, "url");
    if (!url.ok()) return error_response(url.status());
    auto events = event_names(*body);
    if (!events.ok()) return error_response(events.status());
    auto secret = required_string(*body, "secret");
    if (!secret.ok()) return error_response(secret.status());
    auto created = service_.create_webhook(*url, std::move(*events), *secret);
    if (!created.ok()) return error_response(created.status());
    return json_response(webhook_json(*created), 201);
  };
  routes_.push_back(std::move(create));

  Route list{"GET", "/webhooks"};
  list.handle = [this](Request&) -> Response {
    auto hooks = service_.list_webhooks();
    if (!hooks.ok()) return error_response(hooks.status());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& w : *hooks) items.push_back(webhook_json(w));
    return json_response(items);
  };
  routes_.push_back(std::move(list));

  Route show{"GET", "/webhooks/{id}"};
  show.handle = [this](Request& req) -> Response {
    auto w = service_.get_webhook(req.param("id"));
    if (!w.ok()) return error_response(w.status());
    return json_response(webhook_json(*w));
  };
  routes_.push_back(std::move(show));

  Route remove{"DELETE", "/webhooks/{id}"};
  remove.handle = [this](Request& req) -> Response {
    Status s = service_.delete_webhook(req.param("id"));
    if (!s.ok()) return error_response(s);
    return json_response({{"id", req.param("id")}, {"status", "deleted"}});
  };
  routes_.push_back(std::move(remove));
}

}  // namespace ff::api
