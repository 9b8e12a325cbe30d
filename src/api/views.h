// JSON shapes of the wire contract (CONTRACT.md), built from store rows.
#pragma once

#include <nlohmann/json.hpp>

#include "core/service.h"
#include "store/store.h"

namespace ff::api {

nlohmann::json snapshot_json(const store::Snapshot& s);
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

}  // namespace ff::api
