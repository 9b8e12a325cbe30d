// JWT HS256 tokens: minting and strict verification.
//
// Verification pins the algorithm (a header with any alg but HS256, "none"
// included, is refused before the signature is looked at), compares the MAC in
// constant time, requires iss == "fortfail", a known role, and exp > now. Every
// failure is kUnauthenticated with a short reason safe to show the client.
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

#include "common/status.h"
#include "sys/clock.h"
#include "sys/random.h"

namespace ff::auth {

enum class Role { kOperator, kAgent };

const char* role_name(Role role);

struct Claims {
  std::string subject;  // agent id for agents, "operator" for operators
  Role role = Role::kOperator;
  int64_t issued_at = 0;   // unix seconds
  int64_t expires_at = 0;  // unix seconds
  std::string token_id;    // jti

  bool is_operator() const { return role == Role::kOperator; }
  // True when the caller may act for `agent_id`: operators always, agents only for themselves.
  bool may_act_for(const std::string& agent_id) const {
    return is_operator() || subject == agent_id;
  }
};

struct MintedToken {
  std::string token;
  Claims claims;
};

class TokenService {
 public:
  // `clock` and `random` must outlive the service.
  TokenService(std::string secret, std::chrono::seconds ttl, const sys::Clock& clock,
               sys::Random& random);

  // An agent token when `agent_id` is set (sub = agent id), else an operator token.
  MintedToken mint(const std::optional<std::string>& agent_id) const;
  Result<Claims> verify(std::string_view token) const;

  std::chrono::seconds ttl() const { return ttl_; }

  static constexpr size_t kMemoCapacity = 8192;

 private:
  Result<Claims> verify_uncached(std::string_view token) const;

  std::string secret_;
  std::chrono::seconds ttl_;
  const sys::Clock& clock_;
  sys::Random& random_;
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
