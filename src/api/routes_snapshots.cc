// Snapshot metadata: create, list, show, delete.
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "api/views.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

namespace {

Result<core::NewSnapshot> parse_new_snapshot(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  core::NewSnapshot s;
  FF_ASSIGN_OR_RETURN(s.id, required_string(body, "id"));
  FF_ASSIGN_OR_RETURN(s.agent_id, required_string(body, "agent_id"));
  FF_ASSIGN_OR_RETURN(s.checksum, required_string(body, "checksum"));
  auto size = body.find("size");
  if (size == body.end() || size->is_null()) return ValidationError("size: field required");
  if (!size->is_number_integer()) return ValidationError("size: must be an integer");
  s.size = size->get<int64_t>();
  if (size->is_number_unsigned() && size->get<uint64_t>() > INT64_MAX) {
    return ValidationError("size: too large");
  }
  auto meta = body.find("metadata");
  if (meta != body.end() && !meta->is_null()) {
    if (!meta->is_object()) return ValidationError("metadata: must be an object");
    s.metadata = *meta;
  }
  return s;
}

Response listing_response(const nlohmann::json& items, int64_t total) {
  Response r = json_response(items);
  r.add_header("X-Total-Count", std::to_string(total));
  return r;
}

}  // namespace

void Api::add_snapshot_routes() {
  Route create{"POST", "/snapshots"};
  create.handle = [this](Request& req) -> Response {
    auto s = parse_new_snapshot(req);
    if (!s.ok()) return error_response(s.status());
    auto created = service_.create_snapshot(*req.claims, *s);
    if (!created.ok()) return error_response(created.status());
    const std::string& id = created->snapshot.id;
    return json_response(
        {{"id", id},
         {"presigned_url", created->presigned_url ? nlohmann::json(*created->presigned_url)
                                                  : nlohmann::json(nullptr)},
         {"upload_url", "/snapshots/" + id + "/object"},
         {"status", created->snapshot.status}});
  };
  routes_.push_back(std::move(create));

  Route list{"GET", "/snapshots"};
  list.handle = [this](Request& req) -> Response {
    auto page = parse_page(req);
    if (!page.ok()) return error_response(page.status());
    store::SnapshotFilter f;
    auto agent = optional_id_param(req, "agent_id");
    if (!agent.ok()) return error_response(agent.status());
    f.agent_id = *agent;
    if (const std::string* st = req.query_param("status")) f.status = *st;
    auto r = service_.list_snapshots(*req.claims, f, *page);
    if (!r.ok()) return error_response(r.status());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : r->items) items.push_back(snapshot_json(s));
    return listing_response(items, r->total);
  };
  routes_.push_back(std::move(list));

  Route show{"GET", "/snapshots/{id}"};
  show.point_read = true;
  show.handle = [this](Request& req) -> Response {
    auto s = service_.get_snapshot(*req.claims, req.param("id"));
    if (!s.ok()) return error_response(s.status());
    return json_response(snapshot_json(*s));
  };
  routes_.push_back(std::move(show));

  Route del{"DELETE", "/snapshots/{id}"};
  del.handle = [this](Request& req) -> Response {
    Status s = service_.delete_snapshot(*req.claims, req.param("id"));
    if (!s.ok()) return error_response(s);
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  };
  routes_.push_back(std::move(del));
}

}  // namespace ff::api
