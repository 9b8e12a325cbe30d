#include "agent/repo_backup.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <unordered_map>

#include "agent/backup_report.h"
#include "agent/blob_saver.h"
#include "agent/file_cache.h"
#include "agent/progress.h"
#include "agent/repo_transfer.h"
#include "agent/repo_walk.h"

namespace ff::agent {

namespace {

// Every chunk the old cache lists with its pack, so one hold of the cache's
// packs decides which cached files can be trusted (and the session holds
// those packs until the commit).
std::vector<BlobSaver::CachedBlob> cached_blobs(const FileCache& cache) {
  std::vector<BlobSaver::CachedBlob> out;
  for (const auto& [path, e] : cache.files) {
    for (size_t i = 0; i < e.content.size(); ++i) out.emplace_back(e.content[i], e.packs[i]);
  }
  return out;
}

// Gives every entry of the new cache the pack of each of its chunks, as the
// saver stored, found or learned them, in a pack list of only the packs
// used. An entry with a chunk the saver cannot place is dropped: its file is
// simply read again next time.
void attach_packs(FileCache& cache, const BlobSaver& saver) {
  std::unordered_map<std::string_view, uint32_t> index;
  cache.packs.clear();
  for (auto it = cache.files.begin(); it != cache.files.end();) {
    FileCacheEntry& e = it->second;
    e.packs.clear();
    bool placed = true;
    for (const repo::BlobId& id : e.content) {
      auto pack = saver.pack_of(id);
      if (!pack) {
        placed = false;
        break;
      }
      auto [at, added] = index.emplace(*pack, static_cast<uint32_t>(cache.packs.size()));
      if (added) cache.packs.emplace_back(*pack);
      e.packs.push_back(at->second);
    }
    it = placed ? std::next(it) : cache.files.erase(it);
  }
}

FileCache load_cache_or_warn(const std::string& path) {
  auto loaded = load_file_cache(path);
  if (loaded.ok()) return std::move(loaded).value();
  if (loaded.status().code() != Code::kNotFound) {
    spdlog::warn("{}; every file is read again", loaded.status().message());
  }
  return {};
}

}  // namespace

std::string file_cache_namespace(const repo::Codec& codec, const std::string& agent_id) {
  return codec.encrypted() ? codec.key_id() : "agent-" + agent_id;
}

Result<std::string> run_repo_backup(TaskContext& ctx, const BackupRequest& req) {
  const auto t0 = ctx.clock.monotonic_now();
  const std::string snapshot_id = make_snapshot_id(ctx.api.agent_id(), ctx.clock.now(), ctx.random);
  BackupReport report(ctx, req.job_id);
  auto post = [&](const char* type, std::string message, nlohmann::json meta, bool durable,
                  const std::string& snap) {
    return report.post(type, std::move(message), std::move(meta), durable, snap);
  };
  auto go = report.start({{"source_path", ctx.config.backup_dir}, {"format", "repository-v1"}});
  if (!go.ok()) return go.status();
  if (!*go) return std::string();
  std::string session_id;
  auto fail = [&](Status s) -> Status {
    if (!session_id.empty()) {
      // Releases the holds at once; a session left open would only expire.
      ctx.api.abort_session(session_id).ignore_error();
    }
    return report.fail(std::move(s));
  };

  const repo::Codec& codec = ctx.codec;
  auto session = ctx.api.open_session(codec.encrypted() ? codec.key_id() : "");
  if (!session.ok()) {
    Status s = session.status().with_context("open repository session");
    if (s.code() == Code::kNotFound) {
      s = s.with_context("the orchestrator has no repository routes; set AGENT_BACKUP_FORMAT=tar");
    }
    return fail(s);
  }
  session_id = session->id;

  const std::string cache_path =
      file_cache_path(ctx.config.state_dir, file_cache_namespace(codec, ctx.api.agent_id()));
  FileCache old_cache = load_cache_or_warn(cache_path);
  FileCache new_cache;

  auto token = ctx.api.fresh_token();
  if (!token.ok()) return fail(token.status());
  // The pack uploader's retries stop with the agent like the main loop's.
  TaskWaiter waiter(ctx);
  Retrier retrier(ctx.api.retrier().policy(), ctx.clock, ctx.random, waiter);
  uint64_t sealed = 0, stored_bytes = 0, packs = 0;
  WalkStats stats;
  Result<repo::BlobId> root = Internal("not walked");
  {
    PackUploader uploader(ctx.config.client_options(), retrier, session_id);
    BlobSaver saver(ctx.api, codec, ctx.random, uploader, session_id,
                    ctx.config.spool_dir + "/backup-" + snapshot_id + "-pack-",
                    ctx.config.zstd_level);
    Status learned = saver.learn(old_cache.packs, cached_blobs(old_cache));
    if (!learned.ok()) return fail(learned.with_context("hold the file cache's packs"));

    ProgressThrottle throttle(ctx.clock, std::chrono::seconds(1));
    WalkOptions opts;
    opts.paths = req.paths;
    opts.old_cache = &old_cache;
    opts.new_cache = &new_cache;
    opts.cancelled = [&] { return ctx.should_stop(); };
    opts.progress = [&](const WalkStats& s) {
      if (!report.has_job() || !throttle.due()) return;
      post("backup_in_progress", "reading",
           {{"phase", "read"},
            {"bytes_done", s.byte_count},
            {"bytes_total", 0},
            {"bytes_uploaded", uploader.uploaded_bytes()}},
           false, "")
          .ignore_error();
    };
    root = walk_tree(ctx.config.backup_dir, codec, saver, opts, stats);
    if (!root.ok()) return fail(root.status().with_context("walk"));
    if (report.has_job()) {
      post("backup_in_progress", "uploading",
           {{"phase", "upload"}, {"bytes_done", stats.byte_count}, {"bytes_total", 0}}, false, "")
          .ignore_error();
    }
    Status finished = saver.finish();
    if (!finished.ok()) return fail(finished.with_context("upload"));
    if (ctx.job_cancelled) return fail(Conflict("the job was cancelled"));
    attach_packs(new_cache, saver);
    sealed = saver.blobs_sealed();
    stored_bytes = uploader.uploaded_bytes();
    packs = uploader.uploaded_packs();
  }

  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : stats.warnings) warnings.push_back(w);
  nlohmann::json meta = {{"file_count", stats.file_count},
                         {"dir_count", stats.dir_count},
                         {"symlink_count", stats.symlink_count},
                         {"hardlink_count", stats.hardlink_count},
                         {"byte_count", stats.byte_count},
                         // Blobs are zstd-compressed where it saves (codec.h); kept
                         // for readers of the tar snapshots' metadata.
                         {"compression", "zstd"},
                         {"source_path", ctx.config.backup_dir},
                         {"warnings", warnings},
                         {"agent_version", FF_VERSION},
                         {"root", root_metadata(stats.root)}};
  if (stats.warnings_dropped > 0) meta["warnings_dropped"] = stats.warnings_dropped;
  if (!req.paths.empty()) meta["paths"] = req.paths;
  if (!req.job_id.empty()) meta["job_id"] = req.job_id;
  auto committed = ctx.api.commit(session_id, snapshot_id, repo::blob_id_hex(*root), meta);
  if (!committed.ok()) return fail(committed.status().with_context("commit"));
  session_id.clear();  // closed by the commit
  if (committed->is_object() && committed->contains("stored_bytes") &&
      (*committed)["stored_bytes"].is_number_unsigned()) {
    stored_bytes = (*committed)["stored_bytes"].get<uint64_t>();
  }
  if (Status s = save_file_cache(cache_path, new_cache); !s.ok()) {
    spdlog::warn("{}; the next backup reads every file", s.message());
  }
  auto secs = std::chrono::duration<double>(ctx.clock.monotonic_now() - t0).count();
  spdlog::info(
      "backup {}: {} files ({} from the cache), {} bytes ({} read); {} new blobs in {} packs, "
      "{} bytes stored; {:.1f} s",
      snapshot_id, stats.file_count, stats.files_cached, stats.byte_count, stats.bytes_read, sealed,
      packs, stored_bytes, secs);
  Status done = post("backup_completed", "snapshot " + snapshot_id + " committed",
                     {{"snapshot_id", snapshot_id},
                      {"format", "repository-v1"},
                      {"encrypted", codec.encrypted()},
                      {"size", stats.byte_count},
                      {"stored_bytes", stored_bytes},
                      {"file_count", stats.file_count},
                      {"byte_count", stats.byte_count},
                      {"checksum", repo::blob_id_hex(*root)},
                      {"warnings", warnings},
                      {"warning_count", warnings.size() + stats.warnings_dropped}},
                     true, snapshot_id);
  if (!done.ok())
    spdlog::warn("backup {}: completion event not delivered: {}", snapshot_id, done.to_string());
  return snapshot_id;
}

}  // namespace ff::agent
