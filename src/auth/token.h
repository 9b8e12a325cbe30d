// JWT HS256 tokens: minting and strict verification.
//
// Verification pins the algorithm (a header with any alg but HS256, "none"
// included, is refused before the signature is looked at), compares the MAC in
// constant time, requires iss == "fortfail", a known role, and exp > now. Every
// failure is kUnauthenticated with a short reason safe to show the client.
//
// Roles: `viewer` < `operator` < `admin` for people, and `agent`. Tokens
// minted before roles existed say role "operator" without the `rv` claim:
// they held every right, so they verify as admin. New tokens carry `rv: 2`.
//
// Rotation: a token signed with the previous secret (ORCH_JWT_SECRET_PREVIOUS)
// still verifies; new tokens are signed with the current secret only.
// Revocation: when a Revocations set is attached, every verification asks it,
// remembered tokens included.
//
// Verified tokens are remembered (a bounded map from the exact token text to
// its claims): agents present the same token on every poll for days, and
// decoding, parsing and MAC-ing it each time cost more than the request
// itself. A remembered token is still refused once it expires. Failures are
// never remembered.
//
// Thread-safety: safe from any thread (the memo has its own mutex).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "auth/revocations.h"
#include "common/status.h"
#include "sys/clock.h"
#include "sys/random.h"

namespace ff::auth {

// People's roles are ordered (each includes the rights of those before it);
// an agent's rights are its own (see grants()).
enum class Role { kAgent, kViewer, kOperator, kAdmin };

const char* role_name(Role role);
// "viewer", "operator", "admin" or "agent"; nullopt for anything else.
std::optional<Role> parse_role(std::string_view name);
// Whether a caller holding `held` may call what needs `least`: people by rank;
// kAgent only where kAgent is asked for.
bool grants(Role held, Role least);

struct Claims {
  std::string subject;  // agent id for agents; "operator" or "key:<id>" for people
  Role role = Role::kAdmin;
  int64_t issued_at = 0;   // unix seconds
  int64_t expires_at = 0;  // unix seconds
  std::string token_id;    // jti
  std::string key_id;      // kid: the API key it was minted from, if any

  bool is_agent() const { return role == Role::kAgent; }
  // True when the caller may act for `agent_id`: people always (their role
  // decides what), agents only for themselves.
  bool may_act_for(const std::string& agent_id) const { return !is_agent() || subject == agent_id; }
};

struct MintedToken {
  std::string token;
  Claims claims;
};

class TokenService {
 public:
  // `clock` and `random` must outlive the service. `previous_secret` (may be
  // empty) is accepted for verification only.
  TokenService(std::string secret, std::chrono::seconds ttl, const sys::Clock& clock,
               sys::Random& random, std::string previous_secret = {});

  // An agent token when `agent_id` is set (sub = agent id), else an admin token
  // (sub = "operator").
  MintedToken mint(const std::optional<std::string>& agent_id) const;
  // A token for `role`; `key_id` names the API key it comes from (empty: none).
  MintedToken mint(Role role, std::string subject, std::string key_id = {}) const;
  Result<Claims> verify(std::string_view token) const;

  // `revocations` (may be null) must outlive the service; set before use.
  void set_revocations(const Revocations* revocations) { revocations_ = revocations; }

  std::chrono::seconds ttl() const { return ttl_; }

  static constexpr size_t kMemoCapacity = 8192;

 private:
  Result<Claims> verify_uncached(std::string_view token) const;

  std::string secret_;
  std::string previous_secret_;
  std::chrono::seconds ttl_;
  const sys::Clock& clock_;
  sys::Random& random_;
  const Revocations* revocations_ = nullptr;
  // Looked up by string_view (no copy of the token per request), read under
  // a shared lock: every authenticated request of every I/O thread asks.
  struct TokenHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::shared_mutex memo_mu_;
  mutable std::unordered_map<std::string, Claims, TokenHash, std::equal_to<>>
      memo_;  // guarded by memo_mu_
};

}  // namespace ff::auth
