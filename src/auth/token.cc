#include "auth/token.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/hex.h"
#include "common/json_limits.h"

namespace ff::auth {

namespace {
constexpr char kIssuer[] = "fortfail";
constexpr char kOperatorSubject[] = "operator";
// {"alg":"HS256","typ":"JWT"}, fixed so minting does no JSON work for it.
const std::string& header_segment() {
  static const std::string h = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  return h;
}

Status bad(const char* why) { return Unauthenticated(std::string("invalid token: ") + why); }
}  // namespace

const char* role_name(Role role) { return role == Role::kAgent ? "agent" : "operator"; }

TokenService::TokenService(std::string secret, std::chrono::seconds ttl, const sys::Clock& clock,
                           sys::Random& random)
    : secret_(std::move(secret)), ttl_(ttl), clock_(clock), random_(random) {}

MintedToken TokenService::mint(const std::optional<std::string>& agent_id) const {
  Claims c;
  c.role = agent_id ? Role::kAgent : Role::kOperator;
  c.subject = agent_id ? *agent_id : kOperatorSubject;
  c.issued_at = to_unix_seconds(clock_.now());
  c.expires_at = c.issued_at + ttl_.count();
  c.token_id = to_hex(random_.bytes(16));
  nlohmann::json payload = {{"sub", c.subject},   {"role", role_name(c.role)},
                            {"iat", c.issued_at}, {"exp", c.expires_at},
                            {"iss", kIssuer},     {"jti", c.token_id}};
  std::string signing_input = header_segment() + "." + base64url_encode(payload.dump());
  std::string sig = base64url_encode(hmac_sha256(secret_, signing_input));
  return MintedToken{signing_input + "." + sig, std::move(c)};
}

Result<Claims> TokenService::verify(std::string_view token) const {
  if (token.size() > 4096) return bad("too long");
  std::optional<Claims> known;
  {
    std::shared_lock lock(memo_mu_);
    auto it = memo_.find(token);
    if (it != memo_.end()) known = it->second;
  }
  if (known) {
    if (known->expires_at <= to_unix_seconds(clock_.now())) return Unauthenticated("token expired");
    return *std::move(known);
  }
  Result<Claims> verified = verify_uncached(token);
  if (verified.ok()) {
    std::unique_lock lock(memo_mu_);
    // Bounded: when full, start over (tokens in use come back on their next request).
    if (memo_.size() >= kMemoCapacity) memo_.clear();
    memo_.emplace(std::string(token), *verified);
  }
  return verified;
}

Result<Claims> TokenService::verify_uncached(std::string_view token) const {
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return bad("malformed");
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return bad("malformed");
  }
  auto header_raw = base64url_decode(token.substr(0, dot1));
  auto payload_raw = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!header_raw || !payload_raw || !sig) return bad("malformed");

  // The algorithm is pinned: look at the header before trusting anything else.
  // Unsigned input: bounded like every client document (common/json_limits.h).
  if (json_nesting_depth(*header_raw) > kMaxJsonDepth) return bad("malformed");
  auto header = nlohmann::json::parse(*header_raw, nullptr, false);
  if (!header.is_object() || !header.contains("alg") || header["alg"] != "HS256") {
    return bad("unsupported algorithm");
  }
  std::string expected = hmac_sha256(secret_, token.substr(0, dot2));
  if (!constant_time_equal(expected, *sig)) return bad("bad signature");

  auto payload = nlohmann::json::parse(*payload_raw, nullptr, false);
  if (!payload.is_object()) return bad("malformed claims");
  auto str = [&](const char* k) -> const std::string* {
    auto it = payload.find(k);
    return it != payload.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  auto num = [&](const char* k) -> std::optional<int64_t> {
    auto it = payload.find(k);
    if (it == payload.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  };
  const std::string* iss = str("iss");
  const std::string* sub = str("sub");
  const std::string* role = str("role");
  const std::string* jti = str("jti");
  auto exp = num("exp");
  auto iat = num("iat");
  if (!iss || *iss != kIssuer) return bad("wrong issuer");
  if (!sub || !role || !exp || !iat) return bad("missing claims");
  Claims c;
  if (*role == "agent") {
    c.role = Role::kAgent;
  } else if (*role == "operator") {
    c.role = Role::kOperator;
  } else {
    return bad("unknown role");
  }
  if (*exp <= to_unix_seconds(clock_.now())) return Unauthenticated("token expired");
  c.subject = *sub;
  c.issued_at = *iat;
  c.expires_at = *exp;
  c.token_id = jti ? *jti : "";
  return c;
}

}  // namespace ff::auth
