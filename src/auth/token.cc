#include "auth/token.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/hex.h"
#include "common/json_limits.h"

namespace ff::auth {

namespace {
constexpr char kIssuer[] = "fortfail";
constexpr char kOperatorSubject[] = "operator";
// Marks tokens minted with the four roles; without it "operator" meant every right.
constexpr int kRoleVersion = 2;
// {"alg":"HS256","typ":"JWT"}, fixed so minting does no JSON work for it.
const std::string& header_segment() {
  static const std::string h = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  return h;
}

Status bad(const char* why) { return Unauthenticated(std::string("invalid token: ") + why); }
}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::kAgent:
      return "agent";
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::kAgent, Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (name == role_name(r)) return r;
  }
  return std::nullopt;
}

bool grants(Role held, Role least) {
  if (held == Role::kAgent || least == Role::kAgent) return held == least;
  return static_cast<int>(held) >= static_cast<int>(least);
}

TokenService::TokenService(std::string secret, std::chrono::seconds ttl, const sys::Clock& clock,
                           sys::Random& random, std::string previous_secret)
    : secret_(std::move(secret)),
      previous_secret_(std::move(previous_secret)),
      ttl_(ttl),
      clock_(clock),
      random_(random) {}

MintedToken TokenService::mint(const std::optional<std::string>& agent_id) const {
  if (agent_id) return mint(Role::kAgent, *agent_id);
  return mint(Role::kAdmin, kOperatorSubject);
}

MintedToken TokenService::mint(Role role, std::string subject, std::string key_id) const {
  Claims c;
  c.role = role;
  c.subject = std::move(subject);
  c.key_id = std::move(key_id);
  c.issued_at = to_unix_seconds(clock_.now());
  c.expires_at = c.issued_at + ttl_.count();
  c.token_id = to_hex(random_.bytes(16));
  nlohmann::json payload = {
      {"sub", c.subject}, {"role", role_name(c.role)}, {"iat", c.issued_at}, {"exp", c.expires_at},
      {"iss", kIssuer},   {"jti", c.token_id},         {"rv", kRoleVersion}};
  if (!c.key_id.empty()) payload["kid"] = c.key_id;
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
    if (revocations_) FF_TRY(revocations_->check(*known));
    return *std::move(known);
  }
  Result<Claims> verified = verify_uncached(token);
  if (verified.ok() && revocations_) {
    // Not remembered either: a revoked token stays refused without the memo's help.
    FF_TRY(revocations_->check(*verified));
  }
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
  std::string_view signing_input = token.substr(0, dot2);
  bool signed_ok = constant_time_equal(hmac_sha256(secret_, signing_input), *sig);
  if (!signed_ok && !previous_secret_.empty()) {
    signed_ok = constant_time_equal(hmac_sha256(previous_secret_, signing_input), *sig);
  }
  if (!signed_ok) return bad("bad signature");

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
  auto parsed = parse_role(*role);
  if (!parsed) return bad("unknown role");
  c.role = *parsed;
  auto rv = num("rv");
  if (!rv) {
    // Minted before roles: only "agent" and "operator" existed, and an
    // operator could do everything.
    if (c.role == Role::kOperator) {
      c.role = Role::kAdmin;
    } else if (c.role != Role::kAgent) {
      return bad("unknown role");
    }
  } else if (*rv != kRoleVersion) {
    return bad("unknown role version");
  }
  if (const std::string* kid = str("kid")) c.key_id = *kid;
  if (*exp <= to_unix_seconds(clock_.now())) return Unauthenticated("token expired");
  c.subject = *sub;
  c.issued_at = *iat;
  c.expires_at = *exp;
  c.token_id = jti ? *jti : "";
  return c;
}

}  // namespace ff::auth
