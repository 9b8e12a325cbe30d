// Streaming GetObject for the S3 store. The Reader pulls the body through a
// paused-when-idle curl transfer (see transfer.h), so memory stays flat for
// any object size. When the connection breaks mid-body the Reader resumes
// where it stopped with a Range request pinned to the first answer's ETag
// (If-Match), up to the configured retry count of consecutive failures.
//
// Thread-safety: a Reader is used by one thread at a time. The S3Client must
// outlive it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "blob/blob_store.h"
#include "blob/s3/detail/s3_client.h"

namespace ff::blob::detail {

// Opens [offset, offset + length) of `key` following BlobStore::open's
// contract; retries transient failures of the initial request.
Result<std::unique_ptr<Reader>> open_object(S3Client& client, const std::string& key,
                                            uint64_t offset, std::optional<uint64_t> length);

// HeadObject: the object's size; kNotFound when absent.
Result<uint64_t> head_object(S3Client& client, const std::string& key);

}  // namespace ff::blob::detail
