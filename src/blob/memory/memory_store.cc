#include "blob/memory/memory_store.h"

#include <algorithm>
#include <cstring>

#include "blob/detail/range.h"

namespace ff::blob {

class MemoryWriter final : public Writer {
 public:
  MemoryWriter(MemoryStore& store, std::string key) : store_(store), key_(std::move(key)) {}

  Status write(std::string_view chunk) override {
    if (done_) return Internal("memory store: write after commit or abort");
    if (Status s = store_.check_available(); !s.ok()) return s;
    bytes_.append(chunk);
    return OkStatus();
  }

  Status commit() override {
    if (done_) return Internal("memory store: commit after commit or abort");
    if (Status s = store_.check_available(); !s.ok()) return s;
    done_ = true;
    store_.publish(key_, std::make_shared<const std::string>(std::move(bytes_)));
    return OkStatus();
  }

  void abort() override {
    done_ = true;
    bytes_.clear();
  }

 private:
  MemoryStore& store_;
  const std::string key_;
  std::string bytes_;
  bool done_ = false;
};

class MemoryReader final : public Reader {
 public:
  MemoryReader(const MemoryStore& store, std::shared_ptr<const std::string> bytes,
               detail::ByteRange range)
      : store_(store), bytes_(std::move(bytes)), pos_(range.begin), end_(range.end) {}

  Result<size_t> read(char* buf, size_t n) override {
    if (Status s = store_.check_available(); !s.ok()) return s;
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
    if (take > 0) std::memcpy(buf, bytes_->data() + pos_, take);
    pos_ += take;
    return take;
  }

 private:
  const MemoryStore& store_;
  std::shared_ptr<const std::string> bytes_;
  uint64_t pos_;
  uint64_t end_;
};

Status MemoryStore::check_available() const {
  if (unavailable_) return Unavailable("memory store: unavailable (test hook)");
  return OkStatus();
}

void MemoryStore::publish(const std::string& key, std::shared_ptr<const std::string> bytes) {
  std::lock_guard lock(mu_);
  objects_[key] = std::move(bytes);
}

Status MemoryStore::ensure_ready() { return check_available(); }
Status MemoryStore::ping() { return check_available(); }

Result<std::unique_ptr<Writer>> MemoryStore::create(const std::string& key, uint64_t) {
  FF_TRY(check_available());
  if (key.empty()) return InvalidArgument("memory store: empty key");
  return std::unique_ptr<Writer>(std::make_unique<MemoryWriter>(*this, key));
}

Result<std::unique_ptr<Reader>> MemoryStore::open(const std::string& key, uint64_t offset,
                                                  std::optional<uint64_t> length) {
  FF_TRY(check_available());
  std::shared_ptr<const std::string> bytes;
  {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return NotFound("object " + key + " not found");
    bytes = it->second;
  }
  FF_ASSIGN_OR_RETURN(detail::ByteRange range, detail::clamp_range(bytes->size(), offset, length));
  return std::unique_ptr<Reader>(std::make_unique<MemoryReader>(*this, std::move(bytes), range));
}

Result<ObjectInfo> MemoryStore::stat(const std::string& key) {
  FF_TRY(check_available());
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFound("object " + key + " not found");
  return ObjectInfo{it->second->size()};
}

Status MemoryStore::remove(const std::string& key) {
  FF_TRY(check_available());
  std::lock_guard lock(mu_);
  objects_.erase(key);
  return OkStatus();
}

Result<std::optional<std::string>> MemoryStore::presign_put(const std::string&,
                                                            std::chrono::seconds) {
  return std::optional<std::string>();
}

size_t MemoryStore::size_for_testing() const {
  std::lock_guard lock(mu_);
  return objects_.size();
}

}  // namespace ff::blob
