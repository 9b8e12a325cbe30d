// `fortfail agents`: the agents the orchestrator knows, online or not.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/list_pages.h"

namespace ff::cli {

void add_agents(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("agents", "list agents and whether they are online");
  auto paging = std::make_shared<ListOptions>();
  add_list_options(cmd, *paging);
  cmd->callback([&ctx, exit_code, paging] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = fetch_list(**api, "/agents", *paging);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    const nlohmann::json& list = r->items;
    note_if_cut(ctx, static_cast<int64_t>(list.size()), r->total);
    if (ctx.json) {
      ctx.out() << list.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      // PROVEN RESTORABLE: when a drill last restored one of its snapshots
      // and checked every file ("never" until one has).
      for (const auto& a : list) {
        std::string proven = field(a, "last_proven_restorable_at");
        rows.push_back({field(a, "id"), field(a, "status"), field(a, "last_seen"),
                        proven == "-" ? "never" : proven});
      }
      ctx.out() << render_table({"ID", "STATUS", "LAST SEEN", "PROVEN RESTORABLE"}, rows);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
