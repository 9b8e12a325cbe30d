#include "http/detail/chunk_pipeline.h"

#include <deque>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace ff::http::detail {
namespace {

// Drives the pipeline like a session does, with the completion order of the
// fills and drains chosen by a seeded generator, and checks the consumer sees
// the producer's bytes in order, that a buffer is never filled while drained,
// and that `finished` comes exactly once, after everything was drained.
struct Harness {
  std::string input;
  size_t pos = 0;
  std::string output;
  std::optional<std::span<char>> filling;
  std::optional<ChunkPipeline::Drain> draining;
  int finished = 0;
  bool saw_last = false;
  int max_in_flight = 0;

  void apply(const ChunkPipeline::Step& s) {
    if (s.fill) {
      ASSERT_FALSE(filling);
      filling = s.fill;
    }
    if (s.drain) {
      ASSERT_FALSE(draining);
      draining = s.drain;
    }
    if (filling && draining) {
      // The two buffers never overlap.
      const char* f = filling->data();
      const char* d = draining->bytes.data();
      ASSERT_TRUE(f + filling->size() <= d || d + draining->bytes.size() <= f);
    }
    max_in_flight = std::max(max_in_flight, int(filling.has_value()) + int(draining.has_value()));
    if (s.finished) ++finished;
  }

  ChunkPipeline::Step complete_fill(ChunkPipeline& p, size_t max_piece) {
    size_t n = std::min({filling->size(), input.size() - pos, max_piece});
    std::copy_n(input.data() + pos, n, filling->data());
    pos += n;
    filling.reset();
    return p.filled(n, pos == input.size());
  }

  ChunkPipeline::Step complete_drain(ChunkPipeline& p) {
    EXPECT_FALSE(saw_last);
    output.append(draining->bytes.data(), draining->bytes.size());
    saw_last = draining->last;
    draining.reset();
    return p.drained();
  }
};

TEST(ChunkPipeline, DeliversEveryByteInOrderWhateverTheCompletionOrder) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::mt19937 rng(seed);
    Harness h;
    h.input.resize(rng() % 5000 + 1);
    for (char& c : h.input) c = static_cast<char>(rng());
    ChunkPipeline p(64);
    h.apply(p.start());
    while (h.filling || h.draining) {
      bool fill_first = h.filling && (!h.draining || rng() % 2 == 0);
      if (fill_first) {
        h.apply(h.complete_fill(p, rng() % 100 + 1));
      } else {
        h.apply(h.complete_drain(p));
      }
    }
    ASSERT_EQ(h.output, h.input) << "seed " << seed;
    EXPECT_EQ(h.finished, 1) << "seed " << seed;
    EXPECT_TRUE(h.saw_last) << "seed " << seed;
    EXPECT_FALSE(p.busy());
    if (h.input.size() > 128) {
      EXPECT_EQ(h.max_in_flight, 2) << "no overlap, seed " << seed;
    }
  }
}

TEST(ChunkPipeline, EmptyStreamFinishesWithoutADrain) {
  ChunkPipeline p(16);
  auto s = p.start();
  ASSERT_TRUE(s.fill);
  EXPECT_FALSE(s.drain);
  s = p.filled(0, true);
  EXPECT_FALSE(s.fill);
  EXPECT_FALSE(s.drain);
  EXPECT_TRUE(s.finished);
}

TEST(ChunkPipeline, EndSignalledByAnEmptyFillAfterData) {
  ChunkPipeline p(16);
  auto s = p.start();
  s = p.filled(10, false);
  ASSERT_TRUE(s.drain);
  EXPECT_FALSE(s.drain->last);
  ASSERT_TRUE(s.fill);
  s = p.filled(0, true);
  EXPECT_FALSE(s.finished);  // the drain is still running
  s = p.drained();
  EXPECT_TRUE(s.finished);
}

TEST(ChunkPipeline, FailureStopsNewWorkAndWaitsForInFlight) {
  ChunkPipeline p(16);
  auto s = p.start();
  s = p.filled(16, false);
  ASSERT_TRUE(s.drain && s.fill);
  p.fail();
  EXPECT_TRUE(p.busy());
  s = p.filled(16, false);  // the read in flight completes: nothing new starts
  EXPECT_FALSE(s.fill || s.drain || s.finished);
  EXPECT_TRUE(p.busy());
  s = p.drained();
  EXPECT_FALSE(s.fill || s.drain || s.finished);
  EXPECT_FALSE(p.busy());
}

TEST(ChunkPipeline, ProducerWaitsWhileBothBuffersAreTaken) {
  ChunkPipeline p(8);
  auto s = p.start();
  s = p.filled(8, false);  // buffer 0 draining, buffer 1 filling
  ASSERT_TRUE(s.drain && s.fill);
  s = p.filled(8, false);  // buffer 1 full and queued: no buffer left to fill
  EXPECT_FALSE(s.fill);
  EXPECT_FALSE(s.drain);
  s = p.drained();  // buffer 0 free: drain 1, fill 0
  ASSERT_TRUE(s.drain && s.fill);
  EXPECT_NE(static_cast<const void*>(s.drain->bytes.data()), static_cast<void*>(s.fill->data()));
}

}  // namespace
}  // namespace ff::http::detail
