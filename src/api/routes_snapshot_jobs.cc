// Drills and verify jobs: POST /drills, POST /verify-jobs, GET /{id} with
// the job's log and result; and the paged list of each kind of restore_jobs
// (GET /restore-jobs, /drills, /verify-jobs).
// Both kinds are jobs about snapshots (restore_jobs), so listing and showing
// are one handler over the kind; only the creation bodies differ.
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "api/views.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

namespace {

Result<core::NewDrill> parse_drill(const nlohmann::json& body) {
  core::NewDrill d;
  FF_ASSIGN_OR_RETURN(d.snapshot_id, optional_string(body, "snapshot_id"));
  FF_ASSIGN_OR_RETURN(d.agent_id, optional_string(body, "agent_id"));
  FF_ASSIGN_OR_RETURN(d.target_agent_id, optional_string(body, "target_agent_id"));
  return d;
}

Result<core::NewVerifyJob> parse_verify(const nlohmann::json& body) {
  core::NewVerifyJob v;
  FF_ASSIGN_OR_RETURN(v.snapshot_id, optional_string(body, "snapshot_id"));
  FF_ASSIGN_OR_RETURN(v.agent_id, optional_string(body, "agent_id"));
  FF_ASSIGN_OR_RETURN(v.read_data, optional_bool(body, "read_data", true));
  FF_ASSIGN_OR_RETURN(auto subset, optional_int(body, "subset_percent"));
  if (subset) {
    if (*subset < 1 || *subset > 100) {
      return ValidationError("subset_percent must be an integer from 1 to 100");
    }
    v.subset_percent = static_cast<int>(*subset);
  }
  return v;
}

}  // namespace

void Api::add_snapshot_job_routes() {
  Route drill{"POST", "/drills"};
  drill.handle = [this](Request& req) -> Response {
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    auto d = parse_drill(*body);
    if (!d.ok()) return error_response(d.status());
    auto r = service_.create_drill(*req.claims, *d);
    if (!r.ok()) return error_response(r.status());
    return json_response(restore_job_json(*r), 201);
  };
  routes_.push_back(std::move(drill));

  Route verify{"POST", "/verify-jobs"};
  verify.handle = [this](Request& req) -> Response {
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    auto v = parse_verify(*body);
    if (!v.ok()) return error_response(v.status());
    auto r = service_.create_verify_job(*req.claims, *v);
    if (!r.ok()) return error_response(r.status());
    return json_response(restore_job_json(*r), 201);
  };
  routes_.push_back(std::move(verify));

  for (store::JobKind kind :
       {store::JobKind::kRestore, store::JobKind::kDrill, store::JobKind::kVerify}) {
    std::string collection = job_collection(kind);
    Route list{"GET", collection};
    list.handle = [this, kind](Request& req) -> Response {
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
      auto r = service_.list_jobs(*req.claims, kind, f, *page);
      if (!r.ok()) return error_response(r.status());
      nlohmann::json items = nlohmann::json::array();
      for (const auto& j : r->items) items.push_back(restore_job_json(j));
      Response resp = json_response(items);
      resp.add_header("X-Total-Count", std::to_string(r->total));
      return resp;
    };
    routes_.push_back(std::move(list));
    // GET /restore-jobs/{id} has its own, faster rendering (routes_restore_jobs.cc).
    if (kind == store::JobKind::kRestore) continue;

    Route show{"GET", collection + "/{id}"};
    show.handle = [this, kind](Request& req) -> Response {
      auto r = service_.get_job(*req.claims, kind, req.param("id"));
      if (!r.ok()) return error_response(r.status());
      return json_response(restore_job_json(*r));
    };
    routes_.push_back(std::move(show));
  }
}

}  // namespace ff::api
