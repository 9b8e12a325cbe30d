// Restore jobs: create (queues a restore command), show with logs, list.
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

  Route list{"GET", "/restore-jobs"};
  list.handle = [this](Request& req) -> Response {
    auto page = parse_page(req);
    if (!page.ok()) return error_response(page.status());
    store::RestoreJobFilter f;
    if (const std::string* st = req.query_param("status")) {
      if (!core::is_job_status(*st)) {
        return error_response(ValidationError(
            "status: must be pending, in_progress, completed, failed or cancelled"));
      }
      f.status = *st;
    }
    auto target = optional_id_param(req, "target_agent_id");
    if (!target.ok()) return error_response(target.status());
    f.target_agent_id = *target;
    auto snap = optional_id_param(req, "snapshot_id");
    if (!snap.ok()) return error_response(snap.status());
    f.snapshot_id = *snap;
    auto r = service_.list_restore_jobs(*req.claims, f, *page);
    if (!r.ok()) return error_response(r.status());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& j : r->items) items.push_back(restore_job_json(j));
    Response resp = json_response(items);
    resp.add_header("X-Total-Count", std::to_string(r->total));
    return resp;
  };
  routes_.push_back(std::move(list));

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
