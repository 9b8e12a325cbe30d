// Splitting and percent-decoding of PostgreSQL URL query strings, for
// options_from_url.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ff::store::postgres::detail {

struct QueryParam {
  std::string key;    // decoded
  std::string raw;    // "key=value" as written, for passing on to libpq
  std::string value;  // decoded
};

// Splits "a=1&b=x%20y" into parameters; nullopt on a bad percent escape.
std::optional<std::vector<QueryParam>> split_query(std::string_view query);

// Decodes %XX escapes (and '+' as space); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace ff::store::postgres::detail
