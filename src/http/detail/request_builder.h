// Turns a parsed request head into an api::Request (decoded path and query).
// Internal to src/http; the only Boost.URL user.
#pragma once

#include <string_view>

#include "api/types.h"
#include "common/status.h"

namespace ff::http::detail {

// kInvalidArgument for a target that is not origin-form or has bad escapes.
Status parse_target(std::string_view target, api::Request* req);

}  // namespace ff::http::detail
