// Tokens and the credentials that mint them: the operator and registration
// secrets, named API keys, per-agent enrolled secrets, and revocation.
//
// Rules (docs/security.md, "Roles, credentials and revocation"):
// - The operator secret (or, without one, the registration secret) mints admin tokens.
// - The registration secret mints agent tokens for agents that have neither
//   enrolled nor been revoked; an enrolled agent mints with its own secret only.
// - An API key mints tokens of its role carrying its id (kid), refused once revoked.
#include <spdlog/spdlog.h>

#include "common/base64.h"
#include "common/hex.h"
#include "common/ids.h"
#include "core/service.h"

namespace ff::core {

namespace {

// Hash both sides first so the comparison takes the same time whatever the lengths.
bool same_secret(std::string_view given, std::string_view expected) {
  return constant_time_equal(sha256_hex(given), sha256_hex(expected));
}

Status validate_key_name(const std::string& name) {
  if (!is_valid_id(name) || name.size() > 64) {
    return ValidationError("name: 1 to 64 letters, digits, '.', '_' or '-'");
  }
  return OkStatus();
}

}  // namespace

std::string Service::new_secret(std::string_view prefix) {
  return std::string(prefix) + base64url_encode(env_.random->bytes(32));
}

Result<auth::MintedToken> Service::mint_token(const TokenRequest& req) {
  int ways = (req.registration_secret ? 1 : 0) + (req.agent_secret ? 1 : 0) + (req.api_key ? 1 : 0);
  if (ways == 0) {
    return ValidationError(
        "registration_secret: field required (or api_key, or agent_id with agent_secret)");
  }
  if (ways > 1) {
    return ValidationError("give one of registration_secret, agent_secret or api_key");
  }
  if (req.agent_id) FF_TRY(validate_id("agent_id", *req.agent_id));

  if (req.api_key) {
    if (req.agent_id) return ValidationError("agent_id: not used with api_key");
    auto key = store_.find_api_key_by_hash(sha256_hex(*req.api_key));
    if (!key.ok()) {
      if (key.status().code() == Code::kNotFound) return PermissionDenied("invalid API key");
      return key.status();
    }
    auto role = auth::parse_role(key->role);
    if (key->revoked_at || !role || *role == auth::Role::kAgent) {
      return PermissionDenied("invalid API key");
    }
    auth::MintedToken minted = tokens_.mint(*role, "key:" + key->id, key->id);
    FF_TRY(audit_wal_only(audit::token_minted(auth::role_name(minted.claims.role), std::nullopt,
                                              minted.claims.token_id, minted.claims.expires_at,
                                              key->id)));
    return minted;
  }
  if (req.agent_secret || req.agent_id) return mint_agent_token(req);

  const std::string& expected =
      options_.operator_secret.empty() ? options_.registration_secret : options_.operator_secret;
  if (!same_secret(*req.registration_secret, expected)) {
    return PermissionDenied(options_.operator_secret.empty() ? "invalid registration secret"
                                                             : "invalid operator secret");
  }
  auth::MintedToken minted = tokens_.mint(std::nullopt);
  FF_TRY(audit_wal_only(audit::token_minted(auth::role_name(minted.claims.role), std::nullopt,
                                            minted.claims.token_id, minted.claims.expires_at)));
  return minted;
}

Result<auth::MintedToken> Service::mint_agent_token(const TokenRequest& req) {
  if (!req.agent_id) return ValidationError("agent_id: field required with agent_secret");
  const std::string& agent_id = *req.agent_id;
  auto cred = store_.get_agent_credential(agent_id);
  if (!cred.ok() && cred.status().code() != Code::kNotFound) return cred.status();
  if (req.agent_secret) {
    if (!cred.ok() || !cred->secret_hash ||
        !constant_time_equal(sha256_hex(*req.agent_secret), *cred->secret_hash)) {
      return PermissionDenied("invalid agent credential");
    }
  } else {
    if (!options_.registration_secret_enabled) {
      return PermissionDenied("the shared registration secret is switched off: enroll the agent");
    }
    if (!same_secret(*req.registration_secret, options_.registration_secret)) {
      return PermissionDenied("invalid registration secret");
    }
    // Once an agent has its own secret (or was revoked), the secret every
    // agent host holds may no longer speak for it.
    if (cred.ok() && cred->secret_hash) {
      return PermissionDenied("agent " + agent_id + " is enrolled: mint with its agent_secret");
    }
    if (cred.ok() && cred->revoked_at) {
      return PermissionDenied("agent " + agent_id + " is revoked: enroll it again");
    }
  }
  auth::MintedToken minted = tokens_.mint(agent_id);
  FF_TRY(touch_agent(agent_id));
  FF_TRY(audit_wal_only(audit::token_minted(auth::role_name(minted.claims.role), agent_id,
                                            minted.claims.token_id, minted.claims.expires_at)));
  return minted;
}

Result<CreatedApiKey> Service::create_api_key(const std::string& name, auth::Role role) {
  FF_TRY(validate_key_name(name));
  if (role == auth::Role::kAgent)
    return ValidationError("role: expected viewer, operator or admin");
  CreatedApiKey out;
  out.key.id = "key-" + to_hex(env_.random->bytes(8));
  out.key.name = name;
  out.key.role = auth::role_name(role);
  out.secret = new_secret("ffk_");
  out.key.key_hash = sha256_hex(out.secret);
  out.key.created_at = env_.clock->now();
  FF_TRY(store_.insert_api_key(out.key));
  FF_TRY(audit(audit::api_key_created(out.key)));
  return out;
}

Result<std::vector<store::ApiKey>> Service::list_api_keys() { return store_.list_api_keys(); }

Status Service::revoke_api_key(const std::string& id) {
  FF_TRY(validate_id("id", id));
  FF_TRY(store_.revoke_api_key(id, env_.clock->now()));
  revocations_.revoke_key(id);
  FF_TRY(audit(audit::api_key_revoked(id)));
  return OkStatus();
}

Result<Enrollment> Service::create_enrollment(const std::string& agent_id) {
  FF_TRY(validate_id("agent_id", agent_id));
  auto found = store_.get_agent_credential(agent_id);
  if (!found.ok() && found.status().code() != Code::kNotFound) return found.status();
  store::AgentCredential cred;
  if (found.ok()) cred = *found;
  cred.agent_id = agent_id;
  Enrollment e{agent_id, new_secret("ffe_"), env_.clock->now() + options_.enrollment_ttl};
  cred.enrollment_hash = sha256_hex(e.code);
  cred.enrollment_expires_at = e.expires_at;
  FF_TRY(store_.put_agent_credential(cred));
  FF_TRY(audit(audit::agent_enrollment_created(agent_id, e.expires_at)));
  return e;
}

Result<std::string> Service::enroll(const std::string& agent_id, const std::string& code) {
  FF_TRY(validate_id("agent_id", agent_id));
  std::string secret = new_secret("ffa_");
  Status consumed =
      store_.consume_enrollment(agent_id, sha256_hex(code), sha256_hex(secret), env_.clock->now());
  if (consumed.code() == Code::kNotFound) {
    return PermissionDenied("invalid, used or expired enrollment code");
  }
  FF_TRY(consumed);
  FF_TRY(audit(audit::agent_enrolled(agent_id)));
  return secret;
}

Status Service::revoke_agent(const std::string& agent_id) {
  FF_TRY(validate_id("agent_id", agent_id));
  SystemTime now = env_.clock->now();
  store::AgentCredential cred;
  cred.agent_id = agent_id;
  cred.revoked_at = now;
  FF_TRY(store_.put_agent_credential(cred));
  revocations_.revoke_agent(agent_id, to_unix_seconds(now));
  FF_TRY(audit(audit::agent_revoked(agent_id)));
  return OkStatus();
}

Status Service::refresh_revocations() {
  auth::RevokedSet set;
  FF_ASSIGN_OR_RETURN(auto keys, store_.list_api_keys());
  for (const auto& k : keys) {
    if (k.revoked_at) set.keys.insert(k.id);
  }
  FF_ASSIGN_OR_RETURN(auto creds, store_.list_agent_credentials());
  for (const auto& c : creds) {
    if (c.revoked_at) set.agents[c.agent_id] = to_unix_seconds(*c.revoked_at);
  }
  revocations_.merge(set);
  return OkStatus();
}

}  // namespace ff::core
