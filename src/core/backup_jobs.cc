// Backup jobs: an operator asks an agent to back up now; the agent's events
// move the job along and its completion names the snapshot it produced.
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "core/job_rules.h"
#include "core/pending_command.h"
#include "core/service.h"

namespace ff::core {

Result<nlohmann::json> backup_paths_json(const std::vector<std::string>& paths) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : paths) {
    if (p.empty() || p.size() > 4096 || p.find('\0') != std::string::npos) {
      return ValidationError("paths: each must be a non-empty path under 4096 bytes");
    }
    out.push_back(p);
  }
  // What is stored (the job row, the command, the WAL record) is the escaped form.
  if (out.dump().size() > kMaxPathsJsonBytes) {
    return ValidationError("paths: at most " + std::to_string(kMaxPathsJsonBytes / 1024) +
                           " KiB of JSON once escaped");
  }
  return out;
}

Result<BackupJobView> Service::create_backup_job(const auth::Claims& caller,
                                                 const NewBackupJob& req) {
  if (!auth::grants(caller.role, auth::Role::kOperator)) {
    return PermissionDenied("only operators and admins may create backup jobs");
  }
  FF_TRY(validate_id("agent_id", req.agent_id));
  FF_ASSIGN_OR_RETURN(nlohmann::json paths, backup_paths_json(req.paths));
  FF_TRY(require_known_agent(req.agent_id));
  SystemTime now = env_.clock->now();
  store::BackupJob job{
      env_.random->unique_id("bj-"), req.agent_id, paths.dump(), kPending, std::nullopt, now, now};
  nlohmann::json payload = {{"job_id", job.id}};
  if (!req.paths.empty()) payload["paths"] = paths;
  store::Command cmd = pending_command(env_.random->unique_id("cmd-"), req.agent_id, job.id,
                                       "backup", payload.dump(), now);
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record,
                      prepare_audit(audit::backup_job_created(job, cmd)));
  FF_TRY(store_.create_backup_job(job, cmd));
  FF_TRY(commit_audit(record));
  notifier_.notify(job.agent_id);
  return BackupJobView{std::move(job), {}};
}

Result<BackupJobView> Service::get_backup_job(const auth::Claims& caller, const std::string& id) {
  FF_TRY(validate_id("job_id", id));
  FF_ASSIGN_OR_RETURN(store::BackupJob job, store_.get_backup_job(id));
  if (!caller.may_act_for(job.agent_id)) return PermissionDenied("job belongs to another agent");
  FF_ASSIGN_OR_RETURN(auto logs, store_.list_job_events(id));
  return BackupJobView{std::move(job), std::move(logs)};
}

Result<store::Listing<store::BackupJob>> Service::list_backup_jobs(const auth::Claims& caller,
                                                                   store::BackupJobFilter filter,
                                                                   const store::Page& page) {
  if (caller.is_agent()) {
    if (filter.agent_id && *filter.agent_id != caller.subject) {
      return PermissionDenied("token may not list another agent's jobs");
    }
    filter.agent_id = caller.subject;
  }
  return store_.list_backup_jobs(filter, page);
}

}  // namespace ff::core
