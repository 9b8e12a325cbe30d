// POST /prune: a retention policy applied now (docs/retention.md). Body:
// {"agent_id"?, "retention": {"keep_last": N, ...}, "dry_run"?}. Who may
// call it is in the access table (route_access.cc).
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "common/time.h"
#include "core/service.h"

namespace ff::api {

namespace {

Result<core::PruneRequest> parse_prune_request(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  for (const auto& [key, value] : body.items()) {
    if (key.rfind("keep_", 0) == 0) {
      return ValidationError(key +
                             ": retention rules go inside \"retention\" ({\"retention\": {\"" +
                             key + "\": N}})");
    }
    if (key != "agent_id" && key != "retention" && key != "dry_run") {
      return ValidationError(key + ": unknown field (agent_id, retention, dry_run)");
    }
  }
  core::PruneRequest out;
  FF_ASSIGN_OR_RETURN(out.agent_id, optional_string(body, "agent_id"));
  auto retention = body.find("retention");
  if (retention == body.end()) return ValidationError("retention: field required");
  FF_ASSIGN_OR_RETURN(out.policy, core::parse_retention(*retention));
  FF_ASSIGN_OR_RETURN(out.dry_run, optional_bool(body, "dry_run", false));
  return out;
}

nlohmann::json decision_json(const core::RetentionDecision& d) {
  nlohmann::json j = {{"id", d.id}, {"created_at", format_rfc3339(d.created_at)}};
  if (d.keep) j["reasons"] = d.reasons;
  return j;
}

nlohmann::json prune_report_json(const core::PruneReport& r) {
  nlohmann::json agents = nlohmann::json::array();
  for (const auto& a : r.agents) {
    nlohmann::json kept = nlohmann::json::array();
    nlohmann::json removed = nlohmann::json::array();
    for (const auto& d : a.kept) kept.push_back(decision_json(d));
    for (const auto& d : a.removed) removed.push_back(decision_json(d));
    agents.push_back({{"agent_id", a.agent_id}, {"kept", kept}, {"removed", removed}});
  }
  return {{"dry_run", r.dry_run},
          {"retention", core::retention_json(r.policy)},
          {"agents", agents},
          {"kept_count", r.kept},
          {"removed_count", r.removed}};
}

}  // namespace

void Api::add_prune_routes() {
  Route prune{"POST", "/prune"};
  prune.handle = [this](Request& req) -> Response {
    auto parsed = parse_prune_request(req);
    if (!parsed.ok()) return error_response(parsed.status());
    auto report = service_.prune(*req.claims, *parsed);
    if (!report.ok()) return error_response(report.status());
    return json_response(prune_report_json(*report));
  };
  routes_.push_back(std::move(prune));
}

}  // namespace ff::api
