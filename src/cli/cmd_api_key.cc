// `fortfail api-key`: named API keys (admin only), one file per subcommand:
// cmd_api_key_create.cc, cmd_api_key_list.cc, cmd_api_key_revoke.cc.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace ff::cli {

void add_api_key(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("api-key", "create, list and revoke named API keys (admin)");
  cmd->require_subcommand(1);
  add_api_key_create(*cmd, ctx, exit_code);
  add_api_key_list(*cmd, ctx, exit_code);
  add_api_key_revoke(*cmd, ctx, exit_code);
}

}  // namespace ff::cli
