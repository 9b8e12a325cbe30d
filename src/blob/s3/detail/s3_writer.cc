#include "blob/s3/detail/s3_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "blob/s3/detail/xml.h"
#include "blob/s3/sigv4.h"
#include "common/hex.h"

namespace ff::blob::detail {

namespace {

uint64_t choose_part_size(uint64_t configured, uint64_t expected_size) {
  uint64_t part = std::max<uint64_t>(configured, 1);
  // Round up so that expected_size fits in kMaxParts parts.
  uint64_t needed = (expected_size + kMaxParts - 1) / kMaxParts;
  return std::max(part, needed);
}

}  // namespace

S3Writer::S3Writer(S3Client& client, std::string key, uint64_t expected_size,
                   std::string sha256_hex)
    : client_(client),
      key_(std::move(key)),
      part_size_(choose_part_size(client.config().part_size, expected_size)),
      expected_size_(expected_size),
      streaming_(expected_size > part_size_ &&
                 expected_size <= client.config().stream_put_max_size),
      payload_hash_(is_lower_hex(sha256_hex, 64) ? std::move(sha256_hex)
                                                 : std::string(sigv4::kUnsignedPayload)) {
  // Small objects take what they need; others grow up to one part.
  if (!streaming_) {
    buffer_.reserve(static_cast<size_t>(std::min<uint64_t>(part_size_, expected_size)));
  }
}

S3Writer::~S3Writer() { abort(); }

Status S3Writer::write(std::string_view chunk) {
  if (!failed_.ok()) return failed_;
  if (finished_) return Internal("S3 writer: write after commit or abort");
  if (streaming_) {
    if (Status s = stream(chunk); !s.ok()) return fail(s);
    return OkStatus();
  }
  while (!chunk.empty()) {
    // Only a byte beyond a full buffer proves the object needs multipart: an
    // object of exactly part_size bytes still goes up in one PUT.
    if (buffer_.size() == part_size_) {
      if (Status s = upload_part(); !s.ok()) return fail(s);
    }
    const size_t take =
        static_cast<size_t>(std::min<uint64_t>(chunk.size(), part_size_ - buffer_.size()));
    if (buffer_.capacity() < buffer_.size() + take) {
      buffer_.reserve(static_cast<size_t>(std::min<uint64_t>(
          part_size_, std::max<uint64_t>(2 * buffer_.capacity(), buffer_.size() + take))));
    }
    buffer_.append(chunk.data(), take);
    chunk.remove_prefix(take);
    total_ += take;
  }
  return OkStatus();
}

Status S3Writer::commit() {
  if (!failed_.ok()) return failed_;
  if (finished_) return Internal("S3 writer: commit after commit or abort");
  if (streaming_) {
    if (Status s = finish_stream(); !s.ok()) return fail(s);
    finished_ = true;
    return OkStatus();
  }
  Status s = upload_id_.empty() ? put_single() : upload_part();
  if (s.ok() && !upload_id_.empty()) s = wait_for_part();
  if (s.ok() && !upload_id_.empty()) s = complete();
  if (!s.ok()) return fail(s);
  finished_ = true;
  upload_id_.clear();
  std::string().swap(buffer_);
  return OkStatus();
}

void S3Writer::abort() {
  if (finished_) return;
  finished_ = true;
  // Cutting a streaming PUT short makes AWS S3 drop it, and a complete body
  // with other bytes than signed is refused; s3rver keeps either under the
  // key, so remove what may have landed (the object is not available yet:
  // nothing valid is lost).
  stream_.reset();
  if (stream_started_) {
    stream_started_ = false;
    Status s = delete_object(client_, key_);
    if (!s.ok()) {
      spdlog::warn("S3: cannot remove the cut-short upload of {}: {}", key_, s.message());
    }
  }
  // A part still in flight would land after the abort and stay behind.
  (void)wait_for_part();
  abort_multipart();
  std::string().swap(buffer_);
}

Status S3Writer::fail(Status s) {
  failed_ = s;
  abort();
  return s;
}

Status S3Writer::stream(std::string_view chunk) {
  if (chunk.empty()) return OkStatus();
  if (chunk.size() > expected_size_ - total_) {
    return IntegrityError("S3 PutObject " + key_ + ": more bytes than the expected " +
                          std::to_string(expected_size_));
  }
  S3Request r;
  r.op = "PutObject";
  r.method = "PUT";
  r.key = key_;
  if (stream_ == nullptr) {
    FF_ASSIGN_OR_RETURN(stream_, client_.start_upload(r, expected_size_, payload_hash_));
    stream_started_ = true;
  }
  if (Status s = stream_->write_body(chunk); !s.ok()) {
    // The server may have answered already (e.g. 403): that answer says more.
    if (stream_->status() / 100 > 2) {
      (void)stream_->finish();
      return client_.classify(r, stream_->status(), stream_->body());
    }
    return s.with_context(S3Client::describe(r));
  }
  total_ += chunk.size();
  return OkStatus();
}

Status S3Writer::finish_stream() {
  S3Request r;
  r.op = "PutObject";
  r.method = "PUT";
  r.key = key_;
  if (total_ != expected_size_ || stream_ == nullptr) {
    return IntegrityError(S3Client::describe(r) + ": got " + std::to_string(total_) +
                          " bytes, expected " + std::to_string(expected_size_));
  }
  if (Status s = stream_->finish(); !s.ok()) return s.with_context(S3Client::describe(r));
  const long status = stream_->status();
  const std::string body = stream_->body();
  stream_.reset();
  if (status / 100 != 2) return client_.classify(r, status, body);
  return OkStatus();
}

Status S3Writer::put_single() {
  S3Request r;
  r.op = "PutObject";
  r.method = "PUT";
  r.key = key_;
  r.body = buffer_;
  return client_.call(r).status();
}

Status S3Writer::start_multipart() {
  S3Request r;
  r.op = "CreateMultipartUpload";
  r.method = "POST";
  r.key = key_;
  r.query = {{"uploads", ""}};
  FF_ASSIGN_OR_RETURN(S3Response response, client_.call(r));
  std::optional<std::string> id = xml_text(response.body, "UploadId");
  if (!id || id->empty()) return Internal(S3Client::describe(r) + ": no UploadId in the answer");
  upload_id_ = *id;
  etags_.clear();
  return OkStatus();
}

Status S3Writer::upload_part() {
  if (upload_id_.empty()) FF_TRY(start_multipart());
  FF_TRY(wait_for_part());
  const int number = static_cast<int>(etags_.size()) + 1;
  if (number > kMaxParts) {
    return TooLarge("S3 UploadPart " + key_ + ": object needs more than 10000 parts");
  }
  // The buffer of the part just joined is free: it takes the next bytes.
  std::swap(part_in_flight_bytes_, buffer_);
  buffer_.clear();
  part_in_flight_ = std::async(std::launch::async, [this, number]() -> Result<std::string> {
    S3Request r;
    r.op = "UploadPart";
    r.method = "PUT";
    r.key = key_;
    r.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}};
    r.body = part_in_flight_bytes_;
    FF_ASSIGN_OR_RETURN(S3Response response, client_.call(r));
    auto etag = response.headers.find("etag");
    if (etag == response.headers.end() || etag->second.empty()) {
      return Internal(S3Client::describe(r) + ": no ETag in the answer");
    }
    return etag->second;
  });
  return OkStatus();
}

