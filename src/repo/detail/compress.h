// zstd for blob bodies. Decompression is bounded: a sealed blob comes from the
// bucket, and a few kilobytes of hostile zstd can claim gigabytes.
//
// Thread-safety: pure functions; each thread keeps its own zstd contexts.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ff::repo::detail {

// `prefix` followed by the zstd frame of `data` at `level`.
std::string zstd_compress(std::string_view data, int level, std::string_view prefix = {});
// The decompressed bytes; nullopt when `frame` is not complete valid zstd or
// would decompress to more than `max_size` bytes (decompression stops there).
std::optional<std::string> zstd_decompress(std::string_view frame, size_t max_size);

}  // namespace ff::repo::detail
