// The access table: the least role every route needs, in one place so that a
// review reads it whole. A route missing here is a start-up error (the Api's
// constructor throws), so a new route cannot ship without a decision.
//
// viewer: reads. operator: starts and cancels backups and restores (and uploads, as an
// agent would). admin: deletes, manages API keys and agent credentials, and
// may act as an agent (command polling leases commands: not a viewer's read).
#include <stdexcept>

#include "api/api.h"

namespace ff::api {

namespace {

using auth::Role;

struct Entry {
  std::string_view method;
  std::string_view pattern;
  bool is_public;
  Permit permit;
};

constexpr Permit kPublicPermit{};
constexpr Permit people(Role least) { return Permit{least, false}; }
constexpr Permit people_and_agents(Role least) { return Permit{least, true}; }

// clang-format off
constexpr Entry kTable[] = {
    {"GET",    "/",                          true,  kPublicPermit},
    {"GET",    "/health/live",               true,  kPublicPermit},
    {"GET",    "/health/ready",              true,  kPublicPermit},
    {"GET",    "/control",                   true,  kPublicPermit},
    {"GET",    "/control/{path+}",           true,  kPublicPermit},
    {"GET",    "/docs",                      true,  kPublicPermit},
    {"GET",    "/docs/{path+}",              true,  kPublicPermit},
    {"GET",    "/openapi.json",              true,  kPublicPermit},
    {"POST",   "/auth/token",                true,  kPublicPermit},
    {"POST",   "/auth/enroll",               true,  kPublicPermit},
    // The WebSocket authenticates with ?token= at the upgrade.
    {"GET",    "/ws",                        false, people_and_agents(Role::kViewer)},
    {"GET",    "/agents",                    false, people_and_agents(Role::kViewer)},
    {"GET",    "/agent/{id}/commands",       false, people_and_agents(Role::kAdmin)},
    {"POST",   "/agent/{id}/events",         false, people_and_agents(Role::kAdmin)},
    {"POST",   "/agents/{id}/enrollment",    false, people(Role::kAdmin)},
    {"POST",   "/agents/{id}/revoke",        false, people(Role::kAdmin)},
    {"GET",    "/snapshots",                 false, people_and_agents(Role::kViewer)},
    {"POST",   "/snapshots",                 false, people_and_agents(Role::kOperator)},
    {"GET",    "/snapshots/{id}",            false, people_and_agents(Role::kViewer)},
    {"DELETE", "/snapshots/{id}",            false, people(Role::kAdmin)},
    {"GET",    "/snapshots/{id}/object",     false, people_and_agents(Role::kViewer)},
    {"PUT",    "/snapshots/{id}/object",     false, people_and_agents(Role::kOperator)},
    {"POST",   "/snapshots/{id}/object",     false, people_and_agents(Role::kOperator)},
    // The repository format: agents for their own sessions and packs (core
    // confines them); GET /packs/{id}/object like a snapshot download.
    {"POST",   "/repository/sessions",               false, people_and_agents(Role::kOperator)},
    {"POST",   "/repository/sessions/{id}/lookup",  false, people_and_agents(Role::kOperator)},
    {"POST",   "/repository/sessions/{id}/hold",    false, people_and_agents(Role::kOperator)},
    {"POST",   "/repository/sessions/{id}/commit",  false, people_and_agents(Role::kOperator)},
    {"POST",   "/repository/sessions/{id}/abort",   false, people_and_agents(Role::kOperator)},
    {"POST",   "/repository/gc",             false, people(Role::kAdmin)},
    {"POST",   "/packs",                     false, people_and_agents(Role::kOperator)},
    {"PUT",    "/packs/{id}/object",         false, people_and_agents(Role::kOperator)},
    {"POST",   "/packs/{id}/complete",       false, people_and_agents(Role::kOperator)},
    {"GET",    "/packs/{id}/object",         false, people_and_agents(Role::kViewer)},
    {"POST",   "/snapshots/{id}/locate",     false, people_and_agents(Role::kViewer)},
    {"GET",    "/restore-jobs",              false, people_and_agents(Role::kViewer)},
    {"POST",   "/restore-jobs",              false, people(Role::kOperator)},
    {"GET",    "/restore-jobs/{id}",         false, people_and_agents(Role::kViewer)},
    {"POST",   "/restore-jobs/{id}/cancel",  false, people(Role::kOperator)},
    {"GET",    "/backup-jobs",               false, people_and_agents(Role::kViewer)},
    {"POST",   "/backup-jobs",               false, people(Role::kOperator)},
    {"GET",    "/backup-jobs/{id}",          false, people_and_agents(Role::kViewer)},
    {"POST",   "/backup-jobs/{id}/cancel",   false, people(Role::kOperator)},
    // Drills run on agents (which see their own); verify jobs run in the orchestrator.
    {"GET",    "/drills",                    false, people_and_agents(Role::kViewer)},
    {"POST",   "/drills",                    false, people(Role::kOperator)},
    {"GET",    "/drills/{id}",               false, people_and_agents(Role::kViewer)},
    {"POST",   "/drills/{id}/cancel",        false, people(Role::kOperator)},
    {"GET",    "/verify-jobs",               false, people(Role::kViewer)},
    {"POST",   "/verify-jobs",               false, people(Role::kOperator)},
    {"GET",    "/verify-jobs/{id}",          false, people(Role::kViewer)},
    {"POST",   "/verify-jobs/{id}/cancel",   false, people(Role::kOperator)},
    // Retention: day-to-day operation like starting restores, though it
    // deletes (only what a policy with at least one keep rule forgets).
    {"POST",   "/prune",                     false, people(Role::kOperator)},
    {"GET",    "/api-keys",                  false, people(Role::kAdmin)},
    {"POST",   "/api-keys",                  false, people(Role::kAdmin)},
    {"DELETE", "/api-keys/{id}",             false, people(Role::kAdmin)},
    // Public instead when ORCH_METRICS_PUBLIC=1 (Api's constructor).
    {"GET",    "/metrics",                   false, people(Role::kOperator)},
    // Alert webhooks: operators wire up their own paging.
    {"GET",    "/webhooks",                  false, people(Role::kOperator)},
    {"POST",   "/webhooks",                  false, people(Role::kOperator)},
    {"GET",    "/webhooks/{id}",             false, people(Role::kOperator)},
    {"DELETE", "/webhooks/{id}",             false, people(Role::kOperator)},
    // Schedules start jobs as operators do; viewers see them.
    {"GET",    "/schedules",                 false, people(Role::kViewer)},
    {"POST",   "/schedules",                 false, people(Role::kOperator)},
    {"GET",    "/schedules/{id}",            false, people(Role::kViewer)},
    {"PATCH",  "/schedules/{id}",            false, people(Role::kOperator)},
    {"DELETE", "/schedules/{id}",            false, people(Role::kOperator)},
};
// clang-format on

}  // namespace

Result<std::optional<Permit>> route_permit(std::string_view method, std::string_view pattern) {
  for (const Entry& e : kTable) {
    if (e.method == method && e.pattern == pattern) {
      if (e.is_public) return std::optional<Permit>();
      return std::optional<Permit>(e.permit);
    }
  }
  return NotFound(std::string(method) + " " + std::string(pattern) + " is not in the access table");
}

Status authorize(const Permit& permit, const auth::Claims& claims) {
  if (claims.is_agent()) {
    if (permit.agents) return OkStatus();
    return PermissionDenied("agent tokens may not call this route");
  }
  if (auth::grants(claims.role, permit.least)) return OkStatus();
  return PermissionDenied(std::string("role ") + auth::role_name(claims.role) +
                          " may not call this route (needs " + auth::role_name(permit.least) + ")");
}

void Api::apply_access_table() {
  for (Route& r : routes_) {
    auto permit = route_permit(r.method, r.pattern);
    if (!permit.ok()) throw std::logic_error(permit.status().message());
    bool table_public = !permit->has_value();
    // The WebSocket route is public to dispatch (it authenticates at the upgrade).
    bool route_public = r.access == Access::kPublic && r.kind != RouteKind::kWebSocket;
    if (table_public != route_public) {
      throw std::logic_error(r.method + " " + r.pattern + ": access table disagrees on public");
    }
    if (*permit) r.permit = **permit;
  }
}

}  // namespace ff::api
