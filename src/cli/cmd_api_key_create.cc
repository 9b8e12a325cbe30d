// `fortfail api-key create NAME --role ROLE`: prints the new key once.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

void add_api_key_create(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("create", "create a key; it is shown once, store it now");
  auto name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>("viewer");
  cmd->add_option("name", *name, "a name for the key (letters, digits, . _ -)")->required();
  cmd->add_option("--role", *role, "viewer, operator or admin (default: viewer)")
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  cmd->callback([&ctx, exit_code, name, role] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->post("/api-keys", nlohmann::json{{"name", *name}, {"role", *role}});
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      ctx.out() << "Created API key " << field(*r, "id") << " (" << field(*r, "name") << ", role "
                << field(*r, "role") << "). The key is shown once:\n"
                << field(*r, "key") << "\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
