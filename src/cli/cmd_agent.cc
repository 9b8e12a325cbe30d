// `fortfail agent`: one agent's credentials (admin only), one file per
// subcommand: cmd_agent_enroll.cc, cmd_agent_revoke.cc.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace ff::cli {

void add_agent(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("agent", "enroll or revoke one agent's credentials (admin)");
  cmd->require_subcommand(1);
  add_agent_enroll(*cmd, ctx, exit_code);
  add_agent_revoke(*cmd, ctx, exit_code);
}

}  // namespace ff::cli
