#include "auth/token.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/base64.h"
#include "common/hex.h"
#include "common/time.h"
#include "support/simulated_clock.h"
#include "sys/random.h"

namespace ff::auth {
namespace {

class TokenTest : public ::testing::Test {
 protected:
  testing::SimulatedClock clock_;
  TokenService tokens_{"s3cret-key", std::chrono::seconds(3600), clock_, sys::secure_random()};
};

TEST_F(TokenTest, AgentTokenRoundTripsWithClaims) {
  MintedToken t = tokens_.mint(std::string("agent-1"));
  auto c = tokens_.verify(t.token);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->subject, "agent-1");
  EXPECT_EQ(c->role, Role::kAgent);
  EXPECT_EQ(c->expires_at - c->issued_at, 3600);
  EXPECT_EQ(c->token_id.size(), 32u);
  EXPECT_TRUE(c->may_act_for("agent-1"));
  EXPECT_FALSE(c->may_act_for("agent-2"));
}

TEST_F(TokenTest, OperatorSecretTokenIsAdminAndMayActForEveryone) {
  auto c = tokens_.verify(tokens_.mint(std::nullopt).token);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->role, Role::kAdmin);
  EXPECT_FALSE(c->is_agent());
  EXPECT_TRUE(c->may_act_for("anyone"));
}

TEST_F(TokenTest, EveryRoleRoundTripsWithItsKeyId) {
  for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    MintedToken t = tokens_.mint(role, "key:k1", "k1");
    auto c = tokens_.verify(t.token);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->role, role);
    EXPECT_EQ(c->key_id, "k1");
    EXPECT_EQ(c->subject, "key:k1");
  }
}

// A token minted before roles existed: role "operator" without "rv".
std::string legacy_token(const std::string& secret, const std::string& role, int64_t iat) {
  std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  std::string payload = base64url_encode(
      R"({"sub":"operator","role":")" + role + R"(","iat":)" + std::to_string(iat) + R"(,"exp":)" +
      std::to_string(iat + 3600) + R"(,"iss":"fortfail","jti":"j"})");
  std::string input = header + "." + payload;
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

TEST_F(TokenTest, LegacyOperatorTokenVerifiesAsAdmin) {
  int64_t now = to_unix_seconds(clock_.now());
  auto c = tokens_.verify(legacy_token("s3cret-key", "operator", now));
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->role, Role::kAdmin);
  // "viewer" and "admin" only exist with rv: an old-style claim naming them is forged or broken.
  EXPECT_EQ(tokens_.verify(legacy_token("s3cret-key", "viewer", now)).status().message(),
            "invalid token: unknown role");
}

TEST(RoleGrants, PeopleByRankAgentsApart) {
  EXPECT_TRUE(grants(Role::kAdmin, Role::kViewer));
  EXPECT_TRUE(grants(Role::kOperator, Role::kOperator));
  EXPECT_FALSE(grants(Role::kViewer, Role::kOperator));
  EXPECT_FALSE(grants(Role::kOperator, Role::kAdmin));
  EXPECT_FALSE(grants(Role::kAgent, Role::kViewer));
  EXPECT_FALSE(grants(Role::kAdmin, Role::kAgent));
  EXPECT_TRUE(grants(Role::kAgent, Role::kAgent));
  EXPECT_EQ(parse_role("admin"), Role::kAdmin);
  EXPECT_EQ(parse_role("root"), std::nullopt);
}

TEST_F(TokenTest, PreviousSecretVerifiesButNeverSigns) {
  TokenService old_service("old-secret", std::chrono::seconds(3600), clock_, sys::secure_random());
  MintedToken old_token = old_service.mint(std::string("agent-1"));
  TokenService rotated("new-secret", std::chrono::seconds(3600), clock_, sys::secure_random(),
                       "old-secret");
  ASSERT_TRUE(rotated.verify(old_token.token).ok());
  // New tokens are signed with the current secret: the old one alone refuses them.
  MintedToken fresh = rotated.mint(std::string("agent-1"));
  EXPECT_EQ(old_service.verify(fresh.token).status().message(), "invalid token: bad signature");
  TokenService after("new-secret", std::chrono::seconds(3600), clock_, sys::secure_random());
  EXPECT_EQ(after.verify(old_token.token).status().message(), "invalid token: bad signature");
}

TEST_F(TokenTest, RevokedKeyAndAgentTokensAreRefusedEvenWhenRemembered) {
  Revocations revocations;
  int changes = 0;
  revocations.on_change([&] { ++changes; });
  tokens_.set_revocations(&revocations);
  MintedToken key_token = tokens_.mint(Role::kOperator, "key:k1", "k1");
  MintedToken other_key = tokens_.mint(Role::kViewer, "key:k2", "k2");
  MintedToken agent_token = tokens_.mint(std::string("agent-1"));
  ASSERT_TRUE(tokens_.verify(key_token.token).ok());  // now in the memo
  ASSERT_TRUE(tokens_.verify(agent_token.token).ok());
  revocations.revoke_key("k1");
  EXPECT_EQ(tokens_.verify(key_token.token).status().message(), "token revoked");
  EXPECT_TRUE(tokens_.verify(other_key.token).ok());
  revocations.revoke_agent("agent-1", to_unix_seconds(clock_.now()));
  EXPECT_EQ(tokens_.verify(agent_token.token).status().message(), "token revoked");
  EXPECT_EQ(changes, 2);
  // A token minted after the cut-off (a re-enrolled agent) works.
  clock_.advance(std::chrono::seconds(1));
  EXPECT_TRUE(tokens_.verify(tokens_.mint(std::string("agent-1")).token).ok());
  // A refresh that read the store before the revocation loses nothing.
  revocations.merge(RevokedSet{});
  EXPECT_EQ(tokens_.verify(key_token.token).status().message(), "token revoked");
  EXPECT_EQ(changes, 2);
  revocations.merge(RevokedSet{{"k2"}, {}});
  EXPECT_EQ(tokens_.verify(other_key.token).status().message(), "token revoked");
  EXPECT_EQ(changes, 3);
}

