#include "repo/codec.h"

#include "common/hex.h"
#include "repo/detail/gear.h"
#include "repo_test_util.h"

namespace ff::repo {
namespace {

constexpr size_t kMax = 16 << 20;

std::string compressible(size_t n) {
  std::string s;
  while (s.size() < n) s += "the same line of backup data, again and again. ";
  s.resize(n);
  return s;
}

class CodecTest : public ::testing::TestWithParam<bool> {
 protected:
  CodecTest()
      : key_(derive_key(counting_master())),
        codec_(GetParam() ? Codec::keyed(key_) : Codec::plain()),
        random_(42) {}

  std::string seal(const std::string& plain, BlobType type = BlobType::kData) {
    return codec_.seal(type, codec_.id_of(plain), plain, 3, random_);
  }

  RepositoryKey key_;
  Codec codec_;
  SeededRandom random_;
};

INSTANTIATE_TEST_SUITE_P(Kinds, CodecTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Keyed" : "Plain"; });

TEST_P(CodecTest, RoundTripsCompressibleRandomAndEmpty) {
  for (std::string plain : {compressible(100000), random_.bytes(100000), std::string()}) {
    BlobId id = codec_.id_of(plain);
    std::string sealed = seal(plain);
    Result<std::string> opened = codec_.open(BlobType::kData, id, sealed, kMax);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    EXPECT_EQ(*opened, plain);
  }
}

TEST_P(CodecTest, CompressesRepetitiveData) {
  std::string plain = compressible(100000);
  EXPECT_LT(seal(plain).size(), plain.size() / 10);
}

TEST_P(CodecTest, SkipsCompressionForRandomData) {
  std::string plain = random_.bytes(100000);
  std::string sealed = seal(plain);
  size_t overhead = codec_.encrypted() ? 1 + 12 + 16 : 1;
  EXPECT_EQ(sealed.size(), plain.size() + overhead);
  if (!codec_.encrypted()) {
    EXPECT_EQ(sealed[0], 0);  // compression byte: none
    EXPECT_EQ(sealed.substr(1), plain);
  }
}

TEST_P(CodecTest, FlippedByteIsDataLoss) {
  std::string plain = compressible(5000) + random_.bytes(5000);
  BlobId id = codec_.id_of(plain);
  std::string sealed = seal(plain);
  for (size_t at : {size_t{0}, size_t{1}, sealed.size() / 2, sealed.size() - 1}) {
    std::string bad = sealed;
    bad[at] ^= 0x20;
    EXPECT_THAT(codec_.open(BlobType::kData, id, bad, kMax), StatusIs(Code::kDataLoss))
        << "flipped byte " << at;
  }
}

TEST_P(CodecTest, TruncatedIsDataLoss) {
  std::string plain = random_.bytes(1000);
  BlobId id = codec_.id_of(plain);
  std::string sealed = seal(plain);
  for (size_t len : {size_t{0}, size_t{5}, sealed.size() - 1}) {
    EXPECT_THAT(codec_.open(BlobType::kData, id, sealed.substr(0, len), kMax),
                StatusIs(Code::kDataLoss));
  }
}

TEST_P(CodecTest, WrongIdIsDataLossNamingTheId) {
  std::string plain = compressible(1000);
  std::string sealed = seal(plain);
  BlobId other = codec_.id_of("something else");
  Result<std::string> r = codec_.open(BlobType::kData, other, sealed, kMax);
  EXPECT_THAT(r, StatusIs(Code::kDataLoss));
  EXPECT_NE(r.status().message().find(blob_id_hex(other)), std::string::npos);
}

TEST_P(CodecTest, PlaintextOverTheBoundIsDataLoss) {
  for (std::string plain : {compressible(200000), random_.bytes(200000)}) {
    BlobId id = codec_.id_of(plain);
    std::string sealed = seal(plain);
    EXPECT_THAT(codec_.open(BlobType::kData, id, sealed, plain.size() - 1),
                StatusIs(Code::kDataLoss));
    EXPECT_TRUE(codec_.open(BlobType::kData, id, sealed, plain.size()).ok());
  }
}

TEST_P(CodecTest, HeaderRoundTrip) {
  std::string plain = random_.bytes(460);
  std::string sealed = codec_.seal_header(plain, random_);
  Result<std::string> opened = codec_.open_header(sealed, 1000);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  EXPECT_EQ(*opened, plain);
  EXPECT_THAT(codec_.open_header(sealed, 100), StatusIs(Code::kDataLoss));
}

TEST(Codec, KeyedWrongTypeIsDataLoss) {
  Codec codec = Codec::keyed(derive_key(counting_master()));
  SeededRandom random(1);
  std::string plain = "{\"nodes\":[]}";
  BlobId id = codec.id_of(plain);
  std::string sealed = codec.seal(BlobType::kTree, id, plain, 3, random);
  EXPECT_TRUE(codec.open(BlobType::kTree, id, sealed, kMax).ok());
  EXPECT_THAT(codec.open(BlobType::kData, id, sealed, kMax), StatusIs(Code::kDataLoss));
}

TEST(Codec, KeyedOtherKeyIsDataLoss) {
  Codec mine = Codec::keyed(key_from_seed(1));
  Codec other = Codec::keyed(key_from_seed(2));
  SeededRandom random(1);
  std::string plain = compressible(3000);
  BlobId id = mine.id_of(plain);
  std::string sealed = mine.seal(BlobType::kData, id, plain, 3, random);
  EXPECT_THAT(other.open(BlobType::kData, id, sealed, kMax), StatusIs(Code::kDataLoss));
  EXPECT_THAT(other.open_header(mine.seal_header("x", random), kMax), StatusIs(Code::kDataLoss));
}

TEST(Codec, KeyedSealHidesPlaintextAndUsesFreshNonces) {
  Codec codec = Codec::keyed(key_from_seed(1));
  SeededRandom random(1);
  std::string plain = "MARKER-" + std::string(2000, 'x');
  BlobId id = codec.id_of(plain);
  std::string a = codec.seal(BlobType::kData, id, plain, 0, random);
  std::string b = codec.seal(BlobType::kData, id, plain, 0, random);
  EXPECT_EQ(a.find("MARKER"), std::string::npos);
  EXPECT_NE(a.substr(0, 12), b.substr(0, 12));
}

TEST(Codec, IdsArePlainSha256OrKeyedHmac) {
  EXPECT_EQ(blob_id_hex(Codec::plain().id_of("hello")), sha256_hex("hello"));
  // HMAC-SHA-256(id_key of the counting master, "hello"), computed with Python.
  EXPECT_EQ(blob_id_hex(Codec::keyed(derive_key(counting_master())).id_of("hello")),
            "6a1a9f2be5693c54d20dc2f652958c2ec0b01c6edad3e123c9b824815cfad391");
  EXPECT_EQ(Codec::plain().key_id(), "");
  EXPECT_EQ(Codec::keyed(derive_key(counting_master())).key_id(),
            "4d00f8d97a9ce1933dae299cc9b3f320");
}

TEST(Codec, ParseBlobIdRoundTripsAndRejectsBadHex) {
  BlobId id = Codec::plain().id_of("x");
  Result<BlobId> parsed = parse_blob_id(blob_id_hex(id));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, id);
  std::string upper = blob_id_hex(id);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_THAT(parse_blob_id(upper), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(parse_blob_id("abc"), StatusIs(Code::kInvalidArgument));
}

// Both generators are pinned by docs/repository-format.md; the expected words
// were computed with Python from that description.
TEST(Gear, TablesMatchTheDocumentedGenerators) {
  const Codec plain_codec = Codec::plain();
  const Codec keyed_codec = Codec::keyed(derive_key(counting_master()));
  const auto& plain = plain_codec.gear();
  EXPECT_EQ(plain[0], 0x88b65a3370fcb2ceull);
  EXPECT_EQ(plain[255], 0x11d7024f2c214427ull);
  const auto& keyed = keyed_codec.gear();
  EXPECT_EQ(keyed[0], 0x8becff0d3e4d8dbeull);
  EXPECT_EQ(keyed[255], 0x12bd0fc355ea7945ull);
  EXPECT_NE(Codec::keyed(key_from_seed(1)).gear(), Codec::keyed(key_from_seed(2)).gear());
}

}  // namespace
}  // namespace ff::repo
