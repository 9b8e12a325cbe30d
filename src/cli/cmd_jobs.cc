// `fortfail jobs [ID]`: restore and backup jobs, or one job with its log.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/job_lookup.h"
#include "cli/list_pages.h"
#include "common/ids.h"

namespace ff::cli {

namespace {

int show_job(Context& ctx, client::ApiClient& api, const std::string& id) {
  auto found = find_job(api, id);
  if (!found.ok()) return ctx.fail(found.status());
  const std::string& kind = found->kind;
  const nlohmann::json* r = &found->job;
  if (ctx.json) {
    ctx.out() << r->dump() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"kind", kind}};
  for (const char* k : {"id", "status", "snapshot_id", "target_agent_id", "agent_id", "target_path",
                        "created_at", "updated_at"}) {
    if (r->contains(k)) rows.push_back({k, field(*r, k)});
  }
  ctx.out() << render_table({"FIELD", "VALUE"}, rows);
  auto logs = r->find("logs");
  if (logs != r->end() && logs->is_array() && !logs->empty()) {
    std::vector<std::vector<std::string>> lrows;
    for (const auto& l : *logs) {
      lrows.push_back({field(l, "timestamp"), field(l, "event_type"), field(l, "message")});
    }
    ctx.out() << "\n" << render_table({"TIME", "EVENT", "MESSAGE"}, lrows);
  }
  return kExitOk;
}

}  // namespace

void add_jobs(CLI::App& app, Context& ctx, int* exit_code) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("jobs", "list restore and backup jobs, or show one");
  cmd->add_option("ID", *id, "job id");
  auto paging = std::make_shared<ListOptions>();
  add_list_options(cmd, *paging);
  cmd->callback([&ctx, exit_code, id, paging] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    if (!id->empty()) {
      if (Status v = validate_id("ID", *id); !v.ok()) {
        *exit_code = ctx.fail(v);
        return;
      }
      *exit_code = show_job(ctx, **api, *id);
      return;
    }
    // The newest `limit` of each kind hold the newest `limit` of both.
    auto restores = fetch_list(**api, "/restore-jobs", *paging);
    if (!restores.ok()) {
      *exit_code = ctx.fail(restores.status());
      return;
    }
    // Backup jobs arrived later; an older orchestrator has none.
    auto backups = fetch_list(**api, "/backup-jobs", *paging);
    nlohmann::json all = nlohmann::json::array();
    int64_t total = restores->total;
    for (auto j : restores->items) {
      j["kind"] = "restore";  // older orchestrators send no kind
      all.push_back(j);
    }
    if (backups.ok()) {
      total += backups->total;
      for (auto j : backups->items) {
        j["kind"] = "backup";
        all.push_back(j);
      }
    }
    // Newest first to cut, then oldest first to show (as before paging).
    std::stable_sort(all.begin(), all.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
      return field(a, "created_at") > field(b, "created_at");
    });
    if (!paging->all && static_cast<int64_t>(all.size()) > paging->limit) {
      all.erase(all.begin() + paging->limit, all.end());
    }
    std::reverse(all.begin(), all.end());
    note_if_cut(ctx, static_cast<int64_t>(all.size()), total);
    if (ctx.json) {
      ctx.out() << all.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& j : all) {
        std::string agent =
            j.contains("target_agent_id") ? field(j, "target_agent_id") : field(j, "agent_id");
        rows.push_back({field(j, "id"), field(j, "kind"), field(j, "status"), agent,
                        field(j, "snapshot_id"), field(j, "updated_at")});
      }
      ctx.out() << render_table({"ID", "KIND", "STATUS", "AGENT", "SNAPSHOT", "UPDATED"}, rows);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
