// Shared fixture pieces for the WAL unit tests: an Env over MemFileSystem (behind
// a FaultFileSystem) and a SimulatedClock, line-level access to the log file, and
// a status matcher. Single-threaded use, except where a test says otherwise.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/fault_file_system.h"
#include "support/mem_file_system.h"
#include "support/simulated_clock.h"
#include "sys/env.h"
#include "wal/writer.h"

namespace ff::wal {

MATCHER_P(StatusIs, code, std::string("status is ") + ::ff::code_name(code)) {
  const ::ff::Status& status = ::ff::detail::status_of(arg);
  *result_listener << "status is " << status.to_string();
  return status.code() == code;
}

class WalTest : public ::testing::Test {
 protected:
  static constexpr const char* kPath = "/wal/events.wal";

  WalTest() : fs_(mem_) {
    mem_.create_dirs("/wal").ignore_error();
    env_ = sys::Env{&clock_, &fs_, &sys::secure_random()};
  }

  std::unique_ptr<Writer> open_writer(Writer::Options options = {}) {
    auto writer = Writer::open(env_, kPath, options);
    EXPECT_TRUE(writer.ok()) << writer.status().to_string();
    return writer.ok() ? std::move(writer).value() : nullptr;
  }

  static nlohmann::json fields_for(int n) {
    return {{"agent_id", "agent-" + std::to_string(n % 3)}, {"n", n}, {"status", "ok"}};
  }

  // Appends records n = 1..count; returns their stored lines.
  std::vector<std::string> append_n(Writer& writer, int count) {
    std::vector<std::string> lines;
    for (int n = 1; n <= count; ++n) {
      auto r = writer.append("test_event", fields_for(n));
      EXPECT_TRUE(r.ok()) << r.status().to_string();
      if (r.ok()) lines.push_back((*r)->line);
    }
    return lines;
  }

  // Writes `count` records through a writer that is closed again.
  std::vector<std::string> write_log(int count) {
    auto writer = open_writer();
    auto lines = append_n(*writer, count);
    EXPECT_TRUE(writer->close().ok());
    return lines;
  }

  std::string contents() const { return mem_.contents(kPath); }
  void set_contents(std::string data) { mem_.set_contents(kPath, std::move(data)); }

  // The log's lines, without their '\n'; an unterminated tail is the last element.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::string data = contents();
    size_t start = 0;
    while (start < data.size()) {
      size_t nl = data.find('\n', start);
      if (nl == std::string::npos) {
        out.push_back(data.substr(start));
        break;
      }
      out.push_back(data.substr(start, nl - start));
      start = nl + 1;
    }
    return out;
  }
  void set_lines(const std::vector<std::string>& lines) {
    std::string data;
    for (const std::string& l : lines) data += l + "\n";
    set_contents(std::move(data));
  }
  // Byte offset of 1-based line `line` in `lines`.
  static uint64_t offset_of(const std::vector<std::string>& lines, size_t line) {
    uint64_t offset = 0;
    for (size_t i = 0; i + 1 < line; ++i) offset += lines[i].size() + 1;
    return offset;
  }

  testing::SimulatedClock clock_;
  testing::MemFileSystem mem_;
  testing::FaultFileSystem fs_;
  sys::Env env_{};
};

}  // namespace ff::wal
