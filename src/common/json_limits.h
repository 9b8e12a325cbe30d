// Parsing JSON that comes from outside the process (request bodies, token
// parts) with a bound on nesting.
//
// nlohmann parses iteratively, but copying, dumping and comparing a document
// recurse once per level: a 200 KB body of nested arrays would overflow the
// stack the first time the value is copied or serialized. The depth is
// therefore checked on the text, before a document exists; nothing deeper
// than the limit is ever built.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace ff {

// Deepest nesting of arrays and objects accepted in client JSON. The API's own
// documents nest 3 levels; client metadata gets the rest.
inline constexpr int kMaxJsonDepth = 64;

// Depth of the deepest array/object in `text` (0 for a scalar), counting
// brackets outside strings; stops counting once past `stop_after`. Meaningful
// for well-formed JSON; for anything else it is still a bound on what a parser
// could build.
int json_nesting_depth(std::string_view text, int stop_after = kMaxJsonDepth);

// Parses `text`. kInvalidArgument when it is not JSON; kValidation naming
// `what` and the limit when it nests deeper than `max_depth`.
Result<nlohmann::json> parse_json_bounded(std::string_view text, std::string_view what,
                                          int max_depth = kMaxJsonDepth);

}  // namespace ff
