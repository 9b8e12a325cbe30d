// The generated asset table (webassets_data.cc in the build directory, written
// by generate.mjs): one entry per servable path, sorted by path, several paths
// may share one Asset ("/docs", "/docs/", "/docs/index.html").
#pragma once

#include <cstddef>
#include <string_view>

#include "webassets/assets.h"

namespace ff::webassets::detail {

struct Entry {
  std::string_view path;
  const Asset* asset;
};

extern const Entry kEntries[];
extern const size_t kEntryCount;

}  // namespace ff::webassets::detail
