#include "api/views.h"

#include "api/json_text.h"
#include "common/time.h"
#include "core/job_rules.h"

namespace ff::api {

namespace {
nlohmann::json object_or_empty(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}
nlohmann::json time_or_null(const std::optional<SystemTime>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}
template <typename T>
nlohmann::json value_or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
// Stored JSON text (written by the service, so well-formed), or null.
nlohmann::json json_or_null(const std::optional<std::string>& text) {
  return text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json snapshot_json(const store::Snapshot& s) {
  nlohmann::json metadata = object_or_empty(s.metadata_json);
  auto figure = [&](const std::optional<int64_t>& stored, const char* field) -> nlohmann::json {
    if (stored) return *stored;
    auto it = metadata.find(field);
    if (s.format == "tar" && it != metadata.end() && it->is_number_integer()) return *it;
    return nullptr;
  };
  auto text_or_null = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  return {{"id", s.id},
          {"agent_id", s.agent_id},
          {"checksum", s.checksum},
          {"size", s.size},
          {"status", s.status},
          {"created_at", format_rfc3339(s.created_at)},
          {"uploaded_at", time_or_null(s.uploaded_at)},
          {"format", s.format},
          {"encrypted", s.encrypted},
          // The namespace is the key id only when encrypted ("agent:<id>" otherwise).
          {"repository_id", s.encrypted ? text_or_null(s.repository) : nlohmann::json(nullptr)},
          {"root", text_or_null(s.root)},
          {"logical_size", figure(s.logical_size, "byte_count")},
          {"stored_bytes", s.stored_bytes},
          {"file_count", figure(s.file_count, "file_count")},
          {"verified_at", time_or_null(s.verified_at)},
          {"proven_restorable_at", time_or_null(s.proven_restorable_at)},
          {"metadata", std::move(metadata)}};
}

nlohmann::json repo_session_json(const store::RepoSession& s) {
  return {{"id", s.id},
          {"agent_id", s.agent_id},
          {"repository", s.repository},
          {"encrypted", s.encrypted},
          {"expires_at", format_rfc3339(s.expires_at)}};
}

nlohmann::json restore_job_json(const store::RestoreJob& j) {
  nlohmann::json out = {
      {"id", j.id},
      {"kind", j.kind},
      {"snapshot_id",
       j.snapshot_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(j.snapshot_id)},
      {"target_agent_id",
       j.target_agent_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(j.target_agent_id)},
      {"status", j.status},
      {"created_at", format_rfc3339(j.created_at)},
      {"updated_at", format_rfc3339(j.updated_at)}};
  if (j.kind == "restore") {
    out["target_path"] =
        j.target_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(j.target_path);
    return out;
  }
  // A drill's or verify job's request (agent_id, read_data, subset_percent, ...).
  nlohmann::json params = object_or_empty(j.params_json);
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (!out.contains(it.key())) out[it.key()] = it.value();
  }
  return out;
}

nlohmann::json restore_job_json(const core::RestoreJobView& v) {
  nlohmann::json j = restore_job_json(v.job);
  nlohmann::json logs = nlohmann::json::array();
  for (const auto& e : v.logs) logs.push_back(job_event_json(e));
  // What a finished drill or verify job found: its last line's figures.
  if (v.job.kind != "restore") {
    nlohmann::json result = nullptr;
    for (auto it = v.logs.rbegin(); it != v.logs.rend(); ++it) {
      if (core::status_for_event(v.job.kind, it->event_type).value_or("") == core::kCompleted ||
          core::status_for_event(v.job.kind, it->event_type).value_or("") == core::kFailed) {
        result = object_or_empty(it->metadata_json);
        result["message"] = it->message;
        break;
      }
    }
    j["result"] = std::move(result);
  }
  j["logs"] = std::move(logs);
  return j;
}

std::string restore_job_text(const core::RestoreJobView& v) {
  const store::RestoreJob& j = v.job;
  JsonText t;
  t.begin_object();  // keys sorted, as nlohmann orders them
  t.key("created_at").string(format_rfc3339(j.created_at));
  t.key("id").string(j.id);
  t.key("kind").string("restore");
  t.key("logs").begin_array();
  for (const store::JobEvent& e : v.logs) {
    t.begin_object();
    t.key("agent_id").string(e.agent_id);
    t.key("event_type").string(e.event_type);
    t.key("message").string(e.message);
    // Stored metadata is the compact dump of a validated object, written by
    // us; anything else gets the same treatment as in job_event_json.
    t.key("metadata");
    const std::string& m = e.metadata_json;
    if (m.size() >= 2 && m.front() == '{' && m.back() == '}') {
      t.raw(m);
    } else {
      t.raw(object_or_empty(m).dump());
    }
    t.key("timestamp").string(format_rfc3339(e.timestamp));
    t.end_object();
  }
  t.end_array();
  t.key("snapshot_id").string(j.snapshot_id);
  t.key("status").string(j.status);
  t.key("target_agent_id").string(j.target_agent_id);
  t.key("target_path");
  if (j.target_path.empty()) {
    t.null();
  } else {
    t.string(j.target_path);
  }
  t.key("updated_at").string(format_rfc3339(j.updated_at));
  t.end_object();
  return t.take();
}

nlohmann::json backup_job_json(const store::BackupJob& j) {
  auto paths = nlohmann::json::parse(j.paths_json, nullptr, false);
  return {{"id", j.id},
          {"kind", "backup"},
          {"agent_id", j.agent_id},
          {"paths", paths.is_array() ? paths : nlohmann::json::array()},
          {"status", j.status},
          {"snapshot_id", j.snapshot_id ? nlohmann::json(*j.snapshot_id) : nlohmann::json(nullptr)},
          {"created_at", format_rfc3339(j.created_at)},
          {"updated_at", format_rfc3339(j.updated_at)}};
}

nlohmann::json backup_job_json(const core::BackupJobView& v) {
  nlohmann::json j = backup_job_json(v.job);
  nlohmann::json logs = nlohmann::json::array();
  for (const auto& e : v.logs) logs.push_back(job_event_json(e));
  j["logs"] = std::move(logs);
  return j;
}

nlohmann::json job_event_json(const store::JobEvent& e) {
  return {{"timestamp", format_rfc3339(e.timestamp)},
          {"agent_id", e.agent_id},
          {"event_type", e.event_type},
          {"message", e.message},
          {"metadata", object_or_empty(e.metadata_json)}};
}

nlohmann::json command_json(const store::Command& c) {
  return {{"id", c.id},
          {"command_type", c.command_type},
          {"payload", object_or_empty(c.payload_json)},
          {"job_id", c.job_id},
          {"delivery", c.delivery_count},
          {"lease_expires_at", time_or_null(c.lease_expires_at)}};
}

nlohmann::json agent_json(const core::AgentView& a) {
  return {{"id", a.agent.id},
          {"status", a.online ? "online" : "offline"},
          {"last_seen", format_rfc3339(a.agent.last_seen)},
          {"first_seen", format_rfc3339(a.agent.first_seen)},
          {"snapshot_count", a.agent.snapshot_count},
          {"last_snapshot_at", time_or_null(a.agent.last_snapshot_at)},
          {"last_proven_restorable_at", time_or_null(a.agent.last_proven_restorable_at)}};
}

nlohmann::json schedule_json(const store::Schedule& s) {
  return {{"id", s.id},
          {"agent_id", s.agent_id},
          {"kind", s.kind},
          {"cron", value_or_null(s.cron)},
          {"interval_seconds", value_or_null(s.interval_seconds)},
          {"paths", json_or_null(s.paths_json)},
          {"retention", json_or_null(s.retention_json)},
          {"target_agent_id", value_or_null(s.target_agent_id)},
          {"enabled", s.enabled},
          {"next_run_at", format_rfc3339(s.next_run_at)},
          {"last_run_at", time_or_null(s.last_run_at)},
          {"last_job_id", value_or_null(s.last_job_id)},
          {"last_status", value_or_null(s.last_status)},
          {"last_error", value_or_null(s.last_error)},
          {"created_at", format_rfc3339(s.created_at)},
          {"updated_at", format_rfc3339(s.updated_at)}};
}

}  // namespace ff::api
