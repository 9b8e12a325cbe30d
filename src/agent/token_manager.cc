#include "agent/token_manager.h"

#include <spdlog/spdlog.h>

#include "client/token_claims.h"

namespace ff::agent {

TokenManager::TokenManager(client::ApiClient& client, sys::Clock& clock, std::string agent_id,
                           std::string reg_secret, std::string preset_token,
                           std::string agent_secret)
    : client_(client),
      clock_(clock),
      agent_id_(std::move(agent_id)),
      reg_secret_(std::move(reg_secret)),
      agent_secret_(std::move(agent_secret)),
      token_(std::move(preset_token)) {
  if (!token_.empty()) {
    auto claims = client::decode_claims(token_);
    if (claims.ok()) {
      issued_ = claims->issued;
      expires_ = claims->expires;
    }
    client_.set_token(token_);
  }
}

Status TokenManager::ensure_fresh() {
  if (token_.empty()) {
    if (!can_renew()) return Unauthenticated("no token and no registration secret");
    return mint();
  }
  if (!expires_ || !can_renew()) return OkStatus();
  auto now = clock_.now();
  auto lifetime = issued_ ? *expires_ - *issued_ : std::chrono::hours(1);
  auto margin = std::max<SystemTime::duration>(lifetime / 10, std::chrono::seconds(60));
  if (now + margin < *expires_) return OkStatus();
  spdlog::info("agent token expires soon; renewing");
  return mint();
}

Status TokenManager::invalidate() {
  if (!can_renew()) {
    return Unauthenticated(
        "the orchestrator rejected the agent token and no registration "
        "secret is configured to mint another");
  }
  token_.clear();
  expires_.reset();
  client_.set_token("");
  return OkStatus();
}

Status TokenManager::mint() {
  nlohmann::json body =
      agent_secret_.empty()
          ? nlohmann::json{{"registration_secret", reg_secret_}, {"agent_id", agent_id_}}
          : nlohmann::json{{"agent_secret", agent_secret_}, {"agent_id", agent_id_}};
  client_.set_token("");  // /auth/token needs none; never send a stale one
  auto r = client_.post("/auth/token", body);
  if (!r.ok()) {
    if (r.status().code() == Code::kPermissionDenied) {
      return Unauthenticated(std::string("the orchestrator refused the ") +
                             (agent_secret_.empty() ? "registration secret" : "agent secret") +
                             ": " + r.status().message());
    }
    return r.status().with_context("token");
  }
  if (!r->is_object() || !r->contains("token") || !(*r)["token"].is_string()) {
    return Unavailable("token response without a token");
  }
  token_ = (*r)["token"].get<std::string>();
  client_.set_token(token_);
  issued_ = clock_.now();
  expires_.reset();
  if (auto claims = client::decode_claims(token_); claims.ok() && claims->expires) {
    expires_ = claims->expires;
    if (claims->issued) issued_ = claims->issued;
  } else if (r->contains("expires_in") && (*r)["expires_in"].is_number_integer()) {
    expires_ = clock_.now() + std::chrono::seconds((*r)["expires_in"].get<int64_t>());
  }
  spdlog::info("obtained agent token for {}", agent_id_);
  return OkStatus();
}

}  // namespace ff::agent
