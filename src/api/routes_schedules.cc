// Schedules (docs/schedules.md): POST/GET /schedules, GET/PATCH/DELETE
// /schedules/{id}. Who may call them is in the access table (route_access.cc);
// the rules are core's (core/schedules.cc).
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "api/views.h"
#include "core/service.h"

namespace ff::api {

namespace {

// A field that may be given as null to clear it: nullopt when absent,
// a nullopt inside when null.
template <typename T>
using Clearable = std::optional<std::optional<T>>;

Result<Clearable<std::vector<std::string>>> paths_field(const nlohmann::json& body) {
  auto it = body.find("paths");
  if (it == body.end()) return Clearable<std::vector<std::string>>();
  if (it->is_null()) return Clearable<std::vector<std::string>>(std::nullopt);
  if (!it->is_array()) return ValidationError("paths: expected an array of strings");
  std::vector<std::string> out;
  for (const auto& p : *it) {
    if (!p.is_string()) return ValidationError("paths: expected an array of strings");
    out.push_back(p.get<std::string>());
  }
  return Clearable<std::vector<std::string>>(std::move(out));
}

Result<core::ScheduleInput> schedule_input(const nlohmann::json& body) {
  core::ScheduleInput in;
  FF_ASSIGN_OR_RETURN(in.agent_id, optional_string(body, "agent_id"));
  FF_ASSIGN_OR_RETURN(in.kind, optional_string(body, "kind"));
  FF_ASSIGN_OR_RETURN(in.cron, optional_string(body, "cron"));
  FF_ASSIGN_OR_RETURN(in.interval_seconds, optional_int(body, "interval_seconds"));
  FF_ASSIGN_OR_RETURN(in.paths, paths_field(body));
  if (auto it = body.find("retention"); it != body.end()) {
    in.retention = it->is_null() ? std::optional<nlohmann::json>() : *it;
  }
  if (auto it = body.find("target_agent_id"); it != body.end()) {
    FF_ASSIGN_OR_RETURN(in.target_agent_id, optional_string(body, "target_agent_id"));
  }
  if (auto it = body.find("enabled"); it != body.end() && !it->is_null()) {
    FF_ASSIGN_OR_RETURN(in.enabled, optional_bool(body, "enabled", true));
  }
  return in;
}

Result<core::ScheduleInput> parse_schedule_body(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  return schedule_input(body);
}

}  // namespace

void Api::add_schedule_routes() {
  Route create{"POST", "/schedules"};
  create.handle = [this](Request& req) -> Response {
    auto in = parse_schedule_body(req);
    if (!in.ok()) return error_response(in.status());
    auto created = service_.create_schedule(*in);
    if (!created.ok()) return error_response(created.status());
    return json_response(schedule_json(*created), 201);
  };
  routes_.push_back(std::move(create));

  Route list{"GET", "/schedules"};
  list.handle = [this](Request&) -> Response {
    auto schedules = service_.list_schedules();
    if (!schedules.ok()) return error_response(schedules.status());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : *schedules) items.push_back(schedule_json(s));
    return json_response(items);
  };
  routes_.push_back(std::move(list));

  Route show{"GET", "/schedules/{id}"};
  show.handle = [this](Request& req) -> Response {
    auto s = service_.get_schedule(req.param("id"));
    if (!s.ok()) return error_response(s.status());
    return json_response(schedule_json(*s));
  };
  routes_.push_back(std::move(show));

  Route patch{"PATCH", "/schedules/{id}"};
  patch.handle = [this](Request& req) -> Response {
    auto in = parse_schedule_body(req);
    if (!in.ok()) return error_response(in.status());
    auto updated = service_.update_schedule(req.param("id"), *in);
    if (!updated.ok()) return error_response(updated.status());
    return json_response(schedule_json(*updated));
  };
  routes_.push_back(std::move(patch));

  Route remove{"DELETE", "/schedules/{id}"};
  remove.handle = [this](Request& req) -> Response {
    Status s = service_.delete_schedule(req.param("id"));
    if (!s.ok()) return error_response(s);
    return json_response({{"id", req.param("id")}, {"status", "deleted"}});
  };
  routes_.push_back(std::move(remove));
}

}  // namespace ff::api
