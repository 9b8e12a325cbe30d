#include "core/audit.h"

#include "core/job_rules.h"

#include "common/time.h"

namespace ff::core::audit {

namespace {
nlohmann::json parse_object(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}
nlohmann::json parse_array(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_array() ? j : nlohmann::json::array();
}
}  // namespace

Entry token_minted(const std::string& role, const std::optional<std::string>& agent_id,
                   const std::string& token_id, int64_t expires_at, const std::string& key_id) {
  nlohmann::json f = {{"role", role},
                      {"jti", token_id},
                      {"expires_at", format_rfc3339(from_unix_seconds(expires_at))}};
  if (agent_id) f["agent_id"] = *agent_id;
  if (!key_id.empty()) f["key_id"] = key_id;
  return {"token_minted", std::move(f)};
}

Entry api_key_created(const store::ApiKey& key) {
  return {"api_key_created", {{"key_id", key.id}, {"name", key.name}, {"role", key.role}}};
}

Entry api_key_revoked(const std::string& key_id) {
  return {"api_key_revoked", {{"key_id", key_id}}};
}

Entry agent_enrollment_created(const std::string& agent_id, SystemTime expires_at) {
  return {"agent_enrollment_created",
          {{"agent_id", agent_id}, {"expires_at", format_rfc3339(expires_at)}}};
}

Entry agent_enrolled(const std::string& agent_id) {
  return {"agent_enrolled", {{"agent_id", agent_id}}};
}

Entry agent_revoked(const std::string& agent_id) {
  return {"agent_revoked", {{"agent_id", agent_id}}};
}

Entry agent_registered(const std::string& agent_id) {
  return {"agent_registered", {{"agent_id", agent_id}}};
}

Entry snapshot_created(const store::Snapshot& s) {
  return {"snapshot_created",
          {{"snapshot_id", s.id},
           {"agent_id", s.agent_id},
           {"checksum", s.checksum},
           {"size", s.size},
           {"format", s.format},
           {"encrypted", s.encrypted},
           {"metadata", parse_object(s.metadata_json)}}};
}

namespace {
// The fields every object record starts with.
nlohmann::json object_fields(const StoredObject& o) {
  return {{o.noun() + "_id", o.id}, {"agent_id", o.agent_id}};
}
}  // namespace

Entry object_uploaded(const StoredObject& o, const std::string& via) {
  nlohmann::json f = object_fields(o);
  f.update({{"checksum", o.checksum}, {"size", o.size}, {"via", via}, {"status", "available"}});
  return {o.noun() + "_uploaded", std::move(f)};
}

Entry object_verified(const StoredObject& o) {
  nlohmann::json f = object_fields(o);
  f.update({{"checksum", o.checksum}, {"size", o.size}, {"status", "available"}});
  return {o.noun() + "_verified", std::move(f)};
}

Entry object_corrupt(const StoredObject& o, const std::string& actual_checksum,
                     int64_t actual_size) {
  nlohmann::json f = object_fields(o);
  f.update({{"expected_checksum", o.checksum},
            {"actual_checksum",
             actual_checksum.empty() ? nlohmann::json(nullptr) : nlohmann::json(actual_checksum)},
            {"expected_size", o.size},
            {"actual_size", actual_size},
            {"status", "corrupt"}});
  return {o.noun() + "_corrupt", std::move(f)};
}

Entry gc_completed(int64_t packs_deleted, int64_t bytes_freed, int64_t kept_held,
                   int64_t kept_young) {
  return {"gc_completed",
          {{"packs_deleted", packs_deleted},
           {"bytes_freed", bytes_freed},
           {"packs_kept_held", kept_held},
           {"packs_kept_young", kept_young}}};
}

Entry snapshot_deleted(const store::Snapshot& s, const RetentionDeletion* retention) {
  nlohmann::json f = {{"snapshot_id", s.id}, {"agent_id", s.agent_id}};
  if (retention) {
    f["reason"] = "retention";
    f["policy"] = retention_json(retention->policy);
    f["applied_by"] = retention->applied_by;
  }
  return {"snapshot_deleted", std::move(f)};
}

Entry snapshot_job_created(const store::RestoreJob& job, const store::Command* command) {
  nlohmann::json f = {{"job_id", job.id}, {"kind", job.kind}, {"status", job.status}};
  if (!job.snapshot_id.empty()) f["snapshot_id"] = job.snapshot_id;
  if (!job.target_agent_id.empty()) {
    f["agent_id"] = job.target_agent_id;
    f["target_agent_id"] = job.target_agent_id;  // the seed's name
  }
  if (command) f["command_id"] = command->id;
  if (!job.target_path.empty()) f["target_path"] = job.target_path;
  auto params = nlohmann::json::parse(job.params_json, nullptr, false);
  if (params.is_object() && !params.empty()) f["params"] = std::move(params);
  const char* name = job.kind == "drill"    ? "drill_created"
                     : job.kind == "verify" ? "verify_job_created"
                                            : "restore_job_created";
  return {name, std::move(f)};
}

Entry snapshot_verified(const store::Snapshot& s, const std::string& job_id, bool read_data,
                        int64_t objects, int64_t bytes_read) {
  return {"snapshot_verified",
          {{"snapshot_id", s.id},
           {"agent_id", s.agent_id},
           {"job_id", job_id},
           {"read_data", read_data},
           {"objects", objects},
           {"bytes_read", bytes_read},
           {"status", s.status}}};
}

Entry snapshot_corrupt_pack(const store::Snapshot& s, const std::string& pack_id,
                            const std::string& problem, const std::string& job_id) {
  return {"snapshot_corrupt",
          {{"snapshot_id", s.id},
           {"agent_id", s.agent_id},
           {"pack_id", pack_id},
           {"problem", problem},
           {"job_id", job_id},
           {"status", "corrupt"}}};
}

Entry snapshot_proven_restorable(const store::RestoreJob& drill, const std::string& owner_agent_id,
                                 SystemTime at) {
  return {"snapshot_proven_restorable",
          {{"snapshot_id", drill.snapshot_id},
           {"agent_id", owner_agent_id},
           {"job_id", drill.id},
           {"target_agent_id", drill.target_agent_id},
           {"proven_restorable_at", format_rfc3339(at)}}};
}

Entry backup_job_created(const store::BackupJob& job, const store::Command& command) {
  return {"backup_job_created",
          {{"job_id", job.id},
           {"kind", "backup"},
           {"agent_id", job.agent_id},
           {"command_id", command.id},
           {"paths", parse_array(job.paths_json)},
           {"status", job.status}}};
}

Entry command_dispatched(const store::Command& c) {
  return {c.delivery_count > 1 ? "command_redelivered" : "command_dispatched",
          {{"command_id", c.id},
           {"agent_id", c.agent_id},
           {"job_id", c.job_id},
           {"command_type", c.command_type},
           {"delivery", c.delivery_count}}};
}

Entry agent_event(const std::string& agent_id, const std::optional<std::string>& job_id,
                  const std::optional<std::string>& snapshot_id, const std::string& event_type,
                  const std::string& message, const nlohmann::json& metadata) {
  nlohmann::json f = {{"agent_id", agent_id},
                      {"event_type", event_type},
                      {"message", message},
                      {"metadata", metadata}};
  if (job_id) f["job_id"] = *job_id;
  if (snapshot_id) f["snapshot_id"] = *snapshot_id;
  return {"agent_event", std::move(f)};
}

Entry job_cancelled(const store::CancelledJob& job, const std::string& agent_notified) {
  return {"job_cancelled",
          {{"kind", job_kind_name(job.kind)},
           {"job_id", job.id},
           {"agent_id", job.agent_id},
           {"from", job.previous_status},
           {"status", job.status},
           {"agent_notified", agent_notified}}};
}

Entry webhook_created(const store::Webhook& w) {
  return {"webhook_created", {{"webhook_id", w.id}, {"events", w.events}}};
}

namespace {

nlohmann::json schedule_fields(const store::Schedule& s) {
  nlohmann::json f = {{"schedule_id", s.id},
                      {"agent_id", s.agent_id},
                      {"kind", s.kind},
                      {"enabled", s.enabled},
                      {"next_run_at", format_rfc3339(s.next_run_at)}};
  if (s.cron) f["cron"] = *s.cron;
  if (s.interval_seconds) f["interval_seconds"] = *s.interval_seconds;
  if (s.target_agent_id) f["target_agent_id"] = *s.target_agent_id;
  return f;
}

nlohmann::json occurrence_fields(const store::Schedule& s, SystemTime scheduled_for) {
  return {{"schedule_id", s.id},
          {"agent_id", s.agent_id},
          {"kind", s.kind},
          {"scheduled_for", format_rfc3339(scheduled_for)}};
}

}  // namespace

Entry schedule_created(const store::Schedule& s) {
  return {"schedule_created", schedule_fields(s)};
}

Entry schedule_updated(const store::Schedule& s) {
  return {"schedule_updated", schedule_fields(s)};
}

Entry schedule_deleted(const store::Schedule& s) {
  return {"schedule_deleted", {{"schedule_id", s.id}, {"agent_id", s.agent_id}}};
}

Entry schedule_run(const store::Schedule& s, SystemTime scheduled_for, const std::string& status,
                   const std::optional<std::string>& job_id,
                   const std::optional<std::string>& error) {
  nlohmann::json f = occurrence_fields(s, scheduled_for);
  f["status"] = status;
  if (job_id) f["job_id"] = *job_id;
  if (error) f["error"] = *error;
  return {"schedule_run", std::move(f)};
}

Entry schedule_missed(const store::Schedule& s, SystemTime scheduled_for,
                      const std::string& reason) {
  nlohmann::json f = occurrence_fields(s, scheduled_for);
  f["reason"] = reason;
  return {"schedule_missed", std::move(f)};
}

Entry webhook_deleted(const std::string& webhook_id) {
  return {"webhook_deleted", {{"webhook_id", webhook_id}}};
}

Entry job_status_changed(const std::string& kind, const std::string& job_id,
                         const std::string& agent_id, const std::string& from,
                         const std::string& to) {
  return {
      "job_status_changed",
      {{"kind", kind}, {"job_id", job_id}, {"agent_id", agent_id}, {"from", from}, {"status", to}}};
}

}  // namespace ff::core::audit
