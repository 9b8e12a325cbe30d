#include "repo/pack.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "repo_test_util.h"

namespace ff::repo {
namespace {

constexpr size_t kMax = 16 << 20;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Blob {
  BlobType type;
  BlobId id;
  std::string plain;
};

class PackTest : public ::testing::TestWithParam<bool> {
 protected:
  PackTest() : codec_(GetParam() ? Codec::keyed(key_from_seed(11)) : Codec::plain()), random_(5) {}

  // Writes a pack of several data blobs and a tree blob; returns its bytes.
  std::string write_pack() {
    auto writer = PackWriter::create(dir_.file("pack.spool"), codec_, random_);
    EXPECT_TRUE(writer.ok()) << writer.status().to_string();
    for (int i = 0; i < 5; ++i) {
      std::string plain = random_.bytes(1000 + 300 * i) + std::string(2000, char('a' + i));
      blobs_.push_back({BlobType::kData, codec_.id_of(plain), plain});
    }
    std::string tree = "{\"nodes\":[]}";
    blobs_.push_back({BlobType::kTree, codec_.id_of(tree), tree});
    for (const Blob& b : blobs_) {
      EXPECT_TRUE(
          (*writer)->add(b.type, b.id, codec_.seal(b.type, b.id, b.plain, 3, random_)).ok());
    }
    EXPECT_EQ((*writer)->count(), blobs_.size());
    EXPECT_FALSE((*writer)->full());
    Result<FinishedPack> done = (*writer)->finish();
    EXPECT_TRUE(done.ok()) << done.status().to_string();
    finished_ = *done;
    return read_file(done->path);
  }

