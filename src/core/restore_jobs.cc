// Jobs about a snapshot that an agent restores: restores (to a target path)
// and drills (to scratch, every file proven). One creation path queues the
// job and its command in the same transaction; the kinds differ only in the
// command type and where the agent puts the tree.
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "core/job_rules.h"
#include "core/pending_command.h"
#include "core/service.h"

namespace ff::core {

namespace {

// The command payload telling an agent how to fetch and check the snapshot.
nlohmann::json restore_payload(const store::Snapshot& snap, const store::RestoreJob& job) {
  nlohmann::json payload = {{"snapshot_id", snap.id},
                            {"job_id", job.id},
                            {"checksum", snap.checksum},
                            {"size", snap.size}};
  if (!job.target_path.empty()) payload["target_path"] = job.target_path;
  // Additive: agents that know the repository format restore from packs
  // (root tree, namespace); older agents ignore these fields.
  payload["format"] = snap.format;
  if (snap.format == kFormatRepository) {
    payload["root"] = snap.root.value_or("");
    payload["encrypted"] = snap.encrypted;
    if (snap.encrypted) payload["repository_id"] = snap.repository.value_or("");
  }
  if (job.kind == job_kind_name(store::JobKind::kDrill)) payload["drill"] = true;
  return payload;
}

}  // namespace

Result<store::Snapshot> Service::restorable_snapshot(const std::string& snapshot_id) {
  FF_ASSIGN_OR_RETURN(store::Snapshot snap, store_.get_snapshot(snapshot_id));
  // A presigned upload may have landed since: decide before queueing work.
  if (snap.status == kSnapshotPending) {
    FF_ASSIGN_OR_RETURN(snap, verify_pending(snap));
  }
  if (snap.status == kSnapshotCorrupt) {
    return Conflict("snapshot " + snap.id + " is corrupt and cannot be restored");
  }
  return snap;
}

Result<RestoreJobView> Service::queue_restore(store::JobKind kind, const store::Snapshot& snap,
                                              const std::string& target_agent_id,
                                              const std::string& target_path,
                                              const nlohmann::json& params) {
  SystemTime now = env_.clock->now();
  const char* prefix = kind == store::JobKind::kDrill ? "dr-" : "rj-";
  store::RestoreJob job{env_.random->unique_id(prefix),
                        snap.id,
                        target_agent_id,
                        target_path,
                        kPending,
                        now,
                        now,
                        job_kind_name(kind),
                        params.dump()};
  store::Command cmd = pending_command(env_.random->unique_id("cmd-"), target_agent_id, job.id,
                                       job.kind, restore_payload(snap, job).dump(), now);
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record,
                      prepare_audit(audit::snapshot_job_created(job, &cmd)));
  FF_TRY(store_.create_restore_job(job, cmd));
  FF_TRY(commit_audit(record));
  notifier_.notify(job.target_agent_id);
  return RestoreJobView{std::move(job), {}};
}

Result<RestoreJobView> Service::create_restore_job(const auth::Claims& caller,
                                                   const NewRestoreJob& req) {
  if (!auth::grants(caller.role, auth::Role::kOperator)) {
    return PermissionDenied("only operators and admins may create restore jobs");
  }
  FF_TRY(validate_id("snapshot_id", req.snapshot_id));
  FF_TRY(validate_id("target_agent_id", req.target_agent_id));
  FF_TRY(require_known_agent(req.target_agent_id));
  FF_ASSIGN_OR_RETURN(store::Snapshot snap, restorable_snapshot(req.snapshot_id));
  return queue_restore(store::JobKind::kRestore, snap, req.target_agent_id, req.target_path,
                       nlohmann::json::object());
}

Result<RestoreJobView> Service::get_restore_job(const auth::Claims& caller, const std::string& id) {
  return get_job(caller, store::JobKind::kRestore, id);
}

Result<store::Listing<store::RestoreJob>> Service::list_restore_jobs(const auth::Claims& caller,
                                                                     store::RestoreJobFilter filter,
                                                                     const store::Page& page) {
  return list_jobs(caller, store::JobKind::kRestore, std::move(filter), page);
}

Result<RestoreJobView> Service::get_job(const auth::Claims& caller, store::JobKind kind,
                                        const std::string& id) {
  FF_TRY(validate_id("job_id", id));
  FF_ASSIGN_OR_RETURN(auto found, store_.get_restore_job_with_events(id));
  // Each kind has its own collection: another kind's id is not found there.
  if (found.first.kind != job_kind_name(kind)) {
    return NotFound(std::string(job_kind_name(kind)) + " job " + id + " not found");
  }
  if (!caller.may_act_for(found.first.target_agent_id)) {
    return PermissionDenied("job does not target this agent");
  }
  return RestoreJobView{std::move(found.first), std::move(found.second)};
}

Result<store::Listing<store::RestoreJob>> Service::list_jobs(const auth::Claims& caller,
                                                             store::JobKind kind,
                                                             store::RestoreJobFilter filter,
                                                             const store::Page& page) {
  filter.kind = job_kind_name(kind);
  if (caller.is_agent()) {
    if (filter.target_agent_id && *filter.target_agent_id != caller.subject) {
      return PermissionDenied("token may not list another agent's jobs");
    }
    filter.target_agent_id = caller.subject;
  }
  return store_.list_restore_jobs(filter, page);
}

}  // namespace ff::core
