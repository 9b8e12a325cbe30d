#include "blob/metered_store.h"

namespace ff::blob {

namespace {

using metrics::StoreOp;

bool counts(const Status& s) {
  return !s.ok() && s.code() != Code::kNotFound && s.code() != Code::kOutOfRange;
}

class Counted {
 public:
  explicit Counted(metrics::Metrics& m) : m_(m) {}
  Status operator()(StoreOp op, Status s) const {
    if (counts(s)) m_.store_error(op);
    return s;
  }
  template <typename T>
  Result<T> operator()(StoreOp op, Result<T> r) const {
    if (!r.ok() && counts(r.status())) m_.store_error(op);
    return r;
  }

 private:
  metrics::Metrics& m_;
};

class MeteredWriter final : public Writer {
 public:
  MeteredWriter(std::unique_ptr<Writer> inner, Counted count)
      : inner_(std::move(inner)), count_(count) {}
  Status write(std::string_view chunk) override {
    // A dead writer repeats its error: count the first only.
    if (failed_) return inner_->write(chunk);
    Status s = count_(StoreOp::kWrite, inner_->write(chunk));
    failed_ = !s.ok();
    return s;
  }
  Status commit() override { return count_(StoreOp::kCommit, inner_->commit()); }
  void abort() override { inner_->abort(); }

 private:
  std::unique_ptr<Writer> inner_;
  Counted count_;
  bool failed_ = false;
};

class MeteredReader final : public Reader {
 public:
  MeteredReader(std::unique_ptr<Reader> inner, Counted count)
      : inner_(std::move(inner)), count_(count) {}
  Result<size_t> read(char* buf, size_t n) override {
    return count_(StoreOp::kRead, inner_->read(buf, n));
  }

 private:
  std::unique_ptr<Reader> inner_;
  Counted count_;
};

class MeteredStore final : public BlobStore {
 public:
  MeteredStore(std::unique_ptr<BlobStore> inner, metrics::Metrics& m)
      : inner_(std::move(inner)), count_(m) {}

  std::string kind() const override { return inner_->kind(); }
  Status ensure_ready() override { return count_(StoreOp::kPing, inner_->ensure_ready()); }
  Status ping() override { return count_(StoreOp::kPing, inner_->ping()); }
  Result<std::unique_ptr<Writer>> create(const std::string& key, uint64_t size) override {
    return wrap_writer(inner_->create(key, size));
  }
  Result<std::unique_ptr<Writer>> create_checked(const std::string& key, uint64_t size,
                                                 const std::string& sha256_hex) override {
    return wrap_writer(inner_->create_checked(key, size, sha256_hex));
  }
  Result<std::unique_ptr<Reader>> open(const std::string& key, uint64_t offset,
                                       std::optional<uint64_t> length) override {
    auto r = count_(StoreOp::kOpen, inner_->open(key, offset, length));
    if (!r.ok()) return r.status();
    return std::unique_ptr<Reader>(std::make_unique<MeteredReader>(std::move(r).value(), count_));
  }
  Result<ObjectInfo> stat(const std::string& key) override {
    return count_(StoreOp::kStat, inner_->stat(key));
  }
  Status remove(const std::string& key) override {
    return count_(StoreOp::kRemove, inner_->remove(key));
  }
  Result<std::optional<std::string>> presign_put(const std::string& key,
                                                 std::chrono::seconds expires) override {
    return count_(StoreOp::kPresign, inner_->presign_put(key, expires));
  }

 private:
  Result<std::unique_ptr<Writer>> wrap_writer(Result<std::unique_ptr<Writer>> w) {
    w = count_(StoreOp::kCreate, std::move(w));
    if (!w.ok()) return w.status();
    return std::unique_ptr<Writer>(std::make_unique<MeteredWriter>(std::move(w).value(), count_));
  }

  std::unique_ptr<BlobStore> inner_;
  Counted count_;
};

}  // namespace

std::unique_ptr<BlobStore> make_metered_store(std::unique_ptr<BlobStore> inner,
                                              metrics::Metrics& metrics) {
  return std::make_unique<MeteredStore>(std::move(inner), metrics);
}

}  // namespace ff::blob
