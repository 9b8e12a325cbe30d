// Shared pieces of the S3 store tests that run against the scripted fake
// server (tests/support/blob_fake_http.h): a config with tiny parts and fast
// retries, S3 error documents, request counting and a server-side SigV4 check.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "blob/s3/s3_store.h"
#include "blob/s3/sigv4.h"
#include "common/time.h"
#include "support/blob_fake_http.h"

namespace ff::blob::testing {

using ff::testing::FakeHttpServer;
using ff::testing::FakeRequest;
using ff::testing::FakeResponse;

inline constexpr const char* kSecret = "fake-secret-never-shown";

inline S3Config fake_config(const std::string& endpoint) {
  S3Config c;
  c.endpoint = endpoint;
  c.access_key = "AKFAKE";
  c.secret_key = kSecret;
  c.bucket = "bucket";
  c.part_size = 1024;
  c.stream_put_max_size = 0;  // multipart above one part; streaming tests turn it on
  c.max_retries = 2;
  c.retry_base_delay = std::chrono::milliseconds(1);
  c.retry_max_delay = std::chrono::milliseconds(5);
  c.connect_timeout = std::chrono::milliseconds(1000);
  c.io_timeout = std::chrono::milliseconds(2000);
  c.abort_uploads_older_than = std::chrono::seconds(0);
  return c;
}

inline std::unique_ptr<S3Store> make_store(const S3Config& config,
                                           const sys::Clock& clock = sys::system_clock()) {
  auto store = S3Store::create_store(config, clock);
  EXPECT_TRUE(store.ok()) << store.status().to_string();
  return std::move(*store);
}

inline FakeResponse s3_error(int status, const std::string& code) {
  return {status,
          {{"Content-Type", "application/xml"}},
          "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>details for " + code +
              "</Message></Error>"};
}

inline int count(const std::vector<FakeRequest>& requests, const std::string& method,
                 const std::string& query_name = "") {
  int n = 0;
  for (const auto& r : requests) {
    if (r.method == method && (query_name.empty() || r.has_query(query_name))) ++n;
  }
  return n;
}

inline int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // nothing listens there now
  return ntohs(addr.sin_port);
}

// Verifies a recorded request the way a server does: canonical request from
// the wire bytes, then the signature under the shared secret.
inline void expect_valid_signature(const FakeRequest& r, const std::string& secret) {
  const std::string auth = r.headers.at("authorization");
  auto field = [&](const std::string& name) {
    size_t p = auth.find(name + "=");
    size_t e = auth.find(',', p);
    return auth.substr(p + name.size() + 1, e == std::string::npos ? e : e - p - name.size() - 1);
  };
  sigv4::Pairs headers;
  std::string names = field("SignedHeaders");
  for (size_t start = 0; start <= names.size();) {
    size_t end = names.find(';', start);
    if (end == std::string::npos) end = names.size();
    std::string name = names.substr(start, end - start);
    headers.emplace_back(name, r.headers.at(name));
    start = end + 1;
  }
  std::vector<std::string> query;
  for (size_t start = 0; !r.query.empty() && start <= r.query.size();) {
    size_t end = r.query.find('&', start);
    if (end == std::string::npos) end = r.query.size();
    std::string item = r.query.substr(start, end - start);
    query.push_back(item.find('=') == std::string::npos ? item + "=" : item);
    start = end + 1;
  }
  std::sort(query.begin(), query.end());
  std::string canonical_query;
  for (const auto& q : query) canonical_query += (canonical_query.empty() ? "" : "&") + q;
  const std::string date = r.headers.at("x-amz-date");
  const SystemTime t =
      *parse_rfc3339(date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 5) + ":" +
                     date.substr(11, 2) + ":" + date.substr(13, 3));
  const std::string canonical = sigv4::canonical_request(r.method, r.path, canonical_query,
                                                         sigv4::canonicalize_headers(headers),
                                                         r.headers.at("x-amz-content-sha256"));
  const std::string sts = sigv4::string_to_sign(t, sigv4::Scope{}, canonical);
  EXPECT_EQ(field("Signature"),
            sigv4::signature(sigv4::signing_key(secret, t, sigv4::Scope{}), sts))
      << r.method << " " << r.target;
}

}  // namespace ff::blob::testing
