// POST <collection>/{id}/cancel for every kind of job (restore-jobs,
// backup-jobs, drills, verify-jobs): one handler over the kind.
#include "api/api.h"
#include "api/errors.h"
#include "api/views.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

std::string job_collection(store::JobKind kind) {
  switch (kind) {
    case store::JobKind::kRestore:
      return "/restore-jobs";
    case store::JobKind::kBackup:
      return "/backup-jobs";
    case store::JobKind::kDrill:
      return "/drills";
    case store::JobKind::kVerify:
      return "/verify-jobs";
  }
  return "/restore-jobs";
}

void Api::add_job_cancel_routes() {
  for (store::JobKind kind : {store::JobKind::kRestore, store::JobKind::kBackup,
                              store::JobKind::kDrill, store::JobKind::kVerify}) {
    Route cancel{"POST", job_collection(kind) + "/{id}/cancel"};
    cancel.handle = [this, kind](Request& req) -> Response {
      const std::string& id = req.param("id");
      auto r = service_.cancel_job(*req.claims, kind, id);
      if (!r.ok()) return error_response(r.status());
      // The job as it now reads, plus how its agent learns of the cancel.
      nlohmann::json body;
      if (kind == store::JobKind::kBackup) {
        auto job = service_.get_backup_job(*req.claims, id);
        if (!job.ok()) return error_response(job.status());
        body = backup_job_json(job->job);
      } else {
        auto job = service_.get_job(*req.claims, kind, id);
        if (!job.ok()) return error_response(job.status());
        body = restore_job_json(job->job);
      }
      body["previous_status"] = r->job.previous_status;
      body["agent_notified"] = r->agent_notified;
      return json_response(body);
    };
    routes_.push_back(std::move(cancel));
  }
}

}  // namespace ff::api
