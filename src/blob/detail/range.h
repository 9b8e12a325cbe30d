// Range arithmetic shared by the stores: turns (offset, length) into the byte
// interval actually served, following BlobStore::open's contract.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace ff::blob::detail {

struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;  // exclusive
};

// [offset, offset + length) cut at `size`; kOutOfRange when offset > size.
inline Result<ByteRange> clamp_range(uint64_t size, uint64_t offset,
                                     std::optional<uint64_t> length) {
  if (offset > size) {
    return OutOfRange("range starts at " + std::to_string(offset) + " beyond the object's " +
                      std::to_string(size) + " bytes");
  }
  uint64_t end = size;
  // Written to avoid overflow when offset + length exceeds 2^64.
  if (length && *length < size - offset) end = offset + *length;
  return ByteRange{offset, end};
}

}  // namespace ff::blob::detail
