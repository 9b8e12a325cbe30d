// The one table from an HTTP response to an ff::Status on the client side,
// mirroring src/api's table on the server. The server's {"detail": ...} message
// becomes the Status message.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace ff::client {

// OkStatus for 2xx; otherwise the code for `http_status` with the body's
// "detail" (or a generic text) as message.
Status status_from_http(long http_status, std::string_view body);

// The "detail" member of a JSON error body, or "" when there is none.
std::string detail_of(std::string_view body);

// Retry-After as delay-seconds or an HTTP date (relative to `now`); nullopt if absent or invalid.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, SystemTime now);

// True for the codes worth retrying: kUnavailable (503, network) and kRateLimited (429).
bool is_retryable(const Status& status);

}  // namespace ff::client
