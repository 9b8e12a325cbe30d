#include "cli/agent_action.h"

#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "common/ids.h"

namespace ff::cli {

void add_agent_action(CLI::App& parent, Context& ctx, int* exit_code, const char* verb,
                      const char* description, const char* action, AgentActionPrinter print) {
  auto* cmd = parent.add_subcommand(verb, description);
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "the agent's id")->required();
  std::string path_suffix = std::string("/") + action;
  cmd->callback([&ctx, exit_code, id, path_suffix, print = std::move(print)] {
    if (Status s = validate_id("agent_id", *id); !s.ok()) {
      *exit_code = ctx.fail(s);
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->post("/agents/" + *id + path_suffix, nlohmann::json::object());
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      print(ctx.out(), *id, *r);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
