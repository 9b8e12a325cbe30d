#include "repo/detail/compress.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <new>
#include <vector>

namespace ff::repo::detail {

namespace {

struct ZstdDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// Contexts are reused per thread: creating one costs more than compressing a
// small tree blob.
ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdDeleter> ctx(ZSTD_createCCtx());
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}

ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDeleter> ctx(ZSTD_createDCtx());
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}

constexpr size_t kGrowStep = 1 << 20;
constexpr size_t kKeptScratch = 16u << 20;  // per thread, between calls

}  // namespace

std::string zstd_compress(std::string_view data, int level, std::string_view prefix) {
  // Compressed into a per-thread buffer, then copied once at its real size:
  // a string of the bound would be zero-filled first (a whole extra pass for
  // data that does not compress) and copied again to put the prefix first.
  thread_local std::vector<char> scratch;
  size_t bound = ZSTD_compressBound(data.size());
  if (scratch.size() < bound) scratch.resize(bound);
  size_t n =
      ZSTD_compressCCtx(thread_cctx(), scratch.data(), bound, data.data(), data.size(), level);
  // With a ZSTD_compressBound buffer the only failure is allocation.
  if (ZSTD_isError(n)) throw std::bad_alloc();
  std::string out;
  out.reserve(prefix.size() + n);
  out.append(prefix);
  out.append(scratch.data(), n);
  if (scratch.size() > kKeptScratch) {
    std::vector<char>().swap(scratch);  // a rare huge blob does not pin its buffer
  }
  return out;
}

std::optional<std::string> zstd_decompress(std::string_view frame, size_t max_size) {
  unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return std::nullopt;
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_size) return std::nullopt;

  ZSTD_DCtx* dctx = thread_dctx();
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
  // Trust the declared size only as a first allocation; the output is grown
  // in steps and decompression stops one byte past the bound.
  std::string out;
  size_t first = declared != ZSTD_CONTENTSIZE_UNKNOWN ? static_cast<size_t>(declared) : kGrowStep;
  out.resize(std::min(first, max_size) + 1);
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  size_t ret = 1;
  while (true) {
    ret = ZSTD_decompressStream(dctx, &o, &in);
    if (ZSTD_isError(ret)) return std::nullopt;
    if (o.pos > max_size) return std::nullopt;
    if (in.pos == in.size && (ret == 0 || o.pos < o.size)) break;
    if (o.pos == o.size) {
      out.resize(std::min(out.size() + kGrowStep, max_size + 1));
      o.dst = out.data();
      o.size = out.size();
    }
  }
  // ret != 0: the input ended inside a frame (truncated).
  if (ret != 0) return std::nullopt;
  out.resize(o.pos);
  return out;
}

}  // namespace ff::repo::detail
