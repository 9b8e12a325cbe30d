// The Range request header of object downloads: one "bytes=" range, resolved
// against the object's size (RFC 9110 §14). Kept apart from the route so that
// the fuzz target (fuzz/range_fuzz.cc) and unit tests drive it directly.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace ff::api {

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

// Parses a single "bytes=a-b" / "bytes=a-" / "bytes=-n" range against `size`.
// nullopt: no Range header (or one we ignore, as RFC 9110 allows: other units,
// several ranges, bad syntax); kOutOfRange when unsatisfiable. A returned range
// is never empty and always lies within [0, size).
Result<std::optional<ByteRange>> parse_range(const std::string& header, uint64_t size);

}  // namespace ff::api
