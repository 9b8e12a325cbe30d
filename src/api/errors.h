// The one place where error codes become HTTP: status, {"detail": ...}, and
// the headers some codes require (WWW-Authenticate, Retry-After).
#pragma once

#include "api/types.h"
#include "common/status.h"

namespace ff::api {

int http_status(Code code);
// REQUIRES: !status.ok()
Response error_response(const Status& status, int retry_after_seconds = 1);

}  // namespace ff::api
