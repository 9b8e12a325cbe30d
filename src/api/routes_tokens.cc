// POST /auth/token: mints agent and operator tokens from the registration secret.
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "core/service.h"

namespace ff::api {

void Api::add_token_routes() {
  Route mint{"POST", "/auth/token", Access::kPublic, RouteKind::kPlain, true};
  mint.handle = [this](Request& req) -> Response {
    int retry_after = 1;
    Status limited = limiter_.acquire(req.client_address, &retry_after);
    if (!limited.ok()) return error_response(limited, retry_after);
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    auto secret = required_string(*body, "registration_secret");
    if (!secret.ok()) return error_response(secret.status());
    auto agent_id = optional_string(*body, "agent_id");
    if (!agent_id.ok()) return error_response(agent_id.status());
    auto minted = service_.mint_token(*secret, *agent_id);
    if (!minted.ok()) return error_response(minted.status());
    return json_response({{"token", minted->token},
                          {"expires_in", minted->claims.expires_at - minted->claims.issued_at},
                          {"token_type", "bearer"},
                          {"role", auth::role_name(minted->claims.role)}});
  };
  routes_.push_back(std::move(mint));
}

}  // namespace ff::api
