// Two buffers between one producer and one consumer, so that while the
// consumer drains one buffer the producer already fills the other. Streamed
// uploads fill from the socket and drain into the store (hash + write on the
// worker pool); downloads fill from the store and drain into the socket.
// Done one buffer at a time, each transfer waited for the other side and ran
// at half speed.
//
// The pipeline only decides; the owner starts the operations a Step asks for
// and reports back with filled() / drained(). Not thread-safe: every call is
// made on the session's strand. No Beast in here, so it is unit-tested alone.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace ff::http::detail {

class ChunkPipeline {
 public:
  struct Drain {
    std::span<const char> bytes;
    bool last = false;  // the final bytes of the stream
  };
  // What to start now; any combination, including nothing.
  struct Step {
    std::optional<std::span<char>> fill;
    std::optional<Drain> drain;
    bool finished = false;  // everything was filled and drained
  };

  explicit ChunkPipeline(size_t chunk_size) {
    for (auto& b : buffers_) b.resize(chunk_size);
  }

  Step start() { return next(); }

  // The producer put n bytes into the buffer it was given; `last` when the
  // stream has nothing after them.
  Step filled(size_t n, bool last) {
    if (n > 0) queued_ = Queued{filling_, n, last};
    filling_ = kNone;
    if (last) input_done_ = true;
    return next();
  }

  // The consumer is done with the buffer it was given.
  Step drained() {
    draining_ = kNone;
    return next();
  }

  // Stop starting operations; the owner waits for !busy() before it cleans up
  // (the operations in flight still use the buffers and whatever they write to).
  void fail() { failed_ = true; }
  bool failed() const { return failed_; }
  bool busy() const { return filling_ != kNone || draining_ != kNone; }

 private:
  static constexpr int kNone = -1;
  struct Queued {
    int index;
    size_t size;
    bool last;
  };

  Step next() {
    Step step;
    if (failed_ || finished_) return step;
    if (draining_ == kNone && queued_) {
      draining_ = queued_->index;
      step.drain =
          Drain{std::span<const char>(buffers_[draining_].data(), queued_->size), queued_->last};
      queued_.reset();
    }
    if (filling_ == kNone && !input_done_ && !queued_) {
      filling_ = draining_ == 0 ? 1 : 0;
      step.fill = std::span<char>(buffers_[filling_]);
    }
    if (input_done_ && !busy() && !queued_) {
      finished_ = true;
      step.finished = true;
    }
    return step;
  }

  std::array<std::vector<char>, 2> buffers_;
  std::optional<Queued> queued_;
  int filling_ = kNone;
  int draining_ = kNone;
  bool input_done_ = false;
  bool failed_ = false;
  bool finished_ = false;
};

}  // namespace ff::http::detail
