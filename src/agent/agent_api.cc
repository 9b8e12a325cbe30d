#include "agent/agent_api.h"

#include <spdlog/spdlog.h>

#include "client/http_errors.h"

namespace ff::agent {

nlohmann::json Event::to_json() const {
  nlohmann::json j = {{"event_type", event_type}, {"message", message}};
  if (!job_id.empty()) j["job_id"] = job_id;
  if (!snapshot_id.empty()) j["snapshot_id"] = snapshot_id;
  if (metadata.is_object()) j["metadata"] = metadata;
  return j;
}

AgentApi::AgentApi(client::ApiClient& client, TokenManager& tokens, const Retrier& retrier,
                   std::string agent_id)
    : client_(client), tokens_(tokens), retrier_(retrier), agent_id_(std::move(agent_id)) {}

Attempt AgentApi::authed(const std::function<Status()>& call) {
  for (int round = 0; round < 2; ++round) {
    Status t = tokens_.ensure_fresh();
    if (!t.ok()) return {t, client_.last_call().retry_after};
    Status s = call();
    if (s.code() != Code::kUnauthenticated || round == 1) {
      return {s, client_.last_call().retry_after};
    }
    spdlog::warn("orchestrator answered 401 ({}); renewing the token", s.message());
    Status inv = tokens_.invalidate();
    if (!inv.ok()) return {inv, std::nullopt};
  }
  return {Internal("unreachable"), std::nullopt};
}

Result<std::vector<Command>> AgentApi::poll_commands(std::chrono::seconds wait) {
  std::string path = "/agent/" + agent_id_ + "/commands";
  if (wait.count() > 0) path += "?wait=" + std::to_string(wait.count());
  nlohmann::json body;
  BackoffPolicy forever = retrier_.policy();
  forever.max_attempts = 0;
  forever.max_elapsed = std::chrono::milliseconds(0);
  Status s = retrier_.run("poll commands", forever, [&] {
    return authed([&] {
      auto r = client_.request("GET", path, nullptr, wait);
      if (!r.ok()) return r.status();
      body = std::move(*r);
      return OkStatus();
    });
  });
  FF_TRY(s);
  std::vector<Command> out;
  if (body.is_object() && body.contains("commands")) body = body["commands"];
  if (!body.is_array()) return Unavailable("commands response is not a list");
  for (const auto& c : body) {
    if (!c.is_object()) continue;
    Command cmd;
    cmd.id = c.value("id", "");
    cmd.command_type = c.value("command_type", "");
    cmd.payload = c.contains("payload") ? c["payload"] : nlohmann::json::object();
    if (cmd.payload.is_string()) {
      // Tolerate a payload stored as JSON text.
      auto parsed = nlohmann::json::parse(cmd.payload.get<std::string>(), nullptr, false);
      cmd.payload = parsed.is_discarded() ? nlohmann::json::object() : parsed;
    }
    if (!cmd.payload.is_object()) cmd.payload = nlohmann::json::object();
    out.push_back(std::move(cmd));
  }
  return out;
}

namespace {

// The "job_status" of a 409 body: the orchestrator names why a job takes no more events.
std::string job_status_of(const Status& s, const client::ApiClient& c) {
  if (s.code() != Code::kConflict) return "";
  auto body = nlohmann::json::parse(c.last_call().error_body, nullptr, false);
  if (!body.is_object()) return "";
  auto it = body.find("job_status");
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Status AgentApi::post_event(const Event& event, bool durable) {
  std::string path = "/agent/" + agent_id_ + "/events";
  nlohmann::json body = event.to_json();
  refused_job_status_.clear();
  auto once = [&] { return authed([&] { return client_.post(path, body).status(); }); };
  if (!durable) {
    // Never through client_: this may run inside one of its transfer callbacks.
    if (!side_) {
      client::ClientOptions o = client_.options();
      o.connect_timeout = std::chrono::seconds(3);
      o.request_timeout = std::chrono::seconds(5);
      side_ = std::make_unique<client::ApiClient>(o);
    }
    side_->set_token(client_.token());
    Status s = side_->post(path, body).status();
    refused_job_status_ = job_status_of(s, *side_);
    return s;
  }
  BackoffPolicy policy = retrier_.policy();
  policy.max_elapsed = std::chrono::hours(1);
  Status s = retrier_.run("post " + event.event_type, policy, once);
  refused_job_status_ = job_status_of(s, client_);
  return s;
}

Result<SnapshotInfo> AgentApi::get_snapshot(const std::string& id) {
  nlohmann::json body;
  FF_TRY(retrier_.run("get snapshot", [&] {
    return authed([&] {
      auto r = client_.get("/snapshots/" + id);
      if (!r.ok()) return r.status();
      body = std::move(*r);
      return OkStatus();
    });
  }));
  if (!body.is_object()) return Unavailable("snapshot response is not an object");
  SnapshotInfo info;
  info.id = body.value("id", id);
  info.checksum = body.value("checksum", "");
  info.status = body.value("status", "");
  if (body.contains("size") && body["size"].is_number_unsigned()) info.size = body["size"];
  if (body.contains("size") && body["size"].is_number_integer() && body["size"] >= 0) {
    info.size = body["size"].get<uint64_t>();
  }
  auto count = [](const nlohmann::json& m, const char* key) -> std::optional<uint64_t> {
    auto it = m.find(key);
    if (it == m.end() || !it->is_number_integer() || *it < 0) return std::nullopt;
    return it->get<uint64_t>();
  };
  if (auto f = body.find("format"); f != body.end() && f->is_string()) info.format = *f;
  if (auto e = body.find("encrypted"); e != body.end() && e->is_boolean()) info.encrypted = *e;
  if (auto r = body.find("repository_id"); r != body.end() && r->is_string()) {
    info.repository_id = *r;
  }
  if (auto r = body.find("root"); r != body.end() && r->is_string()) info.root = *r;
  if (auto m = body.find("metadata"); m != body.end() && m->is_object()) {
    info.metadata = *m;
    info.declared_bytes = count(*m, "byte_count");
    auto files = count(*m, "file_count"), dirs = count(*m, "dir_count"),
         links = count(*m, "symlink_count");
    if (files && dirs && links && *files < (uint64_t{1} << 60) && *dirs < (uint64_t{1} << 60) &&
        *links < (uint64_t{1} << 60)) {
      info.declared_entries = *files + *dirs + *links;
    }
  }
  return info;
}

Result<SnapshotTicket> AgentApi::create_snapshot(const std::string& id, const std::string& checksum,
                                                 uint64_t size, const nlohmann::json& metadata) {
  nlohmann::json req = {{"id", id},
                        {"agent_id", agent_id_},
                        {"checksum", checksum},
                        {"size", size},
                        {"metadata", metadata}};
  nlohmann::json body;
  bool first = true;
  FF_TRY(retrier_.run("create snapshot", [&]() -> Attempt {
    Attempt a = authed([&] {
      auto r = client_.post("/snapshots", req);
      if (!r.ok()) return r.status();
      body = std::move(*r);
      return OkStatus();
    });
    // A retry after a lost answer finds our own snapshot: carry on with it.
    if (!first && a.status.code() == Code::kConflict) {
      body = {
          {"id", id}, {"presigned_url", nullptr}, {"upload_url", "/snapshots/" + id + "/object"}};
      a.status = OkStatus();
    }
    first = false;
    return a;
  }));
  SnapshotTicket t;
  if (body.is_object()) {
    if (body.contains("presigned_url") && body["presigned_url"].is_string()) {
      t.presigned_url = body["presigned_url"];
    }
    if (body.contains("upload_url") && body["upload_url"].is_string())
      t.upload_url = body["upload_url"];
  }
  if (t.upload_url.empty()) t.upload_url = "/snapshots/" + id + "/object";
  return t;
}

Status AgentApi::upload_snapshot(const SnapshotTicket& ticket, const std::string& file_path,
                                 std::function<void(uint64_t, uint64_t)> progress) {
  bool use_presigned = !ticket.presigned_url.empty();
  int tries = 0;
  return retrier_.run("upload snapshot", [&]() -> Attempt {
    ++tries;
    if (use_presigned) {
      auto r = client_.upload_file(ticket.presigned_url, file_path, progress);
      if (r.ok() || client::is_retryable(r.status())) {
        return {r.status(), client_.last_call().retry_after};
      }
      // The object store refused the presigned PUT (expired, clock skew):
      // the orchestrator's own upload URL still works.
      spdlog::warn("presigned upload failed ({}); uploading through the orchestrator",
                   r.status().to_string());
      use_presigned = false;
    }
    Attempt a = authed(
        [&] { return client_.upload_file(ticket.upload_url, file_path, progress).status(); });
    // After a lost answer, a retry finds the object already stored.
    if (tries > 1 && a.status.code() == Code::kConflict) a.status = OkStatus();
    return a;
  });
}

Result<client::DownloadInfo> AgentApi::download_snapshot(const std::string& id,
                                                         const client::DownloadRequest& req) {
  client::DownloadInfo info;
  Attempt a = authed([&] {
    client::DownloadRequest r = req;
    r.url = "/snapshots/" + id + "/object";
    auto d = client_.download(r);
    if (!d.ok()) return d.status();
    info = *d;
    return OkStatus();
  });
  FF_TRY(a.status);
  return info;
}

}  // namespace ff::agent
