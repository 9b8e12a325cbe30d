// The sinks behind snapshot uploads. ObjectSink streams bytes into the object
// store while hashing them and, at the end, checks size and SHA-256 against the
// snapshot's metadata: only then is the object published and the snapshot
// made available. Anything else aborts the object (nothing stays visible).
#pragma once

#include <memory>

#include "api/types.h"
#include "core/service.h"

namespace ff::api {

// Opens the sink for an upload of snapshot `id` by `caller`: kNotFound,
// kPermissionDenied, kConflict (already available), kTooLarge (declared
// Content-Length over the snapshot's size) or kUnavailable (store down).
Result<std::unique_ptr<BodySink>> open_object_sink(core::Service& service,
                                                   const auth::Claims& caller,
                                                   const std::string& id,
                                                   std::optional<uint64_t> content_length,
                                                   const std::string& via);

// Wraps `inner` so that the multipart/form-data body is parsed on the fly and
// only the bytes of the part named `file` reach it.
Result<std::unique_ptr<BodySink>> wrap_multipart(std::unique_ptr<BodySink> inner,
                                                 const std::string& content_type);

}  // namespace ff::api
