#include "repo/chunker.h"

#include <bit>

namespace ff::repo {

namespace {

// The gear hash shifts one bit per byte, so bit k of the fingerprint depends
// on the last k+1 bytes only. Masks take the top bits: a boundary decision
// then looks at a window of 64 - (bits - 1) .. 64 bytes, never just the last few.
uint64_t top_bits(int bits) { return bits <= 0 ? 0 : ~uint64_t{0} << (64 - bits); }

// Bytes hashed before the first candidate cut so the fingerprint there
// already covers a full 64-byte window, independent of where the chunk began.
constexpr size_t kWarmup = 64;

}  // namespace

Chunker::Chunker(const std::array<uint64_t, 256>& gear, ChunkerParams params)
    : gear_(gear), params_(params) {
  // Normalized chunking level 2 (FastCDC): two more bits than log2(avg) before
  // the average, two fewer after, which pulls chunk sizes toward the average.
  int bits = std::bit_width(params_.avg) - 1;
  mask_small_ = top_bits(bits + 2);
  mask_large_ = top_bits(bits - 2);
}

size_t Chunker::cut(const uint8_t* data, size_t n) const {
  const size_t min = params_.min;
  if (n <= min) return n;
  const size_t end = n < params_.max ? n : params_.max;
  const size_t normal = end < params_.avg ? end : params_.avg;
  const uint64_t* gear = gear_.data();

  uint64_t fp = 0;
  size_t i = min > kWarmup ? min - kWarmup : 0;
  for (; i < min; ++i) fp = (fp << 1) + gear[data[i]];
  for (; i < normal; ++i) {
    fp = (fp << 1) + gear[data[i]];
    if ((fp & mask_small_) == 0) return i + 1;
  }
  for (; i < end; ++i) {
    fp = (fp << 1) + gear[data[i]];
    if ((fp & mask_large_) == 0) return i + 1;
  }
  return end;
}

}  // namespace ff::repo
