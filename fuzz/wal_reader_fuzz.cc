// The WAL reader and verifier (src/wal), over the in-memory file system of the
// unit tests. The input's first byte picks the mode, the rest is the log file.
//   bit 0: reseal: before reading, every line that ends in a hash member gets
//          its prev_hash and hash members recomputed along the chain, so that
//          the checks behind the hash (seq, version, event, ...) are reached
//          with mutated records; otherwise the bytes are read as they are.
//   bits 1-3: the reader's chunk size (1 byte .. 64 KiB), so that lines split
//          across reads at every place.
// Properties: nothing crashes; the chunk size changes nothing (records, first
// problem, its line and offset, torn or not) against verify_file; seqs run
// 1, 2, ...; good_bytes never passes the file's end; read_since(k) over an
// intact log returns exactly the records after k. Then the Writer's recovery:
// it opens an intact or torn-tailed log (cutting the torn line) and refuses a
// corrupt one with kDataLoss; after it appends one record the log verifies
// intact with one record more.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include "fuzz_check.h"

#include "support/mem_file_system.h"
#include "support/simulated_clock.h"
#include "wal/format.h"
#include "wal/reader.h"
#include "wal/verifier.h"
#include "wal/writer.h"

namespace {

constexpr char kPath[] = "/wal.log";
constexpr size_t kChunkSizes[] = {1, 2, 3, 7, 64, 100, 4096, 64 * 1024};

// Recomputes prev_hash and hash of each stored line, in order.
std::string reseal(std::string_view log) {
  std::string out;
  std::string prev(ff::wal::kGenesisHash);
  constexpr std::string_view kPrev = "\"prev_hash\":\"";
  while (!log.empty()) {
    size_t nl = log.find('\n');
    std::string line(log.substr(0, nl));
    log = nl == std::string_view::npos ? std::string_view() : log.substr(nl + 1);
    if (auto parts = ff::wal::split_stored_line(line)) {
      std::string body(parts->body);
      size_t at = body.find(kPrev);
      if (at != std::string::npos && at + kPrev.size() + prev.size() <= body.size()) {
        body.replace(at + kPrev.size(), prev.size(), prev);
      }
      prev = ff::wal::chain_hash(prev, body);
      line = body + ",\"hash\":\"" + prev + "\"}";
    }
    out += line;
    if (nl != std::string_view::npos) out += '\n';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // the Writer warns about every torn tail
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view raw(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string log = (mode & 1) ? reseal(raw) : std::string(raw);

  ff::testing::MemFileSystem fs;
  fs.set_contents(kPath, log);

  auto file = fs.open_sequential(kPath);
  FF_FUZZ_CHECK(file.ok());
  ff::wal::ReaderOptions options;
  options.chunk_bytes = kChunkSizes[(mode >> 1) % std::size(kChunkSizes)];
  ff::wal::Reader reader(std::move(file).value(), options);
  uint64_t expected_seq = 1;
  while (true) {
    ff::wal::Record record;
    auto got = reader.read(&record);
    FF_FUZZ_CHECK(got.ok());
    if (!*got) break;
    FF_FUZZ_CHECK(record.seq == expected_seq);
    ++expected_seq;
    FF_FUZZ_CHECK(!record.event.empty());
    FF_FUZZ_CHECK(record.line.find('\n') == std::string::npos);
  }
  FF_FUZZ_CHECK(reader.records() == expected_seq - 1);
  FF_FUZZ_CHECK(reader.good_bytes() <= log.size());
  auto again = reader.read(nullptr);
  FF_FUZZ_CHECK(again.ok() && !*again);

  auto report = ff::wal::verify_file(fs, kPath);
  FF_FUZZ_CHECK(report.ok());
  FF_FUZZ_CHECK(report->records == reader.records());
  FF_FUZZ_CHECK(report->head.hash == reader.head().hash);
  FF_FUZZ_CHECK(report->ok == !reader.problem().has_value());
  if (const auto& p = reader.problem()) {
    FF_FUZZ_CHECK(p->line == report->bad_line && p->offset == report->bad_offset);
    FF_FUZZ_CHECK(p->torn_tail == report->torn_tail && p->what == report->problem);
    FF_FUZZ_CHECK(p->seq == reader.records() + 1);
    FF_FUZZ_CHECK(ff::wal::problem_status(*p).code() == ff::Code::kDataLoss);
  } else {
    FF_FUZZ_CHECK(reader.good_bytes() == log.size());
  }

  const uint64_t since = reader.records() / 2;
  auto tail = ff::wal::read_since(fs, kPath, since, 1000000);
  if (report->ok) {
    FF_FUZZ_CHECK(tail.ok());
    FF_FUZZ_CHECK(tail->size() == reader.records() - since);
  }
  if (tail.ok()) {
    for (size_t i = 0; i < tail->size(); ++i) FF_FUZZ_CHECK((*tail)[i]->seq == since + 1 + i);
  } else {
    FF_FUZZ_CHECK(tail.status().code() == ff::Code::kDataLoss);
  }

  ff::testing::SimulatedClock clock;
  ff::sys::Env env{&clock, &fs, nullptr};
  auto writer = ff::wal::Writer::open(env, kPath);
  if (!report->ok && !report->torn_tail) {
    FF_FUZZ_CHECK(!writer.ok() && writer.status().code() == ff::Code::kDataLoss);
    return 0;
  }
  FF_FUZZ_CHECK(writer.ok());
  FF_FUZZ_CHECK((*writer)->head().seq == reader.records());
  FF_FUZZ_CHECK((*writer)->head().hash == reader.head().hash);
  auto appended = (*writer)->append("fuzz_appended", nlohmann::json{{"n", 1}});
  FF_FUZZ_CHECK(appended.ok());
  FF_FUZZ_CHECK((*appended)->seq == reader.records() + 1);
  FF_FUZZ_CHECK((*writer)->close().ok());
  auto after = ff::wal::verify_file(fs, kPath);
  FF_FUZZ_CHECK(after.ok() && after->ok && after->records == reader.records() + 1);
  return 0;
}