  TempDir dir_;
  Codec codec_;
  SeededRandom random_;
  std::vector<Blob> blobs_;
  FinishedPack finished_;
};

INSTANTIATE_TEST_SUITE_P(Kinds, PackTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Keyed" : "Plain"; });

TEST_P(PackTest, RoundTripThroughTheHeader) {
  std::string pack = write_pack();
  EXPECT_EQ(finished_.size, pack.size());
  EXPECT_EQ(finished_.id, sha256_hex(pack));
  EXPECT_EQ(pack.substr(0, 4), "FFPK");
  EXPECT_EQ(pack.substr(pack.size() - 8), "FFPKEND1");

  Result<std::vector<PackEntry>> entries = read_pack_header(codec_, pack);
  ASSERT_TRUE(entries.ok()) << entries.status().to_string();
  ASSERT_EQ(entries->size(), blobs_.size());
  for (size_t i = 0; i < blobs_.size(); ++i) {
    const PackEntry& e = (*entries)[i];
    EXPECT_EQ(e.type, blobs_[i].type);
    EXPECT_EQ(e.id, blobs_[i].id);
    EXPECT_EQ(e.offset, finished_.entries[i].offset);
    EXPECT_EQ(e.length, finished_.entries[i].length);
    Result<std::string> plain = codec_.open(e.type, e.id, pack.substr(e.offset, e.length), kMax);
    ASSERT_TRUE(plain.ok()) << plain.status().to_string();
    EXPECT_EQ(*plain, blobs_[i].plain);
  }
}

TEST_P(PackTest, FlippedByteInABlobIsDataLossForThatBlobOnly) {
  std::string pack = write_pack();
  const PackEntry& e = finished_.entries[2];
  pack[e.offset + e.length / 2] ^= 0x01;
  ASSERT_TRUE(read_pack_header(codec_, pack).ok());
  EXPECT_THAT(codec_.open(e.type, e.id, std::string_view(pack).substr(e.offset, e.length), kMax),
              StatusIs(Code::kDataLoss));
  const PackEntry& next = finished_.entries[3];
  EXPECT_TRUE(
      codec_.open(next.type, next.id, std::string_view(pack).substr(next.offset, next.length), kMax)
          .ok());
  EXPECT_NE(sha256_hex(pack), finished_.id);  // and the upload checksum no longer matches
}

TEST_P(PackTest, TruncatedPackIsDataLoss) {
  std::string pack = write_pack();
  for (size_t cut : {size_t{1}, size_t{9}, size_t{200}, pack.size() - 10}) {
    EXPECT_THAT(read_pack_header(codec_, pack.substr(0, pack.size() - cut)),
                StatusIs(Code::kDataLoss))
        << "cut " << cut;
  }
}

TEST_P(PackTest, DamagedPrefixOrTrailerIsDataLoss) {
  std::string pack = write_pack();
  for (size_t at :
       {size_t{0}, size_t{4}, size_t{5}, size_t{7}, pack.size() - 12, pack.size() - 1}) {
    std::string bad = pack;
    bad[at] ^= 0x40;
    EXPECT_THAT(read_pack_header(codec_, bad), StatusIs(Code::kDataLoss)) << "byte " << at;
  }
}

// A finished one-blob pack: its description and bytes.
struct OneBlobPack {
  FinishedPack done;
  std::string bytes;
};

OneBlobPack one_blob_pack(const Codec& codec, const TempDir& dir, std::string_view plain) {
  SeededRandom random(1);
  auto writer = PackWriter::create(dir.file("p"), codec, random);
  EXPECT_TRUE(writer.ok());
  BlobId id = codec.id_of(plain);
  EXPECT_TRUE(
      (*writer)->add(BlobType::kData, id, codec.seal(BlobType::kData, id, plain, 3, random)).ok());
  auto done = (*writer)->finish();
  EXPECT_TRUE(done.ok());
  std::string bytes = read_file(done->path);
  return {std::move(*done), std::move(bytes)};
}

TEST(Pack, FlippedByteInTheEncryptedHeaderIsDataLoss) {
  Codec codec = Codec::keyed(key_from_seed(12));
  TempDir dir;
  OneBlobPack p = one_blob_pack(codec, dir, "blob");
  const PackEntry& last = p.done.entries.back();
  for (size_t at = last.offset + last.length; at < p.bytes.size() - 12; at += 7) {
    std::string bad = p.bytes;
    bad[at] ^= 0x01;
    EXPECT_THAT(read_pack_header(codec, bad), StatusIs(Code::kDataLoss)) << "byte " << at;
  }
}

TEST(Pack, ReadWithAnotherKeyOrWithoutKeyIsDataLoss) {
  TempDir dir;
  OneBlobPack p = one_blob_pack(Codec::keyed(key_from_seed(13)), dir, "some data");
  Codec other = Codec::keyed(key_from_seed(14));
  EXPECT_THAT(read_pack_header(other, p.bytes), StatusIs(Code::kDataLoss));
  EXPECT_THAT(read_pack_header(Codec::plain(), p.bytes), StatusIs(Code::kDataLoss));
  const PackEntry& e = p.done.entries[0];
  EXPECT_THAT(other.open(e.type, e.id, p.bytes.substr(e.offset, e.length), kMax),
              StatusIs(Code::kDataLoss));
}

// A writer of an unencrypted pack in a temp dir.
class PlainPackTest : public ::testing::Test {
 protected:
  std::unique_ptr<PackWriter> create() {
    auto writer = PackWriter::create(path_, codec_, random_);
    EXPECT_TRUE(writer.ok()) << writer.status().to_string();
    return writer.ok() ? std::move(writer).value() : nullptr;
  }

  SeededRandom random_{1};
  TempDir dir_;
  Codec codec_ = Codec::plain();
  std::string path_ = dir_.file("p");
};

TEST_F(PlainPackTest, EmptyPackHasAHeaderAndNoEntries) {
  auto done = create()->finish();
  ASSERT_TRUE(done.ok());
  auto entries = read_pack_header(codec_, read_file(done->path));
  ASSERT_TRUE(entries.ok()) << entries.status().to_string();
  EXPECT_TRUE(entries->empty());
}

TEST_F(PlainPackTest, UnfinishedWriterRemovesItsFile) {
  {
    auto writer = create();
    ASSERT_TRUE(std::filesystem::exists(path_));
  }
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(PlainPackTest, AddAfterFinishIsRefused) {
  auto writer = create();
  ASSERT_TRUE(writer->finish().ok());
  EXPECT_THAT(writer->add(BlobType::kData, BlobId{}, "x"), StatusIs(Code::kInternal));
  EXPECT_THAT(writer->finish(), StatusIs(Code::kInternal));
}

}  // namespace
}  // namespace ff::repo
