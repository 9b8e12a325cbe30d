// `fortfail webhook rm ID`: stops deliveries to the webhook at once.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "common/ids.h"

namespace ff::cli {

void add_webhook_rm(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("rm", "remove a webhook");
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "the webhook's id (from `fortfail webhook list`)")->required();
  cmd->callback([&ctx, exit_code, id] {
    if (Status s = validate_id("id", *id); !s.ok()) {
      *exit_code = ctx.fail(s);
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->request("DELETE", "/webhooks/" + *id);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      ctx.out() << "Removed webhook " << *id << "\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
