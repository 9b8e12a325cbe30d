// Pack: many sealed blobs in one object, so a backup writes a few large
// objects instead of one per chunk. Layout (docs/repository-format.md "Pack"):
//
//   "FFPK" version(1)=1 flags(1: bit 0 = encrypted) reserved(2)=0 salt(16, random)
//   blob_0 ... blob_n-1                      sealed blobs (codec.h), back to back
//   header                                   sealed with Codec::seal_header
//   header_length (uint32 little endian)     bytes of the sealed header
//   "FFPKEND1"
//
// The header's plaintext is, per blob, 46 bytes little endian:
//   type(1) id(32) offset(uint64, from the pack's start) length(uint32, sealed)
//   reserved(1)=0
// so a pack can be read back without the orchestrator's index (disaster
// recovery; verification). A pack's id is the SHA-256 of its whole bytes,
// which the orchestrator checks on upload like a snapshot object.
//
// Thread-safety: a PackWriter from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/hex.h"
#include "common/status.h"
#include "repo/codec.h"

namespace ff::repo {

inline constexpr uint64_t kPackTargetBytes = 16ull << 20;  // a pack is closed past this
inline constexpr size_t kPackMaxBlobs = 10000;
inline constexpr size_t kPackHeaderEntryBytes = 46;
// Magic, version, flags, reserved(2), salt(16): the first blob starts here.
inline constexpr size_t kPackPrefixBytes = 24;

struct PackEntry {
  BlobType type = BlobType::kData;
  BlobId id{};
  uint64_t offset = 0;  // of the sealed blob, from the pack's start
  uint32_t length = 0;  // sealed length
};

struct FinishedPack {
  std::string path;  // the spool file holding the pack
  std::string id;    // 64 hex: SHA-256 of the bytes
  uint64_t size = 0;
  std::vector<PackEntry> entries;
};

// Writes a pack into a spool file as blobs arrive (memory stays bounded).
class PackWriter {
 public:
  // Creates (truncates) `path`.
  static Result<std::unique_ptr<PackWriter>> create(const std::string& path, const Codec& codec,
                                                    sys::Random& random);
  ~PackWriter();  // removes the file unless finish() succeeded

  Status add(BlobType type, const BlobId& id, std::string_view sealed);
  uint64_t size() const { return size_; }
  size_t count() const { return entries_.size(); }
  bool full() const { return size_ >= kPackTargetBytes || entries_.size() >= kPackMaxBlobs; }
  // Appends the header and trailer and closes (no fsync: see pack.cc).
  Result<FinishedPack> finish();

 private:
  PackWriter(const Codec& codec, sys::Random& random) : codec_(codec), random_(random) {}
  const Codec& codec_;
  sys::Random& random_;
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  Sha256 hash_;
  std::vector<PackEntry> entries_;
  bool finished_ = false;
};

// Parses a whole pack's header (for verification and index rebuilds):
// checks magic, version, the sealed header and that every entry lies inside
// the blob area. kDataLoss naming what is wrong.
Result<std::vector<PackEntry>> read_pack_header(const Codec& codec, std::string_view pack);

}  // namespace ff::repo
