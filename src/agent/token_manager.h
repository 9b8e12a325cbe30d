// TokenManager: keeps the agent's bearer token valid. Mints one from the
// agent's own enrolled secret (POST /auth/token with agent_id and
// agent_secret), else the registration secret (with agent_id), or starts from a
// pre-provisioned ORCH_JWT; renews ahead of expiry (when less than a tenth of
// its lifetime, at least 60 s, is left) and after a 401.
//
// Not guaranteed: a pre-provisioned token without a registration secret
// cannot be renewed; its expiry or revocation surfaces as kUnauthenticated.
//
// Thread-safety: not thread-safe; used from the agent's main loop only.
#pragma once

#include <optional>
#include <string>

#include "client/api_client.h"
#include "common/status.h"
#include "sys/clock.h"

namespace ff::agent {

class TokenManager {
 public:
  // `client` and `clock` must outlive the TokenManager; the token it obtains is
  // installed with client.set_token().
  TokenManager(client::ApiClient& client, sys::Clock& clock, std::string agent_id,
               std::string reg_secret, std::string preset_token, std::string agent_secret = {});

  // Makes sure the client holds a token that is not due for renewal. One mint
  // attempt at most; its failure is returned as is (retry is the caller's).
  Status ensure_fresh();
  // Forgets the current token (after a 401) so the next ensure_fresh() mints.
  // Returns kUnauthenticated when it cannot be replaced.
  Status invalidate();

  bool can_renew() const { return !reg_secret_.empty() || !agent_secret_.empty(); }
  std::optional<SystemTime> expires() const { return expires_; }

 private:
  Status mint();

  client::ApiClient& client_;
  sys::Clock& clock_;
  std::string agent_id_;
  std::string reg_secret_;
  std::string agent_secret_;  // preferred over reg_secret_ when set
  std::string token_;
  std::optional<SystemTime> issued_;
  std::optional<SystemTime> expires_;
};

}  // namespace ff::agent
