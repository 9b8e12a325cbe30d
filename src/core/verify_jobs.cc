// Verify jobs: the orchestrator re-reads what the object store holds for
// available snapshots — a tar snapshot's object, a repository snapshot's
// packs — and checks presence, size and (with read_data) SHA-256 against what
// was recorded at upload. Damage turns the object and every snapshot that
// needs it `corrupt` (audited, so the snapshot.corrupt alert fires); an
// intact snapshot gets verified_at. A verify job is a row of restore_jobs of
// kind "verify" with no command: whichever orchestrator claims it (pending
// -> in_progress, compare-and-set on the row) runs it, one object at a time,
// paced to ORCH_VERIFY_BYTES_PER_SECOND so uploads and restores keep the
// store's bandwidth. docs/verification.md has the operator's view.
#include <chrono>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "common/hex.h"
#include "common/ids.h"
#include "core/job_rules.h"
#include "core/object_digest.h"
#include "core/service.h"

namespace ff::core {

namespace {

// job_events.agent_id of the lines the orchestrator writes itself.
constexpr char kOrchestrator[] = "orchestrator";
constexpr size_t kMaxListedCorrupt = 100;

struct VerifyParams {
  std::optional<std::string> snapshot_id;
  std::optional<std::string> agent_id;
  bool read_data = true;
  int subset_percent = 100;
};

VerifyParams parse_params(const store::RestoreJob& job) {
  VerifyParams p;
  if (!job.snapshot_id.empty()) p.snapshot_id = job.snapshot_id;
  auto j = nlohmann::json::parse(job.params_json, nullptr, false);
  if (!j.is_object()) return p;
  if (auto it = j.find("agent_id"); it != j.end() && it->is_string()) p.agent_id = *it;
  if (auto it = j.find("read_data"); it != j.end() && it->is_boolean()) p.read_data = *it;
  if (auto it = j.find("subset_percent"); it != j.end() && it->is_number_integer()) {
    p.subset_percent = it->get<int>();
  }
  return p;
}

// Whether the job reads object `id`: a hash of both ids, so different jobs
// read different subsets and together cover everything.
bool in_subset(const std::string& job_id, const std::string& object_id, int percent) {
  if (percent >= 100) return true;
  Sha256 h;
  h.update(job_id);
  h.update("/");
  h.update(object_id);
  std::string hex = h.finish_hex();
  return std::stoul(hex.substr(0, 8), nullptr, 16) % 100 < static_cast<unsigned long>(percent);
}

// Keeps the job's reads at or under `rate` bytes a second on average since it began.
class Pacer {
 public:
  Pacer(const sys::Clock& clock, uint64_t rate)
      : clock_(clock), rate_(rate), start_(clock.monotonic_now()) {}
  void add(size_t n) {
    if (rate_ == 0) return;
    bytes_ += n;
    auto due =
        start_ + std::chrono::nanoseconds(static_cast<int64_t>(
                     static_cast<long double>(bytes_) * 1e9L / static_cast<long double>(rate_)));
    auto now = clock_.monotonic_now();
    if (due > now) std::this_thread::sleep_for(due - now);
  }

 private:
  const sys::Clock& clock_;
  uint64_t rate_;
  std::chrono::steady_clock::time_point start_;
  uint64_t bytes_ = 0;
};

// What one verify job found, for its completion line.
struct Tally {
  int64_t snapshots = 0;
  int64_t intact = 0;
  int64_t skipped = 0;  // no longer available when reached
  std::vector<std::string> corrupt;
  int64_t objects_checked = 0;
  int64_t objects_skipped = 0;  // outside the subset
  int64_t bytes_read = 0;
  std::string first_problem;
};

}  // namespace

Result<RestoreJobView> Service::create_verify_job(const auth::Claims& caller,
                                                  const NewVerifyJob& req) {
  if (!auth::grants(caller.role, auth::Role::kOperator)) {
    return PermissionDenied("only operators and admins may start verify jobs");
  }
  if (req.snapshot_id && req.agent_id) {
    return ValidationError("give snapshot_id or agent_id, not both");
  }
  if (req.subset_percent < 1 || req.subset_percent > 100) {
    return ValidationError("subset_percent must be an integer from 1 to 100");
  }
  nlohmann::json params = {{"read_data", req.read_data}, {"subset_percent", req.subset_percent}};
  std::string snapshot_id;
  if (req.snapshot_id) {
    FF_TRY(validate_id("snapshot_id", *req.snapshot_id));
    FF_ASSIGN_OR_RETURN(store::Snapshot snap, store_.get_snapshot(*req.snapshot_id));
    snapshot_id = snap.id;
    params["agent_id"] = snap.agent_id;
  } else if (req.agent_id) {
    FF_TRY(validate_id("agent_id", *req.agent_id));
    FF_TRY(require_known_agent(*req.agent_id));
    params["agent_id"] = *req.agent_id;
  }
  SystemTime now = env_.clock->now();
  store::RestoreJob job{
      env_.random->unique_id("vj-"),          snapshot_id,  "", "", kPending, now, now,
      job_kind_name(store::JobKind::kVerify), params.dump()};
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record,
                      prepare_audit(audit::snapshot_job_created(job, nullptr)));
  FF_TRY(store_.create_restore_job(job, std::nullopt));
  FF_TRY(commit_audit(record));
  return RestoreJobView{std::move(job), {}};
}

