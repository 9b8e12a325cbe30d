#include "agent/blob_saver.h"

#include <algorithm>
#include <set>

#include "common/shared_work.h"

namespace ff::agent {

BlobSaver::BlobSaver(AgentApi& api, const repo::Codec& codec, sys::Random& random,
                     PackUploader& uploader, std::string session_id, std::string spool_prefix,
                     int zstd_level)
    : api_(api),
      codec_(codec),
      random_(random),
      uploader_(uploader),
      session_id_(std::move(session_id)),
      spool_prefix_(std::move(spool_prefix)),
      zstd_level_(zstd_level) {
  sealer_ = std::thread([this] { seal_loop(); });
}

BlobSaver::~BlobSaver() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    job_.reset();  // a failed backup: what was not sealed yet is dropped
  }
  cv_.notify_all();
  sealer_.join();
  // An unfinished PackWriter removes its file.
}

uint32_t BlobSaver::pack_index(const std::string& pack) {
  auto [it, added] = pack_indexes_.emplace(pack, static_cast<uint32_t>(packs_.size()));
  if (added) packs_.push_back(pack);
  return it->second;
}

Status BlobSaver::learn(const std::vector<std::string>& packs,
                        const std::vector<CachedBlob>& blobs) {
  std::set<std::string> held;
  for (size_t i = 0; i < packs.size(); i += kLookupMax) {
    std::vector<std::string> batch(packs.begin() + i,
                                   packs.begin() + std::min(packs.size(), i + kLookupMax));
    auto got = api_.hold(session_id_, batch);
    if (!got.ok() && got.status().code() == Code::kNotFound && i == 0) {
      return learn_by_lookup(blobs);  // an orchestrator older than the hold route
    }
    if (!got.ok()) return got.status();
    held.merge(*got);
  }
  std::vector<uint32_t> index_of(packs.size(), kUnplaced);
  for (size_t i = 0; i < packs.size(); ++i) {
    if (held.count(packs[i])) index_of[i] = pack_index(packs[i]);
  }
  for (const auto& [id, pack] : blobs) {
    if (pack < index_of.size() && index_of[pack] != kUnplaced) known_.emplace(id, index_of[pack]);
  }
  return OkStatus();
}

// Each cached blob looked up by id: the lookup names (and holds) its pack.
Status BlobSaver::learn_by_lookup(const std::vector<CachedBlob>& blobs) {
  std::vector<std::string> batch;
  auto ask = [&]() -> Status {
    if (batch.empty()) return OkStatus();
    FF_ASSIGN_OR_RETURN(auto found, api_.lookup(session_id_, batch));
    for (const auto& [hex, pack] : found) {
      auto id = repo::parse_blob_id(hex);
      if (id.ok()) known_.emplace(*id, pack_index(pack));
    }
    batch.clear();
    return OkStatus();
  };
  std::unordered_set<repo::BlobId, BlobIdHash> asked;
  for (const auto& [id, pack] : blobs) {
    if (known_.count(id) || !asked.insert(id).second) continue;
    batch.push_back(repo::blob_id_hex(id));
    if (batch.size() == kLookupMax) FF_TRY(ask());
  }
  return ask();
}

std::optional<std::string_view> BlobSaver::pack_of(const repo::BlobId& id) const {
  auto it = known_.find(id);
  if (it == known_.end() || it->second == kUnplaced) return std::nullopt;
  return std::string_view(packs_[it->second]);
}

Status BlobSaver::add(repo::BlobType type, const repo::BlobId& id, std::string_view plaintext) {
  // Counted as known at once: the flush below either finds it stored or seals it.
  if (!known_.emplace(id, kUnplaced).second) return OkStatus();
  pending_.push_back(Pending{type, id, std::string(plaintext)});
  pending_bytes_ += plaintext.size();
  if (pending_bytes_ >= kBatchBytes || pending_.size() >= kBatchBlobs) return flush();
  return OkStatus();
}

