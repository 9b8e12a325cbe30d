// Backup jobs: create (queues a backup command), show with logs, list.
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "api/views.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

namespace {

Result<core::NewBackupJob> parse_new_backup_job(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  core::NewBackupJob job;
  FF_ASSIGN_OR_RETURN(job.agent_id, required_string(body, "agent_id"));
  auto paths = body.find("paths");
  if (paths != body.end() && !paths->is_null()) {
    if (!paths->is_array() || paths->size() > 256) {
      return ValidationError("paths: must be an array of at most 256 strings");
    }
    for (const auto& p : *paths) {
      if (!p.is_string()) return ValidationError("paths: must be an array of strings");
      job.paths.push_back(p.get<std::string>());
    }
  }
  return job;
}

}  // namespace

void Api::add_backup_job_routes() {
  Route create{"POST", "/backup-jobs"};
  create.handle = [this](Request& req) -> Response {
    auto job = parse_new_backup_job(req);
    if (!job.ok()) return error_response(job.status());
    auto r = service_.create_backup_job(*req.claims, *job);
    if (!r.ok()) return error_response(r.status());
    return json_response(backup_job_json(r->job));
  };
  routes_.push_back(std::move(create));

  Route list{"GET", "/backup-jobs"};
  list.handle = [this](Request& req) -> Response {
    auto page = parse_page(req);
    if (!page.ok()) return error_response(page.status());
    store::BackupJobFilter f;
    if (const std::string* st = req.query_param("status")) {
      if (!core::is_job_status(*st)) {
        return error_response(ValidationError(
            "status: must be pending, in_progress, completed, failed or cancelled"));
      }
      f.status = *st;
    }
    auto agent = optional_id_param(req, "agent_id");
    if (!agent.ok()) return error_response(agent.status());
    f.agent_id = *agent;
    auto r = service_.list_backup_jobs(*req.claims, f, *page);
    if (!r.ok()) return error_response(r.status());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& j : r->items) items.push_back(backup_job_json(j));
    Response resp = json_response(items);
    resp.add_header("X-Total-Count", std::to_string(r->total));
    return resp;
  };
  routes_.push_back(std::move(list));

  Route show{"GET", "/backup-jobs/{id}"};
  show.point_read = true;
  show.handle = [this](Request& req) -> Response {
    auto r = service_.get_backup_job(*req.claims, req.param("id"));
    if (!r.ok()) return error_response(r.status());
    auto total = apply_logs_page(req, &r->logs);
    if (!total.ok()) return error_response(total.status());
    Response resp = json_response(backup_job_json(*r));
    resp.add_header("X-Logs-Total-Count", std::to_string(*total));
    return resp;
  };
  routes_.push_back(std::move(show));
}

}  // namespace ff::api
