#include "webassets/assets.h"

#include <algorithm>

#include "webassets/detail/table.h"

namespace ff::webassets {

const Asset* find_asset(std::string_view path) {
  const detail::Entry* begin = detail::kEntries;
  const detail::Entry* end = detail::kEntries + detail::kEntryCount;
  const detail::Entry* it = std::lower_bound(
      begin, end, path, [](const detail::Entry& e, std::string_view p) { return e.path < p; });
  if (it == end || it->path != path) return nullptr;
  return it->asset;
}

std::string_view openapi_json() {
  const Asset* a = find_asset("/openapi.json");
  return a ? a->body : std::string_view();
}

}  // namespace ff::webassets
