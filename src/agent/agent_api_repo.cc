// AgentApi: the repository protocol's calls made from the agent's main loop
// (sessions, lookup, hold, commit, abort, locate). Pack transfers run on worker
// threads with their own clients: repo_transfer.h.
#include <spdlog/spdlog.h>

#include "agent/agent_api.h"

namespace ff::agent {

namespace {

// A JSON answer that is not what the protocol pins is the server's fault:
// retrying will not help, so it is not kUnavailable.
Status bad_answer(const std::string& what) {
  return Internal("unexpected answer from the orchestrator to " + what);
}

}  // namespace

Result<nlohmann::json> AgentApi::post_retried(const std::string& what, const std::string& path,
                                              const nlohmann::json& body) {
  nlohmann::json answer;
  FF_TRY(retrier_.run(what, [&] {
    return authed([&] {
      auto r = client_.post(path, body);
      if (!r.ok()) return r.status();
      answer = std::move(*r);
      return OkStatus();
    });
  }));
  return answer;
}

Result<RepoSession> AgentApi::open_session(const std::string& repository_id) {
  nlohmann::json req = {{"agent_id", agent_id_},
                        {"repository_id", repository_id.empty() ? nlohmann::json(nullptr)
                                                                : nlohmann::json(repository_id)},
                        {"encrypted", !repository_id.empty()}};
  FF_ASSIGN_OR_RETURN(nlohmann::json body,
                      post_retried("open repository session", "/repository/sessions", req));
  if (!body.is_object() || !body.contains("id") || !body["id"].is_string()) {
    return bad_answer("POST /repository/sessions");
  }
  return RepoSession{body["id"].get<std::string>(), body.value("repository", "")};
}

Result<std::map<std::string, std::string>> AgentApi::lookup(const std::string& session_id,
                                                            const std::vector<std::string>& ids) {
  nlohmann::json req = {{"ids", ids}};
  FF_ASSIGN_OR_RETURN(
      nlohmann::json body,
      post_retried("look up blobs", "/repository/sessions/" + session_id + "/lookup", req));
  std::map<std::string, std::string> known;
  auto it = body.is_object() ? body.find("known") : body.end();
  if (it == body.end() || !it->is_object()) return bad_answer("lookup");
  for (const auto& [id, pack] : it->items()) {
    if (pack.is_string()) known.emplace(id, pack.get<std::string>());
  }
  return known;
}

Result<std::set<std::string>> AgentApi::hold(const std::string& session_id,
                                             const std::vector<std::string>& packs) {
  nlohmann::json req = {{"packs", packs}};
  FF_ASSIGN_OR_RETURN(
      nlohmann::json body,
      post_retried("hold packs", "/repository/sessions/" + session_id + "/hold", req));
  auto it = body.is_object() ? body.find("held") : body.end();
  if (it == body.end() || !it->is_array()) return bad_answer("hold");
  std::set<std::string> held;
  for (const auto& pack : *it) {
    if (pack.is_string()) held.insert(pack.get<std::string>());
  }
  return held;
}

Result<nlohmann::json> AgentApi::commit(const std::string& session_id,
                                        const std::string& snapshot_id, const std::string& root,
                                        const nlohmann::json& metadata) {
  nlohmann::json req = {{"snapshot_id", snapshot_id}, {"root", root}, {"metadata", metadata}};
  nlohmann::json body;
  bool first = true;
  FF_TRY(retrier_.run("commit snapshot", [&]() -> Attempt {
    Attempt a = authed([&] {
      auto r = client_.post("/repository/sessions/" + session_id + "/commit", req);
      if (!r.ok()) return r.status();
      body = std::move(*r);
      return OkStatus();
    });
    // After a lost answer the session is closed and the snapshot exists: ask for it.
    if (!first && (a.status.code() == Code::kConflict || a.status.code() == Code::kNotFound)) {
      auto r = client_.get("/snapshots/" + snapshot_id);
      if (r.ok() && r->is_object() && r->value("status", "") == "available") {
        body = std::move(*r);
        a.status = OkStatus();
      }
    }
    first = false;
    return a;
  }));
  return body;
}

Status AgentApi::abort_session(const std::string& session_id) {
  return authed([&] {
           return client_
               .post("/repository/sessions/" + session_id + "/abort", nlohmann::json::object())
               .status();
         })
      .status;
}

Result<LocateResult> AgentApi::locate(const std::string& snapshot_id,
                                      const std::vector<std::string>& ids) {
  nlohmann::json req = {{"ids", ids}};
  FF_ASSIGN_OR_RETURN(nlohmann::json body,
                      post_retried("locate blobs", "/snapshots/" + snapshot_id + "/locate", req));
  LocateResult out;
  auto locs = body.is_object() ? body.find("locations") : body.end();
  if (locs == body.end() || !locs->is_object()) return bad_answer("locate");
  for (const auto& [id, l] : locs->items()) {
    if (!l.is_object() || !l.contains("pack") || !l["pack"].is_string() || !l.contains("offset") ||
        !l["offset"].is_number_unsigned() || !l.contains("length") ||
        !l["length"].is_number_unsigned()) {
      return bad_answer("locate");
    }
    out.locations.emplace(id,
                          BlobLocation{l["pack"].get<std::string>(), l["offset"].get<uint64_t>(),
                                       l["length"].get<uint64_t>()});
  }
  if (auto m = body.find("missing"); m != body.end() && m->is_array()) {
    for (const auto& id : *m) {
      if (id.is_string()) out.missing.push_back(id.get<std::string>());
    }
  }
  return out;
}

Result<std::string> AgentApi::fresh_token() {
  FF_TRY(retrier_.run("obtain token", [&] {
    return Attempt{tokens_.ensure_fresh(), client_.last_call().retry_after};
  }));
  return client_.token();
}

}  // namespace ff::agent
