// `fortfail api-key revoke ID`: the key and every token minted from it stop working at once.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "common/ids.h"

namespace ff::cli {

void add_api_key_revoke(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("revoke", "revoke a key and its tokens");
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "the key's id (from `fortfail api-key list`)")->required();
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
    auto r = (*api)->request("DELETE", "/api-keys/" + *id);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      ctx.out() << "Revoked API key " << *id << "\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
