// `fortfail agent revoke ID`: the agent's secret and every token it holds stop
// working at once; it mints again only after a new enrollment.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "common/ids.h"

namespace ff::cli {

void add_agent_revoke(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("revoke", "revoke an agent's credentials and tokens");
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "the agent's id")->required();
  cmd->callback([&ctx, exit_code, id] {
    if (Status s = validate_id("agent_id", *id); !s.ok()) {
      *exit_code = ctx.fail(s);
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->post("/agents/" + *id + "/revoke", nlohmann::json::object());
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      ctx.out() << "Revoked agent " << *id << "\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
