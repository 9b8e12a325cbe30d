#include "repo/detail/compress.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace ff::repo::detail {

namespace {

struct ZstdDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

struct Compressor {
  std::unique_ptr<ZSTD_CCtx, ZstdDeleter> ctx{ZSTD_createCCtx()};
  // The frame goes here first, then once into a string of its real size: a
  // string of the bound would be zero-filled first (an extra pass over data
  // that does not compress) and copied again to put the prefix first.
  std::vector<char> scratch;
};

struct Decompressor {
  std::unique_ptr<ZSTD_DCtx, ZstdDeleter> ctx{ZSTD_createDCtx()};
};

// Contexts are reused, not made per call: creating one (and its tables) costs
// more than compressing a small tree blob. They are pooled rather than kept
// per thread because the backup's sealers and the restore's workers are
// threads started for one batch or one window each.
template <class T>
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<T> item) : pool_(pool), item_(std::move(item)) {}
    ~Lease() { pool_.give(std::move(item_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    T* operator->() { return item_.get(); }

   private:
    Pool& pool_;
    std::unique_ptr<T> item_;
  };

  Lease take() {
    std::unique_ptr<T> item;
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        item = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!item) item = std::make_unique<T>();
    if (!item->ctx) throw std::bad_alloc();
    return Lease(*this, std::move(item));
  }

 private:
  static constexpr size_t kKept = 8;  // more threads than this seldom compress at once

  void give(std::unique_ptr<T> item) {
    std::lock_guard lock(mu_);
    if (free_.size() < kKept) free_.push_back(std::move(item));
  }

  std::mutex mu_;
  std::vector<std::unique_ptr<T>> free_;  // guarded by mu_
};

Pool<Compressor>& compressors() {
  static Pool<Compressor> pool;
  return pool;
}

Pool<Decompressor>& decompressors() {
  static Pool<Decompressor> pool;
  return pool;
}

constexpr size_t kGrowStep = 1 << 20;
constexpr size_t kKeptScratch = 16u << 20;  // per pooled compressor, between calls

}  // namespace

std::string zstd_compress(std::string_view data, int level, std::string_view prefix) {
  auto c = compressors().take();
  size_t bound = ZSTD_compressBound(data.size());
  if (c->scratch.size() < bound) c->scratch.resize(bound);
  size_t n =
      ZSTD_compressCCtx(c->ctx.get(), c->scratch.data(), bound, data.data(), data.size(), level);
  // With a ZSTD_compressBound buffer the only failure is allocation.
  if (ZSTD_isError(n)) throw std::bad_alloc();
  std::string out;
  out.reserve(prefix.size() + n);
  out.append(prefix);
  out.append(c->scratch.data(), n);
  if (c->scratch.size() > kKeptScratch) {
    std::vector<char>().swap(c->scratch);  // a rare huge blob does not pin its buffer
  }
  return out;
}

std::optional<std::string> zstd_decompress(std::string_view frame, size_t max_size) {
  unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return std::nullopt;
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_size) return std::nullopt;

  auto d = decompressors().take();
  ZSTD_DCtx* dctx = d->ctx.get();
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
