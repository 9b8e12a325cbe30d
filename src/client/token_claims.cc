#include "client/token_claims.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"

namespace ff::client {

Result<TokenClaims> decode_claims(std::string_view token) {
  size_t a = token.find('.');
  size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos) return InvalidArgument("token is not a JWT");
  auto payload = base64url_decode(token.substr(a + 1, b - a - 1));
  if (!payload) return InvalidArgument("token payload is not base64url");
  auto j = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgument("token payload is not a JSON object");
  TokenClaims claims;
  if (auto it = j.find("sub"); it != j.end() && it->is_string()) claims.subject = *it;
  if (auto it = j.find("role"); it != j.end() && it->is_string()) claims.role = *it;
  if (auto it = j.find("iat"); it != j.end() && it->is_number()) {
    claims.issued = from_unix_seconds(it->get<int64_t>());
  }
  if (auto it = j.find("exp"); it != j.end() && it->is_number()) {
    claims.expires = from_unix_seconds(it->get<int64_t>());
  }
  return claims;
}

}  // namespace ff::client
