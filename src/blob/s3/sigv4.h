// AWS Signature Version 4 for S3, hand-written (no AWS SDK in reach).
//
// Two ways to authenticate a request:
//  - sign_request(): the Authorization header, with x-amz-date and
//    x-amz-content-sha256 (the hex SHA-256 of the body, or UNSIGNED-PAYLOAD);
//  - presign(): query authentication (X-Amz-Algorithm ... X-Amz-Signature), the
//    URL a client can use without credentials until X-Amz-Expires runs out.
//
// Every function is pure: the signing time is a parameter, so tests freeze it
// and compare against AWS's published examples and botocore byte for byte.
// The intermediate strings (canonical request, string to sign) are returned for
// exactly that purpose; they hold no secret.
//
// S3 specifics honoured here: the path is URI-encoded once and not normalized
// ("/a//b/../c" stays as it is; '/' is kept), query names and values are
// encoded with '/' escaped, sorted by encoded name then value; header values are
// trimmed and runs of spaces collapsed.
//
// Thread-safety: free functions on values; safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace ff::blob::sigv4 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string: the payload hash of GET, HEAD and DELETE.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// The longest validity AWS accepts for a presigned URL (7 days).
inline constexpr std::chrono::seconds kMaxPresignExpiry{604800};

struct Credentials {
  std::string access_key;
  std::string secret_key;
};

// The credential scope's region and service ("us-east-1", "s3").
struct Scope {
  std::string region = "us-east-1";
  std::string service = "s3";
};

// A request before signing. Names and values are raw (not percent-encoded).
struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string scheme;  // "http" or "https"; only used to build presigned URLs
  std::string host;    // the Host header: "host" or "host:port" (no default port)
  std::string path;    // raw path starting with '/', e.g. "/bucket/snapshots/a b"
  Pairs query;         // raw query parameters; a value may be empty ("uploads")
  Pairs headers;       // further headers to sign and send ("range", "content-type")
};

// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (and '/' when
// `encode_slash` is false) as %XX with uppercase hex: AWS's UriEncode().
std::string uri_encode(std::string_view s, bool encode_slash);

// The encoded path as it appears both on the wire and in the canonical request.
std::string canonical_uri(std::string_view raw_path);
// "name=value&..." sorted by encoded name, then encoded value.
std::string canonical_query(const Pairs& raw_query);

struct CanonicalHeaders {
  std::string block;  // "name:value\n" per header, sorted (repeated names joined by ',')
  std::string names;  // "name1;name2"
};
// Lowercases names, trims values and collapses runs of spaces.
CanonicalHeaders canonicalize_headers(const Pairs& headers);

// "20130524T000000Z" and "20130524".
std::string amz_date(SystemTime t);
std::string amz_day(SystemTime t);
// "20130524/us-east-1/s3/aws4_request".
std::string credential_scope(SystemTime t, const Scope& scope);

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const CanonicalHeaders& headers,
                              std::string_view payload_hash);
std::string string_to_sign(SystemTime t, const Scope& scope, std::string_view canonical_request);
// kSigning = HMAC chain over day, region, service, "aws4_request" (raw 32 bytes).
std::string signing_key(std::string_view secret_key, SystemTime t, const Scope& scope);
// Lowercase hex HMAC-SHA256 of `string_to_sign` under `key`.
std::string signature(std::string_view key, std::string_view string_to_sign);

struct SignedRequest {
  std::string target;  // encoded path + "?" + canonical query: the request target to send
  Pairs headers;       // every header to send: host, the request's, x-amz-*, authorization
  std::string authorization;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

// Header authentication. `payload_hash` is the lowercase hex SHA-256 of the
// body or kUnsignedPayload; it is sent as x-amz-content-sha256 and signed.
// Signs host, x-amz-content-sha256, x-amz-date and every header in `request`.
SignedRequest sign_request(const Request& request, std::string_view payload_hash,
                           const Credentials& credentials, const Scope& scope, SystemTime now);

struct PresignedUrl {
  std::string url;  // scheme://host/path?query&X-Amz-...&X-Amz-Signature=...
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

// Query authentication with an UNSIGNED-PAYLOAD body. Signs host and the
// request's headers (a client must then send them unchanged).
// kInvalidArgument when `expires` is outside [1 s, 7 days].
Result<PresignedUrl> presign(const Request& request, const Credentials& credentials,
                             const Scope& scope, SystemTime now, std::chrono::seconds expires);

}  // namespace ff::blob::sigv4
