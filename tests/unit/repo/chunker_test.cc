#include "repo/chunker.h"

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "repo/codec.h"
#include "repo_test_util.h"

namespace ff::repo {
namespace {

constexpr size_t kMiB = 1 << 20;

std::string random_buffer(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  return out;
}

std::vector<std::string> chunks_of(const Chunker& chunker, std::string_view data) {
  std::vector<std::string> out;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t off = 0;
  while (off < data.size()) {
    size_t n = chunker.cut(p + off, data.size() - off);
    out.emplace_back(data.substr(off, n));
    off += n;
  }
  return out;
}

std::vector<size_t> lengths(const std::vector<std::string>& chunks) {
  std::vector<size_t> out;
  for (const auto& c : chunks) out.push_back(c.size());
  return out;
}

size_t shared_count(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<BlobId> ids;
  for (const auto& c : a) ids.insert(Codec::plain().id_of(c));
  size_t shared = 0;
  for (const auto& c : b) shared += ids.count(Codec::plain().id_of(c));
  return shared;
}

class ChunkerTest : public ::testing::Test {
 protected:
  ChunkerTest() : chunker_(Codec::plain().gear()), data_(random_buffer(32 * kMiB, 7)) {}
  Chunker chunker_;
  std::string data_;
};

TEST_F(ChunkerTest, ChunksRespectMinAndMaxAndCoverTheInput) {
  std::vector<std::string> chunks = chunks_of(chunker_, data_);
  size_t total = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    total += chunks[i].size();
    EXPECT_LE(chunks[i].size(), 8 * kMiB);
    if (i + 1 < chunks.size()) {
      EXPECT_GE(chunks[i].size(), 512 * 1024) << "chunk " << i;
    }
  }
  EXPECT_EQ(total, data_.size());
  double mean = static_cast<double>(data_.size()) / static_cast<double>(chunks.size());
  EXPECT_GT(mean, 0.7 * kMiB);
  EXPECT_LT(mean, 1.6 * kMiB);
}

TEST_F(ChunkerTest, UniformDataIsCutAtMax) {
  std::string zeros(20 * kMiB, '\0');
  EXPECT_EQ(lengths(chunks_of(chunker_, zeros)),
            (std::vector<size_t>{8 * kMiB, 8 * kMiB, 4 * kMiB}));
}

TEST_F(ChunkerTest, SmallInputIsOneChunk) {
  std::string small = data_.substr(0, 512 * 1024);
  EXPECT_EQ(lengths(chunks_of(chunker_, small)), std::vector<size_t>{small.size()});
  EXPECT_EQ(chunker_.cut(reinterpret_cast<const uint8_t*>(data_.data()), 1), 1u);
}

TEST_F(ChunkerTest, IsDeterministic) {
  Chunker again(Codec::plain().gear());
  EXPECT_EQ(lengths(chunks_of(chunker_, data_)), lengths(chunks_of(again, data_)));
}

TEST_F(ChunkerTest, InsertAndDeleteChangeOnlyNearbyChunks) {
  std::vector<std::string> before = chunks_of(chunker_, data_);
  std::string edited = data_;
  edited.insert(10 * kMiB + 12345, "abc");  // insert 3 bytes
  edited.erase(20 * kMiB + 777, 5);         // delete 5 bytes
  edited[28 * kMiB] ^= 1;                   // change one byte
  std::vector<std::string> after = chunks_of(chunker_, edited);
  size_t shared = shared_count(before, after);
  // Each edit touches the chunk holding it and, rarely, its neighbour.
  EXPECT_GE(shared + 6, after.size()) << shared << " of " << after.size() << " shared";
  EXPECT_GE(shared + 6, before.size());
  EXPECT_GT(shared, before.size() / 2);
}

TEST_F(ChunkerTest, InsertAtTheStartShiftsButKeepsLaterChunks) {
  std::vector<std::string> before = chunks_of(chunker_, data_);
  std::vector<std::string> after = chunks_of(chunker_, "xy" + data_);
  EXPECT_GE(shared_count(before, after) + 3, before.size());
}

TEST_F(ChunkerTest, KeyedGearCutsElsewhere) {
  Chunker keyed(Codec::keyed(key_from_seed(1)).gear());
  std::vector<size_t> plain_cuts = lengths(chunks_of(chunker_, data_));
  std::vector<size_t> keyed_cuts = lengths(chunks_of(keyed, data_));
  EXPECT_NE(plain_cuts, keyed_cuts);
  EXPECT_LT(shared_count(chunks_of(chunker_, data_), chunks_of(keyed, data_)), 3u);
}

}  // namespace
}  // namespace ff::repo
