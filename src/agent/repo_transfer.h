// Pack transfers of the repository protocol, on threads other than the
// agent's main loop: each worker owns its client::ApiClient (one curl handle
// per thread) and is handed a bearer token by the main loop, which alone
// renews it (TokenManager is single-threaded).
//
// PackUploader: backups seal blobs into packs on the main thread and hand each
// finished pack over; a background thread announces it (POST /packs) and
// uploads it (presigned PUT then POST /packs/{id}/complete, or PUT
// /packs/{id}/object), so reading and chunking go on meanwhile. At most
// `max_in_flight` packs are queued or uploading: submit() blocks beyond that,
// which bounds the spool space to a few packs.
//
// Thread-safety: PackUploader's methods are called from one thread (the
// owner); its worker is internal. download_range is reentrant (one client per thread).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "agent/retry.h"
#include "client/api_client.h"
#include "common/status.h"
#include "repo/pack.h"

namespace ff::agent {

// The announce body's blob list type name.
const char* blob_type_name(repo::BlobType type);

class PackUploader {
 public:
  // `retrier` must outlive the uploader; `options` configure its own client.
  PackUploader(client::ClientOptions options, const Retrier& retrier, std::string session_id,
               size_t max_in_flight = 2);
  // Drops queued packs and waits for the one being uploaded; call finish()
  // first to upload everything and see errors.
  ~PackUploader();

  // Queues `pack` (its spool file is removed once uploaded or on failure).
  // Blocks while max_in_flight packs are pending. Returns the first upload
  // failure so far, if any (the pack is then dropped).
  Status submit(repo::FinishedPack pack, const std::string& token);
  // Waits for every queued pack; the first failure, if any.
  Status finish();

  // Bytes of packs this session uploaded (not those the orchestrator already had).
  uint64_t uploaded_bytes() const;
  uint64_t uploaded_packs() const;

 private:
  struct Job {
    repo::FinishedPack pack;
    std::string token;
  };
  void work();
  Result<bool> upload(const Job& job);

  client::ApiClient client_;  // used by the worker only
  const Retrier& retrier_;
  const std::string session_id_;
  const size_t max_in_flight_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;        // guarded by mu_
  size_t busy_ = 0;              // guarded by mu_: jobs taken by the worker, not done
  bool closing_ = false;         // guarded by mu_
  Status error_;                 // guarded by mu_: the first failure
  uint64_t uploaded_bytes_ = 0;  // guarded by mu_
  uint64_t uploaded_packs_ = 0;  // guarded by mu_
  std::thread worker_;
};

// GET /packs/{pack}/object with Range bytes=offset..offset+length-1, retried;
// exactly `length` bytes or an error.
Result<std::string> download_range(client::ApiClient& client, const Retrier& retrier,
                                   const std::string& pack, uint64_t offset, uint64_t length);

}  // namespace ff::agent
