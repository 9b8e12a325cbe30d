// Harnesses that let one conformance suite (conformance_test.cc) run against
// every BlobStore: memory, local (a fresh temp dir) and S3 (the server named
// by FF_TEST_S3_ENDPOINT, one fresh bucket per test process; skipped when the
// variable is unset).
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "blob/blob_store.h"
#include "blob/factory.h"
#include "blob/s3/s3_store.h"
#include "common/hex.h"
#include "sys/random.h"

namespace ff::blob::testing {

// Reads a Reader to its end in `chunk`-sized reads.
inline Result<std::string> read_all(Reader& reader, size_t chunk = 100 * 1024) {
  std::string out;
  std::string buf(chunk, '\0');
  while (true) {
    FF_ASSIGN_OR_RETURN(size_t n, reader.read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

inline std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

struct MemoryHarness {
  static constexpr const char* kName = "memory";
  std::string skip_reason() const { return ""; }
  std::unique_ptr<BlobStore> make(uint64_t /*part_size*/) { return make_memory_store(); }
  // Staged-but-unpublished uploads left behind (nothing to leave in memory).
  Result<size_t> pending_uploads(BlobStore&, const std::string&) { return size_t{0}; }
};

struct LocalHarness {
  static constexpr const char* kName = "local";
  LocalHarness() {
    char tmpl[] = "/tmp/ff-blob-local-XXXXXX";
    root = ::mkdtemp(tmpl);
  }
  ~LocalHarness() { std::filesystem::remove_all(root); }
  std::string skip_reason() const { return ""; }
  std::unique_ptr<BlobStore> make(uint64_t /*part_size*/) {
    auto store = make_local_store(root + "/objects");
    EXPECT_TRUE(store.ok());
    return std::move(*store);
  }
  Result<size_t> pending_uploads(BlobStore&, const std::string&) {
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root + "/objects/.tmp")) {
      (void)entry;
      ++n;
    }
    return n;
  }
  std::string root;
};

inline std::string s3_endpoint_from_env() {
  const char* e = std::getenv("FF_TEST_S3_ENDPOINT");
  return e == nullptr ? "" : e;
}

// One bucket per test process, so runs never see each other's objects.
inline const std::string& s3_test_bucket() {
  static const std::string bucket = "ff-test-" + to_hex(sys::secure_random().bytes(6));
  return bucket;
}

inline S3Config s3_test_config(uint64_t part_size) {
  S3Config c;
  c.endpoint = s3_endpoint_from_env();
  c.access_key = "S3RVER";
  c.secret_key = "S3RVER";
  c.bucket = s3_test_bucket();
  c.part_size = part_size;
  c.stream_put_max_size = 0;  // exercise multipart; streaming PUTs have their own tests
  c.max_retries = 2;
  c.retry_base_delay = std::chrono::milliseconds(20);
  c.connect_timeout = std::chrono::milliseconds(2000);
  c.io_timeout = std::chrono::milliseconds(20000);
  return c;
}

struct S3Harness {
  static constexpr const char* kName = "s3";
  std::string skip_reason() const {
    if (s3_endpoint_from_env().empty()) {
      return "FF_TEST_S3_ENDPOINT is not set (make test starts s3rver and sets it)";
    }
    return "";
  }
  std::unique_ptr<BlobStore> make(uint64_t part_size) {
    auto store = S3Store::create_store(s3_test_config(part_size), sys::system_clock());
    EXPECT_TRUE(store.ok()) << store.status().to_string();
    return std::move(*store);
  }
  Result<size_t> pending_uploads(BlobStore& store, const std::string& prefix) {
    FF_ASSIGN_OR_RETURN(auto uploads, static_cast<S3Store&>(store).list_multipart_uploads(prefix));
    return uploads.size();
  }
};

}  // namespace ff::blob::testing
