// SigV4 against botocore (python3-botocore) as an independent oracle: the same
// request and frozen time must give byte-identical canonical requests, strings
// to sign and signatures, for header auth and presigned URLs. The oracle runs
// once per test with all cases (tests/support/blob_sigv4_oracle.py).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "blob/s3/sigv4.h"
#include "common/hex.h"
#include "common/time.h"

namespace ff::blob::sigv4 {
namespace {

using nlohmann::json;

constexpr const char* kPython = "/usr/bin/python3";

struct Case {
  std::string mode;  // "header" or "presign"
  Request request;
  std::optional<std::string> body;  // nullopt: UNSIGNED-PAYLOAD
  SystemTime time;
  Credentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
  std::string region = "us-east-1";
  int expires = 3600;
};

json to_json(const Case& c) {
  json headers = json::array();
  for (const auto& [n, v] : c.request.headers) headers.push_back({n, v});
  json query = json::array();
  for (const auto& [n, v] : c.request.query) query.push_back({n, v});
  return {{"mode", c.mode},
          {"method", c.request.method},
          {"scheme", c.request.scheme},
          {"host", c.request.host},
          {"path", c.request.path},
          {"query", query},
          {"headers", headers},
          {"body_hex", c.body ? json(to_hex(*c.body)) : json(nullptr)},
          {"timestamp", amz_date(c.time)},
          {"access_key", c.credentials.access_key},
          {"secret_key", c.credentials.secret_key},
          {"region", c.region},
          {"expires", c.expires}};
}

// tests/support/blob_sigv4_oracle.py in the source tree.
std::string oracle_path() {
  return std::string(FF_TESTS_SOURCE_DIR) + "/support/blob_sigv4_oracle.py";
}

// Runs the oracle on `cases`; nullopt (with *why set) when it cannot run.
std::optional<json> run_oracle(const std::vector<Case>& cases, std::string* why) {
  if (std::FILE* f = std::fopen(kPython, "r"); f != nullptr) {
    std::fclose(f);
  } else {
    *why = std::string(kPython) + " not found";
    return std::nullopt;
  }
  json input = json::array();
  for (const Case& c : cases) input.push_back(to_json(c));
  char path[] = "/tmp/ff-sigv4-oracle-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    *why = "mkstemp failed";
    return std::nullopt;
  }
  close(fd);
  std::ofstream(path) << input.dump();
  std::string cmd = std::string(kPython) + " " + oracle_path() + " < " + path + " 2>&1";
  std::FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int rc = pclose(pipe);
  std::remove(path);
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) {
    *why = "botocore is not installed for " + std::string(kPython) + ": " + out;
    return std::nullopt;
  }
  if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    ADD_FAILURE() << "oracle failed: " << out;
    *why = "oracle failed";
    return std::nullopt;
  }
  return json::parse(out);
}

std::vector<std::string> sorted_query_of(const std::string& url) {
  std::vector<std::string> parts;
  size_t q = url.find('?');
  std::stringstream ss(q == std::string::npos ? "" : url.substr(q + 1));
  for (std::string item; std::getline(ss, item, '&');) parts.push_back(item);
  std::sort(parts.begin(), parts.end());
  return parts;
}

// Keys S3 must round-trip: spaces, unicode, every reserved character.
const std::vector<std::string> kTrickyKeys = {
    "snapshots/plain-id_1.tar",
    "snapshots/with space",
    "snapshots/  leading and trailing  ",
    "snapshots/unicode-\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80",  // é € 😀
    "snapshots/plus+bang!star*quote'paren()",
    "snapshots/amp&dollar$at@eq=semi;colon:comma,question?",
    "snapshots/hash#percent%25brackets[]{}|caret^backtick`",
    "snapshots/tilde~dot.under_score-dash",
    "deep/nested//double-slash/./dot/../dotdot",
    "snapshots/quote\"lt<gt>backslash\\",
};

