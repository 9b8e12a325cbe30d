// BlobSaver: the deduplicating half of a repository backup. Blobs (chunks and
// trees) are queued with their ids; once a batch is big enough (by bytes or
// count) the ids are looked up in the session's namespace in one call, and
// only those the orchestrator does not know are sealed into the current pack.
// A full pack is handed to the PackUploader and a new one started.
//
// Memory: at most one batch of plaintext (kBatchBytes, plus one blob) and the
// set of ids seen in this backup (32 bytes each).
//
// Thread-safety: one thread (the backup's).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "agent/agent_api.h"
#include "agent/repo_transfer.h"
#include "agent/repo_walk.h"
#include "common/status.h"
#include "repo/codec.h"
#include "repo/pack.h"

namespace ff::agent {

struct BlobIdHash {
  size_t operator()(const repo::BlobId& id) const {
    size_t h = 0;
    for (size_t i = 0; i < sizeof h; ++i) h = (h << 8) | id[i];
    return h;
  }
};
using BlobIdSet = std::unordered_set<repo::BlobId, BlobIdHash>;

class BlobSaver final : public BlobSink {
 public:
  static constexpr size_t kBatchBytes = 16u << 20;
  static constexpr size_t kBatchBlobs = 256;
  static constexpr size_t kLookupMax = 10000;

  // Every reference must outlive the BlobSaver. Pack spool files are named
  // `spool_prefix` + a sequence number.
  BlobSaver(AgentApi& api, const repo::Codec& codec, sys::Random& random, PackUploader& uploader,
            std::string session_id, std::string spool_prefix, int zstd_level);
  ~BlobSaver();

  // Looks `ids` up (batches of kLookupMax); the known ones count as stored.
  Status learn(const std::vector<repo::BlobId>& ids);
  // True when the id is stored or queued in this backup.
  bool known(const repo::BlobId& id) const override { return known_.count(id) > 0; }

  // Queues one blob unless its id is already known; may flush the batch.
  Status add(repo::BlobType type, const repo::BlobId& id, std::string_view plaintext) override;
  // Flushes the batch, closes and submits the last pack.
  Status finish();

  uint64_t blobs_sealed() const { return blobs_sealed_; }

 private:
  struct Pending {
    repo::BlobType type;
    repo::BlobId id;
    std::string plaintext;
  };
  Status flush();
  Status close_pack();

  AgentApi& api_;
  const repo::Codec& codec_;
  sys::Random& random_;
  PackUploader& uploader_;
  const std::string session_id_;
  const std::string spool_prefix_;
  const int zstd_level_;
  BlobIdSet known_;
  std::vector<Pending> pending_;
  size_t pending_bytes_ = 0;
  std::unique_ptr<repo::PackWriter> pack_;
  uint64_t pack_seq_ = 0;
  uint64_t blobs_sealed_ = 0;
};

}  // namespace ff::agent
