// `fortfail agents`: the agents the orchestrator knows, online or not.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

void add_agents(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("agents", "list agents and whether they are online");
  cmd->callback([&ctx, exit_code] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->get("/agents");
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    nlohmann::json list = list_of(*r);
    if (ctx.json) {
      ctx.out() << list.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& a : list)
        rows.push_back({field(a, "id"), field(a, "status"), field(a, "last_seen")});
      ctx.out() << render_table({"ID", "STATUS", "LAST SEEN"}, rows);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
