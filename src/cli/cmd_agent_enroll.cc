// `fortfail agent enroll ID`: a one-time enrollment code for the agent
// (give it to the agent as AGENT_ENROLLMENT_CODE).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "common/ids.h"

namespace ff::cli {

void add_agent_enroll(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("enroll", "create a one-time enrollment code for an agent");
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
    auto r = (*api)->post("/agents/" + *id + "/enrollment", nlohmann::json::object());
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      ctx.out() << "Enrollment code for agent " << *id << " (one use, until "
                << field(*r, "expires_at") << "):\n"
                << field(*r, "enrollment_code") << "\n"
                << "Start the agent with AGENT_ENROLLMENT_CODE set to it.\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
