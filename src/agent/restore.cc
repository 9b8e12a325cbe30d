#include "agent/restore.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "agent/paths.h"
#include "agent/progress.h"
#include "common/hex.h"
#include "common/ids.h"

namespace ff::agent {

namespace fs = std::filesystem;

namespace {

std::string marker_path(const std::string& final_path) {
  fs::path f(final_path);
  return (f.parent_path() / ("." + f.filename().string() + ".fortfail-restore")).string();
}

void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool is_empty_dir(const std::string& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::is_empty(p, ec) && !ec;
}

Status write_marker(const std::string& final_path, const std::string& job_id,
                    const std::string& snapshot_id) {
  std::string m = marker_path(final_path);
  std::string tmp = m + ".tmp";
  std::string body = "{\"job_id\":\"" + job_id + "\",\"snapshot_id\":\"" + snapshot_id + "\"}\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write restore marker: " + std::string(std::strerror(errno)));
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), m.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Internal("cannot write restore marker");
  }
  return OkStatus();
}

// Moves the extracted tree at `temp` to `final_path`, replacing what the
// caller decided may be replaced; afterwards `temp` holds the old tree (or nothing).
Status place(const std::string& temp, const std::string& final_path) {
  struct stat st {};
  if (::lstat(final_path.c_str(), &st) != 0) {
    if (::rename(temp.c_str(), final_path.c_str()) != 0) {
      return Internal("cannot move the restored tree into place: " +
                      std::string(std::strerror(errno)));
    }
    return OkStatus();
  }
  bool ours = ::access(marker_path(final_path).c_str(), F_OK) == 0;
  if (!S_ISDIR(st.st_mode) || (!ours && !is_empty_dir(final_path))) {
    return Conflict("restore target " + final_path +
                    " already exists and is not an earlier FortFail restore; not replaced");
  }
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_EXCHANGE) == 0) {
    return OkStatus();
  }
  // File systems without RENAME_EXCHANGE: a short window without the final name.
  std::string old = temp + ".old";
  if (::rename(final_path.c_str(), old.c_str()) != 0) {
    return Internal("cannot replace the earlier restore: " + std::string(std::strerror(errno)));
  }
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    int e = errno;
    ::rename(old.c_str(), final_path.c_str());
    return Internal("cannot move the restored tree into place: " + std::string(std::strerror(e)));
  }
  ::rename(old.c_str(), temp.c_str());
  return OkStatus();
}

}  // namespace

std::string restore_temp_path(const std::string& final_path, const std::string& job_id) {
  fs::path f(final_path);
  return (f.parent_path() / ("." + f.filename().string() + ".ff-partial-" + job_id)).string();
}

Result<std::string> resolve_restore_target(const std::string& restore_dir,
                                           const std::string& snapshot_id,
                                           const std::string& target_path) {
  fs::path p = target_path.empty() ? fs::path(restore_dir) / snapshot_id : fs::path(target_path);
  if (!p.is_absolute()) p = fs::path(restore_dir) / p;
  p = p.lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  std::string name = p.filename().string();
  if (p == p.root_path() || name.empty() || name == "." || name == "..") {
    return ValidationError("target_path: not a usable restore directory");
  }
  return p.string();
}

