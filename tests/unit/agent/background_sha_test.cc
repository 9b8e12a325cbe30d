#include "agent/background_sha.h"

#include <gtest/gtest.h>

#include <string>

namespace ff::agent {
namespace {

std::string pattern(size_t n, int seed) {
  std::string s(n, '\0');
  uint32_t x = static_cast<uint32_t>(seed) * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

TEST(BackgroundShaTest, EqualsTheInlineHashOverManyPieces) {
  BackgroundSha bg;
  for (int round = 0; round < 3; ++round) {
    std::string data = pattern(3'000'001 + round, round);
    bg.reset();
    Sha256 inline_sha;
    for (size_t at = 0; at < data.size(); at += 65'537) {
      std::string_view piece(data.data() + at, std::min<size_t>(65'537, data.size() - at));
      bg.update(piece);
      inline_sha.update(piece);
    }
    EXPECT_EQ(bg.finish_hex(), inline_sha.finish_hex()) << "round " << round;
  }
}

TEST(BackgroundShaTest, DrainLetsTheCallerReuseItsBuffer) {
  // The same buffer is refilled after each drain: the hash must be of what
  // it held at each update, as the walker's refills require.
  BackgroundSha bg;
  bg.reset();
  Sha256 want;
  std::string buffer(1 << 20, '\0');
  for (int fill = 0; fill < 8; ++fill) {
    buffer = pattern(buffer.size(), fill);
    want.update(buffer);
    bg.update(std::string_view(buffer).substr(0, buffer.size() / 2));
    bg.update(std::string_view(buffer).substr(buffer.size() / 2));
    bg.drain();
  }
  EXPECT_EQ(bg.finish_hex(), want.finish_hex());
}

TEST(BackgroundShaTest, AnAbandonedHashDoesNotLeakIntoTheNext) {
  BackgroundSha bg;
  std::string junk = pattern(1 << 20, 7);
  bg.reset();
  bg.update(junk);  // a read failed: never finished
  bg.reset();
  bg.update("abc");
  EXPECT_EQ(bg.finish_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  bg.reset();
  EXPECT_EQ(bg.finish_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace ff::agent
