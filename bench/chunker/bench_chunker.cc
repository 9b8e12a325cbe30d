// Throughput of the repository chunker (FastCDC) on random data, plain and
// keyed gear, then of sealing and opening 1 MiB blobs (zstd at the agent's
// default level, and AES-256-GCM when keyed): `bench_chunker [MiB] [rounds]` prints MB/s of the
// best round (the machine is shared; the best round is the least disturbed one).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "agent/config.h"
#include "repo/chunker.h"
#include "repo/codec.h"
#include "repo/key.h"
#include "sys/random.h"

namespace {

double best_mb_per_s(const ff::repo::Chunker& chunker, const std::string& data, int rounds,
                     size_t* chunks) {
  double best = 0;
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t off = 0;
    *chunks = 0;
    while (off < data.size()) {
      off += chunker.cut(p + off, data.size() - off);
      ++*chunks;
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::max(best, static_cast<double>(data.size()) / 1e6 / took.count());
  }
  return best;
}

// Seals and opens `data` in 1 MiB blobs; MB/s of plaintext for each. Each
// sealed blob is dropped once opened, as a backup drops it once packed: keeping
// them all would measure page faults on fresh memory instead.
// What a backup seals with by default (AGENT_ZSTD_LEVEL).
const int kAgentZstdLevel = ff::agent::AgentConfig{}.zstd_level;

void bench_codec(const ff::repo::Codec& codec, const std::string& data, const char* what,
                 int rounds) {
  using Clock = std::chrono::steady_clock;
  constexpr size_t kBlob = 1 << 20;
  double best_seal = 0, best_open = 0;
  for (int r = 0; r < rounds; ++r) {
    Clock::duration sealing{}, opening{};
    for (size_t off = 0; off < data.size(); off += kBlob) {
      std::string_view blob = std::string_view(data).substr(off, kBlob);
      auto t0 = Clock::now();
      ff::repo::BlobId id = codec.id_of(blob);
      std::string sealed = codec.seal(ff::repo::BlobType::kData, id, blob, kAgentZstdLevel,
                                      ff::sys::secure_random());
      auto t1 = Clock::now();
      if (!codec.open(ff::repo::BlobType::kData, id, sealed, kBlob).ok()) std::abort();
      opening += Clock::now() - t1;
      sealing += t1 - t0;
    }
    double mb = static_cast<double>(data.size()) / 1e6;
    best_seal = std::max(best_seal, mb / std::chrono::duration<double>(sealing).count());
    best_open = std::max(best_open, mb / std::chrono::duration<double>(opening).count());
  }
  std::printf("codec   %-5s %-12s seal %.0f MB/s, open %.0f MB/s (1 MiB blobs, best of %d)\n",
              codec.encrypted() ? "keyed" : "plain", what, best_seal, best_open, rounds);
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string data(mib << 20, '\0');
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= data.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(data.data() + i, &v, 8);
  }
  ff::repo::Codec plain = ff::repo::Codec::plain();
  ff::repo::Codec keyed = ff::repo::Codec::keyed(ff::repo::generate_key(ff::sys::secure_random()));
  for (const auto* codec : {&plain, &keyed}) {
    size_t chunks = 0;
    double mbs = best_mb_per_s(ff::repo::Chunker(codec->gear()), data, rounds, &chunks);
    std::printf("chunker %-5s %zu MiB: %.0f MB/s (best of %d), %zu chunks, mean %.2f MiB\n",
                codec->encrypted() ? "keyed" : "plain", mib, mbs, rounds, chunks,
                static_cast<double>(data.size()) / static_cast<double>(chunks) / (1 << 20));
  }
  // Codec figures on 64 MiB at most: random (stored uncompressed) and text-like.
  std::string sample = data.substr(0, std::min<size_t>(data.size(), 64u << 20));
  std::string text;
  while (text.size() < sample.size()) {
    text += "line " + std::to_string(text.size() % 9973) + ": the quick brown fox jumps\n";
  }
  for (const auto* codec : {&plain, &keyed}) {
    bench_codec(*codec, sample, "random", rounds);
    bench_codec(*codec, text, "compressible", rounds);
  }
  return 0;
}
