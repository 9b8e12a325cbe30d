// Strict UTF-8 check (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), the same rule nlohmann::json applies when it serializes: a tree
// field that fails it is stored base64-encoded instead.
#pragma once

#include <string_view>

namespace ff::repo::detail {

bool is_valid_utf8(std::string_view s);

}  // namespace ff::repo::detail
