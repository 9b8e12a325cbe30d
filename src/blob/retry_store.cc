#include "blob/retry_store.h"

#include <algorithm>
#include <random>
#include <thread>

namespace ff::blob {

namespace {

// Resumes after a transient read failure by reopening the rest of the range.
class RetryReader final : public Reader {
 public:
  RetryReader(BlobStore& inner, const RetryStore& retry, std::string key, uint64_t offset,
              std::optional<uint64_t> length, std::unique_ptr<Reader> reader)
      : inner_(inner),
        retry_(retry),
        key_(std::move(key)),
        pos_(offset),
        left_(length),
        reader_(std::move(reader)) {}

  Result<size_t> read(char* buf, size_t n) override {
    for (int failures = 0;; ++failures) {
      Status s;
      if (reader_ == nullptr) {
        Result<std::unique_ptr<Reader>> reopened = inner_.open(key_, pos_, left_);
        if (reopened.ok()) reader_ = std::move(*reopened);
        s = reopened.status();
      }
      if (s.ok()) {
        Result<size_t> got = reader_->read(buf, n);
        if (got.ok()) {
          pos_ += *got;
          if (left_) *left_ -= *got;
          return got;
        }
        s = got.status();
        reader_.reset();
      }
      if (s.code() != Code::kUnavailable || failures >= retry_.max_retries()) return s;
      retry_.wait(failures + 1);
    }
  }

 private:
  BlobStore& inner_;
  const RetryStore& retry_;
  const std::string key_;
  uint64_t pos_;
  std::optional<uint64_t> left_;
  std::unique_ptr<Reader> reader_;
};

const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) {
  return r.status();
}

}  // namespace

RetryStore::RetryStore(std::unique_ptr<BlobStore> inner, RetryPolicy policy)
    : inner_(std::move(inner)), policy_(std::move(policy)) {}

template <typename T, typename Op>
T RetryStore::run(Op op) const {
  for (int attempt = 0;; ++attempt) {
    T r = op();
    if (r.ok() || status_of(r).code() != Code::kUnavailable || attempt >= policy_.max_retries) {
      return r;
    }
    wait(attempt + 1);
  }
}

void RetryStore::wait(int attempt) const {
  const int shift = std::min(attempt - 1, 20);
  const int64_t cap =
      std::min<int64_t>(policy_.max_delay.count(), policy_.base_delay.count() << shift);
  thread_local std::minstd_rand rng{std::random_device{}()};
  const auto delay = std::chrono::milliseconds(
      cap <= 0 ? 0 : std::uniform_int_distribution<int64_t>(cap / 2, cap)(rng));
  if (policy_.sleep) {
    policy_.sleep(delay);
  } else {
    std::this_thread::sleep_for(delay);
  }
}

Status RetryStore::ensure_ready() {
  return run<Status>([&] { return inner_->ensure_ready(); });
}

Status RetryStore::ping() { return inner_->ping(); }

Result<std::unique_ptr<Writer>> RetryStore::create(const std::string& key, uint64_t expected_size) {
  return run<Result<std::unique_ptr<Writer>>>([&] { return inner_->create(key, expected_size); });
}

Result<std::unique_ptr<Writer>> RetryStore::create_checked(const std::string& key,
                                                           uint64_t expected_size,
                                                           const std::string& sha256_hex) {
  return run<Result<std::unique_ptr<Writer>>>(
      [&] { return inner_->create_checked(key, expected_size, sha256_hex); });
}

Result<std::unique_ptr<Reader>> RetryStore::open(const std::string& key, uint64_t offset,
                                                 std::optional<uint64_t> length) {
  FF_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, run<Result<std::unique_ptr<Reader>>>([&] {
                        return inner_->open(key, offset, length);
                      }));
  return std::unique_ptr<Reader>(
      std::make_unique<RetryReader>(*inner_, *this, key, offset, length, std::move(reader)));
}

Result<ObjectInfo> RetryStore::stat(const std::string& key) {
  return run<Result<ObjectInfo>>([&] { return inner_->stat(key); });
}

Status RetryStore::remove(const std::string& key) {
  return run<Status>([&] { return inner_->remove(key); });
}

Result<std::optional<std::string>> RetryStore::presign_put(const std::string& key,
                                                           std::chrono::seconds expires) {
  return run<Result<std::optional<std::string>>>([&] { return inner_->presign_put(key, expires); });
}

}  // namespace ff::blob
