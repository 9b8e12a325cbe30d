// Reading (not verifying) the claims of a JWT the orchestrator issued, so that
// clients can renew a token before it expires. Verification is the server's job.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace ff::client {

struct TokenClaims {
  std::string subject;                // "sub"
  std::string role;                   // "role"
  std::optional<SystemTime> issued;   // "iat"
  std::optional<SystemTime> expires;  // "exp"
};

// kInvalidArgument when `token` is not three base64url parts with a JSON payload.
Result<TokenClaims> decode_claims(std::string_view token);

}  // namespace ff::client
