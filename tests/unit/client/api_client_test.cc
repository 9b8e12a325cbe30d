#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "client/api_client.h"
#include "client/event_stream.h"
#include "fake_http_server.h"

namespace ff::client {
namespace {

using testing::FakeHttpServer;
using testing::SeenRequest;

ClientOptions opts(const std::string& url) {
  ClientOptions o;
  o.base_url = url;
  o.request_timeout = std::chrono::seconds(5);
  return o;
}

TEST(ApiClient, SendsJsonWithBearerAndParsesTheAnswer) {
  FakeHttpServer server([](const SeenRequest&) {
    return FakeHttpServer::response(200, R"({"id":"s1","presigned_url":null})",
                                    "Content-Type: application/json\r\n");
  });
  ApiClient c(opts(server.url() + "/"));
  c.set_token("tok");
  auto r = c.post("/snapshots", {{"id", "s1"}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)["id"], "s1");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/snapshots");
  EXPECT_NE(seen[0].headers.find("Authorization: Bearer tok"), std::string::npos);
  EXPECT_NE(seen[0].headers.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(seen[0].body, R"({"id":"s1"})");
}

TEST(ApiClient, LargeJsonAnswersAreKeptWhole) {
  // A lookup or locate of 10000 ids answers with ~1.5 MiB of JSON.
  std::string big = "{\"known\":{";
  for (int i = 0; i < 20000; ++i) big += (i ? ",\"" : "\"") + std::to_string(i) + "\":\"p\"";
  big += "}}";
  FakeHttpServer server([&](const SeenRequest&) {
    return FakeHttpServer::response(200, big, "Content-Type: application/json\r\n");
  });
  ApiClient c(opts(server.url()));
  auto r = c.post("/repository/sessions/s/lookup", {{"ids", nlohmann::json::array()}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)["known"].size(), 20000u);
}

TEST(ApiClient, BoundedRangeNamesItsLastByte) {
  FakeHttpServer server([](const SeenRequest&) {
    return FakeHttpServer::response(206, "bcd", "Content-Range: bytes 1-3/10\r\n");
  });
  ApiClient c(opts(server.url()));
  std::string got;
  DownloadRequest d;
  d.url = "/packs/p/object";
  d.offset = 1;
  d.length = 3;
  d.write = [&](std::string_view chunk) {
    got.append(chunk);
    return OkStatus();
  };
  auto r = c.download(d);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(got, "bcd");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].headers.find("Range: bytes=1-3"), std::string::npos);
}

TEST(ApiClient, MapsErrorsAndExposesRetryAfter) {
  FakeHttpServer server([](const SeenRequest& r) {
    if (r.target == "/busy")
      return FakeHttpServer::response(503, R"({"detail":"database down"})", "Retry-After: 7\r\n");
    if (r.target == "/auth") return FakeHttpServer::response(401, R"({"detail":"token expired"})");
    return FakeHttpServer::response(404, R"({"detail":"snapshot x not found"})");
  });
  ApiClient c(opts(server.url()));
  auto busy = c.get("/busy");
  EXPECT_EQ(busy.status().code(), Code::kUnavailable);
  EXPECT_EQ(busy.status().message(), "database down");
  EXPECT_EQ(c.last_call().http_status, 503);
  EXPECT_EQ(c.last_call().retry_after, std::chrono::seconds(7));
  auto auth = c.get("/auth");
  EXPECT_EQ(auth.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(c.last_call().retry_after, std::nullopt);
  auto missing = c.get("/x");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "snapshot x not found");
}

TEST(ApiClient, NetworkErrorIsUnavailable) {
  int port;
  {
    FakeHttpServer s([](const SeenRequest&) { return std::string(); });
    port = std::stoi(s.url().substr(s.url().rfind(':') + 1));
  }
  ApiClient c(opts("http://127.0.0.1:" + std::to_string(port)));
  auto r = c.get("/health/live");
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(c.last_call().http_status, 0);
}

TEST(ApiClient, StreamsAnUploadFromAFile) {
  FakeHttpServer server([](const SeenRequest& r) {
    return FakeHttpServer::response(
        200, R"({"status":"uploaded","size":)" + std::to_string(r.body.size()) + "}");
  });
  std::string path = ::testing::TempDir() + "/ff-upload.bin";
  std::string data(3 * 1024 * 1024 + 5, 'x');
  std::ofstream(path, std::ios::binary) << data;
  ApiClient c(opts(server.url()));
  c.set_token("tok");
  uint64_t last = 0;
  auto r = c.upload_file("/snapshots/s1/object", path, [&](uint64_t d, uint64_t) { last = d; });
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)["size"], data.size());
  auto seen = server.requests();
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].body, data);
  EXPECT_NE(seen[0].headers.find("application/octet-stream"), std::string::npos);
  EXPECT_NE(seen[0].headers.find("Authorization: Bearer tok"), std::string::npos);
  std::remove(path.c_str());
}

