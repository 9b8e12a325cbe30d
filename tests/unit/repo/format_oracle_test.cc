// The C++ reader against packs written by tests/unit/repo/format_oracle.py, an
// independent implementation of docs/repository-format.md: a drift between the
// document and the code fails here even when writer and reader drift together.
#include <fstream>
#include <sstream>

#include "repo/pack.h"
#include "repo_test_util.h"

namespace ff::repo {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(FF_TESTS_SOURCE_DIR) + "/unit/repo/fixtures/" + name,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Expected {
  BlobType type;
  std::string plain;
};

const std::vector<Expected> kBlobs = {
    {BlobType::kData,
     [] {
       std::string s;
       for (int i = 0; i < 20; ++i) s += "hello world\n";
       return s;
     }()},
    {BlobType::kTree, "{\"nodes\":[]}"},
    {BlobType::kData, ""},
};

void expect_readable(const Codec& codec, const std::string& name) {
  SCOPED_TRACE(name);
  std::string pack = fixture(name);
  ASSERT_FALSE(pack.empty()) << "missing fixture";
  Result<std::vector<PackEntry>> entries = read_pack_header(codec, pack);
  ASSERT_TRUE(entries.ok()) << entries.status().to_string();
  ASSERT_EQ(entries->size(), kBlobs.size());
  for (size_t i = 0; i < kBlobs.size(); ++i) {
    const PackEntry& e = (*entries)[i];
    EXPECT_EQ(e.type, kBlobs[i].type);
    EXPECT_EQ(e.id, codec.id_of(kBlobs[i].plain));
    Result<std::string> plain = codec.open(e.type, e.id, pack.substr(e.offset, e.length), 1 << 20);
    ASSERT_TRUE(plain.ok()) << plain.status().to_string();
    EXPECT_EQ(*plain, kBlobs[i].plain);
  }
}

TEST(FormatOracle, ReadsPlainPacksWrittenFromTheDocument) {
  expect_readable(Codec::plain(), "plain_raw.pack");
  expect_readable(Codec::plain(), "plain_zstd.pack");
}

TEST(FormatOracle, ReadsKeyedPacksWrittenFromTheDocument) {
  Codec codec = Codec::keyed(derive_key(counting_master()));
  expect_readable(codec, "keyed_raw.pack");
  expect_readable(codec, "keyed_zstd.pack");
}

}  // namespace
}  // namespace ff::repo
