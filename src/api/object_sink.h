// The sinks behind object uploads (tar snapshot objects and packs). ObjectSink
// streams bytes into the object store while hashing them and, at the end,
// applies core's completion rule (Service::check_upload): only when size and
// SHA-256 match is the object published and the row made available
// (Service::finish_upload). Anything else aborts the object (nothing stays
// visible).
#pragma once

#include <memory>

#include "api/types.h"
#include "core/service.h"

namespace ff::api {

// Opens the sink for an upload of object `id` of `kind` by `caller`: errors
// of Service::begin_upload, kTooLarge (declared Content-Length over the
// object's size) or kUnavailable (store down).
Result<std::unique_ptr<BodySink>> open_object_sink(core::Service& service,
                                                   const auth::Claims& caller,
                                                   core::ObjectKind kind, const std::string& id,
                                                   std::optional<uint64_t> content_length,
                                                   const std::string& via);

// Wraps `inner` so that the multipart/form-data body is parsed on the fly and
// only the bytes of the part named `file` reach it.
Result<std::unique_ptr<BodySink>> wrap_multipart(std::unique_ptr<BodySink> inner,
                                                 const std::string& content_type);

}  // namespace ff::api
