// The S3 store's failure handling against a scripted fake server: retries and their bounds, error
// classification and messages, multipart sequencing and aborts, resumed reads, stalls, bucket
// creation, the stale-upload sweep, and that what goes on the wire is validly signed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "common/hex.h"
#include "s3_fake.h"
#include "store_harness.h"
#include "support/simulated_clock.h"

namespace ff::blob {
namespace {

using namespace ff::blob::testing;

TEST(S3StoreFaults, ServerErrorsAreRetriedThenSucceed) {
  std::atomic<int> puts{0};
  FakeHttpServer server([&](const FakeRequest& r) {
    if (r.method == "PUT" && ++puts <= 2) return s3_error(503, "SlowDown");
    return FakeResponse{200, {{"ETag", "\"e\""}}, ""};
  });
  auto store = make_store(fake_config(server.endpoint()));
  auto w = store->create("snapshots/k", 5);
  ASSERT_TRUE((*w)->write("hello").ok());
  EXPECT_TRUE((*w)->commit().ok());
  EXPECT_EQ(count(server.requests(), "PUT"), 3);
  for (const auto& r : server.requests()) EXPECT_EQ(r.body, "hello");  // replayed whole
}

TEST(S3StoreFaults, PersistentServerErrorIsUnavailableAfterBoundedRetries) {
  FakeHttpServer server([](const FakeRequest&) { return s3_error(500, "InternalError"); });
  auto store = make_store(fake_config(server.endpoint()));
  Result<ObjectInfo> info = store->stat("snapshots/k");
  EXPECT_EQ(info.status().code(), Code::kUnavailable);
  EXPECT_EQ(count(server.requests(), "HEAD"), 3);  // 1 + max_retries
}

TEST(S3StoreFaults, ClientErrorIsInternalNamesOperationAndCodeButNoSecret) {
  FakeHttpServer server([](const FakeRequest&) { return s3_error(403, "AccessDenied"); });
  auto store = make_store(fake_config(server.endpoint()));
  auto w = store->create("snapshots/k", 3);
  ASSERT_TRUE((*w)->write("abc").ok());
  Status s = (*w)->commit();
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("PutObject"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("snapshots/k"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("403"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("AccessDenied"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("Signature"), std::string::npos) << s.message();
  EXPECT_EQ(count(server.requests(), "PUT"), 1);  // permanent: not retried
}

TEST(S3StoreFaults, MissingKeyIsNotFoundButMissingBucketIsUnavailable) {
  std::atomic<bool> bucket_gone{false};
  FakeHttpServer server([&](const FakeRequest&) {
    return s3_error(404, bucket_gone ? "NoSuchBucket" : "NoSuchKey");
  });
  auto store = make_store(fake_config(server.endpoint()));
  EXPECT_EQ(store->open("snapshots/k", 0, std::nullopt).status().code(), Code::kNotFound);
  EXPECT_TRUE(store->remove("snapshots/k").ok());
  bucket_gone = true;
  EXPECT_EQ(store->open("snapshots/k", 0, std::nullopt).status().code(), Code::kUnavailable);
  EXPECT_EQ(store->ping().code(), Code::kUnavailable);
}

// A minimal multipart-capable S3 for sequencing tests.
struct MultipartServer {
  std::mutex mu;
  std::string completed_xml;
  std::vector<std::string> parts;  // bodies by part number - 1
  int fail_part = 0;               // answer 403 for this part number
  int complete_errors = 0;         // answer 200-with-<Error> this many times

  FakeResponse handle(const FakeRequest& r) {
    std::lock_guard lock(mu);
    if (r.method == "POST" && r.has_query("uploads")) {
      return {200,
              {},
              "<InitiateMultipartUploadResult><UploadId>U-1</UploadId>"
              "</InitiateMultipartUploadResult>"};
    }
    if (r.method == "PUT" && r.has_query("partNumber")) {
      int n = std::stoi(r.query.substr(r.query.find("partNumber=") + 11));
      if (n == fail_part) return s3_error(403, "AccessDenied");
      if (parts.size() < static_cast<size_t>(n)) parts.resize(n);
      parts[n - 1] = r.body;
      return {200, {{"ETag", "\"etag-" + std::to_string(n) + "\""}}, ""};
    }
    if (r.method == "POST" && r.has_query("uploadId")) {
      if (complete_errors-- > 0) {
        return {200, {}, "<Error><Code>InternalError</Code><Message>retry</Message></Error>"};
      }
      completed_xml = r.body;
      return {200,
              {},
              "<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag>"
              "</CompleteMultipartUploadResult>"};
    }
    if (r.method == "DELETE" && r.has_query("uploadId")) return {204, {}, ""};
    return s3_error(400, "Unexpected");
  }
};

TEST(S3StoreFaults, MultipartUploadSendsFullPartsAndCompletesInOrder) {
  MultipartServer s3;
  FakeHttpServer server([&](const FakeRequest& r) { return s3.handle(r); });
  auto store = make_store(fake_config(server.endpoint()));
  const std::string data = testing::random_bytes(2 * 1024 + 512, 11);
  auto w = store->create("snapshots/big", data.size());
  for (size_t i = 0; i < data.size(); i += 100) {
    ASSERT_TRUE((*w)->write(std::string_view(data).substr(i, 100)).ok());
  }
  ASSERT_TRUE((*w)->commit().ok());
  ASSERT_EQ(s3.parts.size(), 3u);
  EXPECT_EQ(s3.parts[0], data.substr(0, 1024));
  EXPECT_EQ(s3.parts[1], data.substr(1024, 1024));
  EXPECT_EQ(s3.parts[2], data.substr(2048));
  EXPECT_EQ(s3.completed_xml,
            "<CompleteMultipartUpload>"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;etag-1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;etag-2&quot;</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>&quot;etag-3&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(count(server.requests(), "DELETE"), 0);
}

TEST(S3StoreFaults, ObjectOfExactlyOnePartGoesUpInOnePut) {
  MultipartServer s3;
  FakeHttpServer server([&](const FakeRequest& r) {
    if (r.method == "PUT" && !r.has_query("partNumber")) return FakeResponse{200, {}, ""};
    return s3.handle(r);
  });
  auto store = make_store(fake_config(server.endpoint()));
  auto w = store->create("snapshots/exact", 1024);
  ASSERT_TRUE((*w)->write(std::string(1024, 'e')).ok());
  ASSERT_TRUE((*w)->commit().ok());
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(count(server.requests(), "POST"), 0);
}

TEST(S3StoreFaults, DestroyedMultipartWriterAborts) {
  MultipartServer s3;
  FakeHttpServer server([&](const FakeRequest& r) { return s3.handle(r); });
  auto store = make_store(fake_config(server.endpoint()));
  {
    auto w = store->create("snapshots/dropped", 0);
    ASSERT_TRUE((*w)->write(std::string(1500, 'd')).ok());  // part 1 sent
  }
  auto requests = server.requests();
  ASSERT_EQ(count(requests, "DELETE", "uploadId"), 1);
  EXPECT_EQ(requests.back().method, "DELETE");
  EXPECT_EQ(requests.back().query, "uploadId=U-1");
  EXPECT_EQ(requests.back().path, "/bucket/snapshots/dropped");
}

TEST(S3StoreFaults, FailedPartAbortsUploadAndWriterStaysFailed) {
  MultipartServer s3;
  s3.fail_part = 2;
  FakeHttpServer server([&](const FakeRequest& r) { return s3.handle(r); });
  auto store = make_store(fake_config(server.endpoint()));
  auto w = store->create("snapshots/doomed", 0);
  ASSERT_TRUE((*w)->write(std::string(2048, 'a')).ok());  // part 1 sent, part 2 buffered
  // Part 2 goes up in the background while more bytes arrive: its failure
  // surfaces at the next part or at commit, and aborts the upload.
  ASSERT_TRUE((*w)->write("b").ok());
  Status s = (*w)->commit();
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("UploadPart"), std::string::npos) << s.message();
  EXPECT_EQ(count(server.requests(), "DELETE", "uploadId"), 1);
  EXPECT_EQ((*w)->write("c").code(), Code::kInternal);
  EXPECT_EQ((*w)->commit().code(), Code::kInternal);
  EXPECT_EQ(count(server.requests(), "POST", "uploadId"), 0);  // never completed
}

TEST(S3StoreFaults, FailedBackgroundPartFailsTheNextPart) {
  MultipartServer s3;
  s3.fail_part = 1;
  FakeHttpServer server([&](const FakeRequest& r) { return s3.handle(r); });
  auto store = make_store(fake_config(server.endpoint()));
  auto w = store->create("snapshots/doomed2", 0);
  ASSERT_TRUE((*w)->write(std::string(1025, 'a')).ok());  // part 1 in flight
  Status s = (*w)->write(std::string(1024, 'b'));         // part 2 waits for part 1
  EXPECT_EQ(s.code(), Code::kInternal) << s.to_string();
  EXPECT_EQ(count(server.requests(), "DELETE", "uploadId"), 1);
  EXPECT_EQ(count(server.requests(), "PUT", "partNumber"), 1);  // part 2 never sent
}

TEST(S3StoreFaults, CompleteAnsweringErrorInBodyIsRetried) {
  MultipartServer s3;
  s3.complete_errors = 1;
  FakeHttpServer server([&](const FakeRequest& r) { return s3.handle(r); });
  auto store = make_store(fake_config(server.endpoint()));
  auto w = store->create("snapshots/k", 0);
  ASSERT_TRUE((*w)->write(std::string(1500, 'z')).ok());
  ASSERT_TRUE((*w)->commit().ok());
  EXPECT_EQ(count(server.requests(), "POST", "uploadId"), 2);
  EXPECT_FALSE(s3.completed_xml.empty());
}

TEST(S3StoreFaults, ReaderResumesAfterConnectionDropPinnedToETag) {
  const std::string data = testing::random_bytes(600000, 12);
  std::atomic<int> gets{0};
  FakeHttpServer server([&](const FakeRequest& r) {
    if (++gets == 1) {
      FakeResponse resp{200, {{"ETag", "\"v1\""}}, data};
      resp.truncate_at = 250000;  // promise everything, deliver part, hang up
      return resp;
    }
    // Resume: "bytes=<from>-<last>", only if the object is still "v1".
    if (r.headers.count("if-match") == 0 || r.headers.at("if-match") != "\"v1\"") {
      return s3_error(412, "PreconditionFailed");
    }
    const std::string range = r.headers.at("range");
    const size_t from = std::stoul(range.substr(6));
    const size_t last = std::stoul(range.substr(range.find('-') + 1));
    return FakeResponse{
        206,
        {{"ETag", "\"v1\""},
         {"Content-Range", "bytes " + std::to_string(from) + "-" + std::to_string(last) + "/" +
                               std::to_string(data.size())}},
        data.substr(from, last - from + 1)};
  });
  auto store = make_store(fake_config(server.endpoint()));
  auto reader = store->open("snapshots/k", 0, std::nullopt);
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  Result<std::string> got = read_all(**reader, 64 * 1024);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_TRUE(*got == data);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.count("range"), 0u);
  EXPECT_EQ(requests[1].headers.at("range").substr(0, 6), "bytes=");
  EXPECT_EQ(requests[1].headers.at("range").substr(requests[1].headers.at("range").find('-')),
            "-" + std::to_string(data.size() - 1));
}

TEST(S3StoreFaults, StalledServerTimesOutAsUnavailable) {
  FakeHttpServer server([](const FakeRequest&) {
    FakeResponse r;
    r.stall = true;
    return r;
  });
  S3Config config = fake_config(server.endpoint());
  config.io_timeout = std::chrono::milliseconds(300);
  config.max_retries = 1;
  auto store = make_store(config);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(store->stat("snapshots/k").status().code(), Code::kUnavailable);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(550));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(S3StoreFaults, EveryRequestOnTheWireIsValidlySignedWithItsPayloadHash) {
  MultipartServer s3;
  FakeHttpServer server([&](const FakeRequest& r) {
    if (r.method == "PUT" && !r.has_query("partNumber")) return FakeResponse{200, {}, ""};
    if (r.method == "GET") {
      return FakeResponse{206, {{"Content-Range", "bytes 2-4/5"}, {"ETag", "\"e\""}}, "llo"};
    }
    if (r.method == "HEAD") return FakeResponse{200, {{"Content-Length", "5"}}, ""};
    return s3.handle(r);
  });
  auto store = make_store(fake_config(server.endpoint()));
  const std::string key = "snapshots/a b+c\xC3\xA9!";
  auto w = store->create(key, 5);
  ASSERT_TRUE((*w)->write("hello").ok());
  ASSERT_TRUE((*w)->commit().ok());
  auto big = store->create(key, 0);
  ASSERT_TRUE((*big)->write(std::string(1500, 'x')).ok());
  ASSERT_TRUE((*big)->commit().ok());
  auto reader = store->open(key, 2, 3);
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  EXPECT_EQ(*read_all(**reader), "llo");
  EXPECT_EQ(store->stat(key)->size, 5u);

  auto requests = server.requests();
  ASSERT_GE(requests.size(), 6u);
  EXPECT_EQ(requests[0].path, "/bucket/snapshots/a%20b%2Bc%C3%A9%21");
  EXPECT_EQ(requests[0].headers.at("x-amz-content-sha256"), sha256_hex("hello"));
  EXPECT_EQ(requests[0].headers.at("authorization").rfind("AWS4-HMAC-SHA256 Credential=AKFAKE/", 0),
            0u);
  for (const FakeRequest& r : requests) {
    expect_valid_signature(r, kSecret);
    if (r.headers.at("x-amz-content-sha256") != "UNSIGNED-PAYLOAD") {
      EXPECT_EQ(r.headers.at("x-amz-content-sha256"), sha256_hex(r.body)) << r.target;
    }
  }
}

TEST(S3StoreFaults, PayloadSigningNeverSendsUnsignedPayload) {
  FakeHttpServer server([](const FakeRequest&) { return FakeResponse{200, {}, ""}; });
  S3Config config = fake_config(server.endpoint());
  config.payload_signing = PayloadSigning::kNever;
  auto store = make_store(config);
  auto w = store->create("snapshots/k", 3);
  ASSERT_TRUE((*w)->write("abc").ok());
  ASSERT_TRUE((*w)->commit().ok());
  const FakeRequest r = server.requests().at(0);
  EXPECT_EQ(r.headers.at("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  expect_valid_signature(r, kSecret);
}

TEST(S3StoreFaults, EnsureReadyCreatesMissingBucketAndAcceptsOneAlreadyOwned) {
  for (const std::string& create_answer : {std::string("ok"), std::string("owned")}) {
    FakeHttpServer server([&](const FakeRequest& r) {
      if (r.method == "HEAD") return FakeResponse{404, {}, ""};
      if (r.method == "PUT" && r.path == "/bucket") {
        return create_answer == "ok" ? FakeResponse{200, {}, ""}
                                     : s3_error(409, "BucketAlreadyOwnedByYou");
      }
      return s3_error(400, "Unexpected");
    });
    auto store = make_store(fake_config(server.endpoint()));
    EXPECT_TRUE(store->ensure_ready().ok()) << create_answer;
    EXPECT_EQ(count(server.requests(), "PUT"), 1);
  }
}

TEST(S3StoreFaults, EnsureReadySendsLocationConstraintOutsideUsEast1) {
  std::string create_body;
  FakeHttpServer server([&](const FakeRequest& r) {
    if (r.method == "HEAD") return FakeResponse{404, {}, ""};
    create_body = r.body;
    return FakeResponse{200, {}, ""};
  });
  S3Config config = fake_config(server.endpoint());
  config.region = "eu-central-1";
  auto store = make_store(config);
  ASSERT_TRUE(store->ensure_ready().ok());
  EXPECT_NE(create_body.find("<LocationConstraint>eu-central-1</LocationConstraint>"),
            std::string::npos);
  EXPECT_NE(server.requests().at(0).headers.at("authorization").find("/eu-central-1/s3/"),
            std::string::npos);
}

TEST(S3StoreFaults, EnsureReadyFailsOnForeignBucket) {
  FakeHttpServer server([](const FakeRequest&) { return FakeResponse{403, {}, ""}; });
  auto store = make_store(fake_config(server.endpoint()));
  EXPECT_EQ(store->ensure_ready().code(), Code::kInternal);
}

TEST(S3StoreFaults, EnsureReadyAbortsOnlyStaleUploads) {
  ff::testing::SimulatedClock clock;
  const std::string old_time = format_rfc3339(clock.now() - std::chrono::hours(48));
  const std::string new_time = format_rfc3339(clock.now() - std::chrono::minutes(5));
  FakeHttpServer server([&](const FakeRequest& r) {
    if (r.method == "HEAD") return FakeResponse{200, {}, ""};
    if (r.method == "GET" && r.has_query("uploads")) {
      return FakeResponse{
          200,
          {},
          "<ListMultipartUploadsResult><Bucket>bucket</Bucket>"
          "<Upload><Key>snapshots/old &amp; stale</Key><UploadId>OLD</UploadId><Initiated>" +
              old_time +
              "</Initiated></Upload>"
              "<Upload><Key>snapshots/busy</Key><UploadId>NEW</UploadId><Initiated>" +
              new_time + "</Initiated></Upload></ListMultipartUploadsResult>"};
    }
    if (r.method == "DELETE") return FakeResponse{204, {}, ""};
    return s3_error(400, "Unexpected");
  });
  S3Config config = fake_config(server.endpoint());
  config.abort_uploads_older_than = std::chrono::hours(24);
  auto store = make_store(config, clock);
  ASSERT_TRUE(store->ensure_ready().ok());
  auto requests = server.requests();
  ASSERT_EQ(count(requests, "DELETE"), 1);
  EXPECT_EQ(requests.back().path, "/bucket/snapshots/old%20%26%20stale");
  EXPECT_EQ(requests.back().query, "uploadId=OLD");
}

}  // namespace
}  // namespace ff::blob
