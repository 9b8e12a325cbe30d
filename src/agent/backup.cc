#include "agent/backup.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <ctime>

#include "agent/archive_writer.h"
#include "agent/backup_report.h"
#include "agent/progress.h"
#include "common/hex.h"

namespace ff::agent {

std::string make_snapshot_id(const std::string& agent_id, SystemTime now, sys::Random& random) {
  std::time_t t = static_cast<std::time_t>(to_unix_seconds(now));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return agent_id.substr(0, 80) + "-" + stamp + "-" + to_hex(random.bytes(4));
}

Result<std::string> run_backup(TaskContext& ctx, const BackupRequest& req) {
  const std::string snapshot_id = make_snapshot_id(ctx.api.agent_id(), ctx.clock.now(), ctx.random);
  BackupReport report(ctx, req.job_id);
  auto post = [&](const char* type, std::string message, nlohmann::json meta, bool durable,
                  const std::string& snap) {
    return report.post(type, std::move(message), std::move(meta), durable, snap);
  };
  auto go = report.start({{"source_path", ctx.config.backup_dir}});
  if (!go.ok()) return go.status();
  if (!*go) return std::string();
  std::string spool = ctx.config.spool_dir + "/backup-" + snapshot_id + ".tar.zst";
  auto fail = [&](Status s) -> Status {
    ::unlink(spool.c_str());
    return report.fail(std::move(s));
  };

  ProgressThrottle throttle(ctx.clock, std::chrono::seconds(1));
  ArchiveOptions opts;
  opts.zstd_level = ctx.config.zstd_level;
  opts.zstd_threads = ctx.config.zstd_threads;
  opts.paths = req.paths;
  opts.cancelled = [&] { return ctx.should_stop(); };
  opts.progress = [&](uint64_t bytes) {
    if (!report.has_job() || !throttle.due()) return;
    post("backup_in_progress", "archiving",
         {{"phase", "archive"}, {"bytes_done", bytes}, {"bytes_total", 0}}, false, "")
        .ignore_error();
  };
  auto archive = write_archive(ctx.config.backup_dir, spool, opts);
  if (!archive.ok()) return fail(archive.status().with_context("archive"));
  if (ctx.job_cancelled) return fail(Conflict("the job was cancelled"));

  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : archive->warnings) warnings.push_back(w);
  nlohmann::json meta = {{"file_count", archive->file_count},
                         {"byte_count", archive->byte_count},
                         {"dir_count", archive->dir_count},
                         {"symlink_count", archive->symlink_count},
                         {"hardlink_count", archive->hardlink_count},
                         {"compression", "zstd"},
                         {"format", "pax"},
                         {"source_path", ctx.config.backup_dir},
                         {"warnings", warnings},
                         {"agent_version", FF_VERSION}};
  if (archive->warnings_dropped > 0) meta["warnings_dropped"] = archive->warnings_dropped;
  if (!req.paths.empty()) meta["paths"] = req.paths;
  if (!req.job_id.empty()) meta["job_id"] = req.job_id;

  auto ticket = ctx.api.create_snapshot(snapshot_id, archive->sha256, archive->size, meta);
  if (!ticket.ok()) return fail(ticket.status().with_context("register snapshot"));
  Status up = ctx.api.upload_snapshot(*ticket, spool, [&](uint64_t done, uint64_t total) {
    if (!report.has_job() || !throttle.due()) return;
    post("backup_in_progress", "uploading",
         {{"phase", "upload"}, {"bytes_done", done}, {"bytes_total", total}}, false, snapshot_id)
        .ignore_error();
  });
  if (!up.ok()) return fail(up.with_context("upload"));
  spdlog::info("backup {}: {} files, {} bytes -> {} bytes", snapshot_id, archive->file_count,
               archive->byte_count, archive->size);
  Status done = post("backup_completed", "snapshot " + snapshot_id + " uploaded",
                     {{"snapshot_id", snapshot_id},
                      {"size", archive->size},
                      {"checksum", archive->sha256},
                      {"file_count", archive->file_count},
                      {"byte_count", archive->byte_count},
                      {"warnings", warnings},
                      {"warning_count", warnings.size() + archive->warnings_dropped}},
                     true, snapshot_id);
  // Freeing hundreds of MiB takes a noticeable moment: after the report.
  ::unlink(spool.c_str());
  if (!done.ok())
    spdlog::warn("backup {}: completion event not delivered: {}", snapshot_id, done.to_string());
  return snapshot_id;
}

}  // namespace ff::agent
