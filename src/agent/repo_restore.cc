#include "agent/repo_restore.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>

#include "agent/drill.h"
#include "agent/progress.h"
#include "agent/repo_transfer.h"
#include "agent/repo_walk.h"

namespace ff::agent {

namespace {

constexpr size_t kDownloadWorkers = 3;
constexpr size_t kLocateMax = 10000;

// Blobs from the orchestrator: locate on the agent's main client, pack ranges
// on one client per worker (each holds the token the main loop renewed).
class HttpPackSource final : public PackSource {
 public:
  HttpPackSource(TaskContext& ctx, std::string snapshot_id, const Retrier& retrier)
      : ctx_(ctx), snapshot_id_(std::move(snapshot_id)), retrier_(retrier) {
    for (size_t i = 0; i < kDownloadWorkers; ++i) {
      clients_.push_back(std::make_unique<client::ApiClient>(ctx.config.client_options()));
      clients_.back()->set_abort_check([&ctx] { return ctx.should_stop(); });
    }
  }
  size_t workers() const override { return clients_.size(); }
  Status prepare() override {
    FF_ASSIGN_OR_RETURN(std::string token, ctx_.api.fresh_token());
    for (auto& c : clients_) c->set_token(token);
    return OkStatus();
  }
  Result<LocateResult> locate(const std::vector<std::string>& ids) override {
    return ctx_.api.locate(snapshot_id_, ids);
  }
  Result<std::string> read(size_t worker, const std::string& pack, uint64_t offset,
                           uint64_t length) override {
    return download_range(*clients_.at(worker), retrier_, pack, offset, length);
  }

 private:
  TaskContext& ctx_;
  const std::string snapshot_id_;
  const Retrier& retrier_;
  std::vector<std::unique_ptr<client::ApiClient>> clients_;
};

}  // namespace

Status locate_blobs(PackSource& source, const std::vector<repo::BlobId>& ids,
                    std::unordered_map<repo::BlobId, BlobLocation, BlobIdHash>& where) {
  std::vector<std::string> batch;
  auto ask = [&]() -> Status {
    if (batch.empty()) return OkStatus();
    FF_ASSIGN_OR_RETURN(LocateResult r, source.locate(batch));
    if (!r.missing.empty()) {
      return DataLoss("blob " + r.missing.front() + " is not in any pack of the snapshot");
    }
    for (const auto& hex : batch) {
      auto it = r.locations.find(hex);
      if (it == r.locations.end()) {
        return DataLoss("blob " + hex + " is not in any pack of the snapshot");
      }
      auto id = repo::parse_blob_id(hex);
      if (id.ok()) where[*id] = it->second;
    }
    batch.clear();
    return OkStatus();
  };
  for (const auto& id : ids) {
    if (where.count(id)) continue;
    batch.push_back(repo::blob_id_hex(id));
    if (batch.size() == kLocateMax) FF_TRY(ask());
  }
  return ask();
}

Result<repo::Tree> read_tree_blob(const repo::Codec& codec, PackSource& source,
                                  const repo::BlobId& id, const BlobLocation& loc,
                                  const std::string& rel, uint64_t* bytes) {
  std::string what = "tree " + repo::blob_id_hex(id) + " (directory '" + (rel.empty() ? "." : rel) +
                     "') in pack " + loc.pack;
  auto sealed = source.read(0, loc.pack, loc.offset, loc.length);
  if (!sealed.ok()) return sealed.status().with_context(what);
  if (bytes != nullptr) *bytes += sealed->size();
  auto plain = codec.open(repo::BlobType::kTree, id, *sealed, kMaxTreeBytes);
  if (!plain.ok()) return plain.status().with_context(what);
  auto tree = repo::decode_tree(*plain);
  if (!tree.ok()) return tree.status().with_context(what);
  return tree;
}

Status check_restore_key(const SnapshotInfo& info, const repo::Codec& codec) {
  if (!info.encrypted) return OkStatus();
  std::string key = info.repository_id.empty() ? "(unknown)" : info.repository_id;
  if (!codec.encrypted()) {
    return PermissionDenied("snapshot " + info.id + " is encrypted with key " + key +
                            "; this agent has no key");
  }
  if (codec.key_id() != info.repository_id) {
    return PermissionDenied("snapshot " + info.id + " is encrypted with key " + key +
                            "; this agent's key is " + codec.key_id());
  }
  return OkStatus();
}

Result<ExtractResult> install_repo_tree(const repo::Codec& codec, PackSource& source,
                                        const repo::BlobId& root, const repo::Node* root_meta,
                                        const RestoreTarget& target, const std::string& job_id,
                                        const std::string& snapshot_id, ExtractOptions options,
                                        RepoRestoreStats* stats, const CheckTree& check) {
  return install_tree(
      target, job_id, snapshot_id, std::move(options),
      [&](int dir_fd, const std::string&, const ExtractOptions& o) {
        return restore_repo_tree(codec, source, root, dir_fd, o, root_meta, stats);
      },
      check);
}

Result<RepoRestoreResult> run_repo_restore(TaskContext& ctx, const RestoreRequest& req,
                                           const SnapshotInfo& info, const RestoreTarget& target,
                                           const ProveOptions* prove, DrillReport* proof) {
  FF_TRY(check_restore_key(info, ctx.codec));
  auto root = repo::parse_blob_id(info.root);
  if (!root.ok()) return DataLoss("snapshot " + info.id + " has no valid root tree id");
  // A plain snapshot's ids are unkeyed SHA-256: read it with the plain codec
  // whatever key this agent holds.
  const repo::Codec plain = repo::Codec::plain();
  const repo::Codec& codec = info.encrypted ? ctx.codec : plain;

  ExtractOptions opts;
  opts.cancelled = [&] { return ctx.should_stop(); };
  opts.restore_owner = ::geteuid() == 0;
  opts.keep_setid = ctx.config.keep_setid;
  apply_restore_limits(info, ctx.config, opts);
  opts.progress = [&](uint64_t done, uint64_t) {
    if (!ctx.progress.due()) return;
    Event e{req.job_id,
            req.snapshot_id,
            restore_event_type(req.mode, "in_progress"),
            "restoring",
            {{"phase", "restore"}, {"bytes_done", done}, {"bytes_total", info.size}}};
    ctx.post_event(e, /*durable=*/false).ignore_error();
  };
  TaskWaiter waiter(ctx);
  Retrier retrier(ctx.api.retrier().policy(), ctx.clock, ctx.random, waiter);
  HttpPackSource source(ctx, req.snapshot_id, retrier);
  RepoRestoreStats stats;
  std::optional<repo::Node> root_meta = info.metadata.is_object() && info.metadata.contains("root")
                                            ? parse_root_metadata(info.metadata["root"])
                                            : std::nullopt;
  CheckTree check;
  if (prove != nullptr && proof != nullptr)
    check = repo_tree_check(codec, source, *root, *prove, *proof);
  auto t0 = ctx.clock.monotonic_now();
  auto result = install_repo_tree(codec, source, *root, root_meta ? &*root_meta : nullptr, target,
                                  req.job_id, req.snapshot_id, std::move(opts), &stats, check);
  FF_TRY(result.status());
  spdlog::info("{} job {}: {} bytes of packs fetched in {:.1f} s",
               req.mode == RestoreMode::kDrill ? "drill" : "restore", req.job_id,
               stats.bytes_downloaded,
               std::chrono::duration<double>(ctx.clock.monotonic_now() - t0).count());
  return RepoRestoreResult{std::move(result).value(), stats.bytes_downloaded};
}

}  // namespace ff::agent
