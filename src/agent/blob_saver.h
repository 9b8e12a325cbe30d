// BlobSaver: the deduplicating half of a repository backup. Blobs (chunks and
// trees) are queued with their ids; once a batch is big enough (by bytes or
// count) the ids are looked up in the session's namespace in one call, and
// only those the orchestrator does not know are sealed into the current pack.
// A full pack is handed to the PackUploader and a new one started.
//
// Sealing (zstd, AES-GCM) and pack writing run on one internal thread while
// the backup thread reads and chunks the next batch; each batch is sealed on
// kSealers threads, since sealing is the costliest step.
//
// Memory: at most two batches of plaintext (kBatchBytes each, plus one blob:
// one filling, one sealing), the sealed copy of one batch, and the ids seen in
// this backup with their packs (about 80 bytes each), from which the backup
// writes the next file cache.
//
// Thread-safety: the public methods from one thread (the backup's).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
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
  static constexpr size_t kBatchBytes = 8u << 20;
  static constexpr size_t kBatchBlobs = 128;
  static constexpr size_t kLookupMax = 10000;
  static constexpr size_t kSealers = 2;  // threads sealing one batch

  // Every reference must outlive the BlobSaver. Pack spool files are named
  // `spool_prefix` + a sequence number.
  BlobSaver(AgentApi& api, const repo::Codec& codec, sys::Random& random, PackUploader& uploader,
            std::string session_id, std::string spool_prefix, int zstd_level);
  ~BlobSaver();

  // A chunk the file cache lists: its id and its pack, an index into the
  // cache's pack list.
  using CachedBlob = std::pair<repo::BlobId, uint32_t>;
  // Holds `packs` for the session (batches of kLookupMax): the blobs of the
  // packs the orchestrator still has available count as stored, the others
  // stay unknown (their files are read again). An orchestrator without the
  // hold route gets every blob id looked up instead.
  Status learn(const std::vector<std::string>& packs, const std::vector<CachedBlob>& blobs);
  // True when the id is stored or queued in this backup.
  bool known(const repo::BlobId& id) const override { return known_.count(id) > 0; }
  // After finish(): the pack holding a blob this backup stored, found or
  // learned; nullopt for an id it never saw.
  std::optional<std::string_view> pack_of(const repo::BlobId& id) const;

  // Queues one blob unless its id is already known; may flush the batch.
  Status add(repo::BlobType type, const repo::BlobId& id, std::string_view plaintext) override;
  // Flushes the batch, closes and submits the last pack.
  Status finish();

  uint64_t blobs_sealed() const { return blobs_sealed_.load(); }

 private:
  struct Pending {
    repo::BlobType type;
    repo::BlobId id;
    std::string plaintext;
  };
  struct SealJob {
    std::vector<Pending> blobs;
    std::string token;  // for the packs this job closes
    bool last = false;  // close the current pack afterwards
  };
  static constexpr uint32_t kUnplaced = UINT32_MAX;  // queued, its pack not known yet
  Status flush();
  Status learn_by_lookup(const std::vector<CachedBlob>& blobs);
  uint32_t pack_index(const std::string& pack);  // interns into packs_
  // Hands a job to the sealer, waiting while the previous one is not taken.
  Status hand_over(SealJob job);
  void seal_loop();
  Status seal(SealJob& job);                    // sealer thread
  Status close_pack(const std::string& token);  // sealer thread

  AgentApi& api_;
  const repo::Codec& codec_;
  sys::Random& random_;
  PackUploader& uploader_;
  const std::string session_id_;
  const std::string spool_prefix_;
  const int zstd_level_;
  // Every id stored, found or queued in this backup -> its pack (index into
  // packs_), kUnplaced until the pack it is sealed into is closed.
  std::unordered_map<repo::BlobId, uint32_t, BlobIdHash> known_;
  std::vector<std::string> packs_;
  std::unordered_map<std::string, uint32_t> pack_indexes_;
  std::vector<Pending> pending_;
  size_t pending_bytes_ = 0;
  std::unique_ptr<repo::PackWriter> pack_;  // sealer thread only
  uint64_t pack_seq_ = 0;                   // sealer thread only
  std::atomic<uint64_t> blobs_sealed_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<SealJob> job_;  // guarded by mu_: handed over, not yet taken
  bool sealing_ = false;        // guarded by mu_: the sealer works on a job
  bool closing_ = false;        // guarded by mu_
  Status seal_error_;           // guarded by mu_: the sealer's first failure
  // Guarded by mu_: each closed pack's id and blob ids, placed by finish().
  std::vector<std::pair<std::string, std::vector<repo::BlobId>>> closed_packs_;
  std::thread sealer_;
};

}  // namespace ff::agent
