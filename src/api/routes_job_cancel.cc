// POST /restore-jobs/{id}/cancel and POST /backup-jobs/{id}/cancel: one
// handler for a job of either kind.
#include "api/api.h"
#include "api/errors.h"
#include "api/views.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

void Api::add_job_cancel_routes() {
  for (store::JobKind kind : {store::JobKind::kRestore, store::JobKind::kBackup}) {
    std::string collection = std::string("/") + core::job_kind_name(kind) + "-jobs";
    Route cancel{"POST", collection + "/{id}/cancel"};
    cancel.handle = [this, kind](Request& req) -> Response {
      const std::string& id = req.param("id");
      auto r = service_.cancel_job(*req.claims, kind, id);
      if (!r.ok()) return error_response(r.status());
      // The job as it now reads, plus how its agent learns of the cancel.
      nlohmann::json body;
      if (kind == store::JobKind::kRestore) {
        auto job = service_.get_restore_job(*req.claims, id);
        if (!job.ok()) return error_response(job.status());
        body = restore_job_json(job->job);
      } else {
        auto job = service_.get_backup_job(*req.claims, id);
        if (!job.ok()) return error_response(job.status());
        body = backup_job_json(job->job);
      }
      body["previous_status"] = r->job.previous_status;
      body["agent_notified"] = r->agent_notified;
      return json_response(body);
    };
    routes_.push_back(std::move(cancel));
  }
}

}  // namespace ff::api
