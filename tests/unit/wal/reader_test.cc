#include "wal/reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/wal/wal_test_util.h"

namespace ff::wal {
namespace {

using nlohmann::json;

class WalReader : public WalTest {
 protected:
  std::vector<uint64_t> seqs_since(uint64_t since, size_t max) {
    auto records = read_since(mem_, kPath, since, max);
    EXPECT_TRUE(records.ok()) << records.status().to_string();
    std::vector<uint64_t> seqs;
    if (records.ok()) {
      for (const RecordPtr& r : *records) seqs.push_back(r->seq);
    }
    return seqs;
  }

  std::unique_ptr<Reader> reader(Reader::Options options = {},
                                 Reader::Reporter* reporter = nullptr) {
    auto file = mem_.open_sequential(kPath);
    EXPECT_TRUE(file.ok());
    return std::make_unique<Reader>(std::move(file).value(), options, reporter);
  }
};

struct CountingReporter : Reader::Reporter {
  void corruption(const Problem& problem) override {
    ++calls;
    last = problem;
  }
  int calls = 0;
  Problem last;
};

TEST_F(WalReader, ReadSinceReturnsRecordsAfterTheStartPoint) {
  write_log(10);
  EXPECT_EQ(seqs_since(0, 100), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(seqs_since(4, 3), (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_EQ(seqs_since(9, 100), (std::vector<uint64_t>{10}));
  EXPECT_TRUE(seqs_since(10, 100).empty());
  EXPECT_TRUE(seqs_since(50, 100).empty());
  EXPECT_TRUE(seqs_since(0, 0).empty());
}

TEST_F(WalReader, ReadSinceReturnsTheStoredRecords) {
  auto written = write_log(4);
  auto records = read_since(mem_, kPath, 1, 10);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Record& r = *(*records)[i];
    EXPECT_EQ(r.line, written[i + 1]);
    EXPECT_EQ(r.event, "test_event");
    EXPECT_EQ(r.agent_id, "agent-" + std::to_string((i + 2) % 3));
  }
}

TEST_F(WalReader, ReadSinceStopsQuietlyAtATornLastLine) {
  auto written = write_log(3);
  set_contents(contents() + written[0].substr(0, 50));  // an append in flight
  EXPECT_EQ(seqs_since(0, 100), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(seqs_since(3, 100), (std::vector<uint64_t>{}));
}

TEST_F(WalReader, ReadSinceReportsCorruptionAfterTheStartPoint) {
  write_log(8);
  auto l = lines();
  l[6][l[6].find("\"n\":7") + 4] = '0';
  set_lines(l);
  auto records = read_since(mem_, kPath, 5, 100);
  EXPECT_THAT(records, StatusIs(Code::kDataLoss));
  EXPECT_EQ(records.status().message(), "WAL corrupt at line 7 (byte offset " +
                                            std::to_string(offset_of(l, 7)) +
                                            ", expected seq 7): hash mismatch");
}

TEST_F(WalReader, ReadSinceNoticesALineMissingBeforeTheStartPoint) {
  write_log(8);
  auto l = lines();
  l.erase(l.begin() + 2);
  set_lines(l);
  auto records = read_since(mem_, kPath, 5, 100);
  EXPECT_THAT(records, StatusIs(Code::kDataLoss));
  EXPECT_NE(records.status().message().find("line 6"), std::string::npos);
  EXPECT_NE(records.status().message().find("seq gap: expected 6, found 7"), std::string::npos);
}

TEST_F(WalReader, ReadSinceOfAMissingFileIsNotFound) {
  EXPECT_THAT(read_since(mem_, "/wal/none.wal", 0, 10), StatusIs(Code::kNotFound));
}

TEST_F(WalReader, EmptyLogHasNoRecords) {
  set_contents("");
  auto r = reader();
  auto got = r->read(nullptr);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(*got);
  EXPECT_FALSE(r->problem().has_value());
  EXPECT_EQ(r->head().hash, kGenesisHash);
}

TEST_F(WalReader, ReadsLinesAcrossChunkBoundaries) {
  write_log(30);
  Reader::Options options;
  options.chunk_bytes = 7;
  auto r = reader(options);
  Record record;
  uint64_t n = 0;
  while (true) {
    auto got = r->read(&record);
    ASSERT_TRUE(got.ok());
    if (!*got) break;
    EXPECT_EQ(record.seq, ++n);
  }
  EXPECT_EQ(n, 30u);
  EXPECT_FALSE(r->problem().has_value());
  EXPECT_EQ(r->good_bytes(), contents().size());
}

TEST_F(WalReader, ReadsAFileLargerThanOneChunk) {
  auto writer = open_writer();
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(writer->append("e", {{"pad", std::string(300, 'p')}}).ok());
  }
  ASSERT_GT(contents().size(), 2u * 64 * 1024);
  EXPECT_EQ(seqs_since(395, 100), (std::vector<uint64_t>{396, 397, 398, 399, 400}));
  EXPECT_EQ(seqs_since(0, 1000).size(), 400u);
}

TEST_F(WalReader, ReporterHearsOfTheFirstProblemOnce) {
  write_log(5);
  auto l = lines();
  l[1] = "not json";
  l[3] = "not json either";
  set_lines(l);
  CountingReporter reporter;
  auto r = reader({}, &reporter);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(r->read(nullptr).ok());
  EXPECT_EQ(reporter.calls, 1);
  EXPECT_EQ(reporter.last.line, 2u);
  EXPECT_EQ(reporter.last.seq, 2u);
  EXPECT_EQ(reporter.last.offset, offset_of(l, 2));
  EXPECT_EQ(reporter.last.what, "unparsable JSON");
  EXPECT_FALSE(reporter.last.torn_tail);
  EXPECT_EQ(r->records(), 1u);
}

TEST_F(WalReader, OverlongLineIsCorruptionInsideTheLog) {
  write_log(2);
  auto l = lines();
  l.insert(l.begin() + 1, std::string(5000, 'g'));
  set_lines(l);
  Reader::Options options;
  options.max_line_bytes = 1000;
  options.chunk_bytes = 256;
  auto r = reader(options);
  while (*r->read(nullptr)) {
  }
  ASSERT_TRUE(r->problem().has_value());
  EXPECT_EQ(r->problem()->line, 2u);
  EXPECT_EQ(r->problem()->what, "line longer than 1000 bytes");
  EXPECT_FALSE(r->problem()->torn_tail);
}

TEST_F(WalReader, OverlongUnterminatedTailIsATornTail) {
  write_log(2);
  std::string intact = contents();
  set_contents(intact + std::string(5000, 'g'));
  Reader::Options options;
  options.max_line_bytes = 1000;
  options.chunk_bytes = 256;
  auto r = reader(options);
  while (*r->read(nullptr)) {
  }
  ASSERT_TRUE(r->problem().has_value());
  EXPECT_EQ(r->problem()->line, 3u);
  EXPECT_EQ(r->problem()->offset, intact.size());
  EXPECT_EQ(r->problem()->what, "torn last line");
  EXPECT_TRUE(r->problem()->torn_tail);
  EXPECT_EQ(r->good_bytes(), intact.size());
}

}  // namespace
}  // namespace ff::wal
