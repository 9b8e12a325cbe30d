#include "cli/table_command.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

void add_table_command(CLI::App& parent, Context& ctx, int* exit_code, TableCommand command) {
  auto* cmd = parent.add_subcommand(command.verb, command.description);
  cmd->callback([&ctx, exit_code, c = std::move(command)] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->get(c.path);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    nlohmann::json list = list_of(*r);
    if (ctx.json) {
      ctx.out() << list.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& item : list) rows.push_back(c.row(item));
      ctx.out() << render_table(c.headers, rows);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