TEST_F(TokenTest, ExpiredTokenIsUnauthenticated) {
  MintedToken t = tokens_.mint(std::string("a"));
  clock_.advance(std::chrono::seconds(3599));
  EXPECT_TRUE(tokens_.verify(t.token).ok());
  clock_.advance(std::chrono::seconds(1));
  auto r = tokens_.verify(t.token);
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "token expired");
}

TEST_F(TokenTest, TokenSignedWithAnotherSecretIsRejected) {
  TokenService other("other-secret", std::chrono::seconds(3600), clock_, sys::secure_random());
  auto r = tokens_.verify(other.mint(std::nullopt).token);
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
}

TEST_F(TokenTest, AlgNoneIsRejected) {
  MintedToken t = tokens_.mint(std::nullopt);
  std::string payload = t.token.substr(t.token.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  std::string forged = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
  auto r = tokens_.verify(forged);
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
}

TEST_F(TokenTest, HeaderWithOtherAlgorithmIsRejectedEvenWithValidMac) {
  // An HS384 header re-signed with HS256 by someone holding the key: still refused.
  std::string header = base64url_encode(R"({"alg":"HS384","typ":"JWT"})");
  std::string payload = base64url_encode(
      R"({"sub":"x","role":"operator","iat":1800000000,"exp":1900000000,"iss":"fortfail"})");
  std::string input = header + "." + payload;
  std::string token = input + "." + base64url_encode(hmac_sha256("s3cret-key", input));
  EXPECT_EQ(tokens_.verify(token).status().message(), "invalid token: unsupported algorithm");
}

TEST_F(TokenTest, TamperedPayloadIsRejected) {
  MintedToken t = tokens_.mint(std::string("agent-1"));
  size_t d1 = t.token.find('.');
  size_t d2 = t.token.rfind('.');
  std::string payload = *base64url_decode(t.token.substr(d1 + 1, d2 - d1 - 1));
  payload.replace(payload.find("agent"), 9, "operator");
  std::string forged = t.token.substr(0, d1 + 1) + base64url_encode(payload) + t.token.substr(d2);
  EXPECT_EQ(tokens_.verify(forged).status().code(), Code::kUnauthenticated);
}

TEST_F(TokenTest, MalformedTokensAreRejected) {
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.e30"}) {
    EXPECT_EQ(tokens_.verify(bad).status().code(), Code::kUnauthenticated) << bad;
  }
}

TEST_F(TokenTest, RememberedTokensStillExpireAndFailuresAreNotRemembered) {
  MintedToken t = tokens_.mint(std::string("agent-1"));
  ASSERT_TRUE(tokens_.verify(t.token).ok());
  auto again = tokens_.verify(t.token);  // from the memo
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->subject, "agent-1");
  std::string forged = t.token;
  char& c = forged[forged.size() - 10];  // inside the signature, clear of padding bits
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(tokens_.verify(forged).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(tokens_.verify(forged).status().code(), Code::kUnauthenticated);
  clock_.advance(std::chrono::seconds(3600));
  EXPECT_EQ(tokens_.verify(t.token).status().message(), "token expired");
}

TEST_F(TokenTest, MemoStaysBoundedAndKeepsVerifying) {
  std::vector<std::string> minted;
  for (size_t i = 0; i < TokenService::kMemoCapacity + 10; ++i) {
    minted.push_back(tokens_.mint(std::string("a") + std::to_string(i)).token);
    ASSERT_TRUE(tokens_.verify(minted.back()).ok());
  }
  for (size_t i : {size_t{0}, size_t{5}, minted.size() - 1}) {
    auto c = tokens_.verify(minted[i]);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->subject, "a" + std::to_string(i));
  }
}

TEST_F(TokenTest, WrongIssuerIsRejected) {
  std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  std::string payload = base64url_encode(
      R"({"sub":"x","role":"operator","iat":1800000000,"exp":1900000000,"iss":"evil"})");
  std::string input = header + "." + payload;
  std::string token = input + "." + base64url_encode(hmac_sha256("s3cret-key", input));
  EXPECT_EQ(tokens_.verify(token).status().message(), "invalid token: wrong issuer");
}

TEST(Base64Url, RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    auto enc = base64url_encode(data);
    EXPECT_EQ(enc.find('='), std::string::npos);
    auto dec = base64url_decode(enc);
    ASSERT_TRUE(dec.has_value());
    EXPECT_EQ(*dec, data);
    data.push_back(static_cast<char>(i * 37));
  }
  EXPECT_FALSE(base64url_decode("a").has_value());
  EXPECT_FALSE(base64url_decode("ab+/").has_value());
}

}  // namespace
}  // namespace ff::auth
