// Packs and sealed blobs (src/repo/pack, codec): reading a pack's header and
// opening its blobs never crashes on any bytes, with or without a key (packs
// come from the bucket); accepted entries tile the blob area; an opened blob
// respects the size bound and matches its id. The bytes are also opened as
// one sealed blob, which drives the bounded zstd decompression directly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "repo/pack.h"

namespace {

constexpr size_t kMax = 1 << 20;

void read_pack(const ff::repo::Codec& codec, std::string_view pack) {
  auto entries = ff::repo::read_pack_header(codec, pack);
  if (!entries.ok()) {
    FF_FUZZ_CHECK(entries.status().code() == ff::Code::kDataLoss);
    return;
  }
  uint64_t next = ff::repo::kPackPrefixBytes;
  for (const auto& e : *entries) {
    FF_FUZZ_CHECK(e.offset == next && e.offset + e.length <= pack.size());
    next = e.offset + e.length;
    auto plain = codec.open(e.type, e.id, pack.substr(e.offset, e.length), kMax);
    if (plain.ok()) {
      FF_FUZZ_CHECK(plain->size() <= kMax);
      FF_FUZZ_CHECK(codec.id_of(*plain) == e.id);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ff::repo::Codec plain = ff::repo::Codec::plain();
  static const ff::repo::Codec keyed = [] {
    ff::repo::Key256 master{};
    for (size_t i = 0; i < master.size(); ++i) master[i] = static_cast<uint8_t>(i);
    return ff::repo::Codec::keyed(ff::repo::derive_key(master));
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  read_pack(plain, in);
  read_pack(keyed, in);

  // As one plain blob whose id is what it claims to hold: only the bound and
  // the id check may refuse it.
  auto body = plain.open(ff::repo::BlobType::kData, ff::repo::BlobId{}, in, kMax);
  FF_FUZZ_CHECK(!body.ok() || (body->size() <= kMax && plain.id_of(*body) == ff::repo::BlobId{}));
  auto header = plain.open_header(in, kMax);
  FF_FUZZ_CHECK(!header.ok() || header->size() <= kMax);
  return 0;
}
