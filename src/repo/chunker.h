// Content-defined chunking (FastCDC, normalized chunking level 2) so an
// insertion or deletion in a file moves only the chunk boundaries next to it.
// Parameters (documented in docs/repository-format.md "Chunker"):
//   min 512 KiB, average 1 MiB, max 8 MiB; a file smaller than min is one chunk.
//
// Usage: keep a buffer holding at least `params.max` bytes, or the rest of the
// file; cut() returns the length of the next chunk starting at data[0].
//
// Thread-safety: immutable; use from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ff::repo {

struct ChunkerParams {
  size_t min = 512 * 1024;
  size_t avg = 1024 * 1024;
  size_t max = 8 * 1024 * 1024;
};

class Chunker {
 public:
  Chunker(const std::array<uint64_t, 256>& gear, ChunkerParams params = {});
  // Length of the chunk at data[0]: n itself when n <= min (the tail of a
  // file), never more than max. REQUIRES: n > 0; n >= max unless data holds
  // the rest of the file.
  size_t cut(const uint8_t* data, size_t n) const;
  const ChunkerParams& params() const { return params_; }

 private:
  std::array<uint64_t, 256> gear_;
  ChunkerParams params_;
  uint64_t mask_small_ = 0;  // stricter, before avg
  uint64_t mask_large_ = 0;  // looser, after avg
};

}  // namespace ff::repo
