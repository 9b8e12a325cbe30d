// Agents: list, command polling (leases; optional long poll), events.
#include <charconv>

#include "api/api.h"
#include "api/errors.h"
#include "api/parse.h"
#include "api/views.h"
#include "common/ids.h"
#include "core/service.h"

namespace ff::api {

namespace {

// POST /agent/{id}/events' answer to post_event's status.
Response event_response(const Status& s, const core::EventRefusal& refusal) {
  if (s.ok()) return json_response({{"status", "ok"}});
  Response r = error_response(s, refusal.retry_after_seconds);
  // A finished job (cancelled by an operator, say): the agent stops it.
  if (s.code() == Code::kConflict && !refusal.job_status.empty()) {
    r.body = nlohmann::json{{"detail", s.message()}, {"job_status", refusal.job_status}}.dump();
  }
  return r;
}

Result<core::AgentEventInput> parse_event(const Request& req) {
  FF_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_object(req));
  core::AgentEventInput e;
  FF_ASSIGN_OR_RETURN(e.job_id, optional_string(body, "job_id"));
  FF_ASSIGN_OR_RETURN(e.snapshot_id, optional_string(body, "snapshot_id"));
  FF_ASSIGN_OR_RETURN(e.event_type, required_string(body, "event_type"));
  FF_ASSIGN_OR_RETURN(auto message, optional_string(body, "message"));
  e.message = message.value_or("");
  if (e.job_id) FF_TRY(validate_id("job_id", *e.job_id));
  if (e.snapshot_id) FF_TRY(validate_id("snapshot_id", *e.snapshot_id));
  if (!is_valid_id(e.event_type) || e.event_type.size() > 64) {
    return ValidationError("event_type: must be a short identifier such as restore_started");
  }
  // The limit applies to the message as stored: JSON-escaped, where a control
  // character takes six bytes.
  if (e.message.size() > core::kMaxMessageBytes ||
      nlohmann::json(e.message).dump().size() - 2 > core::kMaxMessageBytes) {
    return ValidationError("message: at most 16 KiB once JSON-escaped");
  }
  auto meta = body.find("metadata");
  if (meta != body.end() && !meta->is_null()) {
    if (!meta->is_object()) return ValidationError("metadata: must be an object");
    if (meta->dump().size() > core::kMaxMetadataBytes) {
      return ValidationError("metadata: at most 16 KiB of JSON");
    }
    e.metadata = *meta;
  }
  return e;
}

}  // namespace

void Api::add_agent_routes() {
  Route agents{"GET", "/agents"};
  agents.handle = [this](Request& req) -> Response {
    // The seed returns every agent: a page only when the caller asks for one.
    auto p = parse_optional_page(req);
    if (!p.ok()) return error_response(p.status());
    const store::Page page = *p;
    auto r = service_.list_agents(*req.claims);
    if (!r.ok()) return error_response(r.status());
    const auto total = static_cast<int64_t>(r->size());
    nlohmann::json items = nlohmann::json::array();
    for (int64_t i = page.offset; i < total && i - page.offset < page.limit; ++i) {
      items.push_back(agent_json((*r)[static_cast<size_t>(i)]));
    }
    Response resp = json_response(items);
    resp.add_header("X-Total-Count", std::to_string(total));
    return resp;
  };
  routes_.push_back(std::move(agents));

  // `fast`: answer only an empty poll that needs no write (try_inline);
  // nullopt when there is more to do.
  auto poll = [this](Request& req, bool fast) -> std::optional<Response> {
    const std::string& agent_id = req.param("id");
    std::chrono::seconds wait{0};
    if (const std::string* w = req.query_param("wait")) {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(w->data(), w->data() + w->size(), n);
      if (ec != std::errc() || p != w->data() + w->size() || n < 0 || n > 3600) {
        return error_response(ValidationError("wait: must be an integer number of seconds"));
      }
      wait = std::min(std::chrono::seconds(n), options_.max_long_poll);
    }
    // Read the generation before looking, so work queued in between wakes us.
    uint64_t generation = service_.notifier().generation(agent_id);
    Result<std::vector<store::Command>> r = std::vector<store::Command>{};
    if (fast) {
      // Errors, too, are left to the full path.
      auto idle = service_.poll_finds_nothing(*req.claims, agent_id);
      if (!idle.ok() || !*idle) return std::nullopt;
    } else {
      r = service_.poll_commands(*req.claims, agent_id);
    }
    if (!r.ok()) return error_response(r.status());
    auto now = service_.env().clock->monotonic_now();
    if (r->empty() && wait.count() > 0) {
      auto deadline = req.poll_deadline.value_or(now + wait);
      if (now < deadline) {
        Response parked;
        parked.long_poll = LongPoll{agent_id, generation, deadline};
        return parked;
      }
    }
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : *r) items.push_back(command_json(c));
    return json_response(items);
  };
  Route commands{"GET", "/agent/{id}/commands"};
  commands.handle = [poll](Request& req) -> Response { return *poll(req, false); };
  commands.try_inline = [poll](Request& req) { return poll(req, true); };
  routes_.push_back(std::move(commands));

  Route events{"POST", "/agent/{id}/events"};
  // Answered without holding a worker while the event becomes durable.
  events.handle_async = [this](Request& req, Route::Respond respond) {
    auto e = parse_event(req);
    if (!e.ok()) return respond(error_response(e.status()));
    service_.post_event_async(*req.claims, req.param("id"), std::move(e).value(),
                              [respond = std::move(respond)](Status s, core::EventRefusal refusal) {
                                respond(event_response(s, refusal));
                              });
  };
  routes_.push_back(std::move(events));
}

}  // namespace ff::api
