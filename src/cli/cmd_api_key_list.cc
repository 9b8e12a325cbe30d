// `fortfail api-key list`: every key, revoked ones included (never the keys themselves).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/list_pages.h"

namespace ff::cli {

void add_api_key_list(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("list", "list API keys");
  auto paging = std::make_shared<ListOptions>();
  add_list_options(cmd, *paging);
  cmd->callback([&ctx, exit_code, paging] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = fetch_list(**api, "/api-keys", *paging);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    const nlohmann::json& list = r->items;
    note_if_cut(ctx, static_cast<int64_t>(list.size()), r->total);
    if (ctx.json) {
      ctx.out() << list.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& k : list) {
        rows.push_back({field(k, "id"), field(k, "name"), field(k, "role"), field(k, "created_at"),
                        field(k, "revoked_at")});
      }
      ctx.out() << render_table({"ID", "NAME", "ROLE", "CREATED", "REVOKED"}, rows);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
