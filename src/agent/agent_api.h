// AgentApi: the calls fortfail-agent makes to the orchestrator, each with a
// fresh token (renewed once after a 401) and retried with backoff while the
// failure is retryable (network, 503, 429 with Retry-After).
//
// Thread-safety: not thread-safe; one per agent, used from its main loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/retry.h"
#include "agent/token_manager.h"
#include "client/api_client.h"

namespace ff::agent {

struct Command {
  std::string id;
  std::string command_type;
  nlohmann::json payload;  // an object
};

struct Event {
  std::string job_id;       // may be empty
  std::string snapshot_id;  // may be empty
  std::string event_type;
  std::string message;
  nlohmann::json metadata;  // null or an object
  nlohmann::json to_json() const;
};

struct SnapshotInfo {
  std::string id;
  std::string checksum;
  uint64_t size = 0;
  std::string status;
  // What the backup declared in its metadata, when it did: bytes of file
  // content (byte_count) and entries (file_count + dir_count + symlink_count).
  std::optional<uint64_t> declared_bytes;
  std::optional<uint64_t> declared_entries;
  // Repository format (absent on old orchestrators: "tar").
  std::string format = "tar";  // "tar" | "repository-v1"
  bool encrypted = false;
  std::string repository_id;  // the key id of an encrypted snapshot
  std::string root;           // repository-v1: the root tree's blob id
  nlohmann::json metadata;    // what the backup declared (an object, or null)
};

// The repository protocol (docs/openapi.json, /repository/*, /packs/*).
struct RepoSession {
  std::string id;
  std::string repository;  // the namespace
};

struct PackTicket {
  std::string presigned_url;  // empty when the store has none
  std::string upload_url;     // "/packs/{id}/object"
  bool available = false;     // already stored: nothing to upload
};

struct BlobLocation {
  std::string pack;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct LocateResult {
  std::map<std::string, BlobLocation> locations;  // blob id -> where
  std::vector<std::string> missing;
};

struct SnapshotTicket {
  std::string presigned_url;  // empty when the store has none
  std::string upload_url;     // "/snapshots/{id}/object"
};

class AgentApi {
 public:
  // Every reference must outlive the AgentApi.
  AgentApi(client::ApiClient& client, TokenManager& tokens, const Retrier& retrier,
           std::string agent_id);

  const std::string& agent_id() const { return agent_id_; }

  // GET /agent/{id}/commands[?wait=N]; retries until success or stop.
  Result<std::vector<Command>> poll_commands(std::chrono::seconds wait);

  // POST /agent/{id}/events. `durable`: retried for up to an hour (terminal and
  // start events); otherwise one try on a second connection (progress events
  // are best effort and may be posted from inside a transfer's callback).
  // kConflict when the job is finished (the orchestrator names its status:
  // see refused_job_status) or past its event cap.
  Status post_event(const Event& event, bool durable);
  // After post_event returned kConflict: the job's status the orchestrator
  // named ("cancelled" when an operator cancelled it); "" for another cause.
  const std::string& refused_job_status() const { return refused_job_status_; }

  Result<SnapshotInfo> get_snapshot(const std::string& id);
  Result<SnapshotTicket> create_snapshot(const std::string& id, const std::string& checksum,
                                         uint64_t size, const nlohmann::json& metadata);
  // Uploads the file (presigned URL when given, else PUT upload_url), retried.
  Status upload_snapshot(const SnapshotTicket& ticket, const std::string& file_path,
                         std::function<void(uint64_t, uint64_t)> progress);
  // One download attempt of GET /snapshots/{id}/object (restarts are the caller's).
  Result<client::DownloadInfo> download_snapshot(const std::string& id,
                                                 const client::DownloadRequest& req);

  // POST /repository/sessions: repository_id is the key id, empty for plain.
  Result<RepoSession> open_session(const std::string& repository_id);
  // POST /repository/sessions/{sid}/lookup (<= 10000 ids): blob id -> pack id
  // of the ids the namespace holds.
  Result<std::map<std::string, std::string>> lookup(const std::string& session_id,
                                                    const std::vector<std::string>& ids);
  // POST /repository/sessions/{sid}/hold (<= 10000 pack ids): those the
  // namespace has available, now held by the session. kNotFound from an
  // orchestrator without the route.
  Result<std::set<std::string>> hold(const std::string& session_id,
                                     const std::vector<std::string>& packs);
  // POST /repository/sessions/{sid}/commit: the snapshot view.
  Result<nlohmann::json> commit(const std::string& session_id, const std::string& snapshot_id,
                                const std::string& root, const nlohmann::json& metadata);
  // POST /repository/sessions/{sid}/abort (one try: a session left open expires).
  Status abort_session(const std::string& session_id);
  // POST /snapshots/{id}/locate (<= 10000 ids).
  Result<LocateResult> locate(const std::string& snapshot_id, const std::vector<std::string>& ids);

  // A token that stays valid for a while, for clients on other threads
  // (repo_transfer.h) that cannot renew it themselves.
  Result<std::string> fresh_token();

  const Retrier& retrier() const { return retrier_; }
  // Retry-After of the last response, if it had one.
  std::optional<std::chrono::seconds> last_retry_after() const {
    return client_.last_call().retry_after;
  }

  // Exposed for tests: one call with a fresh token, repeated once after a 401.
  Attempt authed(const std::function<Status()>& call);

 private:
  // POST `path` with `body`, retried (as `what`) and re-authenticated on 401:
  // the answer's JSON.
  Result<nlohmann::json> post_retried(const std::string& what, const std::string& path,
                                      const nlohmann::json& body);
  client::ApiClient& client_;
  std::unique_ptr<client::ApiClient> side_;  // progress events, created on first use
  TokenManager& tokens_;
  const Retrier& retrier_;
  std::string agent_id_;
  std::string refused_job_status_;  // of the last post_event
};

}  // namespace ff::agent
