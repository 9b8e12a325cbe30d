#include "wal/format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/hex.h"
#include "unit/wal/wal_test_util.h"

namespace ff::wal {
namespace {

using nlohmann::json;

constexpr std::string_view kTimestamp = "2027-01-15T08:00:00.123Z";

SealedRecord seal(std::string_view event, const json& fields, uint64_t seq = 1,
                  std::string_view prev = kGenesisHash) {
  auto prepared = prepare_record(event, fields);
  EXPECT_TRUE(prepared.ok()) << prepared.status().to_string();
  return seal_record(*prepared, prev, seq, kTimestamp);
}

TEST(WalFormat, GenesisHashIsSixtyFourZeros) {
  EXPECT_EQ(kGenesisHash, std::string(64, '0'));
  EXPECT_EQ(kMaxRecordBytes, 64u * 1024);
  EXPECT_EQ(kFormatVersion, 1);
}

TEST(WalFormat, LineIsSortedCompactJsonWithHashAsLastMember) {
  // Keys chosen to land before, between and after every member the format owns.
  json fields = {{"zeta", true},
                 {"agent_id", "a1"},
                 {"job_id", "j1"},
                 {"r", nullptr},
                 {"sa", "x"},
                 {"u", 2},
                 {"metadata", {{"b", 1}, {"a", json::array({1, 2})}}}};
  SealedRecord sealed = seal("snapshot_created", fields, 42, std::string(64, 'a'));

  json doc = json::parse(sealed.line);
  EXPECT_EQ(doc["v"], 1);
  EXPECT_EQ(doc["seq"], 42);
  EXPECT_EQ(doc["timestamp"], kTimestamp);
  EXPECT_EQ(doc["event"], "snapshot_created");
  EXPECT_EQ(doc["prev_hash"], std::string(64, 'a'));
  EXPECT_EQ(doc["hash"], sealed.hash);

  std::string suffix = ",\"hash\":\"" + sealed.hash + "\"}";
  ASSERT_TRUE(sealed.line.ends_with(suffix));
  std::string canonical = sealed.line.substr(0, sealed.line.size() - suffix.size()) + "}";
  doc.erase("hash");
  EXPECT_EQ(canonical, doc.dump());
}

TEST(WalFormat, HashIsSha256OfPrevHashThenCanonicalBytes) {
  std::string prev(64, 'b');
  SealedRecord sealed = seal("e", {{"k", "v"}}, 7, prev);
  std::string canonical = "{\"event\":\"e\",\"k\":\"v\",\"prev_hash\":\"" + prev +
                          "\",\"seq\":7,\"timestamp\":\"2027-01-15T08:00:00.123Z\",\"v\":1}";
  EXPECT_EQ(sealed.hash, sha256_hex(prev + canonical));
  EXPECT_EQ(sealed.line,
            canonical.substr(0, canonical.size() - 1) + ",\"hash\":\"" + sealed.hash + "\"}");
}

TEST(WalFormat, NullFieldsMeanNoFields) {
  SealedRecord sealed = seal("e", json());
  EXPECT_EQ(json::parse(sealed.line).size(), 6u);
}

TEST(WalFormat, AgentIdIsCopiedOnlyWhenAString) {
  auto with = prepare_record("e", {{"agent_id", "agent-7"}});
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->agent_id, "agent-7");
  auto number = prepare_record("e", {{"agent_id", 7}});
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->agent_id, "");
}

TEST(WalFormat, ReservedKeysAreRejectedAsInternal) {
  for (const char* key : {"v", "seq", "timestamp", "event", "prev_hash", "hash"}) {
    EXPECT_THAT(prepare_record("e", {{key, 1}}), StatusIs(Code::kInternal)) << key;
  }
}

TEST(WalFormat, NonObjectFieldsAreRejectedAsInternal) {
  EXPECT_THAT(prepare_record("e", json::array({1})), StatusIs(Code::kInternal));
  EXPECT_THAT(prepare_record("e", json("text")), StatusIs(Code::kInternal));
  EXPECT_THAT(prepare_record("", json::object()), StatusIs(Code::kInternal));
}

TEST(WalFormat, InvalidUtf8IsInvalidArgument) {
  EXPECT_THAT(prepare_record("e", {{"k", "bad \xff byte"}}), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(prepare_record("bad\xfe", json::object()), StatusIs(Code::kInvalidArgument));
}

TEST(WalFormat, SplitStoredLineCutsTheHashMember) {
  SealedRecord sealed = seal("e", {{"k", "v"}});
  auto parts = split_stored_line(sealed.line);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->hash, sealed.hash);
  EXPECT_EQ(chain_hash(kGenesisHash, parts->body), sealed.hash);
}

TEST(WalFormat, SplitStoredLineRejectsLinesNotEndingInAHashMember) {
  SealedRecord sealed = seal("e", {{"k", "v"}});
  std::string upper = sealed.line;
  upper[upper.size() - 3] = 'A';  // hex must be lowercase
  EXPECT_FALSE(split_stored_line(upper).has_value());
  EXPECT_FALSE(split_stored_line(sealed.line + " ").has_value());
  EXPECT_FALSE(split_stored_line(sealed.line.substr(0, sealed.line.size() - 1)).has_value());
  EXPECT_FALSE(split_stored_line("").has_value());
  EXPECT_FALSE(split_stored_line("{\"hash\":\"" + sealed.hash + "\"}").has_value());
}

}  // namespace
}  // namespace ff::wal
