// S3Writer: the S3 store's Writer. Bytes gather in one part-sized buffer;
//  - an object that fits in it goes up as one PutObject at commit();
//  - the first byte past a full buffer starts a multipart upload
//    (CreateMultipartUpload) and sends the buffer as part 1; every further
//    full buffer is one UploadPart; commit() sends the rest as the last part
//    and completes the upload.
// A full part goes up on a helper thread while the next one fills, so the
// bytes arriving from the client and the bytes leaving for S3 overlap (done
// in turn, an upload took as long as both transfers added up). Memory is two
// parts whatever the object size. Parts are retried from the buffer they were
// sent from.
// With S3Config::stream_put_max_size, an object of known size in
// (part_size, stream_put_max_size] instead streams through one PUT as
// write() is called (no buffer, no retry; see s3_config.h), signed with the
// object's SHA-256 when the caller knows it. Any failure, abort() or destruction
// before commit aborts the multipart upload (AbortMultipartUpload), so no orphan parts stay behind;
// if even that fails it is logged and left to the ensure_ready() sweep.
//
// Thread-safety: one thread at a time. The S3Client must outlive the writer.
#pragma once

#include <future>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "blob/s3/detail/s3_client.h"

namespace ff::blob::detail {

// S3's limit on parts per upload.
inline constexpr int kMaxParts = 10000;

class S3Writer final : public Writer {
 public:
  // `expected_size` only sizes the buffer and, for huge objects, raises the
  // part size so that the object fits in kMaxParts parts. `sha256_hex`, when
  // it is a SHA-256 in lowercase hex, is signed into a streaming PUT.
  S3Writer(S3Client& client, std::string key, uint64_t expected_size, std::string sha256_hex = {});
  ~S3Writer() override;

  Status write(std::string_view chunk) override;
  Status commit() override;
  void abort() override;

 private:
  Status stream(std::string_view chunk);
  Status finish_stream();
  Status upload_part();    // sends buffer_ as the next part, in the background
  Status wait_for_part();  // joins the part in flight, if any
  Status start_multipart();
  Status complete();
  Status put_single();
  void abort_multipart();
  Status fail(Status s);

  S3Client& client_;
  const std::string key_;
  const uint64_t part_size_;
  const uint64_t expected_size_;
  const bool streaming_;              // one streaming PUT of expected_size_ bytes
  const std::string payload_hash_;    // signed into that PUT
  std::unique_ptr<Transfer> stream_;  // that PUT, once started
  bool stream_started_ = false;       // bytes of it may have reached the server
  std::string buffer_;
  std::string upload_id_;                            // empty until the object outgrows one part
  std::vector<std::string> etags_;                   // of parts 1..n that are up
  std::future<Result<std::string>> part_in_flight_;  // its ETag
  std::string part_in_flight_bytes_;
  uint64_t total_ = 0;
  bool finished_ = false;  // committed or aborted
  Status failed_;          // sticky
};

// DeleteObject; Ok when the object is already absent.
Status delete_object(S3Client& client, const std::string& key);

// Aborts one multipart upload; kNotFound when it is already gone.
Status abort_multipart_upload(S3Client& client, const std::string& key,
                              const std::string& upload_id);

}  // namespace ff::blob::detail
