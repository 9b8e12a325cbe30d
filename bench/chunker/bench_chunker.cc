// Throughput of the repository chunker (FastCDC) on random data, plain and
// keyed gear: `bench_chunker [MiB] [rounds]` prints MB/s of the best round
// (the machine is shared; the best round is the least disturbed one).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

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
  return 0;
}
