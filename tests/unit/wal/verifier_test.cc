#include "wal/verifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "unit/wal/wal_test_util.h"

namespace ff::wal {
namespace {

using nlohmann::json;

// Byte-mutation tests over a six-record log: each asserts the exact report.
class WalVerifier : public WalTest {
 protected:
  void SetUp() override {
    write_log(6);
    good_ = lines();
    ASSERT_EQ(good_.size(), 6u);
  }

  VerifyReport verify() {
    auto report = verify_file(mem_, kPath);
    EXPECT_TRUE(report.ok()) << report.status().to_string();
    return report.ok() ? *report : VerifyReport{};
  }

  // Expects the first problem at 1-based `line` of `l`, with the lines before it good.
  void expect_problem(const std::vector<std::string>& l, uint64_t line, uint64_t seq,
                      const std::string& what, bool torn_tail = false) {
    VerifyReport r = verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.bad_line, line);
    EXPECT_EQ(r.bad_seq, seq);
    EXPECT_EQ(r.bad_offset, offset_of(l, line));
    EXPECT_EQ(r.problem, what);
    EXPECT_EQ(r.torn_tail, torn_tail);
    EXPECT_EQ(r.records, seq - 1);
    EXPECT_EQ(r.head.seq, seq - 1);
    if (line > 1) {
      EXPECT_EQ(r.head.hash, json::parse(l[line - 2])["hash"]);
    }
  }

  // Replaces the first occurrence of `from` in line `index` (0-based).
  std::vector<std::string> edit(size_t index, const std::string& from, const std::string& to) {
    std::vector<std::string> l = good_;
    size_t at = l[index].find(from);
    EXPECT_NE(at, std::string::npos) << from;
    l[index].replace(at, from.size(), to);
    set_lines(l);
    return l;
  }

  std::vector<std::string> good_;
};

TEST_F(WalVerifier, IntactLogVerifies) {
  VerifyReport r = verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 6u);
  EXPECT_EQ(r.head.seq, 6u);
  EXPECT_EQ(r.head.hash, json::parse(good_[5])["hash"]);
  EXPECT_EQ(r.problem, "");
}

TEST_F(WalVerifier, EmptyLogVerifies) {
  set_contents("");
  VerifyReport r = verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(r.head.hash, kGenesisHash);
}

TEST_F(WalVerifier, FlippedByteInAFieldIsAHashMismatch) {
  auto l = edit(2, "\"n\":3", "\"n\":4");
  expect_problem(l, 3, 3, "hash mismatch");
}

TEST_F(WalVerifier, FlippedByteInTheHashIsAHashMismatch) {
  std::vector<std::string> l = good_;
  char& c = l[2][l[2].size() - 10];
  c = c == 'a' ? 'b' : 'a';
  set_lines(l);
  expect_problem(l, 3, 3, "hash mismatch");
}

TEST_F(WalVerifier, FlippedByteInSeqIsASeqGap) {
  auto l = edit(3, "\"seq\":4", "\"seq\":9");
  expect_problem(l, 4, 4, "seq gap: expected 4, found 9");
}

TEST_F(WalVerifier, FlippedByteInPrevHashBreaksTheLink) {
  std::vector<std::string> l = good_;
  char& c = l[1][l[1].find("\"prev_hash\":\"") + 13];
  c = c == '0' ? '1' : '0';
  set_lines(l);
  expect_problem(l, 2, 2, "prev_hash does not match previous record");
}

TEST_F(WalVerifier, FlippedByteBreakingTheJsonIsCorruptionMidLog) {
  auto l = edit(1, "{", "[");
  expect_problem(l, 2, 2, "unparsable JSON");
}

TEST_F(WalVerifier, UnknownVersionIsReported) {
  auto l = edit(4, "\"v\":1", "\"v\":2");
  expect_problem(l, 5, 5, "missing or unknown format version");
}

TEST_F(WalVerifier, MemberAfterTheHashIsReported) {
  std::vector<std::string> l = good_;
  l[0].insert(l[0].size() - 1, ",\"x\":1");
  set_lines(l);
  expect_problem(l, 1, 1, "hash is not the last member");
}

TEST_F(WalVerifier, DroppedLineIsASeqGap) {
  std::vector<std::string> l = good_;
  l.erase(l.begin() + 2);
  set_lines(l);
  expect_problem(l, 3, 3, "seq gap: expected 3, found 4");
}

TEST_F(WalVerifier, DroppedFirstLineIsASeqGap) {
  std::vector<std::string> l = good_;
  l.erase(l.begin());
  set_lines(l);
  expect_problem(l, 1, 1, "seq gap: expected 1, found 2");
}

