// BackupReport: the events one backup posts, whatever its format (tar or
// repository): backup_started, backup_in_progress, backup_completed and
// backup_failed, all carrying the job id when there is a job.
//
// Thread-safety: as TaskContext (the agent's main loop); progress posts may
// come from a transfer's callback on that thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/task_context.h"
#include "common/status.h"

namespace ff::agent {

class BackupReport {
 public:
  // `ctx` must outlive the report.
  BackupReport(TaskContext& ctx, std::string job_id) : ctx_(ctx), job_id_(std::move(job_id)) {}

  // Whether the backup has a job to report progress to.
  bool has_job() const { return !job_id_.empty(); }

  Status post(const char* type, std::string message, nlohmann::json meta, bool durable,
              const std::string& snapshot_id = "");

  // Posts backup_started with `meta` and creates the spool directory. Ok(true):
  // go on; Ok(false): the job is already finished, skip it; an error: the
  // start could not be reported (already logged), or the spool directory
  // could not be made (already reported as backup_failed).
  Result<bool> start(nlohmann::json meta);

  // Logs `s` and posts backup_failed, unless a backup without a job was
  // abandoned on shutdown; returns `s`.
  Status fail(Status s);

 private:
  TaskContext& ctx_;
  std::string job_id_;
};

}  // namespace ff::agent