Result<bool> Service::run_next_verify_job() {
  SystemTime now = env_.clock->now();
  FF_ASSIGN_OR_RETURN(auto next, store_.next_runnable_job(job_kind_name(store::JobKind::kVerify),
                                                          now - options_.verify_stale_after));
  if (!next) return false;
  store::RestoreJob job = *next;
  // Claimed only if the row is still as read: another orchestrator that got
  // there first changed its status or updated_at.
  auto claim = [&](const store::RestoreJob& current) -> Result<std::string> {
    if (current.status != job.status || current.updated_at != job.updated_at) {
      return Conflict("verify job " + job.id + " was taken by another runner");
    }
    return std::string(kInProgress);
  };
  std::string message = job.status == kPending
                            ? "verification started"
                            : "verification restarted (the previous run stopped)";
  store::JobEvent started{0, job.id, kOrchestrator, "verify_started", message, "{}", now};
  auto claimed = store_.record_job_event(started, claim, now);
  if (!claimed.ok()) {
    if (claimed.status().code() == Code::kConflict) return true;
    return claimed.status();
  }
  if (claimed->previous_status != kInProgress) {
    FF_TRY(audit(
        audit::job_status_changed(job.kind, job.id, "", claimed->previous_status, kInProgress)));
  }
  Status run = run_verify_job(claimed->job);
  if (!run.ok()) {
    spdlog::warn("verify job {}: {}", job.id, run.to_string());
    auto fail = [&](const store::RestoreJob& current) {
      return next_job_status(current.kind, current.status, "verify_failed");
    };
    store::JobEvent failed{0,    job.id,           kOrchestrator, "verify_failed", run.message(),
                           "{}", env_.clock->now()};
    auto r = store_.record_job_event(failed, fail, env_.clock->now());
    // A cancelled job stays cancelled; anything else is worth a retry later.
    if (r.ok()) {
      FF_TRY(audit(audit::job_status_changed(job.kind, job.id, "", kInProgress, kFailed)));
    } else if (r.status().code() != Code::kConflict) {
      return r.status();
    }
  }
  return true;
}

