// SigV4 against the examples AWS publishes in the S3 documentation
// ("Signature Calculations for the Authorization Header: Transferring Payload
// in a Single Chunk" and "Authenticating Requests: Using Query Parameters").
#include "blob/s3/sigv4.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "common/time.h"

namespace ff::blob::sigv4 {
namespace {

const Credentials kAwsExampleCredentials{"AKIAIOSFODNN7EXAMPLE",
                                         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};

SystemTime example_time() { return *parse_rfc3339("2013-05-24T00:00:00Z"); }

Request example_request(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.scheme = "https";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = std::move(path);
  return r;
}

TEST(SigV4, GetObjectWithRangeMatchesAwsExample) {
  Request r = example_request("GET", "/test.txt");
  r.headers = {{"Range", "bytes=0-9"}};
  SignedRequest s =
      sign_request(r, kEmptyPayloadHash, kAwsExampleCredentials, Scope{}, example_time());
  EXPECT_EQ(
      s.canonical_request,
      "GET\n"
      "/test.txt\n"
      "\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "range:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "\n"
      "host;range;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20130524T000000Z\n"
            "20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.target, "/test.txt");
}

TEST(SigV4, PutObjectWithReservedCharacterInKeyMatchesAwsExample) {
  Request r = example_request("PUT", "/test$file.text");
  r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  const std::string payload_hash = sha256_hex("Welcome to Amazon S3.");
  EXPECT_EQ(payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SignedRequest s = sign_request(r, payload_hash, kAwsExampleCredentials, Scope{}, example_time());
  EXPECT_EQ(
      s.canonical_request,
      "PUT\n"
      "/test%24file.text\n"
      "\n"
      "date:Fri, 24 May 2013 00:00:00 GMT\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
      "x-amz-date:20130524T000000Z\n"
      "x-amz-storage-class:REDUCED_REDUNDANCY\n"
      "\n"
      "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
      "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20130524T000000Z\n"
            "20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  EXPECT_EQ(s.target, "/test%24file.text");
}

TEST(SigV4, GetBucketLifecycleWithValuelessQueryMatchesAwsExample) {
  Request r = example_request("GET", "/");
  r.query = {{"lifecycle", ""}};
  SignedRequest s =
      sign_request(r, kEmptyPayloadHash, kAwsExampleCredentials, Scope{}, example_time());
  EXPECT_EQ(
      s.canonical_request,
      "GET\n"
      "/\n"
      "lifecycle=\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "\n"
      "host;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, ListObjectsWithUnsortedQueryMatchesAwsExample) {
  Request r = example_request("GET", "/");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // sorted by the signer
  SignedRequest s =
      sign_request(r, kEmptyPayloadHash, kAwsExampleCredentials, Scope{}, example_time());
  EXPECT_EQ(
      s.canonical_request,
      "GET\n"
      "/\n"
      "max-keys=2&prefix=J\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "\n"
      "host;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  EXPECT_EQ(s.target, "/?max-keys=2&prefix=J");
}

TEST(SigV4, PresignedGetMatchesAwsExample) {
  Request r = example_request("GET", "/test.txt");
  Result<PresignedUrl> p =
      presign(r, kAwsExampleCredentials, Scope{}, example_time(), std::chrono::seconds(86400));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->canonical_request,
            "GET\n"
            "/test.txt\n"
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
            "X-Amz-SignedHeaders=host\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "\n"
            "host\n"
            "UNSIGNED-PAYLOAD");
  EXPECT_EQ(p->string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20130524T000000Z\n"
            "20130524/us-east-1/s3/aws4_request\n"
            "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
  EXPECT_EQ(p->signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_EQ(p->url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&"
            "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&"
            "X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, PresignRejectsExpiryOutsideOneSecondToSevenDays) {
  Request r = example_request("PUT", "/test.txt");
  auto too_long =
      presign(r, kAwsExampleCredentials, Scope{}, example_time(), std::chrono::seconds(604801));
  EXPECT_EQ(too_long.status().code(), Code::kInvalidArgument);
  auto zero = presign(r, kAwsExampleCredentials, Scope{}, example_time(), std::chrono::seconds(0));
  EXPECT_EQ(zero.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(presign(r, kAwsExampleCredentials, Scope{}, example_time(), kMaxPresignExpiry).ok());
}

TEST(SigV4, UriEncodeKeepsUnreservedAndEncodesEverythingElseUppercase) {
  EXPECT_EQ(uri_encode("AZaz09-._~", true), "AZaz09-._~");
  EXPECT_EQ(uri_encode("a b+c/d", false), "a%20b%2Bc/d");
  EXPECT_EQ(uri_encode("a b+c/d", true), "a%20b%2Bc%2Fd");
  EXPECT_EQ(uri_encode("!*'()&$@=;:,?#[]%", true),
            "%21%2A%27%28%29%26%24%40%3D%3B%3A%2C%3F%23%5B%5D%25");
  EXPECT_EQ(uri_encode("\xC3\xA9\xE2\x82\xAC", false), "%C3%A9%E2%82%AC");  // "é€"
}

TEST(SigV4, CanonicalUriIsNotNormalizedForS3) {
  EXPECT_EQ(canonical_uri("/bucket/a//b/../c/./d"), "/bucket/a//b/../c/./d");
  EXPECT_EQ(canonical_uri(""), "/");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValue) {
  EXPECT_EQ(canonical_query({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"A", "1"}, {"uploads", ""}}),
            "A=1&a=y&a=z&b=2&uploads=");
  EXPECT_EQ(canonical_query({{"k y", "v/w+x"}}), "k%20y=v%2Fw%2Bx");
}

TEST(SigV4, HeadersAreLowercasedTrimmedCollapsedAndJoined) {
  CanonicalHeaders h = canonicalize_headers({{"X-Amz-Meta-B", "  two   spaces  here "},
                                             {"Host", "h"},
                                             {"x-amz-meta-a", "1"},
                                             {"X-AMZ-META-A", "2"}});
  EXPECT_EQ(h.block, "host:h\nx-amz-meta-a:1,2\nx-amz-meta-b:two spaces here\n");
  EXPECT_EQ(h.names, "host;x-amz-meta-a;x-amz-meta-b");
}

TEST(SigV4, SigningKeyDependsOnDayNotTimeOfDay) {
  SystemTime morning = *parse_rfc3339("2013-05-24T00:00:01Z");
  SystemTime evening = *parse_rfc3339("2013-05-24T23:59:59Z");
  SystemTime next_day = *parse_rfc3339("2013-05-25T00:00:00Z");
  const std::string secret = kAwsExampleCredentials.secret_key;
  EXPECT_EQ(signing_key(secret, morning, Scope{}), signing_key(secret, evening, Scope{}));
  EXPECT_NE(signing_key(secret, morning, Scope{}), signing_key(secret, next_day, Scope{}));
  EXPECT_EQ(amz_date(evening), "20130524T235959Z");
}

}  // namespace
}  // namespace ff::blob::sigv4
