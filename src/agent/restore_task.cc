// run_restore (restore.h): one restore or drill command end to end, from its
// start event through the download or pack fetch, install and proof to its
// final event.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "agent/drill.h"
#include "agent/progress.h"
#include "agent/repo_restore.h"
#include "agent/restore.h"
#include "common/hex.h"
#include "common/ids.h"

namespace ff::agent {

namespace fs = std::filesystem;

namespace {

// Downloads the snapshot to `path`, hashing as it goes; resumes after a
// broken transfer. Returns the SHA-256 and size of what was received.
struct Downloaded {
  std::string sha256;
  uint64_t size = 0;
};

Result<Downloaded> download(TaskContext& ctx, const RestoreRequest& req, uint64_t expected_size,
                            const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create spool file: " + std::string(std::strerror(errno)));
  auto hash = std::make_unique<Sha256>();
  uint64_t got = 0;
  TaskWaiter waiter(ctx);
  Retrier retrier(ctx.api.retrier().policy(), ctx.clock, ctx.random, waiter);
  Status s = retrier.run("download snapshot", [&]() -> Attempt {
    client::DownloadRequest d;
    d.offset = got;
    d.write = [&](std::string_view chunk) -> Status {
      if (ctx.job_cancelled) return Conflict("the job was cancelled");
      const char* p = chunk.data();
      size_t left = chunk.size();
      while (left > 0) {
        ssize_t w = ::write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return Internal("spool write failed: " + std::string(std::strerror(errno)));
        p += w;
        left -= static_cast<size_t>(w);
      }
      hash->update(chunk);
      got += chunk.size();
      return OkStatus();
    };
    d.progress = [&](uint64_t, uint64_t) {
      if (!ctx.progress.due()) return;
      Event e{req.job_id,
              req.snapshot_id,
              restore_event_type(req.mode, "in_progress"),
              "downloading",
              {{"phase", "download"}, {"bytes_done", got}, {"bytes_total", expected_size}}};
      ctx.post_event(e, /*durable=*/false).ignore_error();
    };
    auto r = ctx.api.download_snapshot(req.snapshot_id, d);
    if (!r.ok() && r.status().code() == Code::kConflict && got > 0) {
      // The server would not resume: start over.
      ::ftruncate(fd, 0);
      ::lseek(fd, 0, SEEK_SET);
      hash = std::make_unique<Sha256>();
      got = 0;
      return {Unavailable("download restarted from the beginning"), std::nullopt};
    }
    return {r.status(), ctx.api.last_retry_after()};
  });
  // No fsync: the spool is read back at once and checked against the
  // snapshot's SHA-256 before anything is extracted; a restart truncates it.
  ::close(fd);
  FF_TRY(s);
  return Downloaded{hash->finish_hex(), got};
}

}  // namespace

void apply_restore_limits(const SnapshotInfo& info, const AgentConfig& config,
                          ExtractOptions& opts) {
  opts.max_bytes = config.max_restore_bytes;
  opts.max_bytes_why = "AGENT_MAX_RESTORE_BYTES";
  opts.max_bytes_declared = false;
  if (info.declared_bytes && *info.declared_bytes <= opts.max_bytes) {
    opts.max_bytes = *info.declared_bytes;
    opts.max_bytes_why = "the byte_count the snapshot declared";
    opts.max_bytes_declared = true;
  }
  opts.max_entries = config.max_restore_entries;
  opts.max_entries_why = "AGENT_MAX_RESTORE_ENTRIES";
  if (info.declared_entries && *info.declared_entries <= opts.max_entries) {
    opts.max_entries = *info.declared_entries;
    opts.max_entries_why = "the entry count the snapshot declared";
  }
}

Status run_restore(TaskContext& ctx, const RestoreRequest& req) {
  const bool drill = req.mode == RestoreMode::kDrill;
  const char* kind = drill ? "drill" : "restore";
  auto post = [&](std::string_view what, std::string message, nlohmann::json meta, bool durable) {
    Event e{req.job_id, req.snapshot_id, restore_event_type(req.mode, what), std::move(message),
            std::move(meta)};
    return ctx.post_event(e, durable);
  };
  auto t0 = ctx.clock.monotonic_now();
  nlohmann::json start_meta = drill ? nlohmann::json{{"drill_dir", ctx.config.drill_dir}}
                                    : nlohmann::json{{"target_path", req.target_path}};
  Status started =
      post("started", std::string(kind) + " of snapshot " + req.snapshot_id + " started",
           std::move(start_meta), true);
  if (started.code() == Code::kConflict) {
    spdlog::info("{} job {} is already {}; skipping", kind, req.job_id,
                 ctx.api.refused_job_status().empty() ? "finished" : ctx.api.refused_job_status());
    return OkStatus();
  }
  if (!started.ok()) {
    spdlog::error("{} job {}: cannot report its start: {}", kind, req.job_id, started.to_string());
    return started;
  }
  std::string spool = ctx.config.spool_dir + "/restore-" + req.job_id + ".tar";
  std::optional<DrillScratch> scratch;  // drills: everything they write is in there
  DrillReport proof;                    // drills: what the proof found
  auto fail = [&](Status s) {
    ::unlink(spool.c_str());
    bool removed = !scratch || scratch->remove();
    if (ctx.job_cancelled) {
      // Nothing to report (the job takes no more events) and nothing to retry.
      spdlog::info("{} job {} stopped after its cancel; nothing was left behind", kind, req.job_id);
      return OkStatus();
    }
    if (ctx.stop.stop_requested()) {
      spdlog::warn("{} job {} abandoned on shutdown; the orchestrator will redeliver it", kind,
                   req.job_id);
      return s;
    }
    spdlog::error("{} job {} failed: {}", kind, req.job_id, s.to_string());
    nlohmann::json meta = {{"code", code_name(s.code())}};
    if (drill) meta.update(drill_failed_metadata(proof, s, removed));
    post("failed", s.message(), std::move(meta), true).ignore_error();
    return s;
  };
  if (Status v = validate_id("snapshot_id", req.snapshot_id); !v.ok()) return fail(v);
  Result<RestoreTarget> target = Internal("no target");
  if (drill) {
    auto made = DrillScratch::create(ctx.config.drill_dir, req.job_id);
    if (!made.ok()) return fail(made.status().with_context("drill scratch directory"));
    scratch.emplace(std::move(made).value());
    target = scratch->target();
    // A drill writes nothing outside its scratch directory, the archive included.
    spool = scratch->path() + "/snapshot.tar";
  } else {
    target = resolve_restore_target(ctx.config.restore_dir, ctx.config.restore_roots,
                                    req.snapshot_id, req.target_path);
    // The drill directory is the drills' alone: a drill's sweep or scratch
    // must never meet a real restore.
    if (target.ok() && (target->path() + "/").rfind(ctx.config.drill_dir + "/", 0) == 0) {
      target =
          PermissionDenied("target_path '" + req.target_path +
                           "' is refused: it is inside AGENT_DRILL_DIR, which only drills use");
    }
  }
  if (!target.ok()) return fail(target.status());
  auto info = ctx.api.get_snapshot(req.snapshot_id);
  if (!info.ok()) return fail(info.status().with_context("snapshot " + req.snapshot_id));
  if (!info->status.empty() && info->status != "available") {
    return fail(
        Conflict("snapshot " + req.snapshot_id + " is " + info->status + ", not available"));
  }
  auto completed = [&](const ExtractResult& result, uint64_t transferred) {
    if (drill) {
      if (!scratch->remove()) {
        return fail(Internal("the drill's scratch directory could not be removed"));
      }
      auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(ctx.clock.monotonic_now() - t0);
      spdlog::info("drill job {}: {} of {} files verified, {} bytes", req.job_id,
                   proof.files_verified, proof.files_checked, proof.bytes_verified);
      return post("completed",
                  "snapshot " + req.snapshot_id +
                      " restored and proven: " + std::to_string(proof.files_verified) + " of " +
                      std::to_string(proof.files_checked) + " files verified",
                  drill_completed_metadata(proof, info->format, ms.count()), true);
    }
    nlohmann::json warnings = nlohmann::json::array();
    for (size_t i = 0; i < result.warnings.size() && i < 20; ++i)
      warnings.push_back(result.warnings[i]);
    spdlog::info("restore job {}: {} files, {} bytes into {}", req.job_id, result.file_count,
                 result.byte_count, target->path());
    return post("completed",
                "restored " + std::to_string(result.file_count) + " files to " + target->path(),
                {{"path", target->path()},
                 {"file_count", result.file_count},
                 {"dir_count", result.dir_count},
                 {"symlink_count", result.symlink_count},
                 {"hardlink_count", result.hardlink_count},
                 {"byte_count", result.byte_count},
                 {"bytes_done", transferred},
                 {"bytes_total", transferred},
                 {"warnings", warnings},
                 {"warning_count", result.warnings.size()}},
                true);
  };
  ProveOptions prove;
  prove.cancelled = [&] { return ctx.should_stop(); };
  prove.devices_optional = ::geteuid() != 0;
  prove.progress = [&](uint64_t done, uint64_t total) {
    if (!ctx.progress.due()) return;
    post("in_progress", "verifying",
         {{"phase", "verify"}, {"bytes_done", done}, {"bytes_total", total}}, false)
        .ignore_error();
  };
  if (info->format == "repository-v1") {
    auto result = run_repo_restore(ctx, req, *info, *target, drill ? &prove : nullptr,
                                   drill ? &proof : nullptr);
    if (!result.ok()) return fail(result.status());
    return completed(result->extract, result->bytes_downloaded);
  }
  std::error_code ec;
  if (!drill) fs::create_directories(ctx.config.spool_dir, ec);
  if (ec) return fail(Internal("cannot create the spool directory: " + ec.message()));

  auto got = download(ctx, req, info->size, spool);
  if (!got.ok()) return fail(got.status().with_context("download"));
  if (got->size != info->size) {
    return fail(IntegrityError("size mismatch: expected " + std::to_string(info->size) +
                               " bytes, got " + std::to_string(got->size) +
                               "; nothing was extracted"));
  }
  ExtractOptions opts;
  opts.cancelled = [&] { return ctx.should_stop(); };
  opts.restore_owner = ::geteuid() == 0;
  opts.keep_setid = ctx.config.keep_setid;
  apply_restore_limits(*info, ctx.config, opts);
  opts.progress = [&](uint64_t done, uint64_t total) {
    if (!ctx.progress.due()) return;
    post("in_progress", "extracting",
         {{"phase", "extract"}, {"bytes_done", done}, {"bytes_total", total}}, false)
        .ignore_error();
  };
  CheckTree check;
  if (drill) {
    check = [&](int dir_fd, const ExtractResult&) {
      proof.bytes_verified = got->size;  // the archive, checked before extraction
      return count_restored_tree(dir_fd, prove, proof);
    };
  }
  auto result = install_snapshot(spool, got->sha256, info->checksum, *target, req.job_id,
                                 req.snapshot_id, std::move(opts), check);
  ::unlink(spool.c_str());
  if (!result.ok()) return fail(result.status());
  return completed(*result, got->size);
}

}  // namespace ff::agent
