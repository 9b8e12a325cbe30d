#include "agent/repo_transfer.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "client/http_errors.h"

namespace ff::agent {

const char* blob_type_name(repo::BlobType type) {
  return type == repo::BlobType::kTree ? "tree" : "data";
}

PackUploader::PackUploader(client::ClientOptions options, const Retrier& retrier,
                           std::string session_id, size_t max_in_flight)
    : client_(std::move(options)),
      retrier_(retrier),
      session_id_(std::move(session_id)),
      max_in_flight_(std::max<size_t>(max_in_flight, 1)) {
  worker_ = std::thread([this] { work(); });
}

PackUploader::~PackUploader() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    // Without finish() the backup failed: queued packs are not sent (the one
    // being uploaded completes or fails on its own).
    for (const auto& job : queue_) ::unlink(job.pack.path.c_str());
    queue_.clear();
  }
  cv_.notify_all();
  worker_.join();
}

Status PackUploader::submit(repo::FinishedPack pack, const std::string& token) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() + busy_ < max_in_flight_ || !error_.ok(); });
  if (!error_.ok()) {
    ::unlink(pack.path.c_str());
    return error_;
  }
  queue_.push_back(Job{std::move(pack), token});
  cv_.notify_all();
  return OkStatus();
}

Status PackUploader::finish() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return (queue_.empty() && busy_ == 0) || !error_.ok(); });
  return error_;
}

uint64_t PackUploader::uploaded_bytes() const {
  std::lock_guard lock(mu_);
  return uploaded_bytes_;
}

uint64_t PackUploader::uploaded_packs() const {
  std::lock_guard lock(mu_);
  return uploaded_packs_;
}

void PackUploader::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    Result<bool> r = Internal("upload threw");
    try {
      r = upload(job);
    } catch (const std::exception& e) {
      // No exception may leave this thread (JSON, allocation).
      r = Internal(std::string("pack upload: ") + e.what());
    }
    ::unlink(job.pack.path.c_str());
    {
      std::lock_guard lock(mu_);
      --busy_;
      if (!r.ok() && error_.ok()) {
        error_ = r.status().with_context("pack " + job.pack.id);
        // Packs still queued will not be uploaded; their spool files go now.
        for (const auto& j : queue_) ::unlink(j.pack.path.c_str());
        queue_.clear();
      }
      if (r.ok() && *r) {
        uploaded_bytes_ += job.pack.size;
        ++uploaded_packs_;
      }
    }
    cv_.notify_all();
  }
}

// True when the bytes were uploaded, false when the namespace already had the pack.
Result<bool> PackUploader::upload(const Job& job) {
  client_.set_token(job.token);
  const repo::FinishedPack& p = job.pack;
  nlohmann::json blobs = nlohmann::json::array();
  for (const auto& e : p.entries) {
    blobs.push_back({{"id", repo::blob_id_hex(e.id)},
                     {"type", blob_type_name(e.type)},
                     {"offset", e.offset},
                     {"length", e.length}});
  }
  nlohmann::json req = {
      {"session_id", session_id_}, {"id", p.id}, {"size", p.size}, {"blobs", std::move(blobs)}};
  nlohmann::json ticket;
  FF_TRY(retrier_.run("announce pack", [&] {
    auto r = client_.post("/packs", req);
    if (r.ok()) ticket = std::move(*r);
    return Attempt{r.status(), client_.last_call().retry_after};
  }));
  if (!ticket.is_object()) return Internal("unexpected answer to POST /packs");
  if (ticket.value("status", "") == "available") return false;
  std::string presigned;
  if (auto it = ticket.find("presigned_url"); it != ticket.end() && it->is_string()) {
    presigned = *it;
  }
  std::string upload_url = "/packs/" + p.id + "/object";
  if (auto it = ticket.find("upload_url"); it != ticket.end() && it->is_string()) upload_url = *it;
  int tries = 0;
  FF_TRY(retrier_.run("upload pack", [&]() -> Attempt {
    ++tries;
    if (!presigned.empty()) {
      auto r = client_.upload_file(presigned, p.path);
      if (r.ok()) {
        r = client_.post("/packs/" + p.id + "/complete", nlohmann::json::object());
        return {r.status(), client_.last_call().retry_after};
      }
      if (client::is_retryable(r.status())) return {r.status(), client_.last_call().retry_after};
      spdlog::warn("presigned pack upload failed ({}); uploading through the orchestrator",
                   r.status().to_string());
      presigned.clear();
    }
    auto r = client_.upload_file(upload_url, p.path);
    Attempt a{r.status(), client_.last_call().retry_after};
    // After a lost answer, a retry finds the pack already stored.
    if (tries > 1 && a.status.code() == Code::kConflict) a.status = OkStatus();
    return a;
  }));
  return true;
}

Result<std::string> download_range(client::ApiClient& client, const Retrier& retrier,
                                   const std::string& pack, uint64_t offset, uint64_t length) {
  std::string out;
  FF_TRY(retrier.run("download pack range", [&] {
    out.clear();
    out.reserve(length);
    client::DownloadRequest d;
    d.url = "/packs/" + pack + "/object";
    d.offset = offset;
    d.length = length;
    d.write = [&](std::string_view chunk) -> Status {
      // A 200 for offset 0 sends the whole pack: keep the range only.
      size_t room = length - out.size();
      out.append(chunk.substr(0, std::min(room, chunk.size())));
      return OkStatus();
    };
    auto r = client.download(d);
    return Attempt{r.status(), client.last_call().retry_after};
  }));
  if (out.size() != length) {
    return DataLoss("pack " + pack + ": short range: wanted " + std::to_string(length) +
                    " bytes at " + std::to_string(offset) + ", got " + std::to_string(out.size()));
  }
  return out;
}

}  // namespace ff::agent
