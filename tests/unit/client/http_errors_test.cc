#include <gtest/gtest.h>

#include "client/event_stream.h"
#include "client/http_errors.h"
#include "client/token_claims.h"
#include "common/base64.h"

namespace ff::client {
namespace {

TEST(StatusFromHttp, MapsTheContractTable) {
  EXPECT_TRUE(status_from_http(200, "").ok());
  EXPECT_TRUE(status_from_http(204, "").ok());
  EXPECT_EQ(status_from_http(400, "").code(), Code::kInvalidArgument);
  EXPECT_EQ(status_from_http(401, "").code(), Code::kUnauthenticated);
  EXPECT_EQ(status_from_http(403, "").code(), Code::kPermissionDenied);
  EXPECT_EQ(status_from_http(404, "").code(), Code::kNotFound);
  EXPECT_EQ(status_from_http(409, "").code(), Code::kConflict);
  EXPECT_EQ(status_from_http(413, "").code(), Code::kTooLarge);
  EXPECT_EQ(status_from_http(422, "").code(), Code::kValidation);
  EXPECT_EQ(status_from_http(429, "").code(), Code::kRateLimited);
  EXPECT_EQ(status_from_http(503, "").code(), Code::kUnavailable);
  EXPECT_EQ(status_from_http(500, "").code(), Code::kUnavailable);
}

TEST(StatusFromHttp, SurfacesDetail) {
  Status s = status_from_http(400, R"({"detail":"Checksum mismatch: expected a, got b"})");
  EXPECT_EQ(s.message(), "Checksum mismatch: expected a, got b");
  EXPECT_EQ(status_from_http(404, "<html>").message(), "not found");
}

TEST(StatusFromHttp, OnlyUnavailableAndRateLimitedAreRetryable) {
  EXPECT_TRUE(is_retryable(status_from_http(503, "")));
  EXPECT_TRUE(is_retryable(status_from_http(429, "")));
  EXPECT_FALSE(is_retryable(status_from_http(401, "")));
  EXPECT_FALSE(is_retryable(status_from_http(409, "")));
}

TEST(RetryAfter, SecondsAndHttpDates) {
  SystemTime now = from_unix_seconds(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("5", now), std::chrono::seconds(5));
  EXPECT_EQ(parse_retry_after(" 120 ", now), std::chrono::seconds(120));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now), std::chrono::seconds(60));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), std::chrono::seconds(0));
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
}

TEST(TokenClaims, ReadsSubRoleAndTimes) {
  std::string payload = base64url_encode(R"({"sub":"a1","role":"agent","iat":100,"exp":200})");
  auto c = decode_claims("eyJhbGciOiJIUzI1NiJ9." + payload + ".sig");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->subject, "a1");
  EXPECT_EQ(c->role, "agent");
  EXPECT_EQ(c->issued, from_unix_seconds(100));
  EXPECT_EQ(c->expires, from_unix_seconds(200));
  EXPECT_EQ(decode_claims("garbage").status().code(), Code::kInvalidArgument);
}

TEST(EventStreamUrl, BuildsWsAndWssTargets) {
  EXPECT_EQ(*event_stream_url("http://127.0.0.1:8000", "t.k.n", std::nullopt),
            "ws://127.0.0.1:8000/ws?token=t.k.n");
  EXPECT_EQ(*event_stream_url("https://orch.example/api/", "abc", 42),
            "wss://orch.example:443/api/ws?token=abc&since=42");
  EXPECT_FALSE(event_stream_url("ftp://x", "t", std::nullopt).ok());
}

}  // namespace
}  // namespace ff::client