TEST(ApiClient, PresignedUploadSendsNoAuthorization) {
  FakeHttpServer server([](const SeenRequest&) { return FakeHttpServer::response(200, ""); });
  std::string path = ::testing::TempDir() + "/ff-upload2.bin";
  std::ofstream(path, std::ios::binary) << "abc";
  ApiClient c(opts("http://127.0.0.1:1"));
  c.set_token("tok");
  auto r = c.upload_file(server.url() + "/bucket/key?X-Amz-Signature=s", path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(server.requests()[0].headers.find("Authorization"), std::string::npos);
  std::remove(path.c_str());
}

TEST(ApiClient, StreamsADownloadAndKeepsErrorBodiesOut) {
  std::string blob(2 * 1024 * 1024, 'z');
  FakeHttpServer server([&](const SeenRequest& r) {
    if (r.target == "/snapshots/s1/object") {
      return FakeHttpServer::response(200, blob, "ETag: \"abc\"\r\n");
    }
    return FakeHttpServer::response(409, R"({"detail":"snapshot is pending"})");
  });
  ApiClient c(opts(server.url()));
  std::string got;
  DownloadRequest req;
  req.url = "/snapshots/s1/object";
  req.write = [&](std::string_view chunk) {
    got.append(chunk);
    return OkStatus();
  };
  auto r = c.download(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(got, blob);
  EXPECT_EQ(r->bytes, blob.size());
  EXPECT_EQ(r->total_size, static_cast<int64_t>(blob.size()));
  EXPECT_EQ(r->etag, "abc");

  got.clear();
  req.url = "/snapshots/s2/object";
  auto e = c.download(req);
  EXPECT_EQ(e.status().code(), Code::kConflict);
  EXPECT_EQ(e.status().message(), "snapshot is pending");
  EXPECT_TRUE(got.empty());
}

TEST(ApiClient, SinkFailureAbortsTheDownload) {
  FakeHttpServer server(
      [](const SeenRequest&) { return FakeHttpServer::response(200, std::string(100000, 'a')); });
  ApiClient c(opts(server.url()));
  DownloadRequest req;
  req.url = "/x";
  req.write = [](std::string_view) { return Internal("disk full"); };
  EXPECT_EQ(c.download(req).status().message(), "disk full");
}

TEST(ApiClient, AbortCheckCancels) {
  FakeHttpServer server([](const SeenRequest&) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    return FakeHttpServer::response(200, "[]");
  });
  ApiClient c(opts(server.url()));
  c.set_abort_check([] { return true; });
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.get("/agent/a/commands?wait=20");
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(), "cancelled");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(EventStream, RefusedUpgradeMapsLikeHttp) {
  FakeHttpServer server([](const SeenRequest&) {
    return FakeHttpServer::response(401, R"({"detail":"invalid token"})");
  });
  auto s = EventStream::connect(opts(server.url()), "bad", std::nullopt);
  EXPECT_EQ(s.status().code(), Code::kUnauthenticated) << s.status().to_string();
}

}  // namespace
}  // namespace ff::client
