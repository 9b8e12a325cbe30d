// The repository format's routes (docs/repository-format.md): backup
// sessions, blob lookups, pack holds, pack announcements, commits, restore-side locates
// and garbage collection. Pack bytes go through routes_objects.cc.
#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "api/views.h"
#include "core/service.h"

namespace ff::api {

namespace {

// A required array of strings (`ids`), at most core::kMaxIdsPerCall long.
Result<std::vector<std::string>> string_array(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_array()) {
    return ValidationError(std::string(field) + ": must be an array of ids");
  }
  if (it->size() > core::kMaxIdsPerCall) {
    return ValidationError(std::string(field) + ": at most " +
                           std::to_string(core::kMaxIdsPerCall) + " ids");
  }
  std::vector<std::string> out;
  out.reserve(it->size());
  for (const auto& v : *it) {
    if (!v.is_string()) return ValidationError(std::string(field) + ": must be an array of ids");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// A body {"ids": [...]} (lookup, locate).
Result<std::vector<std::string>> parse_ids(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  return string_array(body, "ids");
}

Result<core::NewRepoSession> parse_session(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  core::NewRepoSession s;
  FF_ASSIGN_OR_RETURN(s.agent_id, required_string(body, "agent_id"));
  FF_ASSIGN_OR_RETURN(s.repository_id, optional_string(body, "repository_id"));
  auto enc = body.find("encrypted");
  if (enc == body.end() || !enc->is_boolean()) {
    return ValidationError("encrypted: field required (true or false)");
  }
  s.encrypted = enc->get<bool>();
  return s;
}

Result<core::NewPack> parse_pack(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  core::NewPack p;
  FF_ASSIGN_OR_RETURN(p.session_id, required_string(body, "session_id"));
  FF_ASSIGN_OR_RETURN(p.id, required_string(body, "id"));
  FF_ASSIGN_OR_RETURN(p.size, required_int(body, "size"));
  auto blobs = body.find("blobs");
  if (blobs == body.end() || !blobs->is_array()) {
    return ValidationError("blobs: must be an array of {id, type, offset, length}");
  }
  if (blobs->size() > core::kMaxIdsPerCall) {
    return ValidationError("blobs: at most " + std::to_string(core::kMaxIdsPerCall) + " entries");
  }
  for (const auto& b : *blobs) {
    if (!b.is_object()) return ValidationError("blobs: every entry must be an object");
    store::PackBlob blob;
    FF_ASSIGN_OR_RETURN(blob.id, required_string(b, "id"));
    FF_ASSIGN_OR_RETURN(blob.type, required_string(b, "type"));
    FF_ASSIGN_OR_RETURN(blob.offset, required_int(b, "offset"));
    FF_ASSIGN_OR_RETURN(blob.length, required_int(b, "length"));
    p.blobs.push_back(std::move(blob));
  }
  return p;
}

Result<core::RepoCommit> parse_commit(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  core::RepoCommit c;
  c.session_id = req.param("id");
  FF_ASSIGN_OR_RETURN(c.snapshot_id, required_string(body, "snapshot_id"));
  FF_ASSIGN_OR_RETURN(c.root, required_string(body, "root"));
  auto meta = body.find("metadata");
  if (meta != body.end() && !meta->is_null()) {
    if (!meta->is_object()) return ValidationError("metadata: must be an object");
    c.metadata = *meta;
  }
  return c;
}

Result<core::GcRequest> parse_gc(const Request& req) {
  core::GcRequest g;
  if (req.body.empty()) return g;
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  FF_ASSIGN_OR_RETURN(std::optional<int64_t> grace, optional_int(body, "grace_seconds"));
  if (grace) g.grace_seconds = *grace;
  FF_ASSIGN_OR_RETURN(g.dry_run, optional_bool(body, "dry_run", false));
  return g;
}

Response no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace

void Api::add_repository_routes() {
  Route open{"POST", "/repository/sessions"};
  open.handle = [this](Request& req) -> Response {
    auto s = parse_session(req);
    if (!s.ok()) return error_response(s.status());
    auto opened = service_.open_repo_session(*req.claims, *s);
    if (!opened.ok()) return error_response(opened.status());
    return json_response(repo_session_json(*opened));
  };
  routes_.push_back(std::move(open));

  Route lookup{"POST", "/repository/sessions/{id}/lookup"};
  lookup.handle = [this](Request& req) -> Response {
    auto ids = parse_ids(req);
    if (!ids.ok()) return error_response(ids.status());
    auto known = service_.lookup_blobs(*req.claims, req.param("id"), *ids);
    if (!known.ok()) return error_response(known.status());
    nlohmann::json map = nlohmann::json::object();
    for (const auto& [blob, pack] : *known) map[blob] = pack;
    return json_response({{"known", std::move(map)}});
  };
  routes_.push_back(std::move(lookup));

  Route hold{"POST", "/repository/sessions/{id}/hold"};
  hold.handle = [this](Request& req) -> Response {
    auto body = parse_json_object(req);
    if (!body.ok()) return error_response(body.status());
    auto packs = string_array(*body, "packs");
    if (!packs.ok()) return error_response(packs.status());
    auto held = service_.hold_packs(*req.claims, req.param("id"), *packs);
    if (!held.ok()) return error_response(held.status());
    return json_response({{"held", *held}});
  };
  routes_.push_back(std::move(hold));

  Route commit{"POST", "/repository/sessions/{id}/commit"};
  commit.handle = [this](Request& req) -> Response {
    auto c = parse_commit(req);
    if (!c.ok()) return error_response(c.status());
    auto snapshot = service_.commit_repo_session(*req.claims, *c);
    if (!snapshot.ok()) return error_response(snapshot.status());
    return json_response(snapshot_json(*snapshot));
  };
  routes_.push_back(std::move(commit));

  Route abort{"POST", "/repository/sessions/{id}/abort"};
  abort.handle = [this](Request& req) -> Response {
    Status s = service_.abort_repo_session(*req.claims, req.param("id"));
    if (!s.ok()) return error_response(s);
    return no_content();
  };
  routes_.push_back(std::move(abort));

  Route announce{"POST", "/packs"};
  announce.handle = [this](Request& req) -> Response {
    auto p = parse_pack(req);
    if (!p.ok()) return error_response(p.status());
    auto announced = service_.announce_pack(*req.claims, *p);
    if (!announced.ok()) return error_response(announced.status());
    const std::string& id = announced->pack.id;
    return json_response(
        {{"id", id},
         {"presigned_url", announced->presigned_url ? nlohmann::json(*announced->presigned_url)
                                                    : nlohmann::json(nullptr)},
         {"upload_url", "/packs/" + id + "/object"},
         {"status", announced->pack.status}});
  };
  routes_.push_back(std::move(announce));

  Route complete{"POST", "/packs/{id}/complete"};
  complete.handle = [this](Request& req) -> Response {
    auto p = service_.complete_pack(*req.claims, req.param("id"));
    if (!p.ok()) return error_response(p.status());
    return json_response(
        {{"status", p->status}, {"pack_id", p->id}, {"size", p->size}, {"checksum", p->id}});
  };
  routes_.push_back(std::move(complete));

  Route locate{"POST", "/snapshots/{id}/locate"};
  locate.handle = [this](Request& req) -> Response {
    auto ids = parse_ids(req);
    if (!ids.ok()) return error_response(ids.status());
    auto found = service_.locate_blobs(*req.claims, req.param("id"), *ids);
    if (!found.ok()) return error_response(found.status());
    nlohmann::json locations = nlohmann::json::object();
    for (const auto& [blob, at] : found->found) {
      locations[blob] = {{"pack", at.pack_id}, {"offset", at.offset}, {"length", at.length}};
    }
    return json_response({{"locations", std::move(locations)}, {"missing", found->missing}});
  };
  routes_.push_back(std::move(locate));

  Route gc{"POST", "/repository/gc"};
  gc.handle = [this](Request& req) -> Response {
    auto g = parse_gc(req);
    if (!g.ok()) return error_response(g.status());
    auto report = service_.collect_garbage(*req.claims, *g);
    if (!report.ok()) return error_response(report.status());
    return json_response({{"packs_deleted", report->packs_deleted},
                          {"bytes_freed", report->bytes_freed},
                          {"packs_kept_held", report->packs_kept_held},
                          {"packs_kept_young", report->packs_kept_young},
                          {"dry_run", report->dry_run}});
  };
  routes_.push_back(std::move(gc));
}

}  // namespace ff::api