Status BlobSaver::flush() {
  if (pending_.empty()) return OkStatus();
  std::vector<std::string> ids;
  ids.reserve(pending_.size());
  for (const auto& p : pending_) ids.push_back(repo::blob_id_hex(p.id));
  FF_ASSIGN_OR_RETURN(auto stored, api_.lookup(session_id_, ids));
  SealJob job;
  for (size_t i = 0; i < pending_.size(); ++i) {
    auto found = stored.find(ids[i]);
    if (found == stored.end()) {
      job.blobs.push_back(std::move(pending_[i]));
    } else {
      known_[pending_[i].id] = pack_index(found->second);
    }
  }
  pending_.clear();
  pending_bytes_ = 0;
  if (job.blobs.empty()) return OkStatus();
  FF_ASSIGN_OR_RETURN(job.token, api_.fresh_token());
  return hand_over(std::move(job));
}

Status BlobSaver::hand_over(SealJob job) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !job_ || !seal_error_.ok(); });
  if (!seal_error_.ok()) return seal_error_;
  job_ = std::move(job);
  cv_.notify_all();
  return OkStatus();
}

void BlobSaver::seal_loop() {
  for (;;) {
    SealJob job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return job_ || closing_; });
      if (!job_) return;
      job = std::move(*job_);
      job_.reset();
      sealing_ = true;
    }
    cv_.notify_all();
    Status s;
    try {
      s = seal(job);
    } catch (const std::exception& e) {
      // No exception may leave this thread (allocation).
      s = Internal(std::string("sealing blobs: ") + e.what());
    }
    {
      std::lock_guard lock(mu_);
      sealing_ = false;
      if (!s.ok() && seal_error_.ok()) seal_error_ = s;
    }
    cv_.notify_all();
  }
}

Status BlobSaver::seal(SealJob& job) {
  // Compression and encryption are most of a first backup's work: the
  // job's blobs are sealed on two threads, then go into the pack in order.
  std::vector<std::string> sealed(job.blobs.size());
  FF_TRY(share_work(job.blobs.size(), kSealers, "sealing blobs", [&](size_t, size_t i) {
    const Pending& p = job.blobs[i];
    sealed[i] = codec_.seal(p.type, p.id, p.plaintext, zstd_level_, random_);
    return OkStatus();
  }));
  for (size_t i = 0; i < job.blobs.size(); ++i) {
    const Pending& p = job.blobs[i];
    if (!pack_) {
      FF_ASSIGN_OR_RETURN(pack_, repo::PackWriter::create(
                                     spool_prefix_ + std::to_string(pack_seq_++), codec_, random_));
    }
    FF_TRY(pack_->add(p.type, p.id, sealed[i]));
    std::string().swap(sealed[i]);
    ++blobs_sealed_;
    if (pack_->full()) FF_TRY(close_pack(job.token));
  }
  if (job.last) FF_TRY(close_pack(job.token));
  return OkStatus();
}

Status BlobSaver::close_pack(const std::string& token) {
  if (!pack_) return OkStatus();
  auto finished = pack_->finish();
  pack_.reset();
  if (!finished.ok()) return finished.status().with_context("pack");
  {
    std::vector<repo::BlobId> ids;
    ids.reserve(finished->entries.size());
    for (const repo::PackEntry& e : finished->entries) ids.push_back(e.id);
    std::lock_guard lock(mu_);
    closed_packs_.emplace_back(finished->id, std::move(ids));
  }
  // Blocks while two packs are in flight: sealing waits for the network.
  return uploader_.submit(std::move(finished).value(), token);
}

Status BlobSaver::finish() {
  FF_TRY(flush());
  SealJob last;
  last.last = true;
  FF_ASSIGN_OR_RETURN(last.token, api_.fresh_token());
  FF_TRY(hand_over(std::move(last)));
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return (!job_ && !sealing_) || !seal_error_.ok(); });
    if (!seal_error_.ok()) return seal_error_;
    for (const auto& [pack, ids] : closed_packs_) {
      uint32_t index = pack_index(pack);
      for (const repo::BlobId& id : ids) known_[id] = index;
    }
    closed_packs_.clear();
  }
  return uploader_.finish();
}

}  // namespace ff::agent
