#include "blob/factory.h"

#include "blob/memory/memory_store.h"
#include "blob/s3/s3_store.h"

namespace ff::blob {

Result<std::unique_ptr<BlobStore>> make_s3_store(const S3Config& config, const sys::Clock& clock) {
  FF_ASSIGN_OR_RETURN(std::unique_ptr<S3Store> store, S3Store::create_store(config, clock));
  return std::unique_ptr<BlobStore>(std::move(store));
}

Result<std::unique_ptr<BlobStore>> make_local_store(const std::string& root_dir,
                                                    LocalStoreOptions options) {
  std::string root = root_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) return InvalidArgument("local store: empty root directory");
  if (options.write_buffer_size == 0) return InvalidArgument("local store: zero write buffer");
  return std::unique_ptr<BlobStore>(std::make_unique<LocalStore>(std::move(root), options));
}

std::unique_ptr<BlobStore> make_memory_store() { return std::make_unique<MemoryStore>(); }

std::unique_ptr<BlobStore> make_retry_store(std::unique_ptr<BlobStore> inner, RetryPolicy policy) {
  return std::make_unique<RetryStore>(std::move(inner), std::move(policy));
}

}  // namespace ff::blob
