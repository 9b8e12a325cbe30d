// Byte ranges of object downloads: the Range header (src/api/range) and the
// stores' clamp_range (src/blob/detail/range.h). The input is
//   <8 bytes: object size, little-endian> <8 bytes: offset> <Range header value>
// Properties: a range served is non-empty and lies inside the object; an
// unsatisfiable one is kOutOfRange; clamp_range never reaches past the object
// or wraps around, and refuses only offsets beyond it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "api/range.h"
#include "blob/detail/range.h"
#include "fuzz_check.h"

namespace {
uint64_t take_u64(const uint8_t*& data, size_t& size) {
  uint64_t v = 0;
  size_t n = std::min<size_t>(size, 8);
  for (size_t i = 0; i < n; ++i) v |= uint64_t{data[i]} << (8 * i);
  data += n;
  size -= n;
  return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t object_size = take_u64(data, size);
  uint64_t offset = take_u64(data, size);
  // Small sizes are where the edges are; the top bit keeps huge ones reachable.
  if (!(object_size >> 63)) object_size %= 4096;
  std::string header(reinterpret_cast<const char*>(data), size);

  auto r = ff::api::parse_range(header, object_size);
  if (!r.ok()) {
    FF_FUZZ_CHECK(r.status().code() == ff::Code::kOutOfRange);
  } else if (r->has_value()) {
    const ff::api::ByteRange& br = **r;
    FF_FUZZ_CHECK(br.length > 0);
    FF_FUZZ_CHECK(br.first < object_size);
    FF_FUZZ_CHECK(br.length <= object_size - br.first);
    // The store must serve exactly this range.
    auto clamped = ff::blob::detail::clamp_range(object_size, br.first, br.length);
    FF_FUZZ_CHECK(clamped.ok());
    FF_FUZZ_CHECK(clamped->begin == br.first && clamped->end == br.first + br.length);
  }

  std::optional<uint64_t> length;
  if (!header.empty() && header[0] != '*') length = header.size() * 0x0101010101ull;
  auto c = ff::blob::detail::clamp_range(object_size, offset, length);
  if (offset > object_size) {
    FF_FUZZ_CHECK(!c.ok() && c.status().code() == ff::Code::kOutOfRange);
  } else {
    FF_FUZZ_CHECK(c.ok());
    FF_FUZZ_CHECK(c->begin == offset && c->begin <= c->end && c->end <= object_size);
    if (length) FF_FUZZ_CHECK(c->end - c->begin <= *length);
  }
  return 0;
}