Result<ExtractResult> install_snapshot(const std::string& archive_path,
                                       const std::string& actual_sha256,
                                       const std::string& expected_sha256,
                                       const std::string& final_path, const std::string& job_id,
                                       const std::string& snapshot_id,
                                       const ExtractOptions& options) {
  if (actual_sha256 != expected_sha256) {
    return IntegrityError("checksum mismatch: expected " + expected_sha256 + ", got " +
                          actual_sha256 + "; nothing was extracted");
  }
  std::error_code ec;
  std::string parent = fs::path(final_path).parent_path().string();
  fs::create_directories(parent, ec);
  if (ec) return Internal("cannot create " + parent + ": " + ec.message());
  std::string temp = restore_temp_path(final_path, job_id);
  FF_TRY(remove_tree(temp));  // a crashed earlier attempt of this job
  FF_TRY(remove_tree(temp + ".old"));
  if (::mkdir(temp.c_str(), 0700) != 0) {
    return Internal("cannot create the temporary restore directory: " +
                    std::string(std::strerror(errno)));
  }
  auto extracted = extract_archive(archive_path, temp, options);
  if (!extracted.ok()) {
    remove_tree(temp).ignore_error();
    return extracted.status();
  }
  // Durable before it gets its final name.
  int fd = ::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
  Status placed = place(temp, final_path);
  remove_tree(temp).ignore_error();
  if (!placed.ok()) return placed;
  FF_TRY(write_marker(final_path, job_id, snapshot_id));
  sync_dir(parent);
  return extracted;
}

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
  ProgressThrottle throttle(ctx.clock, std::chrono::seconds(1));
  Retrier retrier(ctx.api.retrier().policy(), ctx.clock, ctx.random, ctx.stop);
  Status s = retrier.run("download snapshot", [&]() -> Attempt {
    client::DownloadRequest d;
    d.offset = got;
    d.write = [&](std::string_view chunk) -> Status {
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
      if (!throttle.due()) return;
      Event e{req.job_id,
              req.snapshot_id,
              "restore_in_progress",
              "downloading",
              {{"phase", "download"}, {"bytes_done", got}, {"bytes_total", expected_size}}};
      ctx.api.post_event(e, /*durable=*/false).ignore_error();
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

Status run_restore(TaskContext& ctx, const RestoreRequest& req) {
  auto post = [&](const char* type, std::string message, nlohmann::json meta, bool durable) {
    Event e{req.job_id, req.snapshot_id, type, std::move(message), std::move(meta)};
    return ctx.api.post_event(e, durable);
  };
  Status started = post("restore_started", "restore of snapshot " + req.snapshot_id + " started",
                        {{"target_path", req.target_path}}, true);
  if (started.code() == Code::kConflict) {
    spdlog::info("restore job {} is already finished; skipping", req.job_id);
    return OkStatus();
  }
  if (!started.ok()) {
    spdlog::error("restore job {}: cannot report its start: {}", req.job_id, started.to_string());
    return started;
  }
  std::string spool = ctx.config.spool_dir + "/restore-" + req.job_id + ".tar";
  auto fail = [&](Status s) {
    ::unlink(spool.c_str());
    if (ctx.stop.stop_requested()) {
      spdlog::warn("restore job {} abandoned on shutdown; the orchestrator will redeliver it",
                   req.job_id);
      return s;
    }
    spdlog::error("restore job {} failed: {}", req.job_id, s.to_string());
    post("restore_failed", s.message(), {{"code", code_name(s.code())}}, true).ignore_error();
    return s;
  };
  if (Status v = validate_id("snapshot_id", req.snapshot_id); !v.ok()) return fail(v);
  auto target = resolve_restore_target(ctx.config.restore_dir, req.snapshot_id, req.target_path);
  if (!target.ok()) return fail(target.status());
  auto info = ctx.api.get_snapshot(req.snapshot_id);
  if (!info.ok()) return fail(info.status().with_context("snapshot " + req.snapshot_id));
  if (!info->status.empty() && info->status != "available") {
    return fail(
        Conflict("snapshot " + req.snapshot_id + " is " + info->status + ", not available"));
  }
  std::error_code ec;
  fs::create_directories(ctx.config.spool_dir, ec);
  if (ec) return fail(Internal("cannot create the spool directory: " + ec.message()));

  auto got = download(ctx, req, info->size, spool);
  if (!got.ok()) return fail(got.status().with_context("download"));
  if (got->size != info->size) {
    return fail(IntegrityError("size mismatch: expected " + std::to_string(info->size) +
                               " bytes, got " + std::to_string(got->size) +
                               "; nothing was extracted"));
  }
  ProgressThrottle throttle(ctx.clock, std::chrono::seconds(1));
  ExtractOptions opts;
  opts.cancelled = [&] { return ctx.stop.stop_requested(); };
  opts.restore_owner = ::geteuid() == 0;
  opts.progress = [&](uint64_t done, uint64_t total) {
    if (!throttle.due()) return;
    post("restore_in_progress", "extracting",
         {{"phase", "extract"}, {"bytes_done", done}, {"bytes_total", total}}, false)
        .ignore_error();
  };
  auto result = install_snapshot(spool, got->sha256, info->checksum, *target, req.job_id,
                                 req.snapshot_id, opts);
  ::unlink(spool.c_str());
  if (!result.ok()) return fail(result.status());
  nlohmann::json warnings = nlohmann::json::array();
  for (size_t i = 0; i < result->warnings.size() && i < 20; ++i)
    warnings.push_back(result->warnings[i]);
  spdlog::info("restore job {}: {} files, {} bytes into {}", req.job_id, result->file_count,
               result->byte_count, *target);
  return post("restore_completed",
              "restored " + std::to_string(result->file_count) + " files to " + *target,
              {{"path", *target},
               {"file_count", result->file_count},
               {"dir_count", result->dir_count},
               {"symlink_count", result->symlink_count},
               {"hardlink_count", result->hardlink_count},
               {"byte_count", result->byte_count},
               {"bytes_done", got->size},
               {"bytes_total", got->size},
               {"warnings", warnings}},
              true);
}

}  // namespace ff::agent
