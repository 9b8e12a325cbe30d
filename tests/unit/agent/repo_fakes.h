// In-memory stand-ins for the repository protocol: a BlobSink that seals every
// blob it is given and a PackSource serving them back, one blob per "pack"
// (named by the blob id), so a walk can be restored without an orchestrator.
#pragma once

#include <map>
#include <string>

#include "agent/repo_restore.h"
#include "agent/repo_walk.h"
#include "repo/codec.h"
#include "sys/random.h"

namespace ff::agent::testing {

class MemRepo final : public BlobSink, public PackSource {
 public:
  explicit MemRepo(const repo::Codec& codec) : codec_(codec) {}

  bool known(const repo::BlobId& id) const override { return blobs_.count(repo::blob_id_hex(id)); }
  Status add(repo::BlobType type, const repo::BlobId& id, std::string_view plaintext) override {
    ++adds_;
    auto& slot = blobs_[repo::blob_id_hex(id)];
    if (slot.empty()) slot = codec_.seal(type, id, plaintext, 3, sys::secure_random());
    return OkStatus();
  }

  size_t workers() const override { return 2; }
  Result<LocateResult> locate(const std::vector<std::string>& ids) override {
    LocateResult r;
    for (const auto& id : ids) {
      auto it = blobs_.find(id);
      if (it == blobs_.end()) {
        r.missing.push_back(id);
      } else {
        r.locations[id] = BlobLocation{id, 0, it->second.size()};
      }
    }
    return r;
  }
  Result<std::string> read(size_t, const std::string& pack, uint64_t offset,
                           uint64_t length) override {
    auto it = blobs_.find(pack);
    if (it == blobs_.end() || offset + length > it->second.size())
      return NotFound("no pack " + pack);
    return it->second.substr(offset, length);
  }

  std::map<std::string, std::string>& blobs() { return blobs_; }
  size_t adds() const { return adds_; }

 private:
  const repo::Codec& codec_;
  std::map<std::string, std::string> blobs_;  // id hex -> sealed
  size_t adds_ = 0;
};

}  // namespace ff::agent::testing
