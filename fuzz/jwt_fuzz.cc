// JWT verification (src/auth/token): three ways in, chosen by the first byte.
//   0: the rest is a token as a client sends it (forged, truncated, garbage);
//   1: the rest is a header and a payload (JSON text, split at the first NUL),
//      encoded and signed with the service's own secret, so that what comes
//      after the signature check (algorithm pinning, claims, expiry) is reached;
//   2: the rest is an agent id (a valid one, as the service checks before
//      minting): a minted token must verify to the same claims.
// Properties: verify never crashes; a token it accepts has a known role and an
// expiry in the future; a token signed with another secret is never accepted.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/token.h"
#include "common/base64.h"
#include "common/hex.h"
#include "common/ids.h"
#include "fuzz_check.h"
#include "support/simulated_clock.h"

namespace {

class FixedRandom final : public ff::sys::Random {
 public:
  std::string bytes(size_t n) override { return std::string(n, '\x5a'); }
};

constexpr char kSecret[] = "fuzz-secret-0123456789abcdef0123456789";

void check_accepted(const ff::Result<ff::auth::Claims>& r, const ff::sys::Clock& clock) {
  if (!r.ok()) {
    FF_FUZZ_CHECK(r.status().code() == ff::Code::kUnauthenticated);
    return;
  }
  FF_FUZZ_CHECK(r->role == ff::auth::Role::kAgent || r->role == ff::auth::Role::kViewer ||
                r->role == ff::auth::Role::kOperator || r->role == ff::auth::Role::kAdmin);
  FF_FUZZ_CHECK(r->expires_at > ff::to_unix_seconds(clock.now()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static ff::testing::SimulatedClock clock;
  static FixedRandom random;
  // One service per input: the memo of verified tokens must not carry state
  // from one input to the next (a crash must reproduce from its input alone).
  ff::auth::TokenService tokens(kSecret, std::chrono::hours(1), clock, random);
  ff::auth::TokenService other("another-secret-0123456789abcdef0123", std::chrono::hours(1), clock,
                               random);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  switch (data[0] % 3) {
    case 0: {
      check_accepted(tokens.verify(rest), clock);
      break;
    }
    case 1: {
      size_t nul = rest.find('\0');
      std::string_view header = rest.substr(0, nul);
      std::string_view payload = nul == std::string_view::npos ? "" : rest.substr(nul + 1);
      std::string signing_input =
          ff::base64url_encode(header) + "." + ff::base64url_encode(payload);
      std::string token =
          signing_input + "." + ff::base64url_encode(ff::hmac_sha256(kSecret, signing_input));
      check_accepted(tokens.verify(token), clock);
      // The same token twice (the second from the memo) gives the same answer.
      auto first = tokens.verify(token);
      auto second = tokens.verify(token);
      FF_FUZZ_CHECK(first.ok() == second.ok());
      FF_FUZZ_CHECK(!other.verify(token).ok());
      break;
    }
    default: {
      std::string agent(rest);
      // The service mints only for ids that passed validation (core/service.cc).
      if (!ff::is_valid_id(agent)) break;
      auto minted = tokens.mint(agent);
      auto claims = tokens.verify(minted.token);
      FF_FUZZ_CHECK(claims.ok());
      FF_FUZZ_CHECK(claims->subject == agent);
      FF_FUZZ_CHECK(claims->role == ff::auth::Role::kAgent);
      FF_FUZZ_CHECK(!other.verify(minted.token).ok());
      break;
    }
  }
  return 0;
}
