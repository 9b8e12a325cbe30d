#include "blob/s3/sigv4.h"

#include <algorithm>
#include <ctime>

#include "common/hex.h"

namespace ff::blob::sigv4 {

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// AWS's Trimall: strip leading and trailing whitespace, collapse each run of
// inner whitespace into one space. botocore splits on any whitespace (tabs
// too), and so do we, so both agree on odd values.
std::string trim_all(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string format_utc(SystemTime t, const char* fmt) {
  std::time_t secs = static_cast<std::time_t>(to_unix_seconds(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string uri_encode(std::string_view s, bool encode_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  return uri_encode(raw_path, /*encode_slash=*/false);
}

std::string canonical_query(const Pairs& raw_query) {
  Pairs encoded;
  encoded.reserve(raw_query.size());
  for (const auto& [name, value] : raw_query) {
    encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

CanonicalHeaders canonicalize_headers(const Pairs& headers) {
  Pairs lowered;
  lowered.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    lowered.emplace_back(to_lower_ascii(trim_all(name)), trim_all(value));
  }
  // Stable: repeated headers keep their order when joined with ','.
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (i > 0 && lowered[i].first == lowered[i - 1].first) {
      out.block.back() = ',';  // replace the previous line's '\n'
    } else {
      if (!out.names.empty()) out.names.push_back(';');
      out.names += lowered[i].first;
      out.block += lowered[i].first;
      out.block.push_back(':');
    }
    out.block += lowered[i].second;
    out.block.push_back('\n');
  }
  return out;
}

std::string amz_date(SystemTime t) { return format_utc(t, "%Y%m%dT%H%M%SZ"); }
std::string amz_day(SystemTime t) { return format_utc(t, "%Y%m%d"); }

std::string credential_scope(SystemTime t, const Scope& scope) {
  return amz_day(t) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const CanonicalHeaders& headers,
                              std::string_view payload_hash) {
  std::string out;
  out.reserve(256 + headers.block.size());
  out.append(method).push_back('\n');
  out.append(canonical_uri).push_back('\n');
  out.append(canonical_query).push_back('\n');
  out.append(headers.block).push_back('\n');  // the block ends with '\n' already
  out.append(headers.names).push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string string_to_sign(SystemTime t, const Scope& scope, std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += amz_date(t);
  out.push_back('\n');
  out += credential_scope(t, scope);
  out.push_back('\n');
  out += sha256_hex(canonical_request);
  return out;
}

std::string signing_key(std::string_view secret_key, SystemTime t, const Scope& scope) {
  std::string k = hmac_sha256("AWS4" + std::string(secret_key), amz_day(t));
  k = hmac_sha256(k, scope.region);
  k = hmac_sha256(k, scope.service);
  return hmac_sha256(k, "aws4_request");
}

std::string signature(std::string_view key, std::string_view string_to_sign) {
  return to_hex(hmac_sha256(key, string_to_sign));
}

SignedRequest sign_request(const Request& request, std::string_view payload_hash,
                           const Credentials& credentials, const Scope& scope, SystemTime now) {
  SignedRequest out;
  out.headers.reserve(request.headers.size() + 4);
  out.headers.emplace_back("host", request.host);
  for (const auto& h : request.headers) out.headers.push_back(h);
  out.headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
  out.headers.emplace_back("x-amz-date", amz_date(now));

  const std::string uri = canonical_uri(request.path);
  const std::string query = canonical_query(request.query);
  const CanonicalHeaders canonical = canonicalize_headers(out.headers);
  out.canonical_request = canonical_request(request.method, uri, query, canonical, payload_hash);
  out.string_to_sign = string_to_sign(now, scope, out.canonical_request);
  out.signature = signature(signing_key(credentials.secret_key, now, scope), out.string_to_sign);
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key + "/" +
                      credential_scope(now, scope) + ", SignedHeaders=" + canonical.names +
                      ", Signature=" + out.signature;
  out.headers.emplace_back("authorization", out.authorization);
  out.target = query.empty() ? uri : uri + "?" + query;
  return out;
}

Result<PresignedUrl> presign(const Request& request, const Credentials& credentials,
                             const Scope& scope, SystemTime now, std::chrono::seconds expires) {
  if (expires.count() < 1 || expires > kMaxPresignExpiry) {
    return InvalidArgument("presigned URL expiry must be between 1 second and 7 days");
  }
  Pairs headers;
  headers.emplace_back("host", request.host);
  for (const auto& h : request.headers) headers.push_back(h);
  const CanonicalHeaders canonical = canonicalize_headers(headers);

  Pairs query = request.query;
  query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  query.emplace_back("X-Amz-Credential",
                     credentials.access_key + "/" + credential_scope(now, scope));
  query.emplace_back("X-Amz-Date", amz_date(now));
  query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  query.emplace_back("X-Amz-SignedHeaders", canonical.names);

  const std::string uri = canonical_uri(request.path);
  const std::string canonical_q = canonical_query(query);
  PresignedUrl out;
  out.canonical_request =
      canonical_request(request.method, uri, canonical_q, canonical, kUnsignedPayload);
  out.string_to_sign = string_to_sign(now, scope, out.canonical_request);
  out.signature = signature(signing_key(credentials.secret_key, now, scope), out.string_to_sign);
  out.url = request.scheme + "://" + request.host + uri + "?" + canonical_q +
            "&X-Amz-Signature=" + out.signature;
  return out;
}

}  // namespace ff::blob::sigv4
