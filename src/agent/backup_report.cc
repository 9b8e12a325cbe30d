#include "agent/backup_report.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace ff::agent {

Status BackupReport::post(const char* type, std::string message, nlohmann::json meta, bool durable,
                          const std::string& snapshot_id) {
  Event e{job_id_, snapshot_id, type, std::move(message), std::move(meta)};
  return ctx_.post_event(e, durable);
}

Result<bool> BackupReport::start(nlohmann::json meta) {
  Status started = post("backup_started", "backup of " + ctx_.config.backup_dir + " started",
                        std::move(meta), true);
  if (started.code() == Code::kConflict && has_job()) {
    spdlog::info(
        "backup job {} is already {}; skipping", job_id_,
        ctx_.api.refused_job_status().empty() ? "finished" : ctx_.api.refused_job_status());
    return false;
  }
  if (!started.ok()) {
    spdlog::error("backup: cannot report its start: {}", started.to_string());
    return started;
  }
  std::error_code ec;
  std::filesystem::create_directories(ctx_.config.spool_dir, ec);
  if (ec) return fail(Internal("cannot create the spool directory: " + ec.message()));
  return true;
}

Status BackupReport::fail(Status s) {
  if (ctx_.job_cancelled) {
    // Nothing to report (the job takes no more events) and nothing to retry.
    spdlog::info("backup job {} stopped after its cancel; nothing was uploaded", job_id_);
    return OkStatus();
  }
  if (ctx_.stop.stop_requested()) {
    spdlog::warn("backup abandoned on shutdown");
    if (!has_job()) return s;
  }
  spdlog::error("backup failed: {}", s.to_string());
  post("backup_failed", s.message(), {{"code", code_name(s.code())}}, true).ignore_error();
  return s;
}

}  // namespace ff::agent
