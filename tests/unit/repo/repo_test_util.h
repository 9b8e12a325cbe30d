// Shared pieces of the repository library's unit tests: a seeded Random (the
// tests are deterministic), fixed keys, a status matcher and temp files.
// Single-threaded use.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>

#include "common/status.h"
#include "repo/key.h"
#include "sys/random.h"

namespace ff::repo {

MATCHER_P(StatusIs, code, std::string("status is ") + ::ff::code_name(code)) {
  const ::ff::Status& status = ::ff::detail::status_of(arg);
  *result_listener << "status is " << status.to_string();
  return status.code() == code;
}

class SeededRandom final : public sys::Random {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  std::string bytes(size_t n) override {
    std::lock_guard lock(mu_);  // sys::Random's contract: any thread
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng_());
    return out;
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;  // guarded by mu_
};

// Master key 00 01 02 .. 1f: the key of the known-answer tests.
inline Key256 counting_master() {
  Key256 m{};
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i);
  return m;
}

inline RepositoryKey key_from_seed(uint64_t seed) {
  SeededRandom random(seed);
  return generate_key(random);
}

// A fresh directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("ff_repo_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ff::repo