TEST_F(WalVerifier, SwappedLinesAreASeqGap) {
  std::vector<std::string> l = good_;
  std::swap(l[1], l[2]);
  set_lines(l);
  expect_problem(l, 2, 2, "seq gap: expected 2, found 3");
}

TEST_F(WalVerifier, InsertedCopyOfAnEarlierLineGoesBackwards) {
  std::vector<std::string> l = good_;
  l.insert(l.begin() + 3, good_[1]);
  set_lines(l);
  expect_problem(l, 4, 4, "seq went backwards: expected 4, found 2");
}

TEST_F(WalVerifier, InsertedWellFormedRecordBreaksTheChainAfterIt) {
  // A forger who recomputes the inserted record's hash still breaks the next link.
  auto prepared = prepare_record("forged", json::object());
  ASSERT_TRUE(prepared.ok());
  std::string prev = json::parse(good_[2])["hash"];
  SealedRecord forged = seal_record(*prepared, prev, 4, "2027-01-15T08:00:00.000Z");
  std::vector<std::string> l = good_;
  l.insert(l.begin() + 3, forged.line);
  set_lines(l);
  expect_problem(l, 5, 5, "seq went backwards: expected 5, found 4");
}

TEST_F(WalVerifier, TruncationMidLineIsATornTail) {
  std::string data = contents();
  set_contents(data.substr(0, data.size() - 30));
  expect_problem(good_, 6, 6, "torn last line", /*torn_tail=*/true);
}

TEST_F(WalVerifier, MissingFinalNewlineIsATornTail) {
  std::string data = contents();
  set_contents(data.substr(0, data.size() - 1));
  expect_problem(good_, 6, 6, "torn last line", /*torn_tail=*/true);
}

TEST_F(WalVerifier, TruncationAtALineBoundaryLeavesAnIntactLog) {
  set_contents(contents().substr(0, offset_of(good_, 5)));
  VerifyReport r = verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 4u);
}

TEST_F(WalVerifier, UnparsableLastLineIsATornTail) {
  std::vector<std::string> l = good_;
  l.push_back(std::string(40, '\0'));
  set_lines(l);
  expect_problem(l, 7, 7, "unparsable JSON", /*torn_tail=*/true);
}

TEST_F(WalVerifier, UsesTheStoredBytesNeverAReserialization) {
  // "1.50" and "\u00e9" would come back from a parse + dump as "1.5" and "é".
  std::string body = "{\"event\":\"e\",\"n\":1.50,\"prev_hash\":\"" + std::string(kGenesisHash) +
                     "\",\"s\":\"\\u00e9\",\"seq\":1,\"timestamp\":\"2027-01-15T08:00:00.000Z\","
                     "\"v\":1";
  std::string line = body + ",\"hash\":\"" + chain_hash(kGenesisHash, body) + "\"}";
  set_lines({line});
  VerifyReport r = verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 1u);
}

// run_verify_command works on the real file system.
class WalVerifyCommand : public ::testing::Test {
 protected:
  WalVerifyCommand() {
    dir_ = std::filesystem::temp_directory_path() /
           ("ff_wal_verify_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "events.wal").string();
  }
  ~WalVerifyCommand() override { std::filesystem::remove_all(dir_); }

  void write_log(int count) {
    sys::Env env = sys::posix_env();
    env.clock = &clock_;
    auto writer = Writer::open(env, path_);
    ASSERT_TRUE(writer.ok()) << writer.status().to_string();
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE((*writer)->append("e", {{"n", i}}).ok());
    }
  }

  int run() {
    out_.str("");
    err_.str("");
    return run_verify_command(path_, out_, err_);
  }

  testing::SimulatedClock clock_;
  std::filesystem::path dir_;
  std::string path_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(WalVerifyCommand, IntactLogExitsZero) {
  write_log(3);
  EXPECT_EQ(run(), 0);
  EXPECT_NE(out_.str().find("is intact: 3 records, head seq 3"), std::string::npos) << out_.str();
  EXPECT_EQ(err_.str(), "");
}

TEST_F(WalVerifyCommand, CorruptLogExitsOneNamingTheFirstBadRecord) {
  write_log(3);
  {
    std::FILE* f = std::fopen(path_.c_str(), "r+");
    ASSERT_NE(f, nullptr);
    std::fputc('[', f);  // line 1 keeps its size but is no longer JSON
    std::fclose(f);
  }
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("is corrupt at line 1 (byte offset 0, expected seq 1)"),
            std::string::npos)
      << err_.str();
}

TEST_F(WalVerifyCommand, TornTailExitsOne) {
  write_log(3);
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) - 1);
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("has a torn last line at line 3"), std::string::npos) << err_.str();
}

TEST_F(WalVerifyCommand, MissingFileExitsTwo) {
  EXPECT_EQ(run(), 2);
  EXPECT_NE(err_.str().find("not_found"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace ff::wal