Status Service::run_verify_job(const store::RestoreJob& job) {
  VerifyParams params = parse_params(job);
  // The snapshots to check, decided now: ones uploaded later wait for the next job.
  std::vector<std::string> ids;
  if (params.snapshot_id) {
    ids.push_back(*params.snapshot_id);
  } else {
    store::SnapshotFilter filter{params.agent_id, std::string(kSnapshotAvailable)};
    for (int64_t offset = 0;; offset += 1000) {
      FF_ASSIGN_OR_RETURN(auto page, store_.list_snapshots(filter, store::Page{1000, offset}));
      for (const auto& s : page.items) ids.push_back(s.id);
      if (page.items.size() < 1000) break;
    }
  }
  Pacer pacer(*env_.clock, options_.verify_bytes_per_second);
  Tally tally;
  std::map<std::string, std::string> packs_seen;  // pack id -> problem ("" when intact)
  auto last_progress = env_.clock->monotonic_now();

  // The problem with object `o`, "" when it is intact; errors are the store's (retry later).
  auto check = [&](const StoredObject& o) -> Result<std::string> {
    std::string key = o.key(options_.object_keys);
    auto info = blobs_.stat(key);
    if (!info.ok()) {
      if (info.status().code() == Code::kNotFound)
        return std::string("missing from the object store");
      return info.status();
    }
    ++tally.objects_checked;
    if (static_cast<int64_t>(info->size) != o.size) {
      return "size " + std::to_string(info->size) + ", expected " + std::to_string(o.size);
    }
    if (!params.read_data) return std::string();
    auto digest = digest_object(blobs_, key, [&](size_t n) {
      tally.bytes_read += static_cast<int64_t>(n);
      pacer.add(n);
      return !stopping_.load();
    });
    if (!digest.ok()) return digest.status();
    if (digest->sha256 != o.checksum) {
      return "checksum mismatch: expected " + o.checksum + ", got " + digest->sha256;
    }
    return std::string();
  };
  // Marks `o` corrupt (when still available) with the WAL record that raises the alert.
  auto condemn = [&](StoredObject o, const std::string& problem) -> Status {
    if (o.status != kSnapshotAvailable) return OkStatus();
    Status cas =
        o.kind == ObjectKind::kPack
            ? store_.update_pack_status(o.id, o.status, kSnapshotCorrupt, std::nullopt)
            : store_.update_snapshot_status(o.id, o.status, kSnapshotCorrupt, std::nullopt);
    if (cas.code() == Code::kConflict || cas.code() == Code::kNotFound) return OkStatus();
    FF_TRY(cas);
    spdlog::warn("verify job {}: {} {}: {}", job.id, o.noun(), o.id, problem);
    o.status = kSnapshotCorrupt;
    audit::Entry entry = audit::object_corrupt(o, "", 0);
    entry.fields["problem"] = problem;
    entry.fields["job_id"] = job.id;
    entry.fields.erase("actual_size");  // unknown here: the problem says what was found
    return audit(entry).status();
  };
  auto condemn_snapshot = [&](const std::string& id, const std::string& pack_id,
                              const std::string& problem) -> Status {
    auto snap = store_.get_snapshot(id);
    if (!snap.ok()) return snap.status().code() == Code::kNotFound ? OkStatus() : snap.status();
    if (snap->status != kSnapshotAvailable) return OkStatus();
    Status cas =
        store_.update_snapshot_status(id, kSnapshotAvailable, kSnapshotCorrupt, std::nullopt);
    if (cas.code() == Code::kConflict) return OkStatus();
    FF_TRY(cas);
    snap->status = kSnapshotCorrupt;
    return audit(audit::snapshot_corrupt_pack(*snap, pack_id, problem, job.id)).status();
  };

  for (const std::string& id : ids) {
    // Shutting down: the job stays in_progress and is taken up again (from
    // the start) once verify_stale_after has passed without progress.
    if (stopping_.load()) return OkStatus();
    // Cancelled meanwhile: stop here; the job already reads cancelled.
    FF_ASSIGN_OR_RETURN(store::RestoreJob current, store_.get_restore_job(job.id));
    if (current.status != kInProgress) return OkStatus();
    auto found = store_.get_snapshot(id);
    if (!found.ok() && found.status().code() != Code::kNotFound) return found.status();
    if (!found.ok() || found->status != kSnapshotAvailable) {
      ++tally.skipped;  // deleted, or already known corrupt, since the job began
      continue;
    }
    const store::Snapshot& snap = *found;
    ++tally.snapshots;
    std::string problem;
    int64_t objects = 0;
    int64_t bytes_before = tally.bytes_read;
    if (snap.format == kFormatRepository) {
      FF_ASSIGN_OR_RETURN(auto packs, store_.list_snapshot_packs(snap.id));
      for (const store::Pack& pack : packs) {
        auto seen = packs_seen.find(pack.id);
        if (seen == packs_seen.end()) {
          if (!in_subset(job.id, pack.id, params.subset_percent)) {
            ++tally.objects_skipped;
            continue;
          }
          std::string pack_problem;
          if (pack.status != kSnapshotAvailable) {
            pack_problem = "pack is " + pack.status;
          } else {
            FF_ASSIGN_OR_RETURN(pack_problem, check(stored_object(pack)));
            ++objects;
          }
          seen = packs_seen.emplace(pack.id, pack_problem).first;
          if (!pack_problem.empty()) {
            FF_TRY(condemn(stored_object(pack), pack_problem));
            // Every snapshot needing the pack is damaged, verified now or not.
            FF_ASSIGN_OR_RETURN(auto users, store_.snapshots_referencing_pack(pack.id));
            for (const auto& user : users) {
              if (user != snap.id) FF_TRY(condemn_snapshot(user, pack.id, pack_problem));
            }
          }
        }
        if (!seen->second.empty() && problem.empty()) {
          problem = "pack " + pack.id + ": " + seen->second;
          FF_TRY(condemn_snapshot(snap.id, pack.id, seen->second));
        }
      }
    } else if (!in_subset(job.id, snap.id, params.subset_percent)) {
      ++tally.objects_skipped;
    } else {
      FF_ASSIGN_OR_RETURN(problem, check(stored_object(snap)));
      ++objects;
      if (!problem.empty()) FF_TRY(condemn(stored_object(snap), problem));
    }
    if (problem.empty()) {
      ++tally.intact;
      SystemTime at = env_.clock->now();
      Status marked = store_.mark_snapshot_verified(snap.id, at);
      if (marked.code() != Code::kNotFound) {
        FF_TRY(marked);
        FF_TRY(audit(audit::snapshot_verified(snap, job.id, params.read_data, objects,
                                              tally.bytes_read - bytes_before)));
      }
    } else {
      if (tally.corrupt.empty()) tally.first_problem = "snapshot " + snap.id + ": " + problem;
      tally.corrupt.push_back(snap.id);
    }
    // A progress line at most every second keeps updated_at fresh (the job
    // is not taken for abandoned) and shows how far it got.
    auto mono = env_.clock->monotonic_now();
    if (mono - last_progress >= std::chrono::seconds(1)) {
      last_progress = mono;
      nlohmann::json meta = {{"snapshots_done", tally.snapshots + tally.skipped},
                             {"snapshots_total", ids.size()},
                             {"bytes_read", tally.bytes_read}};
      auto keep = [&](const store::RestoreJob& c) {
        return next_job_status(c.kind, c.status, "verify_in_progress");
      };
      store::JobEvent progress{0,           job.id,      kOrchestrator,    "verify_in_progress",
                               "verifying", meta.dump(), env_.clock->now()};
      auto r = store_.record_job_event(progress, keep, env_.clock->now());
      if (!r.ok() && r.status().code() == Code::kConflict) return OkStatus();  // cancelled
      FF_TRY(r.status());
    }
  }

  nlohmann::json corrupt_ids = nlohmann::json::array();
  for (size_t i = 0; i < tally.corrupt.size() && i < kMaxListedCorrupt; ++i) {
    corrupt_ids.push_back(tally.corrupt[i]);
  }
  nlohmann::json meta = {{"snapshots_checked", tally.snapshots},
                         {"snapshots_intact", tally.intact},
                         {"snapshots_corrupt", tally.corrupt.size()},
                         {"snapshots_skipped", tally.skipped},
                         {"corrupt_snapshot_ids", corrupt_ids},
                         {"objects_checked", tally.objects_checked},
                         {"objects_skipped", tally.objects_skipped},
                         {"bytes_read", tally.bytes_read},
                         {"read_data", params.read_data},
                         {"subset_percent", params.subset_percent}};
  if (!tally.first_problem.empty()) meta["first_problem"] = tally.first_problem;
  std::string message = std::to_string(tally.snapshots) +
                        " snapshot(s) verified: " + std::to_string(tally.intact) + " intact, " +
                        std::to_string(tally.corrupt.size()) + " corrupt";
  auto finish = [&](const store::RestoreJob& c) {
    return next_job_status(c.kind, c.status, "verify_completed");
  };
  store::JobEvent done{0,       job.id,      kOrchestrator,    "verify_completed",
                       message, meta.dump(), env_.clock->now()};
  auto r = store_.record_job_event(done, finish, env_.clock->now());
  if (!r.ok()) return r.status().code() == Code::kConflict ? OkStatus() : r.status();
  FF_TRY(audit(audit::job_status_changed(job.kind, job.id, "", kInProgress, kCompleted)));
  spdlog::info("verify job {}: {}", job.id, message);
  return OkStatus();
}

}  // namespace ff::core
