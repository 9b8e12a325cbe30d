// POST /auth/token: mints tokens from the operator or registration secret, an
// enrolled agent's secret, or a named API key. POST /auth/enroll: an agent
// exchanges its one-time enrollment code for its own secret.
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "core/service.h"

namespace ff::api {

namespace {

Result<core::TokenRequest> parse_token_request(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  core::TokenRequest t;
  FF_ASSIGN_OR_RETURN(t.registration_secret, optional_string(body, "registration_secret"));
  FF_ASSIGN_OR_RETURN(t.agent_id, optional_string(body, "agent_id"));
  FF_ASSIGN_OR_RETURN(t.agent_secret, optional_string(body, "agent_secret"));
  FF_ASSIGN_OR_RETURN(t.api_key, optional_string(body, "api_key"));
  return t;
}

}  // namespace

void Api::add_token_routes() {
  Route mint{"POST", "/auth/token", Access::kPublic, RouteKind::kPlain, true};
  mint.handle = [this](Request& req) -> Response {
    int retry_after = 1;
    Status limited = limiter_.acquire(req.client_address, &retry_after);
    if (!limited.ok()) return error_response(limited, retry_after);
    auto parsed = parse_token_request(req);
    if (!parsed.ok()) return error_response(parsed.status());
    auto minted = service_.mint_token(*parsed);
    if (!minted.ok()) return error_response(minted.status());
    return json_response({{"token", minted->token},
                          {"expires_in", minted->claims.expires_at - minted->claims.issued_at},
                          {"token_type", "bearer"},
                          {"role", auth::role_name(minted->claims.role)}});
  };
  routes_.push_back(std::move(mint));

  Route enroll{"POST", "/auth/enroll", Access::kPublic, RouteKind::kPlain, true};
  enroll.handle = [this](Request& req) -> Response {
    int retry_after = 1;
    Status limited = limiter_.acquire(req.client_address, &retry_after);
    if (!limited.ok()) return error_response(limited, retry_after);
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    auto agent_id = required_string(*body, "agent_id");
    if (!agent_id.ok()) return error_response(agent_id.status());
    auto code = required_string(*body, "enrollment_code");
    if (!code.ok()) return error_response(code.status());
    auto secret = service_.enroll(*agent_id, *code);
    if (!secret.ok()) return error_response(secret.status());
    return json_response({{"agent_id", *agent_id}, {"agent_secret", *secret}});
  };
  routes_.push_back(std::move(enroll));
}

}  // namespace ff::api
