// `fortfail schedule`: server-side schedules (docs/schedules.md), one file
// per subcommand: cmd_schedule_add.cc, cmd_schedule_list.cc, cmd_schedule_rm.cc.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace ff::cli {

void add_schedule(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("schedule", "add, list and remove schedules (operator)");
  cmd->require_subcommand(1);
  add_schedule_add(*cmd, ctx, exit_code);
  add_schedule_list(*cmd, ctx, exit_code);
  add_schedule_rm(*cmd, ctx, exit_code);
}

}  // namespace ff::cli
