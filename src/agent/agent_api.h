// AgentApi: the calls fortfail-agent makes to the orchestrator, each with a
// fresh token (renewed once after a 401) and retried with backoff while the
// failure is retryable (network, 503, 429 with Retry-After).
//
// Thread-safety: not thread-safe; one per agent, used from its main loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
  Status post_event(const Event& event, bool durable);

  Result<SnapshotInfo> get_snapshot(const std::string& id);
  Result<SnapshotTicket> create_snapshot(const std::string& id, const std::string& checksum,
                                         uint64_t size, const nlohmann::json& metadata);
  // Uploads the file (presigned URL when given, else PUT upload_url), retried.
  Status upload_snapshot(const SnapshotTicket& ticket, const std::string& file_path,
                         std::function<void(uint64_t, uint64_t)> progress);
  // One download attempt of GET /snapshots/{id}/object (restarts are the caller's).
  Result<client::DownloadInfo> download_snapshot(const std::string& id,
                                                 const client::DownloadRequest& req);

  const Retrier& retrier() const { return retrier_; }
  // Retry-After of the last response, if it had one.
  std::optional<std::chrono::seconds> last_retry_after() const {
    return client_.last_call().retry_after;
  }

  // Exposed for tests: one call with a fresh token, repeated once after a 401.
  Attempt authed(const std::function<Status()>& call);

 private:
  client::ApiClient& client_;
  std::unique_ptr<client::ApiClient> side_;  // progress events, created on first use
  TokenManager& tokens_;
  const Retrier& retrier_;
  std::string agent_id_;
};

}  // namespace ff::agent
