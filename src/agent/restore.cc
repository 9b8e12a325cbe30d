#include "agent/restore.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "agent/beneath.h"
#include "agent/drill.h"
#include "agent/paths.h"
#include "agent/progress.h"
#include "agent/repo_restore.h"
#include "common/hex.h"
#include "common/ids.h"

namespace ff::agent {

namespace fs = std::filesystem;

namespace {

std::string marker_name(const std::string& name) { return "." + name + ".fortfail-restore"; }
std::string temp_name(const std::string& name, const std::string& job_id) {
  return "." + name + ".ff-partial-" + job_id;
}

std::string errno_text() { return std::strerror(errno); }

bool exists_at(int dir_fd, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool is_empty_dir_at(int dir_fd, const std::string& name) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return false;
  }
  bool empty = true;
  while (dirent* de = ::readdir(d)) {
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

Status write_marker(int dir_fd, const std::string& name, const std::string& job_id,
                    const std::string& snapshot_id) {
  std::string m = marker_name(name);
  std::string tmp = m + ".tmp";
  std::string body = "{\"job_id\":\"" + job_id + "\",\"snapshot_id\":\"" + snapshot_id + "\"}\n";
  int fd =
      ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write restore marker: " + errno_text());
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::renameat(dir_fd, tmp.c_str(), dir_fd, m.c_str()) != 0) {
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    return Internal("cannot write restore marker");
  }
  return OkStatus();
}

// Moves the extracted tree `temp` to `name` (both in dir_fd), replacing what
// the caller decided may be replaced; afterwards `temp` holds the old tree (or nothing).
Status place(int dir_fd, const std::string& temp, const std::string& name,
             const std::string& shown) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
      return Internal("cannot move the restored tree into place: " + errno_text());
    }
    return OkStatus();
  }
  bool ours = exists_at(dir_fd, marker_name(name));
  if (!S_ISDIR(st.st_mode) || (!ours && !is_empty_dir_at(dir_fd, name))) {
    return Conflict("restore target " + shown +
                    " already exists and is not an earlier FortFail restore; not replaced");
  }
  if (::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), RENAME_EXCHANGE) == 0) {
    return OkStatus();
  }
  // File systems without RENAME_EXCHANGE: a short window without the final name.
  std::string old = temp + ".old";
  if (::renameat(dir_fd, name.c_str(), dir_fd, old.c_str()) != 0) {
    return Internal("cannot replace the earlier restore: " + errno_text());
  }
  if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
    int e = errno;
    ::renameat(dir_fd, old.c_str(), dir_fd, name.c_str());
    return Internal("cannot move the restored tree into place: " + std::string(std::strerror(e)));
  }
  ::renameat(dir_fd, old.c_str(), dir_fd, temp.c_str());
  return OkStatus();
}

std::string strip_trailing_slashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// "/a/b" -> "a/b", so that split_beneath takes absolute paths apart too.
std::string without_leading_slashes(const std::string& p) {
  size_t skip = p.find_first_not_of('/');
  return skip == std::string::npos ? std::string() : p.substr(skip);
}

std::string join(const std::vector<std::string>& comps, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i == 0 ? "" : "/") + comps[i];
  return s;
}

}  // namespace

std::string restore_event_type(RestoreMode mode, std::string_view what) {
  return std::string(mode == RestoreMode::kDrill ? "drill_" : "restore_") + std::string(what);
}

std::string RestoreTarget::path() const {
  std::string p = root == "/" ? "" : root;
  if (!parent.empty()) p += "/" + parent;
  return p + "/" + name;
}

std::string restore_temp_path(const std::string& final_path, const std::string& job_id) {
  fs::path f(final_path);
  return (f.parent_path() / temp_name(f.filename().string(), job_id)).string();
}

Result<RestoreTarget> resolve_restore_target(const std::string& restore_dir,
                                             const std::vector<std::string>& extra_roots,
                                             const std::string& snapshot_id,
                                             const std::string& target_path) {
  std::string main_root = strip_trailing_slashes(fs::path(restore_dir).lexically_normal().string());
  if (target_path.empty()) return RestoreTarget{main_root, "", snapshot_id};
  bool absolute = target_path.front() == '/';
  auto split = split_beneath(without_leading_slashes(target_path));
  if (!split.ok()) {
    return PermissionDenied("target_path '" + target_path +
                            "' is refused: '..' components are not allowed");
  }
  std::vector<std::string> comps = std::move(*split);
  std::string root = main_root;
  if (absolute) {
    size_t best = 0;
    bool found = false;
    std::vector<std::string> roots = {main_root};
    for (const auto& r : extra_roots) roots.push_back(strip_trailing_slashes(r));
    for (const auto& r : roots) {
      auto rc = split_beneath(without_leading_slashes(r));
      if (!rc.ok()) continue;
      if (rc->size() > comps.size() || !std::equal(rc->begin(), rc->end(), comps.begin())) continue;
      if (rc->size() == comps.size()) {
        return ValidationError("target_path: '" + target_path +
                               "' names a restore root itself; give a directory below it");
      }
      if (!found || rc->size() > best) {
        best = rc->size();
        root = r;
        found = true;
      }
    }
    if (!found) {
      return PermissionDenied("target_path '" + target_path +
                              "' is refused: it is outside RESTORE_DIR and AGENT_RESTORE_ROOTS");
    }
    comps.erase(comps.begin(), comps.begin() + static_cast<std::ptrdiff_t>(best));
  }
  if (comps.empty()) {
    return ValidationError("target_path: '" + target_path +
                           "' names a restore root itself; give a directory below it");
  }
  return RestoreTarget{root, join(comps, comps.size() - 1), comps.back()};
}

