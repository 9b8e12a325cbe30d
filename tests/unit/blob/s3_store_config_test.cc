// The S3 store's optional streaming PUT and its configuration checks, plus
// the closed-port case, against the fake server (and s3rver when set).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>

#include "common/hex.h"
#include "s3_fake.h"
#include "store_harness.h"

namespace ff::blob {
namespace {

using namespace ff::blob::testing;

TEST(S3StoreUnavailable, ClosedPortIsUnavailableQuicklyForEveryOperation) {
  S3Config config = fake_config("http://127.0.0.1:" + std::to_string(closed_port()));
  config.retry_base_delay = std::chrono::milliseconds(10);
  auto store = make_store(config);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(store->ensure_ready().code(), Code::kUnavailable);
  EXPECT_EQ(store->ping().code(), Code::kUnavailable);
  EXPECT_EQ(store->stat("snapshots/x").status().code(), Code::kUnavailable);
  EXPECT_EQ(store->open("snapshots/x", 0, std::nullopt).status().code(), Code::kUnavailable);
  EXPECT_EQ(store->remove("snapshots/x").code(), Code::kUnavailable);
  auto w = store->create("snapshots/x", 3);
  ASSERT_TRUE(w.ok());  // nothing is sent before the first part or commit
  ASSERT_TRUE((*w)->write("abc").ok());
  Status commit = (*w)->commit();
  EXPECT_EQ(commit.code(), Code::kUnavailable);
  EXPECT_NE(commit.message().find("PutObject snapshots/x"), std::string::npos) << commit.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // Presigning is local computation: it works while the server is down.
  EXPECT_TRUE(store->presign_put("snapshots/x", std::chrono::seconds(60)).ok());
}

TEST(S3StoreFaults, StreamingPutSendsOneUnsignedPayloadRequestOfTheExpectedLength) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const FakeRequest&) {
    ++calls;
    return FakeResponse{200, {}, ""};
  });
  S3Config config = fake_config(server.endpoint());
  config.stream_put_max_size = 1 << 20;
  auto store = make_store(config);
  const std::string data = testing::random_bytes(5000, 21);
  auto w = store->create("snapshots/streamed", data.size());
  for (size_t i = 0; i < data.size(); i += 700) {
    ASSERT_TRUE((*w)->write(std::string_view(data).substr(i, 700)).ok());
  }
  ASSERT_TRUE((*w)->commit().ok());
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].headers.at("content-length"), "5000");
  EXPECT_EQ(requests[0].headers.at("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(requests[0].body == data);
  expect_valid_signature(requests[0], kSecret);
}

TEST(S3StoreFaults, StreamingPutRefusesAnyOtherLengthThanExpected) {
  FakeHttpServer server([](const FakeRequest&) { return FakeResponse{200, {}, ""}; });
  S3Config config = fake_config(server.endpoint());
  config.stream_put_max_size = 1 << 20;
  auto store = make_store(config);
  auto shorter = store->create("snapshots/short", 4000);
  ASSERT_TRUE((*shorter)->write(std::string(3999, 's')).ok());
  EXPECT_EQ((*shorter)->commit().code(), Code::kIntegrity);
  auto longer = store->create("snapshots/long", 4000);
  ASSERT_TRUE((*longer)->write(std::string(3000, 'l')).ok());
  EXPECT_EQ((*longer)->write(std::string(1001, 'l')).code(), Code::kIntegrity);
  EXPECT_EQ((*longer)->commit().code(), Code::kIntegrity);
  // Neither PUT was completed; each cut-short PUT is followed by a DELETE of
  // its key, for servers that keep partial bodies.
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& r : requests) EXPECT_EQ(r.method, "DELETE");
}

TEST(S3StoreFaults, StreamingPutOfAKnownHashIsSignedWithIt) {
  FakeHttpServer server([](const FakeRequest&) { return FakeResponse{200, {}, ""}; });
  S3Config config = fake_config(server.endpoint());
  config.stream_put_max_size = 1 << 20;
  auto store = make_store(config);
  const std::string data = testing::random_bytes(5000, 23);
  const std::string sha = sha256_hex(data);
  auto w = store->create_checked("snapshots/checked", data.size(), sha);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->write(data).ok());
  ASSERT_TRUE((*w)->commit().ok());
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.at("x-amz-content-sha256"), sha);
  expect_valid_signature(requests[0], kSecret);
  // Not a SHA-256 in lowercase hex: signed as unsigned payload, not refused.
  auto odd = store->create_checked("snapshots/odd", data.size(), "not-a-hash");
  ASSERT_TRUE((*odd)->write(data).ok());
  ASSERT_TRUE((*odd)->commit().ok());
  EXPECT_EQ(server.requests().back().headers.at("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
}

TEST(S3StoreFaults, StreamingPutReportsTheServersRefusal) {
  FakeHttpServer server([](const FakeRequest&) { return s3_error(403, "AccessDenied"); });
  S3Config config = fake_config(server.endpoint());
  config.stream_put_max_size = 1 << 20;
  auto store = make_store(config);
  auto w = store->create("snapshots/denied", 3000);
  Status s = (*w)->write(std::string(3000, 'd'));
  if (s.ok()) s = (*w)->commit();
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("AccessDenied"), std::string::npos) << s.message();
}

TEST(S3StoreServer, StreamingPutRoundTripsOnTheTestServer) {
  if (testing::s3_endpoint_from_env().empty()) GTEST_SKIP() << "FF_TEST_S3_ENDPOINT is not set";
  S3Config config = testing::s3_test_config(256 * 1024);
  config.stream_put_max_size = 1ull << 30;
  auto store = make_store(config);
  ASSERT_TRUE(store->ensure_ready().ok());
  const std::string data = testing::random_bytes(3 * 1024 * 1024 + 3, 22);
  auto w = store->create("snapshots/streamed", data.size());
  for (size_t i = 0; i < data.size(); i += 65536) {
    ASSERT_TRUE((*w)->write(std::string_view(data).substr(i, 65536)).ok());
  }
  ASSERT_TRUE((*w)->commit().ok());
  auto r = store->open("snapshots/streamed", 0, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  Result<std::string> back = read_all(**r);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_TRUE(*back == data);
}

TEST(S3StoreConfig, PresignedUrlUsesPublicEndpointAndRejectsBadConfig) {
  S3Config config = fake_config("http://10.0.0.5:9000");
  config.public_endpoint = "https://objects.example.com";
  auto store = make_store(config);
  auto url = store->presign_put("snapshots/s1", std::chrono::seconds(900));
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(url->has_value());
  EXPECT_EQ(url->value().rfind("https://objects.example.com/bucket/snapshots/s1?", 0), 0u) << **url;
  EXPECT_NE(url->value().find("X-Amz-Expires=900"), std::string::npos);
  EXPECT_EQ(url->value().find(kSecret), std::string::npos);

  for (auto mutate : std::vector<std::function<void(S3Config&)>>{
           [](S3Config& c) { c.endpoint = "ftp://x"; },
           [](S3Config& c) { c.endpoint = "127.0.0.1:9000"; },
           [](S3Config& c) { c.bucket = "Bad_Bucket"; },
           [](S3Config& c) { c.secret_key = ""; },
           [](S3Config& c) { c.part_size = 0; },
       }) {
    S3Config bad = fake_config("http://127.0.0.1:9");
    mutate(bad);
    EXPECT_EQ(S3Store::create_store(bad, sys::system_clock()).status().code(),
              Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace ff::blob
