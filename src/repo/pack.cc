#include "repo/pack.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "repo/detail/posix_io.h"

namespace ff::repo {

namespace {

constexpr std::string_view kMagic = "FFPK";
constexpr uint8_t kVersion = 1;
constexpr uint8_t kFlagEncrypted = 1;
constexpr size_t kSaltBytes = 16;
// magic, version, flags, reserved(2), salt. The random salt makes every pack's
// bytes (and so its id) unique: without it two keyless agents packing the same
// new blobs in the same order would write byte-identical packs, and the second
// one's announce would collide with the first's in another namespace.
constexpr size_t kPrefixBytes = 8 + kSaltBytes;
static_assert(kPrefixBytes == kPackPrefixBytes);
constexpr std::string_view kTrailerMagic = "FFPKEND1";
constexpr size_t kTrailerBytes = 4 + kTrailerMagic.size();  // header_length, magic

void put_le(std::string& out, uint64_t v, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t get_le(std::string_view in, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  return v;
}

std::string encode_entries(const std::vector<PackEntry>& entries) {
  std::string out;
  out.reserve(entries.size() * kPackHeaderEntryBytes);
  for (const PackEntry& e : entries) {
    out.push_back(static_cast<char>(e.type));
    out.append(reinterpret_cast<const char*>(e.id.data()), e.id.size());
    put_le(out, e.offset, 8);
    put_le(out, e.length, 4);
    out.push_back(0);
  }
  return out;
}

// Entries must tile the blob area exactly, in order: the writer never leaves
// gaps, so anything else is damage (or a hostile writer).
Result<std::vector<PackEntry>> decode_entries(std::string_view plain, uint64_t blob_end) {
  if (plain.size() % kPackHeaderEntryBytes != 0) {
    return DataLoss("pack header: length is not a multiple of the entry size");
  }
  std::vector<PackEntry> entries;
  entries.reserve(plain.size() / kPackHeaderEntryBytes);
  uint64_t next = kPrefixBytes;
  for (size_t i = 0; i < plain.size(); i += kPackHeaderEntryBytes) {
    std::string_view raw = plain.substr(i, kPackHeaderEntryBytes);
    std::string where = "pack header entry " + std::to_string(entries.size()) + ": ";
    PackEntry e;
    uint8_t type = static_cast<uint8_t>(raw[0]);
    if (type != static_cast<uint8_t>(BlobType::kData) &&
        type != static_cast<uint8_t>(BlobType::kTree)) {
      return DataLoss(where + "unknown blob type");
    }
    e.type = static_cast<BlobType>(type);
    std::memcpy(e.id.data(), raw.data() + 1, e.id.size());
    e.offset = get_le(raw.substr(33), 8);
    e.length = static_cast<uint32_t>(get_le(raw.substr(41), 4));
    if (raw[45] != 0) return DataLoss(where + "reserved byte is not zero");
    if (e.offset != next || e.length > blob_end - e.offset) {
      return DataLoss(where + "does not follow the previous blob inside the blob area");
    }
    next = e.offset + e.length;
    entries.push_back(e);
  }
  if (next != blob_end) return DataLoss("pack header: the blobs do not fill the blob area");
  return entries;
}

}  // namespace

Result<std::unique_ptr<PackWriter>> PackWriter::create(const std::string& path, const Codec& codec,
                                                       sys::Random& random) {
  std::unique_ptr<PackWriter> w(new PackWriter(codec, random));
  FF_ASSIGN_OR_RETURN(detail::Fd fd,
                      detail::open_file(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  w->path_ = path;
  w->fd_ = fd.release();
  std::string prefix(kMagic);
  prefix.push_back(static_cast<char>(kVersion));
  prefix.push_back(static_cast<char>(codec.encrypted() ? kFlagEncrypted : 0));
  prefix.append(2, '\0');
  prefix.append(random.bytes(kSaltBytes));
  Status s = detail::write_all(w->fd_, prefix);
  if (!s.ok()) return s.with_context("pack " + path);
  w->hash_.update(prefix);
  w->size_ = prefix.size();
  return w;
}

PackWriter::~PackWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_ && !path_.empty()) ::unlink(path_.c_str());
}

Status PackWriter::add(BlobType type, const BlobId& id, std::string_view sealed) {
  if (finished_ || fd_ < 0) return Internal("pack " + path_ + ": add after finish or failure");
  if (entries_.size() >= kPackMaxBlobs) return Internal("pack " + path_ + ": too many blobs");
  if (sealed.size() > std::numeric_limits<uint32_t>::max()) {
    return Internal("pack " + path_ + ": blob too large for a pack");
  }
  Status s = detail::write_all(fd_, sealed);
  if (!s.ok()) {
    // A short write leaves the file's end unknown: this writer is done.
    ::close(fd_);
    fd_ = -1;
    return s.with_context("pack " + path_);
  }
  hash_.update(sealed);
  entries_.push_back({type, id, size_, static_cast<uint32_t>(sealed.size())});
  size_ += sealed.size();
  return OkStatus();
}

Result<FinishedPack> PackWriter::finish() {
  if (finished_ || fd_ < 0) return Internal("pack " + path_ + ": finish after finish or failure");
  std::string tail = codec_.seal_header(encode_entries(entries_), random_);
  put_le(tail, tail.size(), 4);
  tail.append(kTrailerMagic);
  detail::Fd fd(fd_);
  fd_ = -1;
  FF_TRY(detail::write_all(fd.get(), tail).with_context("pack " + path_));
  // No fsync: a pack in the spool is uploaded at once and removed, and the
  // orchestrator checks it against its id; after a crash the backup seals
  // its blobs again. Forcing it to disk would double a first backup's writes
  // (the store writes each pack durably) for nothing.
  FF_TRY(fd.close_checked("pack " + path_));
  hash_.update(tail);
  size_ += tail.size();
  finished_ = true;
  return FinishedPack{path_, hash_.finish_hex(), size_, entries_};
}

Result<std::vector<PackEntry>> read_pack_header(const Codec& codec, std::string_view pack) {
  if (pack.size() < kPrefixBytes + kTrailerBytes) return DataLoss("pack: too short");
  if (pack.substr(0, kMagic.size()) != kMagic) return DataLoss("pack: bad magic");
  if (static_cast<uint8_t>(pack[4]) != kVersion) return DataLoss("pack: unsupported version");
  uint8_t flags = static_cast<uint8_t>(pack[5]);
  if ((flags & ~kFlagEncrypted) != 0 || pack[6] != 0 || pack[7] != 0) {
    return DataLoss("pack: unknown flags or reserved bytes set");
  }
  if (((flags & kFlagEncrypted) != 0) != codec.encrypted()) {
    return DataLoss(codec.encrypted() ? "pack: not encrypted, but a key was given"
                                      : "pack: encrypted, and no key was given");
  }
  if (pack.substr(pack.size() - kTrailerMagic.size()) != kTrailerMagic) {
    return DataLoss("pack: bad trailer (truncated?)");
  }
  uint64_t header_len = get_le(pack.substr(pack.size() - kTrailerBytes), 4);
  uint64_t room = pack.size() - kPrefixBytes - kTrailerBytes;
  if (header_len > room) return DataLoss("pack: header length points outside the pack");
  uint64_t blob_end = pack.size() - kTrailerBytes - header_len;
  FF_ASSIGN_OR_RETURN(std::string plain, codec.open_header(pack.substr(blob_end, header_len),
                                                           kPackMaxBlobs * kPackHeaderEntryBytes));
  return decode_entries(plain, blob_end);
}

}  // namespace ff::repo
