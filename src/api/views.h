// JSON shapes of the wire contract (docs/openapi.json), built from store rows.
#pragma once

#include <nlohmann/json.hpp>

#include "core/service.h"
#include "store/store.h"

namespace ff::api {

// Every snapshot shows its format; for a tar snapshot logical_size and
// file_count come from the agent's metadata (byte_count, file_count) when given.
nlohmann::json snapshot_json(const store::Snapshot& s);
nlohmann::json repo_session_json(const store::RepoSession& s);
// The collection path of a kind of job: "/restore-jobs", "/backup-jobs",
// "/drills", "/verify-jobs" (routes_job_cancel.cc).
std::string job_collection(store::JobKind kind);
nlohmann::json restore_job_json(const store::RestoreJob& j);
nlohmann::json restore_job_json(const core::RestoreJobView& v);  // with "logs"
// restore_job_json(v).dump(), written directly (GET /restore-jobs/{id} is
// what watchers poll).
std::string restore_job_text(const core::RestoreJobView& v);
nlohmann::json backup_job_json(const store::BackupJob& j);
nlohmann::json backup_job_json(const core::BackupJobView& v);  // with "logs"
nlohmann::json job_event_json(const store::JobEvent& e);
nlohmann::json command_json(const store::Command& c);
nlohmann::json agent_json(const core::AgentView& a);
// Times RFC 3339 UTC; fields not set are null (cron or interval_seconds, paths, ...).
nlohmann::json schedule_json(const store::Schedule& s);

}  // namespace ff::api
