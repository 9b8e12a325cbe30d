#include "blob/s3/s3_store.h"

#include <spdlog/spdlog.h>

#include "blob/s3/detail/s3_client.h"
#include "blob/s3/detail/s3_reader.h"
#include "blob/s3/detail/s3_writer.h"
#include "blob/s3/detail/xml.h"

namespace ff::blob {

using detail::S3Client;
using detail::S3Request;
using detail::S3Response;

namespace {

Status validate_key(const std::string& key) {
  if (key.empty() || key.size() > 1024) return InvalidArgument("S3: key must be 1..1024 bytes");
  return OkStatus();
}

Status validate_bucket(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) {
    return InvalidArgument("S3 bucket name must be 3..63 characters");
  }
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      return InvalidArgument("S3 bucket name may hold only a-z, 0-9, '-' and '.'");
    }
  }
  return OkStatus();
}

S3Request bucket_request(const char* op, const char* method) {
  S3Request r;
  r.op = op;
  r.method = method;
  return r;
}

}  // namespace

Result<std::unique_ptr<S3Store>> S3Store::create_store(const S3Config& config,
                                                       const sys::Clock& clock) {
  FF_ASSIGN_OR_RETURN(detail::Endpoint endpoint, detail::parse_endpoint(config.endpoint));
  if (!config.public_endpoint.empty()) FF_TRY(detail::parse_endpoint(config.public_endpoint));
  FF_TRY(validate_bucket(config.bucket));
  if (config.access_key.empty() || config.secret_key.empty()) {
    return InvalidArgument("S3 access key and secret key must be set");
  }
  if (config.part_size == 0 || config.part_size > (5ull << 30)) {
    return InvalidArgument("S3 part size must be 1 byte..5 GiB");
  }
  if (config.max_retries < 0) return InvalidArgument("S3 max_retries must be >= 0");
  auto client = std::make_unique<S3Client>(config, std::move(endpoint), clock);
  return std::unique_ptr<S3Store>(new S3Store(std::move(client)));
}

S3Store::S3Store(std::unique_ptr<S3Client> client) : client_(std::move(client)) {}

S3Store::~S3Store() = default;

Status S3Store::ensure_ready() {
  Result<S3Response> head = client_->call(bucket_request("HeadBucket", "HEAD"));
  if (!head.ok()) {
    // HEAD answers have no body, so a missing bucket is a bare 404 here.
    if (head.status().code() != Code::kNotFound) return head.status();
    FF_TRY(create_bucket());
  }
  abort_stale_uploads();
  return OkStatus();
}

Status S3Store::create_bucket() {
  S3Request put = bucket_request("CreateBucket", "PUT");
  std::string body;
  const std::string& region = client_->config().region;
  if (!region.empty() && region != "us-east-1") {
    body = "<CreateBucketConfiguration><LocationConstraint>" + detail::xml_escape(region) +
           "</LocationConstraint></CreateBucketConfiguration>";
    put.body = body;
  }
  Result<S3Response> created = client_->call(put);
  if (created.ok()) {
    spdlog::info("S3: created bucket {}", client_->config().bucket);
    return OkStatus();
  }
  // Someone (maybe another orchestrator) created it meanwhile, or it is ours.
  if (created.status().message().find("BucketAlreadyOwnedByYou") != std::string::npos) {
    return OkStatus();
  }
  if (client_->call(bucket_request("HeadBucket", "HEAD")).ok()) return OkStatus();
  return created.status();
}

void S3Store::abort_stale_uploads() {
  const auto age = client_->config().abort_uploads_older_than;
  if (age.count() <= 0) return;
  Result<std::vector<MultipartUploadInfo>> uploads = list_multipart_uploads("");
  if (!uploads.ok()) {
    spdlog::info("S3: not sweeping stale multipart uploads: {}", uploads.status().message());
    return;
  }
  const SystemTime cutoff = client_->clock().now() - age;
  for (const MultipartUploadInfo& u : *uploads) {
    if (u.initiated > cutoff) continue;
    Status s = abort_multipart_upload(u.key, u.upload_id);
    spdlog::info("S3: aborted stale multipart upload of {}: {}", u.key, s.to_string());
  }
}

Status S3Store::ping() {
  Result<S3Response> head = client_->call_once(bucket_request("HeadBucket", "HEAD"));
  if (head.ok()) return OkStatus();
  // For readiness a missing bucket is an unavailable store, not a missing object.
  if (head.status().code() == Code::kNotFound) {
    return Unavailable(head.status().message() + " (bucket missing)");
  }
  return head.status();
}

Result<std::unique_ptr<Writer>> S3Store::create(const std::string& key, uint64_t expected_size) {
  FF_TRY(validate_key(key));
  return std::unique_ptr<Writer>(std::make_unique<detail::S3Writer>(*client_, key, expected_size));
}

Result<std::unique_ptr<Writer>> S3Store::create_checked(const std::string& key,
                                                        uint64_t expected_size,
                                                        const std::string& sha256_hex) {
  FF_TRY(validate_key(key));
  return std::unique_ptr<Writer>(
      std::make_unique<detail::S3Writer>(*client_, key, expected_size, sha256_hex));
}

Result<std::unique_ptr<Reader>> S3Store::open(const std::string& key, uint64_t offset,
                                              std::optional<uint64_t> length) {
  FF_TRY(validate_key(key));
  return detail::open_object(*client_, key, offset, length);
}

Result<ObjectInfo> S3Store::stat(const std::string& key) {
  FF_TRY(validate_key(key));
  FF_ASSIGN_OR_RETURN(uint64_t size, detail::head_object(*client_, key));
  return ObjectInfo{size};
}

Status S3Store::remove(const std::string& key) {
  FF_TRY(validate_key(key));
  return detail::delete_object(*client_, key);
}

Result<std::optional<std::string>> S3Store::presign_put(const std::string& key,
                                                        std::chrono::seconds expires) {
  FF_TRY(validate_key(key));
  FF_ASSIGN_OR_RETURN(sigv4::PresignedUrl url, client_->presign_put(key, expires));
  return std::optional<std::string>(std::move(url.url));
}

Result<std::vector<MultipartUploadInfo>> S3Store::list_multipart_uploads(
    const std::string& prefix) {
  S3Request r = bucket_request("ListMultipartUploads", "GET");
  r.query = {{"uploads", ""}};
  if (!prefix.empty()) r.query.emplace_back("prefix", prefix);
  FF_ASSIGN_OR_RETURN(S3Response response, client_->call(r));
  std::vector<MultipartUploadInfo> out;
  for (std::string_view upload : detail::xml_elements(response.body, "Upload")) {
    MultipartUploadInfo info;
    info.key = detail::xml_text(upload, "Key").value_or("");
    info.upload_id = detail::xml_text(upload, "UploadId").value_or("");
    auto initiated = parse_rfc3339(detail::xml_text(upload, "Initiated").value_or(""));
    // An unreadable date counts as old: the sweep is for forgotten uploads.
    info.initiated = initiated.ok() ? *initiated : SystemTime{};
    if (!info.key.empty() && !info.upload_id.empty()) out.push_back(std::move(info));
  }
  return out;
}

Status S3Store::abort_multipart_upload(const std::string& key, const std::string& upload_id) {
  return detail::abort_multipart_upload(*client_, key, upload_id);
}

}  // namespace ff::blob