Result<ExtractResult> install_snapshot(const std::string& archive_path,
                                       const std::string& actual_sha256,
                                       const std::string& expected_sha256,
                                       const RestoreTarget& target, const std::string& job_id,
                                       const std::string& snapshot_id, ExtractOptions options,
                                       const CheckTree& check) {
  if (actual_sha256 != expected_sha256) {
    return IntegrityError("checksum mismatch: expected " + expected_sha256 + ", got " +
                          actual_sha256 + "; nothing was extracted");
  }
  return install_tree(
      target, job_id, snapshot_id, std::move(options),
      [&](int, const std::string& dir, const ExtractOptions& opts) {
        return extract_archive(archive_path, dir, opts);
      },
      check);
}

Result<ExtractResult> install_tree(const RestoreTarget& target, const std::string& job_id,
                                   const std::string& snapshot_id, ExtractOptions options,
                                   const FillTree& fill, const CheckTree& check) {
  // The root is the operator's own setting: created and opened as given.
  std::error_code ec;
  fs::create_directories(target.root, ec);
  UniqueFd root(::open(target.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) return Internal("cannot open the restore root " + target.root);
  // Everything below it is reached without following a symlink.
  auto parent_fd = open_dir_beneath(root.get(), target.parent, /*create=*/true);
  if (!parent_fd.ok()) return parent_fd.status().with_context("target_path");
  int dfd = parent_fd->get();
  std::string shown = target.parent.empty() ? target.name : target.parent + "/" + target.name;
  struct stat st {};
  if (::fstatat(dfd, target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    return PermissionDenied("target_path: '" + shown +
                            "' is refused: it is a symlink, and symlinks are never followed there");
  }
  struct statvfs vfs {};
  if (::fstatvfs(dfd, &vfs) == 0) {
    uint64_t avail = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    if (options.max_bytes > avail) {
      if (options.max_bytes_declared) {
        return TooLarge("not enough free space: the snapshot declares " +
                        std::to_string(options.max_bytes) + " bytes of files, " +
                        std::to_string(avail) + " bytes are free; nothing was extracted");
      }
      options.max_bytes = avail;
      options.max_bytes_why = "the free space on the restore file system";
    }
  }
  std::string dir = path_of_fd(dfd);
  if (dir.empty()) return Internal("cannot name the restore directory");
  std::string temp = temp_name(target.name, job_id);
  FF_TRY(remove_tree(dir + "/" + temp));  // a crashed earlier attempt of this job
  FF_TRY(remove_tree(dir + "/" + temp + ".old"));
  if (::mkdirat(dfd, temp.c_str(), 0700) != 0) {
    return Internal("cannot create the temporary restore directory: " + errno_text());
  }
  Result<ExtractResult> extracted = Internal("not filled");
  {
    UniqueFd temp_fd(::openat(dfd, temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (temp_fd.get() < 0) {
      extracted = Internal("cannot open the temporary restore directory: " + errno_text());
    } else {
      extracted = fill(temp_fd.get(), dir + "/" + temp, options);
      // Durable before it gets its final name (and before a drill reads it back).
      if (extracted.ok()) ::syncfs(temp_fd.get());
      if (extracted.ok() && check) {
        if (Status checked = check(temp_fd.get(), *extracted); !checked.ok()) extracted = checked;
      }
    }
  }
  if (!extracted.ok()) {
    remove_tree(dir + "/" + temp).ignore_error();
    return extracted.status();
  }
  Status placed = place(dfd, temp, target.name, target.path());
  remove_tree(dir + "/" + temp).ignore_error();
  if (!placed.ok()) return placed;
  FF_TRY(write_marker(dfd, target.name, job_id, snapshot_id));
  ::fsync(dfd);
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
      if (!throttle.due()) return;
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
  ProgressThrottle throttle(ctx.clock, std::chrono::seconds(1));
  ProveOptions prove;
  prove.cancelled = [&] { return ctx.should_stop(); };
  prove.devices_optional = ::geteuid() != 0;
  prove.progress = [&](uint64_t done, uint64_t total) {
    if (!throttle.due()) return;
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
    if (!throttle.due()) return;
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