Status S3Writer::wait_for_part() {
  if (!part_in_flight_.valid()) return OkStatus();
  Result<std::string> etag = part_in_flight_.get();
  if (!etag.ok()) return etag.status();
  etags_.push_back(std::move(etag).value());
  return OkStatus();
}

Status S3Writer::complete() {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags_.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
           xml_escape(etags_[i]) + "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  S3Request r;
  r.op = "CompleteMultipartUpload";
  r.method = "POST";
  r.key = key_;
  r.query = {{"uploadId", upload_id_}};
  r.headers = {{"content-type", "application/xml"}};
  r.body = xml;
  r.stall_timeout = client_.config().complete_timeout;

  bool ambiguous = false;  // an earlier attempt may have completed the upload
  for (int attempt = 0;; ++attempt) {
    Result<S3Response> response = client_.call_once(r);
    Status s = response.status();
    // S3 may answer 200 and still fail: the error is in the body.
    if (response.ok() && response->body.find("<Error>") != std::string::npos) {
      s = client_.classify(r, 500, response->body);
    } else if (response.ok()) {
      return OkStatus();
    }
    if (s.code() == Code::kNotFound && ambiguous) {
      // NoSuchUpload after a lost answer: done if the object is there whole.
      S3Request head;
      head.op = "HeadObject";
      head.method = "HEAD";
      head.key = key_;
      Result<S3Response> h = client_.call(head);
      if (h.ok() && h->headers["content-length"] == std::to_string(total_)) return OkStatus();
    }
    if (s.code() != Code::kUnavailable || attempt >= client_.config().max_retries) return s;
    ambiguous = true;
    client_.backoff(attempt + 1);
  }
}

void S3Writer::abort_multipart() {
  if (upload_id_.empty()) return;
  Status s = abort_multipart_upload(client_, key_, upload_id_);
  if (!s.ok() && s.code() != Code::kNotFound) {
    spdlog::warn(
        "S3: cannot abort multipart upload of {} ({}); its parts stay until the "
        "start-up sweep or a bucket lifecycle rule removes them",
        key_, s.message());
  }
  upload_id_.clear();
}

Status delete_object(S3Client& client, const std::string& key) {
  S3Request r;
  r.op = "DeleteObject";
  r.method = "DELETE";
  r.key = key;
  Status s = client.call(r).status();
  return s.code() == Code::kNotFound ? OkStatus() : s;
}

Status abort_multipart_upload(S3Client& client, const std::string& key,
                              const std::string& upload_id) {
  S3Request r;
  r.op = "AbortMultipartUpload";
  r.method = "DELETE";
  r.key = key;
  r.query = {{"uploadId", upload_id}};
  return client.call(r).status();
}

}  // namespace ff::blob::detail
