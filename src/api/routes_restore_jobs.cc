// Restore jobs: create (queues a restore command) and show with logs; the
// list is routes_snapshot_jobs.cc's, shared with drills and verify jobs.
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "api/views.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

void Api::add_restore_job_routes() {
  Route create{"POST", "/restore-jobs"};
  create.handle = [this](Request& req) -> Response {
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    core::NewRestoreJob job;
    auto snap = required_string(*body, "snapshot_id");
    if (!snap.ok()) return error_response(snap.status());
    auto target = required_string(*body, "target_agent_id");
    if (!target.ok()) return error_response(target.status());
    auto path = optional_string(*body, "target_path");
    if (!path.ok()) return error_response(path.status());
    job.snapshot_id = *snap;
    job.target_agent_id = *target;
    job.target_path = path->value_or("");
    if (job.target_path.size() > 4096 || job.target_path.find('\0') != std::string::npos) {
      return error_response(ValidationError("target_path: must be a path under 4096 bytes"));
    }
    auto r = service_.create_restore_job(*req.claims, job);
    if (!r.ok()) return error_response(r.status());
    return json_response(restore_job_json(r->job));
  };
  routes_.push_back(std::move(create));

  Route show{"GET", "/restore-jobs/{id}"};
  show.point_read = true;
  show.handle = [this](Request& req) -> Response {
    auto r = service_.get_restore_job(*req.claims, req.param("id"));
    if (!r.ok()) return error_response(r.status());
    auto total = apply_logs_page(req, &r->logs);
    if (!total.ok()) return error_response(total.status());
    Response resp = Response::json(200, restore_job_text(*r));
    resp.add_header("X-Logs-Total-Count", std::to_string(*total));
    return resp;
  };
  routes_.push_back(std::move(show));
}

}  // namespace ff::api