std::vector<Case> build_cases() {
  std::vector<Case> cases;
  const SystemTime t0 = *parse_rfc3339("2013-05-24T00:00:00Z");
  const SystemTime t1 = *parse_rfc3339("2026-11-26T18:43:05Z");
  auto base = [&](const std::string& mode, const std::string& method, const std::string& key) {
    Case c;
    c.mode = mode;
    c.request.method = method;
    c.request.scheme = "http";
    c.request.host = "127.0.0.1:45678";
    c.request.path = "/fortfail-bucket/" + key;
    c.time = t1;
    return c;
  };
  for (const std::string& key : kTrickyKeys) {
    Case get = base("header", "GET", key);
    get.body = "";
    get.request.headers = {{"Range", "bytes=5-"}};
    cases.push_back(get);

    Case put = base("header", "PUT", key);
    put.body = std::string("payload for ") + key;
    cases.push_back(put);

    Case unsigned_put = base("header", "PUT", key);
    unsigned_put.request.scheme = "https";
    unsigned_put.request.host = "s3.eu-west-1.amazonaws.com";
    unsigned_put.region = "eu-west-1";
    unsigned_put.time = t0;
    cases.push_back(unsigned_put);  // body nullopt: UNSIGNED-PAYLOAD

    Case part = base("header", "PUT", key);
    part.body = std::string(1000, 'x');
    part.request.query = {{"uploadId", "2~abc/def+ghi=="}, {"partNumber", "17"}};
    cases.push_back(part);

    Case presigned = base("presign", "PUT", key);
    presigned.expires = 900;
    cases.push_back(presigned);

    Case presigned_typed = base("presign", "PUT", key);
    presigned_typed.request.headers = {{"Content-Type", "application/octet-stream"}};
    presigned_typed.request.query = {{"x-id", "PutObject"}};
    presigned_typed.expires = 604800;
    cases.push_back(presigned_typed);
  }
  // Query parameters with reserved characters, empty values and odd header spacing.
  Case list = base("header", "GET", "");
  list.request.path = "/fortfail-bucket";
  list.body = "";
  list.request.query = {{"uploads", ""},
                        {"prefix", "snapshots/a b+c"},
                        {"delimiter", "/"},
                        {"key-marker", "!*'();:@&=+$,/?#[]"}};
  list.request.headers = {{"X-Amz-Meta-Note", "  several   inner    spaces  "},
                          {"Content-Type", "application/xml"}};
  cases.push_back(list);

  Case bucket = base("header", "PUT", "");
  bucket.request.path = "/fortfail-bucket";
  bucket.body =
      "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>"
      "</CreateBucketConfiguration>";
  bucket.region = "eu-west-1";
  cases.push_back(bucket);

  // Random keys over a wide alphabet, fixed seed.
  std::mt19937 rng(20130524);
  const std::string alphabet = "abcXYZ0189 -._~!*'()&$@=;:,?+/%#[]{}|^`\"<>\\\xC3\xA9\xE2\x82\xAC";
  for (int i = 0; i < 60; ++i) {
    std::string key = "r/";
    int len = 1 + static_cast<int>(rng() % 24);
    for (int j = 0; j < len; ++j) {
      char ch = alphabet[rng() % alphabet.size()];
      // Keep UTF-8 sequences whole: multi-byte characters are appended entire.
      if (static_cast<unsigned char>(ch) >= 0x80) {
        key += (rng() % 2) ? "\xC3\xA9" : "\xE2\x82\xAC";
      } else {
        key.push_back(ch);
      }
    }
    Case c = base(i % 2 ? "presign" : "header", i % 3 ? "PUT" : "GET", key);
    if (c.mode == "header") c.body = std::string(static_cast<size_t>(i), 'q');
    c.time = t1 + std::chrono::seconds(i * 86399);
    cases.push_back(c);
  }
  return cases;
}

struct Ours {
  std::string canonical_request, string_to_sign, signature, authorization, url;
};

Ours sign_ours(const Case& c) {
  Ours o;
  if (c.mode == "header") {
    const std::string hash = c.body ? sha256_hex(*c.body) : std::string(kUnsignedPayload);
    SignedRequest s = sign_request(c.request, hash, c.credentials, Scope{c.region, "s3"}, c.time);
    o = {s.canonical_request, s.string_to_sign, s.signature, s.authorization, ""};
  } else {
    Result<PresignedUrl> p = presign(c.request, c.credentials, Scope{c.region, "s3"}, c.time,
                                     std::chrono::seconds(c.expires));
    EXPECT_TRUE(p.ok()) << p.status().to_string();
    if (p.ok()) o = {p->canonical_request, p->string_to_sign, p->signature, "", p->url};
  }
  return o;
}

TEST(SigV4Oracle, HeaderAndPresignedSignaturesMatchBotocoreByteForByte) {
  std::vector<Case> cases = build_cases();
  std::string why;
  std::optional<json> expected = run_oracle(cases, &why);
  if (!expected) GTEST_SKIP() << "SigV4 oracle unavailable: " << why;
  ASSERT_EQ(expected->size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const json& e = (*expected)[i];
    Ours o = sign_ours(c);
    SCOPED_TRACE("case " + std::to_string(i) + " " + c.mode + " " + c.request.method + " " +
                 c.request.path);
    EXPECT_EQ(o.canonical_request, e.at("canonical_request").get<std::string>());
    EXPECT_EQ(o.string_to_sign, e.at("string_to_sign").get<std::string>());
    EXPECT_EQ(o.signature, e.at("signature").get<std::string>());
    if (c.mode == "header") {
      EXPECT_EQ(o.authorization, e.at("authorization").get<std::string>());
    } else {
      const std::string theirs = e.at("url").get<std::string>();
      // Same URL up to the order of query parameters.
      EXPECT_EQ(o.url.substr(0, o.url.find('?')), theirs.substr(0, theirs.find('?')));
      EXPECT_EQ(sorted_query_of(o.url), sorted_query_of(theirs));
    }
  }
  std::cout << "compared " << cases.size() << " cases with botocore\n";
}

}  // namespace
}  // namespace ff::blob::sigv4
