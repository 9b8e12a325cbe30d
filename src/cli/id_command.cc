#include "cli/id_command.h"

#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "common/ids.h"

namespace ff::cli {

void add_id_command(CLI::App& parent, Context& ctx, int* exit_code, IdCommand command) {
  auto* cmd = parent.add_subcommand(command.verb, command.description);
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, command.id_help)->required();
  cmd->callback([&ctx, exit_code, id, c = std::move(command)] {
    if (Status s = validate_id(c.id_field, *id); !s.ok()) {
      *exit_code = ctx.fail(s);
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    const nlohmann::json empty = nlohmann::json::object();
    bool with_body = std::string_view(c.method) == "POST";
    auto r = (*api)->request(c.method, c.path(*id), with_body ? &empty : nullptr);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      c.print(ctx.out(), *id, *r);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
