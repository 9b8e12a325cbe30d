// Garbage collection of packs: mark (one store transaction, see
// Store::mark_unreferenced_packs), then delete each marked pack's object and
// rows. A crash between the two leaves packs marked deleting; the next run
// finishes them first. Lookups never return a deleting pack, so no new
// snapshot can come to reference one.
#include <spdlog/spdlog.h>

#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

namespace {
constexpr int kDeleteBatch = 500;
}  // namespace

Status Service::delete_marked_packs(GcReport& report) {
  for (;;) {
    FF_ASSIGN_OR_RETURN(std::vector<store::Pack> batch, store_.list_deleting_packs(kDeleteBatch));
    for (const store::Pack& p : batch) {
      Status removed = blobs_.remove(pack_key(p.id));
      // An object already gone (an earlier run removed it, or it was never
      // uploaded) is what we want; anything else keeps the row for next time.
      if (!removed.ok() && removed.code() != Code::kNotFound) return removed;
      Status deleted = store_.delete_pack(p.id);
      if (deleted.code() == Code::kNotFound) continue;  // a concurrent run took it
      FF_TRY(deleted);
      ++report.packs_deleted;
      report.bytes_freed += p.size;
    }
    if (batch.size() < static_cast<size_t>(kDeleteBatch)) return OkStatus();
  }
}

Result<GcReport> Service::collect_garbage(const auth::Claims& caller, const GcRequest& req) {
  if (!auth::grants(caller.role, auth::Role::kAdmin)) {
    return PermissionDenied("only admins may collect garbage");
  }
  if (req.grace_seconds < 0) return ValidationError("grace_seconds: must be >= 0");
  // One collection at a time across replicas: two would only race to
  // delete the same packs (harmless, but twice the object store calls).
  std::unique_ptr<store::SingletonLock> running = store_.singleton_lock("gc");
  FF_ASSIGN_OR_RETURN(bool mine, running->held());
  if (!mine) {
    return Conflict("garbage collection is already running: try again once it has finished");
  }
  SystemTime now = env_.clock->now();
  SystemTime cutoff = now - std::chrono::seconds(req.grace_seconds);
  FF_ASSIGN_OR_RETURN(store::GcMark mark, store_.mark_unreferenced_packs(now, cutoff, req.dry_run));
  GcReport report;
  report.dry_run = req.dry_run;
  report.packs_kept_held = mark.kept_held;
  report.packs_kept_young = mark.kept_young;
  if (req.dry_run) {
    for (const store::Pack& p : mark.marked) {
      ++report.packs_deleted;
      report.bytes_freed += p.size;
    }
    return report;
  }
  FF_TRY(delete_marked_packs(report));
  spdlog::info("gc: deleted {} packs, {} bytes freed", report.packs_deleted, report.bytes_freed);
  FF_TRY(audit(audit::gc_completed(report.packs_deleted, report.bytes_freed, report.packs_kept_held,
                                   report.packs_kept_young)));
  return report;
}

}  // namespace ff::core
