// `fortfail webhook`: alert webhooks (operator), one file per subcommand:
// cmd_webhook_add.cc, cmd_webhook_list.cc, cmd_webhook_rm.cc.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace ff::cli {

void add_webhook(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("webhook", "add, list and remove alert webhooks (operator)");
  cmd->require_subcommand(1);
  add_webhook_add(*cmd, ctx, exit_code);
  add_webhook_list(*cmd, ctx, exit_code);
  add_webhook_rm(*cmd, ctx, exit_code);
}

}  // namespace ff::cli
