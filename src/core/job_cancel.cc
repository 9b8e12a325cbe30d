// Cancelling a job of either kind: one rule (job_rules.h), one store
// operation, one audit record.
#include "common/ids.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

Result<CancelledJobView> Service::cancel_job(const auth::Claims& caller, store::JobKind kind,
                                             const std::string& id) {
  if (!auth::grants(caller.role, auth::Role::kOperator)) {
    return PermissionDenied("only operators and admins may cancel jobs");
  }
  FF_TRY(validate_id("job_id", id));
  auto rule = [](const std::string& current) -> Result<std::string> {
    return status_after_cancel(current);
  };
  SystemTime now = env_.clock->now();
  auto r = store_.cancel_job(kind, id, rule, now);
  if (!r.ok()) {
    Status s = std::move(r).status();
    if (s.code() == Code::kConflict)
      return s.with_context(std::string(job_kind_name(kind)) + " job " + id);
    return s;
  }
  CancelledJobView out{std::move(*r), ""};
  out.agent_notified = out.job.commands_delivered > 0 ? "at_next_event" : "withdrawn";
  FF_TRY(audit(audit::job_cancelled(out.job, out.agent_notified)));
  FF_TRY(audit(audit::job_status_changed(job_kind_name(kind), out.job.id, out.job.agent_id,
                                         out.job.previous_status, out.job.status)));
  {
    // The job is finished: its event count is no longer needed.
    std::lock_guard lock(job_events_mu_);
    job_events_.erase(id);
  }
  // A long-polling agent re-reads its queue (the withdrawn command is gone).
  notifier_.notify(out.job.agent_id);
  return out;
}

}  // namespace ff::core
