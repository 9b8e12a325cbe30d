// Credentials an admin manages: named API keys (POST/GET /api-keys,
// DELETE /api-keys/{id}) and agents' own credentials (POST
// /agents/{id}/enrollment, POST /agents/{id}/revoke). Who may call them is
// in the access table (route_access.cc).
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "common/time.h"
#include "core/service.h"

namespace ff::api {

namespace {

nlohmann::json api_key_json(const store::ApiKey& k) {
  nlohmann::json j = {{"id", k.id},
                      {"name", k.name},
                      {"role", k.role},
                      {"created_at", format_rfc3339(k.created_at)},
                      {"revoked_at", nullptr}};
  if (k.revoked_at) j["revoked_at"] = format_rfc3339(*k.revoked_at);
  return j;
}

}  // namespace

void Api::add_credential_routes() {
  Route create{"POST", "/api-keys"};
  create.handle = [this](Request& req) -> Response {
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    auto name = required_string(*body, "name");
    if (!name.ok()) return error_response(name.status());
    auto role_name = required_string(*body, "role");
    if (!role_name.ok()) return error_response(role_name.status());
    auto role = auth::parse_role(*role_name);
    if (!role || *role == auth::Role::kAgent) {
      return error_response(ValidationError("role: expected viewer, operator or admin"));
    }
    auto created = service_.create_api_key(*name, *role);
    if (!created.ok()) return error_response(created.status());
    nlohmann::json j = api_key_json(created->key);
    j["key"] = created->secret;
    return json_response(j, 201);
  };
  routes_.push_back(std::move(create));

  Route list{"GET", "/api-keys"};
  list.handle = [this](Request& req) -> Response {
    auto page = parse_optional_page(req);
    if (!page.ok()) return error_response(page.status());
    auto keys = service_.list_api_keys();
    if (!keys.ok()) return error_response(keys.status());
    const auto total = static_cast<int64_t>(keys->size());
    nlohmann::json items = nlohmann::json::array();
    for (int64_t i = page->offset; i < total && i - page->offset < page->limit; ++i) {
      items.push_back(api_key_json((*keys)[static_cast<size_t>(i)]));
    }
    Response resp = json_response(items);
    resp.add_header("X-Total-Count", std::to_string(total));
    return resp;
  };
  routes_.push_back(std::move(list));

  Route revoke{"DELETE", "/api-keys/{id}"};
  revoke.handle = [this](Request& req) -> Response {
    Status s = service_.revoke_api_key(req.param("id"));
    if (!s.ok()) return error_response(s);
    return json_response({{"id", req.param("id")}, {"status", "revoked"}});
  };
  routes_.push_back(std::move(revoke));

  Route enrollment{"POST", "/agents/{id}/enrollment"};
  enrollment.handle = [this](Request& req) -> Response {
    auto e = service_.create_enrollment(req.param("id"));
    if (!e.ok()) return error_response(e.status());
    return json_response({{"agent_id", e->agent_id},
                          {"enrollment_code", e->code},
                          {"expires_at", format_rfc3339(e->expires_at)}},
                         201);
  };
  routes_.push_back(std::move(enrollment));

  Route revoke_agent{"POST", "/agents/{id}/revoke"};
  revoke_agent.handle = [this](Request& req) -> Response {
    Status s = service_.revoke_agent(req.param("id"));
    if (!s.ok()) return error_response(s);
    return json_response({{"agent_id", req.param("id")}, {"status", "revoked"}});
  };
  routes_.push_back(std::move(revoke_agent));
}

}  // namespace ff::api
